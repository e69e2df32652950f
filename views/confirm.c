/*
 * confirm.c - the confirmation before a draft is committed: the files
 * with their check boxes (x leaves one out, and the selection is verified
 * again), the verdict on exactly the selected files, and the commit
 * message as it will be written (e edits it). A commits; q goes back to
 * the draft. The state lives in tui/accepting.c.
 */
#include "tui/app.h"
#include "tui/drafting.h"
#include "tui/text.h"
#include "check.h"

#include <stdlib.h>
#include <string.h>

static void confirm_open(struct view *v)
{
	const char *branch = app.run && app.run->ms.branch ? app.run->ms.branch : "(no branch)";
	struct strbuf sb = STRBUF_INIT;
	int room = v->rect.w - 2;

	view_notes_clear(&v->notes);
	if (drafting.state == DRAFTING_NONE)
		return;
	view_notes_add(&v->notes, ROLE_DEFAULT, "", "", room);
	if (accepting.refused) {
		view_notes_add(&v->notes, ROLE_ERROR, "REFUSED: ", accepting.refused, room);
	} else {
		strbuf_addf(&sb, "the %zu selected file%s, worst finding %s before, %s after",
			    accepting.selected, accepting.selected == 1 ? "" : "s",
			    severity_name(drafting.d.before), severity_name(accepting.after));
		view_notes_add(&v->notes, ROLE_SAFE, "Verified: ", sb.buf, room);
	}
	view_notes_add(&v->notes, ROLE_DEFAULT, "", "", room);
	view_notes_add(&v->notes, ROLE_HEADER, "", accepting.message_edited
		       ? "Commit message (edited; e edits it again):" : "Commit message (e edits it in $EDITOR):",
		       room);
	for (const char *l = accepting.message.buf; *l;) {
		size_t n = strcspn(l, "\n");
		char *row = xstrndup(l, n);
		/* as written, not wrapped: the pane clips what git would show on one line */
		view_notes_add(&v->notes, l == accepting.message.buf ? ROLE_PATH : ROLE_DEFAULT, "  ", row,
			       1 << 20);
		free(row);
		l += n + (l[n] == '\n');
	}
	view_notes_add(&v->notes, ROLE_DEFAULT, "", "", room);
	strbuf_reset(&sb);
	strbuf_addf(&sb, "A commits the selected files on %s; x leaves a file out (verified again); "
		    "e edits the message; q goes back to the draft.", branch);
	view_notes_add(&v->notes, ROLE_DIM, "", sb.buf, room);
	v->lines = drafting.d.nr + v->notes.nr;
	strbuf_release(&sb);
}

static void confirm_title(struct view *v, struct strbuf *out)
{
	(void)v;
	strbuf_addf(out, " Accept: commit %zu of %zu file%s on %s?", accepting.selected, accepting.files,
		    accepting.files == 1 ? "" : "s",
		    app.run && app.run->ms.branch ? app.run->ms.branch : "(no branch)");
}

static void confirm_draw(struct view *v, size_t line, int y)
{
	if (line < drafting.d.nr) {
		draft_draw_file(v, line, y);
		return;
	}
	const struct view_note *n = &v->notes.v[line - drafting.d.nr];
	int x = draw_str(&v->rect, y, 1, n->role, n->text);
	draw_fill(&v->rect, y, x, ROLE_DEFAULT);
}

static bool confirm_request(struct view *v, enum request req)
{
	switch (req) {
	case REQ_TOGGLE_FILE:
		if (v->lineno < drafting.d.nr)
			accepting_toggle(v->lineno);
		else
			app_message(ROLE_ERROR, "x works on a file: move to one first");
		return true;
	case REQ_ACCEPT:
		accepting_commit();
		return true;
	case REQ_EDIT:
	case REQ_ENTER:
		accepting_edit_message();
		return true;
	case REQ_BACK:
		app_pop();   /* back to the draft: nothing is lost */
		view_open(&app.draft_files);
		return true;
	default:
		return false;
	}
}

static bool confirm_grep(struct view *v, size_t line, const char *needle)
{
	(void)v;
	const char *s = line < drafting.d.nr ? drafting.d.files[line].path
					     : line - drafting.d.nr < v->notes.nr ? v->notes.v[line - drafting.d.nr].text : "";
	return text_find(s, strlen(s), 0, needle) >= 0;
}

static const struct view_key confirm_keys[] = {
	{ REQ_ACCEPT, "commit" }, { REQ_TOGGLE_FILE, "select" }, { REQ_EDIT, "message" }, { REQ_BACK, "back to draft" }, { REQ_NONE, NULL },
};

const struct view_ops confirm_ops = {
	.keys = confirm_keys,
	.name = "confirm",
	.open = confirm_open,
	.title = confirm_title,
	.draw = confirm_draw,
	.request = confirm_request,
	.grep = confirm_grep,
};
