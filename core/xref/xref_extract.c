/*
 * xref_extract.c - which schema elements a statement takes away from code.
 *
 * Only changes that can break code already running are of interest: a
 * table or column dropped or renamed (the old name stops existing), a
 * column retyped (code may assume the old type), a column made NOT NULL or
 * added NOT NULL without a default (INSERTs that do not set it fail).
 * Names arrive folded by the parser: unquoted ones are lower case, quoted
 * ones keep their case, which is exactly how PostgreSQL compares them.
 */
#include "xref_int.h"
#include "tree.h"

#include <stdlib.h>
#include <string.h>

const char *xref_change_name(enum xref_change c)
{
	switch (c) {
	case XC_DROP_TABLE:
		return "drop table";
	case XC_RENAME_TABLE:
		return "rename table";
	case XC_DROP_COLUMN:
		return "drop column";
	case XC_RENAME_COLUMN:
		return "rename column";
	case XC_RETYPE:
		return "change type";
	case XC_SET_NOT_NULL:
		return "set not null";
	case XC_ADD_NOT_NULL:
		return "add not null column";
	}
	return "?";
}

static struct xref_elem *add_elem(struct xref_set *out, const char *schema, const char *table,
				  const char *column, enum xref_change change, size_t file,
				  size_t idx)
{
	ALLOC_GROW(out->v, out->nr + 1, out->alloc);
	struct xref_elem *e = &out->v[out->nr++];
	memset(e, 0, sizeof(*e));
	e->schema = schema && strcmp(schema, "public") ? xstrdup(schema) : NULL;
	e->table = xstrdup(table);
	e->column = column ? xstrdup(column) : NULL;
	e->change = change;
	e->file = file;
	e->stmt = idx;
	return e;
}

static bool column_def_not_null_no_default(const cJSON *cd)
{
	const cJSON *c;
	bool nn = false, def = false;
	cJSON_ArrayForEach(c, tree_path(cd, "constraints", NULL)) {
		const char *t = tree_str(tree_path(c, "Constraint", "contype", NULL));
		if (!t)
			continue;
		if (!strcmp(t, "CONSTR_NOTNULL") || !strcmp(t, "CONSTR_PRIMARY"))
			nn = true;
		else if (!strcmp(t, "CONSTR_DEFAULT") || !strcmp(t, "CONSTR_IDENTITY") ||
			 !strcmp(t, "CONSTR_GENERATED"))
			def = true;
	}
	/* serial types carry their own default */
	cJSON *names = tree_path(cd, "typeName", "names", NULL);
	const char *ty = tree_str(cJSON_GetArrayItem(names, cJSON_GetArraySize(names) - 1));
	if (ty && strstr(ty, "serial"))
		def = true;
	return nn && !def;
}

/* The type as people write it: int8 -> bigint. */
static char *type_display(char *t)
{
	static const char *const names[][2] = {
		{ "int8", "bigint" }, { "int4", "integer" }, { "int2", "smallint" },
		{ "float8", "double precision" }, { "float4", "real" }, { "bool", "boolean" },
	};
	for (size_t i = 0; t && i < ARRAY_SIZE(names); i++)
		if (!strcmp(t, names[i][0])) {
			free(t);
			return xstrdup(names[i][1]);
		}
	return t;
}

