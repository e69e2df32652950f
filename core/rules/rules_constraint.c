/*
 * rules_constraint.c - adding constraints and foreign keys.
 *
 * A new constraint is checked against every existing row while a lock is
 * held: ACCESS EXCLUSIVE for CHECK, SHARE ROW EXCLUSIVE on both tables for a
 * foreign key. NOT VALID skips that check, and VALIDATE CONSTRAINT does it
 * later under SHARE UPDATE EXCLUSIVE, which lets reads and writes go on.
 * UNIQUE and PRIMARY KEY build an index under ACCESS EXCLUSIVE unless they
 * adopt one built CONCURRENTLY (USING INDEX).
 *
 * Two rules look past locks: ON DELETE CASCADE deletes rows the team may
 * not expect, and a foreign key without an index on its columns makes
 * every delete or key update on the parent scan the child. The latter runs
 * once per file, after the last statement, so that an index created later
 * in the same migration counts.
 */
#include "rules.h"

#include <stdlib.h>
#include <string.h>

/* Calls fn for every constraint an ALTER TABLE adds (ADD CONSTRAINT, and the
 * inline ones of ADD COLUMN with their column name). */
static void for_each_added_constraint(struct rule_ctx *ctx,
				      void (*fn)(struct rule_ctx *ctx, const cJSON *con,
						 const char *column))
{
	const cJSON *node;
	cJSON_ArrayForEach(node, tree_path(ctx->body, "cmds", NULL)) {
		const cJSON *cmd = tree_as(node, "AlterTableCmd");
		const char *sub = nonnull(tree_str(tree_path(cmd, "subtype", NULL)));
		const cJSON *def = tree_path(cmd, "def", NULL);
		if (!strcmp(sub, "AT_AddConstraint") && tree_as(def, "Constraint")) {
			fn(ctx, tree_as(def, "Constraint"), NULL);
		} else if (!strcmp(sub, "AT_AddColumn")) {
			const cJSON *cd = tree_as(def, "ColumnDef"), *c;
			cJSON_ArrayForEach(c, tree_path(cd, "constraints", NULL))
				fn(ctx, tree_as(c, "Constraint"),
				   nonnull(tree_str(tree_path(cd, "colname", NULL))));
		}
	}
}

/* Same for CREATE TABLE: table constraints and column constraints. */
static void for_each_created_constraint(struct rule_ctx *ctx,
					void (*fn)(struct rule_ctx *ctx, const cJSON *con,
						   const char *column))
{
	const cJSON *elt;
	cJSON_ArrayForEach(elt, tree_path(ctx->body, "tableElts", NULL)) {
		const cJSON *cd = tree_as(elt, "ColumnDef"), *c;
		if (tree_as(elt, "Constraint"))
			fn(ctx, tree_as(elt, "Constraint"), NULL);
		cJSON_ArrayForEach(c, tree_path(cd, "constraints", NULL))
			fn(ctx, tree_as(c, "Constraint"),
			   nonnull(tree_str(tree_path(cd, "colname", NULL))));
	}
}

static const char *contype(const cJSON *con)
{
	return nonnull(tree_str(tree_path(con, "contype", NULL)));
}

/* "(a, b)" from a list of String nodes, or "(column)" for an inline one. */
static char *column_list(const cJSON *names, const char *column)
{
	struct strbuf sb = STRBUF_INIT;
	const cJSON *n;
	strbuf_addch(&sb, '(');
	if (column)
		strbuf_addstr(&sb, column);
	cJSON_ArrayForEach(n, names) {
		const char *s = tree_str(n);
		if (!s)
			s = tree_str(tree_path(n, "IndexElem", "name", NULL));
		strbuf_addf(&sb, "%s%s", sb.len > 1 ? ", " : "", s ? s : "?");
	}
	strbuf_addch(&sb, ')');
	return strbuf_detach(&sb, NULL);
}

static const char *conname_or(const cJSON *con, const char *fallback)
{
	const char *n = tree_str(tree_path(con, "conname", NULL));
	return n ? n : fallback;
}

/* --- FOREIGN KEY without NOT VALID --------------------------------------- */

