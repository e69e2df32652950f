/*
 * verdict.c - the answer up front: above the migration list, the
 * branch's verdict (SAFE TO SHIP, SAFE WITH MODIFICATIONS, BLOCK or NOT
 * JUDGED, from core/report_verdict.c, exactly as `sluice check` prints
 * it) in the title bar, then the eight risk categories, each PASS, FLAG or
 * BLOCK with the statement it comes from (file:line and rule), and what
 * was not judged. On a short terminal only the title bar shows.
 */
#include "tui/app.h"
#include "check.h"

#include <string.h>

static struct category_row rows[CAT__COUNT];
static struct strlist not_judged = STRLIST_INIT;

static void verdict_open(struct view *v)
{
	strlist_clear(&not_judged);
	if (!app.run)
		return;
	report_categories(&app.run->report, rows);
	report_not_judged(&app.run->report, &not_judged);
	v->lines = not_judged.nr + CAT__COUNT;
}

static void verdict_close(struct view *v)
{
	(void)v;
	strlist_clear(&not_judged);
}

static void verdict_title(struct view *v, struct strbuf *out)
{
	(void)v;
	if (!app.run) {
		strbuf_addstr(out, " Verdict: not yet (scanning)");
		return;
	}
	struct report_counts c;
	report_count(&app.run->report, &c);
	strbuf_addf(out, " Verdict: %s", verdict_name(report_verdict(&app.run->report)));
	report_unparsed_note(out, &c);   /* as sluice check's verdict line says it */
	strbuf_addstr(out, app.all ? "  (all migrations: the branch's own verdict is on pending ones, a)"
				   : "  (as sluice check judges the branch)");
}

static enum role state_role(enum cat_state s)
{
	return s == CAT_BLOCK ? ROLE_BLOCKER : s == CAT_FLAG ? ROLE_MEDIUM : ROLE_SAFE;
}

static void verdict_draw(struct view *v, size_t line, int y)
{
	int x;
	if (line < not_judged.nr) {
		x = draw_str(&v->rect, y, 1, ROLE_ERROR, "not judged: ");
		x = draw_str(&v->rect, y, x, ROLE_DEFAULT, not_judged.items[line]);
		draw_fill(&v->rect, y, x, ROLE_DEFAULT);
		return;
	}
	const struct category_row *r = &rows[line - not_judged.nr];
	enum category c = (enum category)(line - not_judged.nr);
	x = draw_fmt(&v->rect, y, 1, state_role(r->state), "%-5s", cat_state_name(r->state));
	x = draw_fmt(&v->rect, y, x + 1, ROLE_DEFAULT, "%-27s", category_name(c));
	if (r->path) {
		x = draw_fmt(&v->rect, y, x, ROLE_PATH, "%s:%d", r->path, r->line);
		x = draw_fmt(&v->rect, y, x, severity_role(r->sev), " %s", r->rule);
	}
	draw_fill(&v->rect, y, x, ROLE_DEFAULT);
}

/* Enter on a category opens the statement it comes from. */
static bool verdict_request(struct view *v, enum request req)
{
	if (req != REQ_ENTER || v->lineno < not_judged.nr || !app.run)
		return false;
	const struct category_row *r = &rows[v->lineno - not_judged.nr];
	for (size_t i = 0; r->path && i < app.nr_entries; i++) {
		const struct entry *e = &app.entries[i];
		long f = e->up >= 0 && !strcmp(app.run->report.files[e->up].path, r->path) ? e->up
		       : e->down >= 0 && !strcmp(app.run->report.files[e->down].path, r->path) ? e->down : -1;
		if (f < 0)
			continue;
		app_open_migration(e);
		app_open_file_line(f, r->line);
		return true;
	}
	app_message(ROLE_STATUS, "this category passes: no statement to open");
	return true;
}

static const struct view_key verdict_keys[] = {
	{ REQ_ENTER, "open statement" }, { REQ_NEXT_PANE, "list" }, { REQ_NONE, NULL },
};

const struct view_ops verdict_ops = {
	.keys = verdict_keys,
	.name = "verdict",
	.open = verdict_open,
	.title = verdict_title,
	.draw = verdict_draw,
	.request = verdict_request,
	.close = verdict_close,
};
