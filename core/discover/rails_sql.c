/*
 * rails_sql.c - the pieces of SQL ActiveRecord builds for PostgreSQL, as
 * ActiveRecord 6.1 (Debian 12's ruby-activerecord) and 7.x build them:
 *   activerecord/lib/active_record/connection_adapters/postgresql/
 *     schema_statements.rb (type_to_sql), quoting.rb
 *   activerecord/lib/active_record/connection_adapters/abstract/
 *     schema_statements.rb (index_name, foreign_key_name, check_constraint_name)
 *   activesupport/lib/active_support/inflections.rb (singular and plural)
 * tests/t-rails.sh compares what is built here with what ActiveRecord sends.
 */
#include "rails_int.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

char *rsql_ident(const char *name)
{
	struct strbuf sb = STRBUF_INIT;
	const char *dot = strchr(name, '.');
	if (dot) {
		/* "public.users" -> "public"."users", as quote_table_name */
		char *schema = xstrndup(name, (size_t)(dot - name)), *a = rsql_ident(schema),
		     *b = rsql_ident(dot + 1);
		char *r = xstrfmt("%s.%s", a, b);
		free(schema);
		free(a);
		free(b);
		return r;
	}
	strbuf_addch(&sb, '"');
	for (const char *p = name; *p; p++) {
		if (*p == '"')
			strbuf_addch(&sb, '"');
		strbuf_addch(&sb, *p);
	}
	strbuf_addch(&sb, '"');
	return strbuf_detach(&sb, NULL);
}

static void add_quoted(struct strbuf *sb, const char *s)
{
	strbuf_addch(sb, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			strbuf_addch(sb, '\'');
		strbuf_addch(sb, *s);
	}
	strbuf_addch(sb, '\'');
}

/* An array default, '{a,b}', as PostgreSQL's array literal. */
static char *array_literal(const struct rvalue *v)
{
	struct strbuf sb = STRBUF_INIT, body = STRBUF_INIT;
	strbuf_addch(&body, '{');
	for (size_t i = 0; i < v->nr; i++) {
		const struct rvalue *it = &v->items[i];
		if (it->kind != RV_STR && it->kind != RV_NUM && it->kind != RV_SYM) {
			strbuf_release(&body);
			return NULL;
		}
		if (i)
			strbuf_addch(&body, ',');
		strbuf_addstr(&body, it->s);
	}
	strbuf_addch(&body, '}');
	add_quoted(&sb, body.buf);
	strbuf_release(&body);
	return strbuf_detach(&sb, NULL);
}

char *rsql_literal(const struct rvalue *v)
{
	struct strbuf sb = STRBUF_INIT;
	switch (v->kind) {
	case RV_NIL: return xstrdup("NULL");
	case RV_TRUE: return xstrdup("TRUE");
	case RV_FALSE: return xstrdup("FALSE");
	case RV_NUM: return xstrdup(v->s);
	case RV_LAMBDA: return xstrdup(v->s);
	case RV_SYM:
	case RV_STR:
		if (v->interp)
			return NULL;
		add_quoted(&sb, v->s);
		return strbuf_detach(&sb, NULL);
	case RV_ARRAY: return array_literal(v);
	case RV_HASH: return v->nr ? NULL : xstrdup("'{}'");
	default: return NULL;
	}
}

