/*
 * report_ci.c - the reporters a CI pipeline reads: SARIF 2.1.0 (code
 * scanning), GitHub workflow annotations, and the Markdown PR comment.
 *
 * All three speak about the same findings as the JSON reporter; they differ
 * in where the text ends up, so each has its own escaping: SARIF is JSON
 * (cJSON escapes), annotations follow GitHub's workflow-command encoding,
 * and Markdown table cells must not let a `|` or a newline from a statement
 * break the table.
 */
#include <config.h>
#include "report.h"
#include "xref.h"
#include "rules.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#define SLUICE_URI "https://github.com/sluice-sql/sluice"
#define SARIF_SCHEMA "https://json.schemastore.org/sarif-2.1.0.json"

void report_each_finding(const struct report *r, report_finding_fn fn, void *data)
{
	for (size_t i = 0; i < r->nr; i++) {
		const struct file_report *fr = &r->files[i];
		for (size_t s = 0; s < fr->nr_stmts; s++)
			for (size_t k = 0; k < fr->stmts[s].nr_findings; k++)
				fn(fr, &fr->stmts[s], &fr->stmts[s].findings[k], data);
		for (size_t k = 0; k < fr->nr_findings; k++)
			fn(fr, NULL, &fr->findings[k], data);
	}
}

void report_finding_lines(const struct stmt *st, const struct finding *f, int *start, int *end)
{
	*start = st ? st->line : f->line;
	*end = st ? st->end_line : f->line;
	if (*start < 1)
		*start = 1;
	if (*end < *start)
		*end = *start;
}

/* --- SARIF -------------------------------------------------------------- */

static const char *sarif_level(enum severity s)
{
	return s >= SEV_HIGH ? "error" : s == SEV_MEDIUM ? "warning" : "note";
}

/* A relative path as a URI reference: RFC 3986 unreserved bytes and '/' pass. */
static char *uri_escape(const char *path)
{
	static const char hex[] = "0123456789ABCDEF";
	struct strbuf sb = STRBUF_INIT;
	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    strchr("-._~/", *p)) {
			strbuf_addch(&sb, (char)*p);
		} else {
			strbuf_addch(&sb, '%');
			strbuf_addch(&sb, hex[*p >> 4]);
			strbuf_addch(&sb, hex[*p & 15]);
		}
	}
	return strbuf_detach(&sb, NULL);
}

static cJSON *sarif_text(const char *text)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "text", text);
	return o;
}

static cJSON *sarif_rule(const struct rule *ru)
{
	cJSON *o = cJSON_CreateObject();
	char *full = xstrfmt("%s. Safer: %s", ru->title, ru->fix ? ru->fix : "see the finding");
	cJSON_AddStringToObject(o, "id", ru->id);
	cJSON_AddItemToObject(o, "shortDescription", sarif_text(ru->title));
	cJSON_AddItemToObject(o, "fullDescription", sarif_text(full));
	cJSON_AddItemToObject(o, "help", sarif_text(ru->fix ? ru->fix : ru->title));
	cJSON *conf = cJSON_AddObjectToObject(o, "defaultConfiguration");
	cJSON_AddStringToObject(conf, "level", sarif_level(ru->sev));
	cJSON *props = cJSON_AddObjectToObject(o, "properties");
	cJSON_AddStringToObject(props, "severity", severity_name(ru->sev));
	cJSON_AddStringToObject(props, "class", class_name(ru->cls));
	cJSON *tags = cJSON_AddArrayToObject(props, "tags");
	for (int c = 0; c < CAT__COUNT; c++)
		if (ru->cats & CATBIT(c))
			cJSON_AddItemToArray(tags, cJSON_CreateString(category_name(c)));
	free(full);
	return o;
}

