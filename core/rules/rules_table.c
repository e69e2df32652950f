/*
 * rules_table.c - whole tables, schemas and databases.
 *
 * Dropping or truncating loses data for good and breaks the code still
 * running during a deploy; renaming breaks it too. VACUUM FULL, CLUSTER and
 * the ALTER TABLE forms that move or re-log the table rewrite it under
 * ACCESS EXCLUSIVE. An explicit LOCK TABLE holds its lock until commit (and
 * fails outside a transaction). A 32-bit primary key runs out one day, and
 * a table without a primary key cannot replicate its UPDATEs and DELETEs
 * logically.
 *
 * A table created earlier in the same migration holds nothing yet, so
 * none of this applies to it (see ctx_table_is_new).
 */
#include "rules.h"
#include "typechange.h"

#include <stdlib.h>
#include <string.h>

static bool is_cascade(const cJSON *body)
{
	return !strcmp(nonnull(tree_str(tree_path(body, "behavior", NULL))), "DROP_CASCADE");
}

/* --- DROP TABLE / TRUNCATE ----------------------------------------------- */

/* The existing (not created here) tables among a DROP's objects, as "a, b". */
static char *existing_drop_targets(const struct rule_ctx *ctx)
{
	struct strbuf sb = STRBUF_INIT;
	const cJSON *obj;
	cJSON_ArrayForEach(obj, tree_path(ctx->body, "objects", NULL)) {
		char *name = tree_name_list(tree_path(obj, "List", "items", NULL));
		if (!ctx_table_is_new(ctx, name))
			strbuf_addf(&sb, "%s'%s'", sb.len ? ", " : "", name);
		free(name);
	}
	return strbuf_detach(&sb, NULL);
}

static void check_drop_table(struct rule_ctx *ctx)
{
	if (strcmp(nonnull(tree_str(tree_path(ctx->body, "removeType", NULL))), "OBJECT_TABLE"))
		return;
	char *names = existing_drop_targets(ctx);
	bool many = strchr(names, ',') != NULL;
	if (*names)
		flag(ctx, "DROP TABLE %s deletes %s for good, and running code that still uses "
		     "%s fails%s", names, many ? "these tables and their data" : "the table and its data",
		     many ? "them" : "it",
		     is_cascade(ctx->body) ? "; CASCADE also drops the views and foreign keys "
					     "that depend on them" : "");
	free(names);
}

static void check_truncate(struct rule_ctx *ctx)
{
	struct strbuf sb = STRBUF_INIT;
	const cJSON *rel;
	cJSON_ArrayForEach(rel, tree_path(ctx->body, "relations", NULL)) {
		char *name = tree_rangevar_name(tree_as(rel, "RangeVar"));
		if (name && !ctx_table_is_new(ctx, name))
			strbuf_addf(&sb, "%s'%s'", sb.len ? ", " : "", name);
		free(name);
	}
	if (!sb.len) {
		strbuf_release(&sb);
		return;
	}
	if (is_cascade(ctx->body))
		flag_as(ctx, SEV_BLOCKER, NULL, "TRUNCATE %s CASCADE empties every table with a "
			"foreign key to it as well, whichever those are today", sb.buf);
	else
		flag(ctx, "TRUNCATE %s deletes every row under ACCESS EXCLUSIVE; there is no undo "
		     "once committed", sb.buf);
	strbuf_release(&sb);
}

/* --- DROP SCHEMA / DROP DATABASE ----------------------------------------- */

/*
 * The tables the history made in `schema` that hold production data (not
 * new on this branch), as "'s.a', 's.b'"; empty when it made none.
 */
static char *schema_existing_tables(const struct rule_ctx *ctx, const char *schema)
{
	struct strbuf sb = STRBUF_INIT;
	size_t n = strlen(schema);
	for (size_t i = 0; i < ctx->schema->nr_tables; i++) {
		const char *t = ctx->schema->tables[i].name;
		if (!strncmp(t, schema, n) && t[n] == '.' && !ctx_table_is_new(ctx, t))
			strbuf_addf(&sb, "%s'%s'", sb.len ? ", " : "", t);
	}
	return strbuf_detach(&sb, NULL);
}

/*
 * CASCADE drops whatever the schema holds and whatever depends on it
 * elsewhere. Data is lost for certain only when a table with rows is in
 * it: the history says which tables the migrations put there. A schema
 * they put no table in (lemmy's `r`, rebuilt by the app at start-up from
 * functions, views and triggers) may still hold tables made by hand or by
 * the app, which sluice cannot see: that is a review (HIGH), not a proof.
 */
