/*
 * basediff.c - the migration's diff against the base branch (=), a screen
 * of its own: what this branch changed in the file, from the merge-base
 * the scan used to the work tree as it is now (core/discover/basediff.c reads
 * both). Enter or e opens the file at the line under the cursor; <Left>
 * and <Right> scroll long lines, w wraps them; q goes back.
 *
 * The diff rows are made by diff_add_rows() and drawn by diff_draw_row(),
 * which the draft screen's diff uses too: one look for every diff in the
 * workbench, long lines scrolled or wrapped as in the SQL pane.
 */
#include "tui/app.h"
#include "tui/text.h"
#include "tui/navigate.h"
#include "discover.h"
#include "check.h"

#include <stdlib.h>
#include <string.h>

static struct base_diff shown;
static bool have_diff;
static char *path;          /* the file diffed (a copy: a rescan replaces the run) */
static char *base_label;    /* "main (merge-base 1a2b3c4)" */

static enum role origin_role(enum diff_origin o)
{
	switch (o) {
	case DIFF_ADD:
		return ROLE_SAFE;
	case DIFF_DEL:
		return ROLE_HIGH;
	case DIFF_HUNK:
		return ROLE_HEADER;
	default:
		return ROLE_DEFAULT;
	}
}

#define DIFF_GUTTER 6   /* "1234 +" */

void diff_add_rows(struct view *v, const struct text_diff *d)
{
	v->widest = 0;
	for (size_t i = 0; i < d->nr; i++) {
		int w = text_width(d->text.buf + d->v[i].off, d->v[i].len) + DIFF_GUTTER;
		if (w > v->widest && !v->wrap)
			v->widest = w;
		view_add_rows(v, 0, (long)i, d->text.buf + d->v[i].off, d->v[i].len, v->rect.w - DIFF_GUTTER);
	}
}

/*
 * "  12 +text": the line's number on its side, the origin, the text
 * scrolled by v->col; a wrapped line's later rows under its text.
 */
void diff_draw_row(struct view *v, const struct text_diff *d, size_t row, int y)
{
	const struct view_line *r = &v->line[row];
	const struct diff_line *l = &d->v[r->num];
	const char *s = d->text.buf + l->off + r->count;
	enum role role = origin_role(l->origin);
	int no = l->origin == DIFF_DEL ? l->old_no : l->new_no, x;

	if (l->origin != DIFF_HUNK && no > 0 && r->first)
		x = draw_fmt(&v->rect, y, 0, ROLE_GUTTER, "%4d ", no);
	else
		x = draw_str(&v->rect, y, 0, ROLE_GUTTER, "     ");
	if (l->origin != DIFF_HUNK)
		x = draw_fmt(&v->rect, y, x, role, "%c", r->first ? (char)l->origin : ' ');
	size_t skip = text_skip_cols(s, r->len, v->col);
	x = draw_text_hl(&v->rect, y, x, role, s + skip, r->len - skip, app.search, ROLE_SEARCH);
	draw_fill(&v->rect, y, x, ROLE_DEFAULT);
}

void diff_toggle_wrap(struct view *v)
{
	/* The cursor stays on its line. */
	long at = v->lineno < v->nr_line ? v->line[v->lineno].num : 0;
	view_toggle_wrap(v);
	for (size_t i = 0; i < v->nr_line; i++) {
		if (v->line[i].num == at) {
			view_goto(v, i);
			break;
		}
	}
}

static void basediff_open(struct view *v)
{
	if (have_diff)
		diff_add_rows(v, &shown.diff);
}

static void basediff_title(struct view *v, struct strbuf *out)
{
	if (!have_diff)
		return;
	/* The path is cut at its directories first (its file name stays), then the base's name. */
	struct strbuf rest = STRBUF_INIT;
	strbuf_addstr(&rest, "  ");
	if (shown.new_file)
		strbuf_addstr(&rest, "new file ");
	else if (shown.removed)
		strbuf_addstr(&rest, "removed ");
	strbuf_addf(&rest, "+%zu -%zu  against %s", shown.diff.added, shown.diff.deleted, base_label);
	view_title_path(v, out, path, rest.buf);
	strbuf_release(&rest);
}

