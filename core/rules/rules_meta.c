/*
 * rules_meta.c - findings about the file itself rather than what it does:
 * statements that do not parse, text that is not UTF-8, ignores that
 * matched nothing.
 */
#include "judge.h"
#include "parse.h"
#include "rules.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/*
 * A statement libpg_query cannot parse is not judged. sluice's parser is
 * PostgreSQL 15's grammar (Debian 12's libpg_query), so valid PostgreSQL
 * 16-18 SQL lands here too: the message never calls the SQL invalid, says
 * what the statement's first words still tell (its command and table), and
 * names the newer feature when a word gives it away.
 */

/* The next word of `*p`, skipping blanks and comments; NULL at the end. */
static char *next_word(const char **p)
{
	const char *s = *p;
	for (;;) {
		while (isspace((unsigned char)*s))
			s++;
		if (s[0] == '-' && s[1] == '-')
			s += strcspn(s, "\n");
		else if (s[0] == '/' && s[1] == '*') {
			const char *e = strstr(s + 2, "*/");
			s = e ? e + 2 : s + strlen(s);
		} else
			break;
	}
	const char *w = s;
	if (*s == '"') {
		const char *e = strchr(s + 1, '"');
		s = e ? e + 1 : s + strlen(s);
	} else
		while (*s && (isalnum((unsigned char)*s) || *s == '_' || *s == '.' || *s == '"' ||
			      (unsigned char)*s >= 0x80))
			s++;
	*p = s;
	return s > w ? xstrndup(w, (size_t)(s - w)) : NULL;
}

static bool word_is(const char *w, const char *k)
{
	return w && !strcasecmp_ascii(w, k);
}

/* Words that may stand between a command and its table. */
static bool filler_word(const char *w)
{
	static const char *const fillers[] = {
		"IF", "NOT", "EXISTS", "ONLY", "UNIQUE", "CONCURRENTLY", "INTO", "FROM",
		"MATERIALIZED", "UNLOGGED", "TEMP", "TEMPORARY", "OR", "REPLACE", NULL,
	};
	for (const char *const *f = fillers; *f; f++)
		if (word_is(w, *f))
			return true;
	return false;
}

/*
 * "ALTER TABLE", "MERGE", "CREATE INDEX" ... and the table after it (for
 * CREATE INDEX the one after ON). Both NULL when the first word is not one.
 */
static void unparsed_command(const char *sql, char **command, char **table)
{
	static const char *const objects[] = {
		"TABLE", "INDEX", "VIEW", "TYPE", "FUNCTION", "PROCEDURE", "TRIGGER", "DOMAIN",
		"SEQUENCE", "SCHEMA", "EXTENSION", "POLICY", "PUBLICATION", "SUBSCRIPTION", NULL,
	};
	const char *p = sql;
	char *w = next_word(&p), *obj = NULL;
	*command = *table = NULL;
	if (!w)
		return;
	bool ddl = word_is(w, "ALTER") || word_is(w, "CREATE") || word_is(w, "DROP");
	while (ddl && (obj = next_word(&p)) && filler_word(obj))
		free(obj);
	bool known_obj = false;
	for (const char *const *o = objects; obj && *o; o++)
		known_obj |= word_is(obj, *o);
	if (ddl && !known_obj) {
		free(obj);
		*command = w;
		for (char *c = w; *c; c++)
			*c = (char)toupper((unsigned char)*c);
		return;
	}
	*command = ddl ? xstrfmt("%s %s", w, obj) : xstrdup(w);
	for (char *c = *command; *c; c++)
		*c = (char)toupper((unsigned char)*c);
	bool on_table = word_is(obj, "INDEX") || word_is(obj, "TRIGGER") || word_is(obj, "POLICY");
	bool dml = word_is(w, "INSERT") || word_is(w, "UPDATE") || word_is(w, "DELETE") ||
		   word_is(w, "MERGE") || word_is(w, "TRUNCATE");
	if (word_is(obj, "TABLE") || dml || on_table) {
		char *t;
		while ((t = next_word(&p))) {
			if (on_table) {
				if (word_is(t, "ON"))
					on_table = false;
			} else if (!filler_word(t) && !word_is(t, "TABLE")) {
				*table = t;
				break;
			}
			free(t);
		}
	}
	free(w);
	free(obj);
}

