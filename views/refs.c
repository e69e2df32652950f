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

struct ref_row {
	enum ref_row_kind kind;
	const struct app_ref *ref;
	int line;            /* file line this row shows */
	char *text;          /* owned; the line's text */
};

static struct ref_row *rows;
static size_t nr_rows, alloc_rows;

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

static void add_row(enum ref_row_kind kind, const struct app_ref *ref, int line, const char *text, size_t len)
{
	ALLOC_GROW(rows, nr_rows + 1, alloc_rows);
	rows[nr_rows++] = (struct ref_row){ kind, ref, line, xstrndup(text, len) };
}

static void add_context(const struct app_ref *ref)
{
	const char *text = read_work_file(ref->path);
	int line = 1;
	if (!text) {
		add_row(ROW_CONTEXT, ref, ref->line, nonnull(ref->text), strlen(nonnull(ref->text)));
		return;
	}
	for (const char *p = text; *p && line <= ref->line + CONTEXT; line++) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		if (line >= ref->line - CONTEXT)
			add_row(ROW_CONTEXT, ref, line, p, len);
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
		add_row(ROW_HEADER, ref, ref->line, "", 0);
		add_context(ref);
	}
	if (st && st->nr_refs > MAX_REFS) {
		char *more = xstrfmt("... and %zu more references", st->nr_refs - MAX_REFS);
		add_row(ROW_MORE, NULL, 0, more, strlen(more));
		free(more);
	}
	v->lines = nr_rows;
}

static void refs_close(struct view *v)
{
	(void)v;
	for (size_t i = 0; i < nr_rows; i++)
		free(rows[i].text);
	free(rows);
	rows = NULL;
	nr_rows = alloc_rows = 0;
}

static void refs_title(struct view *v, struct strbuf *out)
{
	size_t n = 0;
	for (size_t i = 0; i < v->lines; i++)
		n += rows[i].kind == ROW_HEADER;
	strbuf_addf(out, " References in the application code (%zu)", n);
}

static void refs_draw(struct view *v, size_t line, int y)
{
	const struct ref_row *r = &rows[line];
	int x = 0;
	if (r->kind == ROW_HEADER) {
		x = draw_fmt(&v->rect, y, 0, ROLE_PATH, "%s:%d", r->ref->path, r->ref->line);
		if (r->ref->ident && *r->ref->ident) {
			x = draw_str(&v->rect, y, x, ROLE_DEFAULT, "  ");
			x = draw_str(&v->rect, y, x, ROLE_IDENT, r->ref->ident);
		}
	} else if (r->kind == ROW_CONTEXT) {
		bool at = r->line == r->ref->line;
		x = draw_fmt(&v->rect, y, 0, ROLE_GUTTER, "%5d", r->line);
		x = draw_str(&v->rect, y, x, at ? ROLE_IDENT : ROLE_DIM, at ? ">" : " ");
		x = draw_str(&v->rect, y, x, ROLE_DEFAULT, " ");
		x = draw_text_hl(&v->rect, y, x, at ? ROLE_DEFAULT : ROLE_DIM, r->text, strlen(r->text),
				 r->ref->ident, ROLE_IDENT);
	} else {
		x = draw_str(&v->rect, y, 0, ROLE_DIM, r->text);
	}
	draw_fill(&v->rect, y, x, ROLE_DEFAULT);
}

static bool refs_request(struct view *v, enum request req)
{
	const struct ref_row *r = v->lineno < v->lines ? &rows[v->lineno] : NULL;
	if (req != REQ_ENTER && req != REQ_EDIT)
		return false;
	if (r && r->ref)
		app_edit(r->ref->path, r->line);
	return true;
}

static bool refs_grep(struct view *v, size_t line, const char *needle)
{
	const struct ref_row *r = &rows[line];
	(void)v;
	if (r->kind == ROW_HEADER)
		return text_find(r->ref->path, strlen(r->ref->path), 0, needle) >= 0;
	return text_find(r->text, strlen(r->text), 0, needle) >= 0;
}

static void refs_empty(struct view *v, struct strbuf *out)
{
	(void)v;
	if (app.stmt < 0)
		strbuf_addstr(out, "No statement at the cursor.");
	else
		strbuf_addstr(out, "No application code references this statement's tables or columns.");
}

void refs_release_cache(void)
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
	.close = refs_close,
};
