/*
 * draft_backfill.c - the batched backfill the rewrites share (a new
 * column's values, a copy for a type change or a rename, an UPDATE or
 * DELETE in batches) and the progress table it records its position in.
 *
 * One UPDATE or DELETE over a large table holds its row locks and builds
 * up WAL until it commits, and replicas fall behind. A DO block that walks
 * the primary key in ranges, commits after each (PostgreSQL 11+) and
 * records its position in a progress table keeps every transaction small
 * and resumes where it stopped when run again. A leaf: it adds units
 * (draft_unit.c) and calls no rewrite.
 */
#include "draft_unit_int.h"

#include <stdlib.h>
#include <string.h>

#define PROGRESS_TABLE "sluice_backfill_progress"

/*
 * The table's primary key columns, any type, composite included, as the
 * history shows it; "id" when it shows none (noted).
 */
static void primary_key(struct split *sp, const char *table, struct strlist *out)
{
	const char *t = table_key(table);
	for (size_t i = 0; i < sp->s->nr_cons && !out->nr; i++) {
		const struct constraint_def *c = &sp->s->cons[i];
		if (c->type == CON_PRIMARY && !strcmp(c->table, t))
			for (size_t k = 0; k < c->columns.nr; k++)
				strlist_add(out, c->columns.items[k]);
	}
	for (size_t i = 0; i < sp->s->nr_indexes && !out->nr; i++) {
		const struct index_def *ix = &sp->s->indexes[i];
		if (ix->primary && !strcmp(ix->table, t) && !strlist_has(&ix->columns, "?"))
			for (size_t k = 0; k < ix->columns.nr; k++)
				strlist_add(out, ix->columns.items[k]);
	}
	if (out->nr)
		return;
	strlist_add_nodup(&sp->d->notes, xstrfmt("the history shows no primary key for '%s': the "
						 "backfill walks 'id'; change it if the key is "
						 "another column", t));
	strlist_add(out, "id");
}

void ensure_progress_table(struct split *sp, struct unit *u)
{
	if (sp->progress_table)
		return;
	/*
	 * Shared by every backfill job, each on its own row: a down removes
	 * the table only when no job has a row left in it.
	 */
	unit_add(sp, u, "CREATE TABLE IF NOT EXISTS " PROGRESS_TABLE " (\n"
		 "    job text PRIMARY KEY,\n"
		 "    last_key text[],\n"
		 "    rows_done bigint NOT NULL DEFAULT 0,\n"
		 "    updated_at timestamptz NOT NULL DEFAULT now()\n)",
		 "DO $sluice$\nBEGIN\n"
		 "    IF to_regclass('" PROGRESS_TABLE "') IS NOT NULL AND\n"
		 "       NOT EXISTS (SELECT FROM " PROGRESS_TABLE ") THEN\n"
		 "        DROP TABLE " PROGRESS_TABLE ";\n"
		 "    END IF;\nEND\n$sluice$");
	sp->progress_table = true;
}

/* "(a, b)" of the key columns, or of the variables prefix_1, prefix_2; without the parentheses when !paren. */
static char *key_tuple(const struct strlist *pk, const char *prefix, bool paren)
{
	struct strbuf sb = STRBUF_INIT;
	if (paren)
		strbuf_addch(&sb, '(');
	for (size_t i = 0; i < pk->nr; i++) {
		if (i)
			strbuf_addstr(&sb, ", ");
		if (prefix)
			strbuf_addf(&sb, "%s_%zu", prefix, i + 1);
		else
			sql_add_ident(&sb, pk->items[i]);
	}
	if (paren)
		strbuf_addch(&sb, ')');
	return strbuf_detach(&sb, NULL);
}

/* The change with its "{range}" made `range`. */
static char *with_range(const char *change, const char *range)
{
	const char *at = strstr(change, "{range}");
	return at ? xstrfmt("%.*s%s%s", (int)(at - change), change, range, at + 7) : xstrdup(change);
}

/*
 * The DO block: walks the primary key by keyset (whatever its type,
 * composite included): each batch is the next BATCH_SIZE keys after the
 * last one done, so sparse keys cost nothing and a uuid key works. After
 * each batch it records the last key in its own progress row, commits
 * (locks and WAL stay small), reports rows, key and an ETA, and waits
 * while a replica lags more than max_lag seconds. Run again after a stop,
 * it resumes after the recorded key.
 */