static void check_drop_schema(struct rule_ctx *ctx)
{
	if (strcmp(nonnull(tree_str(tree_path(ctx->body, "removeType", NULL))), "OBJECT_SCHEMA"))
		return;
	struct strbuf names = STRBUF_INIT, tables = STRBUF_INIT;
	const cJSON *obj;
	cJSON_ArrayForEach(obj, tree_path(ctx->body, "objects", NULL)) {
		const char *name = nonnull(tree_str(obj));
		strbuf_addf(&names, "%s'%s'", names.len ? ", " : "", name);
		char *t = schema_existing_tables(ctx, name);
		if (*t)
			strbuf_addf(&tables, "%s%s", tables.len ? ", " : "", t);
		free(t);
	}
	if (!is_cascade(ctx->body))
		flag(ctx, "DROP SCHEMA %s: running code that uses it fails (it must be empty, or "
		     "this fails)", names.buf);
	else if (tables.len)
		flag_as(ctx, SEV_BLOCKER, NULL, "DROP SCHEMA %s CASCADE drops the tables the "
			"migrations made in it (%s) with all their data, and whatever depends on "
			"them elsewhere", names.buf, tables.buf);
	else
		flag(ctx, "DROP SCHEMA %s CASCADE drops everything in it and whatever depends on it "
		     "in other schemas (views, triggers, foreign keys); no migration before this one "
		     "makes a table in it, but tables made outside the migrations go too, with their "
		     "data: list them first (SELECT relname, relkind FROM pg_class WHERE "
		     "relnamespace::regnamespace::text IN (%s))", names.buf, names.buf);
	strbuf_release(&names);
	strbuf_release(&tables);
}

static void check_drop_database(struct rule_ctx *ctx)
{
	flag(ctx, "DROP DATABASE '%s' deletes a whole database; a migration should never do this",
	     nonnull(tree_str(tree_path(ctx->body, "dbname", NULL))));
}

/* --- RENAME TABLE -------------------------------------------------------- */

static void check_rename_table(struct rule_ctx *ctx)
{
	const char *type = nonnull(tree_str(tree_path(ctx->body, "renameType", NULL)));
	if (strcmp(type, "OBJECT_TABLE") || ctx->st->new_table)
		return;
	const char *t = nonnull(ctx->st->table);
	const char *to = nonnull(tree_str(tree_path(ctx->body, "newname", NULL)));
	char *fix = xstrfmt("ALTER TABLE %s RENAME TO %s; CREATE VIEW %s AS SELECT * FROM %s; "
			    "(a simple view stays writable for the old code) and drop the view "
			    "once nothing uses the old name", t, to, t, to);
	flag_as(ctx, ctx->rule->sev, fix, "renaming '%s' to '%s' breaks every running query "
		"that names '%s' the moment it commits", t, to, t);
	free(fix);
}

/* --- rewrites: VACUUM FULL, CLUSTER, SET TABLESPACE / LOGGED ... --------- */

static bool vacuum_has(const cJSON *body, const char *option)
{
	return tree_option(tree_path(body, "options", NULL), option) != NULL;
}

static void check_vacuum_full(struct rule_ctx *ctx)
{
	const char *t = ctx->st->table;
	bool cluster = !strcmp(ctx->st->kind, "ClusterStmt");
	if (!cluster && (strcmp(ctx->st->kind, "VacuumStmt") || !vacuum_has(ctx->body, "full")))
		return;
	flag(ctx, "%s %s%s%s rewrites %s under ACCESS EXCLUSIVE: reads and writes wait for "
	     "the whole copy", cluster ? "CLUSTER" : "VACUUM FULL",
	     t ? "'" : "", t ? t : "(every table)", t ? "'" : "", t ? "it" : "each table");
}

static void check_vacuum_in_txn(struct rule_ctx *ctx)
{
	bool vacuum = !strcmp(ctx->st->kind, "VacuumStmt") && tree_bool(ctx->body, "is_vacuumcmd");
	bool cluster_all = !strcmp(ctx->st->kind, "ClusterStmt") && !ctx->st->table;
	if ((!vacuum && !cluster_all) || !ctx_in_txn(ctx))
		return;
	flag(ctx, "%s cannot run inside a transaction block%s: PostgreSQL rejects it",
	     vacuum ? "VACUUM" : "CLUSTER without a table",
	     ctx->txn->explicit_depth > 0 ? "" : ", and this file runs in one");
}