static void sarif_result(const struct file_report *fr, const struct stmt *st,
			 const struct finding *f, void *data)
{
	cJSON *results = data;
	cJSON *o = cJSON_CreateObject();
	int start, end;
	char *uri = uri_escape(fr->path);
	char *msg = f->fix && *f->fix ? xstrfmt("%s Fix: %s", f->message, f->fix) : xstrdup(f->message);

	report_finding_lines(st, f, &start, &end);
	cJSON_AddStringToObject(o, "ruleId", f->rule);
	for (size_t i = 0; i < rules_count(); i++)
		if (!strcmp(rule_at(i)->id, f->rule))
			cJSON_AddNumberToObject(o, "ruleIndex", (double)i);
	cJSON_AddStringToObject(o, "level", sarif_level(f->sev));
	cJSON_AddItemToObject(o, "message", sarif_text(msg));
	cJSON *loc = cJSON_CreateObject();
	cJSON *phys = cJSON_AddObjectToObject(loc, "physicalLocation");
	cJSON *art = cJSON_AddObjectToObject(phys, "artifactLocation");
	cJSON_AddStringToObject(art, "uri", uri);
	cJSON *region = cJSON_AddObjectToObject(phys, "region");
	cJSON_AddNumberToObject(region, "startLine", start);
	cJSON_AddNumberToObject(region, "endLine", end);
	cJSON_AddItemToArray(cJSON_AddArrayToObject(o, "locations"), loc);
	if (f->ignored) {
		cJSON *sup = cJSON_CreateObject();
		cJSON_AddStringToObject(sup, "kind", "inSource");
		cJSON_AddStringToObject(sup, "status", "accepted");
		cJSON_AddStringToObject(sup, "justification", *f->ignored ? f->ignored : "sluice:ignore");
		cJSON_AddItemToArray(cJSON_AddArrayToObject(o, "suppressions"), sup);
	}
	cJSON *props = cJSON_AddObjectToObject(o, "properties");
	cJSON_AddStringToObject(props, "severity", severity_name(f->sev));
	if (st) {
		cJSON_AddStringToObject(props, "class", stmt_class_label(st));
		cJSON_AddStringToObject(props, "lock", stmt_lock_label(st));
	}
	if (f->fix)
		cJSON_AddStringToObject(props, "fix", f->fix);
	cJSON_AddItemToArray(results, o);
	free(uri);
	free(msg);
}

/* Files that could not be judged are notifications of the run, not results. */
static void sarif_notify(cJSON *notes, const char *text)
{
	cJSON *n = cJSON_CreateObject();
	cJSON_AddStringToObject(n, "level", "error");
	cJSON_AddItemToObject(n, "message", sarif_text(text));
	cJSON_AddItemToArray(notes, n);
}

void report_sarif(FILE *out, const struct report *r)
{
	cJSON *root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "$schema", SARIF_SCHEMA);
	cJSON_AddStringToObject(root, "version", "2.1.0");
	cJSON *run = cJSON_CreateObject();
	cJSON_AddItemToArray(cJSON_AddArrayToObject(root, "runs"), run);

	cJSON *driver = cJSON_AddObjectToObject(cJSON_AddObjectToObject(run, "tool"), "driver");
	cJSON_AddStringToObject(driver, "name", "sluice");
	cJSON_AddStringToObject(driver, "informationUri", SLUICE_URI);
	cJSON_AddStringToObject(driver, "version", PACKAGE_VERSION);
	cJSON *rules = cJSON_AddArrayToObject(driver, "rules");
	for (size_t i = 0; i < rules_count(); i++)
		cJSON_AddItemToArray(rules, sarif_rule(rule_at(i)));

	cJSON *inv = cJSON_CreateObject();
	cJSON *notes = cJSON_AddArrayToObject(inv, "toolExecutionNotifications");
	for (size_t i = 0; i < r->errors.nr; i++)
		sarif_notify(notes, r->errors.items[i]);
	for (size_t i = 0; i < r->nr; i++)
		if (r->files[i].error)
			sarif_notify(notes, r->files[i].error);
	cJSON_AddBoolToObject(inv, "executionSuccessful", cJSON_GetArraySize(notes) == 0);
	cJSON_AddItemToArray(cJSON_AddArrayToObject(run, "invocations"), inv);
	/* SARIF has no verdict of its own: the run's property bag carries it */
	cJSON *props = cJSON_AddObjectToObject(run, "properties");
	cJSON_AddStringToObject(props, "verdict", verdict_name(report_verdict(r)));
	report_not_judged_json(r, props, "notJudged");

	report_each_finding(r, sarif_result, cJSON_AddArrayToObject(run, "results"));
	report_json_fix_utf8(root);

	char *s = cJSON_Print(root);
	fputs(s, out);
	fputc('\n', out);
	free(s);
	cJSON_Delete(root);
}

