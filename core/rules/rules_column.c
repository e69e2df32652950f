/*
 * rules_column.c - adding, dropping, renaming and changing columns.
 *
 * Every ALTER TABLE here takes ACCESS EXCLUSIVE on the table, so what
 * matters is how long it holds it and what it breaks: a NOT NULL column
 * without a default fails on a table with rows; a volatile default, a
 * serial, identity or stored generated column rewrites every row; a type
 * change rewrites unless the old type is binary-coercible to the new one;
 * SET NOT NULL scans every row unless a validated CHECK proves it (PG 12+);
 * DROP and RENAME break the code that is still running during the deploy.
 *
 * None of this matters on a table created earlier in the same migration:
 * the lock and rewrite rules are RULE_SIZE_SCALED (the judge skips them
 * there), the others check st->new_table themselves.
 */
#include "rules.h"
#include "typechange.h"

#include <stdlib.h>
#include <string.h>

/* Calls fn for every ALTER TABLE subcommand of `subtype` on a plain table. */
static void for_each_cmd(struct rule_ctx *ctx, const char *subtype,
			 void (*fn)(struct rule_ctx *ctx, const cJSON *cmd))
{
	const cJSON *node;
	const char *obj = tree_str(tree_path(ctx->body, "objtype", NULL));
	if (obj && strcmp(obj, "OBJECT_TABLE"))
		return;
	cJSON_ArrayForEach(node, tree_path(ctx->body, "cmds", NULL)) {
		const cJSON *cmd = tree_as(node, "AlterTableCmd");
		if (!strcmp(nonnull(tree_str(tree_path(cmd, "subtype", NULL))), subtype))
			fn(ctx, cmd);
	}
}

static const char *cmd_column(const cJSON *cmd)
{
	return nonnull(tree_str(tree_path(cmd, "name", NULL)));
}

static const char *table_of(const struct rule_ctx *ctx)
{
	return nonnull(ctx->st->table);
}

/* --- ADD COLUMN ... NOT NULL without a default --------------------------- */

/*
 * Did an earlier statement of this script empty `table` (DELETE without
 * WHERE, TRUNCATE) with no INSERT or COPY into it since? Then a NOT NULL
 * column without a default cannot fail on existing rows.
 */
static bool emptied_here(const struct rule_ctx *ctx, const char *table)
{
	bool empty = false;
	for (size_t i = 0; i < ctx->idx; i++) {
		const struct stmt *st = &ctx->fr->stmts[i];
		const cJSON *b = tree_body(st->tree), *rel;
		if (!st->kind)
			continue;
		if (!strcmp(st->kind, "DeleteStmt") && table_names_equal(st->table, table))
			empty = empty || !tree_path(b, "whereClause", NULL);
		else if ((!strcmp(st->kind, "InsertStmt") || !strcmp(st->kind, "CopyStmt")) &&
			 table_names_equal(st->table, table))
			empty = false;
		else if (!strcmp(st->kind, "TruncateStmt"))
			cJSON_ArrayForEach(rel, tree_path(b, "relations", NULL)) {
				char *n = tree_rangevar_name(tree_as(rel, "RangeVar"));
				empty = empty || table_names_equal(n, table);
				free(n);
			}
	}
	return empty;
}

static void required_column(struct rule_ctx *ctx, const cJSON *cmd)
{
	struct coldef_facts f;
	coldef_facts_read(tree_as(tree_path(cmd, "def", NULL), "ColumnDef"), &f);
	if (f.not_null && !coldef_fills_rows(&f)) {
		const char *t = table_of(ctx), *c = nonnull(f.name);
		char *fix = xstrfmt("ALTER TABLE %s ADD COLUMN %s %s; backfill it in batches; then "
				    "make it NOT NULL (CHECK (%s IS NOT NULL) NOT VALID, VALIDATE, "
				    "SET NOT NULL) - or give it a constant DEFAULT (no rewrite on "
				    "PostgreSQL 11+)", t, c, f.type, c);
		if (ctx_table_rows(ctx, t) == 0 || emptied_here(ctx, t))
			flag_as(ctx, SEV_MEDIUM, fix, "column '%s' is NOT NULL without a DEFAULT: "
				"'%s' is empty %s, but any running code that inserts without it "
				"fails", c, t, ctx_table_rows(ctx, t) == 0 ? "now" :
				"after the DELETE/TRUNCATE above");
		else if (ctx_half_migrated(ctx))
			flag_as(ctx, consequence_severity(ctx->rule->cq_worst), fix, "column '%s' "
				"is NOT NULL without a DEFAULT: ALTER TABLE fails on '%s' as soon as "
				"it has a row, and outside a transaction the statements before it "
				"stay applied: the database is left half-migrated", c, t);
		else
			flag_as(ctx, ctx->rule->sev, fix, "column '%s' is NOT NULL without a DEFAULT: "
				"ALTER TABLE fails on '%s' as soon as it has a row%s", c, t,
				ctx_in_txn(ctx) ? ", and the migration rolls back" : "");
		free(fix);
	}
	coldef_facts_release(&f);
}

