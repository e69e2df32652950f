/*
 * draft_down_history.c - downs for drops, from the definitions the history
 * wrote.
 *
 * The schema model knows a dropped table's columns, not its primary key's
 * name, its defaults or its CHECKs; a down rebuilt from the model alone
 * gives back a different table. The history holds the exact definitions:
 *
 *   DROP TABLE t     -> t's own statements replayed: its CREATE TABLE and
 *                       every later ALTER TABLE, CREATE INDEX, DROP INDEX,
 *                       COMMENT and GRANT on it, in order;
 *   DROP INDEX i     -> i's CREATE INDEX as written (UNIQUE, expressions,
 *                       WHERE and method kept);
 *   DROP COLUMN t.c  -> ADD COLUMN with its type (serial as serial), DEFAULT
 *                       and NOT NULL, then its CHECKs, UNIQUEs, indexes and
 *                       foreign keys (draft_deps_int.h).
 *
 * Anything else goes to reverse_statement() (draft_down.c).
 */
#include "draft_deps_int.h"
#include "draft_int.h"
#include "parse.h"
#include "tree.h"

#include <stdlib.h>
#include <string.h>

struct table_history {
	const char *table;
	struct strlist stmts;      /* the table's statements, in order */
	struct strlist indexes;    /* its indexes, for their DROP INDEX */
	bool created;
};

static bool names_table(const cJSON *rangevar, const char *table)
{
	char *n = tree_rangevar_name(rangevar);
	bool hit = n && table_names_equal(n, table);
	free(n);
	return hit;
}

static void collect_table(const struct stmt *st, void *data)
{
	struct table_history *h = data;
	const cJSON *b = tree_body(st->tree);
	const char *k = st->kind;
	bool ours = false;
	if (!strcmp(k, "CreateStmt") && names_table(tree_path(b, "relation", NULL), h->table)) {
		strlist_clear(&h->stmts);   /* created again: what came before is gone */
		strlist_clear(&h->indexes);
		h->created = true;
		ours = true;
	} else if (!strcmp(k, "AlterTableStmt") || !strcmp(k, "IndexStmt")) {
		ours = h->created && names_table(tree_path(b, "relation", NULL), h->table);
		if (ours && !strcmp(k, "IndexStmt") && tree_str(tree_path(b, "idxname", NULL)))
			strlist_add(&h->indexes, tree_str(tree_path(b, "idxname", NULL)));
	} else if (!strcmp(k, "DropStmt")) {
		const char *type = nonnull(tree_str(tree_path(b, "removeType", NULL)));
		const cJSON *obj;
		cJSON_ArrayForEach(obj, tree_path(b, "objects", NULL)) {
			char *name = tree_name_list(tree_path(obj, "List", "items", NULL));
			if (name && !strcmp(type, "OBJECT_TABLE") && table_names_equal(name, h->table)) {
				strlist_clear(&h->stmts);
				h->created = false;
			} else if (name && !strcmp(type, "OBJECT_INDEX") &&
				   strlist_has(&h->indexes, table_key(name))) {
				ours = true;
			}
			free(name);
		}
	} else if (!strcmp(k, "CommentStmt") || !strcmp(k, "GrantStmt")) {
		ours = h->created && strstr(st->sql, h->table) != NULL;
	}
	if (ours)
		strlist_add(&h->stmts, st->sql);
}

struct index_history {
	const char *name;
	char *sql;
};

static void collect_index(const struct stmt *st, void *data)
{
	struct index_history *h = data;
	const cJSON *b = tree_body(st->tree);
	if (strcmp(st->kind, "IndexStmt"))
		return;
	const char *n = tree_str(tree_path(b, "idxname", NULL));
	if (n && !strcmp(n, h->name)) {
		free(h->sql);
		h->sql = xstrdup(st->sql);
	}
}

