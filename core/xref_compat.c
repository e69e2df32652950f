/*
 * xref_compat.c - the cross-check's verdict, per schema element.
 *
 * Dropping or renaming something live code still reads (in SQL or through
 * an ORM) breaks that code the moment the migration runs, while the old
 * release is still serving: a BLOCKER naming every file:line to change
 * first (expand, migrate, contract). Identifier-only hits are a review, a
 * retype lists the code that may assume the old type, a NOT NULL lists the
 * INSERTs and models that do not set the column.
 *
 * The table lands in file_report->compat, which model.c frees and the
 * reporters print through the hooks set here, so the core needs no xref.
 */
#include "xref_int.h"
#include "check.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

struct compat_row {
	char *element;           /* users.email, users */
	enum xref_change change;
	char *detail;            /* new name or type */
	int line;                /* of the statement */
	size_t by_conf[XREF_SQL + 1];
	size_t nr_refs;
	const char *compatible;  /* "no", "review", "yes" */
	enum severity sev;
	const char *rule;        /* NULL when compatible */
	char *action;
	struct strlist where;    /* "path:line" */
	bool ignored;
};

struct xref_compat {
	struct compat_row *v;
	size_t nr, alloc;
	size_t files_scanned;
	double elapsed;
};

extern void (*file_compat_free)(void *compat);
extern struct cJSON *(*file_compat_json)(const void *compat);
extern void (*file_compat_text)(FILE *out, const void *compat);

static char *element_name(const struct xref_elem *e)
{
	struct strbuf sb = STRBUF_INIT;
	if (e->schema)
		strbuf_addf(&sb, "%s.", e->schema);
	strbuf_addstr(&sb, e->table);
	if (e->column)
		strbuf_addf(&sb, ".%s", e->column);
	return strbuf_detach(&sb, NULL);
}

/* "a.rb:3, b.py:7 and 4 more" */
static void add_list(struct strbuf *sb, const struct strlist *where, size_t max)
{
	for (size_t i = 0; i < where->nr && i < max; i++)
		strbuf_addf(sb, "%s%s", i ? ", " : "", where->items[i]);
	if (where->nr > max)
		strbuf_addf(sb, " and %zu more", where->nr - max);
}

/* The rule, severity and words for one element. */
static void decide(struct compat_row *row, const struct xref_elem *e, struct strbuf *msg,
		   struct strbuf *fix)
{
	size_t strong = row->by_conf[XREF_SQL] + row->by_conf[XREF_ORM];
	const char *what = e->column ? "column" : "table";
	struct strbuf list = STRBUF_INIT;
	add_list(&list, &row->where, 12);
	row->compatible = "yes";
	row->sev = SEV_NONE;
	row->rule = NULL;
	if (!row->nr_refs) {
		row->action = xstrdup("none");
		strbuf_release(&list);
		return;
	}
	if (xref_change_removes(e->change)) {
		bool renamed = e->change == XC_RENAME_TABLE || e->change == XC_RENAME_COLUMN;
		row->rule = renamed ? "app-references-renamed" : "app-references-dropped";
		row->compatible = strong ? "no" : "review";
		row->sev = strong ? SEV_BLOCKER : SEV_HIGH;
		strbuf_addf(msg, "%s %s is %s but %s%zu place%s in the app still use%s it: %s", what,
			    row->element, renamed ? "renamed" : "dropped",
			    strong ? "" : "possibly ", row->nr_refs, row->nr_refs == 1 ? "" : "s",
			    row->nr_refs == 1 ? "s" : "", list.buf);
		if (renamed)
			strbuf_addf(fix, "keep '%s' working while old code runs: add '%s' next to it, "
				    "move the code (%s), then drop the old name in a later release",
				    e->column ? e->column : e->table, nonnull(e->detail), list.buf);
		else
			strbuf_addf(fix, "first ship code that no longer uses it (%s); "
				    "drop the %s in a later release (expand, migrate, contract)",
				    list.buf, what);
	} else if (e->change == XC_RETYPE) {
		row->rule = "app-references-retyped";
		row->compatible = "review";
		row->sev = SEV_MEDIUM;
		strbuf_addf(msg, "column %s changes type to %s; %zu place%s in the app use%s it and "
			    "may assume the old type: %s", row->element, nonnull(e->detail),
			    row->nr_refs, row->nr_refs == 1 ? "" : "s", row->nr_refs == 1 ? "s" : "",
			    list.buf);
		strbuf_addf(fix, "check that %s reads and writes %s values, or add a new column "
			    "and move the code over", list.buf, nonnull(e->detail));
	} else {
		row->rule = "app-insert-missing-column";
		row->compatible = "no";
		row->sev = SEV_HIGH;
		strbuf_addf(msg, "column %s becomes NOT NULL but %zu INSERT%s or model%s in the app "
			    "do%s not set it: %s", row->element, row->nr_refs,
			    row->nr_refs == 1 ? "" : "s", row->nr_refs == 1 ? "" : "s",
			    row->nr_refs == 1 ? "es" : "", list.buf);
		strbuf_addf(fix, "give the column a default, or ship code that sets it (%s) "
			    "before the constraint", list.buf);
	}
	row->action = xstrdup(fix->buf);
	strbuf_release(&list);
}

