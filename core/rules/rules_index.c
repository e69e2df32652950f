/*
 * rules_index.c - building, dropping and rebuilding indexes.
 *
 * A plain CREATE INDEX holds SHARE on the table for the whole build, which
 * blocks every INSERT, UPDATE and DELETE; CONCURRENTLY avoids that but
 * cannot run inside a transaction block. Same story for DROP INDEX and
 * (since PostgreSQL 12) REINDEX.
 */
#include "rules.h"

#include <string.h>

static void check_create_index(struct rule_ctx *ctx)
{
	if (tree_bool(ctx->body, "concurrent"))
		return;
	const char *name = tree_str(tree_path(ctx->body, "idxname", NULL));
	flag(ctx, "CREATE INDEX%s%s on '%s' holds SHARE for the whole build: every write "
	     "to the table waits", name ? " " : "", name ? name : "", nonnull(ctx->st->table));
}

static void check_concurrent_in_txn(struct rule_ctx *ctx)
{
	const char *k = ctx->st->kind;
	bool conc = false;
	if (!strcmp(k, "IndexStmt") || !strcmp(k, "DropStmt"))
		conc = tree_bool(ctx->body, "concurrent");
	else if (!strcmp(k, "ReindexStmt"))
		conc = tree_option(tree_path(ctx->body, "params", NULL), "concurrently") != NULL;
	else if (!strcmp(k, "AlterTableStmt")) {
		const cJSON *cmd;
		cJSON_ArrayForEach(cmd, tree_path(ctx->body, "cmds", NULL)) {
			const cJSON *pc = tree_path(cmd, "AlterTableCmd", "def", "PartitionCmd", NULL);
			if (tree_bool(pc, "concurrent"))
				conc = true;
		}
	}
	if (!conc || !ctx_in_txn(ctx))
		return;
	if (ctx->txn->explicit_depth > 0)
		flag(ctx, "CONCURRENTLY cannot run inside a transaction block (BEGIN at line %d): "
		     "PostgreSQL rejects it", ctx->txn->begin_line);
	else if (ctx->script->implicit_txn && ctx->mig && ctx->mig->fw == FW_LIQUIBASE)
		flag_as(ctx, ctx->rule->sev, "Put the CONCURRENTLY statement alone in a changeset "
			"with runInTransaction:false",
			"CONCURRENTLY cannot run inside a transaction block: with splitStatements:false "
			"Liquibase sends this changeset's %zu statements as one JDBC batch, which "
			"PostgreSQL runs as one implicit transaction", ctx->fr->nr_stmts);
	else if (ctx->script->implicit_txn)
		flag_as(ctx, ctx->rule->sev, "Put the CONCURRENTLY statement alone in a migration "
			"file of its own: golang-migrate runs a one-statement file outside any "
			"transaction",
			"CONCURRENTLY cannot run inside a transaction block: golang-migrate sends this "
			"file's %zu statements as one query, which PostgreSQL runs as one implicit "
			"transaction", ctx->fr->nr_stmts);
	else
		flag(ctx, "CONCURRENTLY cannot run inside a transaction block, and %s runs this "
		     "file in one: PostgreSQL rejects it",
		     ctx->mig ? framework_name(ctx->mig->fw) : "the migration tool");
}

static void check_drop_index(struct rule_ctx *ctx)
{
	const char *t = tree_str(tree_path(ctx->body, "removeType", NULL));
	if (!t || strcmp(t, "OBJECT_INDEX") || tree_bool(ctx->body, "concurrent"))
		return;
	flag(ctx, "DROP INDEX '%s' takes ACCESS EXCLUSIVE on its table: reads and writes wait, "
	     "and queue behind any long query", nonnull(ctx->st->table));
}

static void check_reindex(struct rule_ctx *ctx)
{
	if (tree_option(tree_path(ctx->body, "params", NULL), "concurrently"))
		return;
	if (ctx_pg(ctx) >= 12)
		flag(ctx, "REINDEX without CONCURRENTLY blocks writes to the table, and reads that "
		     "plan on it (ACCESS EXCLUSIVE on each index), while it rebuilds");
	else
		flag_as(ctx, SEV_HIGH, "Before PostgreSQL 12: CREATE INDEX CONCURRENTLY a new copy, "
			"DROP INDEX CONCURRENTLY the old one, rename",
			"REINDEX blocks writes to the table while it rebuilds (no CONCURRENTLY "
			"before PostgreSQL 12)");
}

const struct rule rules_index[] = {
	{
		.id = "create-index-nonconcurrent",
		.sev = SEV_HIGH,
		.cq = CQ_LOCK_GROWS,
		.cls = CLASS_BLOCKING,
		.cats = CATBIT(CAT_LOCK) | CATBIT(CAT_WRITES) | CATBIT(CAT_INDEX),
		.flags = RULE_SIZE_SCALED,
		.kind = "IndexStmt",
		.title = "CREATE INDEX without CONCURRENTLY",
		.fix = "CREATE INDEX CONCURRENTLY, alone in a migration that does not run in a "
		       "transaction",
		.check = check_create_index,
		.squawk = "require-concurrent-index-creation",
	},
	{
		.id = "concurrently-in-transaction",
		.sev = SEV_HIGH,
		.cq = CQ_FAILS_CLEANLY,
		.cls = CLASS_BLOCKING,
		.cats = CATBIT(CAT_INDEX),
		.title = "CONCURRENTLY inside a transaction block",
		.fix = "Run it on its own, without BEGIN, in a migration the tool runs outside a "
		       "transaction (goose: -- +goose NO TRANSACTION; dbmate: transaction:false; "
		       "Rails: disable_ddl_transaction!)",
		.check = check_concurrent_in_txn,
		.squawk = "ban-concurrent-index-creation-in-transaction",
	},
	{
		.id = "drop-index-nonconcurrent",
		.sev = SEV_MEDIUM,
		.cq = CQ_BRIEF_LOCK,
		.cls = CLASS_BLOCKING,
		.cats = CATBIT(CAT_LOCK) | CATBIT(CAT_INDEX),
		.flags = RULE_SIZE_SCALED,
		.kind = "DropStmt",
		.title = "DROP INDEX without CONCURRENTLY",
		.fix = "DROP INDEX CONCURRENTLY, outside a transaction",
		.check = check_drop_index,
		.squawk = "require-concurrent-index-deletion",
	},
	{
		.id = "reindex-nonconcurrent",
		.sev = SEV_HIGH,
		.cq = CQ_LOCK_GROWS,
		.cls = CLASS_BLOCKING,
		.cats = CATBIT(CAT_LOCK) | CATBIT(CAT_WRITES) | CATBIT(CAT_INDEX),
		.flags = RULE_SIZE_SCALED,
		.kind = "ReindexStmt",
		.title = "REINDEX without CONCURRENTLY",
		.fix = "REINDEX ... CONCURRENTLY (PostgreSQL 12+), outside a transaction",
		.check = check_reindex,
	},
	{ .id = NULL },
};