/* Words that only newer PostgreSQL accepts, and which version. */
static const struct { const char *word; const char *what; } newer_syntax[] = {
	{ "JSON_TABLE", "JSON_TABLE is PostgreSQL 17" },
	{ "JSON_QUERY", "JSON_QUERY is PostgreSQL 17" },
	{ "JSON_VALUE", "JSON_VALUE is PostgreSQL 17" },
	{ "JSON_EXISTS", "JSON_EXISTS is PostgreSQL 17" },
	{ "RETURNING", "MERGE ... RETURNING is PostgreSQL 17" },
	{ "VIRTUAL", "virtual generated columns are PostgreSQL 18" },
	{ "OVERLAPS", "WITHOUT OVERLAPS is PostgreSQL 18" },
	{ "EXPRESSION", "ALTER COLUMN ... SET EXPRESSION is PostgreSQL 17" },
	{ "SYSTEM_USER", "SYSTEM_USER is PostgreSQL 16" },
	{ "ENFORCED", "NOT ENFORCED constraints are PostgreSQL 18" },
	{ NULL, NULL },
};

static bool word_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

static const char *newer_hint(const char *sql, const char *command, const char *parse_error)
{
	bool merge = command && !strcmp(command, "MERGE");
	bool alter = command && !strcmp(command, "ALTER TABLE"), not_null = false;
	char *last[3] = { NULL, NULL, NULL };  /* the three words before this one */
	const char *hint = NULL;
	bool named_not_null = false;
	if (strstr(parse_error, "subquery in FROM must have an alias"))
		return "a subquery in FROM without an alias is PostgreSQL 16";
	for (const char *p = sql; *p && !hint;) {
		if (!word_char(*p)) {
			p++;
			continue;
		}
		size_t n = 0;
		while (word_char(p[n]))
			n++;
		char *w = xstrndup(p, n);
		for (size_t i = 0; newer_syntax[i].word && !hint; i++)
			if (word_is(w, newer_syntax[i].word) &&
			    (strcmp(newer_syntax[i].word, "RETURNING") || merge))
				hint = newer_syntax[i].what;
		/* ALTER TABLE ... ADD CONSTRAINT ... NOT NULL col NOT VALID */
		not_null |= alter && word_is(w, "NULL");
		if (not_null && word_is(w, "VALID"))
			hint = "NOT NULL constraints NOT VALID are PostgreSQL 18";
		/* CONSTRAINT name NOT NULL col, as a table constraint */
		named_not_null |= word_is(w, "NULL") && word_is(last[0], "NOT") &&
				  word_is(last[2], "CONSTRAINT");
		free(last[2]);
		last[2] = last[1];
		last[1] = last[0];
		last[0] = w;
		p += n;
	}
	for (int i = 0; i < 3; i++)
		free(last[i]);
	if (!hint && named_not_null)
		hint = "named NOT NULL table constraints are PostgreSQL 18";
	return hint;
}

/* The splitter's psql meta-commands: the only unparsed statements with no parse error. */
static bool is_meta_command(const struct stmt *st)
{
	return !st->parse_error && st->sql[0] == '\\';
}

static void check_parse_error(struct rule_ctx *ctx)
{
	struct stmt *st = ctx->st;
	char *command = NULL, *table = NULL;
	struct strbuf what = STRBUF_INIT;
	if (is_meta_command(st))
		return;   /* psql-meta-command says what it is */
	if (script_untranslated(ctx->script, st->off))
		return;   /* rails-untranslated says what it is */
	if (!strncmp(nonnull(st->parse_error), PARSE_ERROR_OPEN_COMMENT,
		     strlen(PARSE_ERROR_OPEN_COMMENT))) {
		/* not a grammar the parser may lack: PostgreSQL fails the migration here */
		flag_as(ctx, consequence_severity(CQ_FAILS_CLEANLY), NULL, "%s; not judged",
			st->parse_error);
		return;
	}
	unparsed_command(nonnull(st->sql), &command, &table);
	if (command)
		strbuf_addf(&what, "%s%s%s%s", command, table ? " on '" : "", table ? table : "",
			    table ? "'" : "");
	const char *hint = newer_hint(nonnull(st->sql), command, nonnull(st->parse_error));
	flag_as(ctx, ctx->opts->unparsed_sev ? ctx->opts->unparsed_sev : ctx->rule->sev, NULL,
		"does not parse with PostgreSQL 15's grammar: %s; not judged (%s%s%s%s)",
		st->parse_error, what.buf, what.len ? "; " : "",
		hint ? hint : "it may be valid newer PostgreSQL syntax",
		hint ? ", newer than sluice's parser" : "");
	if (table && !st->table)
		st->table = xstrdup(table);
	strbuf_release(&what);
	free(command);
	free(table);
}