static void validating_fk(struct rule_ctx *ctx, const cJSON *con, const char *column)
{
	if (strcmp(contype(con), "CONSTR_FOREIGN") || tree_bool(con, "skip_validation"))
		return;
	const char *t = nonnull(ctx->st->table);
	char *parent = tree_rangevar_name(tree_path(con, "pktable", NULL));
	char *cols = column_list(tree_path(con, "fk_attrs", NULL), column);
	char *pkcols = column_list(tree_path(con, "pk_attrs", NULL), NULL);
	const char *name = conname_or(con, "fk_name");
	char *fix = xstrfmt("ALTER TABLE %s ADD CONSTRAINT %s FOREIGN KEY %s REFERENCES %s%s%s "
			    "NOT VALID; then, in a later migration, ALTER TABLE %s VALIDATE "
			    "CONSTRAINT %s (SHARE UPDATE EXCLUSIVE: reads and writes go on)",
			    t, name, cols, nonnull(parent), strcmp(pkcols, "()") ? " " : "",
			    strcmp(pkcols, "()") ? pkcols : "", t, name);
	free(pkcols);
	if (parent && !strcmp(parent, t))
		flag_as(ctx, ctx->rule->sev, fix, "foreign key %s on '%s' (to itself) is checked "
			"against every row while SHARE ROW EXCLUSIVE is held: writes wait%s", cols, t,
			column ? " (and ADD COLUMN holds ACCESS EXCLUSIVE meanwhile)" : "");
	else
		flag_as(ctx, ctx->rule->sev, fix, "foreign key %s on '%s' is checked against every "
			"row while SHARE ROW EXCLUSIVE is held on both '%s' and '%s': writes to both "
			"wait%s", cols, t, t, nonnull(parent),
			column ? " (and ADD COLUMN holds ACCESS EXCLUSIVE on the child meanwhile)" : "");
	free(fix);
	free(cols);
	free(parent);
}

static void check_validating_fk(struct rule_ctx *ctx)
{
	for_each_added_constraint(ctx, validating_fk);
}

/* --- CHECK without NOT VALID --------------------------------------------- */

static void validating_check(struct rule_ctx *ctx, const cJSON *con, const char *column)
{
	if (strcmp(contype(con), "CONSTR_CHECK") || tree_bool(con, "skip_validation"))
		return;
	const char *t = nonnull(ctx->st->table);
	if (column) {
		/* A CHECK on a column added here only sees its default: still a scan. */
		flag(ctx, "the CHECK on new column '%s' is verified against every row of '%s' "
		     "under ACCESS EXCLUSIVE", column, t);
		return;
	}
	const char *name = conname_or(con, "check_name");
	char *fix = xstrfmt("ALTER TABLE %s ADD CONSTRAINT %s CHECK (...) NOT VALID; then ALTER "
			    "TABLE %s VALIDATE CONSTRAINT %s (SHARE UPDATE EXCLUSIVE)", t, name, t, name);
	flag_as(ctx, ctx->rule->sev, fix, "CHECK constraint %s is verified against every row of "
		"'%s' under ACCESS EXCLUSIVE: reads and writes wait for the scan", name, t);
	free(fix);
}

static void check_validating_check(struct rule_ctx *ctx)
{
	for_each_added_constraint(ctx, validating_check);
}

/* --- UNIQUE / PRIMARY KEY / EXCLUDE building their index ------------------ */

