/*
 * draft_rw_column.c - the split's rewrites of new columns and NOT NULL:
 * ADD COLUMN with NOT NULL or a volatile DEFAULT (any DEFAULT before
 * PostgreSQL 11), and SET NOT NULL.
 *
 * Such an ADD COLUMN rewrites the table under ACCESS EXCLUSIVE (a volatile
 * default) or fails on a table with rows (NOT NULL, no default); SET NOT
 * NULL scans the table under ACCESS EXCLUSIVE. Instead the column is added
 * nullable (metadata only), new rows get the default by SET DEFAULT,
 * existing rows by a batched backfill (draft_rw_batch.c), and NOT NULL
 * comes last: a CHECK (col IS NOT NULL) NOT VALID, validated under SHARE
 * UPDATE EXCLUSIVE (reads and writes go on), which PostgreSQL 12+ trusts
 * to SET NOT NULL without a scan.
 */
#include "draft.h"
#include "draft_split_int.h"

#include <stdlib.h>
#include <string.h>

const cJSON *find_constraint(const cJSON *coldef, const char *contype)
{
	const cJSON *c;
	cJSON_ArrayForEach(c, tree_path(coldef, "constraints", NULL)) {
		const char *t = tree_str(tree_path(c, "Constraint", "contype", NULL));
		if (t && !strcmp(t, contype))
			return tree_path(c, "Constraint", NULL);
	}
	return NULL;
}

/* Only NOT NULL, NULL and DEFAULT: other column constraints keep the statement as is. */
static bool simple_column_constraints(const cJSON *coldef)
{
	const cJSON *c;
	cJSON_ArrayForEach(c, tree_path(coldef, "constraints", NULL)) {
		const char *t = nonnull(tree_str(tree_path(c, "Constraint", "contype", NULL)));
		if (strcmp(t, "CONSTR_NOTNULL") && strcmp(t, "CONSTR_DEFAULT") && strcmp(t, "CONSTR_NULL"))
			return false;
	}
	return true;
}

/* The smallest constraint location after `after`, or `limit`. */
static size_t next_constraint(const cJSON *coldef, size_t after, size_t limit)
{
	const cJSON *c;
	size_t best = limit;
	cJSON_ArrayForEach(c, tree_path(coldef, "constraints", NULL)) {
		size_t loc = (size_t)tree_int(tree_path(c, "Constraint", NULL), "location");
		if (loc > after && loc < best)
			best = loc;
	}
	return best;
}

bool rw_add_column(struct split *sp, const char *table, const struct stmt *st,
		   const cJSON *cd, size_t to)
{
	const char *col = tree_str(tree_path(cd, "colname", NULL));
	const cJSON *def = find_constraint(cd, "CONSTR_DEFAULT");
	bool not_null = find_constraint(cd, "CONSTR_NOTNULL") != NULL;
	size_t tloc = (size_t)tree_int(tree_path(cd, "typeName", NULL), "location");
	if (!col || !simple_column_constraints(cd) || !tree_path(cd, "typeName", NULL))
		return false;
	char *type = sql_slice(st->sql, tloc, next_constraint(cd, tloc, to));
	char *expr = NULL;
	if (def) {
		size_t dloc = (size_t)tree_int(def, "location") + 7; /* "DEFAULT" */
		expr = sql_slice(st->sql, dloc, next_constraint(cd, dloc, to));
	}
	char *rel = sql_qualified(table), *qc = sql_ident(col);
	char *add = xstrfmt("ALTER TABLE %s ADD COLUMN %s %s", rel, qc, type);
	char *nm = xstrfmt("add_%s_%s", table_key(table), col);
	char *purpose = xstrfmt("add '%s' nullable%s: no rewrite, no scan", col,
				expr ? ", default for new rows only" : "");
	struct unit *u = new_unit(sp, "expand", false, nm, purpose);
	u->locks = true;
	unit_add(sp, u, add, NULL);
	if (expr) {
		char *setd = xstrfmt("ALTER TABLE %s ALTER COLUMN %s SET DEFAULT %s", rel, qc, expr);
		unit_add(sp, u, setd, NULL);
		free(setd);
	}
	if (expr || not_null) {
		char *job = xstrfmt("%s.%s", table_key(table), col);
		/* No default: the value existing rows get is the engineer's (--set), or a placeholder. */
		const char *given = expr ? expr : draft_value_for(sp->values, job);
		char *value = given ? xstrdup(given) : draft_placeholder(job);
		char *change = xstrfmt("UPDATE %s SET %s = %s WHERE {range} AND %s IS NULL", rel, qc,
				       value, qc);
		ensure_progress_table(sp, u);
		char *bp = xstrfmt("backfill '%s' for existing rows in batches of %d, resumable",
				   col, BATCH_SIZE);
		add_backfill(sp, table, job, change, bp);
		if (!expr)
			strlist_add_nodup(&sp->d->notes, xstrfmt("'%s' is NOT NULL without a DEFAULT: "
								 "rows the application inserts before it "
								 "sets '%s' fail the CHECK; deploy the code "
								 "that writes it before the CHECK step",
								 col, col));
		free(value);
		free(bp);
		free(job);
		free(change);
	}
	if (not_null)
		add_not_null_steps(sp, table, col);
	free(nm);
	free(purpose);
	free(add);
	free(rel);
	free(qc);
	free(type);
	free(expr);
	return true;
}