static void check_required_column(struct rule_ctx *ctx)
{
	if (!ctx->st->new_table)
		for_each_cmd(ctx, "AT_AddColumn", required_column);
}

/* --- ADD COLUMN that rewrites the table ---------------------------------- */

static void rewriting_column(struct rule_ctx *ctx, const cJSON *cmd)
{
	struct coldef_facts f;
	const char *t = table_of(ctx), *why = NULL, *func;
	coldef_facts_read(tree_as(tree_path(cmd, "def", NULL), "ColumnDef"), &f);
	const char *c = nonnull(f.name);
	if (f.serial)
		why = "a serial column fills every existing row from a sequence (nextval() is volatile)";
	else if (f.identity)
		why = "an identity column fills every existing row from its sequence";
	else if (f.generated)
		why = "a stored generated column is computed and written for every existing row";
	else if (f.default_expr && expr_is_volatile(f.default_expr, ctx->schema))
		why = "its DEFAULT is volatile, so it is evaluated and written for every row";
	if (why) {
		char *fix = xstrfmt("ALTER TABLE %s ADD COLUMN %s %s (no default); set the default "
				    "for new rows with ALTER COLUMN %s SET DEFAULT ...; backfill "
				    "existing rows in batches", t, c,
				    f.serial ? "bigint" : f.type, c);
		flag_as(ctx, ctx->rule->sev, fix, "adding '%s' rewrites '%s' under ACCESS "
			"EXCLUSIVE: %s", c, t, why);
		free(fix);
	} else if (f.default_expr && (func = expr_unknown_function(f.default_expr, ctx->schema))) {
		flag_as(ctx, SEV_MEDIUM, NULL, "adding '%s' to '%s' with DEFAULT %s(...): if %s() is "
			"VOLATILE this rewrites the table under ACCESS EXCLUSIVE; verify", c, t,
			func, func);
	}
	coldef_facts_release(&f);
}

static void check_rewriting_column(struct rule_ctx *ctx)
{
	for_each_cmd(ctx, "AT_AddColumn", rewriting_column);
}

/* Before PostgreSQL 11 even a constant DEFAULT is written into every row. */
static void old_default_column(struct rule_ctx *ctx, const cJSON *cmd)
{
	struct coldef_facts f;
	coldef_facts_read(tree_as(tree_path(cmd, "def", NULL), "ColumnDef"), &f);
	if (f.default_expr && !expr_is_volatile(f.default_expr, ctx->schema) && !f.serial && !f.identity &&
	    !f.generated) {
		const char *t = table_of(ctx), *c = nonnull(f.name);
		char *fix = xstrfmt("ALTER TABLE %s ADD COLUMN %s %s; ALTER TABLE %s ALTER COLUMN %s "
				    "SET DEFAULT ...; backfill in batches (or upgrade to PostgreSQL "
				    "11+, where a constant default costs nothing)", t, c, f.type, t, c);
		flag_as(ctx, ctx->rule->sev, fix, "adding '%s' with a DEFAULT rewrites '%s' under "
			"ACCESS EXCLUSIVE on PostgreSQL %d: before 11 the default is written into "
			"every row", c, t, ctx_pg(ctx));
		free(fix);
	}
	coldef_facts_release(&f);
}

static void check_old_default_column(struct rule_ctx *ctx)
{
	if (ctx_pg(ctx) < 11)
		for_each_cmd(ctx, "AT_AddColumn", old_default_column);
}

/* --- DROP COLUMN / RENAME COLUMN ----------------------------------------- */

