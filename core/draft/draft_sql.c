/*
 * draft_sql.c - writing exact SQL for drafts.
 *
 * Drafts are built from the parse tree's names, quoted the way PostgreSQL's
 * quote_ident() quotes them, and from slices of the user's own text for
 * expressions (defaults, CHECK bodies, SET lists): libpg_query's deparser
 * wants protobuf, which Debian ships without the protobuf-c headers, and a
 * slice keeps the author's spelling. Every statement a draft builds is
 * parsed again before it is shown (sql_parses), so a bad slice fails loudly
 * instead of shipping.
 */
#include "draft.h"
#include "draft_int.h"

#include <ctype.h>
#include <pg_query.h>
#include <stdlib.h>
#include <string.h>

/* PostgreSQL's reserved keywords (and the type-function ones): these need quotes. */
static const char *const reserved[] = {
	"all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric",
	"authorization", "binary", "both", "case", "cast", "check", "collate", "collation",
	"column", "concurrently", "constraint", "create", "cross", "current_catalog",
	"current_date", "current_role", "current_schema", "current_time", "current_timestamp",
	"current_user", "default", "deferrable", "desc", "distinct", "do", "else", "end",
	"except", "false", "fetch", "for", "foreign", "freeze", "from", "full", "grant",
	"group", "having", "ilike", "in", "initially", "inner", "intersect", "into", "is",
	"isnull", "join", "lateral", "leading", "left", "like", "limit", "localtime",
	"localtimestamp", "natural", "not", "notnull", "null", "offset", "on", "only", "or",
	"order", "outer", "overlaps", "placing", "primary", "references", "returning",
	"right", "select", "session_user", "similar", "some", "symmetric", "system_user",
	"table", "tablesample", "then", "to", "trailing", "true", "union", "unique", "user",
	"using", "variadic", "verbose", "when", "where", "window", "with",
};

static bool is_reserved(const char *s)
{
	for (size_t i = 0; i < ARRAY_SIZE(reserved); i++)
		if (!strcmp(s, reserved[i]))
			return true;
	return false;
}

static bool ident_needs_quotes(const char *s)
{
	if (!*s || !(islower((unsigned char)*s) || *s == '_'))
		return true;
	for (const char *p = s; *p; p++)
		if (!(islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '_' ||
		      *p == '$'))
			return true;
	return is_reserved(s);
}

void sql_add_ident(struct strbuf *sb, const char *ident)
{
	if (!ident_needs_quotes(ident)) {
		strbuf_addstr(sb, ident);
		return;
	}
	strbuf_addch(sb, '"');
	for (const char *p = ident; *p; p++) {
		if (*p == '"')
			strbuf_addch(sb, '"');
		strbuf_addch(sb, *p);
	}
	strbuf_addch(sb, '"');
}

void sql_add_literal(struct strbuf *sb, const char *s)
{
	strbuf_addch(sb, '\'');
	for (const char *p = s; *p; p++) {
		if (*p == '\'')
			strbuf_addch(sb, '\'');
		strbuf_addch(sb, *p);
	}
	strbuf_addch(sb, '\'');
}

void sql_add_qualified(struct strbuf *sb, const char *dotted)
{
	const char *dot = strchr(dotted, '.');
	if (dot) {
		char *schema = xstrndup(dotted, (size_t)(dot - dotted));
		sql_add_ident(sb, schema);
		strbuf_addch(sb, '.');
		free(schema);
		dotted = dot + 1;
	}
	sql_add_ident(sb, dotted);
}

char *sql_ident(const char *ident)
{
	struct strbuf sb = STRBUF_INIT;
	sql_add_ident(&sb, ident);
	return strbuf_detach(&sb, NULL);
}

char *sql_qualified(const char *dotted)
{
	struct strbuf sb = STRBUF_INIT;
	sql_add_qualified(&sb, dotted);
	return strbuf_detach(&sb, NULL);
}

bool sql_parses(const char *sql, char **why)
{
	PgQueryParseResult r = pg_query_parse(sql);
	bool ok = !r.error;
	if (!ok && why)
		*why = xstrdup(r.error->message);
	pg_query_free_parse_result(r);
	return ok;
}

