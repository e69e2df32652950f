/*
 * view.c - moving, scrolling, searching and drawing any view (see view.h).
 */
#include "app.h"
#include "view.h"
#include "text.h"

#include <stdlib.h>
#include <string.h>

void view_notes_add(struct view_notes *n, enum role role, const char *prefix, const char *text,
		    int room)
{
	struct strbuf sb = STRBUF_INIT;
	if (room < 20)
		room = 20;
	strbuf_addf(&sb, "%s%s", prefix, text);
	for (const char *row = sb.buf;;) {
		const char *nl = strchr(row, '\n');
		size_t len = nl ? (size_t)(nl - row) : strlen(row), start = 0;
		do {
			size_t end = text_wrap(row, len, start, room);
			ALLOC_GROW(n->v, n->nr + 1, n->alloc);
			n->v[n->nr++] = (struct view_note){ role, xstrndup(row + start, end - start) };
			start = text_wrap_skip(row, len, end);
		} while (start < len);
		if (!nl)
			break;
		row = nl + 1;
	}
	strbuf_release(&sb);
}

void view_notes_clear(struct view_notes *n)
{
	for (size_t i = 0; i < n->nr; i++)
		free(n->v[i].text);
	n->nr = 0;
}

void view_notes_free(struct view_notes *n)
{
	view_notes_clear(n);
	free(n->v);
	n->v = NULL;
	n->alloc = 0;
}

struct view_line *view_add_line(struct view *v, int type, const char *text, size_t len)
{
	ALLOC_GROW(v->line, v->nr_line + 1, v->alloc_line);
	struct view_line *l = &v->line[v->nr_line++];
	*l = (struct view_line){ .type = type, .text = text ? xstrndup(text, len) : NULL, .len = len };
	v->lines = v->nr_line;
	return l;
}

size_t view_row_end(const struct view *v, const char *s, size_t len, size_t start, int room)
{
	return v->wrap && room > 8 ? text_wrap(s, len, start, room) : len;
}

size_t view_row_next(const char *s, size_t len, size_t start, size_t end)
{
	size_t next = end < len ? text_wrap_skip(s, len, end) : len;
	return next > start ? next : len;
}

void view_add_rows(struct view *v, int type, long num, const char *s, size_t len, int room)
{
	for (size_t start = 0;;) {
		size_t end = view_row_end(v, s, len, start, room);
		struct view_line *l = view_add_line(v, type, NULL, 0);
		l->num = num;
		l->count = start;
		l->len = end - start;
		l->first = start == 0;
		if ((start = view_row_next(s, len, start, end)) >= len)
			break;
	}
}

void view_toggle_wrap(struct view *v)
{
	v->wrap = !v->wrap;
	v->col = 0;
	view_open(v);
	app_message(ROLE_STATUS, v->wrap ? "long lines wrap (w scrolls them again)"
					 : "long lines scroll: <Left>/<Right> (w wraps them)");
}

static void clear_store(struct view *v)
{
	for (size_t i = 0; i < v->nr_line; i++)
		free(v->line[i].text);
	v->nr_line = 0;
	view_notes_clear(&v->notes);
}

void view_open(struct view *v)
{
	size_t keep = v->lineno, off = v->offset;
	if (v->ops->close)
		v->ops->close(v);
	clear_store(v);
	v->lines = 0;
	v->width = v->rect.w;
	v->ops->open(v);
	v->lineno = v->lines ? (keep < v->lines ? keep : v->lines - 1) : 0;
	v->offset = off <= v->lineno ? off : v->lineno;
}

void view_close(struct view *v)
{
	if (v->ops && v->ops->close)
		v->ops->close(v);
	clear_store(v);
	free(v->line);
	v->line = NULL;
	v->alloc_line = 0;
	view_notes_free(&v->notes);
	v->lines = v->lineno = v->offset = 0;
}

void view_place(struct view *v, struct rect area)
{
	v->rect = area;
	v->rect.y += 1;
	v->rect.h = area.h > 1 ? area.h - 1 : 0;
	if (v->width != v->rect.w)
		view_open(v);   /* views that wrap text rewrap */
	view_goto(v, v->lineno);
}

/* The title bar's right end: " ←12" when scrolled sideways, " 3/45 " where the cursor is. */
static void position_text(const struct view *v, struct strbuf *pos)
{
	if (v->col)
		strbuf_addf(pos, " \xe2\x86\x90%d", v->col);
	if (v->lines && !v->ops->own_position)
		strbuf_addf(pos, " %zu/%zu ", v->lineno + 1, v->lines);
}

void view_title_path(const struct view *v, struct strbuf *out, const char *path, const char *rest)
{
	int room = v->rect.w - 1 - text_width_of(rest);
	/* The file's name whole, at least ("…/003_drop_note.up.sql"): the rest is clipped first. */
	const char *base = strrchr(path, '/');
	int least = base ? text_width_of(base + 1) + 2 : text_width_of(path);
	if (least > v->rect.w - 1)
		least = v->rect.w - 1;
	strbuf_addch(out, ' ');
	text_shorten_path(out, path, room > least ? room : least);
	strbuf_addstr(out, rest);
}