static void check_drop_column(struct rule_ctx *ctx)
{
	struct strbuf cols = STRBUF_INIT;
	const cJSON *node;
	bool cascade = false;
	if (ctx->st->new_table)
		return;
	cJSON_ArrayForEach(node, tree_path(ctx->body, "cmds", NULL)) {
		const cJSON *cmd = tree_as(node, "AlterTableCmd");
		if (strcmp(nonnull(tree_str(tree_path(cmd, "subtype", NULL))), "AT_DropColumn"))
			continue;
		strbuf_addf(&cols, "%s'%s'", cols.len ? ", " : "", cmd_column(cmd));
		cascade |= !strcmp(nonnull(tree_str(tree_path(cmd, "behavior", NULL))), "DROP_CASCADE");
	}
	if (cols.len)
		flag(ctx, "dropping %s from '%s' deletes the data, and code still running during "
		     "the deploy that reads or writes it fails%s", cols.buf, table_of(ctx),
		     cascade ? "; CASCADE also drops the views and constraints that use it" : "");
	strbuf_release(&cols);
}

static void check_rename_column(struct rule_ctx *ctx)
{
	const char *type = nonnull(tree_str(tree_path(ctx->body, "renameType", NULL)));
	if (strcmp(type, "OBJECT_COLUMN") || ctx->st->new_table)
		return;
	const char *from = nonnull(tree_str(tree_path(ctx->body, "subname", NULL)));
	const char *to = nonnull(tree_str(tree_path(ctx->body, "newname", NULL)));
	flag(ctx, "renaming '%s.%s' to '%s' breaks every running query that names '%s' the "
	     "moment it commits", table_of(ctx), from, to, from);
}

/* --- ALTER COLUMN ... TYPE ----------------------------------------------- */

static void changed_type(struct rule_ctx *ctx, const cJSON *cmd)
{
	const char *t = table_of(ctx), *c = cmd_column(cmd);
	const cJSON *cd = tree_as(tree_path(cmd, "def", NULL), "ColumnDef");
	const struct column *old = table_column(schema_table(ctx->schema, t), c);
	char *to = tree_type_name(tree_path(cd, "typeName", NULL));
	const cJSON *u = tree_path(cd, "raw_default", NULL);
	bool using = u && !type_change_using_is_plain(u, c, to);

	if (!old || !old->type) {
		flag(ctx, "changing '%s.%s' to %s: its old type is not in the migration history, "
		     "so sluice cannot tell whether this rewrites the table under ACCESS "
		     "EXCLUSIVE; verify (varchar(n) to varchar(m >= n) or text does not)", t, c, to);
	} else if (using || (!type_change_is_binary_coercible(old->type, to, ctx_pg(ctx)) &&
			     !(ctx->schema->session_utc &&
			       type_change_free_in_utc(old->type, to, ctx_pg(ctx))))) {
		const char *tz = !using && type_change_free_in_utc(old->type, to, ctx_pg(ctx)) ?
			" (PostgreSQL 12+ skips it when the session TimeZone is UTC: SET TIME ZONE "
			"'UTC' earlier in the migration)" : "";
		flag(ctx, "changing '%s.%s' from %s to %s%s rewrites the table and rebuilds its "
		     "indexes under ACCESS EXCLUSIVE%s", t, c, old->type, to,
		     using ? " with USING" : "", tz);
	}
	free(to);
}

static void check_column_type(struct rule_ctx *ctx)
{
	for_each_cmd(ctx, "AT_AlterColumnType", changed_type);
}

/* --- SET NOT NULL -------------------------------------------------------- */

static void set_not_null(struct rule_ctx *ctx, const cJSON *cmd)
{
	const char *t = table_of(ctx), *c = cmd_column(cmd);
	const struct column *col = table_column(schema_table(ctx->schema, t), c);
	bool proven = schema_has_notnull_check(ctx->schema, t, c);
	if ((col && col->not_null) || (proven && ctx_pg(ctx) >= 12))
		return;
	char *fix = xstrfmt("ALTER TABLE %s ADD CONSTRAINT %s_%s_not_null CHECK (%s IS NOT NULL) "
			    "NOT VALID; ALTER TABLE %s VALIDATE CONSTRAINT %s_%s_not_null; then "
			    "SET NOT NULL (PostgreSQL 12+ uses the check and skips the scan)",
			    t, t, c, c, t, t, c);
	flag_as(ctx, ctx->rule->sev, fix, "SET NOT NULL on '%s.%s' scans the whole table under "
		"ACCESS EXCLUSIVE%s", t, c,
		proven ? " (the validated CHECK only lets PostgreSQL 12+ skip the scan)" : "");
	free(fix);
}

static void check_set_not_null(struct rule_ctx *ctx)
{
	for_each_cmd(ctx, "AT_SetNotNull", set_not_null);
}

