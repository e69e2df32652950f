/*
 * draft.c - the draft screen: the draft's files, and the diff of the one
 * under the cursor against the work tree.
 *
 * The files pane lists each file with a check box (x toggles it), whether
 * it is new or replaces a file, its +/- counts and its purpose, then the
 * verification verdict and the draft's notes (data-loss warnings). The
 * diff pane shows that file as `git show` will once it is committed; while
 * a model's answer streams it shows the answer so far, following its end.
 * Both panes take the draft keys; the state lives in tui/drafting.c.
 */
#include "tui/app.h"
#include "tui/drafting.h"
#include "tui/text.h"
#include "tui/navigate.h"

#include <stdlib.h>
#include <string.h>

/* The lines of the files pane after the files (its v->notes): the verdict and the notes, wrapped. */
static size_t diff_file;   /* the file the diff pane shows */
static int widest_file;    /* widest file line, in columns, for the layout */

static void add_note(struct view *v, enum role role, const char *prefix, const char *text)
{
	view_notes_add(&v->notes, role, prefix, text, v->rect.w - 2);
}

/* A draft's files sit beside its migration: name them without that directory. */
static const char *short_path(const char *path)
{
	const char *slash = drafting.migration ? strrchr(drafting.migration, '/') : NULL;
	size_t dir = slash ? (size_t)(slash - drafting.migration) + 1 : 0;
	return dir && !strncmp(path, drafting.migration, dir) ? path + dir : path;
}

static void files_open(struct view *v)
{
	const struct draft *d = &drafting.d;
	struct strbuf sb = STRBUF_INIT;

	if (drafting.state == DRAFTING_NONE)
		return;
	if (drafting.state == DRAFTING_STREAMING) {
		v->lines = 1;   /* the progress line, drawn live */
		return;
	}
	widest_file = 0;
	for (size_t i = 0; i < d->nr; i++) {
		/* "[x] change " + path + "  +N -N" */
		int w = 11 + text_width_of(short_path(d->files[i].path)) + 14;
		if (w > widest_file)
			widest_file = w;
	}
	add_note(v, ROLE_DEFAULT, "", "");
	if (d->failed)
		add_note(v, ROLE_ERROR, d->needs_input ? "" : "FAILED: ", d->failed);
	else if (d->before > SEV_NONE) {
		strbuf_addf(&sb, "worst finding %s before, %s after", severity_name(d->before),
			    severity_name(d->after));
		add_note(v, ROLE_SAFE, "Verified: ", sb.buf);
	} else if (d->nr && d->files[0].sql) {
		add_note(v, ROLE_SAFE, "Verified: ", "every statement parses");
	}
	enum role shadow_role;
	strbuf_reset(&sb);
	if (draftshadow_note(&shadow_role, &sb))
		add_note(v, shadow_role, "Shadow: ", sb.buf);
	for (size_t i = 0; i < d->notes.nr; i++)
		add_note(v, ROLE_MEDIUM, "Note: ", d->notes.items[i]);
	if (!d->failed)
		add_note(v, ROLE_DIM, "", "x selects a file, e edits it in $EDITOR, A reviews the selected "
					   "files and the commit message before committing, q discards the draft.");
	if (!d->failed && driftwork_shadow() && !d->shadow && !draftshadow_busy() &&
	    drafting.kind != REQ_DRAFT_RUNBOOK)
		add_note(v, ROLE_DIM, "", "V runs the draft on the shadow database first.");
	v->lines = d->nr + v->notes.nr;
	strbuf_release(&sb);
}

static void files_title(struct view *v, struct strbuf *out)
{
	const struct draft *d = &drafting.d;
	(void)v;
	if (drafting.state == DRAFTING_STREAMING)
		strbuf_addf(out, " Draft for %s: asking %s %s", drafting.migration,
			    llm_provider_name(drafting.lc.provider), drafting.lc.model);
	else if (!d->title && drafting.have_lc)
		strbuf_addf(out, " Draft for %s from %s %s", drafting.migration,
			    llm_provider_name(drafting.lc.provider), drafting.lc.model);
	else if (d->origin)   /* the model first: the title may be clipped */
		strbuf_addf(out, " Draft by %s: %s", d->origin, d->title ? d->title : "no title");
	else
		strbuf_addf(out, " Draft: %s", d->title ? d->title : "no title");
}

static void draw_streaming(struct view *v, int y)
{
	double secs = now_seconds() - drafting.started;
	int x = draw_fmt(&v->rect, y, 1, ROLE_DEFAULT, "Receiving the answer: %zu bytes in %.1f s. ",
			 drafting.answer.len, secs);
	x = draw_str(&v->rect, y, x, ROLE_KEY, "Esc");
	x = draw_str(&v->rect, y, x, ROLE_DIM, " cancels; every other key keeps working.");
	draw_fill(&v->rect, y, x, ROLE_DEFAULT);
}

