/*
 * rules_meta.c - findings about the file itself rather than what it does:
 * statements that do not parse, text that is not UTF-8, ignores that
 * matched nothing.
 */
#include "rules.h"

static void check_parse_error(struct rule_ctx *ctx)
{
	flag(ctx, "statement does not parse: %s", ctx->st->parse_error);
}

const struct rule rules_meta[] = {
	{
		.id = "parse-error",
		.sev = SEV_HIGH,
		.cq = CQ_NOT_JUDGED,
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
	{ .id = NULL },
};
