/*
 * tree_json.c - libpg_query's JSON into a cJSON tree, with fewer mallocs.
 *
 * cJSON_Parse allocates a node, then its key, then its string value: three
 * blocks for most members, each freed on its own later. Parse trees are
 * most of what sluice allocates (about 80 bytes per byte of SQL), so here
 * a member is one block: the node, its key and its string value after it.
 * The node says so the way cJSON allows, so cJSON_Delete frees the block
 * once: cJSON_StringIsConst (the key is not a block of its own) and, on
 * string values, cJSON_IsReference (nor is the value; a string has no
 * children for that flag to keep).
 *
 * The result is the tree cJSON_Parse builds, node for node, type for type
 * (the two flags aside, which cJSON_Is*() ignore). It covers the JSON
 * libpg_query writes; on anything else (a \u escape beyond ASCII, deep
 * nesting, malformed input) it hands the text to cJSON_Parse instead.
 * Trees are read-only once built, which the flags require: cJSON refuses
 * to set a reference's string.
 */
#include "tree.h"
#include "util.h"

#include <limits.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 256    /* below cJSON's 1000; deeper goes to cJSON_Parse */

struct json_in {
	const char *p;
	int depth;
	bool bad;
};

static void skip_space(struct json_in *in)
{
	while (*in->p && (unsigned char)*in->p <= ' ')
		in->p++;
}

/* Bytes between the quote at s[0] and its closing quote, or -1. */
static long quoted_len(const char *s)
{
	const char *p = s + 1;
	while (*p && *p != '"')
		p += p[0] == '\\' && p[1] ? 2 : 1;
	return *p == '"' ? p - s - 1 : -1;
}

static int hex4(const char *s)
{
	int v = 0;
	for (int i = 0; i < 4; i++) {
		char c = s[i];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	return v;
}

/*
 * Decodes the string whose opening quote in->p is at into out (which has
 * room for its raw length) and moves past the closing quote.
 */
static void decode(struct json_in *in, char *out)
{
	const char *p = in->p + 1;
	while (*p != '"') {
		if (*p != '\\') {
			*out++ = *p++;
			continue;
		}
		switch (p[1]) {
		case 'b': *out++ = '\b'; break;
		case 'f': *out++ = '\f'; break;
		case 'n': *out++ = '\n'; break;
		case 'r': *out++ = '\r'; break;
		case 't': *out++ = '\t'; break;
		case '"': case '\\': case '/': *out++ = p[1]; break;
		case 'u': {
			/* libpg_query escapes control characters only; the rest is cJSON's */
			int c = hex4(p + 2);
			if (c < 0 || c >= 0x80) {
				in->bad = true;
				return;
			}
			*out++ = (char)c;
			p += 4;
			break;
		}
		default:
			in->bad = true;
			return;
		}
		p += 2;
	}
	*out = '\0';
	in->p = p + 1;
}

/* A node with `extra` bytes after it for its strings. */
static cJSON *new_node(size_t extra)
{
	cJSON *n = cJSON_malloc(sizeof(cJSON) + extra);
	if (!n)
		die("out of memory");
	memset(n, 0, sizeof(*n));
	return n;
}

/*
 * A value: a node for it, with its key (the raw bytes of a quoted key at
 * `key`, or NULL in an array) in the same block, and a string value too.
 */
static cJSON *parse_value(struct json_in *in, const char *key, long key_len);

static void parse_container(struct json_in *in, cJSON *node, bool object)
{
	cJSON *last = NULL;
	char close = object ? '}' : ']';
	node->type |= object ? cJSON_Object : cJSON_Array;
	if (++in->depth > MAX_DEPTH) {
		in->bad = true;
		return;
	}
	in->p++;
	skip_space(in);
	if (*in->p == close) {
		in->p++;
		in->depth--;
		return;
	}
	for (;;) {
		const char *key = NULL;
		long key_len = 0;
		skip_space(in);
		if (object) {
			if (*in->p != '"' || (key_len = quoted_len(in->p)) < 0) {
				in->bad = true;
				return;
			}
			key = in->p;
			in->p += key_len + 2;
			skip_space(in);
			if (*in->p++ != ':') {
				in->bad = true;
				return;
			}
			skip_space(in);
		}
		cJSON *child = parse_value(in, key, key_len);
		if (!child)
			return;
		/* Linked at once, so a tree given up on halfway is cJSON_Delete's to free. */
		if (last) {
			last->next = child;
			child->prev = last;
		} else
			node->child = child;
		last = child;
		node->child->prev = last;    /* cJSON: the first's prev is the last */
		if (in->bad)
			return;
		skip_space(in);
		if (*in->p == ',') {
			in->p++;
			continue;
		}
		if (*in->p != close) {
			in->bad = true;
			return;
		}
		in->p++;
		in->depth--;
		return;
	}
}

/* As cJSON's parse_number: strtod over the characters a number may have. */
static void parse_number(struct json_in *in, cJSON *node)
{
	char buf[64];
	size_t n = 0;
	while (n < sizeof(buf) - 1 && in->p[n] && strchr("0123456789+-eE.", in->p[n]))
		n++;
	memcpy(buf, in->p, n);
	buf[n] = '\0';
	for (size_t i = 0; i < n; i++)
		if (buf[i] == '.')
			buf[i] = localeconv()->decimal_point[0];
	char *end;
	double d = strtod(buf, &end);
	if (end == buf) {
		in->bad = true;
		return;
	}
	node->type |= cJSON_Number;
	node->valuedouble = d;
	node->valueint = d >= INT_MAX ? INT_MAX : d <= (double)INT_MIN ? INT_MIN : (int)d;
	in->p += end - buf;
}

static cJSON *parse_value(struct json_in *in, const char *key, long key_len)
{
	size_t key_room = key ? (size_t)key_len + 1 : 0;
	long value_len = *in->p == '"' ? quoted_len(in->p) : 0;
	if (value_len < 0) {
		in->bad = true;
		return NULL;
	}
	bool string = *in->p == '"';
	cJSON *node = new_node(key_room + (string ? (size_t)value_len + 1 : 0));
	char *room = (char *)(node + 1);
	if (key) {
		struct json_in k = { key, 0, false };
		decode(&k, room);
		node->string = room;
		node->type |= cJSON_StringIsConst;
		if (k.bad) {
			node->string = NULL;
			in->bad = true;
			return node;
		}
	}
	if (string) {
		decode(in, room + key_room);
		node->valuestring = room + key_room;
		node->type |= cJSON_String | cJSON_IsReference;
		if (in->bad)
			node->valuestring = NULL;
		return node;
	}
	if (*in->p == '{' || *in->p == '[')
		parse_container(in, node, *in->p == '{');
	else if (!strncmp(in->p, "true", 4)) {
		node->type |= cJSON_True;
		node->valueint = 1;
		in->p += 4;
	} else if (!strncmp(in->p, "false", 5)) {
		node->type |= cJSON_False;
		in->p += 5;
	} else if (!strncmp(in->p, "null", 4)) {
		node->type |= cJSON_NULL;
		in->p += 4;
	} else if (*in->p == '-' || (*in->p >= '0' && *in->p <= '9'))
		parse_number(in, node);
	else
		in->bad = true;
	return node;
}

cJSON *tree_parse_json(const char *json)
{
	struct json_in in = { json, 0, false };
	if (!json)
		return NULL;
	skip_space(&in);
	cJSON *root = parse_value(&in, NULL, 0);
	if (in.bad) {
		cJSON_Delete(root);
		return cJSON_Parse(json);
	}
	return root;
}
