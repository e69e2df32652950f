/*
 * report.c - counting, the format table, and the JSON and text reporters.
 */
#include "report.h"
#include "json_print.h"
#include "parallel.h"
#include "rules.h"
#include "xref.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

void report_count(const struct report *r, struct report_counts *c)
{
	memset(c, 0, sizeof(*c));
	c->files = r->nr;
	for (size_t i = 0; i < r->nr; i++) {
		const struct file_report *fr = &r->files[i];
		c->statements += fr->nr_stmts;
		for (size_t s = 0; s < fr->nr_stmts; s++)
			c->unparsed += fr->stmts[s].parse_error != NULL;
		for (size_t s = 0; s <= fr->nr_stmts; s++) {
			const struct finding *fs = s < fr->nr_stmts ? fr->stmts[s].findings : fr->findings;
			size_t n = s < fr->nr_stmts ? fr->stmts[s].nr_findings : fr->nr_findings;
			for (size_t k = 0; k < n; k++) {
				if (fs[k].ignored) {
					c->ignored++;
					continue;
				}
				c->findings++;
				c->by_sev[fs[k].sev]++;
				if (fs[k].sev > c->worst)
					c->worst = fs[k].sev;
			}
		}
	}
}

const char *stmt_class_label(const struct stmt *st)
{
	return st->parse_error ? "NOT JUDGED" : class_name(st->cls);
}

const char *stmt_lock_label(const struct stmt *st)
{
	return st->parse_error ? "not judged" : lock_name(st->lock);
}

void report_unparsed_note(struct strbuf *sb, const struct report_counts *c)
{
	if (c->unparsed)
		strbuf_addf(sb, "; %zu statement%s not judged (%s not parse)", c->unparsed,
			    c->unparsed == 1 ? "" : "s", c->unparsed == 1 ? "it does" : "they do");
}

bool report_fails(const struct report *r)
{
	struct report_counts c;
	report_count(r, &c);
	return c.findings && c.worst >= r->opts->fail_on;
}

const char *cat_state_name(enum cat_state s)
{
	return s == CAT_BLOCK ? "BLOCK" : s == CAT_FLAG ? "FLAG" : "PASS";
}

static void category_note(struct category_row rows[CAT__COUNT], const struct finding *f,
			  const char *path, int line)
{
	if (f->ignored || f->sev < SEV_MEDIUM)
		return;
	for (int c = 0; c < CAT__COUNT; c++) {
		if (!(f->categories & CATBIT(c)) || (rows[c].path && rows[c].sev >= f->sev))
			continue;
		rows[c].state = f->sev >= SEV_BLOCKER ? CAT_BLOCK : CAT_FLAG;
		rows[c].sev = f->sev;
		rows[c].path = path;
		rows[c].line = line;
		rows[c].rule = f->rule;
	}
}

void report_categories(const struct report *r, struct category_row rows[CAT__COUNT])
{
	memset(rows, 0, sizeof(*rows) * CAT__COUNT);
	for (size_t i = 0; i < r->nr; i++) {
		const struct file_report *fr = &r->files[i];
		for (size_t s = 0; s < fr->nr_stmts; s++)
			for (size_t k = 0; k < fr->stmts[s].nr_findings; k++)
				category_note(rows, &fr->stmts[s].findings[k], fr->path, fr->stmts[s].line);
		for (size_t k = 0; k < fr->nr_findings; k++)
			category_note(rows, &fr->findings[k], fr->path, fr->findings[k].line);
	}
}

/* --- JSON ------------------------------------------------------------- */

static void write_finding(struct json_out *jo, const struct finding *f)
{
	const struct rule *r = rule_find(f->rule);
	json_open(jo, NULL, false);
	json_str(jo, "rule", f->rule);
	json_str(jo, "severity", severity_name(f->sev));
	json_str(jo, "message", f->message);
	json_str(jo, "fix", f->fix);
	if (f->line)
		json_num(jo, "line", f->line);
	json_open(jo, "categories", true);
	for (int c = 0; c < CAT__COUNT; c++)
		if (f->categories & CATBIT(c))
			json_str(jo, NULL, category_name(c));
	json_close(jo);
	if (r)
		json_str(jo, "title", r->title);
	if (f->ignored) {
		json_bool(jo, "ignored", true);
		json_str(jo, "ignore_reason", f->ignored);
	}
	json_close(jo);
}

