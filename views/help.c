/*
 * help.c - the help screen, generated from the request table in
 * tui/keys.h, the views' own keys (view_ops.keys) and the live bindings:
 * every key listed here is a key that works, including the ones bound
 * through sluice.bind.* settings.
 *
 * It starts with the keys of the screen it was opened from (what the hint
 * line showed, and more), then every other request, then a legend of the
 * marks and colours the screens use.
 */
#include "tui/app.h"
#include "tui/text.h"
#include "tui/navigate.h"

#include <string.h>

enum help_line { HELP_HEADING, HELP_KEY, HELP_LEGEND, HELP_NOTE };

/*
 * The marks and colours, each drawn as it appears on the screens: the
 * gutter's severity letters, the statement bar, the list's columns.
 */
static const struct {
	const char *mark;
	enum role role;
	const char *meaning;
} legend[] = {
	{ "B", ROLE_BLOCKER, "gutter, preview: the statement's worst finding is BLOCKER (production breaks)" },
	{ "H", ROLE_HIGH, "... HIGH" },
	{ "M", ROLE_MEDIUM, "... MEDIUM" },
	{ "L", ROLE_LOW, "... LOW; no letter: no finding" },
	{ "?", ROLE_ERROR, "preview: the statement did not parse, it is not judged (its text is red)" },
	{ "\xe2\x94\x82", ROLE_HIGH, "gutter: the rest of the statement under the cursor, in its colour" },
	{ "SAFE", ROLE_SAFE, "no finding (a statement, a migration, a category's PASS)" },
	{ "SLOW", ROLE_MEDIUM, "a statement with no finding that still scans or blocks (its class)" },
	{ "*", ROLE_DEFAULT, "list (after a): a pending migration" },
	{ "no-txn", ROLE_MEDIUM, "list: the framework runs the file outside a transaction" },
	{ "no", ROLE_HIGH, "list, DOWN column: the migration has no down file" },
	{ "+ -", ROLE_SAFE, "diffs (=, drafts): a line added (green), removed (red)" },
	{ "match", ROLE_SEARCH, "what / found" },
};

static const char *const notes[] = {
	"Mouse: click to select a line and focus its pane, wheel to scroll.",
	"Colours: sluice.theme or --theme (dark, light, high-contrast, monochrome, or a file);",
	"sluice.color.<role> overrides one role. NO_COLOR turns colours off.",
};

/* The screen help was opened from: the topmost one help does not lead. */
static int screen_below(void)
{
	for (int d = app.depth - 1; d >= 0; d--)
		if (app.stack[d].panes[0] != &app.help)
			return d;
	return 0;
}

static void add_heading(struct view *v, const char *text)
{
	view_add_line(v, HELP_HEADING, text, strlen(text));
}

static void add_key(struct view *v, enum request req)
{
	view_add_line(v, HELP_KEY, NULL, 0)->num = req;
}

static void help_open(struct view *v)
{
	const struct view_key *keys[REQ__COUNT + 8];
	bool shown[REQ__COUNT] = { false };
	int d = screen_below();
	size_t n = hints_screen_keys(d, true, keys, ARRAY_SIZE(keys));
	struct strbuf sb = STRBUF_INIT;

	strbuf_addf(&sb, "Keys of this screen (%s)", app.stack[d].panes[app.stack[d].focus]->ops->name);
	add_heading(v, sb.buf);
	for (size_t i = 0; i < n; i++) {
		add_key(v, keys[i]->req);
		shown[keys[i]->req] = true;
	}
	add_heading(v, "");
	add_heading(v, "Every other key");
	for (int r = 1; r < REQ__COUNT; r++)
		if (!shown[r])
			add_key(v, (enum request)r);
	add_heading(v, "");
	add_heading(v, "Marks and colours");
	for (size_t i = 0; i < ARRAY_SIZE(legend); i++)
		view_add_line(v, HELP_LEGEND, NULL, 0)->num = (long)i;
	add_heading(v, "");
	for (size_t i = 0; i < ARRAY_SIZE(notes); i++)
		view_add_line(v, HELP_NOTE, notes[i], strlen(notes[i]));
	strbuf_release(&sb);
}

static void help_title(struct view *v, struct strbuf *out)
{
	(void)v;
	strbuf_addstr(out, " Help: keys (rebind with sluice.bind.<request> = <key>)");
}

static void help_draw(struct view *v, size_t line, int y)
{
	const struct view_line *l = &v->line[line];
	struct strbuf keys = STRBUF_INIT;
	int x = 0;

	switch (l->type) {
	case HELP_HEADING:
		x = draw_str(&v->rect, y, 1, ROLE_HEADER, l->text);
		break;
	case HELP_KEY: {
		enum request r = (enum request)l->num;
		keys_describe(r, &keys);
		x = draw_fmt(&v->rect, y, 1, ROLE_KEY, "%-18s", keys.len ? keys.buf : "(unbound)");
		x = draw_fmt(&v->rect, y, x + 1, ROLE_DIM, "%-22s", request_name(r));
		x = draw_str(&v->rect, y, x + 1, ROLE_DEFAULT, request_help(r));
		break;
	}
	case HELP_LEGEND:
		x = draw_str(&v->rect, y, 1, legend[l->num].role, legend[l->num].mark);
		x = draw_fmt(&v->rect, y, x, ROLE_DEFAULT, "%*s", 19 - text_width_of(legend[l->num].mark), "");
		x = draw_str(&v->rect, y, x, ROLE_DEFAULT, legend[l->num].meaning);
		break;
	default:
		x = draw_str(&v->rect, y, 1, ROLE_DIM, l->text);
		break;
	}
	draw_fill(&v->rect, y, x, ROLE_DEFAULT);
	strbuf_release(&keys);
}

static bool found(const char *s, const char *needle)
{
	return s && text_find(s, strlen(s), 0, needle) >= 0;
}

static bool help_grep(struct view *v, size_t line, const char *needle)
{
	const struct view_line *l = &v->line[line];
	if (l->type == HELP_KEY)
		return found(request_name((enum request)l->num), needle) ||
		       found(request_help((enum request)l->num), needle);
	if (l->type == HELP_LEGEND)
		return found(legend[l->num].meaning, needle);
	return found(l->text, needle);
}

/* Each time from the top: the keys of the screen it comes from are there. */
static void help_show(struct view *v)
{
	v->lineno = v->offset = 0;
	app_push((struct screen){ { v }, 1, 0, app.stack[0].layout });
}

static const struct view_key help_keys[] = {
	{ REQ_SEARCH, "search" }, { REQ_BACK, "back" }, { REQ_NONE, NULL },
};

const struct view_ops help_ops = {
	.keys = help_keys,
	.name = "help",
	.open = help_open,
	.title = help_title,
	.draw = help_draw,
	.grep = help_grep,
	.show = help_show,
};
