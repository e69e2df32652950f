/*
 * rules_types.c - enums, domains and other user-defined types.
 *
 * ALTER TYPE ... ADD VALUE could not run inside a transaction block before
 * PostgreSQL 12; since 12 it can, but the new value cannot be used until
 * that transaction commits. Renaming a value or a type breaks the code that
 * still writes the old name; dropping a type with CASCADE drops every
 * column of that type. ALTER DOMAIN ... ADD CONSTRAINT checks every column
 * that uses the domain, in every table, while blocking writes to them.
 */
#include "rules.h"

#include <stdlib.h>
#include <string.h>

static bool is_add_value(const cJSON *body)
{
	return tree_str(tree_path(body, "newVal", NULL)) && !tree_path(body, "oldVal", NULL);
}

static void check_add_value_in_txn(struct rule_ctx *ctx)
{
	if (!is_add_value(ctx->body) || ctx_pg(ctx) >= 12 || !ctx_in_txn(ctx))
		return;
	char *type = tree_name_list(tree_path(ctx->body, "typeName", NULL));
	flag(ctx, "ALTER TYPE %s ADD VALUE '%s' cannot run inside a transaction block before "
	     "PostgreSQL 12%s: it fails", type, tree_str(tree_path(ctx->body, "newVal", NULL)),
	     ctx->txn->explicit_depth > 0 ? "" : ", and this file runs in one");
	free(type);
}

static bool is_txn_end(const struct stmt *st)
{
	const char *k;
	if (!st->kind || strcmp(st->kind, "TransactionStmt"))
		return false;
	k = nonnull(tree_str(tree_path(tree_body(st->tree), "kind", NULL)));
	return !strcmp(k, "TRANS_STMT_COMMIT") || !strcmp(k, "TRANS_STMT_ROLLBACK");
}

/*
 * The first later statement of the same transaction that spells the new
 * value as a literal ('value'), or NULL. A textual match is enough: the
 * label has to appear quoted to be used.
 */
static const struct stmt *later_use(const struct rule_ctx *ctx, const char *value)
{
	char *quoted = xstrfmt("'%s'", value);
	const struct stmt *found = NULL;
	int depth = ctx->txn->explicit_depth;
	for (size_t i = ctx->idx + 1; i < ctx->fr->nr_stmts && !found; i++) {
		const struct stmt *st = &ctx->fr->stmts[i];
		if (is_txn_end(st) && depth > 0 && --depth == 0 && !ctx->txn->framework_txn)
			break;
		if (st->sql && strstr(st->sql, quoted))
			found = st;
	}
	free(quoted);
	return found;
}

static void check_new_value_used(struct rule_ctx *ctx)
{
	if (!is_add_value(ctx->body) || ctx_pg(ctx) < 12 || !ctx_in_txn(ctx))
		return;
	const char *value = tree_str(tree_path(ctx->body, "newVal", NULL));
	const struct stmt *use = later_use(ctx, value);
	if (!use)
		return;
	char *type = tree_name_list(tree_path(ctx->body, "typeName", NULL));
	flag(ctx, "enum value '%s' added to %s is used at line %d in the same transaction: "
	     "PostgreSQL rejects that (unsafe use of new value) until the ADD VALUE commits",
	     value, type, use->line);
	free(type);
}

static void check_rename_value(struct rule_ctx *ctx)
{
	const char *from = tree_str(tree_path(ctx->body, "oldVal", NULL));
	if (!from)
		return;
	char *type = tree_name_list(tree_path(ctx->body, "typeName", NULL));
	flag(ctx, "renaming value '%s' of %s to '%s': running code that writes '%s' fails the "
	     "moment it commits", from, type, nonnull(tree_str(tree_path(ctx->body, "newVal", NULL))),
	     from);
	free(type);
}

/* The name a CREATE TYPE / CREATE DOMAIN statement creates, or NULL. Caller frees. */
static char *created_type(const struct stmt *st)
{
	const cJSON *b = tree_body(st->tree);
	if (!st->kind)
		return NULL;
	if (!strcmp(st->kind, "CreateEnumStmt"))
		return tree_name_list(tree_path(b, "typeName", NULL));
	if (!strcmp(st->kind, "CreateDomainStmt"))
		return tree_name_list(tree_path(b, "domainname", NULL));
	if (!strcmp(st->kind, "CompositeTypeStmt"))
		return tree_rangevar_name(tree_path(b, "typevar", NULL));
	return NULL;
}