static void files_draw(struct view *v, size_t line, int y)
{
	const struct draft *d = &drafting.d;
	int x;

	if (drafting.state == DRAFTING_STREAMING) {
		draw_streaming(v, y);
		return;
	}
	if (line >= d->nr) {
		const struct view_note *n = &v->notes.v[line - d->nr];
		x = draw_str(&v->rect, y, 1, n->role, n->text);
		draw_fill(&v->rect, y, x, ROLE_DEFAULT);
		return;
	}
	draft_draw_file(v, line, y);
}

void draft_draw_file(struct view *v, size_t line, int y)
{
	const struct draft_file *f = &drafting.d.files[line];
	const struct drafting_file *df = &drafting.files[line];
	int x = draw_str(&v->rect, y, 1, ROLE_KEY, df->selected ? "[x] " : "[ ] ");
	x = draw_str(&v->rect, y, x, ROLE_HEADER, df->edited ? "edited " : df->exists ? "change " : "new    ");
	x = draw_str(&v->rect, y, x, ROLE_PATH, short_path(f->path));
	x = draw_fmt(&v->rect, y, x, ROLE_SAFE, "  +%zu", df->diff.added);
	x = draw_fmt(&v->rect, y, x, df->diff.deleted ? ROLE_HIGH : ROLE_DIM, " -%zu", df->diff.deleted);
	if (f->purpose && *f->purpose) {
		x = draw_str(&v->rect, y, x, ROLE_DIM, "  ");
		x = draw_str(&v->rect, y, x, ROLE_DIM, f->purpose);
	}
	draw_fill(&v->rect, y, x, ROLE_DEFAULT);
}

static void files_select(struct view *v)
{
	if (v->lineno < drafting.d.nr && v->lineno != diff_file) {
		diff_file = v->lineno;
		app.draft_diff.lineno = app.draft_diff.offset = 0;
		app.draft_diff.col = 0;
		view_open(&app.draft_diff);
		view_open(&app.runbook);
	}
}

static bool files_grep(struct view *v, size_t line, const char *needle)
{
	(void)v;
	if (line < drafting.d.nr) {
		const struct draft_file *f = &drafting.d.files[line];
		return text_find(f->path, strlen(f->path), 0, needle) >= 0 ||
		       (f->purpose && text_find(f->purpose, strlen(f->purpose), 0, needle) >= 0);
	}
	const struct view_note *n = line - drafting.d.nr < v->notes.nr ? &v->notes.v[line - drafting.d.nr] : NULL;
	return n && text_find(n->text, strlen(n->text), 0, needle) >= 0;
}

/* The keys of the draft screen, whichever of its panes has the focus. */
bool draft_screen_request(enum request req)
{
	switch (req) {
	case REQ_TOGGLE_FILE:
		drafting_toggle(diff_file);
		view_open(&app.draft_files);
		return true;
	case REQ_ACCEPT:
		drafting_accept();
		return true;
	case REQ_DRAFT_SHADOW:
		draftshadow_start();
		return true;
	case REQ_ENTER:
	case REQ_EDIT:
		drafting_edit(diff_file);
		return true;
	case REQ_BACK:
		drafting_close();
		return true;
	default:
		return false;
	}
}

static bool files_request(struct view *v, enum request req)
{
	/* x on a file acts on that file, even before the diff pane caught up. */
	if (v->lineno < drafting.d.nr)
		diff_file = v->lineno;
	return draft_screen_request(req);
}

static void files_empty(struct view *v, struct strbuf *out)
{
	(void)v;
	strbuf_addstr(out, "No draft.");
}

static const struct view_key draft_keys[] = {
	{ REQ_TOGGLE_FILE, "select" }, { REQ_ACCEPT, "accept" }, { REQ_DRAFT_SHADOW, "verify" }, { REQ_EDIT, "edit" }, { REQ_BACK, "close" }, { REQ_NONE, NULL },
};

static void draft_screen_open(struct view *v);

/* The migration being drafted. */
static const struct entry *files_entry(struct view *v)
{
	(void)v;
	return app_entry_of_path(drafting.migration);
}

const struct view_ops draft_files_ops = {
	.keys = draft_keys,
	.name = "draft",
	.open = files_open,
	.title = files_title,
	.draw = files_draw,
	.request = files_request,
	.select = files_select,
	.grep = files_grep,
	.empty = files_empty,
	.show = draft_screen_open,
	.entry = files_entry,
};

/* The diff pane: the diff of diff_file, or the model's answer while it arrives. */

static bool showing_answer(void)
{
	return drafting.state == DRAFTING_STREAMING || (drafting.state != DRAFTING_NONE && !drafting.d.nr);
}

/*
 * The pane's rows in the view's store: the diff's rows (diff_add_rows()),
 * or while the model's answer shows, its lines' rows with num the line's
 * offset; one row per line, or as many as the width needs with w.
 * Rebuilt as the answer grows.
 */
