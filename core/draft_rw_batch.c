/*
 * draft_rw_batch.c - data changes in batches: the progress table, the
 * batched backfill the other rewrites share, and UPDATE / DELETE rewritten
 * into one.
 *
 * One UPDATE or DELETE over a large table holds its row locks and builds
 * up WAL until it commits, and replicas fall behind. A DO block that walks
 * the primary key in ranges, commits after each (PostgreSQL 11+) and
 * records its position in a progress table keeps every transaction small
 * and resumes where it stopped when run again.
 */
#include "draft_split_int.h"

#include <stdlib.h>
#include <string.h>

#define PROGRESS_TABLE "sluice_backfill_progress"

/* The table's single-column primary key when the history says, else "id" (noted). */
static const char *primary_key(struct split *sp, const char *table)
{
	const char *t = table_key(table);
	for (size_t i = 0; i < sp->s->nr_cons; i++) {
		const struct constraint_def *c = &sp->s->cons[i];
		if (c->type == CON_PRIMARY && !strcmp(c->table, t) && c->columns.nr == 1)
			return c->columns.items[0];
	}
	for (size_t i = 0; i < sp->s->nr_indexes; i++) {
		const struct index_def *ix = &sp->s->indexes[i];
		if (ix->primary && !strcmp(ix->table, t) && ix->columns.nr == 1)
			return ix->columns.items[0];
	}
	strlist_add_nodup(&sp->d->notes, xstrfmt("the history shows no single-column primary key "
						 "for '%s': the backfill batches by 'id'; change it "
						 "if the key is another column", t));
	return "id";
}

void ensure_progress_table(struct split *sp, struct unit *u)
{
	if (sp->progress_table)
		return;
	unit_add(sp, u, "CREATE TABLE IF NOT EXISTS " PROGRESS_TABLE " (\n"
		 "    job text PRIMARY KEY,\n"
		 "    last_id bigint NOT NULL DEFAULT 0,\n"
		 "    updated_at timestamptz NOT NULL DEFAULT now()\n)",
		 "DROP TABLE IF EXISTS " PROGRESS_TABLE);
	sp->progress_table = true;
}

/*
 * A batched, resumable, idempotent data change: a DO block that walks the
 * primary key in ranges of BATCH_SIZE, commits after each batch (so locks
 * and WAL stay small and replicas keep up), records its position in the
 * progress table (a re-run resumes), and pauses between batches. `change`
 * is an UPDATE or DELETE with "{range}" where the key range predicate goes;
 * its own WHERE makes a re-run touch nothing twice.
 */
void add_backfill(struct split *sp, const char *table, const char *job, const char *change,
		  const char *purpose)
{
	const char *pk = primary_key(sp, table);
	char *qt = sql_qualified(table), *qpk = sql_ident(pk);
	char *range = xstrfmt("%s > v_last AND %s <= v_last + batch_size", qpk, qpk);
	const char *at = strstr(change, "{range}");
	char *body = at ? xstrfmt("%.*s%s%s", (int)(at - change), change, range, at + 7) : xstrdup(change);
	struct strbuf sb = STRBUF_INIT, jobl = STRBUF_INIT;
	char *name = xstrfmt("backfill_%s", job);
	for (char *c = name; *c; c++)
		if (*c == '.')
			*c = '_';
	sql_add_literal(&jobl, job);
	strbuf_addf(&sb,
		    "DO $sluice$\n"
		    "DECLARE\n"
		    "    batch_size CONSTANT bigint := %d;\n"
		    "    v_last bigint;\n"
		    "    v_max bigint;\n"
		    "BEGIN\n"
		    "    INSERT INTO " PROGRESS_TABLE " (job) VALUES (%s) ON CONFLICT (job) DO NOTHING;\n"
		    "    SELECT last_id INTO v_last FROM " PROGRESS_TABLE " WHERE job = %s;\n"
		    "    SELECT coalesce(max(%s), 0) INTO v_max FROM %s;\n"
		    "    WHILE v_last < v_max LOOP\n"
		    "        %s;\n"
		    "        v_last := v_last + batch_size;\n"
		    "        UPDATE " PROGRESS_TABLE " SET last_id = v_last, updated_at = now() WHERE job = %s;\n"
		    "%s"
		    "        PERFORM pg_sleep(0.05);\n"
		    "    END LOOP;\n"
		    "END\n"
		    "$sluice$",
		    BATCH_SIZE, jobl.buf, jobl.buf, qpk, qt, body, jobl.buf,
		    sp->opts->pg_version >= 11 ? "        COMMIT;\n" : "");
	if (sp->opts->pg_version < 11)
		strlist_add_nodup(&sp->d->notes, xstrfmt("PostgreSQL %d cannot COMMIT inside DO: the "
							 "backfill of '%s' runs as one transaction; on "
							 "a large table run its batches from a script",
							 sp->opts->pg_version, job));
	struct unit *u = new_unit(sp, "migrate", true, name, purpose);
	/* The data stays (the previous step's down drops the column); the progress row goes,
	 * so that a re-run after a rollback starts from the beginning. */
	char *forget = xstrfmt("DELETE FROM " PROGRESS_TABLE " WHERE job = %s", jobl.buf);
	unit_add(sp, u, sb.buf, forget);
	free(forget);
	strbuf_release(&sb);
	strbuf_release(&jobl);
	free(name);
	free(body);
	free(range);
	free(qt);
	free(qpk);
}

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
