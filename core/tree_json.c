/*
 * tree_json.c - libpg_query's JSON into a cJSON tree, with few mallocs.
 *
 * cJSON_Parse allocates a node, then its key, then its string value: three
 * blocks for most members, each freed on its own later. Parse trees are
 * most of what sluice allocates (about 80 bytes per byte of SQL), and a
 * 5,000-file check spent a third of its time in malloc and free for them.
 *
 * So here a member is one block: the node, its key and its string value
 * after it. And a statement (the "stmt" of each of libpg_query's "stmts")
 * is one block for its whole tree: its size is measured first, then every
 * node and string of the tree is laid out in it, the statement's node at
 * its start. Nodes say so the way cJSON allows, so that cJSON_Delete frees
 * each block once: cJSON_StringIsConst (the key is not a block of its
 * own), cJSON_IsReference on a string (nor is the value; a string has no
 * children for the flag to keep) and on a statement's node (its children
 * live in its block, so cJSON_Delete must not free them one by one).
 *
 * The result is the tree cJSON_Parse builds, node for node, type for type
 * (the flags aside, which cJSON_Is*() ignore). It covers the JSON
 * libpg_query writes; on anything else (a \u escape beyond ASCII, deep
 * nesting, malformed input) it hands the text to cJSON_Parse instead.
 * Trees are read-only once built: cJSON refuses to set a reference's
 * string, and a statement's subtree cannot be freed apart from it (drop a
 * statement's tree whole; tree_kind_only() makes what stands in for it).
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
	bool in_stmts;           /* in the top-level "stmts" array */
	/* In a statement's block: the next node and string byte to take, and its ends. */
	cJSON *nodes, *nodes_end;
	char *strs, *strs_end;
	/* Nodes a block had no room for (measure() and the builder disagreed,
	 * which they should not): freed with the tree given up on. */
	void **strays;
	size_t nr_strays, alloc_strays;
};

static void skip_space(struct json_in *in)
{
	while (*in->p && (unsigned char)*in->p <= ' ')
		in->p++;
}

/*
 * Bytes between the quote at s[0] and its closing quote, or -1: the first
 * quote after an even run of backslashes (strchr finds quotes faster than
 * a loop over the bytes, and a tree is mostly short quoted keys).
 */