static void write_stmt(struct json_out *jo, const struct stmt *st)
{
	json_open(jo, NULL, false);
	json_num(jo, "line", st->line);
	json_num(jo, "end_line", st->end_line);
	json_str(jo, "sql", st->sql);
	json_str(jo, "kind", st->kind ? st->kind : "unparsed");
	if (st->table)
		json_str(jo, "table", st->table);
	json_str(jo, "class", stmt_class_label(st));
	json_str(jo, "lock", stmt_lock_label(st));
	json_bool(jo, "rewrite", st->rewrite);
	json_bool(jo, "scan", st->scan);
	json_bool(jo, "in_transaction", st->in_txn);
	json_bool(jo, "new_table", st->new_table);
	json_str(jo, "severity", severity_name(st->sev));
	if (st->parse_error)
		json_str(jo, "parse_error", st->parse_error);
	json_open(jo, "findings", true);
	for (size_t i = 0; i < st->nr_findings; i++)
		write_finding(jo, &st->findings[i]);
	json_close(jo);
	json_open(jo, "references", true);
	for (size_t i = 0; i < st->nr_refs; i++) {
		json_open(jo, NULL, false);
		json_str(jo, "path", st->refs[i].path);
		json_num(jo, "line", st->refs[i].line);
		json_str(jo, "text", st->refs[i].text);
		json_str(jo, "identifier", st->refs[i].ident);
		json_num(jo, "confidence", st->refs[i].confidence);
		json_close(jo);
	}
	json_close(jo);
	json_close(jo);
}

/*
 * JSON must be UTF-8, but a migration file need not be (not-utf8 is only a
 * finding): every string of the tree that is not valid UTF-8 gets U+FFFD
 * for each bad byte, so that JSON and SARIF consumers can still parse it.
 */
void report_json_fix_utf8(cJSON *n)
{
	for (; n; n = n->next) {
		char *fixed = cJSON_IsString(n) && n->valuestring ? json_utf8_fixed(n->valuestring) : NULL;
		if (fixed)
			cJSON_SetValuestring(n, fixed);
		free(fixed);
		if (n->child)
			report_json_fix_utf8(n->child);
	}
}

void report_not_judged_json(const struct report *r, cJSON *obj, const char *key)
{
	struct strlist nj = STRLIST_INIT;
	report_not_judged(r, &nj);
	cJSON *arr = cJSON_AddArrayToObject(obj, key);
	for (size_t i = 0; i < nj.nr; i++)
		cJSON_AddItemToArray(arr, cJSON_CreateString(nj.items[i]));
	strlist_clear(&nj);
}

/* One element of "files", written where cJSON_Print puts it (depth 2: in "files" in the root). */
static void write_file(struct strbuf *sb, const struct file_report *fr)
{
	struct json_out jo;
	json_out_init(&jo, sb, 2);
	json_open(&jo, NULL, false);
	json_str(&jo, "path", fr->path);
	json_str(&jo, "framework", framework_name(fr->fw));
	json_str(&jo, "direction", direction_name(fr->dir));
	json_bool(&jo, "in_transaction", fr->in_txn);
	json_str(&jo, "severity", severity_name(fr->sev));
	if (fr->error)
		json_str(&jo, "error", fr->error);
	json_open(&jo, "statements", true);
	for (size_t s = 0; s < fr->nr_stmts; s++)
		write_stmt(&jo, &fr->stmts[s]);
	json_close(&jo);
	json_open(&jo, "findings", true);
	for (size_t k = 0; k < fr->nr_findings; k++)
		write_finding(&jo, &fr->findings[k]);
	json_close(&jo);
	if (fr->compat) {
		cJSON *compat = xref_compat_json(fr);
		report_json_fix_utf8(compat);
		json_item(&jo, "compat", compat);
		cJSON_Delete(compat);
	}
	json_close(&jo);
}

