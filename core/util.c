/*
 * util.c - allocation, strbuf, strlist and the message functions.
 */
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

char strbuf_empty[1];
void (*die_hook)(void);

static void out_of_memory(size_t n)
{
	fprintf(stderr, "fatal: out of memory allocating %zu bytes\n", n);
	exit(2);
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		out_of_memory(n);
	return p;
}

void *xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);
	if (!p)
		out_of_memory(nmemb * size);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		out_of_memory(n);
	return q;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *xstrfmt(const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	return strbuf_detach(&sb, NULL);
}

void strbuf_init(struct strbuf *sb, size_t hint)
{
	sb->len = sb->alloc = 0;
	sb->buf = strbuf_empty;
	if (hint)
		strbuf_grow(sb, hint);
}

void strbuf_grow(struct strbuf *sb, size_t extra)
{
	size_t need = sb->len + extra + 1;
	if (need <= sb->alloc)
		return;
	if (sb->alloc == 0)
		sb->buf = NULL;
	size_t a = sb->alloc < 64 ? 64 : sb->alloc;
	while (a < need)
		a *= 2;
	sb->buf = xrealloc(sb->buf, a);
	sb->alloc = a;
	sb->buf[sb->len] = '\0';
}

void strbuf_add(struct strbuf *sb, const void *data, size_t len)
{
	strbuf_grow(sb, len);
	memcpy(sb->buf + sb->len, data, len);
	sb->len += len;
	sb->buf[sb->len] = '\0';
}

void strbuf_addstr(struct strbuf *sb, const char *s)
{
	strbuf_add(sb, s, strlen(s));
}

void strbuf_addch(struct strbuf *sb, int c)
{
	strbuf_grow(sb, 1);
	sb->buf[sb->len++] = (char)c;
	sb->buf[sb->len] = '\0';
}

/* Formats into the room the buffer has, and again only when that was short. */
void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap)
{
	va_list cp;
	int saved_errno = errno; /* %m: the caller's errno, both times */
	strbuf_grow(sb, 64);
	errno = saved_errno;
	va_copy(cp, ap);
	int n = vsnprintf(sb->buf + sb->len, sb->alloc - sb->len, fmt, cp);
	va_end(cp);
	if (n < 0) {
		sb->buf[sb->len] = '\0';
		return;
	}
	if ((size_t)n >= sb->alloc - sb->len) {
		strbuf_grow(sb, (size_t)n);
		errno = saved_errno;
		vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	}
	sb->len += (size_t)n;
}

void strbuf_addf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	strbuf_vaddf(sb, fmt, ap);
	va_end(ap);
}

void strbuf_reset(struct strbuf *sb)
{
	sb->len = 0;
	if (sb->alloc)
		sb->buf[0] = '\0';
}

void strbuf_trim(struct strbuf *sb)
{
	size_t b = 0, e = sb->len;
	while (b < e && isspace((unsigned char)sb->buf[b]))
		b++;
	while (e > b && isspace((unsigned char)sb->buf[e - 1]))
		e--;
	if (!sb->alloc)
		return;
	memmove(sb->buf, sb->buf + b, e - b);
	sb->len = e - b;
	sb->buf[sb->len] = '\0';
}

char *strbuf_detach(struct strbuf *sb, size_t *len)
{
	char *r = sb->alloc ? sb->buf : xstrdup("");
	if (len)
		*len = sb->len;
	strbuf_init(sb, 0);
	return r;
}

void strbuf_release(struct strbuf *sb)
{
	if (sb->alloc)
		free(sb->buf);
	strbuf_init(sb, 0);
}

/*
 * read(2) straight into the buffer, sized from fstat: no stdio buffer to
 * fill and copy. `st` is the file's fstat, or NULL. A regular file read
 * up to the size fstat gave, by a read that stopped short of the room it
 * had, is at its end: the read that would return 0 is not made (one
 * system call in eight of discovery). Files whose size says nothing
 * (/proc's are 0) are read to the 0.
 */
static int read_fd(struct strbuf *sb, int fd, size_t max, const struct stat *st)
{
	bool regular = st && S_ISREG(st->st_mode);
	/* Room for the whole file and the read that finds its end. */
	if (regular && st->st_size > 0 && (!max || (size_t)st->st_size <= max))
		strbuf_grow(sb, (size_t)st->st_size + 1);
	for (;;) {
		if (sb->alloc - sb->len < 2)
			strbuf_grow(sb, 65536);
		size_t room = sb->alloc - sb->len - 1;
		ssize_t n = read(fd, sb->buf + sb->len, room);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			close(fd);
			errno = EIO;
			return -1;
		}
		if (n == 0)
			break;
		if (max && sb->len + (size_t)n > max) {
			close(fd);
			errno = EFBIG;
			return -1;
		}
		sb->len += (size_t)n;
		sb->buf[sb->len] = '\0';
		if (regular && st->st_size > 0 && sb->len >= (size_t)st->st_size && (size_t)n < room)
			break;
	}
	close(fd);
	strbuf_grow(sb, 0);
	return 0;
}

int strbuf_read_file(struct strbuf *sb, const char *path, size_t max)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0)
		return -1;
	return read_fd(sb, fd, max, fstat(fd, &st) ? NULL : &st);
}

int strbuf_read_regular(struct strbuf *sb, const char *path, size_t max)
{
	struct stat st;
	return strbuf_read_regular_st(sb, path, max, &st);
}

