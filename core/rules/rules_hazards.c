/*
 * rules_hazards.c - hazards that hide in statements that look harmless:
 * a primary key adopted from an index on nullable columns, a refreshed
 * materialized view, partitions attached and detached, a VALIDATE in the
 * transaction that added the constraint, triggers switched off wholesale, a
 * primary key dropped under logical replication, a retried CONCURRENTLY
 * build, and json where jsonb is meant.
 *
 * Each is a lock or a correctness problem PostgreSQL's documentation names
 * (sql-altertable.html, sql-refreshmaterializedview.html,
 * logical-replication-publication.html, sql-createindex.html "Building
 * Indexes Concurrently"); the messages say which.
 */
#include "rules.h"

#include <stdlib.h>
#include <string.h>

/* The ALTER TABLE subcommands of the statement, one at a time. */
#define FOR_EACH_CMD(cmd, body) \
	cJSON_ArrayForEach(cmd, tree_path(body, "cmds", NULL))

static const char *cmd_subtype(const cJSON *cmd)
{
	return nonnull(tree_str(tree_path(cmd, "AlterTableCmd", "subtype", NULL)));
}

static const cJSON *cmd_def(const cJSON *cmd, const char *kind)
{
	return tree_path(cmd, "AlterTableCmd", "def", kind, NULL);
}

/* --- ADD PRIMARY KEY USING INDEX on nullable columns ---------------------- */

static void check_pk_using_index(struct rule_ctx *ctx)
{
	const cJSON *cmd;
	FOR_EACH_CMD(cmd, ctx->body) {
		const cJSON *con = cmd_def(cmd, "Constraint");
		const char *idx = tree_str(tree_path(con, "indexname", NULL));
		if (strcmp(cmd_subtype(cmd), "AT_AddConstraint") || !idx ||
		    strcmp(nonnull(tree_str(tree_path(con, "contype", NULL))), "CONSTR_PRIMARY"))
			continue;
		const struct index_def *ix = schema_index(ctx->schema, idx);
		const struct table_def *t = schema_table(ctx->schema, ctx->st->table);
		if (!ix || !t)
			continue; /* not known: nothing to tell */
		struct strbuf cols = STRBUF_INIT;
		for (size_t i = 0; i < ix->columns.nr; i++) {
			const char *c = ix->columns.items[i];
			const struct column *col = table_column(t, c);
			/* PostgreSQL 12+ skips the scan when a valid CHECK (c IS NOT NULL) proves it */
			if (!col || col->not_null ||
			    (ctx_pg(ctx) >= 12 && schema_has_notnull_check(ctx->schema, t->name, c)))
				continue;
			strbuf_addf(&cols, "%s%s", cols.len ? ", " : "", c);
		}
		if (cols.len)
			flag(ctx, "PRIMARY KEY USING INDEX %s marks %s NOT NULL first: a scan of "
			     "'%s' under ACCESS EXCLUSIVE, as SET NOT NULL would", idx, cols.buf,
			     ctx->st->table);
		strbuf_release(&cols);
	}
}

/* --- REFRESH MATERIALIZED VIEW without CONCURRENTLY ----------------------- */

static void check_refresh_matview(struct rule_ctx *ctx)
{
	if (tree_bool(ctx->body, "concurrent") || tree_bool(ctx->body, "skipData"))
		return;
	flag(ctx, "REFRESH MATERIALIZED VIEW '%s' holds ACCESS EXCLUSIVE on the view while its "
	     "query runs: every read of the view waits", nonnull(ctx->st->table));
}

/* --- ATTACH / DETACH PARTITION -------------------------------------------- */

/* A validated CHECK on the partition: what PostgreSQL may use to skip the scan. */
static bool has_valid_check(const struct schema *s, const char *table)
{
	const struct constraint_def *c;
	for (size_t it = 0; (c = schema_next_constraint(s, table, &it));)
		if (c->type == CON_CHECK && c->validated)
			return true;
	return false;
}

static void check_attach_partition(struct rule_ctx *ctx)
{
	const cJSON *cmd;
	FOR_EACH_CMD(cmd, ctx->body) {
		const cJSON *pc = cmd_def(cmd, "PartitionCmd");
		if (strcmp(cmd_subtype(cmd), "AT_AttachPartition") || !pc)
			continue;
		char *part = tree_rangevar_name(tree_path(pc, "name", NULL));
		/* a partition made in this migration is empty; one with a CHECK is proven */
		if (part && !ctx_table_is_new(ctx, part) && !has_valid_check(ctx->schema, part))
			flag(ctx, "ATTACH PARTITION %s scans it under ACCESS EXCLUSIVE to prove its "
			     "rows fit the bounds, and scans the default partition of '%s' (if "
			     "any) the same way", part, nonnull(ctx->st->table));
		free(part);
	}
}

