/*
 * rules_db.c - findings that only a real server can produce: the shadow
 * database (core/db/shadow_verify.c) raises them while it applies the
 * pending migrations. They have no static check: the judge never fires
 * them, and their entries here give them an id, a title, categories and
 * a fix like every other rule (for --disable, SARIF and the docs).
 */
#include "rules.h"

const struct rule rules_db[] = {
	{
		.id = "lock-mismatch",
		.sev = SEV_HIGH,
		.cq = CQ_NOT_JUDGED,
		.cls = CLASS_SAFE,
		.cats = CATBIT(CAT_LOCK),
		.title = "The lock taken on the shadow database differs from the predicted one",
		.fix = "Trust the traced lock: plan the deploy window for it, and report the "
		       "statement so that sluice's prediction can be corrected",
	},
	{
		.id = "down-mismatch",
		.sev = SEV_MEDIUM,
		.cq = CQ_HYGIENE,
		.cls = CLASS_SAFE,
		.cats = CATBIT(CAT_ROLLBACK),
		.flags = RULE_DOWN_TOO,
		.title = "The down script does not restore the schema the up script started from",
		.fix = "Make the down script undo exactly what the up script does (drop what it "
		       "creates, recreate what it drops, with the same definitions)",
	},
	{
		.id = "shadow-apply-error",
		.sev = SEV_HIGH,
		.cq = CQ_FAILS_CLEANLY,
		.cls = CLASS_SAFE,
		.flags = RULE_DOWN_TOO,
		.title = "The statement fails when run on the shadow database",
		.fix = "Fix the statement so that it runs on a database built from the history",
	},
	{
		.id = "shadow-unverifiable",
		.sev = SEV_MEDIUM,
		.cq = CQ_UNREAD,
		.cls = CLASS_SAFE,
		.flags = RULE_DOWN_TOO,
		.title = "The statement reaches beyond the scratch database, so the shadow did not run it",
		.fix = "Verify it by hand on a server of your own: databases, roles, tablespaces, the "
		       "server's configuration, subscriptions, server files and programs, other servers "
		       "and untrusted languages are never touched by the shadow",
	},
	{
		.id = "app-statement-fails",
		.sev = SEV_BLOCKER,
		.cq = CQ_APP_BREAKS,
		.cls = CLASS_SAFE,
		.cats = CATBIT(CAT_WRITES),
		.title = "A statement of the application fails on the shadow after this migration",
		.fix = "Deploy the code that no longer runs the statement before this migration (and "
		       "say so in a `-- sluice: deploy first: path:line` line of it), or change the "
		       "migration so that the running code keeps working",
	},
	{ .id = NULL },
};