static void backfill_block(struct strbuf *sb, const char *qt, const struct strlist *pk,
			   const char *job, const char *change, bool commit)
{
	char *keys = key_tuple(pk, NULL, true), *last = key_tuple(pk, "l", true);
	char *next = key_tuple(pk, "n", true), *cols = key_tuple(pk, NULL, false);
	char *into = key_tuple(pk, "n", false);
	struct strbuf desc = STRBUF_INIT, arr = STRBUF_INIT, restore = STRBUF_INIT, decl = STRBUF_INIT;
	struct strbuf advance = STRBUF_INIT;
	for (size_t i = 0; i < pk->nr; i++) {
		char *qk = sql_ident(pk->items[i]);
		strbuf_addf(&decl, "    l_%zu %s.%s%%TYPE;\n    n_%zu %s.%s%%TYPE;\n", i + 1, qt, qk,
			    i + 1, qt, qk);
		strbuf_addf(&desc, "%s%s DESC", i ? ", " : "", qk);
		strbuf_addf(&arr, "%sn_%zu::text", i ? ", " : "", i + 1);
		strbuf_addf(&restore, "        l_%zu := v_key[%zu];\n", i + 1, i + 1);
		strbuf_addf(&advance, "        l_%zu := n_%zu;\n", i + 1, i + 1);
		free(qk);
	}
	char *lt = xstrfmt("%s > %s AND %s <= %s", keys, last, keys, next);
	char *le = xstrfmt("%s <= %s", keys, next);
	char *first = with_range(change, le), *later = with_range(change, lt);
	strbuf_addf(sb,
		    "DO $sluice$\n"
		    "DECLARE\n"
		    "    batch_size CONSTANT int := %d;\n"
		    "    max_lag CONSTANT interval := '10 seconds';  -- replicas may fall this far behind\n"
		    "%s"
		    "    v_key text[];\n"
		    "    v_rows bigint;\n"
		    "    v_done bigint := 0;\n"
		    "    v_walked bigint := 0;\n"
		    "    v_total bigint;\n"
		    "    v_start timestamptz := clock_timestamp();\n"
		    "BEGIN\n"
		    "    INSERT INTO " PROGRESS_TABLE " (job) VALUES (%s) ON CONFLICT (job) DO NOTHING;\n"
		    "    SELECT last_key INTO v_key FROM " PROGRESS_TABLE " WHERE job = %s;\n"
		    "    IF v_key IS NOT NULL THEN\n"
		    "%s"
		    "        RAISE NOTICE 'sluice backfill %%: resuming after key %%', %s, v_key;\n"
		    "    END IF;\n"
		    "    SELECT greatest(reltuples, 0)::bigint INTO v_total FROM pg_class WHERE oid = '%s'::regclass;\n"
		    "    LOOP\n"
		    "        IF v_key IS NULL THEN\n"
		    "            SELECT * INTO %s FROM (SELECT %s FROM %s ORDER BY %s LIMIT batch_size) b\n"
		    "                ORDER BY %s LIMIT 1;\n"
		    "        ELSE\n"
		    "            SELECT * INTO %s FROM (SELECT %s FROM %s WHERE %s > %s ORDER BY %s\n"
		    "                LIMIT batch_size) b ORDER BY %s LIMIT 1;\n"
		    "        END IF;\n"
		    "        EXIT WHEN NOT FOUND;\n"
		    "        IF v_key IS NULL THEN\n"
		    "            %s;\n"
		    "        ELSE\n"
		    "            %s;\n"
		    "        END IF;\n"
		    "        GET DIAGNOSTICS v_rows = ROW_COUNT;\n"
		    "        v_done := v_done + v_rows;\n"
		    "        v_walked := v_walked + batch_size;\n"
		    "        v_key := ARRAY[%s];\n"
		    "%s"
		    "        UPDATE " PROGRESS_TABLE " SET last_key = v_key, rows_done = rows_done + v_rows,\n"
		    "            updated_at = now() WHERE job = %s;\n"
		    "%s"
		    "        RAISE NOTICE 'sluice backfill %%: %% rows, last key %%, about %% s left', %s, v_done,\n"
		    "            v_key, round(extract(epoch FROM clock_timestamp() - v_start)\n"
		    "                         / v_walked * greatest(v_total - v_walked, 0));\n"
		    "        WHILE (SELECT max(replay_lag) FROM pg_stat_replication) > max_lag LOOP\n"
		    "            PERFORM pg_sleep(1);\n"
		    "        END LOOP;\n"
		    "        PERFORM pg_sleep(0.05);\n"
		    "    END LOOP;\n"
		    "    RAISE NOTICE 'sluice backfill %%: done, %% rows', %s, v_done;\n"
		    "END\n"
		    "$sluice$",
		    BATCH_SIZE, decl.buf, job, job, restore.buf, job, qt,
		    into, cols, qt, cols, desc.buf,
		    into, cols, qt, keys, last, cols, desc.buf,
		    first, later, arr.buf, advance.buf,
		    job, commit ? "        COMMIT;\n" : "", job, job);
	free(first);
	free(later);
	free(lt);
	free(le);
	free(keys);
	free(last);
	free(next);
	free(cols);
	free(into);
	strbuf_release(&desc);
	strbuf_release(&arr);
	strbuf_release(&restore);
	strbuf_release(&decl);
	strbuf_release(&advance);
}

/*
 * A batched, resumable, idempotent data change (backfill_block). `change`
 * is an UPDATE or DELETE with "{range}" where the key range predicate
 * goes; its own WHERE makes a re-run touch nothing twice.
 */
void add_backfill(struct split *sp, const char *table, const char *job, const char *change,
		  const char *purpose)
{
	struct strlist pk = STRLIST_INIT;
	struct strbuf sb = STRBUF_INIT, jobl = STRBUF_INIT;
	char *qt = sql_qualified(table);
	char *name = xstrfmt("backfill_%s", job);
	for (char *c = name; *c; c++)
		if (*c == '.')
			*c = '_';
	primary_key(sp, table, &pk);
	sql_add_literal(&jobl, job);
	backfill_block(&sb, qt, &pk, jobl.buf, change, sp->opts->pg_version >= 11);
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
	strlist_clear(&pk);
	free(name);
	free(qt);
}