static void check_alter_rewrite(struct rule_ctx *ctx)
{
	static const struct {
		const char *subtype, *what;
	} rewrites[] = {
		{ "AT_SetTableSpace", "SET TABLESPACE copies every page to the new tablespace" },
		{ "AT_SetLogged", "SET LOGGED writes the whole table to the WAL" },
		{ "AT_SetUnLogged", "SET UNLOGGED rewrites the whole table" },
		{ "AT_SetAccessMethod", "SET ACCESS METHOD rewrites the whole table" },
	};
	const cJSON *node;
	bool index = !strcmp(nonnull(tree_str(tree_path(ctx->body, "objtype", NULL))), "OBJECT_INDEX");
	cJSON_ArrayForEach(node, tree_path(ctx->body, "cmds", NULL)) {
		const char *sub = tree_str(tree_path(node, "AlterTableCmd", "subtype", NULL));
		for (size_t i = 0; sub && i < ARRAY_SIZE(rewrites); i++)
			if (!strcmp(sub, rewrites[i].subtype))
				flag(ctx, "ALTER %s '%s' %s, under ACCESS EXCLUSIVE: reads and "
				     "writes wait until it is done", index ? "INDEX" : "TABLE",
				     nonnull(ctx->st->table), rewrites[i].what);
	}
}

/* --- LOCK TABLE ---------------------------------------------------------- */

static void check_lock_table(struct rule_ctx *ctx)
{
	const char *t = nonnull(ctx->st->table);
	enum lock_mode m = ctx->st->lock;
	if (!ctx_in_txn(ctx)) {
		flag_as(ctx, ctx_half_migrated(ctx) ? consequence_severity(ctx->rule->cq_worst)
			: SEV_HIGH, "Put LOCK TABLE inside the transaction whose statements "
			"need it", "LOCK TABLE '%s' outside a transaction block fails: PostgreSQL "
			"only allows it inside one", t);
		return;
	}
	if (!lock_blocks_writes(m))
		return;
	flag_as(ctx, lock_blocks_reads(m) ? SEV_HIGH : ctx->rule->sev, NULL,
		"LOCK TABLE '%s' IN %s MODE blocks %s of it until the transaction commits",
		t, lock_name(m), lock_blocks_reads(m) ? "every read and write" : "every write");
}

/* --- 32-bit primary keys ------------------------------------------------- */

static bool type_is_32bit(const char *type)
{
	static const char *const small[] = {
		"int4", "int2", "serial", "serial4", "smallserial", "serial2",
	};
	const char *canon = type_canonical(type);
	for (size_t i = 0; i < ARRAY_SIZE(small); i++)
		if (!strcmp(canon, small[i]))
			return true;
	return false;
}

static void int_key_column(struct rule_ctx *ctx, const cJSON *cd, const char *pk_column)
{
	struct coldef_facts f;
	coldef_facts_read(cd, &f);
	bool pk = f.primary || (pk_column && f.name && !strcmp(f.name, pk_column));
	if (pk && type_is_32bit(f.type)) {
		const char *canon = type_canonical(f.type);
		bool small = !strcmp(canon, "int2") || !strcmp(canon, "smallserial") ||
			     !strcmp(canon, "serial2");
		flag(ctx, "primary key '%s.%s' is %s: ids run out at %s and every insert then "
		     "fails; widening it later rewrites the table", nonnull(ctx->st->table),
		     nonnull(f.name), !strcmp(canon, "int4") ? "integer" : !strcmp(canon, "int2") ?
		     "smallint" : f.type, small ? "32,767" : "2,147,483,647");
	}
	coldef_facts_release(&f);
}

/* The one column of a table-level PRIMARY KEY (col), else NULL. */
static const char *single_pk_column(const cJSON *elts)
{
	const cJSON *elt;
	cJSON_ArrayForEach(elt, elts) {
		const cJSON *con = tree_as(elt, "Constraint");
		const cJSON *keys = tree_path(con, "keys", NULL);
		if (con && !strcmp(nonnull(tree_str(tree_path(con, "contype", NULL))), "CONSTR_PRIMARY") &&
		    cJSON_GetArraySize(keys) == 1)
			return tree_str(cJSON_GetArrayItem(keys, 0));
	}
	return NULL;
}