static void check_detach_partition(struct rule_ctx *ctx)
{
	const cJSON *cmd;
	FOR_EACH_CMD(cmd, ctx->body) {
		const cJSON *pc = cmd_def(cmd, "PartitionCmd");
		if (strcmp(cmd_subtype(cmd), "AT_DetachPartition") || !pc ||
		    tree_bool(pc, "concurrent"))
			continue;
		char *part = tree_rangevar_name(tree_path(pc, "name", NULL));
		if (ctx_pg(ctx) >= 14)
			flag(ctx, "DETACH PARTITION %s takes ACCESS EXCLUSIVE on '%s': every query "
			     "on the partitioned table waits, and queues behind any long one",
			     nonnull(part), nonnull(ctx->st->table));
		else
			flag_as(ctx, ctx->rule->sev, "Set a short lock_timeout and retry; "
				"PostgreSQL 14+ has DETACH PARTITION ... CONCURRENTLY",
				"DETACH PARTITION %s takes ACCESS EXCLUSIVE on '%s' (no CONCURRENTLY "
				"before PostgreSQL 14)", nonnull(part), nonnull(ctx->st->table));
		free(part);
	}
}

/* --- VALIDATE CONSTRAINT in the transaction that added it ----------------- */

/* Does statement `st` add constraint `name` NOT VALID to `table`? */
static bool adds_not_valid(const struct stmt *st, const char *table, const char *name)
{
	const cJSON *cmd;
	if (!st->kind || strcmp(st->kind, "AlterTableStmt") || !table_names_equal(st->table, table))
		return false;
	FOR_EACH_CMD(cmd, tree_body(st->tree)) {
		const cJSON *con = cmd_def(cmd, "Constraint");
		const char *cn = tree_str(tree_path(con, "conname", NULL));
		if (!strcmp(cmd_subtype(cmd), "AT_AddConstraint") && cn && !strcmp(cn, name) &&
		    tree_bool(con, "skip_validation"))
			return true;
	}
	return false;
}

static bool ends_transaction(const struct stmt *st)
{
	if (!st->kind || strcmp(st->kind, "TransactionStmt"))
		return false;
	const char *k = nonnull(tree_str(tree_path(tree_body(st->tree), "kind", NULL)));
	return strcmp(k, "TRANS_STMT_BEGIN") && strcmp(k, "TRANS_STMT_START") &&
	       strcmp(k, "TRANS_STMT_SAVEPOINT") && strcmp(k, "TRANS_STMT_RELEASE") &&
	       strcmp(k, "TRANS_STMT_ROLLBACK_TO");
}

static void check_validate_same_txn(struct rule_ctx *ctx)
{
	const cJSON *cmd;
	if (!ctx_in_txn(ctx))
		return; /* autocommit: the ADD committed and released its lock */
	FOR_EACH_CMD(cmd, ctx->body) {
		const char *name = tree_str(tree_path(cmd, "AlterTableCmd", "name", NULL));
		if (strcmp(cmd_subtype(cmd), "AT_ValidateConstraint") || !name)
			continue;
		/* back to the start of this transaction */
		for (size_t i = ctx->idx; i-- > 0;) {
			const struct stmt *prev = &ctx->fr->stmts[i];
			if (!ctx->txn->framework_txn && ends_transaction(prev))
				break;
			if (adds_not_valid(prev, ctx->st->table, name)) {
				flag(ctx, "VALIDATE CONSTRAINT %s runs in the transaction that added it "
				     "NOT VALID (line %d): its scan of '%s' runs under the lock the "
				     "ADD took, blocking writes for the whole scan", name, prev->line,
				     ctx->st->table);
				break;
			}
		}
	}
}

/* --- DISABLE TRIGGER ALL --------------------------------------------------- */

/* The line of an ENABLE TRIGGER ALL on the same table later in the file, or 0. */
static int enabled_again_at(const struct rule_ctx *ctx)
{
	for (size_t i = ctx->idx + 1; i < ctx->fr->nr_stmts; i++) {
		const struct stmt *st = &ctx->fr->stmts[i];
		const cJSON *cmd;
		if (!st->kind || strcmp(st->kind, "AlterTableStmt"))
			continue;
		/* later statements are not assessed yet: their table is in the tree only */
		char *t = tree_rangevar_name(tree_path(tree_body(st->tree), "relation", NULL));
		bool same = table_names_equal(t, ctx->st->table);
		free(t);
		if (!same)
			continue;
		FOR_EACH_CMD(cmd, tree_body(st->tree))
			if (!strcmp(cmd_subtype(cmd), "AT_EnableTrigAll"))
				return st->line;
	}
	return 0;
}

