/*
 * list.c - the migration list: the branch's pending migrations (or, after
 * `a`, all of them), each with its worst severity, framework, transaction
 * mode and whether a down migration exists. Enter opens the statement
 * screen on one.
 */
#include "tui/app.h"
#include "tui/text.h"
#include "tui/navigate.h"
#include "check.h"

#include <string.h>

struct columns {
	int sev, id, name, fw, txn, down;
};

/* The widest id, measured when the list is opened rather than per row. */
static int id_width = 2;

static void list_columns(const struct view *v, struct columns *c)
{
	c->sev = 8, c->fw = 15, c->txn = 7, c->down = 5, c->id = id_width;
	if (c->id > 16)
		c->id = 16;
	c->name = v->rect.w - (2 + c->sev + 1 + c->id + 1 + 1 + c->fw + c->txn + c->down);
	if (c->name < 12) {
		c->fw = 0;   /* a narrow terminal: the name matters more */
		c->name += 15;
	}
	if (c->name < 4)
		c->name = 4;
}

static void list_open(struct view *v)
{
	id_width = 2;
	for (size_t i = 0; i < app.nr_entries; i++) {
		int n = (int)strlen(app.run->ms.v[app.entries[i].migration]->id);
		if (n > id_width)
			id_width = n;
	}
	v->lines = filtering_rows();
}

/* The name column's header: what is listed, or the filter and how many it keeps. */
static void list_label(struct strbuf *out)
{
	const char *f = filtering_text();
	if (f)
		strbuf_addf(out, "filter %s: %zu of %zu", f, filtering_rows(), app.nr_entries);
	else
		strbuf_addstr(out, app.all ? "MIGRATION (all; * pending)" : "MIGRATION (pending)");
}

static void list_title(struct view *v, struct strbuf *out)
{
	struct columns c;
	struct strbuf label = STRBUF_INIT;
	list_columns(v, &c);
	list_label(&label);
	strbuf_addf(out, "  %-*s %-*s %-*s ", c.sev, "SEVERITY", c.id, "ID", c.name, label.buf);
	/* A long filter takes the other columns' headers' room: it matters more. */
	bool room = (int)label.len <= c.name;
	strbuf_release(&label);
	if (!room)
		return;
	if (c.fw)
		strbuf_addf(out, "%-*s", c.fw, "FRAMEWORK");
	strbuf_addf(out, "%-*s%-*s", c.txn, "TXN", c.down, "DOWN");
}

static const struct entry *entry_at(size_t line)
{
	return filtering_entry(line);
}

static void draw_padded(const struct rect *r, int y, int *x, enum role role, const char *s, int width)
{
	int end = *x + width;
	*x = draw_str(r, y, *x, role, s);
	if (*x < end)
		draw_fmt(r, y, *x, ROLE_DEFAULT, "%*s", end - *x, "");
	*x = end;
}

static void list_draw(struct view *v, size_t line, int y)
{
	const struct entry *e = entry_at(line);
	const struct migration *m = app.run->ms.v[e->migration];
	const struct script *up = m->up ? m->up : m->down;
	struct columns c;
	int x = 0;

	list_columns(v, &c);
	draw_padded(&v->rect, y, &x, ROLE_DEFAULT, app.all && m->pending ? "*" : " ", 2);
	draw_padded(&v->rect, y, &x, severity_role(e->sev), e->sev ? severity_name(e->sev) : "SAFE", c.sev);
	x++;
	draw_padded(&v->rect, y, &x, ROLE_DIM, m->id, c.id);
	x++;
	draw_padded(&v->rect, y, &x, ROLE_DEFAULT, m->name && *m->name ? m->name : up ? up->path : "", c.name);
	x++;
	if (c.fw)
		draw_padded(&v->rect, y, &x, ROLE_DEFAULT, framework_name(m->fw), c.fw);
	draw_padded(&v->rect, y, &x, up && up->in_txn ? ROLE_DEFAULT : ROLE_MEDIUM,
		    up && up->in_txn ? "txn" : "no-txn", c.txn);
	draw_padded(&v->rect, y, &x, m->down ? ROLE_SAFE : ROLE_HIGH, m->down ? "yes" : "no", c.down);
	draw_fill(&v->rect, y, x, ROLE_DEFAULT);
}