static void check_int_primary_key(struct rule_ctx *ctx)
{
	const cJSON *node;
	if (!strcmp(ctx->st->kind, "CreateStmt")) {
		const cJSON *elts = tree_path(ctx->body, "tableElts", NULL);
		const char *pk = single_pk_column(elts);
		cJSON_ArrayForEach(node, elts)
			if (tree_as(node, "ColumnDef"))
				int_key_column(ctx, tree_as(node, "ColumnDef"), pk);
		return;
	}
	if (strcmp(ctx->st->kind, "AlterTableStmt"))
		return;
	cJSON_ArrayForEach(node, tree_path(ctx->body, "cmds", NULL)) {
		const cJSON *cmd = tree_as(node, "AlterTableCmd");
		const cJSON *cd = tree_as(tree_path(cmd, "def", NULL), "ColumnDef");
		if (cd && !strcmp(nonnull(tree_str(tree_path(cmd, "subtype", NULL))), "AT_AddColumn"))
			int_key_column(ctx, cd, NULL);
	}
}

/* --- tables without a primary key (once per file) ------------------------ */

static bool pk_exempt(const cJSON *body)
{
	const cJSON *elt;
	if (!strcmp(nonnull(tree_str(tree_path(body, "relation", "relpersistence", NULL))), "t") ||
	    tree_path(body, "partbound", NULL) || tree_path(body, "inhRelations", NULL) ||
	    tree_path(body, "ofTypename", NULL))
		return true;
	cJSON_ArrayForEach(elt, tree_path(body, "tableElts", NULL))
		if (tree_as(elt, "TableLikeClause"))
			return true;    /* may copy the key; we cannot see it */
	return false;
}

static void check_file_no_primary_key(struct rule_ctx *ctx)
{
	for (size_t i = 0; i < ctx->fr->nr_stmts; i++) {
		struct stmt *st = &ctx->fr->stmts[i];
		const cJSON *body = tree_body(st->tree);
		if (!st->kind || strcmp(st->kind, "CreateStmt") || !st->table || pk_exempt(body))
			continue;
		/* The schema has seen the whole file: a key added later counts. */
		if (!schema_table(ctx->schema, st->table) ||
		    schema_has_primary_key(ctx->schema, st->table))
			continue;
		ctx->st = st;
		flag(ctx, "table '%s' has no primary key: logical replication cannot replicate its "
		     "UPDATEs and DELETEs, and duplicate rows cannot be told apart", st->table);
	}
	ctx->st = NULL;
}

