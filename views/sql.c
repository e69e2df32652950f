/*
 * sql.c - the statement screen and its SQL pane.
 *
 * The pane shows one judged script line by line: a gutter with the file's
 * line numbers and a severity mark on each statement's first line, and the
 * text coloured by the statement's severity (or class when it is safe).
 * The statement under the cursor is "the current statement": the info and
 * references panes beside it follow it.
 */
#include "tui/app.h"
#include "tui/text.h"
#include "tui/navigate.h"
#include "check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sql_line {
	size_t off, len;   /* in the script's text */
	long stmt;         /* index into the file's stmts, or -1 */
	int fileline;      /* the file's line number */
	bool cont;         /* a wrapped line's second row or later (w) */
};

struct sql_priv {
	const struct file_report *fr;
	const struct script *script;
	struct sql_line *v;
	size_t alloc;
	int digits;
	int widest;        /* widest line, in columns, for the layout */
};

static struct sql_priv sql_priv;

static const struct file_report *current_file(void)
{
	if (!app.run || app.file < 0 || (size_t)app.file >= app.run->report.nr)
		return NULL;
	return &app.run->report.files[app.file];
}

static const struct script *file_script(const struct file_report *fr)
{
	const struct migration *m = fr->mig;
	return fr->dir == DIR_DOWN ? m->down : m->up;
}

static long stmt_at_line(const struct file_report *fr, int line)
{
	for (size_t i = 0; i < fr->nr_stmts; i++)
		if (fr->stmts[i].line <= line && line <= fr->stmts[i].end_line)
			return (long)i;
	return -1;
}

static void sql_open(struct view *v)
{
	struct sql_priv *p = &sql_priv;
	const char *text;
	size_t len, off = 0;

	v->priv = p;
	p->fr = current_file();
	p->script = p->fr ? file_script(p->fr) : NULL;
	if (!p->script || !p->script->text)
		return;
	text = p->script->text;
	len = p->script->len;
	int lines = 1, last = 0;   /* the gutter is as wide as the largest line number */
	for (size_t i = 0; i < len; i++)
		lines += text[i] == '\n';
	for (int t = 1; t <= lines; t++)
		if (script_line(p->script, t) > last)
			last = script_line(p->script, t);
	p->digits = snprintf(NULL, 0, "%d", last);
	int room = v->rect.w - p->digits - 3;
	for (int tl = 1; off < len; tl++) {
		const char *nl = memchr(text + off, '\n', len - off);
		/* a translated script (Rails): its SQL, numbered with the file's lines */
		int line = script_line(p->script, tl);
		size_t end = nl ? (size_t)(nl - text) : len, l = end - off;
		if (l && text[end - 1] == '\r')
			l--;
		long stmt = stmt_at_line(p->fr, line);
		int w = text_width(text + off, l);
		if (w > p->widest)
			p->widest = w;
		/* One row per line; with w, as many as the pane's width needs. */
		for (size_t start = 0;;) {
			size_t stop = view_row_end(v, text + off, l, start, room);
			ALLOC_GROW(p->v, v->lines + 1, p->alloc);
			p->v[v->lines++] = (struct sql_line){ off + start, stop - start, stmt, line, start > 0 };
			if ((start = view_row_next(text + off, l, start, stop)) >= l)
				break;
		}
		off = end + 1;
	}
	v->widest = v->wrap ? 0 : p->widest + p->digits + 4;
}

/* The row showing file line `line` (its first, when wrapped). */
static size_t row_of_line(const struct sql_priv *p, size_t rows, int line)
{
	for (size_t i = 0; i < rows; i++)
		if (p->v[i].fileline >= line)
			return i;
	return rows ? rows - 1 : 0;
}

static void sql_close(struct view *v)
{
	(void)v;
	free(sql_priv.v);
	memset(&sql_priv, 0, sizeof(sql_priv));
}

static void sql_title(struct view *v, struct strbuf *out)
{
	const struct sql_priv *p = v->priv;
	if (!p || !p->fr) {
		strbuf_addstr(out, " SQL");
		return;
	}
	struct strbuf rest = STRBUF_INIT;
	strbuf_addf(&rest, "  %s, %s", direction_name(p->fr->dir), p->fr->in_txn ? "txn" : "no txn");
	if (app.stmt >= 0)
		strbuf_addf(&rest, "  statement %ld/%zu", app.stmt + 1, p->fr->nr_stmts);
	view_title_path(v, out, p->fr->path, rest.buf);
	strbuf_release(&rest);
}