/* The "summary" object (its strings as they are: see report_json_fix_utf8()). */
static cJSON *summary_json(const struct report *r)
{
	struct report_counts c;
	report_count(r, &c);
	cJSON *sum = cJSON_CreateObject();
	cJSON_AddNumberToObject(sum, "files", (double)c.files);
	cJSON_AddNumberToObject(sum, "statements", (double)c.statements);
	cJSON_AddNumberToObject(sum, "findings", (double)c.findings);
	cJSON_AddNumberToObject(sum, "ignored", (double)c.ignored);
	cJSON_AddNumberToObject(sum, "unparsed", (double)c.unparsed);
	for (int s = SEV_LOW; s < SEV__COUNT; s++)
		cJSON_AddNumberToObject(sum, severity_name(s), (double)c.by_sev[s]);
	cJSON_AddStringToObject(sum, "worst", severity_name(c.worst));
	cJSON_AddStringToObject(sum, "verdict", verdict_name(report_verdict(r)));
	/* added beside "verdict": what was not judged, when it says NOT JUDGED */
	report_not_judged_json(r, sum, "not_judged");
	struct category_row rows[CAT__COUNT];
	report_categories(r, rows);
	cJSON *cats = cJSON_AddArrayToObject(sum, "categories");
	for (int k = 0; k < CAT__COUNT; k++) {
		cJSON *row = cJSON_CreateObject();
		cJSON_AddStringToObject(row, "category", category_name(k));
		cJSON_AddStringToObject(row, "state", cat_state_name(rows[k].state));
		if (rows[k].path) {
			cJSON_AddStringToObject(row, "path", rows[k].path);
			cJSON_AddNumberToObject(row, "line", rows[k].line);
			cJSON_AddStringToObject(row, "rule", rows[k].rule);
		}
		cJSON_AddItemToArray(cats, row);
	}
	cJSON_AddStringToObject(sum, "fail_on", severity_name(r->opts->fail_on));
	cJSON_AddBoolToObject(sum, "failed", report_fails(r));
	cJSON_AddNumberToObject(sum, "pg_version", r->opts->pg_version);
	if (r->branch)
		cJSON_AddStringToObject(sum, "branch", r->branch);
	if (r->base)
		cJSON_AddStringToObject(sum, "base", r->base);
	cJSON *errs = cJSON_AddArrayToObject(sum, "errors");
	for (size_t i = 0; i < r->errors.nr; i++)
		cJSON_AddItemToArray(errs, cJSON_CreateString(r->errors.items[i]));
	return sum;
}

struct json_files {
	const struct report *r;
	struct strbuf *text;         /* one per file */
};

static void print_file(size_t i, void *data)
{
	struct json_files *jf = data;
	write_file(&jf->text[i], &jf->r->files[i]);
}

/* Where the JSON text goes: a file as it is made, or a string. */
struct json_sink {
	FILE *file;
	struct strbuf *sb;
};

static void sink_add(struct json_sink *k, const char *s, size_t n)
{
	if (k->file)
		fwrite(s, 1, n, k->file);
	else
		strbuf_add(k->sb, s, n);
}

/*
 * The report as cJSON_Print would print report_json_tree(), byte for
 * byte, each file written on its own, on every core: a large check spent
 * a fifth of its time building, printing and freeing a tree of it. Its
 * strings are made UTF-8 as report_json_fix_utf8() makes them. Each file's
 * text goes out once all are made, and is freed as it goes.
 */
static void report_json_text(struct json_sink *out, const struct report *r)
{
	struct json_files jf = { r, xcalloc(r->nr + 1, sizeof(*jf.text)) };
	struct strbuf sum = STRBUF_INIT;
	for (size_t i = 0; i < r->nr; i++)
		strbuf_init(&jf.text[i], 0);
	rules_count();    /* builds the catalogue's index before threads read it */
	parallel_for(r->nr, parallel_threads(), print_file, &jf);
	sink_add(out, "{\n\t\"files\":\t[", strlen("{\n\t\"files\":\t["));
	for (size_t i = 0; i < r->nr; i++) {
		sink_add(out, jf.text[i].buf, jf.text[i].len);
		if (i + 1 < r->nr)
			sink_add(out, ", ", 2);
		strbuf_release(&jf.text[i]);
	}
	free(jf.text);
	cJSON *s = summary_json(r);
	report_json_fix_utf8(s);
	strbuf_addstr(&sum, "],\n\t\"summary\":\t");
	json_print(&sum, s, 1);
	cJSON_Delete(s);
	strbuf_addstr(&sum, "\n}");
	sink_add(out, sum.buf, sum.len);
	strbuf_release(&sum);
}

/* The tree of the same text: whoever adds to it (db_check_print) prints it with cJSON. */
cJSON *report_json_tree(const struct report *r)
{
	struct strbuf sb = STRBUF_INIT;
	struct json_sink out = { NULL, &sb };
	report_json_text(&out, r);
	cJSON *root = cJSON_Parse(sb.buf);
	if (!root)
		die("report_json_tree: the JSON report does not parse");
	strbuf_release(&sb);
	return root;
}