int strbuf_read_regular_st(struct strbuf *sb, const char *path, size_t max, struct stat *st)
{
	/* O_NONBLOCK: opening a FIFO must not wait for a writer */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	memset(st, 0, sizeof(*st));
	if (fd < 0)
		return -1;
	if (fstat(fd, st) < 0 || !S_ISREG(st->st_mode)) {
		close(fd);
		errno = EINVAL;
		return -1;
	}
	if (max && (size_t)st->st_size > max) {
		/* refused before reading: a 5 GB dump must not cost 5 GB */
		close(fd);
		errno = EFBIG;
		return -1;
	}
	return read_fd(sb, fd, max, st);
}

void strlist_add(struct strlist *l, const char *s)
{
	strlist_add_nodup(l, xstrdup(s));
}

void strlist_add_nodup(struct strlist *l, char *s)
{
	ALLOC_GROW(l->items, l->nr + 1, l->alloc);
	l->items[l->nr++] = s;
}

bool strlist_has(const struct strlist *l, const char *s)
{
	for (size_t i = 0; i < l->nr; i++)
		if (!strcmp(l->items[i], s))
			return true;
	return false;
}

void strlist_clear(struct strlist *l)
{
	for (size_t i = 0; i < l->nr; i++)
		free(l->items[i]);
	free(l->items);
	l->items = NULL;
	l->nr = l->alloc = 0;
}

/* Does strbuf_add_printable() escape c? */
static bool needs_escape(unsigned char c, bool keep_newlines)
{
	if (c == '\n')
		return !keep_newlines;
	return (c < 0x20 && c != '\t') || c == 0x7f;
}

/* Clean runs go in whole: the text report passes every message through here. */
void strbuf_add_printable(struct strbuf *sb, const char *s, size_t len, bool keep_newlines)
{
	size_t i = 0;
	while (i < len) {
		size_t run = i;
		while (run < len && !needs_escape((unsigned char)s[run], keep_newlines))
			run++;
		strbuf_add(sb, s + i, run - i);
		if (run == len)
			break;
		if (s[run] == '\n')
			strbuf_addstr(sb, "\\n");
		else
			strbuf_addf(sb, "\\x%02x", (unsigned char)s[run]);
		i = run + 1;
	}
}

const char *printable(struct strbuf *sb, const char *s)
{
	const char *p = nonnull(s);
	size_t clean = 0;
	while (p[clean] && !needs_escape((unsigned char)p[clean], false))
		clean++;
	if (!p[clean])
		return p;    /* nearly always: nothing to escape, nothing to copy */
	strbuf_reset(sb);
	strbuf_add_printable(sb, p, clean + strlen(p + clean), false);
	return sb->buf;
}

/*
 * Messages name files and quote statements from the repository: their
 * control bytes are escaped (see strbuf_add_printable), as the text report
 * does, so a file named "\033[2J.sql" cannot clear the terminal. Newlines
 * stay: a database server's message may span lines.
 */
ATTR_PRINTF(2, 0)
static void vreport(const char *prefix, const char *fmt, va_list ap)
{
	struct strbuf msg = STRBUF_INIT;
	strbuf_vaddf(&msg, fmt, ap);
	struct strbuf out = STRBUF_INIT;
	strbuf_addstr(&out, prefix);
	strbuf_add_printable(&out, msg.buf, msg.len, true);
	strbuf_addch(&out, '\n');
	fputs(out.buf, stderr);
	strbuf_release(&out);
	strbuf_release(&msg);
}

void die(const char *fmt, ...)
{
	va_list ap;
	if (die_hook) {
		void (*hook)(void) = die_hook;
		die_hook = NULL;
		hook();
	}
	va_start(ap, fmt);
	vreport("sluice: fatal: ", fmt, ap);
	va_end(ap);
	exit(2);
}

int error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport("sluice: error: ", fmt, ap);
	va_end(ap);
	return -1;
}

void warning(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport("sluice: warning: ", fmt, ap);
	va_end(ap);
}

void BUG_at(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	if (die_hook)
		die_hook();
	fprintf(stderr, "BUG: %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool istarts_with(const char *s, const char *prefix)
{
	for (; *prefix; s++, prefix++)
		if (tolower((unsigned char)*s) != tolower((unsigned char)*prefix))
			return false;
	return true;
}

bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && !strcmp(s + a - b, suffix);
}

int strcasecmp_ascii(const char *a, const char *b)
{
	for (;; a++, b++) {
		int ca = tolower((unsigned char)*a), cb = tolower((unsigned char)*b);
		if (ca != cb || !ca)
			return ca - cb;
	}
}

char *str_lower(char *s)
{
	for (char *p = s; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return s;
}

int line_of_offset(const char *text, size_t off)
{
	int line = 1;
	for (size_t i = 0; i < off && text[i]; i++)
		if (text[i] == '\n')
			line++;
	return line;
}

bool utf8_valid(const char *str, size_t len, size_t *bad)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;
	while (i < len) {
		unsigned char c = s[i];
		size_t n;
		uint32_t cp;
		if (c < 0x80) {
			i++;
			continue;
		} else if ((c & 0xE0) == 0xC0) {
			n = 1;
			cp = c & 0x1F;
		} else if ((c & 0xF0) == 0xE0) {
			n = 2;
			cp = c & 0x0F;
		} else if ((c & 0xF8) == 0xF0) {
			n = 3;
			cp = c & 0x07;
		} else
			goto fail;
		for (size_t k = 1; k <= n; k++) {
			if (i + k >= len || (s[i + k] & 0xC0) != 0x80)
				goto fail;
			cp = (cp << 6) | (s[i + k] & 0x3F);
		}
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) ||
		    (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
		    (cp >= 0xD800 && cp <= 0xDFFF))
			goto fail;
		i += n + 1;
	}
	return true;
fail:
	if (bad)
		*bad = i;
	return false;
}

double now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
