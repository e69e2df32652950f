/*
 * report.c - counting, the format table, and the JSON and text reporters.
 */
#include "report.h"
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

static cJSON *finding_json(const struct finding *f)
{
	cJSON *o = cJSON_CreateObject();
	const struct rule *r = rule_find(f->rule);
	cJSON_AddStringToObject(o, "rule", f->rule);
	cJSON_AddStringToObject(o, "severity", severity_name(f->sev));
	cJSON_AddStringToObject(o, "message", f->message);
	cJSON_AddStringToObject(o, "fix", f->fix);
	if (f->line)
		cJSON_AddNumberToObject(o, "line", f->line);
	cJSON *cats = cJSON_AddArrayToObject(o, "categories");
	for (int c = 0; c < CAT__COUNT; c++)
		if (f->categories & CATBIT(c))
			cJSON_AddItemToArray(cats, cJSON_CreateString(category_name(c)));
	if (r)
		cJSON_AddStringToObject(o, "title", r->title);
	if (f->ignored) {
		cJSON_AddBoolToObject(o, "ignored", 1);
		cJSON_AddStringToObject(o, "ignore_reason", f->ignored);
	}
	return o;
}

static cJSON *stmt_json(const struct stmt *st)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "line", st->line);
	cJSON_AddNumberToObject(o, "end_line", st->end_line);
	cJSON_AddStringToObject(o, "sql", st->sql);
	cJSON_AddStringToObject(o, "kind", st->kind ? st->kind : "unparsed");
	if (st->table)
		cJSON_AddStringToObject(o, "table", st->table);
	cJSON_AddStringToObject(o, "class", class_name(st->cls));
	cJSON_AddStringToObject(o, "lock", lock_name(st->lock));
	cJSON_AddBoolToObject(o, "rewrite", st->rewrite);
	cJSON_AddBoolToObject(o, "scan", st->scan);
	cJSON_AddBoolToObject(o, "in_transaction", st->in_txn);
	cJSON_AddBoolToObject(o, "new_table", st->new_table);
	cJSON_AddStringToObject(o, "severity", severity_name(st->sev));
	if (st->parse_error)
		cJSON_AddStringToObject(o, "parse_error", st->parse_error);
	cJSON *fs = cJSON_AddArrayToObject(o, "findings");
	for (size_t i = 0; i < st->nr_findings; i++)
		cJSON_AddItemToArray(fs, finding_json(&st->findings[i]));
	cJSON *refs = cJSON_AddArrayToObject(o, "references");
	for (size_t i = 0; i < st->nr_refs; i++) {
		cJSON *ref = cJSON_CreateObject();
		cJSON_AddStringToObject(ref, "path", st->refs[i].path);
		cJSON_AddNumberToObject(ref, "line", st->refs[i].line);
		cJSON_AddStringToObject(ref, "text", st->refs[i].text);
		cJSON_AddStringToObject(ref, "identifier", st->refs[i].ident);
		cJSON_AddNumberToObject(ref, "confidence", st->refs[i].confidence);
		cJSON_AddItemToArray(refs, ref);
	}
	return o;
}

/*
 * JSON must be UTF-8, but a migration file need not be (not-utf8 is only a
 * finding): every string of the tree that is not valid UTF-8 gets U+FFFD
 * for each bad byte, so that JSON and SARIF consumers can still parse it.
 */
static void fix_utf8_string(cJSON *n)
{
	const char *p = n->valuestring;
	size_t rest = strlen(p), bad;
	struct strbuf sb = STRBUF_INIT;
	while (!utf8_valid(p, rest, &bad)) {
		strbuf_add(&sb, p, bad);
		strbuf_addstr(&sb, "\xEF\xBF\xBD");
		p += bad + 1;
		rest -= bad + 1;
	}
	strbuf_add(&sb, p, rest);
	cJSON_SetValuestring(n, sb.buf);
	strbuf_release(&sb);
}

void report_json_fix_utf8(cJSON *n)
{
	size_t bad;
	for (; n; n = n->next) {
		if (cJSON_IsString(n) && n->valuestring &&
		    !utf8_valid(n->valuestring, strlen(n->valuestring), &bad))
			fix_utf8_string(n);
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

cJSON *report_json_tree(const struct report *r)
{
	struct report_counts c;
	cJSON *root = cJSON_CreateObject();
	cJSON *files = cJSON_AddArrayToObject(root, "files");
	for (size_t i = 0; i < r->nr; i++) {
		const struct file_report *fr = &r->files[i];
		cJSON *f = cJSON_CreateObject();
		cJSON_AddStringToObject(f, "path", fr->path);
		cJSON_AddStringToObject(f, "framework", framework_name(fr->fw));
		cJSON_AddStringToObject(f, "direction", direction_name(fr->dir));
		cJSON_AddBoolToObject(f, "in_transaction", fr->in_txn);
		cJSON_AddStringToObject(f, "severity", severity_name(fr->sev));
		if (fr->error)
			cJSON_AddStringToObject(f, "error", fr->error);
		cJSON *sts = cJSON_AddArrayToObject(f, "statements");
		for (size_t s = 0; s < fr->nr_stmts; s++)
			cJSON_AddItemToArray(sts, stmt_json(&fr->stmts[s]));
		cJSON *ff = cJSON_AddArrayToObject(f, "findings");
		for (size_t k = 0; k < fr->nr_findings; k++)
			cJSON_AddItemToArray(ff, finding_json(&fr->findings[k]));
		if (fr->compat)
			cJSON_AddItemToObject(f, "compat", xref_compat_json(fr));
		cJSON_AddItemToArray(files, f);
	}
	report_count(r, &c);
	cJSON *sum = cJSON_AddObjectToObject(root, "summary");
	cJSON_AddNumberToObject(sum, "files", (double)c.files);
	cJSON_AddNumberToObject(sum, "statements", (double)c.statements);
	cJSON_AddNumberToObject(sum, "findings", (double)c.findings);
	cJSON_AddNumberToObject(sum, "ignored", (double)c.ignored);
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
	report_json_fix_utf8(root);
	return root;
}

void report_json(FILE *out, const struct report *r)
{
	cJSON *root = report_json_tree(r);
	char *s = cJSON_Print(root);
	fputs(s, out);
	fputc('\n', out);
	free(s);
	cJSON_Delete(root);
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
	add_padded(o, class_name(st->cls), 11);
	strbuf_addch(o, ' ');
	add_padded(o, lock_name(st->lock), 22);
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
	fprintf(out, ")%s%zu ignored; verdict: %s%s%s\n", c.ignored ? ", " : ", ", c.ignored,
		bold, verdict_name(report_verdict(r)), reset);
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