/*
 * The usual way to change an enum swaps types inside one migration: rename
 * the old one away and create a new one under its name, or create new_x and
 * rename it to x. Running code sees the name all along, so a rename whose
 * old name is created again in this file, or of a type created earlier in
 * it, breaks nothing.
 */
static bool rename_in_swap(const struct rule_ctx *ctx, const char *name)
{
	for (size_t i = 0; i < ctx->fr->nr_stmts; i++) {
		char *n = created_type(&ctx->fr->stmts[i]);
		bool same = n && !strcmp(n, name);
		free(n);
		if (same)
			return true;
	}
	return false;
}

static void check_rename_type(struct rule_ctx *ctx)
{
	const char *t = nonnull(tree_str(tree_path(ctx->body, "renameType", NULL)));
	if (strcmp(t, "OBJECT_TYPE") && strcmp(t, "OBJECT_DOMAIN"))
		return;
	char *name = tree_name_list(tree_path(ctx->body, "object", "List", "items", NULL));
	if (rename_in_swap(ctx, name)) {
		free(name);
		return;
	}
	flag(ctx, "renaming type %s to %s breaks running code that names it (casts such as "
	     "'x'::%s, ORM enum mappings)", name,
	     nonnull(tree_str(tree_path(ctx->body, "newname", NULL))), name);
	free(name);
}

static char *type_names(const cJSON *objects)
{
	struct strbuf sb = STRBUF_INIT;
	const cJSON *obj;
	cJSON_ArrayForEach(obj, objects) {
		char *n = tree_name_list(tree_path(obj, "TypeName", "names", NULL));
		strbuf_addf(&sb, "%s%s", sb.len ? ", " : "", n);
		free(n);
	}
	return strbuf_detach(&sb, NULL);
}

/* Does a column type ("mood", "public.mood", "mood[]") name the type `name`? */
static bool type_is(const char *coltype, const char *name)
{
	const char *a = strrchr(coltype, '.'), *b = strrchr(name, '.');
	a = a ? a + 1 : coltype;
	b = b ? b + 1 : name;
	size_t n = strcspn(a, "([");
	return strlen(b) == n && !strncmp(a, b, n);
}

/* "table.column" for every column the model knows of one of the types. */
static void columns_of_types(const struct schema *s, const cJSON *objects, struct strbuf *out)
{
	const cJSON *obj;
	cJSON_ArrayForEach(obj, objects) {
		char *n = tree_name_list(tree_path(obj, "TypeName", "names", NULL));
		for (size_t t = 0; t < s->nr_tables; t++)
			for (size_t c = 0; c < s->tables[t].nr_cols; c++)
				if (s->tables[t].cols[c].type && type_is(s->tables[t].cols[c].type, n))
					strbuf_addf(out, "%s'%s.%s'", out->len ? ", " : "",
						    s->tables[t].name, s->tables[t].cols[c].name);
		free(n);
	}
}

static void check_drop_type_cascade(struct rule_ctx *ctx)
{
	const char *t = nonnull(tree_str(tree_path(ctx->body, "removeType", NULL)));
	if ((strcmp(t, "OBJECT_TYPE") && strcmp(t, "OBJECT_DOMAIN")) ||
	    strcmp(nonnull(tree_str(tree_path(ctx->body, "behavior", NULL))), "DROP_CASCADE"))
		return;
	struct strbuf cols = STRBUF_INIT;
	char *names = type_names(tree_path(ctx->body, "objects", NULL));
	const char *what = !strcmp(t, "OBJECT_TYPE") ? "TYPE" : "DOMAIN";
	columns_of_types(ctx->schema, tree_path(ctx->body, "objects", NULL), &cols);
	if (cols.len)
		flag(ctx, "DROP %s %s CASCADE drops %s, with their data", what, names, cols.buf);
	else if (ctx->schema->nr_tables)
		/* The history moved every known column off the type (the usual enum swap). */
		flag_as(ctx, SEV_MEDIUM, NULL, "DROP %s %s CASCADE: no column the history knows "
			"uses it any more, but CASCADE would silently drop any column of that type it "
			"missed; verify, or drop it without CASCADE", what, names);
	else
		flag(ctx, "DROP %s %s CASCADE also drops every column of that type, in every table, "
		     "with its data", what, names);
	strbuf_release(&cols);
	free(names);
}