static void draw_title(struct view *v)
{
	struct rect bar = { v->rect.y - 1, v->rect.x, 1, v->rect.w };
	struct strbuf sb = STRBUF_INIT;
	enum role role = v->focus ? ROLE_TITLE_FOCUS : ROLE_TITLE;
	int x;
	struct strbuf pos = STRBUF_INIT;
	position_text(v, &pos);
	int w = text_width_of(pos.buf);
	v->ops->title(v, &sb);
	x = draw_text(&bar, 0, 0, role, sb.buf, sb.len);
	draw_fill(&bar, 0, x, role);
	if (x + w < bar.w)
		draw_text(&bar, 0, bar.w - w, role, pos.buf, pos.len);
	strbuf_release(&pos);
	strbuf_release(&sb);
}

void view_draw(struct view *v)
{
	if (v->rect.h <= 0 && v->rect.y <= 0)
		return;
	draw_title(v);
	if (!v->lines && v->ops->empty && v->rect.h > 0) {
		struct strbuf sb = STRBUF_INIT;
		v->ops->empty(v, &sb);
		draw_fill(&v->rect, 0, draw_text(&v->rect, 0, 1, ROLE_DIM, sb.buf, sb.len), ROLE_DEFAULT);
		strbuf_release(&sb);
		for (int y = 1; y < v->rect.h; y++)
			draw_fill(&v->rect, y, 0, ROLE_DEFAULT);
		return;
	}
	for (int y = 0; y < v->rect.h; y++) {
		size_t line = v->offset + (size_t)y;
		if (line >= v->lines) {
			draw_fill(&v->rect, y, 0, ROLE_DEFAULT);
			continue;
		}
		if (line == v->lineno && v->focus && !v->ops->own_cursor)
			draw_set_row_role(ROLE_CURSOR);
		v->ops->draw(v, line, y);
		draw_clear_row_role();
	}
}

void view_goto(struct view *v, size_t line)
{
	size_t h = v->rect.h > 0 ? (size_t)v->rect.h : 1;
	if (!v->lines) {
		v->lineno = v->offset = 0;
		return;
	}
	if (line >= v->lines)
		line = v->lines - 1;
	bool moved = line != v->lineno;
	v->lineno = line;
	if (v->lineno < v->offset)
		v->offset = v->lineno;
	else if (v->lineno >= v->offset + h)
		v->offset = v->lineno - h + 1;
	if (v->offset + h > v->lines)
		v->offset = v->lines > h ? v->lines - h : 0;
	if (moved && v->ops->select)
		v->ops->select(v);
}

void view_scroll(struct view *v, int lines)
{
	size_t h = v->rect.h > 0 ? (size_t)v->rect.h : 1;
	if (lines < 0)
		v->offset = v->offset > (size_t)-lines ? v->offset - (size_t)-lines : 0;
	else if (v->lines > h)
		v->offset = v->offset + (size_t)lines + h > v->lines ? v->lines - h : v->offset + (size_t)lines;
	if (v->lineno < v->offset)
		view_goto(v, v->offset);
	else if (v->lineno >= v->offset + h)
		view_goto(v, v->offset + h - 1);
}

void view_click(struct view *v, int y)
{
	int row = y - v->rect.y;
	if (row >= 0 && row < v->rect.h && v->offset + (size_t)row < v->lines)
		view_goto(v, v->offset + (size_t)row);
}

bool view_search(struct view *v, const char *needle, int dir, bool skip_current)
{
	if (!v->ops->grep || !v->lines || !needle || !*needle)
		return false;
	size_t n = v->lines, start = v->lineno;
	for (size_t i = skip_current ? 1 : 0; i <= n; i++) {
		size_t line = dir > 0 ? (start + i) % n : (start + n * 2 - i) % n;
		if (v->ops->grep(v, line, needle)) {
			view_goto(v, line);
			return true;
		}
	}
	return false;
}

/* The furthest a view scrolls sideways: the end of its widest line at the right edge. */
static int max_col(const struct view *v)
{
	return v->widest > v->rect.w ? v->widest - v->rect.w + 1 : 0;
}

bool view_hscrollable(const struct view *v, int dir)
{
	return dir < 0 ? v->col > 0 : v->col < max_col(v);
}

bool view_request(struct view *v, enum request req)
{
	size_t h = v->rect.h > 0 ? (size_t)v->rect.h : 1;
	int step = v->rect.w / 2 > 8 ? v->rect.w / 2 : 8;
	switch (req) {
	case REQ_SCROLL_LEFT:
		v->col = v->col > step ? v->col - step : 0;
		return true;
	case REQ_SCROLL_RIGHT:
		v->col = v->col + step < max_col(v) ? v->col + step : max_col(v);
		return true;
	case REQ_MOVE_DOWN:
		view_goto(v, v->lineno + 1);
		return true;
	case REQ_MOVE_UP:
		if (v->lineno)
			view_goto(v, v->lineno - 1);
		return true;
	case REQ_PAGE_DOWN:
		v->offset += h;
		view_goto(v, v->lineno + h);
		return true;
	case REQ_PAGE_UP:
		v->offset = v->offset > h ? v->offset - h : 0;
		view_goto(v, v->lineno > h ? v->lineno - h : 0);
		return true;
	case REQ_HALF_DOWN:
		view_goto(v, v->lineno + h / 2);
		return true;
	case REQ_HALF_UP:
		view_goto(v, v->lineno > h / 2 ? v->lineno - h / 2 : 0);
		return true;
	case REQ_FIRST:
		view_goto(v, 0);
		return true;
	case REQ_LAST:
		view_goto(v, v->lines ? v->lines - 1 : 0);
		return true;
	default:
		return v->ops->request && v->ops->request(v, req);
	}
}