static void basediff_draw(struct view *v, size_t line, int y)
{
	diff_draw_row(v, &shown.diff, line, y);
}

static bool basediff_request(struct view *v, enum request req)
{
	if (req == REQ_WRAP) {
		diff_toggle_wrap(v);
		return true;
	}
	if ((req != REQ_ENTER && req != REQ_EDIT) || !have_diff || v->lineno >= v->nr_line)
		return false;
	/* The line on the work tree's side; a removed line: the one after it. */
	int line = 1;
	for (size_t i = (size_t)v->line[v->lineno].num; i < shown.diff.nr; i++) {
		if (shown.diff.v[i].new_no > 0) {
			line = shown.diff.v[i].new_no;
			break;
		}
	}
	app_edit(path, line);
	return true;
}

static bool basediff_grep(struct view *v, size_t line, const char *needle)
{
	const struct view_line *r = &v->line[line];
	const struct diff_line *l = &shown.diff.v[r->num];
	return text_find(shown.diff.text.buf + l->off + r->count, r->len, 0, needle) >= 0;
}

static void basediff_empty(struct view *v, struct strbuf *out)
{
	(void)v;
	if (have_diff)
		strbuf_addf(out, "%s is the same as on %s: this branch did not change it.", path, base_label);
}

static void release_diff(void)
{
	if (have_diff)
		base_diff_release(&shown);
	have_diff = false;
	free(path);
	free(base_label);
	path = base_label = NULL;
}

static const struct view_key basediff_keys[] = {
	{ REQ_ENTER, "edit here" }, { REQ_SCROLL_RIGHT, "scroll" }, { REQ_WRAP, "wrap" }, { REQ_SEARCH, "search" },
	{ REQ_BACK, "back" }, { REQ_NONE, NULL },
};

static void basediff_release(void);

const struct view_ops basediff_ops = {
	.name = "base-diff",
	.open = basediff_open,
	.title = basediff_title,
	.draw = basediff_draw,
	.request = basediff_request,
	.grep = basediff_grep,
	.empty = basediff_empty,
	.keys = basediff_keys,
	.release = basediff_release,
};

/* The script shown for report file `file`: its path, and the base's name for it. */
static const struct script *file_script(long file)
{
	const struct file_report *fr = &app.run->report.files[file];
	return fr->dir == DIR_DOWN ? fr->mig->down : fr->mig->up;
}

void basediff_show(long file)
{
	const struct migration_set *ms = &app.run->ms;
	struct base_diff d;
	struct strbuf why = STRBUF_INIT;

	if (!ms->workdir) {
		app_message(ROLE_ERROR, "= diffs against a base branch: not a git repository");
		return;
	}
	if (!ms->merge_base) {
		app_message(ROLE_ERROR, "= has no base to diff against: %s",
			    ms->no_base ? ms->no_base : "no merge-base with the base branch");
		return;
	}
	const struct script *sc = file_script(file);
	const char *p = app.run->report.files[file].path;
	if (base_diff(ms->workdir, ms->merge_base, p, sc && sc->renamed ? sc->renamed->path : NULL, 3, &d,
		      &why) < 0) {
		app_message(ROLE_ERROR, "%s", why.buf);
		base_diff_release(&d);
		strbuf_release(&why);
		return;
	}
	strbuf_release(&why);
	release_diff();
	shown = d;
	have_diff = true;
	path = xstrdup(p);
	base_label = xstrfmt("%s (merge-base %.7s)", ms->base ? ms->base : "the base", ms->merge_base);
	app.basediff.lineno = app.basediff.offset = 0;
	app.basediff.col = 0;
	if (app.stack[app.depth - 1].panes[0] == &app.basediff)
		view_open(&app.basediff);
	else
		app_show(&app.basediff);
}

static void basediff_release(void)
{
	release_diff();
}
