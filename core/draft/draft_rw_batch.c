/*
 * draft_rw_batch.c - UPDATE / DELETE rewritten into a batched, resumable
 * change (the batches themselves: draft_backfill.c).
 *
 * One UPDATE or DELETE over a large table holds its row locks and builds
 * up WAL until it commits, and replicas fall behind; the batches keep
 * every transaction small and resume where they stopped when run again.
 */
#include "draft_split_int.h"

#include <stdlib.h>
#include <string.h>

/* UPDATE t SET ... [WHERE ...] and DELETE FROM t [WHERE ...], no FROM/USING/RETURNING. */
bool rw_data_change(struct split *sp, const struct stmt *st, const cJSON *b)
{
	bool update = !strcmp(st->kind, "UpdateStmt");
	char *table = tree_rangevar_name(tree_path(b, "relation", NULL));
	const char *sql = st->sql;
	size_t len = strlen(sql);
	if (!table || tree_path(b, "fromClause", NULL) || tree_path(b, "usingClause", NULL) ||
	    tree_path(b, "returningList", NULL) || tree_path(b, "withClause", NULL) ||
	    tree_path(b, "relation", "alias", NULL)) {
		free(table);
		return false;
	}
	size_t w = sql_find_word(sql, 0, "where");
	char *where = w == (size_t)-1 ? xstrdup("true") : sql_slice(sql, w + 5, len);
	char *rel = sql_qualified(table), *change;
	if (update) {
		size_t s = sql_find_word(sql, 0, "set");
		char *set = sql_slice(sql, s + 3, w == (size_t)-1 ? len : w);
		change = xstrfmt("UPDATE %s SET %s WHERE {range} AND (%s)", rel, set, where);
		free(set);
	} else {
		change = xstrfmt("DELETE FROM %s WHERE {range} AND (%s)", rel, where);
	}
	char *job = xstrfmt("%s.%s_line_%d", table_key(table), update ? "update" : "delete", st->line);
	struct unit *u = current_unit(sp);
	ensure_progress_table(sp, u);
	add_backfill(sp, table, job, change, update ? "the UPDATE in batches, resumable"
		     : "the DELETE in batches, resumable");
	if (update)
		strlist_add_nodup(&sp->d->notes, xstrfmt("line %d: make the UPDATE's WHERE skip rows it "
							 "already changed (e.g. AND col IS DISTINCT "
							 "FROM new_value) so a re-run is idempotent",
							 st->line));
	sp->cur = -1;
	free(job);
	free(change);
	free(rel);
	free(where);
	free(table);
	return true;
}