static void check_disable_trigger_all(struct rule_ctx *ctx)
{
	const cJSON *cmd;
	FOR_EACH_CMD(cmd, ctx->body) {
		if (strcmp(cmd_subtype(cmd), "AT_DisableTrigAll"))
			continue;
		int back = enabled_again_at(ctx);
		/* In one transaction, its lock keeps every other writer out until ENABLE. */
		if (back && ctx_in_txn(ctx))
			flag_as(ctx, SEV_MEDIUM, NULL, "DISABLE TRIGGER ALL on '%s' also disables the "
				"system triggers that enforce its foreign keys: the migration's own "
				"writes up to ENABLE TRIGGER ALL (line %d) are never checked against "
				"them (and it needs a superuser)", nonnull(ctx->st->table), back);
		else
			flag(ctx, "DISABLE TRIGGER ALL on '%s' also disables the system triggers that "
			     "enforce its foreign keys: every write %s is never checked against them "
			     "(and it needs a superuser)", nonnull(ctx->st->table),
			     back ? "until ENABLE TRIGGER ALL commits" : "from now on, the application's "
			     "too,");
		return;
	}
}

/* --- dropping the primary key under logical replication ------------------- */

static bool is_primary_key(const struct schema *s, const char *table, const char *name)
{
	const struct constraint_def *c;
	for (size_t it = 0; (c = schema_next_constraint(s, table, &it));)
		if (c->type == CON_PRIMARY && c->name && !strcmp(c->name, name))
			return true;
	/* an inline PRIMARY KEY has PostgreSQL's default name */
	const char *t = strrchr(table, '.');
	char *dflt = xstrfmt("%s_pkey", t ? t + 1 : table);
	bool yes = !strcmp(dflt, name);
	free(dflt);
	return yes;
}

/* REPLICA IDENTITY set on the table earlier in this file (not DEFAULT). */
static bool identity_set_here(const struct rule_ctx *ctx)
{
	for (size_t i = 0; i < ctx->idx; i++) {
		const struct stmt *st = &ctx->fr->stmts[i];
		const cJSON *cmd;
		if (!st->kind || strcmp(st->kind, "AlterTableStmt") ||
		    !table_names_equal(st->table, ctx->st->table))
			continue;
		FOR_EACH_CMD(cmd, tree_body(st->tree)) {
			const char *it = tree_str(tree_path(cmd_def(cmd, "ReplicaIdentityStmt"),
							    "identity_type", NULL));
			if (it && strcmp(it, "d"))
				return true;
		}
	}
	return false;
}

static void check_pk_replica_identity(struct rule_ctx *ctx)
{
	const cJSON *cmd;
	/* a table created on this branch has no subscribers yet */
	if (!ctx->st->table || ctx_table_is_new(ctx, ctx->st->table))
		return;
	FOR_EACH_CMD(cmd, ctx->body) {
		const char *name = tree_str(tree_path(cmd, "AlterTableCmd", "name", NULL));
		if (strcmp(cmd_subtype(cmd), "AT_DropConstraint") || !name ||
		    !is_primary_key(ctx->schema, ctx->st->table, name) || identity_set_here(ctx))
			continue;
		if (ctx->schema->publications.nr)
			flag_as(ctx, consequence_severity(ctx->rule->cq_worst), NULL,
				"dropping primary key %s of '%s': the history "
				"creates a publication (%s), and a published table with REPLICA "
				"IDENTITY DEFAULT rejects UPDATE and DELETE while it has no primary "
				"key; subscribers keyed on the old columns stop applying changes",
				name, ctx->st->table, ctx->schema->publications.items[0]);
		else
			flag(ctx, "dropping primary key %s of '%s': if the table is published for "
			     "logical replication (no publication in the history, so sluice cannot "
			     "tell), UPDATE and DELETE fail while it has none, as REPLICA IDENTITY "
			     "DEFAULT uses the primary key", name, ctx->st->table);
		return;
	}
}

/* --- CREATE INDEX CONCURRENTLY IF NOT EXISTS ------------------------------- */

static void check_concurrent_if_not_exists(struct rule_ctx *ctx)
{
	if (!tree_bool(ctx->body, "concurrent") || !tree_bool(ctx->body, "if_not_exists"))
		return;
	const char *name = tree_str(tree_path(ctx->body, "idxname", NULL));
	flag(ctx, "CREATE INDEX CONCURRENTLY IF NOT EXISTS%s%s: a build that failed earlier "
	     "leaves an INVALID index of that name, and the retry silently keeps it (never used "
	     "by queries, still slowing writes)", name ? " " : "", name ? name : "");
}

