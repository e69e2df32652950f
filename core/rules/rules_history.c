/*
 * rules_history.c - findings about a migration's place in the applied
 * history rather than about its statements.
 *
 * The frameworks record what they applied: golang-migrate, goose, dbmate,
 * Diesel, sqlx, Atlas and Supabase a version; Flyway the version with its
 * description and checksum; Prisma the migration's directory name; sqitch
 * the change name. A migration renamed on the branch (git's rename
 * detection, core/discover/gitrepo.c) that changes what its framework records is a
 * new migration to it: it runs again, and the record of the old one points
 * at a file that is gone.
 *
 * The same records make editing an applied migration a trap: databases
 * that applied it never run the new text, new ones do, and the frameworks
 * that keep a checksum (Flyway, sqlx, Atlas's atlas.sum, sqitch) refuse to
 * go on until someone repairs the record by hand.
 */
#include "rules.h"

#include <string.h>

static void check_renamed(struct rule_ctx *ctx)
{
	const struct file_rename *r = ctx->script->renamed;
	const struct migration *m = ctx->mig;
	if (!r || !m)
		return;
	int line = ctx->fr->nr_stmts ? ctx->fr->stmts[0].line : ctx->script->first_line;
	const char *fw = framework_name(m->fw);
	if (strcmp(r->id, m->id)) {
		flag_file(ctx, line, "renamed from %s: %s records the versions it applied, so it "
			  "runs this migration again as version %s, and the applied version %s no "
			  "longer has a file", r->path, fw, m->id, r->id);
	} else if (strcmp(r->name, m->name) && m->fw == FW_FLYWAY) {
		flag_file(ctx, line, "renamed from %s: Flyway records each applied migration's "
			  "description, so validate fails on version %s ('%s' is now '%s')",
			  r->path, m->id, r->name, m->name);
	} else if (strcmp(r->name, m->name) && !framework_keyed_by_version(m->fw)) {
		flag_file(ctx, line, "renamed from %s: %s records the applied migration by its "
			  "name, so it runs '%s' as a new migration and the applied '%s' becomes "
			  "unknown", r->path, fw, m->name, r->name);
	}
}

static void check_edited(struct rule_ctx *ctx)
{
	const struct migration *m = ctx->mig;
	/* Flyway's repeatable migrations are meant to be edited: they run again on change. */
	if (!m || !ctx->script->changed || ctx->script->dir != DIR_UP || ctx->script->renamed)
		return;
	int line = ctx->fr->nr_stmts ? ctx->fr->stmts[0].line : ctx->script->first_line;
	const char *consequence;
	switch (m->fw) {
	case FW_FLYWAY:
		consequence = "Flyway keeps each applied migration's checksum, so validate and migrate "
			      "fail on every database that applied it";
		break;
	case FW_SQLX:
		consequence = "sqlx keeps each applied migration's checksum, so `migrate run` fails "
			      "with 'previously applied but has been modified'";
		break;
	case FW_SQITCH:
		consequence = "sqitch keeps a hash of each deployed change: use `sqitch rework` "
			      "instead of editing the deployed script";
		break;
	case FW_ATLAS:
		consequence = "Atlas's atlas.sum no longer matches, and databases that applied it "
			      "never run the new text";
		break;
	default:
		consequence = "databases that already applied it never run the new text while new "
			      "ones do, so environments drift apart silently";
		break;
	}
	flag_file(ctx, line, "%s %s already existed on the base branch and is edited here: %s",
		  framework_name(m->fw), ctx->script->path, consequence);
}

const struct rule rules_history[] = {
	{
		.id = "migration-renamed",
		.sev = SEV_HIGH,
		.cq = CQ_DIVERGES,
		.cls = CLASS_SAFE,
		.cats = CATBIT(CAT_ROLLBACK),
		.title = "An applied migration renamed on the branch (its version or name changed)",
		.fix = "Keep the applied migration's file name as it was; put new changes in a new "
		       "migration",
		.check_file = check_renamed,
	},
	{
		.id = "applied-migration-edited",
		.sev = SEV_HIGH,
		.cq = CQ_DIVERGES,
		.cls = CLASS_SAFE,
		.cats = CATBIT(CAT_ROLLBACK),
		.title = "A migration that exists on the base branch is edited on this branch",
		.fix = "Leave the applied migration as it is and put the change in a new migration "
		       "(if it was never applied anywhere: -- sluice:ignore-file applied-migration-edited -- why)",
		.check_file = check_edited,
	},
	{ .id = NULL },
};