static void check_meta_command(struct rule_ctx *ctx)
{
	if (!is_meta_command(ctx->st))
		return;   /* first: an empty statement has no byte after its first */
	const char *c = ctx->st->sql + 1;
	size_t n = strcspn(c, " \t");
	if ((n == 1 && *c == 'i') || (n == 2 && !strncmp(c, "ir", 2)) ||
	    (n == 7 && !strncmp(c, "include", 7)) || (n == 16 && !strncmp(c, "include_relative", 16)))
		flag(ctx, "psql meta-command '%s' runs another file, which sluice has not judged here: "
			  "judge it too ('sluice check FILE')", ctx->st->sql);
	else
		flag(ctx, "psql meta-command '%s': sluice neither runs nor judges it; only psql "
			  "understands it (a migration tool that sends SQL to the server fails on it)",
		     ctx->st->sql);
}

/*
 * A Rails migration call sluice could not translate into SQL (core/discover/rails.c):
 * not judged, like a statement that does not parse, and at the same
 * severity (sluice.unparsedSeverity).
 */
static void check_untranslated(struct rule_ctx *ctx)
{
	const char *why = script_untranslated(ctx->script, ctx->st->off);
	if (why)
		flag_as(ctx, ctx->opts->unparsed_sev ? ctx->opts->unparsed_sev : ctx->rule->sev, NULL,
			"sluice cannot translate this Rails migration call into SQL: %s; not judged",
			why);
}

const struct rule rules_meta[] = {
	{
		.id = "parse-error",
		.sev = SEV_MEDIUM,   /* sluice.unparsedSeverity changes it */
		.cq = CQ_UNREAD,
		.cls = CLASS_SAFE,
		.flags = RULE_UNPARSED | RULE_DOWN_TOO,
		.title = "Statement not judged: it does not parse with PostgreSQL 15's grammar",
		.fix = "If it is valid newer SQL, review it by hand (or ignore it with a reason); "
		       "if it is a mistake, fix it: test it with psql on your PostgreSQL version",
		.check = check_parse_error,
	},
	{
		.id = "not-utf8",
		.sev = SEV_MEDIUM,
		.cq = CQ_HYGIENE,
		.flags = RULE_DOWN_TOO,
		.title = "File is not valid UTF-8",
		.fix = "Re-encode the file as UTF-8",
	},
	{
		.id = "unused-ignore",
		.sev = SEV_LOW,
		.cq = CQ_ADVICE,
		.flags = RULE_DOWN_TOO,
		.title = "An ignore comment matched no finding",
		.fix = "Remove the stale ignore comment, or correct the rule name",
	},
	{
		.id = "psql-meta-command",
		.sev = SEV_LOW,
		.cq = CQ_ADVICE,
		.cls = CLASS_SAFE,
		.flags = RULE_UNPARSED | RULE_DOWN_TOO,
		.title = "psql meta-command (not SQL)",
		.fix = "Keep psql meta-commands out of migrations that a tool sends to the server; "
		       "an included file (\\i) must be judged on its own",
		.check = check_meta_command,
	},
	{
		/* reported by core/policy.c in a branch comparison, on .sluice */
		.id = "policy-changed",
		.sev = SEV_HIGH,
		.cq = CQ_NOT_JUDGED,
		.flags = RULE_DOWN_TOO,
		.title = "The branch changes the .sluice policy it is judged by",
		.fix = "Review the .sluice change on its own: it takes effect once merged; until "
		       "then the branch is judged by its base's .sluice",
	},
	{
		.id = "rails-untranslated",
		.sev = SEV_MEDIUM,   /* sluice.unparsedSeverity changes it */
		.cq = CQ_UNREAD,
		.cls = CLASS_SAFE,
		.flags = RULE_UNPARSED | RULE_DOWN_TOO,
		.title = "Rails migration call not judged: sluice cannot translate it into SQL",
		.fix = "Review it by hand (or ignore it with a reason: '# sluice:ignore "
		       "rails-untranslated -- why'); where it is SQL, 'execute' it as a literal string",
		.check = check_untranslated,
	},
	{ .id = NULL },
};