const struct rule rules_column[] = {
	{
		.id = "add-column-required",
		.sev = SEV_HIGH,
		.cq = CQ_FAILS_CLEANLY,
		.cq_worst = CQ_HALF_MIGRATED,
		.cls = CLASS_BLOCKING,
		.cats = CATBIT(CAT_CONSTRAINT) | CATBIT(CAT_WRITES),
		.kind = "AlterTableStmt",
		.title = "ADD COLUMN ... NOT NULL without a DEFAULT on an existing table",
		.fix = "Add the column nullable, backfill in batches, then SET NOT NULL via a "
		       "validated CHECK",
		.check = check_required_column,
		.squawk = "adding-required-field",
	},
	{
		.id = "add-column-rewrite",
		.sev = SEV_HIGH,
		.cq = CQ_LOCK_GROWS,
		.cls = CLASS_BLOCKING,
		.cats = CATBIT(CAT_LOCK) | CATBIT(CAT_WRITES) | CATBIT(CAT_REPLICATION),
		.flags = RULE_SIZE_SCALED,
		.kind = "AlterTableStmt",
		.title = "ADD COLUMN that rewrites the table (volatile default, serial, identity, "
			 "stored generated)",
		.fix = "Add the column without a default, set the default for new rows, backfill "
		       "existing rows in batches",
		.check = check_rewriting_column,
		.squawk = "adding-field-with-default",
	},
	{
		.id = "add-column-default-before-pg11",
		.sev = SEV_HIGH,
		.cq = CQ_LOCK_GROWS,
		.cls = CLASS_BLOCKING,
		.cats = CATBIT(CAT_LOCK) | CATBIT(CAT_WRITES) | CATBIT(CAT_REPLICATION),
		.flags = RULE_SIZE_SCALED,
		.kind = "AlterTableStmt",
		.title = "ADD COLUMN with a constant DEFAULT before PostgreSQL 11 rewrites the table",
		.fix = "Add the column without a default, SET DEFAULT for new rows, backfill in "
		       "batches; or upgrade to PostgreSQL 11+",
		.check = check_old_default_column,
	},
	{
		.id = "drop-column",
		.sev = SEV_HIGH,
		.cq = CQ_MAY_BREAK,
		.cls = CLASS_DESTRUCTIVE,
		.cats = CATBIT(CAT_DATALOSS) | CATBIT(CAT_ROLLBACK) | CATBIT(CAT_WRITES),
		.kind = "AlterTableStmt",
		.title = "DROP COLUMN",
		.fix = "Stop writing the column, then stop reading it, deploy, and drop it in a "
		       "later migration (keep a copy if the data may be needed)",
		.check = check_drop_column,
		.squawk = "ban-drop-column",
	},
	{
		.id = "rename-column",
		.sev = SEV_HIGH,
		.cq = CQ_MAY_BREAK,
		.cls = CLASS_BLOCKING,
		.cats = CATBIT(CAT_WRITES) | CATBIT(CAT_ROLLBACK),
		.kind = "RenameStmt",
		.title = "RENAME COLUMN",
		.fix = "Add the new column, write both, backfill, move reads over, then drop the "
		       "old one in a later migration",
		.check = check_rename_column,
		.squawk = "renaming-column",
	},
	{
		.id = "alter-column-type",
		.sev = SEV_HIGH,
		.cq = CQ_LOCK_GROWS,
		.cls = CLASS_BLOCKING,
		.cats = CATBIT(CAT_LOCK) | CATBIT(CAT_WRITES) | CATBIT(CAT_REPLICATION) |
			CATBIT(CAT_INDEX),
		.flags = RULE_SIZE_SCALED,
		.kind = "AlterTableStmt",
		.title = "ALTER COLUMN ... TYPE that rewrites the table",
		.fix = "Add a column of the new type, write both, backfill in batches, swap in a "
		       "later migration; or a binary-coercible change (varchar(n) to text)",
		.check = check_column_type,
		.squawk = "changing-column-type",
	},
	{
		.id = "set-not-null",
		.sev = SEV_HIGH,
		.cq = CQ_LOCK_GROWS,
		.cls = CLASS_BLOCKING,
		.cats = CATBIT(CAT_LOCK) | CATBIT(CAT_CONSTRAINT),
		.flags = RULE_SIZE_SCALED,
		.kind = "AlterTableStmt",
		.title = "SET NOT NULL scans the table under ACCESS EXCLUSIVE",
		.fix = "ADD CONSTRAINT ... CHECK (col IS NOT NULL) NOT VALID, VALIDATE CONSTRAINT, "
		       "then SET NOT NULL (PostgreSQL 12+)",
		.check = check_set_not_null,
		.squawk = "adding-not-nullable-field",
	},
	{ .id = NULL },
};
