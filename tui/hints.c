/*
 * hints.c - the hint line: the current screen's keys on the screen's last
 * line but one (the status line stays last), as lazygit shows them.
 *
 * Each view lists its own keys in its ops (view_ops.keys) with a word for
 * what they do there; the key shown is the first one bound to the request
 * now (sluice.bind.* included), so a rebound key shows as rebound. The
 * frame's few keys come after the view's. What does not fit the width is
 * left out whole, never cut in the middle; `?` has them all.
 */
#include "app.h"
#include "navigate.h"
#include "display.h"
#include "text.h"

#include <string.h>

/* On every screen, after the focused view's own. */
static const struct view_key frame_keys[] = {
	{ REQ_SEARCH, "search" }, { REQ_NEXT_PANE, "pane" }, { REQ_BACK, "back" }, { REQ_NONE, NULL },
};
/* Always there, at the right end: where all the others are. */
static const struct view_key help_key = { REQ_HELP, "help" };

static bool listed(const struct view_key *const *out, size_t n, enum request req)
{
	for (size_t i = 0; i < n; i++)
		if (out[i]->req == req)
			return true;
	return false;
}

static void add_keys(const struct view_key *keys, const struct view_key **out, size_t *n, size_t max)
{
	for (; keys && keys->req != REQ_NONE && *n < max; keys++)
		if (!listed(out, *n, keys->req))
			out[(*n)++] = keys;
}

size_t hints_screen_keys(int depth, bool all_panes, const struct view_key **out, size_t max)
{
	const struct screen *s = &app.stack[depth];
	size_t n = 0;
	add_keys(s->panes[s->focus]->ops->keys, out, &n, max);
	for (int i = 0; all_panes && i < s->nr; i++)
		add_keys(s->panes[i]->ops->keys, out, &n, max);
	/* Tab only where there is another pane. */
	for (const struct view_key *k = frame_keys; k->req != REQ_NONE && n < max; k++)
		if (!listed(out, n, k->req) && (k->req != REQ_NEXT_PANE || s->nr > 1))
			out[n++] = k;
	if (n < max && !listed(out, n, REQ_HELP))
		out[n++] = &help_key;
	return n;
}

/* The first key bound to req, as the help names it but without <>: "Enter", "f". */
static void first_key(enum request req, struct strbuf *out)
{
	struct strbuf all = STRBUF_INIT;
	keys_describe(req, &all);
	size_t n = strcspn(all.buf, " ");
	if (n > 2 && all.buf[0] == '<' && all.buf[n - 1] == '>')
		strbuf_add(out, all.buf + 1, n - 2);
	else
		strbuf_add(out, all.buf, n);
	strbuf_release(&all);
}

/* "f filter" at x, if it fits before `end`; returns the next column, or x when it did not fit. */
static int draw_hint(const struct rect *r, int x, int end, const struct view_key *k)
{
	struct strbuf key = STRBUF_INIT;
	first_key(k->req, &key);
	int w = text_width_of(key.buf) + 1 + text_width_of(k->hint);
	if (key.len && x + w <= end) {
		x = draw_str(r, 0, x, ROLE_KEY, key.buf);
		x = draw_str(r, 0, x + 1, ROLE_DIM, k->hint) + 2;
	}
	strbuf_release(&key);
	return x;
}

void hints_draw(int y, int cols)
{
	struct rect r = { y, 0, 1, cols };
	const struct view_key *keys[64];
	size_t n = hints_screen_keys(app.depth - 1, false, keys, ARRAY_SIZE(keys));
	struct strbuf help = STRBUF_INIT;
	int x = 1;

	first_key(REQ_HELP, &help);
	int end = cols - (help.len ? text_width_of(help.buf) + 1 + text_width_of(help_key.hint) + 1 : 0);
	draw_fill(&r, 0, 0, ROLE_DEFAULT);
	for (size_t i = 0; i < n && keys[i]->req != REQ_HELP; i++) {
		int next = draw_hint(&r, x, end, keys[i]);
		if (next == x)
			break;   /* the rest would not fit: whole hints or none */
		x = next;
	}
	if (help.len)
		draw_hint(&r, end, cols, &help_key);
	strbuf_release(&help);
}