/* `-- sluice:ignore rule` before the statement, or `-- sluice:ignore-file rule` in its script. */
static bool ignore_line_names(const char *text, const char *marker, const char *rule)
{
	for (const char *p = text; p && (p = strstr(p, marker)); p += strlen(marker)) {
		const char *q = p + strlen(marker), *eol = strchr(q, '\n');
		size_t n = eol ? (size_t)(eol - q) : strlen(q);
		char *line = xstrndup(q, n);
		char *stop = strstr(line, "--");
		bool hit;
		if (stop)
			*stop = '\0';
		hit = (marker[strlen(marker) - 1] == ' ' || line[0] == ' ') &&
		      (strstr(line, rule) || strstr(line, " all"));
		free(line);
		if (hit)
			return true;
	}
	return false;
}

static const struct script *script_of(const struct check_run *run, size_t f)
{
	const struct migration *m;
	if (!run->file_migration || run->file_migration[f] >= run->ms.nr)
		return NULL;
	m = run->ms.v[run->file_migration[f]];
	return m->up && !strcmp(m->up->path, run->report.files[f].path) ? m->up : NULL;
}

/* The judge flagged our ignore as unused before we ran; take that back. */
static void drop_unused_ignore(struct file_report *fr, const char *rule)
{
	for (size_t i = 0; i < fr->nr_findings; i++) {
		struct finding *f = &fr->findings[i];
		if (strcmp(f->rule, "unused-ignore") || !strstr(f->message, rule))
			continue;
		finding_release(f);
		memmove(f, f + 1, (fr->nr_findings - i - 1) * sizeof(*f));
		fr->nr_findings--;
		i--;
	}
}

static void add_finding(struct check_run *run, size_t fi, struct stmt *st, struct compat_row *row,
			const char *msg, const char *fix)
{
	struct file_report *fr = &run->report.files[fi];
	const struct script *sc = script_of(run, fi);
	if (!rule_enabled(&run->opts, row->rule))
		return;
	struct finding *f = stmt_add_finding(st, row->rule, row->sev, CATBIT(CAT_WRITES), msg, fix);
	f->cls = CLASS_SAFE;
	if ((st->comments && ignore_line_names(st->comments, "sluice:ignore ", row->rule)) ||
	    (sc && ignore_line_names(sc->text, "sluice:ignore-file", row->rule))) {
		f->ignored = xstrdup("");
		row->ignored = true;
		drop_unused_ignore(fr, row->rule);
		return;
	}
	if (f->sev > st->sev)
		st->sev = f->sev;
	if (f->sev > fr->sev)
		fr->sev = f->sev;
}

