/*
 * accepting.c - the second step of accepting a draft: the confirmation
 * (see drafting.h).
 *
 * The one key that writes to the engineer's branch must show what it will
 * do before it does it: the exact files, whether that selection is safe
 * on its own (verified again on every x: a file that leans on a left-out
 * one, or a selection no safer than the original, is refused with why),
 * and the commit message, editable. Only A on this screen commits.
 */
#include "drafting.h"
#include "app.h"
#include "check.h"
#include "draft.h"
#include "job.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct accepting accepting = { .message = STRBUF_INIT };

static void refuse(char *why)
{
	free(accepting.refused);
	accepting.refused = why;
}

/* A selected file still holding a placeholder: never committed, whatever else says. */
static char *placeholder_left(void)
{
	struct strlist names = STRLIST_INIT;
	char *why = NULL;
	for (size_t i = 0; i < drafting.d.nr && !why; i++) {
		if (drafting.files[i].selected && draft_find_placeholders(drafting.d.files[i].text, &names))
			why = xstrfmt("'%s' still holds the placeholder for %s: give the value first",
				      drafting.d.files[i].path, names.nr ? names.items[0] : "a value");
	}
	strlist_clear(&names);
	return why;
}

/* The selection: counted, checked for dependencies, verified; the message redrafted. */
static void judge_selection(void)
{
	struct strbuf why = STRBUF_INIT;
	bool *sel = xcalloc(drafting.d.nr ? drafting.d.nr : 1, sizeof(*sel));
	size_t changed = 0;
	char *placeholder = placeholder_left();

	refuse(NULL);
	accepting.after = SEV_NONE;
	accepting.selected = 0;
	accepting.files = drafting.d.nr;
	for (size_t i = 0; i < drafting.d.nr; i++) {
		const struct drafting_file *df = &drafting.files[i];
		sel[i] = df->selected;
		accepting.selected += df->selected;
		changed += df->selected && (!df->exists || df->diff.added || df->diff.deleted);
	}
	if (!accepting.selected) {
		refuse(xstrdup("no file selected: x selects the file under the cursor"));
	} else if (!changed) {
		/* A model may hand back the files as they are: nothing to commit. */
		refuse(xstrdup("nothing to commit: the selected files are the same as the work tree's"));
	} else if (placeholder) {
		refuse(placeholder);
		placeholder = NULL;
	} else if (draft_subset_check(&drafting.d, sel, &why) < 0) {
		refuse(strbuf_detach(&why, NULL));
	} else {
		struct draft sub;
		drafting_selection(&sub, false);
		drafting_verify(&sub);
		if (sub.failed)
			refuse(xstrfmt("the selected files fail verification: %s", sub.failed));
		accepting.after = sub.after;
		drafting_selection_free(&sub, false);
	}
	if (!accepting.message_edited) {
		struct draft sub;
		drafting_selection(&sub, false);
		strbuf_reset(&accepting.message);
		draft_commit_message(&sub, drafting.migration, &accepting.message);
		commit_add_trailer(&accepting.message, drafting.migration);
		drafting_selection_free(&sub, false);
	}
	free(placeholder);
	free(sel);
	strbuf_release(&why);
}

/* Wide terminals: the list and the message beside... one pane is enough. */
static void confirm_layout(struct screen *s, struct rect a)
{
	view_place(s->panes[0], a);
}

void accepting_open(void)
{
	accepting.message_edited = false;
	judge_selection();
	app.confirm.lineno = app.confirm.offset = 0;
	app_push((struct screen){ { &app.confirm }, 1, 0, confirm_layout });
	if (accepting.refused)
		app_message(ROLE_ERROR, "not committable: %s", accepting.refused);
	else
		app_message(ROLE_SAFE, "check the files and the message: A commits, q goes back");
}