/* --- GitHub workflow annotations --------------------------------------- */

/*
 * GitHub's workflow commands: in the message, '%', '\r' and '\n' are
 * percent-encoded; in a property value ',' and ':' are too, since they
 * separate properties and end the property list.
 */
static void gh_escape(struct strbuf *sb, const char *s, bool property)
{
	for (; *s; s++) {
		switch (*s) {
		case '%':
			strbuf_addstr(sb, "%25");
			break;
		case '\r':
			strbuf_addstr(sb, "%0D");
			break;
		case '\n':
			strbuf_addstr(sb, "%0A");
			break;
		case ':':
			strbuf_addstr(sb, property ? "%3A" : ":");
			break;
		case ',':
			strbuf_addstr(sb, property ? "%2C" : ",");
			break;
		default:
			/* the runner's log is a terminal of sorts: no escape sequences */
			if ((unsigned char)*s < 0x20 || *s == 0x7f)
				strbuf_addf(sb, "\\x%02x", (unsigned char)*s);
			else
				strbuf_addch(sb, *s);
		}
	}
}

static const char *gh_command(enum severity s)
{
	return s >= SEV_HIGH ? "error" : s == SEV_MEDIUM ? "warning" : "notice";
}

static void gh_annotation(const struct file_report *fr, const struct stmt *st,
			  const struct finding *f, void *data)
{
	FILE *out = data;
	struct strbuf sb = STRBUF_INIT;
	int start, end;
	char *title, *msg;

	if (f->ignored)
		return;
	report_finding_lines(st, f, &start, &end);
	title = xstrfmt("%s (%s)", f->rule, severity_name(f->sev));
	msg = f->fix && *f->fix ? xstrfmt("%s\nFix: %s", f->message, f->fix) : xstrdup(f->message);
	strbuf_addf(&sb, "::%s file=", gh_command(f->sev));
	gh_escape(&sb, fr->path, true);
	strbuf_addf(&sb, ",line=%d,endLine=%d,title=", start, end);
	gh_escape(&sb, title, true);
	strbuf_addstr(&sb, "::");
	gh_escape(&sb, msg, false);
	fprintf(out, "%s\n", sb.buf);
	strbuf_release(&sb);
	free(title);
	free(msg);
}

static void gh_error(FILE *out, const char *path, const char *text)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_addstr(&sb, "::error");
	if (path) {
		strbuf_addstr(&sb, " file=");
		gh_escape(&sb, path, true);
	}
	strbuf_addstr(&sb, "::");
	gh_escape(&sb, text, false);
	fprintf(out, "%s\n", sb.buf);
	strbuf_release(&sb);
}

void report_github(FILE *out, const struct report *r)
{
	struct report_counts c;
	for (size_t i = 0; i < r->errors.nr; i++)
		gh_error(out, NULL, r->errors.items[i]);
	for (size_t i = 0; i < r->nr; i++)
		if (r->files[i].error)
			gh_error(out, r->files[i].path, r->files[i].error);
	report_each_finding(r, gh_annotation, out);
	/* A plain closing line for the log; annotations carry the detail. */
	report_count(r, &c);
	struct strlist nj = STRLIST_INIT;
	struct strbuf sb = STRBUF_INIT;
	report_unparsed_note(&sb, &c);
	fprintf(out, "sluice: %zu files, %zu statements, %zu findings, %zu ignored; verdict: %s%s\n",
		c.files, c.statements, c.findings, c.ignored, verdict_name(report_verdict(r)), sb.buf);
	strbuf_reset(&sb);
	report_not_judged(r, &nj);
	for (size_t i = 0; i < nj.nr; i++)
		fprintf(out, "sluice: not judged: %s\n", printable(&sb, nj.items[i]));
	strbuf_release(&sb);
	strlist_clear(&nj);
}

/* --- Markdown PR comment ------------------------------------------------ */

/*
 * Text for a table cell: newlines and runs of blanks become one space,
 * '|' is escaped (GitHub honours "\|" inside code spans in tables too),
 * and the result is cut at `max` bytes (on a UTF-8 boundary). Outside a
 * code span '<', '>' and '&' become entities so text cannot inject HTML;
 * inside one they are literal already, and a backtick (which would end the
 * span) becomes a quote.
 */