static enum role stmt_role(const struct stmt *st)
{
	if (st->parse_error)
		return ROLE_ERROR;
	if (st->sev > SEV_NONE)
		return severity_role(st->sev);
	return st->cls == CLASS_SAFE ? ROLE_SAFE : ROLE_MEDIUM;
}

static void sql_draw(struct view *v, size_t line, int y)
{
	const struct sql_priv *p = v->priv;
	const struct sql_line *l = &p->v[line];
	const struct stmt *st = l->stmt >= 0 ? &p->fr->stmts[l->stmt] : NULL;
	int fileline = l->fileline, x;
	enum role role = st ? stmt_role(st) : ROLE_DIM;

	bool cursor = line == v->lineno;
	/* The cursor is the line number: the statement keeps its colour. */
	if (l->cont)
		x = draw_fmt(&v->rect, y, 0, cursor ? (v->focus ? ROLE_CURSOR : ROLE_TITLE) : ROLE_GUTTER,
			     "%*s", p->digits, "");
	else
		x = draw_fmt(&v->rect, y, 0, cursor ? (v->focus ? ROLE_CURSOR : ROLE_TITLE) : ROLE_GUTTER,
			     "%*d", p->digits, fileline);
	x = draw_str(&v->rect, y, x, ROLE_DEFAULT, " ");
	if (st && st->line == fileline && !l->cont && st->sev > SEV_NONE)
		x = draw_fmt(&v->rect, y, x, role, "%c", severity_name(st->sev)[0]);
	else if (st && st->line == fileline && !l->cont)
		x = draw_str(&v->rect, y, x, ROLE_GUTTER, " ");
	else if (st)
		x = draw_str(&v->rect, y, x, l->stmt == app.stmt ? role : ROLE_DIM, "\xe2\x94\x82");
	else
		x = draw_str(&v->rect, y, x, ROLE_GUTTER, " ");
	x = draw_str(&v->rect, y, x, ROLE_DEFAULT, " ");
	size_t skip = text_skip_cols(p->script->text + l->off, l->len, v->col);
	x = draw_text_hl(&v->rect, y, x, role, p->script->text + l->off + skip, l->len - skip, app.search,
			 ROLE_SEARCH);
	draw_fill(&v->rect, y, x, ROLE_DEFAULT);
}

/* The statement screen's views follow the SQL pane's current statement. */
static void stmt_screen_select(void);

static void sql_select(struct view *v)
{
	const struct sql_priv *p = v->priv;
	long stmt = p && v->lineno < v->lines ? p->v[v->lineno].stmt : -1;
	if (stmt != app.stmt) {
		app.stmt = stmt;
		stmt_screen_select();
	}
}

/* Moves to the first line of the next (dir > 0) or previous statement. */
static void goto_stmt(struct view *v, int dir)
{
	const struct sql_priv *p = v->priv;
	long cur = v->lineno < v->lines ? p->v[v->lineno].stmt : -1;
	size_t i = v->lineno;
	while (dir > 0 ? i + 1 < v->lines : i > 0) {
		i = dir > 0 ? i + 1 : i - 1;
		long s = p->v[i].stmt;
		if (s >= 0 && s != cur && (i == 0 || p->v[i - 1].stmt != s)) {
			view_goto(v, i);
			return;
		}
		if (dir < 0 && s >= 0 && s != cur) {
			/* Walk back to the start of that statement. */
			while (i > 0 && p->v[i - 1].stmt == s)
				i--;
			view_goto(v, i);
			return;
		}
	}
}

static void show_file(long file);

/*
 * } and {: the next or previous migration of the list (as filtered), in
 * place; the list's cursor follows, so q lands on it.
 */
