/*
 * json_print.c - cJSON_Print's formatted text, fast (see json_print.h).
 *
 * The format of cJSON 1.7: an object is "{", a newline, then per member
 * `depth` tabs, the key, ":", a tab, the value, "," unless last, a
 * newline; then depth - 1 tabs and "}". An array is "[", its values
 * joined by ", ", "]", on one line. Both count one level of depth.
 * Strings escape '"', '\\', the named control characters and the other
 * bytes below 0x20 as \u00XX; every other byte is copied as it is.
 * Numbers: "%d" of valueint when the double equals it; any other number
 * is rare in a report and left to cJSON's own code.
 *
 * String values that are not valid UTF-8 are printed as
 * report_json_fix_utf8() would have made them (a U+FFFD for each bad
 * byte), so that a report need not walk its tree to fix them first.
 */
#include "json_print.h"
#include "util.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* strbuf_add, without a call when the buffer has room: most adds are a few bytes. */
static inline void put(struct strbuf *sb, const char *s, size_t n)
{
	if (sb->len + n >= sb->alloc)
		strbuf_grow(sb, n);
	memcpy(sb->buf + sb->len, s, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
}

static inline void putch(struct strbuf *sb, char c)
{
	put(sb, &c, 1);
}

/* "%d" */
static void put_int(struct strbuf *sb, int v)
{
	char d[16];
	size_t i = sizeof(d);
	unsigned u = v < 0 ? 0u - (unsigned)v : (unsigned)v;
	do
		d[--i] = (char)('0' + u % 10);
	while (u /= 10);
	if (v < 0)
		d[--i] = '-';
	put(sb, d + i, sizeof(d) - i);
}

char *json_utf8_fixed(const char *s)
{
	size_t rest = strlen(s), bad;
	if (utf8_valid(s, rest, &bad))
		return NULL;
	struct strbuf sb = STRBUF_INIT;
	while (!utf8_valid(s, rest, &bad)) {
		strbuf_add(&sb, s, bad);
		strbuf_addstr(&sb, "\xEF\xBF\xBD");
		s += bad + 1;
		rest -= bad + 1;
	}
	strbuf_add(&sb, s, rest);
	return strbuf_detach(&sb, NULL);
}

/* The escape of c: a byte below 0x20, '"' or '\\'. */
static void put_escape(struct strbuf *sb, unsigned char c)
{
	switch (c) {
	case '"': put(sb, "\\\"", 2); break;
	case '\\': put(sb, "\\\\", 2); break;
	case '\b': put(sb, "\\b", 2); break;
	case '\f': put(sb, "\\f", 2); break;
	case '\n': put(sb, "\\n", 2); break;
	case '\r': put(sb, "\\r", 2); break;
	case '\t': put(sb, "\\t", 2); break;
	default: strbuf_addf(sb, "\\u%04x", c); break;
	}
}

/*
 * A key as it is, a value made UTF-8 (fix). Most strings are ASCII: the
 * first byte over 0x7f, if any, has the rest checked (and fixed when it
 * is not UTF-8); the bytes before it can start no sequence.
 */
static void print_string(struct strbuf *sb, const char *s, bool fix)
{
	char *fixed = NULL;
	bool checked = !fix;
	putch(sb, '"');
	for (const char *p = s; p && *p;) {
		const char *q = p;
		unsigned char c;
		while ((c = (unsigned char)*q) >= 0x20 && c != '"' && c != '\\' && (c < 0x80 || checked))
			q++;
		put(sb, p, (size_t)(q - p));
		p = q;
		if (!*p)
			break;
		if ((unsigned char)*p >= 0x80) {
			size_t bad;
			checked = true;
			if (!utf8_valid(p, strlen(p), &bad))
				p = fixed = json_utf8_fixed(p);
			continue;
		}
		put_escape(sb, (unsigned char)*p++);
	}
	putch(sb, '"');
	free(fixed);
}

/* A number, or a raw value: as cJSON prints it, the rare ones by cJSON itself. */
static bool print_number(struct strbuf *sb, const cJSON *item)
{
	double d = item->valuedouble;
	if (cJSON_IsNumber(item) && d == (double)item->valueint) {
		put_int(sb, item->valueint);
		return true;
	}
	char *s = cJSON_PrintUnformatted(item);
	if (!s)
		return false;
	strbuf_addstr(sb, s);
	free(s);
	return true;
}

static void tabs(struct strbuf *sb, int n)
{
	static const char t[] = "\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t";
	for (; n > 0; n -= (int)sizeof(t) - 1)
		put(sb, t, n < (int)sizeof(t) - 1 ? (size_t)n : sizeof(t) - 1);
}

static bool print_object(struct strbuf *sb, const cJSON *item, int depth)
{
	put(sb, "{\n", 2);
	depth++;
	for (const cJSON *c = item->child; c; c = c->next) {
		tabs(sb, depth);
		print_string(sb, c->string, false);
		put(sb, ":\t", 2);
		if (!json_print(sb, c, depth))
			return false;
		if (c->next)
			putch(sb, ',');
		putch(sb, '\n');
	}
	tabs(sb, depth - 1);
	putch(sb, '}');
	return true;
}

static bool print_array(struct strbuf *sb, const cJSON *item, int depth)
{
	putch(sb, '[');
	for (const cJSON *c = item->child; c; c = c->next) {
		if (!json_print(sb, c, depth + 1))
			return false;
		if (c->next)
			put(sb, ", ", 2);
	}
	putch(sb, ']');
	return true;
}

bool json_print(struct strbuf *sb, const cJSON *item, int depth)
{
	if (!item)
		return false;
	switch (item->type & 0xFF) {
	case cJSON_NULL:
		put(sb, "null", 4);
		return true;
	case cJSON_False:
		put(sb, "false", 5);
		return true;
	case cJSON_True:
		put(sb, "true", 4);
		return true;
	case cJSON_Number:
	case cJSON_Raw:
		return print_number(sb, item);
	case cJSON_String:
		print_string(sb, item->valuestring, true);    /* NULL: "" */
		return true;
	case cJSON_Array:
		return print_array(sb, item, depth);
	case cJSON_Object:
		return print_object(sb, item, depth);
	default:
		return false;
	}
}

/* --- the writer ----------------------------------------------------------- */

void json_out_init(struct json_out *jo, struct strbuf *sb, int depth)
{
	memset(jo, 0, sizeof(*jo));
	jo->sb = sb;
	jo->depth = depth;
}

/* What goes before a value: the separator, and in an object the key. */
static void member(struct json_out *jo, const char *key)
{
	if (!jo->level)
		return;
	int l = jo->level - 1;
	if (jo->array[l]) {
		if (jo->has[l])
			put(jo->sb, ", ", 2);
	} else {
		if (jo->has[l])
			put(jo->sb, ",\n", 2);
		tabs(jo->sb, jo->depth);
		print_string(jo->sb, key, false);
		put(jo->sb, ":\t", 2);
	}
	jo->has[l] = true;
}

void json_open(struct json_out *jo, const char *key, bool array)
{
	if (jo->level >= JSON_OUT_LEVELS)
		die("json_open: nested too deep");
	member(jo, key);
	put(jo->sb, array ? "[" : "{\n", array ? 1 : 2);
	jo->depth++;
	jo->has[jo->level] = false;
	jo->array[jo->level++] = array;
}

void json_close(struct json_out *jo)
{
	int l = --jo->level;
	jo->depth--;
	if (jo->array[l]) {
		putch(jo->sb, ']');
		return;
	}
	if (jo->has[l])
		putch(jo->sb, '\n');
	tabs(jo->sb, jo->depth);
	putch(jo->sb, '}');
}

void json_str(struct json_out *jo, const char *key, const char *s)
{
	member(jo, key);
	print_string(jo->sb, s, true);
}

void json_num(struct json_out *jo, const char *key, double d)
{
	cJSON n = { .type = cJSON_Number, .valuedouble = d };
	/* cJSON_CreateNumber's valueint, which print_number compares with */
	n.valueint = d >= INT_MAX ? INT_MAX : d <= (double)INT_MIN ? INT_MIN : (int)d;
	member(jo, key);
	print_number(jo->sb, &n);
}

void json_bool(struct json_out *jo, const char *key, bool b)
{
	member(jo, key);
	put(jo->sb, b ? "true" : "false", b ? 4 : 5);
}

void json_item(struct json_out *jo, const char *key, const cJSON *item)
{
	member(jo, key);
	json_print(jo->sb, item, jo->depth);
}