/* --- json where jsonb is meant --------------------------------------------- */

static bool is_json(const cJSON *type_name)
{
	char *t = tree_type_name(type_name);
	bool yes = t && (!strcmp(t, "json") || !strcmp(t, "pg_catalog.json") ||
			 !strcmp(t, "json[]") || !strcmp(t, "pg_catalog.json[]"));
	free(t);
	return yes;
}

static void json_column(struct rule_ctx *ctx, const cJSON *coldef, bool *said)
{
	const char *col = tree_str(tree_path(coldef, "colname", NULL));
	if (*said || !is_json(tree_path(coldef, "typeName", NULL)))
		return;
	*said = true;
	flag(ctx, "column %s of '%s' is json: stored as text, re-parsed on every access, no "
	     "GIN indexing and no equality operator (DISTINCT, GROUP BY, UNION fail); jsonb "
	     "is what is usually meant", nonnull(col), nonnull(ctx->st->table));
}

static void check_json_column(struct rule_ctx *ctx)
{
	const cJSON *e;
	bool said = false;
	if (!strcmp(ctx->st->kind, "CreateStmt")) {
		cJSON_ArrayForEach(e, tree_path(ctx->body, "tableElts", NULL))
			json_column(ctx, tree_path(e, "ColumnDef", NULL), &said);
		return;
	}
	if (strcmp(ctx->st->kind, "AlterTableStmt"))
		return;
	FOR_EACH_CMD(e, ctx->body)
		if (!strcmp(cmd_subtype(e), "AT_AddColumn"))
			json_column(ctx, cmd_def(e, "ColumnDef"), &said);
}

/* --- a Flyway file mixing transactional and non-transactional statements -- */

/*
 * discover_layout.c decides, as Flyway does, which statements Flyway runs
 * outside a transaction and whether flyway.mixed lets a file mix them; this
 * reports the mixed file once, at its first such statement.
 */
static void check_flyway_mixed(struct rule_ctx *ctx)
{
	const struct script *sc = ctx->script;
	if (!ctx->mig || ctx->mig->fw != FW_FLYWAY || !sc->mixed_line ||
	    ctx->st->line != sc->first_line + sc->mixed_line - 1)
		return;
	if (sc->mixed_refused)
		flag(ctx, "Flyway refuses this file: this statement runs only outside a transaction "
		     "and the others inside one, and flyway.mixed is not true (\"Detected both "
		     "transactional and non-transactional statements within the same migration\"); "
		     "nothing in it runs");
	else
		flag_as(ctx, SEV_MEDIUM, NULL, "flyway.mixed=true: because of this statement Flyway "
			"runs the whole file outside a transaction, so if a later statement fails the "
			"earlier ones stay applied and the migration is left failed half-way");
}

