/*
 * unit-textdiff.c - the draft screen's line diff: what it adds and drops,
 * the line numbers on each side, hunks, a new file, CRLF and a file
 * without a final newline.
 */
#include "textdiff.h"
#include "tap.h"

#include <git2.h>

/* The diff as "+3 text" / "-2 text" / "@..." rows, one per line. */
static char *render(const struct text_diff *d)
{
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < d->nr; i++) {
		const struct diff_line *l = &d->v[i];
		int no = l->origin == DIFF_DEL ? l->old_no : l->new_no;
		if (l->origin == DIFF_HUNK)
			strbuf_addf(&sb, "%.*s\n", (int)l->len, d->text.buf + l->off);
		else
			strbuf_addf(&sb, "%c%d %.*s\n", l->origin, no, (int)l->len, d->text.buf + l->off);
	}
	return strbuf_detach(&sb, NULL);
}

static void check(const char *old, const char *new, int context, const char *want,
		  size_t added, size_t deleted, const char *what)
{
	struct text_diff d = { 0 };
	strbuf_init(&d.text, 0);
	int r = text_diff(old, old ? strlen(old) : 0, new, strlen(new), context, &d);
	is_int(r, 0, "%s: diffs", what);
	char *got = render(&d);
	is_str(got, want, "%s: the rows", what);
	is_int(d.added, added, "%s: lines added", what);
	is_int(d.deleted, deleted, "%s: lines deleted", what);
	free(got);
	text_diff_release(&d);
}

int main(void)
{
	git_libgit2_init();
	check("CREATE INDEX i ON t (a);\n", "CREATE INDEX CONCURRENTLY i ON t (a);\n", 3,
	      "@@ -1 +1 @@\n-1 CREATE INDEX i ON t (a);\n+1 CREATE INDEX CONCURRENTLY i ON t (a);\n",
	      1, 1, "one line changed");
	check(NULL, "SELECT 1;\nSELECT 2;\n", 3, "@@ -0,0 +1,2 @@\n+1 SELECT 1;\n+2 SELECT 2;\n", 2, 0,
	      "a new file is all additions");
	check("a\nb\nc\nd\ne\nf\ng\nh\n", "a\nb\nc\nd\nE\nf\ng\nh\n", 1,
	      "@@ -4,3 +4,3 @@ c\n 4 d\n-5 e\n+5 E\n 6 f\n", 1, 1, "context is limited to what was asked");
	check("a\r\nb\r\n", "a\r\nB\r\n", 3, "@@ -1,2 +1,2 @@\n 1 a\n-2 b\n+2 B\n", 1, 1,
	      "CRLF is not drawn");
	check("x\ny", "x\ny\n", 3, "@@ -1,2 +1,2 @@\n 1 x\n-2 y\n+2 y\n", 1, 1,
	      "a missing final newline is a change, without a '\\ No newline' row");
	check("same\n", "same\n", 3, "", 0, 0, "identical texts have no rows");
	git_libgit2_shutdown();
	return done_testing();
}