static long quoted_len(const char *s)
{
	for (const char *p = s + 1;;) {
		const char *q = strchr(p, '"');
		size_t backslashes = 0;
		if (!q)
			return -1;
		while (q - backslashes > s + 1 && q[-1 - (long)backslashes] == '\\')
			backslashes++;
		if (!(backslashes & 1))
			return q - s - 1;
		p = q + 1;
	}
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

/* May c be part of a number (the characters cJSON's parse_number takes)? */
static inline bool number_char(char c)
{
	return (c >= '0' && c <= '9') || c == '+' || c == '-' || c == 'e' || c == 'E' || c == '.';
}

/*
 * Decodes the string whose opening quote in->p is at, raw_len bytes
 * before its closing quote, into out (which has room for them) and moves
 * past the closing quote. Most strings have no escape: one copy.
 */
static void decode(struct json_in *in, char *out, size_t raw_len)
{
	const char *p = in->p + 1;
	if (!memchr(p, '\\', raw_len)) {
		memcpy(out, p, raw_len);
		out[raw_len] = '\0';
		in->p = p + raw_len + 1;
		return;
	}
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

static void *json_alloc(size_t n)
{
	void *p = cJSON_malloc(n);
	if (!p)
		die("out of memory");
	return p;
}

/* A zeroed node and `extra` bytes for its strings (*room): from the block, or one malloc. */
static cJSON *new_node(struct json_in *in, size_t extra, char **room)
{
	cJSON *n;
	if (in->nodes && in->nodes < in->nodes_end && extra <= (size_t)(in->strs_end - in->strs)) {
		n = in->nodes++;
		*room = in->strs;
		in->strs += extra;
		return n;
	}
	n = json_alloc(sizeof(cJSON) + extra);
	memset(n, 0, sizeof(*n));
	*room = (char *)(n + 1);
	if (in->nodes) {
		in->bad = true;
		ALLOC_GROW(in->strays, in->nr_strays + 1, in->alloc_strays);
		in->strays[in->nr_strays++] = n;
	}
	return n;
}

/*
 * Counts the nodes of the value at *p and the bytes its keys and strings
 * take (raw length and a NUL each), and moves *p past it; false on
 * anything the builder would not take either.
 */
static bool measure(const char **p, int depth, size_t *nodes, size_t *bytes)
{
	const char *s = *p;
	(*nodes)++;
	if (*s == '"') {
		long n = quoted_len(s);
		if (n < 0)
			return false;
		*bytes += (size_t)n + 1;
		*p = s + n + 2;
		return true;
	}
	if (*s == '-' || (*s >= '0' && *s <= '9')) {
		while (number_char(*s))
			s++;
		*p = s;
		return true;
	}
	if (*s != '{' && *s != '[') {
		static const char *const literals[] = { "true", "false", "null" };
		for (size_t i = 0; i < ARRAY_SIZE(literals); i++)
			if (!strncmp(s, literals[i], strlen(literals[i]))) {
				*p = s + strlen(literals[i]);
				return true;
			}
		return false;
	}
	char close = *s == '{' ? '}' : ']';
	bool object = *s == '{';
	if (depth > MAX_DEPTH)
		return false;
	s++;
	if (*s == close) {
		*p = s + 1;
		return true;
	}
	for (;;) {
		if (object) {
			long n = *s == '"' ? quoted_len(s) : -1;
			if (n < 0 || s[n + 2] != ':')
				return false;
			*bytes += (size_t)n + 1;
			s += n + 3;
		}
		if (!measure(&s, depth + 1, nodes, bytes))
			return false;
		if (*s == ',') {
			s++;
			continue;
		}
		if (*s != close)
			return false;
		*p = s + 1;
		return true;
	}
}

/*
 * A value: a node for it, with its key (the raw bytes of a quoted key at
 * `key`, or NULL in an array) in the same block, and a string value too.
 */
static cJSON *parse_value(struct json_in *in, const char *key, long key_len);

/* Is this member the "stmt" of one of the top-level "stmts"? */
static bool is_statement(const struct json_in *in, const char *key, long key_len)
{
	return key && in->in_stmts && in->depth == 3 && !in->nodes && key_len == 4 &&
	       !memcmp(key + 1, "stmt", 4);
}

/*
 * A statement: its whole tree in one block, its node first. Measured
 * first; if that fails, node by node (and the builder says why).
 */
static cJSON *parse_block(struct json_in *in, const char *key, long key_len)
{
	size_t nodes = 0, bytes = (size_t)key_len + 1;
	const char *end = in->p;
	if (!measure(&end, in->depth, &nodes, &bytes))
		return parse_value(in, key, key_len);
	char *block = json_alloc(nodes * sizeof(cJSON) + bytes);
	memset(block, 0, nodes * sizeof(cJSON));
	in->nodes = (cJSON *)block;
	in->nodes_end = in->nodes + nodes;
	in->strs = block + nodes * sizeof(cJSON);
	in->strs_end = in->strs + bytes;
	cJSON *node = parse_value(in, key, key_len);
	in->nodes = in->nodes_end = NULL;
	in->strs = in->strs_end = NULL;
	/* cJSON_Delete(node) frees the block, and not the nodes in it one by one. */
	node->type |= cJSON_IsReference;
	return node;
}

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
		bool stmts = key && in->depth == 1 && key_len == 5 && !memcmp(key + 1, "stmts", 5);
		in->in_stmts |= stmts;
		cJSON *child = is_statement(in, key, key_len) ? parse_block(in, key, key_len)
							       : parse_value(in, key, key_len);
		if (stmts)
			in->in_stmts = false;
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

/*
 * An integer of up to 15 digits, the numbers libpg_query writes (locations,
 * lengths): its value, exactly what strtod gives for it; false for any
 * other number.
 */
static bool parse_small_int(struct json_in *in, cJSON *node)
{
	const char *p = in->p;
	bool neg = *p == '-';
	long long v = 0;
	size_t digits = 0;
	p += neg;
	while (*p >= '0' && *p <= '9' && digits < 16)
		v = v * 10 + (*p++ - '0'), digits++;
	if (!digits || digits > 15 || number_char(*p))
		return false;
	double d = neg ? -(double)v : (double)v;
	node->type |= cJSON_Number;
	node->valuedouble = d;
	node->valueint = d >= INT_MAX ? INT_MAX : d <= (double)INT_MIN ? INT_MIN : (int)d;
	in->p = p;
	return true;
}

/* As cJSON's parse_number: strtod over the characters a number may have. */
static void parse_number(struct json_in *in, cJSON *node)
{
	char buf[64];
	size_t n = 0;
	if (parse_small_int(in, node))
		return;
	while (n < sizeof(buf) - 1 && number_char(in->p[n]))
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
	char *room;
	cJSON *node = new_node(in, key_room + (string ? (size_t)value_len + 1 : 0), &room);
	if (key) {
		struct json_in k = { .p = key };
		decode(&k, room, (size_t)key_len);
		node->string = room;
		node->type |= cJSON_StringIsConst;
		if (k.bad) {
			node->string = NULL;
			in->bad = true;
			return node;
		}
	}
	if (string) {
		decode(in, room + key_room, (size_t)value_len);
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
	struct json_in in;
	if (!json)
		return NULL;
	memset(&in, 0, sizeof(in));
	in.p = json;
	skip_space(&in);
	cJSON *root = parse_value(&in, NULL, 0);
	if (in.bad) {
		cJSON_Delete(root);
		for (size_t i = 0; i < in.nr_strays; i++)
			cJSON_free(in.strays[i]);
		free(in.strays);
		return cJSON_Parse(json);
	}
	return root;
}

cJSON *tree_kind_only(const char *kind)
{
	size_t len = strlen(kind) + 1;
	cJSON *node = json_alloc(2 * sizeof(cJSON) + len), *body = node + 1;
	char *key = (char *)(node + 2);
	memset(node, 0, 2 * sizeof(cJSON));
	memcpy(key, kind, len);
	node->type = cJSON_Object | cJSON_IsReference;    /* one block, as a statement's */
	node->child = body;
	body->type = cJSON_Object | cJSON_StringIsConst;
	body->string = key;
	body->prev = body;
	return node;
}