static void diff_open(struct view *v)
{
	v->widest = 0;
	if (showing_answer()) {
		const struct strbuf *a = &drafting.answer;
		for (size_t off = 0; off < a->len;) {
			const char *nl = memchr(a->buf + off, '\n', a->len - off);
			size_t len = nl ? (size_t)(nl - a->buf) - off : a->len - off;
			int w = text_width(a->buf + off, len) + 2;
			if (w > v->widest && !v->wrap)
				v->widest = w;
			view_add_rows(v, 0, (long)off, a->buf + off, len, v->rect.w - 2);
			off += len + 1;
		}
		return;
	}
	if (drafting.state == DRAFTING_NONE || !drafting.d.nr)
		return;
	if (diff_file >= drafting.d.nr)
		diff_file = 0;
	diff_add_rows(v, &drafting.files[diff_file].diff);
}

static void diff_title(struct view *v, struct strbuf *out)
{
	if (showing_answer()) {
		strbuf_addf(out, " The model's answer%s (%zu bytes)",
			    drafting.state == DRAFTING_STREAMING ? " so far" : "", drafting.answer.len);
		return;
	}
	if (drafting.state == DRAFTING_NONE)
		return;
	const struct drafting_file *df = &drafting.files[diff_file];
	struct strbuf rest = STRBUF_INIT;
	strbuf_addf(&rest, "  %s, +%zu -%zu%s", df->exists ? "replaces the file" : "new file", df->diff.added,
		    df->diff.deleted, df->edited ? ", edited" : "");
	view_title_path(v, out, drafting.d.files[diff_file].path, rest.buf);
	strbuf_release(&rest);
}

/* The text of row `row`: a piece of a diff line, or of a line of the answer. */
static void line_text(const struct view *v, size_t row, const char **s, size_t *len)
{
	const struct view_line *r = &v->line[row];
	if (showing_answer())
		*s = drafting.answer.buf + r->num + r->count;
	else
		*s = drafting.files[diff_file].diff.text.buf + drafting.files[diff_file].diff.v[r->num].off + r->count;
	*len = r->len;
}

static void diff_draw(struct view *v, size_t line, int y)
{
	const char *s;
	size_t len;

	if (showing_answer()) {
		line_text(v, line, &s, &len);
		size_t skip = text_skip_cols(s, len, v->col);
		draw_fill(&v->rect, y,
			  draw_text_hl(&v->rect, y, 1, ROLE_DEFAULT, s + skip, len - skip, app.search, ROLE_SEARCH),
			  ROLE_DEFAULT);
		return;
	}
	diff_draw_row(v, &drafting.files[diff_file].diff, line, y);
}

static bool diff_request(struct view *v, enum request req)
{
	if (req == REQ_WRAP) {
		diff_toggle_wrap(v);
		return true;
	}
	return draft_screen_request(req);
}

static bool diff_grep(struct view *v, size_t line, const char *needle)
{
	const char *s;
	size_t len;
	line_text(v, line, &s, &len);
	return text_find(s, len, 0, needle) >= 0;
}

static void diff_empty(struct view *v, struct strbuf *out)
{
	(void)v;
	if (drafting.state == DRAFTING_STREAMING)
		strbuf_addstr(out, "Waiting for the first words...");
	else if (showing_answer())
		strbuf_addstr(out, "The model sent no answer.");
	else
		strbuf_addstr(out, "The file is the same as the work tree's.");
}

const struct view_ops draft_diff_ops = {
	.keys = draft_keys,
	.name = "draft-diff",
	.open = diff_open,
	.title = diff_title,
	.draw = diff_draw,
	.request = diff_request,
	.grep = diff_grep,
	.empty = diff_empty,
};

/* Wide terminals: files on the left, the diff on the right. Narrow: stacked. */
static void draft_layout(struct screen *s, struct rect a)
{
	if (a.w >= 120) {
		/* Wide enough for the file names, up to half the screen. */
		int left = widest_file + 2;
		if (left < a.w * 2 / 5)
			left = a.w * 2 / 5;
		if (left > a.w / 2)
			left = a.w / 2;
		view_place(s->panes[0], (struct rect){ a.y, a.x, a.h, left - 1 });
		view_place(s->panes[1], (struct rect){ a.y, a.x + left, a.h, a.w - left });
	} else {
		int top = (int)s->panes[0]->lines + 1;
		if (top > a.h * 2 / 5)
			top = a.h * 2 / 5;
		if (top < 4)
			top = 4;
		view_place(s->panes[0], (struct rect){ a.y, a.x, top, a.w });
		view_place(s->panes[1], (struct rect){ a.y + top, a.x, a.h - top, a.w });
	}
}

/* The draft screen: the draft's files over (or beside) the diff of the current one. */
static void draft_screen_open(struct view *v)
{
	(void)v;
	diff_file = 0;
	app.draft_files.lineno = app.draft_files.offset = 0;
	app.draft_diff.lineno = app.draft_diff.offset = 0;
	/* Replace a draft screen already open (a second d) rather than stack it. */
	if (app.stack[app.depth - 1].panes[0] == &app.draft_files)
		app_pop();
	/* A runbook is prose: read formatted, beside its files, rather than as a diff. */
	struct view *second = drafting.kind == REQ_DRAFT_RUNBOOK ? &app.runbook : &app.draft_diff;
	second->lineno = second->offset = 0;
	second->col = 0;
	app_push((struct screen){ { &app.draft_files, second }, 2, 0, draft_layout });
}