/* ActiveRecord's native types for PostgreSQL (NATIVE_DATABASE_TYPES). */
static const struct { const char *type, *sql; int limit, precision; } native_types[] = {
	{ "primary_key", "bigserial primary key", 0, 0 },
	{ "string", "character varying", 0, 0 },
	{ "text", "text", 0, 0 },
	{ "integer", "integer", 0, 0 },
	{ "bigint", "bigint", 0, 0 },
	{ "float", "float", 0, 0 },
	{ "decimal", "decimal", 0, 0 },
	{ "numeric", "numeric", 0, 0 },
	{ "datetime", "timestamp", 0, 0 },
	{ "timestamp", "timestamp", 0, 0 },
	{ "timestamptz", "timestamp with time zone", 0, 0 },
	{ "time", "time", 0, 0 },
	{ "date", "date", 0, 0 },
	{ "binary", "bytea", 0, 0 },
	{ "boolean", "boolean", 0, 0 },
	{ "json", "json", 0, 0 },
	{ "jsonb", "jsonb", 0, 0 },
	{ "uuid", "uuid", 0, 0 },
	{ "inet", "inet", 0, 0 },
	{ "cidr", "cidr", 0, 0 },
	{ "macaddr", "macaddr", 0, 0 },
	{ "hstore", "hstore", 0, 0 },
	{ "citext", "citext", 0, 0 },
	{ "ltree", "ltree", 0, 0 },
	{ "xml", "xml", 0, 0 },
	{ "tsvector", "tsvector", 0, 0 },
	{ "money", "money", 0, 0 },
	{ "interval", "interval", 0, 0 },
	{ "oid", "oid", 0, 0 },
	{ "bit", "bit", 0, 0 },
	{ "bit_varying", "bit varying", 0, 0 },
	{ "point", "point", 0, 0 },
	{ "line", "line", 0, 0 },
	{ "lseg", "lseg", 0, 0 },
	{ "box", "box", 0, 0 },
	{ "path", "path", 0, 0 },
	{ "polygon", "polygon", 0, 0 },
	{ "circle", "circle", 0, 0 },
	{ "daterange", "daterange", 0, 0 },
	{ "numrange", "numrange", 0, 0 },
	{ "tsrange", "tsrange", 0, 0 },
	{ "tstzrange", "tstzrange", 0, 0 },
	{ "int4range", "int4range", 0, 0 },
	{ "int8range", "int8range", 0, 0 },
	{ "serial", "serial", 0, 0 },
	{ "bigserial", "bigserial", 0, 0 },
};

bool rsql_native_type(const char *type)
{
	for (size_t i = 0; i < ARRAY_SIZE(native_types); i++)
		if (!strcmp(native_types[i].type, type))
			return true;
	return false;
}

static bool int_of(const struct rvalue *v, int *out)
{
	if (!v || v->kind != RV_NUM)
		return false;
	*out = atoi(v->s);
	return true;
}

char *rsql_type(const char *type, const struct rcall *c, int ar_version)
{
	const char *sql = NULL;
	int limit = 0, precision = -1, scale = -1;
	bool has_limit = int_of(rcall_kw(c, "limit"), &limit);
	bool has_precision = int_of(rcall_kw(c, "precision"), &precision);
	bool has_scale = int_of(rcall_kw(c, "scale"), &scale);
	struct strbuf sb = STRBUF_INIT;

	for (size_t i = 0; i < ARRAY_SIZE(native_types) && !sql; i++)
		if (!strcmp(native_types[i].type, type))
			sql = native_types[i].sql;
	if (!sql) {
		/* an unknown type name is sent as written: t.column :geo, "geometry(Point)" */
		for (const char *p = type; *p; p++)
			if (!isalnum((unsigned char)*p) && !strchr("_ (),.[]", *p))
				return NULL;
		sql = type;
	}
	if (!strcmp(type, "integer") && has_limit)
		sql = limit <= 2 ? "smallint" : limit <= 4 ? "integer" : "bigint";
	strbuf_addstr(&sb, sql);
	bool timelike = !strcmp(type, "datetime") || !strcmp(type, "timestamp") ||
			!strcmp(type, "time") || !strcmp(type, "timestamptz");
	/* ActiveRecord 7.0 gives datetime precision 6 unless told otherwise */
	if (!has_precision && !strcmp(type, "datetime") && (ar_version == 0 || ar_version >= 700))
		has_precision = true, precision = 6;
	if (rcall_kw(c, "precision") && rcall_kw(c, "precision")->kind == RV_NIL)
		has_precision = false;
	if (!strcmp(type, "decimal") || !strcmp(type, "numeric")) {
		if (has_precision && has_scale)
			strbuf_addf(&sb, "(%d,%d)", precision, scale);
		else if (has_precision)
			strbuf_addf(&sb, "(%d)", precision);
	} else if (timelike || !strcmp(type, "interval")) {
		if (has_precision)
			strbuf_addf(&sb, "(%d)", precision);
	} else if (has_limit && strcmp(type, "integer") && strcmp(type, "text") &&
		   strcmp(type, "binary") && strcmp(type, "primary_key")) {
		strbuf_addf(&sb, "(%d)", limit);
	}
	if (rv_bool(rcall_kw(c, "array"), false))
		strbuf_addstr(&sb, "[]");
	return strbuf_detach(&sb, NULL);
}