static bool list_request(struct view *v, enum request req)
{
	const struct entry *e = entry_at(v->lineno);
	switch (req) {
	case REQ_ENTER:
	case REQ_RIGHT:
		if (e)
			app_open_migration(e);
		return true;
	case REQ_EDIT:
		if (e && (e->up >= 0 || e->down >= 0)) {
			const struct file_report *fr = &app.run->report.files[e->up >= 0 ? e->up : e->down];
			app_edit(fr->path, 1);
		}
		return true;
	case REQ_LEFT:
		return true;   /* nothing to the left of the list */
	case REQ_OPEN_DOWN:
		sql_open_down(e);
		return true;
	case REQ_BASE_DIFF:
		if (e)
			basediff_show(e->up >= 0 ? e->up : e->down);
		return true;
	default:
		return false;
	}
}

/* The preview beside the list follows the cursor. */
static void list_select(struct view *v)
{
	(void)v;
	view_open(&app.preview);
	view_goto(&app.preview, 0);
}

/*
 * The verdict on top (its title bar alone on a short terminal), then the
 * list; on a wide terminal the preview of the migration under the cursor
 * beside the list. A screen that reuses this layout with one pane (help)
 * gets the whole area.
 */
#define PREVIEW_MIN_COLS 140
static void list_screen_layout(struct screen *s, struct rect a)
{
	if (s->nr < 2 || s->panes[1] != &app.verdict) {
		view_place(s->panes[0], a);
		return;
	}
	int top = a.h >= 20 ? 1 + (int)app.verdict.lines : 1;
	if (top > a.h / 2)
		top = 1;
	view_place(&app.verdict, (struct rect){ a.y, a.x, top, a.w });
	a.y += top;
	a.h -= top;
	s->nr = a.w >= PREVIEW_MIN_COLS ? 3 : 2;
	if (s->nr == 3) {
		int left = a.w * 11 / 20;
		view_place(&app.list, (struct rect){ a.y, a.x, a.h, left - 1 });
		view_place(&app.preview, (struct rect){ a.y, a.x + left, a.h, a.w - left });
	} else {
		if (s->focus == 2)
			s->focus = 0;
		view_place(&app.list, a);
	}
}

static void list_show(struct view *v)
{
	app_push((struct screen){ { v, &app.verdict, &app.preview }, 3, 0, list_screen_layout });
}

static const struct entry *list_entry(struct view *v)
{
	return v->lineno < app.nr_entries ? &app.entries[v->lineno] : NULL;
}

static bool list_grep(struct view *v, size_t line, const char *needle)
{
	const struct entry *e = entry_at(line);
	const struct migration *m = app.run->ms.v[e->migration];
	(void)v;
	return text_find(m->id, strlen(m->id), 0, needle) >= 0 ||
	       (m->name && text_find(m->name, strlen(m->name), 0, needle) >= 0) ||
	       (m->up && m->up->path && text_find(m->up->path, strlen(m->up->path), 0, needle) >= 0);
}

static void list_empty(struct view *v, struct strbuf *out)
{
	(void)v;
	if (!app.run)
		strbuf_addstr(out, app.scanning ? "Scanning the repository..." : "Nothing scanned.");
	else if (filtering_text())
		strbuf_addf(out, "No migration matches the filter %s (of %zu). f changes it, Esc clears it.",
			    filtering_text(), app.nr_entries);
	else if (app.all)
		strbuf_addstr(out, "No migrations found.");
	else
		strbuf_addstr(out, "No pending migrations on this branch. Press a to list all migrations.");
}

static const struct view_key list_keys[] = {
	{ REQ_ENTER, "open" }, { REQ_FILTER, "filter" }, { REQ_BASE_DIFF, "diff" }, { REQ_OPEN_DOWN, "down" },
	{ REQ_DRAFT, "draft" }, { REQ_TOGGLE_ALL, "all" }, { REQ_BACK, "quit" }, { REQ_NONE, NULL },
};

const struct view_ops list_ops = {
	.keys = list_keys,
	.empty = list_empty,
	.name = "list",
	.open = list_open,
	.title = list_title,
	.draw = list_draw,
	.request = list_request,
	.select = list_select,
	.grep = list_grep,
	.show = list_show,
	.entry = list_entry,
	.release = filtering_release,
};