static struct xref_compat *compat_of(struct file_report *fr)
{
	if (!fr->compat)
		fr->compat = xcalloc(1, sizeof(struct xref_compat));
	return fr->compat;
}

static void copy_refs(struct stmt *st, const struct xref_elem *e)
{
	for (size_t i = 0; i < e->nr_hits; i++) {
		ALLOC_GROW(st->refs, st->nr_refs + 1, st->alloc_refs);
		struct app_ref *r = &st->refs[st->nr_refs++];
		r->path = xstrdup(e->hits[i].path);
		r->line = e->hits[i].line;
		r->text = xstrdup(e->hits[i].text);
		r->ident = xstrdup(e->hits[i].ident);
		r->confidence = e->hits[i].confidence;
	}
}

void xref_conclude(struct check_run *run, struct xref_set *set, double elapsed,
		   const struct xref_walk_stats *stats)
{
	file_compat_free = xref_compat_free;
	file_compat_json = xref_compat_json;
	file_compat_text = xref_compat_text;
	for (size_t i = 0; i < set->nr; i++) {
		const struct xref_elem *e = &set->v[i];
		struct file_report *fr = &run->report.files[e->file];
		struct stmt *st = &fr->stmts[e->stmt];
		struct xref_compat *c = compat_of(fr);
		struct strbuf msg = STRBUF_INIT, fix = STRBUF_INIT;

		ALLOC_GROW(c->v, c->nr + 1, c->alloc);
		struct compat_row *row = &c->v[c->nr++];
		memset(row, 0, sizeof(*row));
		c->files_scanned = stats->files;
		c->elapsed = elapsed;
		row->element = element_name(e);
		row->change = e->change;
		row->detail = e->detail ? xstrdup(e->detail) : NULL;
		row->line = st->line;
		row->nr_refs = e->nr_hits;
		for (size_t k = 0; k < e->nr_hits; k++) {
			row->by_conf[e->hits[k].confidence]++;
			strlist_add_nodup(&row->where, xstrfmt("%s:%d", e->hits[k].path, e->hits[k].line));
		}
		copy_refs(st, e);
		decide(row, e, &msg, &fix);
		if (row->rule)
			add_finding(run, e->file, st, row, msg.buf, fix.buf);
		strbuf_release(&msg);
		strbuf_release(&fix);
	}
}

void xref_compat_free(void *compat)
{
	struct xref_compat *c = compat;
	for (size_t i = 0; i < c->nr; i++) {
		free(c->v[i].element);
		free(c->v[i].detail);
		free(c->v[i].action);
		strlist_clear(&c->v[i].where);
	}
	free(c->v);
	free(c);
}

/* --- reporters ---------------------------------------------------------------- */

static void refs_cell(struct strbuf *sb, const struct compat_row *row, size_t max)
{
	if (!row->nr_refs) {
		strbuf_addstr(sb, "none");
		return;
	}
	strbuf_addf(sb, "%zu (", row->nr_refs);
	bool first = true;
	for (int k = XREF_SQL; k >= XREF_BARE; k--)
		if (row->by_conf[k]) {
			strbuf_addf(sb, "%s%zu %s", first ? "" : ", ", row->by_conf[k],
				    xref_confidence_name(k));
			first = false;
		}
	strbuf_addstr(sb, "): ");
	add_list(sb, &row->where, max);
}

static void change_cell(struct strbuf *sb, const struct compat_row *row)
{
	strbuf_addstr(sb, xref_change_name(row->change));
	if (row->detail)
		strbuf_addf(sb, " to %s", row->detail);
}