static void step_migration(int dir)
{
	const struct entry *e = app_current_entry();
	long row = filtering_row_of(e), next = row + dir;
	if (row < 0) {
		app_message(ROLE_ERROR, "this migration is not in the list (the filter hides it): "
				       "Esc there clears the filter");
		return;
	}
	if (next < 0 || (size_t)next >= filtering_rows()) {
		app_message(ROLE_STATUS, "this is the %s migration of the list%s", dir > 0 ? "last" : "first",
			    filtering_text() ? " (filtered)" : "");
		return;
	}
	const struct entry *to = filtering_entry((size_t)next);
	view_goto(&app.list, (size_t)next);
	show_file(to->up >= 0 ? to->up : to->down);
}

/* Why a migration has no down file to show: the tool runs none, the repository writes none, or this one lacks it. */
static void say_no_down(const struct migration *m)
{
	if (!framework_runs_downs(m->fw))
		app_message(ROLE_STATUS, "%s runs no down migrations (forward only): no down file to open",
			    framework_name(m->fw));
	else if (m->downs_unused)
		app_message(ROLE_STATUS, "this repository writes no down migrations (most in its directory "
					 "have none): no down file to open");
	else
		app_message(ROLE_HIGH, "%s has no down migration: u drafts one", m->id);
}

/* o: the down file of the migration (goose and Rails: the down part of the same file); o again: back to the up. */
void sql_open_down(const struct entry *e)
{
	if (!e || !app.run)
		return;
	const struct migration *m = app.run->ms.v[e->migration];
	bool on_down = app.depth > 1 && app.stack[app.depth - 1].panes[0] == &app.sql && app.file == e->down;
	if (e->down < 0) {
		say_no_down(m);
	} else if (on_down && e->up >= 0) {
		show_file(e->up);
	} else {
		if (app.stack[app.depth - 1].panes[0] != &app.sql)
			app_open_migration(e);
		show_file(e->down);
	}
}

static bool sql_request(struct view *v, enum request req)
{
	const struct sql_priv *p = v->priv;
	switch (req) {
	case REQ_NEXT_STMT:
		goto_stmt(v, 1);
		return true;
	case REQ_PREV_STMT:
		goto_stmt(v, -1);
		return true;
	case REQ_NEXT_MIGRATION:
	case REQ_PREV_MIGRATION:
		step_migration(req == REQ_NEXT_MIGRATION ? 1 : -1);
		return true;
	case REQ_OPEN_DOWN:
		sql_open_down(app_current_entry());
		return true;
	case REQ_BASE_DIFF:
		if (app.file >= 0)
			basediff_show(app.file);
		return true;
	case REQ_ENTER:
	case REQ_EDIT:
		if (p && p->fr && v->lineno < v->lines)
			app_edit(p->fr->path, p->v[v->lineno].fileline);
		return true;
	case REQ_WRAP: {
		int line = p && v->lineno < v->lines ? p->v[v->lineno].fileline : 0;
		view_toggle_wrap(v);
		if (p && p->script)
			view_goto(v, row_of_line(p, v->lines, line));
		return true;
	}
	default:
		return false;
	}
}

static bool sql_grep(struct view *v, size_t line, const char *needle)
{
	const struct sql_priv *p = v->priv;
	return text_find(p->script->text + p->v[line].off, p->v[line].len, 0, needle) >= 0;
}

static void sql_empty(struct view *v, struct strbuf *out)
{
	(void)v;
	strbuf_addstr(out, "This script is empty.");
}

static const struct view_key sql_keys[] = {
	{ REQ_NEXT_STMT, "statement" }, { REQ_NEXT_MIGRATION, "next" }, { REQ_PREV_MIGRATION, "previous" },
	{ REQ_OPEN_DOWN, "down" }, { REQ_BASE_DIFF, "diff" }, { REQ_EDIT, "edit" }, { REQ_WRAP, "wrap" },
	{ REQ_BACK, "back" }, { REQ_NONE, NULL },
};

static const struct entry *sql_entry(struct view *v)
{
	(void)v;
	return app.file >= 0 ? app_entry_of_path(app.run->report.files[app.file].path) : NULL;
}

/* y in the statement screen: the statement under the cursor. */
static const struct stmt *sql_statement(struct view *v, const struct file_report **fr)
{
	(void)v;
	*fr = current_file();
	return *fr && app.stmt >= 0 && (size_t)app.stmt < (*fr)->nr_stmts ? &(*fr)->stmts[app.stmt] : NULL;
}