static void check_domain_constraint(struct rule_ctx *ctx)
{
	const cJSON *con = tree_as(tree_path(ctx->body, "def", NULL), "Constraint");
	if (strcmp(nonnull(tree_str(tree_path(ctx->body, "subtype", NULL))), "C") || !con ||
	    tree_bool(con, "skip_validation"))
		return;
	char *name = tree_name_list(tree_path(ctx->body, "typeName", NULL));
	flag(ctx, "ALTER DOMAIN %s ADD CONSTRAINT checks every column of type %s in every table, "
	     "holding SHARE on each: writes to all of them wait", name, name);
	free(name);
}

const struct rule rules_types[] = {
	{
		.id = "enum-add-value-in-transaction",
		.sev = SEV_HIGH,
		.cq = CQ_FAILS_CLEANLY,
		.cls = CLASS_SAFE,
		.cats = 0,
		.kind = "AlterEnumStmt",
		.title = "ALTER TYPE ... ADD VALUE inside a transaction (before PostgreSQL 12)",
		.fix = "Run ALTER TYPE ... ADD VALUE on its own, outside a transaction (goose: "
		       "-- +goose NO TRANSACTION; dbmate: transaction:false)",
		.check = check_add_value_in_txn,
	},
	{
		.id = "enum-value-used-in-transaction",
		.sev = SEV_HIGH,
		.cq = CQ_FAILS_CLEANLY,
		.cls = CLASS_SAFE,
		.cats = CATBIT(CAT_CONSTRAINT),
		.kind = "AlterEnumStmt",
		.title = "New enum value used in the transaction that added it",
		.fix = "Commit the ADD VALUE first: put the statements that use the new value in "
		       "a later migration",
		.check = check_new_value_used,
	},
	{
		.id = "enum-rename-value",
		.sev = SEV_HIGH,
		.cq = CQ_MAY_BREAK,
		.cls = CLASS_BLOCKING,
		.cats = CATBIT(CAT_WRITES) | CATBIT(CAT_ROLLBACK),
		.kind = "AlterEnumStmt",
		.title = "ALTER TYPE ... RENAME VALUE",
		.fix = "ADD VALUE the new label, move code and rows over to it, and stop using the "
		       "old one; enum labels cannot be dropped, so leave it",
		.check = check_rename_value,
	},
	{
		.id = "rename-type",
		.sev = SEV_MEDIUM,
		.cq = CQ_BRIEF_LOCK,
		.cls = CLASS_BLOCKING,
		.cats = CATBIT(CAT_WRITES),
		.kind = "RenameStmt",
		.title = "ALTER TYPE / DOMAIN ... RENAME TO",
		.fix = "Keep the old type name until no code names it",
		.check = check_rename_type,
	},
	{
		.id = "drop-type-cascade",
		.sev = SEV_BLOCKER,
		.cq = CQ_DATA_DESTROYED,
		.cls = CLASS_DESTRUCTIVE,
		.cats = CATBIT(CAT_DATALOSS) | CATBIT(CAT_ROLLBACK),
		.kind = "DropStmt",
		.title = "DROP TYPE / DOMAIN ... CASCADE",
		.fix = "Move every column off the type first (ALTER COLUMN ... TYPE), then DROP TYPE "
		       "without CASCADE so PostgreSQL refuses if anything still uses it",
		.check = check_drop_type_cascade,
	},
	{
		.id = "domain-constraint-without-not-valid",
		.sev = SEV_HIGH,
		.cq = CQ_LOCK_GROWS,
		.cls = CLASS_BLOCKING,
		.cats = CATBIT(CAT_LOCK) | CATBIT(CAT_CONSTRAINT),
		.kind = "AlterDomainStmt",
		.title = "ALTER DOMAIN ... ADD CONSTRAINT without NOT VALID",
		.fix = "ALTER DOMAIN ... ADD CONSTRAINT ... NOT VALID; then ALTER DOMAIN ... "
		       "VALIDATE CONSTRAINT",
		.check = check_domain_constraint,
		.squawk = "ban-alter-domain-with-add-constraint",
	},
	{ .id = NULL },
};
