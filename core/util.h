/*
 * util.h - memory, strings and messages shared by every part of sluice.
 *
 * Modelled on git: allocation never returns NULL (we die instead, because a
 * migration linter that half-ran is worse than one that stopped), growable
 * strings replace fixed buffers, and messages have one shape everywhere:
 * lowercase, the subject quoted, e.g. "cannot open 'db/001.sql': No such file".
 */
#ifndef SLUICE_UTIL_H
#define SLUICE_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define ATTR_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define ATTR_NORETURN __attribute__((noreturn))

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xstrfmt(const char *fmt, ...) ATTR_PRINTF(1, 2);

/* Grow array `x` (with `alloc` slots) so that it holds at least `nr`. */
#define ALLOC_GROW(x, nr, alloc)                                              \
	do {                                                                  \
		if ((size_t)(nr) > (size_t)(alloc)) {                         \
			size_t alloc_ = (alloc) < 8 ? 8 : (alloc) * 2;        \
			if (alloc_ < (size_t)(nr))                            \
				alloc_ = (nr);                                \
			(x) = xrealloc((x), alloc_ * sizeof(*(x)));           \
			(alloc) = alloc_;                                     \
		}                                                             \
	} while (0)

/* A growable, always NUL-terminated string. */
struct strbuf {
	size_t len, alloc;
	char *buf;
};
#define STRBUF_INIT { 0, 0, strbuf_empty }
extern char strbuf_empty[];

void strbuf_init(struct strbuf *sb, size_t hint);
void strbuf_grow(struct strbuf *sb, size_t extra);
void strbuf_add(struct strbuf *sb, const void *data, size_t len);
void strbuf_addstr(struct strbuf *sb, const char *s);
void strbuf_addch(struct strbuf *sb, int c);
void strbuf_addf(struct strbuf *sb, const char *fmt, ...) ATTR_PRINTF(2, 3);
void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap) ATTR_PRINTF(2, 0);
/*
 * Appends `s` with its control bytes (and DEL) as C escapes, \xNN, so that
 * text from a repository (a file name, a statement, an identifier) cannot
 * drive a terminal. Newlines become \n too unless `keep_newlines`; a tab
 * is kept.
 */
void strbuf_add_printable(struct strbuf *sb, const char *s, size_t len, bool keep_newlines);
/*
 * `s` made printable, one line: in sb (reset first), returning sb->buf, or
 * `s` itself when it has nothing to escape. Use the result before the
 * next call with the same sb.
 */
const char *printable(struct strbuf *sb, const char *s);
void strbuf_reset(struct strbuf *sb);
void strbuf_trim(struct strbuf *sb);
char *strbuf_detach(struct strbuf *sb, size_t *len);
void strbuf_release(struct strbuf *sb);
/* Reads a whole file; -1 with errno set on failure. */
int strbuf_read_file(struct strbuf *sb, const char *path, size_t max);
/* The same for a regular file only: never waits on a FIFO or reads a device (EINVAL). */
int strbuf_read_regular(struct strbuf *sb, const char *path, size_t max);
/*
 * The same, saying what the file is in *st (its fstat; zeroed when it
 * could not be opened): EINVAL when it is not regular, EFBIG when it is
 * over `max`, refused before a byte is read. One open and one fstat, for
 * callers that would stat the path first to say so.
 */
struct stat;
int strbuf_read_regular_st(struct strbuf *sb, const char *path, size_t max, struct stat *st);

/* A list of owned strings. */
struct strlist {
	char **items;
	size_t nr, alloc;
};
#define STRLIST_INIT { NULL, 0, 0 }
void strlist_add(struct strlist *l, const char *s);
void strlist_add_nodup(struct strlist *l, char *s);
bool strlist_has(const struct strlist *l, const char *s);
void strlist_clear(struct strlist *l);

/*
 * Messages. error() returns -1 so a caller can `return error(...)`.
 * die() exits 2 (sluice's "usage or I/O error" code) after running the
 * die hook, which the TUI sets to restore the terminal first.
 */
void die(const char *fmt, ...) ATTR_PRINTF(1, 2) ATTR_NORETURN;
int error(const char *fmt, ...) ATTR_PRINTF(1, 2);
void warning(const char *fmt, ...) ATTR_PRINTF(1, 2);
void BUG_at(const char *file, int line, const char *fmt, ...) ATTR_PRINTF(3, 4) ATTR_NORETURN;
#define BUG(...) BUG_at(__FILE__, __LINE__, __VA_ARGS__)
extern void (*die_hook)(void);

/* Small string helpers. */
static inline const char *nonnull(const char *s) { return s ? s : ""; }
/*
 * !strcmp(a, b), inline: for the short names compared in the hot loops
 * (tree keys, column names, statement kinds), where most pairs differ in
 * the first bytes and the call into strcmp cost more than the compare.
 */
static inline bool str_eq(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}
bool starts_with(const char *s, const char *prefix);
bool ends_with(const char *s, const char *suffix);
bool istarts_with(const char *s, const char *prefix);
int strcasecmp_ascii(const char *a, const char *b);
char *str_lower(char *s);
/* Line number (1-based) of byte offset `off` in `text`. */
int line_of_offset(const char *text, size_t off);
/* True when `len` bytes at `s` are valid UTF-8; *bad gets the first bad offset. */
bool utf8_valid(const char *s, size_t len, size_t *bad);
/* Monotonic clock in seconds, for timings. */
double now_seconds(void);

#endif