static void extract_alter(const cJSON *b, size_t file, size_t idx, struct xref_set *out)
{
	const char *rel = tree_str(tree_path(b, "relation", "relname", NULL));
	const char *sch = tree_str(tree_path(b, "relation", "schemaname", NULL));
	const char *objtype = tree_str(tree_path(b, "objtype", NULL));
	const cJSON *cmdn;
	if (!rel || (objtype && strcmp(objtype, "OBJECT_TABLE")))
		return;
	cJSON_ArrayForEach(cmdn, tree_path(b, "cmds", NULL)) {
		const cJSON *cmd = tree_path(cmdn, "AlterTableCmd", NULL);
		const char *sub = tree_str(tree_path(cmd, "subtype", NULL));
		const char *col = tree_str(tree_path(cmd, "name", NULL));
		const cJSON *cd = tree_path(cmd, "def", "ColumnDef", NULL);
		if (!sub)
			continue;
		if (!strcmp(sub, "AT_DropColumn") && col) {
			add_elem(out, sch, rel, col, XC_DROP_COLUMN, file, idx);
		} else if (!strcmp(sub, "AT_AlterColumnType") && col) {
			struct xref_elem *e = add_elem(out, sch, rel, col, XC_RETYPE, file, idx);
			if (cd)
				e->detail = type_display(tree_type_name(tree_path(cd, "typeName", NULL)));
		} else if (!strcmp(sub, "AT_SetNotNull") && col) {
			add_elem(out, sch, rel, col, XC_SET_NOT_NULL, file, idx);
		} else if (!strcmp(sub, "AT_AddConstraint") &&
			   !strcmp(nonnull(tree_str(tree_path(cmd, "def", "Constraint", "contype", NULL))),
				   "CONSTR_CHECK")) {
			/* CHECK (col IS NOT NULL): the column becomes required as with SET NOT NULL */
			struct strlist req = STRLIST_INIT;
			tree_check_required_columns(tree_path(cmd, "def", "Constraint", "raw_expr", NULL), &req);
			for (size_t i = 0; i < req.nr; i++)
				add_elem(out, sch, rel, req.items[i], XC_SET_NOT_NULL, file, idx);
			strlist_clear(&req);
		} else if (!strcmp(sub, "AT_AddColumn") && cd && column_def_not_null_no_default(cd)) {
			const char *name = tree_str(tree_path(cd, "colname", NULL));
			if (name)
				add_elem(out, sch, rel, name, XC_ADD_NOT_NULL, file, idx);
		}
	}
}

static void extract_rename(const cJSON *b, size_t file, size_t idx, struct xref_set *out)
{
	const char *type = tree_str(tree_path(b, "renameType", NULL));
	const char *rel = tree_str(tree_path(b, "relation", "relname", NULL));
	const char *sch = tree_str(tree_path(b, "relation", "schemaname", NULL));
	const char *sub = tree_str(tree_path(b, "subname", NULL));
	const char *newname = tree_str(tree_path(b, "newname", NULL));
	struct xref_elem *e = NULL;
	if (!type || !rel)
		return;
	if (!strcmp(type, "OBJECT_TABLE"))
		e = add_elem(out, sch, rel, NULL, XC_RENAME_TABLE, file, idx);
	else if (!strcmp(type, "OBJECT_COLUMN") && sub)
		e = add_elem(out, sch, rel, sub, XC_RENAME_COLUMN, file, idx);
	if (e && newname)
		e->detail = xstrdup(newname);
}

static void extract_drop(const cJSON *b, size_t file, size_t idx, struct xref_set *out)
{
	const char *type = tree_str(tree_path(b, "removeType", NULL));
	const cJSON *obj;
	if (!type || strcmp(type, "OBJECT_TABLE"))
		return;
	cJSON_ArrayForEach(obj, tree_path(b, "objects", NULL)) {
		const cJSON *items = tree_path(obj, "List", "items", NULL);
		int n = cJSON_GetArraySize(items);
		const char *rel = tree_str(cJSON_GetArrayItem(items, n - 1));
		const char *sch = n > 1 ? tree_str(cJSON_GetArrayItem(items, n - 2)) : NULL;
		if (rel)
			add_elem(out, sch, rel, NULL, XC_DROP_TABLE, file, idx);
	}
}

void xref_extract(const struct stmt *st, size_t file, size_t idx, struct xref_set *out)
{
	const cJSON *b = tree_body(st->tree);
	if (!st->kind || !b)
		return;
	if (!strcmp(st->kind, "AlterTableStmt"))
		extract_alter(b, file, idx, out);
	else if (!strcmp(st->kind, "RenameStmt"))
		extract_rename(b, file, idx, out);
	else if (!strcmp(st->kind, "DropStmt"))
		extract_drop(b, file, idx, out);
}

void xref_set_release(struct xref_set *set)
{
	for (size_t i = 0; i < set->nr; i++) {
		struct xref_elem *e = &set->v[i];
		free(e->schema);
		free(e->table);
		free(e->column);
		free(e->detail);
		for (size_t k = 0; k < e->nr_hits; k++) {
			free(e->hits[k].path);
			free(e->hits[k].text);
			free(e->hits[k].ident);
		}
		free(e->hits);
	}
	free(set->v);
	memset(set, 0, sizeof(*set));
}