/* DROP COLUMN's undo: the column as it was, then what hung on it. */
static bool column_back(const char *rel, const char *table, const char *col,
			const struct migration_set *ms, size_t upto, struct strlist *downs)
{
	struct col_deps cd;
	struct strbuf sb = STRBUF_INIT;
	char *qc = sql_ident(col);
	col_deps_read(ms, upto, table, col, col, &cd);
	if (!cd.found || !cd.type) {
		col_deps_release(&cd);
		free(qc);
		return false;
	}
	/* downs are written last first: the column, then its constraints and indexes */
	for (size_t i = cd.nr; i-- > 0;) {
		const struct col_dep *x = &cd.v[i];
		char *xr = sql_qualified(x->table), *qn = sql_ident(x->name);
		if (x->kind == DEP_INDEX)
			strlist_add_nodup(downs, xstrfmt("CREATE %sINDEX %s ON %s %s",
							 x->unique ? "UNIQUE " : "", qn, xr, x->def));
		else if (x->kind != DEP_VIEW)
			strlist_add_nodup(downs, xstrfmt("ALTER TABLE %s ADD CONSTRAINT %s %s", xr, qn, x->def));
		free(xr);
		free(qn);
	}
	strbuf_addf(&sb, "ALTER TABLE %s ADD COLUMN %s ", rel, qc);
	if (cd.sequence)
		strbuf_addstr(&sb, !strcmp(cd.type, "int8") ? "bigserial" : !strcmp(cd.type, "int2")
			      ? "smallserial" : "serial");
	else
		strbuf_addstr(&sb, cd.type);
	if (cd.default_sql && !cd.sequence)
		strbuf_addf(&sb, " DEFAULT %s", cd.default_sql);
	if (cd.identity)
		strbuf_addf(&sb, " GENERATED %s AS IDENTITY", cd.identity_when == 'a' ? "ALWAYS"
											 : "BY DEFAULT");
	/* NOT NULL comes back only where the rows get a value: a default or a sequence */
	if (cd.not_null && (cd.default_sql || cd.sequence || cd.identity))
		strbuf_addstr(&sb, " NOT NULL");
	strlist_add_nodup(downs, strbuf_detach(&sb, NULL));
	col_deps_release(&cd);
	free(qc);
	return true;
}

enum reversal reverse_from_history(const struct stmt *st, const struct migration_set *ms,
				   size_t upto, struct strlist *downs)
{
	const cJSON *b = tree_body(st->tree);
	if (!st->kind || !ms)
		return REV_UNKNOWN;
	if (!strcmp(st->kind, "AlterTableStmt") && cJSON_GetArraySize(tree_path(b, "cmds", NULL)) == 1) {
		const cJSON *c = tree_body(cJSON_GetArrayItem(tree_path(b, "cmds", NULL), 0));
		const char *col = tree_str(tree_path(c, "name", NULL));
		char *table = tree_rangevar_name(tree_path(b, "relation", NULL));
		bool ok = false;
		if (table && col && !strcmp(nonnull(tree_str(tree_path(c, "subtype", NULL))), "AT_DropColumn")) {
			char *rel = sql_qualified(table);
			ok = column_back(rel, table, col, ms, upto, downs);
			free(rel);
		}
		free(table);
		return ok ? REV_LOSSY : REV_UNKNOWN;
	}
	if (strcmp(st->kind, "DropStmt") || cJSON_GetArraySize(tree_path(b, "objects", NULL)) != 1)
		return REV_UNKNOWN;
	const char *type = nonnull(tree_str(tree_path(b, "removeType", NULL)));
	char *name = tree_name_list(tree_path(cJSON_GetArrayItem(tree_path(b, "objects", NULL), 0),
					     "List", "items", NULL));
	enum reversal r = REV_UNKNOWN;
	if (name && !strcmp(type, "OBJECT_TABLE")) {
		struct table_history h = { name, STRLIST_INIT, STRLIST_INIT, false };
		history_each_statement(ms, upto, collect_table, &h);
		/* written last first: the CREATE TABLE runs first */
		for (size_t i = h.stmts.nr; h.created && i-- > 0;)
			strlist_add(downs, h.stmts.items[i]);
		r = h.created && h.stmts.nr ? REV_LOSSY : REV_UNKNOWN;
		strlist_clear(&h.stmts);
		strlist_clear(&h.indexes);
	} else if (name && !strcmp(type, "OBJECT_INDEX")) {
		struct index_history h = { table_key(name), NULL };
		history_each_statement(ms, upto, collect_index, &h);
		if (h.sql) {
			strlist_add_nodup(downs, h.sql);
			r = REV_OK;
		}
	}
	free(name);
	return r;
}
