/*
 * drift.c - the drift view (key D): how the live database differs from
 * the schema its migration history builds, grouped by kind under a header
 * naming the database (masked), the framework's migration table and how
 * many of the repository's migrations it records as applied. Each item
 * shows its kind, the kind of object, the object and the detail, wrapped
 * to the pane. Enter on a version-skew item opens its migration.
 *
 * The struct drift comes from the worker in tui/driftwork.c; this view
 * only reads it, and never talks to a database.
 */
#include "tui/app.h"
#include "tui/job.h"
#include "tui/text.h"
#include "check.h"
#include "db.h"

#include <stdlib.h>
#include <string.h>

#define KIND_WIDTH 16          /* "repository-only" and a space */

enum line_type { LINE_HEADER, LINE_BLANK, LINE_GROUP, LINE_ITEM, LINE_NONE, LINE_ERROR };

/*
 * Lines in the view's store: type is the line_type, num the drift_kind
 * (LINE_GROUP, LINE_ITEM), data the drift_item (LINE_ITEM), first marks
 * the item's first line (kind, object kind, object), text this line's
 * piece of the detail or error, count the items of a group.
 */
#define KIND(l) ((enum drift_kind)(l)->num)
#define ITEM(l) ((const struct drift_item *)(l)->data)

static struct strbuf header = STRBUF_INIT;
static int okind_width, object_width, detail_x;

static const char *const kind_explained[] = {
	"in the database, not made this way by any migration (a change by hand)",
	"in the migration history, missing from the database",
	"the migration table and the repository disagree on what is applied",
};

static enum role kind_role(enum drift_kind k)
{
	return k == DRIFT_DB_ONLY ? ROLE_HIGH : k == DRIFT_REPO_ONLY ? ROLE_MEDIUM : ROLE_LOW;
}

static struct view_line *push(struct view *v, enum line_type type, enum drift_kind kind, const char *text,
			      size_t len)
{
	struct view_line *l = view_add_line(v, type, text, len);
	l->num = kind;
	return l;
}

/* Column widths from the items, so that objects line up. */
static void measure(const struct view *v, const struct drift *d)
{
	okind_width = object_width = 4;
	for (size_t i = 0; i < d->nr; i++) {
		int ok = text_width_of(d->v[i].object_kind), ob = text_width_of(d->v[i].object);
		if (ok > okind_width)
			okind_width = ok;
		if (ob > object_width)
			object_width = ob;
	}
	if (okind_width > 12)
		okind_width = 12;
	if (object_width > v->rect.w / 3)
		object_width = v->rect.w / 3 > 12 ? v->rect.w / 3 : 12;
	detail_x = 2 + KIND_WIDTH + okind_width + 1 + object_width + 1;
	/* A narrow pane: details go on lines of their own. */
	if (v->rect.w - detail_x < 24)
		detail_x = 4;
}

static void add_item(struct view *v, const struct drift_item *it)
{
	const char *s = it->detail ? it->detail : "";
	size_t len = strlen(s), start = 0;
	int room = v->rect.w - detail_x - 1;
	bool first = true;
	if (room < 10)
		room = 10;
	if (detail_x == 4) {
		struct view_line *l = push(v, LINE_ITEM, it->kind, NULL, 0);
		l->data = it;
		l->first = true;
		first = false;
	}
	do {
		size_t end = text_wrap(s, len, start, room);
		struct view_line *l = push(v, LINE_ITEM, it->kind, s + start, end - start);
		l->data = it;
		l->first = first;
		first = false;
		start = text_wrap_skip(s, len, end);
	} while (start < len);
}

/* Why the last computation failed, wrapped: it names what to fix. */
static void add_error(struct view *v, const char *s)
{
	static const char intro[] = "The drift could not be computed:";
	size_t len = strlen(s), start = 0;
	push(v, LINE_ERROR, 0, intro, sizeof(intro) - 1);
	do {
		size_t end = text_wrap(s, len, start, v->rect.w > 12 ? v->rect.w - 2 : 10);
		push(v, LINE_ERROR, 0, s + start, end - start);
		start = text_wrap_skip(s, len, end);
	} while (start < len);
}

