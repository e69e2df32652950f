/*
 * rules_draft.c - what a sluice draft leaves behind when it is committed
 * before it is finished.
 *
 * A draft that needs a value only a person can choose holds a placeholder
 * (core/draft/draft.h); sluice never verifies or commits such a draft, but
 * a file copied by hand, or an older draft, can still carry one into a
 * migration. It fails on every database it reaches: HIGH (the deploy fails),
 * a BLOCKER where that leaves the database half-migrated.
 */
#include "draft.h"
#include "rules.h"

#include <stdlib.h>

static void check_placeholder(struct rule_ctx *ctx)
{
	struct strlist names = { 0 };
	if (!ctx->st->sql || !draft_find_placeholders(ctx->st->sql, &names))
		return;
	/* The ladder: it fails the deploy; a BLOCKER only where that leaves the
	 * database half-migrated (no transaction, statements before it applied). */
	flag_as(ctx, ctx_half_migrated(ctx) ? consequence_severity(ctx->rule->cq_worst) : ctx->rule->sev,
		NULL, "this statement still holds a sluice draft placeholder for %s: it fails on every "
		"database it runs on, and the value existing rows get was never chosen",
		names.nr ? names.items[0] : "a value");
	strlist_clear(&names);
}

const struct rule rules_draft[] = {
	{
		.id = "draft-placeholder",
		.sev = SEV_HIGH,
		.cq = CQ_FAILS_CLEANLY,
		.cq_worst = CQ_HALF_MIGRATED,
		.cls = CLASS_SAFE,
		.cats = CATBIT(CAT_ROLLBACK) | CATBIT(CAT_DATALOSS),
		.flags = RULE_DOWN_TOO,
		.title = "A sluice draft placeholder left in a migration",
		.fix = "Choose the value and put it where the placeholder is (or redraft with "
		       "sluice draft --set TABLE.COLUMN=VALUE)",
		.check = check_placeholder,
	},
	{ .id = NULL },
};