char *rsql_index_name(const char *table, const struct rvalue *columns)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_addf(&sb, "index_%s_on_", table);
	if (columns->kind == RV_ARRAY) {
		for (size_t i = 0; i < columns->nr; i++)
			strbuf_addf(&sb, "%s%s", i ? "_and_" : "", nonnull(rv_name(&columns->items[i])));
	} else {
		strbuf_addstr(&sb, nonnull(rv_name(columns)));
	}
	return strbuf_detach(&sb, NULL);
}

/* --- SHA-256 (FIPS 180-4), for the names ActiveRecord hashes -------------- */

static const uint32_t k256[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
	0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
	0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
	0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
	0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
	0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
	0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
	0xc67178f2,
};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void sha256_block(uint32_t h[8], const unsigned char *p)
{
	uint32_t w[64], a[8];
	for (int i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		       (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (int i = 16; i < 64; i++) {
		uint32_t s0 = ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3);
		uint32_t s1 = ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10);
		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	memcpy(a, h, sizeof(a));
	for (int i = 0; i < 64; i++) {
		uint32_t t1 = a[7] + (ROR(a[4], 6) ^ ROR(a[4], 11) ^ ROR(a[4], 25)) +
			      ((a[4] & a[5]) ^ (~a[4] & a[6])) + k256[i] + w[i];
		uint32_t t2 = (ROR(a[0], 2) ^ ROR(a[0], 13) ^ ROR(a[0], 22)) +
			      ((a[0] & a[1]) ^ (a[0] & a[2]) ^ (a[1] & a[2]));
		memmove(a + 1, a, 7 * sizeof(*a));
		a[4] += t1;
		a[0] = t1 + t2;
	}
	for (int i = 0; i < 8; i++)
		h[i] += a[i];
}

void rsql_sha256_hex(const char *data, size_t len, char out[65])
{
	uint32_t h[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
			  0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
	unsigned char block[64];
	size_t i = 0;
	for (; i + 64 <= len; i += 64)
		sha256_block(h, (const unsigned char *)data + i);
	size_t rest = len - i;
	memset(block, 0, sizeof(block));
	memcpy(block, data + i, rest);
	block[rest] = 0x80;
	if (rest >= 56) {
		sha256_block(h, block);
		memset(block, 0, sizeof(block));
	}
	uint64_t bits = (uint64_t)len * 8;
	for (int k = 0; k < 8; k++)
		block[63 - k] = (unsigned char)(bits >> (8 * k));
	sha256_block(h, block);
	for (int k = 0; k < 8; k++)
		snprintf(out + 8 * k, 9, "%08x", h[k]);
}

/* "fk_rails_" + the first 10 hex digits of SHA-256("<table>_<column>_fk") */
static char *hashed_name(const char *prefix, const char *identifier)
{
	char hex[65];
	rsql_sha256_hex(identifier, strlen(identifier), hex);
	return xstrfmt("%s%.10s", prefix, hex);
}

char *rsql_fk_name(const char *table, const char *column)
{
	char *id = xstrfmt("%s_%s_fk", table, column);
	char *r = hashed_name("fk_rails_", id);
	free(id);
	return r;
}

char *rsql_check_name(const char *table, const char *expr)
{
	char *id = xstrfmt("%s_%s_chk", table, expr);
	char *r = hashed_name("chk_rails_", id);
	free(id);
	return r;
}

/* --- singular and plural (ActiveSupport's English inflections) ------------ */

static const char *const uncountable[] = {
	"equipment", "information", "rice", "money", "species", "series", "fish", "sheep",
	"jeans", "police", NULL,
};

static const struct { const char *one, *many; } irregular[] = {
	{ "person", "people" }, { "man", "men" }, { "child", "children" }, { "sex", "sexes" },
	{ "move", "moves" }, { "zombie", "zombies" },
};

/* Rules tried in order: a word ending in `from` ends in `to` instead. */
struct inflection {
	const char *from, *to;
	size_t keep;         /* bytes of `from` kept, as a regex capture would */
};

static const struct inflection to_singular[] = {
	{ "quizzes", "", 4 }, { "matrices", "ix", 4 }, { "vertices", "ex", 4 },
	{ "indices", "ex", 3 }, { "aliases", "", 5 }, { "statuses", "", 6 },
	{ "octopi", "us", 5 }, { "viri", "us", 3 }, { "crises", "is", 4 }, { "testes", "is", 4 },
	{ "shoes", "", 4 }, { "oes", "", 1 }, { "buses", "", 3 }, { "mice", "ouse", 1 },
	{ "lice", "ouse", 1 }, { "xes", "", 1 }, { "ches", "", 2 }, { "sses", "", 2 },
	{ "shes", "", 2 }, { "movies", "", 5 }, { "series", "", 6 }, { "hives", "", 4 },
	{ "tives", "", 4 }, { "ives", "ife", 1 }, { "lves", "f", 1 }, { "rves", "f", 1 },
	{ "databases", "", 8 }, { "analyses", "is", 5 }, { "ta", "tum", 1 },
	{ "ia", "ium", 1 }, { "news", "", 4 }, { "ss", "", 2 }, { "s", "", 0 },
};

static const struct inflection to_plural[] = {
	{ "quiz", "zes", 4 }, { "matrix", "ices", 4 }, { "vertex", "ices", 4 }, { "index", "ices", 3 },
	{ "x", "es", 1 }, { "ch", "es", 2 }, { "ss", "es", 2 }, { "sh", "es", 2 },
	{ "hive", "s", 4 }, { "fe", "ves", 0 }, { "lf", "ves", 1 }, { "rf", "ves", 1 },
	{ "sis", "ses", 0 }, { "tum", "ta", 1 }, { "ium", "ia", 1 }, { "buffalo", "es", 7 },
	{ "tomato", "es", 6 }, { "bus", "es", 3 }, { "alias", "es", 5 }, { "status", "es", 6 },
	{ "octopus", "i", 5 }, { "virus", "i", 3 }, { "s", "", 1 },
};

static bool vowel(char c)
{
	return strchr("aeiouy", c) != NULL;
}

static char *inflect(const char *word, const struct inflection *rules, size_t n, bool plural)
{
	size_t len = strlen(word);
	const char *last = strrchr(word, '_');
	last = last ? last + 1 : word;
	for (const char *const *u = uncountable; *u; u++)
		if (!strcmp(last, *u))
			return xstrdup(word);
	for (size_t i = 0; i < ARRAY_SIZE(irregular); i++) {
		const char *from = plural ? irregular[i].one : irregular[i].many;
		const char *to = plural ? irregular[i].many : irregular[i].one;
		if (!strcmp(last, from))
			return xstrfmt("%.*s%s", (int)(last - word), word, to);
	}
	if (plural && len >= 2 && word[len - 1] == 'y' && (!vowel(word[len - 2]) ||
	    (len >= 3 && word[len - 2] == 'u' && word[len - 3] == 'q')))
		return xstrfmt("%.*sies", (int)(len - 1), word);
	if (!plural && len >= 4 && ends_with(word, "ies") && !vowel(word[len - 4]))
		return xstrfmt("%.*sy", (int)(len - 3), word);
	for (size_t i = 0; i < n; i++) {
		size_t k = strlen(rules[i].from);
		if (len < k || strcmp(word + len - k, rules[i].from))
			continue;
		return xstrfmt("%.*s%s", (int)(len - k + rules[i].keep), word, rules[i].to);
	}
	return plural ? xstrfmt("%ss", word) : xstrdup(word);
}

char *rsql_singular(const char *plural)
{
	return inflect(plural, to_singular, ARRAY_SIZE(to_singular), false);
}

char *rsql_plural(const char *singular)
{
	return inflect(singular, to_plural, ARRAY_SIZE(to_plural), true);
}