const struct rule rules_table[] = {
	{
		.id = "drop-table",
		.sev = SEV_HIGH,
		.cq = CQ_MAY_BREAK,
		.cls = CLASS_DESTRUCTIVE,
		.cats = CATBIT(CAT_DATALOSS) | CATBIT(CAT_ROLLBACK) | CATBIT(CAT_WRITES),
		.kind = "DropStmt",
		.title = "DROP TABLE of an existing table",
		.fix = "Stop using the table, deploy, keep a backup (pg_dump -t), then drop it in a "
		       "later migration",
		.check = check_drop_table,
		.squawk = "ban-drop-table",
	},
	{
		.id = "truncate-table",
		.sev = SEV_HIGH,
		.cq = CQ_MAY_BREAK,
		.cq_worst = CQ_DATA_DESTROYED,
		.cls = CLASS_DESTRUCTIVE,
		.cats = CATBIT(CAT_DATALOSS) | CATBIT(CAT_ROLLBACK) | CATBIT(CAT_LOCK),
		.kind = "TruncateStmt",
		.title = "TRUNCATE in a migration",
		.fix = "Delete the rows you mean in batches (DELETE ... WHERE id IN (SELECT ... "
		       "LIMIT 5000)), after a backup; never CASCADE",
		.check = check_truncate,
		.squawk = "ban-truncate-cascade",
	},
	{
		.id = "drop-schema",
		.sev = SEV_HIGH,
		.cq = CQ_MAY_BREAK,
		.cq_worst = CQ_DATA_DESTROYED,
		.cls = CLASS_DESTRUCTIVE,
		.cats = CATBIT(CAT_DATALOSS) | CATBIT(CAT_ROLLBACK),
		.kind = "DropStmt",
		.title = "DROP SCHEMA",
		.fix = "Drop the objects you mean one by one, after a backup; never CASCADE",
		.check = check_drop_schema,
		.squawk = "ban-drop-schema",
	},
	{
		.id = "drop-database",
		.sev = SEV_BLOCKER,
		.cq = CQ_DATA_DESTROYED,
		.cls = CLASS_DESTRUCTIVE,
		.cats = CATBIT(CAT_DATALOSS) | CATBIT(CAT_ROLLBACK),
		.kind = "DropdbStmt",
		.title = "DROP DATABASE",
		.fix = "Do it by hand, after a backup, never from a migration",
		.check = check_drop_database,
		.squawk = "ban-drop-database",
	},
	{
		.id = "rename-table",
		.sev = SEV_HIGH,
		.cq = CQ_MAY_BREAK,
		.cls = CLASS_BLOCKING,
		.cats = CATBIT(CAT_WRITES) | CATBIT(CAT_ROLLBACK),
		.kind = "RenameStmt",
		.title = "RENAME TABLE",
		.fix = "Rename, and leave a view under the old name until no code uses it",
		.check = check_rename_table,
		.squawk = "renaming-table",
	},
	{
		.id = "vacuum-full-or-cluster",
		.sev = SEV_HIGH,
		.cq = CQ_LOCK_GROWS,
		.cls = CLASS_BLOCKING,
		.cats = CATBIT(CAT_LOCK) | CATBIT(CAT_WRITES) | CATBIT(CAT_REPLICATION),
		.flags = RULE_SIZE_SCALED,
		.title = "VACUUM FULL or CLUSTER rewrites the table",
		.fix = "pg_repack (or pg_squeeze) outside the migration: it rebuilds the table "
		       "online and locks only briefly",
		.check = check_vacuum_full,
		.squawk = "prefer-repack",
	},
	{
		.id = "vacuum-in-transaction",
		.sev = SEV_HIGH,
		.cq = CQ_FAILS_CLEANLY,
		.cls = CLASS_SAFE,
		.title = "VACUUM inside a transaction block",
		.fix = "Run VACUUM outside the migration, or in one the tool runs without a "
		       "transaction (goose: -- +goose NO TRANSACTION)",
		.check = check_vacuum_in_txn,
	},
	{
		.id = "alter-table-rewrite",
		.sev = SEV_HIGH,
		.cq = CQ_LOCK_GROWS,
		.cls = CLASS_BLOCKING,
		.cats = CATBIT(CAT_LOCK) | CATBIT(CAT_WRITES) | CATBIT(CAT_REPLICATION),
		.flags = RULE_SIZE_SCALED,
		.kind = "AlterTableStmt",
		.title = "SET TABLESPACE / SET LOGGED / SET UNLOGGED / SET ACCESS METHOD rewrite the "
			 "table",
		.fix = "Do it with pg_repack (--tablespace), or in a maintenance window",
		.check = check_alter_rewrite,
	},
	{
		.id = "lock-table",
		.sev = SEV_MEDIUM,
		.cq = CQ_BRIEF_LOCK,
		.cq_worst = CQ_HALF_MIGRATED,
		.cls = CLASS_BLOCKING,
		.cats = CATBIT(CAT_LOCK) | CATBIT(CAT_WRITES),
		.flags = RULE_SIZE_SCALED,
		.kind = "LockStmt",
		.title = "Explicit LOCK TABLE in a write-blocking mode",
		.fix = "Take the weakest mode that does the job, SET lock_timeout first, and keep "
		       "the transaction short",
		.check = check_lock_table,
	},
	{
		.id = "int-primary-key",
		.sev = SEV_LOW,
		.cq = CQ_ADVICE,
		.cls = CLASS_SAFE,
		.cats = 0,
		.title = "32-bit (serial / integer) primary key",
		.fix = "bigint GENERATED BY DEFAULT AS IDENTITY (or bigserial)",
		.check = check_int_primary_key,
		.squawk = "prefer-bigint-over-int|prefer-bigint-over-smallint|prefer-identity",
	},
	{
		.id = "table-without-primary-key",
		.sev = SEV_LOW,
		.cq = CQ_ADVICE,
		.cls = CLASS_SAFE,
		.cats = CATBIT(CAT_REPLICATION),
		.title = "CREATE TABLE without a primary key",
		.fix = "Add a primary key (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY), "
		       "or a composite one for a join table",
		.check_file = check_file_no_primary_key,
	},
	{ .id = NULL },
};