const struct rule rules_hazards[] = {
	{
		.id = "pk-using-index-nullable",
		.sev = SEV_HIGH,
		.cq = CQ_LOCK_GROWS,
		.cls = CLASS_BLOCKING,
		.cats = CATBIT(CAT_LOCK) | CATBIT(CAT_CONSTRAINT),
		.flags = RULE_SIZE_SCALED,
		.kind = "AlterTableStmt",
		.title = "ADD PRIMARY KEY USING INDEX on nullable columns scans under ACCESS EXCLUSIVE",
		.fix = "First ADD CONSTRAINT ... CHECK (col IS NOT NULL) NOT VALID, VALIDATE it, "
		       "SET NOT NULL (PostgreSQL 12+ then skips the scan), and only then ADD "
		       "PRIMARY KEY USING INDEX",
		.check = check_pk_using_index,
	},
	{
		.id = "refresh-matview-nonconcurrent",
		.sev = SEV_HIGH,
		.cq = CQ_LOCK_GROWS,
		.cls = CLASS_BLOCKING,
		.cats = CATBIT(CAT_LOCK),
		.flags = RULE_SIZE_SCALED,
		.kind = "RefreshMatViewStmt",
		.title = "REFRESH MATERIALIZED VIEW without CONCURRENTLY on an existing view",
		.fix = "REFRESH MATERIALIZED VIEW CONCURRENTLY (the view needs a unique index on "
		       "plain columns), or refresh it outside the migration",
		.check = check_refresh_matview,
	},
	{
		.id = "attach-partition-unproven",
		.sev = SEV_MEDIUM,
		.cq = CQ_SLOW,
		.cls = CLASS_BLOCKING,
		.cats = CATBIT(CAT_LOCK) | CATBIT(CAT_CONSTRAINT),
		.kind = "AlterTableStmt",
		.title = "ATTACH PARTITION without a CHECK constraint proving the bounds",
		.fix = "Before attaching, ADD a CHECK constraint matching the bounds NOT VALID and "
		       "VALIDATE it (no write-blocking lock); ATTACH then skips the scan. Drop the "
		       "CHECK afterwards",
		.check = check_attach_partition,
	},
	{
		.id = "detach-partition-nonconcurrent",
		.sev = SEV_MEDIUM,
		.cq = CQ_BRIEF_LOCK,
		.cls = CLASS_BLOCKING,
		.cats = CATBIT(CAT_LOCK),
		.flags = RULE_SIZE_SCALED,
		.kind = "AlterTableStmt",
		.title = "DETACH PARTITION without CONCURRENTLY",
		.fix = "DETACH PARTITION ... CONCURRENTLY (PostgreSQL 14+), outside a transaction "
		       "block",
		.check = check_detach_partition,
	},
	{
		.id = "validate-in-same-transaction",
		.sev = SEV_HIGH,
		.cq = CQ_LOCK_GROWS,
		.cls = CLASS_BLOCKING,
		.cats = CATBIT(CAT_LOCK) | CATBIT(CAT_CONSTRAINT),
		.flags = RULE_SIZE_SCALED,
		.kind = "AlterTableStmt",
		.title = "VALIDATE CONSTRAINT in the transaction that added it NOT VALID",
		.fix = "Commit the ADD ... NOT VALID first; VALIDATE in a later transaction (or "
		       "migration), where it takes only SHARE UPDATE EXCLUSIVE",
		.check = check_validate_same_txn,
	},
	{
		.id = "disable-trigger-all",
		.sev = SEV_HIGH,
		.cq = CQ_MAY_BREAK,
		.cls = CLASS_SAFE,
		.cats = CATBIT(CAT_FK) | CATBIT(CAT_CONSTRAINT),
		.kind = "AlterTableStmt",
		.title = "ALTER TABLE ... DISABLE TRIGGER ALL (disables foreign key enforcement)",
		.fix = "DISABLE TRIGGER USER (or name the trigger) leaves the foreign key triggers "
		       "alone; for a bulk load, SET session_replication_role only in that session",
		.check = check_disable_trigger_all,
	},
	{
		.id = "pk-drop-replica-identity",
		.sev = SEV_LOW,
		.cq = CQ_ADVICE,
		.cq_worst = CQ_MAY_BREAK,   /* a publication in the history */
		.cls = CLASS_SAFE,
		.cats = CATBIT(CAT_REPLICATION),
		.kind = "AlterTableStmt",
		.title = "Dropping the primary key of a table with REPLICA IDENTITY DEFAULT",
		.fix = "Set REPLICA IDENTITY USING INDEX on a unique index (or FULL) before "
		       "dropping the primary key, and change the subscribers' key first",
		.check = check_pk_replica_identity,
	},
	{
		.id = "concurrent-index-if-not-exists",
		.sev = SEV_MEDIUM,
		.cq = CQ_HYGIENE,
		.cls = CLASS_SAFE,
		.cats = CATBIT(CAT_INDEX),
		.kind = "IndexStmt",
		.title = "CREATE INDEX CONCURRENTLY IF NOT EXISTS keeps an INVALID index",
		.fix = "DROP INDEX CONCURRENTLY IF EXISTS the name first, then CREATE INDEX "
		       "CONCURRENTLY without IF NOT EXISTS",
		.check = check_concurrent_if_not_exists,
	},
	{
		.id = "json-column",
		.sev = SEV_LOW,
		.cq = CQ_ADVICE,
		.cls = CLASS_SAFE,
		.title = "A new json column where jsonb is usually meant",
		.fix = "Use jsonb (unless the exact text, key order and duplicate keys must be "
		       "kept)",
		.check = check_json_column,
	},
	{
		.id = "flyway-mixed-transaction",
		.sev = SEV_HIGH,
		.cq = CQ_FAILS_CLEANLY,
		.cls = CLASS_SAFE,
		.cats = CATBIT(CAT_ROLLBACK),
		.flags = RULE_DOWN_TOO,
		.title = "Flyway file mixing statements it runs outside a transaction with others",
		.fix = "Move CONCURRENTLY / VACUUM / ALTER SYSTEM ... into a migration of its own: "
		       "Flyway runs such a file outside a transaction by itself",
		.check = check_flyway_mixed,
	},
	{ .id = NULL },
};
