/*
 * refs.c - the references pane: the application code that uses the schema
 * elements of the current statement (stmt->refs, filled by the
 * cross-check in core/xref*), each as file:line with a few lines of context
 * read from the work tree and the identifier highlighted. Enter opens the
 * file at the line under the cursor in $EDITOR.
 */
#include "tui/app.h"
#include "tui/text.h"
#include "check.h"

#include <stdlib.h>
#include <string.h>

#define CONTEXT 2        /* lines before and after a reference */
#define MAX_REFS 200     /* beyond this, say how many more */
#define MAX_FILE (4u << 20)

enum ref_row_kind { ROW_HEADER, ROW_CONTEXT, ROW_MORE };

/* Rows in the view's store: type is the ref_row_kind, data the app_ref, num the file line shown. */
#define REF(r) ((const struct app_ref *)(r)->data)

/* The last file read: references of one statement tend to share files. */
static struct strbuf cached = STRBUF_INIT;
static char *cached_path;
static unsigned cached_generation;

static const char *read_work_file(const char *path)
{
	if (cached_path && !strcmp(cached_path, path) && cached_generation == app.generation)
		return cached.buf;
	struct strbuf full = STRBUF_INIT;
	free(cached_path);
	cached_path = xstrdup(path);
	cached_generation = app.generation;
	strbuf_reset(&cached);
	if (*path != '/')
		strbuf_addstr(&full, app_workdir());
	strbuf_addstr(&full, path);
	int r = strbuf_read_file(&cached, full.buf, MAX_FILE);
	strbuf_release(&full);
	if (r < 0) {
		free(cached_path);
		cached_path = NULL;
		return NULL;
	}
	return cached.buf;
}

static void add_row(struct view *v, enum ref_row_kind kind, const struct app_ref *ref, int line, const char *text,
		    size_t len)
{
	struct view_line *r = view_add_line(v, kind, text, len);
	r->data = ref;
	r->num = line;
}

static void add_context(struct view *v, const struct app_ref *ref)
{
	const char *text = read_work_file(ref->path);
	int line = 1;
	if (!text) {
		add_row(v, ROW_CONTEXT, ref, ref->line, nonnull(ref->text), strlen(nonnull(ref->text)));
		return;
	}
	for (const char *p = text; *p && line <= ref->line + CONTEXT; line++) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		if (line >= ref->line - CONTEXT)
			add_row(v, ROW_CONTEXT, ref, line, p, len);
		if (!nl)
			break;
		p = nl + 1;
	}
}

static void refs_open(struct view *v)
{
	const struct stmt *st = NULL;
	if (app.run && app.file >= 0 && (size_t)app.file < app.run->report.nr && app.stmt >= 0) {
		const struct file_report *fr = &app.run->report.files[app.file];
		if ((size_t)app.stmt < fr->nr_stmts)
			st = &fr->stmts[app.stmt];
	}
	for (size_t i = 0; st && i < st->nr_refs && i < MAX_REFS; i++) {
		const struct app_ref *ref = &st->refs[i];
		add_row(v, ROW_HEADER, ref, ref->line, "", 0);
		add_context(v, ref);
	}
	if (st && st->nr_refs > MAX_REFS) {
		char *more = xstrfmt("... and %zu more references", st->nr_refs - MAX_REFS);
		add_row(v, ROW_MORE, NULL, 0, more, strlen(more));
		free(more);
	}
}

static void refs_title(struct view *v, struct strbuf *out)
{
	size_t n = 0;
	for (size_t i = 0; i < v->lines; i++)
		n += v->line[i].type == ROW_HEADER;
	strbuf_addf(out, " References in the application code (%zu)", n);
}

static void refs_draw(struct view *v, size_t line, int y)
{
	const struct view_line *r = &v->line[line];
	int x = 0;
	if (r->type == ROW_HEADER) {
		x = draw_fmt(&v->rect, y, 0, ROLE_PATH, "%s:%d", REF(r)->path, REF(r)->line);
		if (REF(r)->ident && *REF(r)->ident) {
			x = draw_str(&v->rect, y, x, ROLE_DEFAULT, "  ");
			x = draw_str(&v->rect, y, x, ROLE_IDENT, REF(r)->ident);
		}
	} else if (r->type == ROW_CONTEXT) {
		bool at = r->num == REF(r)->line;
		x = draw_fmt(&v->rect, y, 0, ROLE_GUTTER, "%5ld", r->num);
		x = draw_str(&v->rect, y, x, at ? ROLE_IDENT : ROLE_DIM, at ? ">" : " ");
		x = draw_str(&v->rect, y, x, ROLE_DEFAULT, " ");
		x = draw_text_hl(&v->rect, y, x, at ? ROLE_DEFAULT : ROLE_DIM, r->text, r->len,
				 REF(r)->ident, ROLE_IDENT);
	} else {
		x = draw_str(&v->rect, y, 0, ROLE_DIM, r->text);
	}
	draw_fill(&v->rect, y, x, ROLE_DEFAULT);
}

static bool refs_request(struct view *v, enum request req)
{
	const struct view_line *r = v->lineno < v->lines ? &v->line[v->lineno] : NULL;
	if (req != REQ_ENTER && req != REQ_EDIT)
		return false;
	if (r && REF(r))
		app_edit(REF(r)->path, (int)r->num);
	return true;
}

static bool refs_grep(struct view *v, size_t line, const char *needle)
{
	const struct view_line *r = &v->line[line];
	if (r->type == ROW_HEADER)
		return text_find(REF(r)->path, strlen(REF(r)->path), 0, needle) >= 0;
	return text_find(r->text, r->len, 0, needle) >= 0;
}

static void refs_empty(struct view *v, struct strbuf *out)
{
	(void)v;
	if (app.stmt < 0)
		strbuf_addstr(out, "No statement at the cursor.");
	else
		strbuf_addstr(out, "No application code references this statement's tables or columns.");
}

static void refs_release_cache(void)
{
	strbuf_release(&cached);
	free(cached_path);
	cached_path = NULL;
}

static const struct view_key refs_keys[] = {
	{ REQ_ENTER, "open in editor" }, { REQ_NEXT_PANE, "pane" }, { REQ_BACK, "back" }, { REQ_NONE, NULL },
};

const struct view_ops refs_ops = {
	.keys = refs_keys,
	.name = "refs",
	.open = refs_open,
	.title = refs_title,
	.draw = refs_draw,
	.request = refs_request,
	.grep = refs_grep,
	.empty = refs_empty,
	.release = refs_release_cache,
};