/* Markdown and text share the table; cells must not break it. */
static void cell(FILE *out, const char *s, bool code)
{
	fputs(" ", out);
	if (code)
		fputc('`', out);
	for (; *s; s++) {
		if (*s == '|')
			fputs("\\|", out);
		else if (*s == '\n' || (unsigned char)*s < 0x20)
			fputc(' ', out);
		else
			fputc(*s, out);
	}
	if (code)
		fputc('`', out);
	fputs(" |", out);
}

static void compat_table(FILE *out, const struct xref_compat *c, const char *indent, bool md)
{
	struct strbuf sb = STRBUF_INIT;
	fprintf(out, "%s| schema element | change | app references | compatible? | action |\n", indent);
	fprintf(out, "%s|---|---|---|---|---|\n", indent);
	for (size_t i = 0; i < c->nr; i++) {
		const struct compat_row *row = &c->v[i];
		fprintf(out, "%s|", indent);
		cell(out, row->element, md);
		strbuf_reset(&sb);
		change_cell(&sb, row);
		cell(out, sb.buf, false);
		strbuf_reset(&sb);
		refs_cell(&sb, row, md ? 20 : 8);
		cell(out, sb.buf, false);
		strbuf_reset(&sb);
		strbuf_addstr(&sb, row->compatible);
		if (row->sev)
			strbuf_addf(&sb, " (%s%s)", severity_name(row->sev), row->ignored ? ", ignored" : "");
		cell(out, sb.buf, false);
		cell(out, row->action, false);
		fputc('\n', out);
	}
	strbuf_release(&sb);
}

void xref_compat_text(FILE *out, const void *compat)
{
	const struct xref_compat *c = compat;
	if (!c || !c->nr)
		return;
	fprintf(out, "  app code (%zu files read in %.0f ms):\n", c->files_scanned, c->elapsed * 1000);
	compat_table(out, c, "  ", false);
}

void xref_compat_markdown(FILE *out, const char *path, const void *compat)
{
	const struct xref_compat *c = compat;
	if (!c || !c->nr)
		return;
	fprintf(out, "\n**App code compatibility of `%s`** (%zu source files read)\n\n", path,
		c->files_scanned);
	compat_table(out, c, "", true);
	fputc('\n', out);
}

struct cJSON *xref_compat_json(const void *compat)
{
	const struct xref_compat *c = compat;
	cJSON *o = cJSON_CreateObject();
	cJSON *rows = cJSON_AddArrayToObject(o, "elements");
	for (size_t i = 0; c && i < c->nr; i++) {
		const struct compat_row *row = &c->v[i];
		cJSON *r = cJSON_CreateObject();
		cJSON_AddStringToObject(r, "element", row->element);
		cJSON_AddStringToObject(r, "change", xref_change_name(row->change));
		if (row->detail)
			cJSON_AddStringToObject(r, "to", row->detail);
		cJSON_AddNumberToObject(r, "line", row->line);
		cJSON_AddNumberToObject(r, "references", (double)row->nr_refs);
		for (int k = XREF_SQL; k >= XREF_BARE; k--)
			cJSON_AddNumberToObject(r, xref_confidence_name(k), (double)row->by_conf[k]);
		cJSON_AddStringToObject(r, "compatible", row->compatible);
		cJSON_AddStringToObject(r, "severity", severity_name(row->sev));
		if (row->rule)
			cJSON_AddStringToObject(r, "rule", row->rule);
		if (row->ignored)
			cJSON_AddBoolToObject(r, "ignored", 1);
		cJSON_AddStringToObject(r, "action", row->action);
		cJSON *where = cJSON_AddArrayToObject(r, "locations");
		for (size_t k = 0; k < row->where.nr; k++)
			cJSON_AddItemToArray(where, cJSON_CreateString(row->where.items[k]));
		cJSON_AddItemToArray(rows, r);
	}
	if (c) {
		cJSON_AddNumberToObject(o, "files_scanned", (double)c->files_scanned);
		cJSON_AddNumberToObject(o, "elapsed_ms", (double)(long long)(c->elapsed * 1000));
	}
	return o;
}