static void drift_open(struct view *v)
{
	const struct drift *d = driftwork_result();
	size_t count[3] = { 0, 0, 0 };
	if (!d) {
		if (driftwork_error() && !driftwork_busy())
			add_error(v, driftwork_error());
		return;
	}
	strbuf_reset(&header);
	if (d->table)
		strbuf_addf(&header, "  %s: %zu of %zu migrations applied", d->table, d->applied, d->migrations);
	else
		strbuf_addf(&header, "  no migration table: all %zu migrations expected", d->migrations);
	push(v, LINE_HEADER, 0, NULL, 0);
	measure(v, d);
	for (size_t i = 0; i < d->nr; i++)
		count[d->v[i].kind]++;
	for (int k = DRIFT_DB_ONLY; k <= DRIFT_SKEW; k++) {
		if (!count[k])
			continue;
		push(v, LINE_BLANK, 0, NULL, 0);
		push(v, LINE_GROUP, (enum drift_kind)k, NULL, 0)->count = count[k];
		for (size_t i = 0; i < d->nr; i++)
			if (d->v[i].kind == (enum drift_kind)k)
				add_item(v, &d->v[i]);
	}
	if (!d->nr) {
		push(v, LINE_BLANK, 0, NULL, 0);
		push(v, LINE_NONE, 0, NULL, 0);
	}
}

static void drift_close(struct view *v)
{
	(void)v;
	strbuf_release(&header);
}

static void drift_title(struct view *v, struct strbuf *out)
{
	(void)v;
	strbuf_addstr(out, " Schema drift: the live database against the migration history");
	if (driftwork_busy())
		strbuf_addf(out, " (computing: %s...)", driftwork_phase());
}

/* Text clipped to `width` columns from x, padded to the next column. */
static int draw_column(const struct view *v, int y, int x, int width, enum role role, const char *s)
{
	struct rect col = v->rect;
	col.w = x + width < v->rect.w ? x + width : v->rect.w;
	int end = draw_text(&col, y, x, role, s, strlen(s));
	col.w = x + width + 1 < v->rect.w ? x + width + 1 : v->rect.w;
	draw_fill(&col, y, end, ROLE_DEFAULT);
	return col.w;
}

static void draw_item(const struct view *v, const struct view_line *l, int y)
{
	int x = 0;
	if (l->first) {
		x = draw_column(v, y, 0, 1, ROLE_DEFAULT, "");
		x = draw_column(v, y, x, KIND_WIDTH - 1, kind_role(KIND(l)), drift_kind_name(KIND(l)));
		x = draw_column(v, y, x, okind_width, ROLE_DIM, ITEM(l)->object_kind);
		x = draw_column(v, y, x, object_width, ROLE_IDENT, ITEM(l)->object);
	}
	if (l->text) {
		if (x < detail_x)
			x = draw_column(v, y, x, detail_x - x - 1, ROLE_DEFAULT, "");
		x = draw_text(&v->rect, y, detail_x, ROLE_DEFAULT, l->text, l->len);
	}
	draw_fill(&v->rect, y, x, ROLE_DEFAULT);
}

static void drift_draw(struct view *v, size_t line, int y)
{
	const struct view_line *l = &v->line[line];
	const struct drift *d = driftwork_result();
	int x = 0;
	switch (l->type) {
	case LINE_HEADER:
		/* The database first: that is what the view is about. */
		x = draw_str(&v->rect, y, 1, ROLE_PATH, d->database);
		x = draw_text(&v->rect, y, x, ROLE_DEFAULT, header.buf, header.len);
		break;
	case LINE_GROUP:
		x = draw_str(&v->rect, y, 1, kind_role(KIND(l)), drift_kind_name(KIND(l)));
		x = draw_fmt(&v->rect, y, x, ROLE_HEADER, " (%zu): %s", l->count, kind_explained[KIND(l)]);
		break;
	case LINE_ITEM:
		draw_item(v, l, y);
		return;
	case LINE_NONE:
		x = draw_fmt(&v->rect, y, 1, ROLE_SAFE, "no drift: the database has the schema its %zu migration%s give%s",
			     d->applied, d->applied == 1 ? "" : "s", d->applied == 1 ? "s" : "");
		break;
	case LINE_ERROR:
		x = draw_text(&v->rect, y, 1, ROLE_ERROR, l->text, l->len);
		break;
	case LINE_BLANK:
		break;
	}
	draw_fill(&v->rect, y, x, ROLE_DEFAULT);
}

