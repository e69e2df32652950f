/*
 * textdiff.h - a line diff of two texts, for showing a draft against the
 * file it would replace (the draft screen) and a migration file against the
 * base branch (core/discover/basediff.c): both parts use it, so it sits at
 * the top of core/.
 *
 * The diff is libgit2's (git_diff_buffers: Myers, like `git diff`), so what
 * the workbench shows is what `git show` will show after the commit. The
 * result is a flat list of lines, hunk headers included, ready to draw.
 */
#ifndef SLUICE_TEXTDIFF_H
#define SLUICE_TEXTDIFF_H

#include <stddef.h>
#include "util.h"

enum diff_origin {
	DIFF_CONTEXT = ' ',
	DIFF_ADD = '+',
	DIFF_DEL = '-',
	DIFF_HUNK = '@',   /* "@@ -1,3 +1,4 @@" */
};

struct diff_line {
	enum diff_origin origin;
	int old_no, new_no;     /* line numbers, -1 where the side has none */
	size_t off, len;        /* the line's text in text_diff.text, without '\n' */
};

struct text_diff {
	struct diff_line *v;
	size_t nr, alloc;
	struct strbuf text;
	size_t added, deleted;
};

#define TEXT_DIFF_INIT { NULL, 0, 0, STRBUF_INIT, 0, 0 }

/*
 * Diffs `old` (NULL: the file does not exist yet) against `new`, keeping
 * `context` unchanged lines around each change. Returns 0, or -1 with a
 * message when libgit2 fails.
 */
int text_diff(const char *old, size_t old_len, const char *new, size_t new_len, int context,
	      struct text_diff *out);
void text_diff_release(struct text_diff *d);

#endif