void accepting_toggle(size_t file)
{
	drafting_toggle(file);
	judge_selection();
	view_open(&app.confirm);
	view_open(&app.draft_files);
	if (accepting.refused)
		app_message(ROLE_ERROR, "refused: %s", accepting.refused);
	else
		app_message(ROLE_SAFE, "verified: %zu of %zu files, worst finding %s after", accepting.selected,
			    accepting.files, severity_name(accepting.after));
}

/* Writes the message to a temporary file, $EDITOR on it, reads it back. */
void accepting_edit_message(void)
{
	const char *dir = getenv("TMPDIR");
	char *tmp = xstrfmt("%s/sluice-commit-XXXXXX", dir && *dir ? dir : "/tmp");
	struct strbuf text = STRBUF_INIT;
	int fd = mkstemp(tmp);
	if (fd < 0 || write(fd, accepting.message.buf, accepting.message.len) != (ssize_t)accepting.message.len) {
		app_message(ROLE_ERROR, "cannot write the message to '%s': %s", tmp, strerror(errno));
	} else if (close(fd), fd = -1, app_edit(tmp, 1) < 0 || app.message_role == ROLE_ERROR) {
		/* app_edit() said why; the message stays as it was */
	} else if (strbuf_read_file(&text, tmp, 1 << 20) < 0) {
		app_message(ROLE_ERROR, "cannot read back '%s': %s", tmp, strerror(errno));
	} else if (strcmp(text.buf, accepting.message.buf)) {
		strbuf_reset(&accepting.message);
		strbuf_add(&accepting.message, text.buf, text.len);
		accepting.message_edited = true;
		drafting.touched = true;
		app_message(ROLE_STATUS, "the commit message was edited");
	} else {
		app_message(ROLE_STATUS, "the commit message is unchanged");
	}
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	free(tmp);
	strbuf_release(&text);
	view_open(&app.confirm);
}

void accepting_commit(void)
{
	const char *branch = app.run ? app.run->ms.branch : NULL;
	struct strbuf why = STRBUF_INIT;
	struct draft sel;
	size_t n = accepting.selected;

	judge_selection();   /* the files may have changed on disk since */
	if (accepting.refused) {
		app_message(ROLE_ERROR, "not committing: %s", accepting.refused);
		return;
	}
	if (commit_message_check(accepting.message.buf, &why) < 0) {
		app_message(ROLE_ERROR, "not committing: %s (e edits the message)", why.buf);
		strbuf_release(&why);
		return;
	}
	if (!branch) {
		app_message(ROLE_ERROR, "not committing: no branch is checked out (detached HEAD)");
		return;
	}
	drafting_selection(&sel, true);
	/* the migration under review: what the draft may rewrite (core/draft/draft.h) */
	struct draft_ctx ctx;
	struct commit_scope scope = { NULL, NULL };
	char *up = NULL, *down = NULL;
	if (drafting_ctx(&ctx)) {
		const struct migration *m = ctx.ms->v[ctx.target];
		scope.up = up = xstrfmt("%s%s", app_workdir(), m->up->path);
		scope.down = down = m->down ? xstrfmt("%s%s", app_workdir(), m->down->path) : NULL;
	}
	int r = commit_draft(*app_workdir() ? app_workdir() : ".", &sel, &scope, branch,
			     accepting.message.buf);
	free(up);
	free(down);
	drafting_selection_free(&sel, true);
	if (r < 0) {
		/* commit_draft() said why on stderr: show it now, not after the next key. */
		tui_flush_stderr();
		return;
	}
	char *title = xstrdup(drafting.d.title ? drafting.d.title : "draft");
	drafting_release();
	while (app.depth > 1 && app.stack[app.depth - 1].panes[0] != &app.draft_files)
		app_pop();
	app_pop();
	app_message(ROLE_SAFE, "committed %zu file%s on %s: %s; U undoes it", n, n == 1 ? "" : "s",
		    branch, title);
	free(title);
	jobs_start(REQ_RESCAN);
}

void accepting_release(void)
{
	strbuf_release(&accepting.message);
	free(accepting.refused);
	accepting.refused = NULL;
	accepting.message_edited = false;
}