/*
 * Skips a quoted string, identifier or dollar-quoted body starting at p;
 * returns the first byte after it (or `end`).
 */
static const char *skip_quoted(const char *p, const char *end)
{
	if (*p == '\'' || *p == '"') {
		char q = *p++;
		while (p < end) {
			if (*p == q) {
				if (p + 1 < end && p[1] == q) {
					p += 2;
					continue;
				}
				return p + 1;
			}
			p++;
		}
		return end;
	}
	if (*p == '$') {
		const char *t = p + 1;
		while (t < end && (isalnum((unsigned char)*t) || *t == '_'))
			t++;
		if (t < end && *t == '$') {
			size_t tl = (size_t)(t - p + 1);
			for (const char *q = t + 1; q + tl <= end; q++)
				if (!strncmp(q, p, tl))
					return q + tl;
			return end;
		}
	}
	return p + 1;
}

static bool word_at(const char *p, const char *end, const char *word, const char *start)
{
	size_t n = strlen(word);
	if ((size_t)(end - p) < n || strncasecmp(p, word, n))
		return false;
	if (p > start && (isalnum((unsigned char)p[-1]) || p[-1] == '_'))
		return false;
	return p + n == end || !(isalnum((unsigned char)p[n]) || p[n] == '_');
}

/*
 * The end of an expression or clause starting at `from`: the first
 * top-level ',' or unmatched ')' or ';', or one of the stop words at top
 * level, or `limit`. Returns an offset into sql.
 */
size_t sql_clause_end(const char *sql, size_t from, size_t limit, const char *const *stops)
{
	const char *start = sql, *p = sql + from, *end = sql + limit;
	int depth = 0;
	while (p < end) {
		if (*p == '\'' || *p == '"' || *p == '$') {
			p = skip_quoted(p, end);
			continue;
		}
		if (p + 1 < end && p[0] == '-' && p[1] == '-') {
			while (p < end && *p != '\n')
				p++;
			continue;
		}
		if (*p == '(')
			depth++;
		else if (*p == ')') {
			if (depth == 0)
				break;
			depth--;
		} else if (depth == 0 && (*p == ',' || *p == ';'))
			break;
		else if (depth == 0 && stops) {
			for (size_t i = 0; stops[i]; i++)
				if (word_at(p, end, stops[i], start))
					return (size_t)(p - sql);
		}
		p++;
	}
	return (size_t)(p - sql);
}

char *sql_slice(const char *sql, size_t from, size_t to)
{
	while (from < to && isspace((unsigned char)sql[from]))
		from++;
	while (to > from && isspace((unsigned char)sql[to - 1]))
		to--;
	return xstrndup(sql + from, to - from);
}

/* Offset of the first top-level `word` at or after `from`; (size_t)-1 when absent. */
size_t sql_find_word(const char *sql, size_t from, const char *word)
{
	const char *p = sql + from, *end = sql + strlen(sql);
	int depth = 0;
	while (p < end) {
		if (*p == '\'' || *p == '"' || *p == '$') {
			p = skip_quoted(p, end);
			continue;
		}
		if (*p == '(')
			depth++;
		else if (*p == ')')
			depth--;
		else if (depth == 0 && word_at(p, end, word, sql))
			return (size_t)(p - sql);
		p++;
	}
	return (size_t)-1;
}

/* An identifier made of parts, cut to PostgreSQL's 63 bytes. */
char *sql_make_name(const char *a, const char *b, const char *suffix)
{
	char *s = xstrfmt("%s%s%s_%s", a, b ? "_" : "", b ? b : "", suffix);
	const char *dot = strrchr(a, '.');
	if (dot) {
		char *t = xstrfmt("%s%s%s_%s", dot + 1, b ? "_" : "", b ? b : "", suffix);
		free(s);
		s = t;
	}
	if (strlen(s) > 63) {
		size_t sl = strlen(suffix) + 1;
		memmove(s + 63 - sl, s + strlen(s) - sl, sl + 1);
	}
	return s;
}