static bool found(const char *s, size_t len, const char *needle)
{
	return s && text_find(s, len, 0, needle) >= 0;
}

static bool drift_grep(struct view *v, size_t line, const char *needle)
{
	const struct view_line *l = &v->line[line];
	const char *kind = drift_kind_name(KIND(l));
	switch (l->type) {
	case LINE_HEADER:
		return found(driftwork_result()->database, strlen(driftwork_result()->database), needle) ||
		       found(header.buf, header.len, needle);
	case LINE_GROUP:
		return found(kind, strlen(kind), needle) ||
		       found(kind_explained[KIND(l)], strlen(kind_explained[KIND(l)]), needle);
	case LINE_ITEM:
		return (l->first && (found(kind, strlen(kind), needle) ||
				     found(ITEM(l)->object_kind, strlen(ITEM(l)->object_kind), needle) ||
				     found(ITEM(l)->object, strlen(ITEM(l)->object), needle))) ||
		       found(l->text, l->len, needle);
	case LINE_NONE:
		return found("no drift", 8, needle);
	case LINE_ERROR:
		return found(l->text, l->len, needle);
	default:
		return false;
	}
}

/* Enter on a version-skew item: the migration with that version. */
static void open_migration(const struct drift_item *it)
{
	if (!it || it->kind != DRIFT_SKEW || strcmp(it->object_kind, "migration")) {
		app_message(ROLE_STATUS, "Enter opens the migration of a version-skew item");
		return;
	}
	for (size_t i = 0; app.run && i < app.run->ms.nr; i++) {
		const struct migration *m = app.run->ms.v[i];
		char *version = migration_version(m->id, m->fw == FW_FLYWAY);
		bool same = !strcmp(version, it->object);
		free(version);
		if (!same)
			continue;
		for (size_t e = 0; e < app.nr_entries; e++) {
			if (app.entries[e].migration == i) {
				app_open_migration(&app.entries[e]);
				return;
			}
		}
		/* Not listed (history, while only pending ones are): the file itself. */
		const struct script *s = m->up ? m->up : m->down;
		if (s && s->path)
			app_edit(s->path, s->first_line);
		return;
	}
	app_message(ROLE_ERROR, "no migration in the repository has version %s", it->object);
}

static bool drift_request(struct view *v, enum request req)
{
	switch (req) {
	case REQ_ENTER:
		if (v->lines)
			open_migration(ITEM(&v->line[v->lineno]));
		return true;
	case REQ_RESCAN:
		jobs_start(REQ_DRIFT);   /* here, r means: compute the drift again */
		return true;
	default:
		return false;
	}
}

static void drift_empty(struct view *v, struct strbuf *out)
{
	(void)v;
	if (driftwork_busy())
		strbuf_addf(out, "Computing the drift of %s: %s...", driftwork_database(), driftwork_phase());
	else
		strbuf_addstr(out, "No drift computed yet: press D.");
}

static const struct view_key drift_keys[] = {
	{ REQ_ENTER, "open migration" }, { REQ_RESCAN, "again" }, { REQ_BACK, "back" }, { REQ_NONE, NULL },
};

const struct view_ops drift_ops = {
	.keys = drift_keys,
	.name = "drift",
	.open = drift_open,
	.title = drift_title,
	.draw = drift_draw,
	.request = drift_request,
	.grep = drift_grep,
	.empty = drift_empty,
	.close = drift_close,
};
