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

/* Each column's width, without the space that always separates it from the next. */
struct columns {
	int sev, id, name, fw, txn, down;
};

/*
 * The columns as wide as their widest content or header, measured when
 * the list is opened rather than per row: ids intact (diesel's
 * 2026-08-01-000000, Flyway's V2__), the name taking what is left.
 */
static struct columns content = { 8, 2, 0, 9, 3, 4 };

static int widest_of(int w, const char *s)
{
	int n = text_width_of(s);
	return n > w ? n : w;
}

static void list_columns(const struct view *v, struct columns *c)
{
	*c = content;
	/* Ids stay whole up to a third of the pane; the name gets the rest. */
	if (c->id > v->rect.w / 3)
		c->id = v->rect.w / 3 > 2 ? v->rect.w / 3 : 2;
	c->name = v->rect.w - (2 + c->sev + 1 + c->id + 1 + 1 + c->fw + 1 + c->txn + 1 + c->down);
	if (c->name < 16) {
		c->name += c->fw + 1;   /* a narrow terminal: the name matters more */
		c->fw = 0;
	}
	if (c->name < 4)
		c->name = 4;
}

static void list_open(struct view *v)
{
	content = (struct columns){ text_width_of("SEVERITY"), text_width_of("ID"), 0,
				    text_width_of("FRAMEWORK"), text_width_of("TXN"), text_width_of("DOWN") };
	for (size_t i = 0; i < app.nr_entries; i++) {
		const struct migration *m = app.run->ms.v[app.entries[i].migration];
		const struct script *up = m->up ? m->up : m->down;
		content.id = widest_of(content.id, m->id);
		content.fw = widest_of(content.fw, framework_name(m->fw));
		content.txn = widest_of(content.txn, up && !up->in_txn ? "no-txn" : "txn");
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
	/* Where the cursor is: the title bar has no room left for view.c's. */
	if (app.list.lines)
		strbuf_addf(out, "  %zu/%zu", app.list.lineno + 1, app.list.lines);
}

static void list_title(struct view *v, struct strbuf *out)
{
	struct columns c;
	struct strbuf label = STRBUF_INIT;
	list_columns(v, &c);
	list_label(&label);
	strbuf_addf(out, "  %-*s %-*s %-*s ", c.sev, "SEVERITY", c.id, "ID", c.name, label.buf);
	/* A long filter takes the other columns' headers' room: it matters more. */
	bool room = text_width_of(label.buf) <= c.name;
	strbuf_release(&label);
	if (!room)
		return;
	if (c.fw)
		strbuf_addf(out, "%-*s ", c.fw, "FRAMEWORK");
	strbuf_addf(out, "%-*s %-*s", c.txn, "TXN", c.down, "DOWN");
}

static const struct entry *entry_at(size_t line)
{
	return filtering_entry(line);
}

/* s in a column `width` wide from *x, clipped there, then the separating space. */
static void draw_padded(const struct rect *r, int y, int *x, enum role role, const char *s, int width)
{
	struct rect col = *r;
	int end = *x + width;
	col.w = end < r->w ? end : r->w;
	draw_fill(&col, y, draw_str(&col, y, *x, role, s), ROLE_DEFAULT);
	*x = end + 1;
}

/* The name, or for a migration without one its path shortened at a directory, the file kept. */
static void draw_name(const struct rect *r, int y, int *x, const struct migration *m, const struct script *up,
		      int width)
{
	struct strbuf sb = STRBUF_INIT;
	if (m->name && *m->name)
		strbuf_addstr(&sb, m->name);
	else if (up)
		text_shorten_path(&sb, up->path, width);
	draw_padded(r, y, x, ROLE_DEFAULT, sb.buf, width);
	strbuf_release(&sb);
}

static void list_draw(struct view *v, size_t line, int y)
{
	const struct entry *e = entry_at(line);
	const struct migration *m = app.run->ms.v[e->migration];
	const struct script *up = m->up ? m->up : m->down;
	struct columns c;
	int x = 0;

	list_columns(v, &c);
	draw_padded(&v->rect, y, &x, ROLE_DEFAULT, app.all && m->pending ? "*" : " ", 1);
	draw_padded(&v->rect, y, &x, severity_role(e->sev), e->sev ? severity_name(e->sev) : "SAFE", c.sev);
	draw_padded(&v->rect, y, &x, ROLE_DIM, m->id, c.id);
	draw_name(&v->rect, y, &x, m, up, c.name);
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
	return v->lineno < v->lines ? entry_at(v->lineno) : NULL;
}

/* y on the list: the worst statement of the migration under the cursor (its up script first). */
static const struct stmt *list_statement(struct view *v, const struct file_report **fr)
{
	const struct entry *e = list_entry(v);
	const struct stmt *worst = NULL;
	if (!e || (e->up < 0 && e->down < 0))
		return NULL;
	*fr = &app.run->report.files[e->up >= 0 ? e->up : e->down];
	for (size_t i = 0; i < (*fr)->nr_stmts; i++)
		if (!worst || (*fr)->stmts[i].sev > worst->sev)
			worst = &(*fr)->stmts[i];
	return worst;
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
	.statement = list_statement,
	.release = filtering_release,
	.own_position = true,
};
