/*
 * draft_rw_index.c - the split's rewrites of index builds and drops:
 * CREATE INDEX, DROP INDEX and REINDEX become their CONCURRENTLY forms.
 *
 * A plain CREATE INDEX holds SHARE on the table for the whole build (every
 * write waits); a plain DROP INDEX or REINDEX takes ACCESS EXCLUSIVE.
 * CONCURRENTLY lets reads and writes go on, but cannot run inside a
 * transaction block: each step is a migration of its own, marked to run
 * outside one, with a down that is CONCURRENTLY too. DROP INDEX
 * CONCURRENTLY takes one name and no CASCADE (a CASCADE stays as written),
 * REINDEX CONCURRENTLY needs PostgreSQL 12.
 */
#include "draft_split_int.h"

#include <stdlib.h>
#include <string.h>

bool rw_create_index(struct split *sp, const struct stmt *st, const cJSON *b)
{
	size_t on = sql_find_word(st->sql, 0, "on");
	const char *idx = tree_str(tree_path(b, "idxname", NULL));
	char *table = tree_rangevar_name(tree_path(b, "relation", NULL));
	char *gen = NULL;
	if (on == (size_t)-1 || !table) {
		free(table);
		return false;
	}
	if (!idx) {
		const cJSON *first = cJSON_GetArrayItem(tree_path(b, "indexParams", NULL), 0);
		idx = gen = sql_make_name(table_key(table),
					  tree_str(tree_path(first, "IndexElem", "name", NULL)), "idx");
	}
	char *qidx = sql_ident(idx);
	char *sql = xstrfmt("CREATE %sINDEX CONCURRENTLY %s %s", tree_bool(b, "unique") ? "UNIQUE " : "",
			    qidx, st->sql + on);
	char *down = xstrfmt("DROP INDEX CONCURRENTLY IF EXISTS %s", qidx);
	char *nm = xstrfmt("create_%s", idx), *purpose = xstrfmt("build index '%s' CONCURRENTLY: "
								  "writes go on during the build", idx);
	struct unit *u = new_unit(sp, "expand", true, nm, purpose);
	unit_add(sp, u, sql, down);
	free(nm);
	free(purpose);
	free(sql);
	free(down);
	free(qidx);
	free(gen);
	free(table);
	return true;
}

bool rw_drop_index(struct split *sp, const struct stmt *st, const cJSON *b)
{
	const char *t = nonnull(tree_str(tree_path(b, "removeType", NULL)));
	const char *behavior = nonnull(tree_str(tree_path(b, "behavior", NULL)));
	const cJSON *obj;
	if (strcmp(t, "OBJECT_INDEX") || !strcmp(behavior, "DROP_CASCADE"))
		return false;
	cJSON_ArrayForEach(obj, tree_path(b, "objects", NULL)) {
		char *name = tree_name_list(tree_path(obj, "List", "items", NULL));
		char *q = sql_qualified(nonnull(name));
		char *sql = xstrfmt("DROP INDEX CONCURRENTLY IF EXISTS %s", q);
		char *nm = xstrfmt("drop_%s", table_key(nonnull(name)));
		char *purpose = xstrfmt("drop index '%s' CONCURRENTLY: no ACCESS EXCLUSIVE", nonnull(name));
		struct unit *u = new_unit(sp, "contract", true, nm, purpose);
		unit_add(sp, u, sql, NULL);
		free(nm);
		free(purpose);
		free(sql);
		free(q);
		free(name);
	}
	(void)st;
	return true;
}

bool rw_reindex(struct split *sp, const struct stmt *st, const cJSON *b)
{
	const char *kind = nonnull(tree_str(tree_path(b, "kind", NULL)));
	char *rel = tree_rangevar_name(tree_path(b, "relation", NULL));
	const char *what = !strcmp(kind, "REINDEX_OBJECT_INDEX") ? "INDEX" :
			   !strcmp(kind, "REINDEX_OBJECT_TABLE") ? "TABLE" : NULL;
	(void)st;
	if (!what || !rel || sp->opts->pg_version < 12) {
		free(rel);
		return false;
	}
	char *q = sql_qualified(rel);
	char *sql = xstrfmt("REINDEX %s CONCURRENTLY %s", what, q);
	char *nm = xstrfmt("reindex_%s", table_key(rel));
	struct unit *u = new_unit(sp, "migrate", true, nm, "rebuild CONCURRENTLY: writes go on");
	unit_add(sp, u, sql, NULL);
	free(nm);
	free(sql);
	free(q);
	free(rel);
	return true;
}