static void md_cell(struct strbuf *sb, const char *s, size_t max, bool code)
{
	size_t start = sb->len, n = 0;
	bool blank = false;
	for (; *s; s++) {
		if (max && n >= max && ((unsigned char)*s & 0xC0) != 0x80) {
			strbuf_addstr(sb, "…");
			break;
		}
		if (*s == '\n' || *s == '\r' || *s == '\t' || *s == ' ') {
			if (!blank && sb->len > start)
				strbuf_addch(sb, ' ');
			blank = true;
			n++;
			continue;
		}
		blank = false;
		n++;
		switch (*s) {
		case '|':
			strbuf_addstr(sb, "\\|");
			break;
		case '<':
			strbuf_addstr(sb, code ? "<" : "&lt;");
			break;
		case '>':
			strbuf_addstr(sb, code ? ">" : "&gt;");
			break;
		case '&':
			strbuf_addstr(sb, code ? "&" : "&amp;");
			break;
		case '`':
			strbuf_addstr(sb, code ? "'" : "\\`");
			break;
		default:
			if ((unsigned char)*s < 0x20 || *s == 0x7f)
				strbuf_addch(sb, '?');
			else
				strbuf_addch(sb, *s);
		}
	}
}

static const char *verdict_badge(enum verdict v)
{
	return v == VERDICT_NOT_JUDGED ? "❓" : v == VERDICT_BLOCK ? "⛔" : v == VERDICT_MODIFY ? "⚠️" : "✅";
}

/* The worst unsuppressed finding of a statement, for its row's fix. */
static const struct finding *worst_finding(const struct stmt *st)
{
	const struct finding *w = NULL;
	for (size_t k = 0; k < st->nr_findings; k++)
		if (!st->findings[k].ignored && (!w || st->findings[k].sev > w->sev))
			w = &st->findings[k];
	return w;
}

static void md_categories(struct strbuf *sb, const struct report *r)
{
	struct category_row rows[CAT__COUNT];
	report_categories(r, rows);
	strbuf_addstr(sb, "| risk category | state | where |\n|---|---|---|\n");
	for (int k = 0; k < CAT__COUNT; k++) {
		strbuf_addf(sb, "| %s | %s | ", category_name(k), cat_state_name(rows[k].state));
		if (rows[k].path) {
			strbuf_addch(sb, '`');
			md_cell(sb, rows[k].path, 0, true);
			strbuf_addf(sb, ":%d` (%s, %s)", rows[k].line, rows[k].rule,
				    severity_name(rows[k].sev));
		}
		strbuf_addstr(sb, " |\n");
	}
}

static void md_file(struct strbuf *sb, const struct file_report *fr)
{
	strbuf_addstr(sb, "\n#### `");
	md_cell(sb, fr->path, 0, true);
	strbuf_addf(sb, "` (%s, %s%s)\n\n", framework_name(fr->fw), direction_name(fr->dir),
		    fr->in_txn ? ", in a transaction" : "");
	if (fr->error) {
		strbuf_addstr(sb, "**Not judged:** ");
		md_cell(sb, fr->error, 0, false);
		strbuf_addstr(sb, "\n");
		return;
	}
	if (!fr->nr_stmts) {
		strbuf_addstr(sb, "_No statements._\n");
		return;
	}
	strbuf_addstr(sb, "| line | statement | class | lock | severity | fix |\n"
			  "|---:|---|---|---|---|---|\n");
	for (size_t s = 0; s < fr->nr_stmts; s++) {
		const struct stmt *st = &fr->stmts[s];
		const struct finding *w = worst_finding(st);
		strbuf_addf(sb, "| %d | `", st->line);
		md_cell(sb, st->sql, 100, true);
		strbuf_addf(sb, "` | %s | %s | %s | ", stmt_class_label(st), stmt_lock_label(st),
			    st->sev ? severity_name(st->sev) : "ok");
		if (w && w->fix)
			md_cell(sb, w->fix, 0, false);
		strbuf_addstr(sb, " |\n");
	}
}

struct md_list {
	struct strbuf *sb;
	bool ignored;   /* list the ignored findings instead of the live ones */
	size_t n;
};