const struct view_ops sql_ops = {
	.keys = sql_keys,
	.name = "sql",
	.open = sql_open,
	.title = sql_title,
	.draw = sql_draw,
	.request = sql_request,
	.select = sql_select,
	.grep = sql_grep,
	.empty = sql_empty,
	.close = sql_close,
	.own_cursor = true,
	.entry = sql_entry,
	.statement = sql_statement,
};

/* Wide terminals: SQL on the left (as wide as its widest line, up to a
 * bit over half), verdict over references on the right. Narrow ones: the
 * three stacked, SQL getting half. */
static void stmt_layout(struct screen *s, struct rect a)
{
	if (a.w >= 120) {
		int left = a.w * 11 / 20, top = a.h / 2;
		int want = sql_priv.widest + sql_priv.digits + 5;
		if (want < 40)
			want = 40;
		if (want < left)
			left = want;
		view_place(s->panes[0], (struct rect){ a.y, a.x, a.h, left - 1 });
		view_place(s->panes[1], (struct rect){ a.y, a.x + left, top, a.w - left });
		view_place(s->panes[2], (struct rect){ a.y + top, a.x + left, a.h - top, a.w - left });
	} else {
		/* Short scripts leave their room to the verdict and references. */
		int sql = a.h / 2, info;
		if ((int)s->panes[0]->lines + 2 < sql)
			sql = (int)s->panes[0]->lines + 2 > 4 ? (int)s->panes[0]->lines + 2 : 4;
		info = (a.h - sql) / 2;
		view_place(s->panes[0], (struct rect){ a.y, a.x, sql, a.w });
		view_place(s->panes[1], (struct rect){ a.y + sql, a.x, info, a.w });
		view_place(s->panes[2], (struct rect){ a.y + sql + info, a.x, a.h - sql - info, a.w });
	}
}

void app_open_file_line(long file, int line)
{
	if (file != app.file) {
		app.file = file;
		app.stmt = -1;
		app.sql.lineno = app.sql.offset = 0;
		view_open(&app.sql);
	}
	const struct sql_priv *p = app.sql.priv;
	if (p && p->script)
		view_goto(&app.sql, row_of_line(p, app.sql.lines, line));
}

static void stmt_screen_select(void)
{
	view_open(&app.info);
	view_goto(&app.info, 0);
	view_open(&app.refs);
	view_goto(&app.refs, 0);
}

/* Shows report file `file` in the open statement screen, on its worst statement. */
static void show_file(long file)
{
	app.file = file;
	app.stmt = -1;
	app.sql.lineno = app.sql.offset = 0;
	app.sql.col = 0;
	app.info.lineno = app.refs.lineno = 0;
	app.info.offset = app.refs.offset = 0;
	view_open(&app.sql);
	/* Start on the worst statement: that is what the engineer came for. */
	const struct file_report *fr = current_file();
	const struct sql_priv *p = app.sql.priv;
	size_t best = 0;
	enum severity worst = SEV_NONE;
	for (size_t i = 0; fr && i < app.sql.lines; i++) {
		long s = p->v[i].stmt;
		if (s >= 0 && fr->stmts[s].sev > worst) {
			worst = fr->stmts[s].sev;
			best = i;
		}
	}
	app.sql.lineno = (size_t)-1;
	view_goto(&app.sql, best);
	if (app.sql.lines == 0)
		stmt_screen_select();
}

void app_open_migration(const struct entry *e)
{
	app.file = e->up >= 0 ? e->up : e->down;
	app_push((struct screen){ { &app.sql, &app.info, &app.refs }, 3, 0, stmt_layout });
	show_file(app.file);
}

void sql_goto_stmt(long stmt)
{
	const struct sql_priv *p = app.sql.priv;
	for (size_t i = 0; stmt >= 0 && p && p->v && i < app.sql.lines; i++) {
		if (p->v[i].stmt == stmt) {
			/* Select it even when its row is the cursor's already: the statement there changed. */
			app.sql.lineno = (size_t)-1;
			view_goto(&app.sql, i);
			return;
		}
	}
}