static void index_building(struct rule_ctx *ctx, const cJSON *con, const char *column)
{
	const char *ct = contype(con);
	bool pk = !strcmp(ct, "CONSTR_PRIMARY"), uq = !strcmp(ct, "CONSTR_UNIQUE");
	bool ex = !strcmp(ct, "CONSTR_EXCLUSION");
	if ((!pk && !uq && !ex) || tree_path(con, "indexname", NULL))
		return;
	const char *t = nonnull(ctx->st->table);
	const char *what = pk ? "PRIMARY KEY" : uq ? "UNIQUE" : "EXCLUDE";
	if (ex) {
		flag_as(ctx, ctx->rule->sev, "No concurrent way exists for EXCLUDE: add it while the "
			"table is small, or enforce the rule in a trigger",
			"EXCLUDE constraint on '%s' builds its index under ACCESS EXCLUSIVE: reads and "
			"writes wait for the whole build", t);
		return;
	}
	char *cols = column_list(tree_path(con, "keys", NULL), column);
	char *idx = xstrfmt("%s_%s_idx", t, pk ? "pkey" : "key");
	const char *name = conname_or(con, pk ? "pkey_name" : "key_name");
	char *fix = xstrfmt("CREATE UNIQUE INDEX CONCURRENTLY %s ON %s %s; then ALTER TABLE %s ADD "
			    "CONSTRAINT %s %s USING INDEX %s%s", idx, t, cols, t, name, what, idx,
			    column ? " (add the column first, in its own statement)" : "");
	flag_as(ctx, ctx->rule->sev, fix, "%s %s on '%s' builds a unique index under ACCESS "
		"EXCLUSIVE: reads and writes wait for the whole build%s", what, cols, t,
		pk ? " (and NOT NULL is checked on every row)" : "");
	free(fix);
	free(idx);
	free(cols);
}

static void check_index_building(struct rule_ctx *ctx)
{
	for_each_added_constraint(ctx, index_building);
}

/* --- ON DELETE CASCADE --------------------------------------------------- */

static void cascading(struct rule_ctx *ctx, const cJSON *con, const char *column)
{
	if (strcmp(contype(con), "CONSTR_FOREIGN") ||
	    strcmp(nonnull(tree_str(tree_path(con, "fk_del_action", NULL))), "c"))
		return;
	bool altered = !strcmp(ctx->st->kind, "AlterTableStmt") && !ctx->st->new_table;
	char *parent = tree_rangevar_name(tree_path(con, "pktable", NULL));
	char *cols = column_list(tree_path(con, "fk_attrs", NULL), column);
	flag_as(ctx, altered ? ctx->rule->sev : SEV_LOW, NULL,
		"foreign key %s on '%s' is ON DELETE CASCADE: deleting a row of '%s' silently "
		"deletes its rows in '%s'%s; verify that is intended", cols, nonnull(ctx->st->table),
		nonnull(parent), nonnull(ctx->st->table),
		altered ? ", existing rows included" : "");
	free(cols);
	free(parent);
}

static void check_cascade(struct rule_ctx *ctx)
{
	if (!strcmp(ctx->st->kind, "AlterTableStmt"))
		for_each_added_constraint(ctx, cascading);
	else if (!strcmp(ctx->st->kind, "CreateStmt"))
		for_each_created_constraint(ctx, cascading);
}

/* --- foreign keys without an index on their columns ---------------------- */

static void unindexed_fk(struct rule_ctx *ctx, const cJSON *con, const char *column)
{
	struct strlist cols = STRLIST_INIT;
	const cJSON *n;
	if (strcmp(contype(con), "CONSTR_FOREIGN"))
		return;
	const char *t = nonnull(ctx->st->table);
	if (column)
		strlist_add(&cols, column);
	cJSON_ArrayForEach(n, tree_path(con, "fk_attrs", NULL))
		strlist_add(&cols, nonnull(tree_str(n)));
	/* The schema has seen the whole file: an index made later here counts. */
	if (cols.nr && schema_table(ctx->schema, t) &&
	    !schema_has_index_covering(ctx->schema, t, &cols)) {
		char *list = column_list(tree_path(con, "fk_attrs", NULL), column);
		char *parent = tree_rangevar_name(tree_path(con, "pktable", NULL));
		struct strbuf idx = STRBUF_INIT;
		strbuf_addf(&idx, "%s", table_key(t));
		for (size_t i = 0; i < cols.nr; i++)
			strbuf_addf(&idx, "_%s", cols.items[i]);
		strbuf_addstr(&idx, "_idx");
		for (char *p = idx.buf; *p; p++)
			if (*p == '.')
				*p = '_';
		/* On a table created here a plain CREATE INDEX is instant and may share
		 * the transaction; anywhere else it must not block writes. */
		bool fresh = ctx_table_is_new(ctx, t);
		char *fix = xstrfmt("CREATE INDEX %s%s ON %s %s;%s", fresh ? "" : "CONCURRENTLY ",
				    idx.buf, t, list, fresh ? " (the table is new: no need for "
				    "CONCURRENTLY)" : "");
		flag_as(ctx, ctx->rule->sev, fix, "no index on '%s' %s for its foreign key to '%s': "
			"every DELETE or key UPDATE on '%s' scans '%s'", t, list, nonnull(parent),
			nonnull(parent), t);
		free(fix);
		strbuf_release(&idx);
		free(parent);
		free(list);
	}
	strlist_clear(&cols);
}