static void md_finding(const struct file_report *fr, const struct stmt *st,
		       const struct finding *f, void *data)
{
	struct md_list *l = data;
	int start, end;
	if (!f->ignored != !l->ignored)
		return;
	report_finding_lines(st, f, &start, &end);
	strbuf_addf(l->sb, "- **%s** `%s` at `", severity_name(f->sev), f->rule);
	md_cell(l->sb, fr->path, 0, true);
	strbuf_addf(l->sb, ":%d`: ", start);
	md_cell(l->sb, f->message, 0, false);
	if (l->ignored) {
		strbuf_addstr(l->sb, "  \n  _ignored:_ ");
		md_cell(l->sb, *f->ignored ? f->ignored : "no reason given", 0, false);
	} else if (f->fix && *f->fix) {
		strbuf_addstr(l->sb, "  \n  **Fix:** ");
		md_cell(l->sb, f->fix, 0, false);
	}
	strbuf_addch(l->sb, '\n');
	l->n++;
}

/* What was not judged (unreadable, binary, refused), each as a quote: the reason for the verdict. */
static void md_not_judged(struct strbuf *sb, const struct report *r)
{
	struct strlist nj = STRLIST_INIT;
	report_not_judged(r, &nj);
	for (size_t i = 0; i < nj.nr; i++) {
		strbuf_addstr(sb, "> **not judged:** ");
		md_cell(sb, nj.items[i], 0, false);
		strbuf_addstr(sb, "\n\n");
	}
	strlist_clear(&nj);
}

void report_markdown(FILE *out, const struct report *r)
{
	struct strbuf sb = STRBUF_INIT;
	struct report_counts c;
	enum verdict v = report_verdict(r);
	struct md_list live = { &sb, false, 0 }, ignored = { &sb, true, 0 };

	report_count(r, &c);
	strbuf_addf(&sb, "## %s sluice: %s\n\n", verdict_badge(v), verdict_name(v));
	strbuf_addf(&sb, "%zu migration files, %zu statements, %zu findings (%zu BLOCKER, "
		    "%zu HIGH, %zu MEDIUM, %zu LOW), %zu ignored",
		    c.files, c.statements, c.findings, c.by_sev[SEV_BLOCKER], c.by_sev[SEV_HIGH],
		    c.by_sev[SEV_MEDIUM], c.by_sev[SEV_LOW], c.ignored);
	report_unparsed_note(&sb, &c);
	strbuf_addstr(&sb, ".\n\n");
	md_not_judged(&sb, r);
	md_categories(&sb, r);
	for (size_t i = 0; i < r->nr; i++)
		md_file(&sb, &r->files[i]);
	fputs(sb.buf, out);
	strbuf_reset(&sb);
	/* The app cross-check's verdict table, for files that have one. */
	for (size_t i = 0; i < r->nr; i++)
		xref_compat_markdown(out, &r->files[i]);

	strbuf_addstr(&sb, "\n### Findings\n\n");
	report_each_finding(r, md_finding, &live);
	if (!live.n)
		strbuf_addstr(&sb, "_None._\n");
	if (c.ignored) {
		strbuf_addstr(&sb, "\n### Ignored findings\n\n");
		report_each_finding(r, md_finding, &ignored);
	}

	strbuf_addstr(&sb, "\n<details><summary>Counts</summary>\n\n| | count |\n|---|---:|\n");
	strbuf_addf(&sb, "| files | %zu |\n| statements | %zu |\n| findings | %zu |\n",
		    c.files, c.statements, c.findings);
	for (int s = SEV_BLOCKER; s >= SEV_LOW; s--)
		strbuf_addf(&sb, "| %s | %zu |\n", severity_name(s), c.by_sev[s]);
	strbuf_addf(&sb, "| ignored | %zu |\n| unreadable files | %zu |\n", c.ignored, r->errors.nr);
	strbuf_addf(&sb, "\nJudged for PostgreSQL %d, failing on %s and above",
		    r->opts->pg_version, severity_name(r->opts->fail_on));
	if (r->branch) {
		strbuf_addstr(&sb, "; branch `");
		md_cell(&sb, r->branch, 0, true);
		strbuf_addch(&sb, '`');
	}
	if (r->base) {
		strbuf_addstr(&sb, " against `");
		md_cell(&sb, r->base, 0, true);
		strbuf_addch(&sb, '`');
	}
	strbuf_addstr(&sb, ".\n\n</details>\n");
	fputs(sb.buf, out);
	strbuf_release(&sb);
}