void report_json(FILE *out, const struct report *r)
{
	struct json_sink sink = { out, NULL };
	report_json_text(&sink, r);
	fputc('\n', out);
}

/* --- text ------------------------------------------------------------- */

static const char *sev_color(enum severity s, bool color)
{
	if (!color)
		return "";
	switch (s) {
	case SEV_BLOCKER:
		return "\033[1;37;41m";
	case SEV_HIGH:
		return "\033[1;31m";
	case SEV_MEDIUM:
		return "\033[33m";
	case SEV_LOW:
		return "\033[36m";
	default:
		return "\033[32m";
	}
}

/* First line of a statement, cut to `max` bytes, for one-line listings. */
static void first_line(struct strbuf *sb, const char *sql, size_t max)
{
	size_t n = strcspn(sql, "\n");
	strbuf_reset(sb);
	if (n > max) {
		strbuf_add(sb, sql, max);
		strbuf_addstr(sb, "...");
	} else {
		strbuf_add(sb, sql, n);
		if (sql[n])
			strbuf_addstr(sb, " ...");
	}
	/* Never pass control bytes through to a terminal. */
	for (size_t i = 0; i < sb->len; i++)
		if ((unsigned char)sb->buf[i] < 0x20 || sb->buf[i] == 0x7f)
			sb->buf[i] = '?';
}

/*
 * Messages quote the input (a parser's "at or near" token, an identifier),
 * which may hold newlines or terminal escape sequences: printable() and
 * add_printable() (util.c's escaping) show those bytes as C escapes so
 * that one finding stays one line and nothing reaches the terminal as a
 * control sequence.
 */
static void add_printable(struct strbuf *o, const char *s)
{
	strbuf_add_printable(o, s, strlen(s), false);
}

/* s, then spaces up to `width`: printf's %-*s. */
static void add_padded(struct strbuf *sb, const char *s, size_t width)
{
	size_t n = strlen(s);
	strbuf_add(sb, s, n);
	for (; n < width; n++)
		strbuf_addch(sb, ' ');
}

/* printf's %*d, without printf: the text report has a line per statement. */
static void add_int(struct strbuf *sb, int v, size_t width)
{
	char digits[16];
	size_t n = 0;
	unsigned u = v < 0 ? 0u - (unsigned)v : (unsigned)v;
	do
		digits[sizeof(digits) - ++n] = (char)('0' + u % 10);
	while (u /= 10);
	if (v < 0)
		digits[sizeof(digits) - ++n] = '-';
	for (size_t k = n; k < width; k++)
		strbuf_addch(sb, ' ');
	strbuf_add(sb, digits + sizeof(digits) - n, n);
}

/* One finding's lines, into `o`. */
static void text_finding(struct strbuf *o, const char *path, int line, const struct finding *f,
			 bool color)
{
	add_printable(o, path);
	strbuf_addch(o, ':');
	add_int(o, line, 0);
	strbuf_addstr(o, ": ");
	strbuf_addstr(o, sev_color(f->sev, color));
	strbuf_addstr(o, severity_name(f->sev));
	strbuf_addstr(o, color ? "\033[0m" : "");
	strbuf_addstr(o, " [");
	strbuf_addstr(o, f->rule);
	strbuf_addstr(o, "] ");
	add_printable(o, f->message);
	if (f->ignored) {
		strbuf_addstr(o, *f->ignored ? " (ignored: " : " (ignored");
		add_printable(o, f->ignored);
		strbuf_addch(o, ')');
	}
	strbuf_addch(o, '\n');
	if (f->fix && *f->fix && !f->ignored) {
		strbuf_addstr(o, "    fix: ");
		add_printable(o, f->fix);
		strbuf_addch(o, '\n');
	}
}

/* A statement's line: "  %4d  <sev %-8s> %-11s %-22s <first line>". */
static void text_statement(struct strbuf *o, struct strbuf *tmp, const struct stmt *st, bool color)
{
	first_line(tmp, st->sql, 70);
	strbuf_addstr(o, "  ");
	add_int(o, st->line, 4);
	strbuf_addstr(o, "  ");
	strbuf_addstr(o, sev_color(st->sev, color));
	add_padded(o, st->sev ? severity_name(st->sev) : "ok", 8);
	strbuf_addstr(o, color ? "\033[0m" : "");
	strbuf_addch(o, ' ');
	add_padded(o, stmt_class_label(st), 11);
	strbuf_addch(o, ' ');
	add_padded(o, stmt_lock_label(st), 22);
	strbuf_addch(o, ' ');
	strbuf_addstr(o, tmp->buf);
	strbuf_addch(o, '\n');
}