/*
 * PostgreSQL 11+ stores a constant DEFAULT in the catalogue: existing rows
 * read it without a rewrite, so ADD COLUMN ... NOT NULL DEFAULT <constant>
 * is one statement, instant (ACCESS EXCLUSIVE for a moment, no scan). That
 * is the first answer; it needs the value, which only the engineer can
 * choose: --set TABLE.COLUMN=VALUE, or a placeholder (NEEDS INPUT). A value
 * that is not constant (a volatile call, a column reference) cannot be a
 * stored default: the long split backfills it instead.
 */
enum rw_result rw_add_column_instant(struct split *sp, const char *table, const struct stmt *st,
				     const cJSON *cd, size_t to)
{
	const char *col = tree_str(tree_path(cd, "colname", NULL));
	if (!col || !simple_column_constraints(cd) || !tree_path(cd, "typeName", NULL))
		return RW_NONE;
	char *job = xstrfmt("%s.%s", table_key(table), col);
	const char *given = draft_value_for(sp->values, job);
	if (given && !draft_value_is_constant(given)) {
		free(job);
		strlist_add_nodup(&sp->d->notes, xstrfmt("'%s' is not a constant: it cannot be stored "
							 "as the column's default, so the rows are "
							 "backfilled in batches", given));
		return rw_add_column(sp, table, st, cd, to) ? RW_DONE : RW_NONE;
	}
	size_t tloc = (size_t)tree_int(tree_path(cd, "typeName", NULL), "location");
	char *type = sql_slice(st->sql, tloc, next_constraint(cd, tloc, to));
	char *value = given ? xstrdup(given) : draft_placeholder(job);
	char *rel = sql_qualified(table), *qc = sql_ident(col);
	char *add = xstrfmt("ALTER TABLE %s ADD COLUMN %s %s NOT NULL DEFAULT %s", rel, qc, type, value);
	struct unit *u = current_unit(sp);
	u->locks = true;
	unit_add(sp, u, add, NULL);
	sp->instant++;
	strlist_add_nodup(&sp->d->notes, xstrfmt("PostgreSQL %d: a constant DEFAULT is stored in the "
						 "catalogue, so ADD COLUMN %s ... NOT NULL DEFAULT is "
						 "instant (no rewrite, no scan): no split needed%s",
						 sp->opts->pg_version, col,
						 given ? "" : "; choose the value existing rows get"));
	free(add);
	free(rel);
	free(qc);
	free(value);
	free(type);
	free(job);
	return RW_KEPT;
}