static void check_file_unindexed_fk(struct rule_ctx *ctx)
{
	for (size_t i = 0; i < ctx->fr->nr_stmts; i++) {
		struct stmt *st = &ctx->fr->stmts[i];
		if (!st->kind || !st->table)
			continue;
		ctx->st = st;
		ctx->body = tree_body(st->tree);
		if (!strcmp(st->kind, "AlterTableStmt"))
			for_each_added_constraint(ctx, unindexed_fk);
		else if (!strcmp(st->kind, "CreateStmt"))
			for_each_created_constraint(ctx, unindexed_fk);
	}
	ctx->st = NULL;
	ctx->body = NULL;
}

const struct rule rules_constraint[] = {
	{
		.id = "foreign-key-without-not-valid",
		.sev = SEV_HIGH,
		.cq = CQ_LOCK_GROWS,
		.cls = CLASS_BLOCKING,
		.cats = CATBIT(CAT_LOCK) | CATBIT(CAT_WRITES) | CATBIT(CAT_CONSTRAINT) |
			CATBIT(CAT_FK),
		.flags = RULE_SIZE_SCALED,
		.kind = "AlterTableStmt",
		.title = "ADD FOREIGN KEY without NOT VALID",
		.fix = "ADD CONSTRAINT ... FOREIGN KEY ... NOT VALID; VALIDATE CONSTRAINT in a later "
		       "migration",
		.check = check_validating_fk,
		.squawk = "adding-foreign-key-constraint",
	},
	{
		.id = "check-without-not-valid",
		.sev = SEV_HIGH,
		.cq = CQ_LOCK_GROWS,
		.cls = CLASS_BLOCKING,
		.cats = CATBIT(CAT_LOCK) | CATBIT(CAT_CONSTRAINT),
		.flags = RULE_SIZE_SCALED,
		.kind = "AlterTableStmt",
		.title = "ADD CHECK without NOT VALID",
		.fix = "ADD CONSTRAINT ... CHECK (...) NOT VALID; then VALIDATE CONSTRAINT",
		.check = check_validating_check,
		.squawk = "constraint-missing-not-valid",
	},
	{
		.id = "add-constraint-builds-index",
		.sev = SEV_HIGH,
		.cq = CQ_LOCK_GROWS,
		.cls = CLASS_BLOCKING,
		.cats = CATBIT(CAT_LOCK) | CATBIT(CAT_WRITES) | CATBIT(CAT_INDEX) |
			CATBIT(CAT_CONSTRAINT),
		.flags = RULE_SIZE_SCALED,
		.kind = "AlterTableStmt",
		.title = "ADD UNIQUE / PRIMARY KEY / EXCLUDE builds its index under ACCESS EXCLUSIVE",
		.fix = "CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT ... USING INDEX",
		.check = check_index_building,
		.squawk = "disallowed-unique-constraint|adding-serial-primary-key-field",
	},
	{
		.id = "foreign-key-cascade",
		.sev = SEV_MEDIUM,
		.cq = CQ_HYGIENE,
		.cls = CLASS_SAFE,
		.cats = CATBIT(CAT_FK) | CATBIT(CAT_DATALOSS),
		.title = "ON DELETE CASCADE on a new foreign key",
		.fix = "ON DELETE RESTRICT (the default) unless cascading deletes are intended; "
		       "delete children explicitly",
		.check = check_cascade,
	},
	{
		.id = "foreign-key-without-index",
		.sev = SEV_MEDIUM,
		.cq = CQ_HYGIENE,
		.cls = CLASS_SAFE,
		.cats = CATBIT(CAT_FK) | CATBIT(CAT_INDEX),
		.title = "Foreign key without an index on its columns",
		.fix = "CREATE INDEX CONCURRENTLY on the referencing columns",
		.check_file = check_file_unindexed_fk,
	},
	{ .id = NULL },
};
