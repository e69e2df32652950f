/*
 * textdiff.c - line diffs through libgit2 (see textdiff.h).
 */
#include "textdiff.h"

#include <git2.h>
#include <string.h>

static struct diff_line *add_line(struct text_diff *d, enum diff_origin origin,
				  const char *s, size_t len)
{
	struct diff_line *l;
	/* libgit2 hands lines over with their newline; we draw them without. */
	while (len && (s[len - 1] == '\n' || s[len - 1] == '\r'))
		len--;
	ALLOC_GROW(d->v, d->nr + 1, d->alloc);
	l = &d->v[d->nr++];
	l->origin = origin;
	l->old_no = l->new_no = -1;
	l->off = d->text.len;
	l->len = len;
	strbuf_add(&d->text, s, len);
	strbuf_addch(&d->text, '\n');
	return l;
}

static int on_hunk(const git_diff_delta *delta, const git_diff_hunk *hunk, void *payload)
{
	(void)delta;
	add_line(payload, DIFF_HUNK, hunk->header, hunk->header_len);
	return 0;
}

static int on_line(const git_diff_delta *delta, const git_diff_hunk *hunk,
		   const git_diff_line *line, void *payload)
{
	struct text_diff *d = payload;
	enum diff_origin origin;
	(void)delta;
	(void)hunk;
	switch (line->origin) {
	case GIT_DIFF_LINE_CONTEXT:
		origin = DIFF_CONTEXT;
		break;
	case GIT_DIFF_LINE_ADDITION:
		origin = DIFF_ADD;
		d->added++;
		break;
	case GIT_DIFF_LINE_DELETION:
		origin = DIFF_DEL;
		d->deleted++;
		break;
	default:
		/* "\ No newline at end of file" and friends: not worth a row. */
		return 0;
	}
	struct diff_line *l = add_line(d, origin, line->content, line->content_len);
	l->old_no = line->old_lineno;
	l->new_no = line->new_lineno;
	return 0;
}

int text_diff(const char *old, size_t old_len, const char *new, size_t new_len, int context,
	      struct text_diff *out)
{
	git_diff_options opts;
	git_diff_options_init(&opts, GIT_DIFF_OPTIONS_VERSION);
	opts.context_lines = context < 0 ? 0 : (uint32_t)context;
	/* A draft is text even when it holds a stray NUL: show it, do not say "binary". */
	opts.flags |= GIT_DIFF_FORCE_TEXT;
	if (git_diff_buffers(old, old ? old_len : 0, "a", new, new_len, "b", &opts, NULL, NULL,
			     on_hunk, on_line, out) < 0) {
		const git_error *e = git_error_last();
		return error("cannot diff: %s", e && e->message ? e->message : "libgit2 failed");
	}
	return 0;
}

void text_diff_release(struct text_diff *d)
{
	free(d->v);
	d->v = NULL;
	d->nr = d->alloc = d->added = d->deleted = 0;
	strbuf_release(&d->text);
}
