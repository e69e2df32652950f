/*
 * text.c - cutting untrusted text into drawable cells (see text.h).
 *
 * Decoding is done by hand rather than with mbrtowc() so that the result
 * does not depend on the locale a test or a user happens to run in: the
 * input is taken as UTF-8, and only the width comes from wcwidth().
 */
#include "text.h"
#include "util.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>

/* Decodes one UTF-8 sequence; returns its length, or 0 when invalid. */
static size_t utf8_decode(const unsigned char *s, size_t len, unsigned *cp)
{
	unsigned c = s[0], min;
	size_t n;
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if ((c & 0xE0) == 0xC0) {
		n = 2, c &= 0x1F, min = 0x80;
	} else if ((c & 0xF0) == 0xE0) {
		n = 3, c &= 0x0F, min = 0x800;
	} else if ((c & 0xF8) == 0xF0) {
		n = 4, c &= 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (n > len)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return n;
}

/* How a byte or character we will not draw is shown instead. */
enum escape_form { ESC_BYTE, ESC_ESC, ESC_CTRL, ESC_U4, ESC_U8 };

static void set_escape(struct text_cell *c, enum escape_form form, unsigned v)
{
	switch (form) {
	case ESC_BYTE: snprintf(c->buf, sizeof(c->buf), "\\x%02x", v); break;
	case ESC_ESC: snprintf(c->buf, sizeof(c->buf), "\\e"); break;
	case ESC_CTRL: snprintf(c->buf, sizeof(c->buf), "^%c", (char)(v ^ 0x40)); break;
	case ESC_U4: snprintf(c->buf, sizeof(c->buf), "\\u%04x", v); break;
	case ESC_U8: snprintf(c->buf, sizeof(c->buf), "\\U%08x", v); break;
	}
	c->s = c->buf;
	c->len = strlen(c->buf);
	c->width = (int)c->len;
	c->escaped = true;
}

bool text_next_cell(const char *text, size_t len, size_t *pos, int col, struct text_cell *c)
{
	const unsigned char *s = (const unsigned char *)text + *pos;
	unsigned cp;
	size_t n;

	if (*pos >= len)
		return false;
	c->escaped = false;
	n = utf8_decode(s, len - *pos, &cp);
	if (!n) {
		set_escape(c, ESC_BYTE, s[0]);
		*pos += 1;
		return true;
	}
	*pos += n;
	if (cp == '\t') {
		static const char spaces[] = "        ";
		c->s = spaces;
		c->width = TEXT_TABSTOP - col % TEXT_TABSTOP;
		c->len = (size_t)c->width;
		return true;
	}
	if (cp == 0x1B) {
		set_escape(c, ESC_ESC, 0);
		return true;
	}
	if (cp < 0x20 || cp == 0x7F) {
		set_escape(c, ESC_CTRL, cp);
		return true;
	}
	if (cp >= 0x80 && cp < 0xA0) {
		set_escape(c, ESC_U4, cp);
		return true;
	}
	int w = wcwidth((wchar_t)cp);
	if (w < 0 || (cp >= 0x80 && w == 0 && cp != 0x200D && !(cp >= 0x300 && cp < 0x370))) {
		/* Unprintable in this locale, or an invisible format character
		 * (bidi overrides) that could hide text: show it. */
		set_escape(c, cp > 0xFFFF ? ESC_U8 : ESC_U4, cp);
		return true;
	}
	c->s = (const char *)s;
	c->len = n;
	c->width = w;
	return true;
}

int text_width(const char *text, size_t len)
{
	struct text_cell c;
	size_t pos = 0;
	int w = 0;
	while (text_next_cell(text, len, &pos, w, &c))
		w += c.width;
	return w;
}

size_t text_skip_cols(const char *text, size_t len, int cols)
{
	struct text_cell c;
	size_t pos = 0, at = 0;
	int w = 0;
	while (w < cols && text_next_cell(text, len, &pos, w, &c)) {
		w += c.width;
		at = pos;
	}
	return at;
}

int text_width_of(const char *s)
{
	return text_width(s, strlen(s));
}

long text_find(const char *hay, size_t len, size_t from, const char *needle)
{
	size_t n = strlen(needle);
	if (!n || n > len)
		return -1;
	for (size_t i = from; i + n <= len; i++)
		if (!strncasecmp(hay + i, needle, n))
			return (long)i;
	return -1;
}

size_t text_wrap(const char *text, size_t len, size_t start, int room)
{
	size_t end = start, brk = 0;
	int w = 0;
	while (end < len && text[end] != '\n') {
		/* Measure whole UTF-8 sequences. */
		size_t n = 1;
		int cw;
		while (end + n < len && (text[end + n] & 0xC0) == 0x80)
			n++;
		cw = text_width(text + end, n);
		if (w + cw > room && end > start)
			break;
		if (text[end] == ' ')
			brk = end;
		w += cw;
		end += n;
	}
	if (end < len && text[end] != '\n' && brk > start)
		end = brk;
	return end;
}

size_t text_wrap_skip(const char *text, size_t len, size_t end)
{
	while (end < len && (text[end] == ' ' || text[end] == '\n'))
		end++;
	return end;
}

#define ELLIPSIS "\xe2\x80\xa6"   /* one column */

/* The longest tail of path[0..len) that is at most `room` columns wide, on a character boundary. */
static const char *tail_within(const char *path, size_t len, int room)
{
	const char *tail = path + len;
	while (tail > path) {
		const char *prev = tail - 1;
		while (prev > path && ((unsigned char)*prev & 0xC0) == 0x80)
			prev--;
		if (text_width(prev, (size_t)(path + len - prev)) > room)
			break;
		tail = prev;
	}
	return tail;
}

void text_shorten_path(struct strbuf *out, const char *path, int room)
{
	size_t len = strlen(path);
	if (text_width(path, len) <= room) {
		strbuf_addstr(out, path);
		return;
	}
	if (room < 2) {
		if (room == 1)
			strbuf_addstr(out, ELLIPSIS);
		return;
	}
	/* The longest tail that fits after "…", and the longest of those starting a directory. */
	const char *tail = tail_within(path, len, room - 1), *dir = NULL;
	for (const char *p = tail; *p && !dir; p++)
		if (p > path && p[-1] == '/' && text_width(p, (size_t)(path + len - p)) + 2 <= room)
			dir = p;
	/*
	 * At a directory boundary ("…/0042_add_users/up.sql") when that keeps
	 * most of the room; else the tail cut mid-name, so that a long
	 * directory (diesel's 2026-08-01-000000_add_users/) still says which
	 * migration it is.
	 */
	if (dir && text_width(dir, (size_t)(path + len - dir)) + 2 >= room * 2 / 3) {
		strbuf_addstr(out, ELLIPSIS "/");
		strbuf_addstr(out, dir);
	} else {
		strbuf_addstr(out, ELLIPSIS);
		strbuf_addstr(out, tail);
	}
}
