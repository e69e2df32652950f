/*
 * copying.c - y: the statement in view, its fix or its file:line onto the
 * terminal's clipboard through OSC 52 (display_osc52()), so that it
 * reaches the clipboard of the machine the engineer sits at even over ssh
 * and inside tmux. A one-key choice in the status line says what each key
 * copies; the status line then says what was copied, or why nothing was.
 *
 * Which statement: the focused view's (view_ops.statement), else the one
 * of the view leading the screen: the statement under the SQL pane's
 * cursor, the worst statement of the migration under the list's cursor.
 */
#include "app.h"
#include "display.h"
#include "check.h"

#include <string.h>

static const char choices[] = "copy: s the statement  f its fix  l file:line  (any other key: nothing)";

/* The statement to copy from, and its file; NULL when no view is about one. */
static const struct stmt *current(const struct file_report **fr)
{
	struct screen *s = &app.stack[app.depth - 1];
	struct view *focused = s->panes[s->focus], *lead = s->panes[0];
	const struct stmt *st = NULL;
	if (!app.run)
		return NULL;
	if (focused->ops->statement)
		st = focused->ops->statement(focused, fr);
	if (!st && lead->ops->statement)
		st = lead->ops->statement(lead, fr);
	return st;
}

/* The fix of the statement's worst finding that has one (ignored findings last). */
static const char *worst_fix(const struct stmt *st)
{
	const struct finding *best = NULL;
	for (size_t i = 0; i < st->nr_findings; i++) {
		const struct finding *f = &st->findings[i];
		if (!f->fix || !*f->fix)
			continue;
		if (!best || (!f->ignored && best->ignored) ||
		    (!f->ignored == !best->ignored && f->sev > best->sev))
			best = f;
	}
	return best ? best->fix : NULL;
}

static void copy(const char *what, const char *text)
{
	size_t len = strlen(text);
	if (display_osc52(text, len) < 0)
		app_message(ROLE_ERROR, "cannot copy %s: %zu bytes is more than a terminal takes in one OSC 52 sequence",
			    what, len);
	else
		app_message(ROLE_SAFE, "copied %s (%zu byte%s) to the clipboard (OSC 52)", what, len,
			    len == 1 ? "" : "s");
}

static void chosen(int key)
{
	const struct file_report *fr = NULL;
	const struct stmt *st = current(&fr);
	struct strbuf sb = STRBUF_INIT;

	if (!st) {
		app_message(ROLE_ERROR, "no statement here to copy");
		return;
	}
	switch (key) {
	case 's':
		/* As in the file, ready to paste into psql: with its semicolon. */
		strbuf_addstr(&sb, st->sql ? st->sql : "");
		strbuf_trim(&sb);
		if (sb.len && sb.buf[sb.len - 1] != ';')
			strbuf_addch(&sb, ';');
		copy("the statement", sb.buf);
		break;
	case 'f': {
		const char *fix = worst_fix(st);
		if (fix)
			copy("the fix", fix);
		else
			app_message(ROLE_STATUS, "this statement has no fix to copy: nothing copied");
		break;
	}
	case 'l':
		strbuf_addf(&sb, "%s:%d", fr->path, st->line);
		copy(sb.buf, sb.buf);
		break;
	default:
		app_message(ROLE_STATUS, "nothing copied");
		break;
	}
	strbuf_release(&sb);
}

void copying_start(void)
{
	const struct file_report *fr;
	if (!current(&fr))
		app_message(ROLE_ERROR, "no statement here to copy: y works on the list, the preview and the statement screen");
	else
		app_choose(choices, chosen);
}
