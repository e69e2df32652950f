/*
 * preview.c - the detail beside the migration list (master/detail, as
 * lazygit and tig show it) on a wide terminal: the migration under the
 * list's cursor, each statement on one row with its line, severity mark
 * and first line of SQL, then its findings, worst first, each with its
 * rule and why. Moving in the list changes it; Enter still opens the
 * statement screen.
 */
#include "tui/app.h"
#include "tui/text.h"
#include "tui/navigate.h"
#include "check.h"

#include <stdlib.h>
#include <string.h>

static char *shown;   /* the path shown (a copy: a rescan replaces the run) */

static const struct file_report *selected_file(void)
{
	const struct entry *e = app.run ? filtering_entry(app.list.lineno) : NULL;
	if (!e)
		return NULL;
	long f = e->up >= 0 ? e->up : e->down;
	return f >= 0 ? &app.run->report.files[f] : NULL;
}

/* "  12 B ALTER TABLE ..." : one row per statement. */
static void add_statement(struct view *v, const struct stmt *st)
{
	struct strbuf sb = STRBUF_INIT;
	size_t n = strcspn(st->sql, "\n");
	char mark = st->parse_error ? '?' : st->sev > SEV_NONE ? severity_name(st->sev)[0] : ' ';
	strbuf_addf(&sb, "%4d %c %.*s%s", st->line, mark, (int)n, st->sql, st->sql[n] ? " ..." : "");
	ALLOC_GROW(v->notes.v, v->notes.nr + 1, v->notes.alloc);
	v->notes.v[v->notes.nr++] = (struct view_note){
		st->parse_error ? ROLE_ERROR : st->sev > SEV_NONE ? severity_role(st->sev) : ROLE_DEFAULT,
		strbuf_detach(&sb, NULL) };
}

static void add_findings(struct view *v, const struct file_report *fr)
{
	struct strbuf sb = STRBUF_INIT;
	bool any = false;
	for (int sev = SEV_BLOCKER; sev > SEV_NONE; sev--) {
		for (size_t s = 0; s < fr->nr_stmts; s++) {
			const struct stmt *st = &fr->stmts[s];
			for (size_t k = 0; k < st->nr_findings; k++) {
				const struct finding *f = &st->findings[k];
				if (f->sev != (enum severity)sev || f->ignored)
					continue;
				strbuf_reset(&sb);
				strbuf_addf(&sb, "%s %s, line %d: %s", severity_name(f->sev), f->rule, st->line,
					    nonnull(f->message));
				view_notes_add(&v->notes, severity_role(f->sev), "", sb.buf, v->rect.w - 2);
				any = true;
			}
		}
	}
	if (!any)
		view_notes_add(&v->notes, ROLE_SAFE, "", "No findings.", v->rect.w - 2);
	strbuf_release(&sb);
}

static void preview_open(struct view *v)
{
	const struct file_report *fr = selected_file();
	view_notes_clear(&v->notes);
	free(shown);
	shown = fr ? xstrdup(fr->path) : NULL;
	if (!fr)
		return;
	if (fr->error)
		view_notes_add(&v->notes, ROLE_ERROR, "not judged: ", fr->error, v->rect.w - 2);
	for (size_t s = 0; s < fr->nr_stmts; s++)
		add_statement(v, &fr->stmts[s]);
	view_notes_add(&v->notes, ROLE_DEFAULT, "", "", v->rect.w - 2);
	add_findings(v, fr);
	v->lines = v->notes.nr;
}

static void preview_close(struct view *v)
{
	(void)v;
	free(shown);
	shown = NULL;
}

static void preview_title(struct view *v, struct strbuf *out)
{
	if (shown)
		view_title_path(v, out, shown, "");
	else
		strbuf_addstr(out, " Preview");
}

static void preview_draw(struct view *v, size_t line, int y)
{
	int x = draw_str(&v->rect, y, 1, v->notes.v[line].role, v->notes.v[line].text);
	draw_fill(&v->rect, y, x, ROLE_DEFAULT);
}

static bool preview_grep(struct view *v, size_t line, const char *needle)
{
	(void)v;
	return text_find(v->notes.v[line].text, strlen(v->notes.v[line].text), 0, needle) >= 0;
}

static void preview_empty(struct view *v, struct strbuf *out)
{
	(void)v;
	strbuf_addstr(out, "No migration selected.");
}

const struct view_ops preview_ops = {
	.name = "preview",
	.open = preview_open,
	.title = preview_title,
	.draw = preview_draw,
	.grep = preview_grep,
	.empty = preview_empty,
	.close = preview_close,
};
