/*
 * unit-read.c - strbuf_read_file() and strbuf_read_regular() (core/util.c)
 * read whole files: with the read that finds the end skipped for a
 * regular file read to its fstat size, files of every size and those
 * whose size says nothing (/proc's are 0) must still come whole.
 */
#include "tap.h"
#include "util.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

/* A file of n bytes (a pattern, no NUL) in a temporary directory. */
static char *make_file(const char *dir, size_t n)
{
	char *path = xstrfmt("%s/f%zu", dir, n);
	FILE *f = fopen(path, "w");
	for (size_t i = 0; i < n; i++)
		fputc('a' + (int)(i % 26), f);
	fclose(f);
	return path;
}

static bool pattern_ok(const struct strbuf *sb, size_t n)
{
	if (sb->len != n || sb->buf[n] != '\0')
		return false;
	for (size_t i = 0; i < n; i++)
		if (sb->buf[i] != 'a' + (int)(i % 26))
			return false;
	return true;
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");
	char *dir = xstrfmt("%s/unit-read-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir))
		return 1;
	static const size_t sizes[] = { 0, 1, 4095, 4096, 65535, 65536, 65537, 300000 };
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		char *p = make_file(dir, sizes[i]);
		struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
		ok(strbuf_read_file(&a, p, 0) == 0 && pattern_ok(&a, sizes[i]),
		   "strbuf_read_file reads all %zu bytes", sizes[i]);
		ok(strbuf_read_regular(&b, p, 1 << 20) == 0 && pattern_ok(&b, sizes[i]),
		   "strbuf_read_regular reads all %zu bytes", sizes[i]);
		strbuf_release(&a);
		strbuf_release(&b);
		unlink(p);
		free(p);
	}

	/* over the limit: EFBIG, whether or not fstat's size would say so first */
	char *big = make_file(dir, 70000);
	struct strbuf sb = STRBUF_INIT;
	errno = 0;
	ok(strbuf_read_regular(&sb, big, 1000) < 0 && errno == EFBIG, "70,000 bytes over a 1,000 limit: EFBIG");
	strbuf_release(&sb);
	unlink(big);
	free(big);

	/* appended to after the read: the next read sees the new end */
	char *grow = make_file(dir, 100);
	ok(strbuf_read_file(&sb, grow, 0) == 0 && sb.len == 100, "a file read at 100 bytes");
	FILE *f = fopen(grow, "a");
	fputs("more", f);
	fclose(f);
	strbuf_reset(&sb);
	ok(strbuf_read_file(&sb, grow, 0) == 0 && sb.len == 104, "read again after 4 more: 104");
	strbuf_release(&sb);
	unlink(grow);
	free(grow);

	/* /proc files say size 0 and come a page at a time: read to the 0 */
	struct strbuf maps = STRBUF_INIT;
	FILE *pf = fopen("/proc/self/maps", "r");
	size_t want = 0;
	int c;
	while (pf && (c = fgetc(pf)) != EOF)
		want++;
	if (pf)
		fclose(pf);
	ok(strbuf_read_file(&maps, "/proc/self/maps", 0) == 0 && maps.len > 0 &&
	   (maps.len + 256 > want && maps.len < want + 256),
	   "/proc/self/maps (size 0) read whole: %zu bytes, stdio read %zu", maps.len, want);
	strbuf_release(&maps);

	rmdir(dir);
	free(dir);
	return done_testing();
}
