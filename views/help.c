/*
 * help.c - the help screen, generated from the request table in
 * tui/keys.h and the live bindings: every key listed here is a key that
 * works, including the ones bound through sluice.bind.* settings.
 */
#include "tui/app.h"
#include "tui/text.h"

#include <string.h>

#define EXTRA_LINES 4

static void help_open(struct view *v)
{
	v->lines = REQ__COUNT - 1 + EXTRA_LINES;
}

static void help_title(struct view *v, struct strbuf *out)
{
	(void)v;
	strbuf_addstr(out, " Help: keys (rebind with sluice.bind.<request> = <key>)");
}

static void help_draw(struct view *v, size_t line, int y)
{
	struct strbuf keys = STRBUF_INIT;
	int x;
	if (line < REQ__COUNT - 1) {
		enum request r = (enum request)(line + 1);
		keys_describe(r, &keys);
		x = draw_fmt(&v->rect, y, 1, ROLE_KEY, "%-18s", keys.len ? keys.buf : "(unbound)");
		x = draw_fmt(&v->rect, y, x + 1, ROLE_DIM, "%-22s", request_name(r));
		x = draw_str(&v->rect, y, x + 1, ROLE_DEFAULT, request_help(r));
	} else {
		static const char *const extra[EXTRA_LINES] = {
			"",
			"Mouse: click to select a line and focus its pane, wheel to scroll.",
			"Colours: sluice.theme or --theme (dark, light, high-contrast, monochrome, or a file);",
			"sluice.color.<role> overrides one role. NO_COLOR turns colours off.",
		};
		x = draw_str(&v->rect, y, 1, ROLE_DIM, extra[line - (REQ__COUNT - 1)]);
	}
	draw_fill(&v->rect, y, x, ROLE_DEFAULT);
	strbuf_release(&keys);
}

static bool help_grep(struct view *v, size_t line, const char *needle)
{
	(void)v;
	if (line >= REQ__COUNT - 1)
		return false;
	const char *name = request_name((enum request)(line + 1)), *h = request_help((enum request)(line + 1));
	return text_find(name, strlen(name), 0, needle) >= 0 || text_find(h, strlen(h), 0, needle) >= 0;
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
};
