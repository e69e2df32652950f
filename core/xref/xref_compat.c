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
 * The table lands in file_report->compat (struct app_compat, model.h),
 * which model.c frees and the reporters print with the functions below.
 * The findings are raised like any rule's: the ignores and the severities
 * are the pipeline's next stage (judge_settle()), not this file's.
 */
#include "xref_int.h"
#include "app_sql.h"
#include "check.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

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

static void add_finding(struct check_run *run, struct stmt *st, struct compat_row *row,
			const char *msg, const char *fix)
{
	if (!rule_enabled(&run->opts, row->rule))
		return;
	row->finding = st->nr_findings;
	struct finding *f = stmt_add_finding(st, row->rule, row->sev, CATBIT(CAT_WRITES), msg, fix);
	f->cls = CLASS_SAFE;
}

static struct app_compat *compat_of(struct file_report *fr)
{
	if (!fr->compat)
		fr->compat = xcalloc(1, sizeof(*fr->compat));
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

/*
 * Does a pending migration up to report file `upto` say that every place
 * in `where` deploys first (`-- sluice: deploy first: a.go:3, ...`, as a
 * draft writes on its NOT VALID check)? Then the INSERTs that do not set
 * the column are sequenced: the engineer ordered the code first.
 */
static bool sequenced(const struct check_run *run, size_t upto, const struct strlist *where)
{
	struct strlist first = STRLIST_INIT;
	for (size_t f = 0; f <= upto && f < run->report.nr; f++) {
		const struct migration *m = run->report.files[f].mig;
		if (run->report.files[f].dir == DIR_UP && m && m->pending && m->up && m->up->text)
			app_sql_deploy_first(m->up->text, &first);
	}
	bool all = where->nr > 0;
	for (size_t i = 0; all && i < where->nr; i++)
		all = strlist_has(&first, where->items[i]);
	strlist_clear(&first);
	return all;
}

/*
 * A BEFORE INSERT trigger on the table that sets NEW.col, created by a
 * pending migration up to report file `upto` (the sync trigger of a swap
 * or a rename draft): INSERTs that do not name the column still fill it.
 */
static bool filled_by_trigger(const struct check_run *run, size_t upto, const struct xref_elem *e)
{
	char *assign = xstrfmt("NEW.%s :=", e->column);
	bool fn = false, trig = false;
	for (size_t f = 0; f <= upto && f < run->report.nr && !(fn && trig); f++) {
		const struct file_report *fr = &run->report.files[f];
		if (fr->dir != DIR_UP || !fr->mig || !fr->mig->pending)
			continue;
		for (size_t k = 0; k < fr->nr_stmts; k++) {
			const struct stmt *st = &fr->stmts[k];
			if (!st->kind || !st->sql)
				continue;
			fn |= !strcmp(st->kind, "CreateFunctionStmt") && strstr(st->sql, assign);
			trig |= !strcmp(st->kind, "CreateTrigStmt") && strstr(st->sql, "BEFORE INSERT") &&
				st->table && !strcmp(table_key(st->table), e->table);
		}
	}
	free(assign);
	return fn && trig;
}

/*
 * A rename whose old name lives on in the same file: a swap renames the
 * column away and a new column in under the same name (the code's name
 * stays, its type changes), and a table renamed with a view of the old
 * name created after it keeps old code reading and writing through the
 * view; and a column made NOT NULL that a sync trigger fills on INSERT.
 * Returns the element as the code sees it (a retype for a swap), or NULL
 * when nothing breaks at all (the view, the trigger); `e` itself otherwise.
 */
static const struct xref_elem *name_lives_on(const struct check_run *run, const struct xref_set *set,
					     const struct xref_elem *e, struct xref_elem *tmp)
{
	if (e->change == XC_RENAME_COLUMN)
		for (size_t i = 0; i < set->nr; i++) {
			const struct xref_elem *o = &set->v[i];
			if (o != e && o->file == e->file && o->change == XC_RENAME_COLUMN &&
			    !strcmp(o->table, e->table) && o->detail && !strcmp(o->detail, e->column)) {
				*tmp = *e;
				tmp->change = XC_RETYPE;
				tmp->detail = xstrfmt("the type of '%s', swapped in under the same name",
						      o->column);
				return tmp;
			}
		}
	if (xref_change_notnull(e->change) && e->column && filled_by_trigger(run, e->file, e))
		return NULL;
	if (e->change == XC_RENAME_TABLE) {
		const struct file_report *fr = &run->report.files[e->file];
		for (size_t k = e->stmt + 1; k < fr->nr_stmts; k++)
			if (fr->stmts[k].kind && !strcmp(fr->stmts[k].kind, "ViewStmt") &&
			    fr->stmts[k].table && !strcmp(table_key(fr->stmts[k].table), e->table))
				return NULL;
	}
	return e;
}

void xref_conclude(struct check_run *run, struct xref_set *set, double elapsed,
		   const struct xref_walk_stats *stats)
{
	for (size_t i = 0; i < set->nr; i++) {
		struct xref_elem swapped;
		const struct xref_elem *e = name_lives_on(run, set, &set->v[i], &swapped);
		if (!e)
			continue;   /* a view keeps the old name: nothing for the code to change */
		struct file_report *fr = &run->report.files[e->file];
		struct stmt *st = &fr->stmts[e->stmt];
		struct app_compat *c = compat_of(fr);
		struct strbuf msg = STRBUF_INIT, fix = STRBUF_INIT;

		ALLOC_GROW(c->v, c->nr + 1, c->alloc);
		struct compat_row *row = &c->v[c->nr++];
		memset(row, 0, sizeof(*row));
		c->files_scanned = stats->files;
		c->elapsed = elapsed;
		row->element = element_name(e);
		row->change = xref_change_name(e->change);
		row->stmt = e->stmt;
		row->finding = (size_t)-1;
		row->detail = e->detail ? xstrdup(e->detail) : NULL;
		row->line = st->line;
		row->nr_refs = e->nr_hits;
		for (size_t k = 0; k < e->nr_hits; k++) {
			row->by_conf[e->hits[k].confidence]++;
			strlist_add_nodup(&row->where, xstrfmt("%s:%d", e->hits[k].path, e->hits[k].line));
		}
		copy_refs(st, e);
		decide(row, e, &msg, &fix);
		if (e == &swapped)
			free(swapped.detail);
		if (row->rule && row->sev > SEV_LOW && sequenced(run, e->file, &row->where)) {
			/* one step down the ladder: it breaks only if deployed out of order */
			row->compatible = "sequenced";
			row->sev = row->sev == SEV_BLOCKER ? SEV_HIGH : SEV_MEDIUM;
			strbuf_addstr(&msg, "; the migrations say this code deploys first (-- sluice: "
				      "deploy first): it breaks only if they are deployed before it");
		}
		if (row->rule)
			add_finding(run, st, row, msg.buf, fix.buf);
		strbuf_release(&msg);
		strbuf_release(&fix);
	}
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
	strbuf_addstr(sb, row->change);
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

static void compat_table(FILE *out, const struct file_report *fr, const char *indent, bool md)
{
	const struct app_compat *c = fr->compat;
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
			strbuf_addf(&sb, " (%s%s)", severity_name(row->sev),
				    compat_row_ignored(fr, row) ? ", ignored" : "");
		cell(out, sb.buf, false);
		cell(out, row->action, false);
		fputc('\n', out);
	}
	strbuf_release(&sb);
}

void xref_compat_text(FILE *out, const struct file_report *fr)
{
	const struct app_compat *c = fr->compat;
	if (!c || !c->nr)
		return;
	fprintf(out, "  app code (%zu files read in %.0f ms):\n", c->files_scanned, c->elapsed * 1000);
	compat_table(out, fr, "  ", false);
}

void xref_compat_markdown(FILE *out, const struct file_report *fr)
{
	const struct app_compat *c = fr->compat;
	if (!c || !c->nr)
		return;
	fprintf(out, "\n**App code compatibility of `%s`** (%zu source files read)\n\n", fr->path,
		c->files_scanned);
	compat_table(out, fr, "", true);
	fputc('\n', out);
}

struct cJSON *xref_compat_json(const struct file_report *fr)
{
	const struct app_compat *c = fr->compat;
	cJSON *o = cJSON_CreateObject();
	cJSON *rows = cJSON_AddArrayToObject(o, "elements");
	for (size_t i = 0; c && i < c->nr; i++) {
		const struct compat_row *row = &c->v[i];
		cJSON *r = cJSON_CreateObject();
		cJSON_AddStringToObject(r, "element", row->element);
		cJSON_AddStringToObject(r, "change", row->change);
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
		if (compat_row_ignored(fr, row))
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