static const char *cat_color(enum cat_state s, bool color)
{
	if (!color)
		return "";
	return s == CAT_BLOCK ? "\033[1;37;41m" : s == CAT_FLAG ? "\033[33m" : "\033[32m";
}

/* The eight risk categories, one line each, and the verdict. */
static void text_categories(FILE *out, const struct report *r, bool color)
{
	struct category_row rows[CAT__COUNT];
	struct strbuf sb = STRBUF_INIT;
	const char *reset = color ? "\033[0m" : "";
	report_categories(r, rows);
	fputs("risk categories:\n", out);
	for (int k = 0; k < CAT__COUNT; k++) {
		fprintf(out, "  %-26s %s%s%s", category_name(k), cat_color(rows[k].state, color),
			cat_state_name(rows[k].state), reset);
		if (rows[k].path)
			fprintf(out, "%*s%s:%d (%s)", rows[k].state == CAT_BLOCK ? 2 : 3, "",
				printable(&sb, rows[k].path), rows[k].line, rows[k].rule);
		fputc('\n', out);
	}
	fputc('\n', out);
	strbuf_release(&sb);
}

void report_text(FILE *out, const struct report *r, bool color)
{
	struct report_counts c;
	struct strbuf sb = STRBUF_INIT, o = STRBUF_INIT;
	const char *bold = color ? "\033[1m" : "", *reset = color ? "\033[0m" : "";

	for (size_t i = 0; i < r->errors.nr; i++)
		fprintf(out, "error: %s\n", printable(&sb, r->errors.items[i]));
	/* Each file's section is built in `o` and written at once. */
	for (size_t i = 0; i < r->nr; i++) {
		const struct file_report *fr = &r->files[i];
		strbuf_reset(&o);
		strbuf_addf(&o, "%s%s%s (%s, %s%s)\n", bold, printable(&sb, fr->path), reset,
			    framework_name(fr->fw), direction_name(fr->dir),
			    fr->in_txn ? ", in a transaction" : "");
		if (fr->error)
			strbuf_addf(&o, "  error: %s\n", printable(&sb, fr->error));
		for (size_t s = 0; s < fr->nr_stmts; s++)
			text_statement(&o, &sb, &fr->stmts[s], color);
		for (size_t s = 0; s < fr->nr_stmts; s++)
			for (size_t k = 0; k < fr->stmts[s].nr_findings; k++)
				text_finding(&o, fr->path, fr->stmts[s].line,
					     &fr->stmts[s].findings[k], color);
		for (size_t k = 0; k < fr->nr_findings; k++)
			text_finding(&o, fr->path, fr->findings[k].line, &fr->findings[k], color);
		fwrite(o.buf, 1, o.len, out);
		xref_compat_text(out, fr);
		fputc('\n', out);
	}
	strbuf_release(&o);
	text_categories(out, r, color);
	report_count(r, &c);
	fprintf(out, "%zu files, %zu statements, %zu findings (", c.files, c.statements, c.findings);
	for (int s = SEV_BLOCKER; s >= SEV_LOW; s--)
		fprintf(out, "%s%zu %s", s == SEV_BLOCKER ? "" : ", ", c.by_sev[s], severity_name(s));
	strbuf_reset(&sb);
	report_unparsed_note(&sb, &c);
	fprintf(out, ")%s%zu ignored; verdict: %s%s%s%s\n", c.ignored ? ", " : ", ", c.ignored,
		bold, verdict_name(report_verdict(r)), reset, sb.buf);
	struct strlist nj = STRLIST_INIT;
	report_not_judged(r, &nj);
	for (size_t i = 0; i < nj.nr; i++)
		fprintf(out, "not judged: %s\n", printable(&sb, nj.items[i]));
	strlist_clear(&nj);
	strbuf_release(&sb);
}

static void text_plain(FILE *out, const struct report *r)
{
	report_text(out, r, false);
}

static const struct {
	const char *name;
	report_fn fn;
} formats[] = {
	{ "text", text_plain },
	{ "json", report_json },
	{ "sarif", report_sarif },
	{ "github", report_github },
	{ "markdown", report_markdown },
	{ "gitlab", report_gitlab },
	{ "junit", report_junit },
};

report_fn report_format(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(formats); i++)
		if (!strcmp(formats[i].name, name))
			return formats[i].fn;
	return NULL;
}
