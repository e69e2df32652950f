/*
 * rules_meta.c - findings about the file itself rather than what it does:
 * statements that do not parse, text that is not UTF-8, ignores that
 * matched nothing.
 */
#include "rules.h"

#include <string.h>

static void check_parse_error(struct rule_ctx *ctx)
{
	if (ctx->st->parse_error)
		flag(ctx, "statement does not parse: %s", ctx->st->parse_error);
}

/* The splitter's psql meta-commands: the only unparsed statements with no parse error. */
static bool is_meta_command(const struct stmt *st)
{
	return !st->parse_error && st->sql[0] == '\\';
}

static void check_meta_command(struct rule_ctx *ctx)
{
	const char *c = ctx->st->sql + 1;
	size_t n = strcspn(c, " \t");
	if (!is_meta_command(ctx->st))
		return;
	if ((n == 1 && *c == 'i') || (n == 2 && !strncmp(c, "ir", 2)) ||
	    (n == 7 && !strncmp(c, "include", 7)) || (n == 16 && !strncmp(c, "include_relative", 16)))
		flag(ctx, "psql meta-command '%s' runs another file, which sluice has not judged here: "
			  "judge it too ('sluice check FILE')", ctx->st->sql);
	else
		flag(ctx, "psql meta-command '%s': sluice neither runs nor judges it; only psql "
			  "understands it (a migration tool that sends SQL to the server fails on it)",
		     ctx->st->sql);
}

const struct rule rules_meta[] = {
	{
		.id = "parse-error",
		.sev = SEV_HIGH,
		.cls = CLASS_SAFE,
		.flags = RULE_UNPARSED | RULE_DOWN_TOO,
		.title = "Statement does not parse",
		.fix = "Fix the syntax; sluice judges with PostgreSQL 15's parser, so newer "
		       "syntax can also land here",
		.check = check_parse_error,
	},
	{
		.id = "not-utf8",
		.sev = SEV_MEDIUM,
		.flags = RULE_DOWN_TOO,
		.title = "File is not valid UTF-8",
		.fix = "Re-encode the file as UTF-8",
	},
	{
		.id = "unused-ignore",
		.sev = SEV_LOW,
		.flags = RULE_DOWN_TOO,
		.title = "An ignore comment matched no finding",
		.fix = "Remove the stale ignore comment, or correct the rule name",
	},
	{
		.id = "psql-meta-command",
		.sev = SEV_LOW,
		.cls = CLASS_SAFE,
		.flags = RULE_UNPARSED | RULE_DOWN_TOO,
		.title = "psql meta-command (not SQL)",
		.fix = "Keep psql meta-commands out of migrations that a tool sends to the server; "
		       "an included file (\\i) must be judged on its own",
		.check = check_meta_command,
	},
	{ .id = NULL },
};
