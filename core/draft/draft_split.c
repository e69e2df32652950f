/*
 * draft_split.c - the built-in safe-pattern library: a risky migration
 * rewritten as an expand / migrate / contract sequence.
 *
 * The target's statements are walked in order. A statement the judge
 * found nothing wrong with stays where it is; a risky one is replaced by
 * the steps of its safe pattern, each step a migration of its own when it
 * must be (CONCURRENTLY outside a transaction, VALIDATE after NOT VALID, a
 * batched backfill that commits as it goes):
 *
 *   CREATE INDEX           -> CREATE INDEX CONCURRENTLY, alone, no transaction
 *   DROP INDEX / REINDEX   -> ... CONCURRENTLY, alone, no transaction
 *   ADD COLUMN NOT NULL /  -> add nullable (+ SET DEFAULT for new rows),
 *     volatile DEFAULT        batched idempotent backfill with a progress row,
 *                             CHECK (col IS NOT NULL) NOT VALID, VALIDATE,
 *                             SET NOT NULL, drop the check
 *   SET NOT NULL           -> the same last four steps
 *   ADD FOREIGN KEY/CHECK  -> NOT VALID, then VALIDATE in a later migration
 *   ADD UNIQUE/PRIMARY KEY -> CREATE UNIQUE INDEX CONCURRENTLY, then USING INDEX
 *   ALTER COLUMN TYPE      -> new column, sync trigger, backfill, swap
 *   RENAME COLUMN          -> new column, two-way sync trigger, backfill
 *                             (cut-over and drop are later, after a deploy)
 *   RENAME TABLE           -> rename plus a view under the old name
 *   UPDATE / DELETE        -> batches keyed by the primary key, progress row
 *
 * The first step rewrites the target's own files; later steps become new
 * migrations numbered after the highest one in the directory. Steps that
 * lock an existing table start with SET LOCAL lock_timeout. Every
 * generated statement is parsed again here, and the whole draft is
 * re-judged by draft_verify() before anyone may accept it.
 *
 * This file is the driver: it walks the statements, keeps the safe ones,
 * gathers the steps in units (one migration each) and hands each risky
 * statement to the rewrite of its family, one file each:
 *
 *   draft_rw_index.c       CREATE INDEX, DROP INDEX, REINDEX
 *   draft_rw_alter.c       ALTER TABLE, subcommand by subcommand, to:
 *   draft_rw_column.c        ADD COLUMN, SET NOT NULL
 *   draft_rw_constraint.c    ADD CONSTRAINT, VALIDATE
 *   draft_rw_rename.c        ALTER COLUMN TYPE; and RENAME COLUMN / TABLE
 *   draft_rw_batch.c       UPDATE, DELETE
 *
 * The rewrites build with leaf files that call no rewrite and nothing in
 * this driver (draft_unit_int.h): draft_unit.c (units and the statements added
 * to them), draft_backfill.c (the batched backfill and its progress
 * table), draft_steps.c (VALIDATE, the NOT NULL steps).
 */
#include "draft_split_int.h"
#include "parse.h"

#include <pg_query.h>
#include <stdlib.h>
#include <string.h>

static enum rw_result rewrite_statement(struct split *sp, const struct stmt *st)
{
	const cJSON *b = tree_body(st->tree);
	const char *k = st->kind;
	bool done = false;
	if (!strcmp(k, "IndexStmt") && !tree_bool(b, "concurrent"))
		done = rw_create_index(sp, st, b);
	else if (!strcmp(k, "DropStmt") && !tree_bool(b, "concurrent"))
		done = rw_drop_index(sp, st, b) || rw_drop_table(sp, st, b);
	else if (!strcmp(k, "ReindexStmt"))
		done = rw_reindex(sp, st, b);
	else if (!strcmp(k, "AlterTableStmt"))
		return rw_alter(sp, st, b);  /* keeps what it does not rewrite itself */
	else if (!strcmp(k, "RenameStmt"))
		done = rw_rename(sp, st, b);
	else if (!strcmp(k, "UpdateStmt") || !strcmp(k, "DeleteStmt"))
		done = rw_data_change(sp, st, b);
	if (done)
		sp->cur = -1;
	return done ? RW_DONE : RW_NONE;
}

static bool is_risky(const struct stmt *st)
{
	return st->kind && !st->new_table && (st->sev >= SEV_MEDIUM || st->cls >= CLASS_BLOCKING);
}

/* Statements the split drops: its own transaction control and lock_timeout replace them. */
static bool is_scaffolding(const struct stmt *st)
{
	if (!strcmp(st->kind, "TransactionStmt"))
		return true;
	if (!strcmp(st->kind, "VariableSetStmt")) {
		const char *n = nonnull(tree_str(tree_path(tree_body(st->tree), "name", NULL)));
		return !strcmp(n, "lock_timeout");
	}
	return false;
}

static void keep_statement(struct split *sp, const struct stmt *st)
{
	struct unit *u = current_unit(sp);
	struct strbuf loss = STRBUF_INIT;
	add_up(sp, u, st->sql);
	if (reverse_with_history(st, sp->s, sp->ms, sp->target, &u->downs, &loss) == REV_UNKNOWN)
		strlist_add_nodup(&sp->d->notes, xstrfmt("line %d is kept as written and has no "
							 "automatic down", st->line));
	if (st->table && !st->new_table && lock_blocks_writes(st->lock))
		u->locks = true;
	strbuf_release(&loss);
	schema_apply(sp->s, st->tree);
}

/* Can this statement run inside a transaction block (no CONCURRENTLY, no VACUUM)? */
static bool txn_safe(const char *sql)
{
	return sql_find_word(sql, 0, "concurrently") == (size_t)-1 &&
	       sql_find_word(sql, 0, "vacuum") == (size_t)-1;
}

/*
 * golang-migrate sends a file as one query: one statement runs by itself,
 * several as one implicit transaction. The original file ran outside a
 * transaction only because it held one statement; when what is left of it
 * locks a table, the step takes SET LOCAL lock_timeout like any other, and
 * the two statements run as one transaction, as a multi-statement file
 * does. (popx's .autocommit. files are outside a transaction by name.)
 */
static void lock_timeout_for_one_statement(const struct migration *m, struct unit *u)
{
	if (!u->no_txn || !u->locks || m->fw != FW_GOLANG_MIGRATE || m->up->in_txn ||
	    strstr(m->up->path, ".autocommit."))
		return;
	for (size_t i = 0; i < u->ups.nr; i++)
		if (!txn_safe(u->ups.items[i]))
			return;
	u->no_txn = false;
}

int draft_split(const struct draft_ctx *ctx, struct draft *d)
{
	const struct migration *m = ctx->ms->v[ctx->target];
	const struct file_report *fr = ctx->report;
	struct schema s;
	struct split sp;
	struct layout l;
	size_t kept_unparsed = 0;

	if (!m->up || !fr)
		return -1;
	memset(&sp, 0, sizeof(sp));
	draft_history_schema(ctx->ms, ctx->target, &s);
	schema_begin_migration(&s, m->id);
	sp.s = &s;
	sp.opts = ctx->opts;
	sp.values = ctx->values;
	sp.ms = ctx->ms;
	sp.target = ctx->target;
	sp.report = fr;
	sp.d = d;
	sp.cur = 0;
	new_unit(&sp, "expand", !m->up->in_txn, "original", "the migration, without its risky statements");

	for (size_t i = 0; i < fr->nr_stmts; i++) {
		const struct stmt *st = &fr->stmts[i];
		if (!st->kind) {
			kept_unparsed++;
			continue;
		}
		if (is_scaffolding(st))
			continue;
		free(sp.comment);
		sp.comment = own_comment(st->comments);
		enum rw_result r = is_risky(st) ? rewrite_statement(&sp, st) : RW_NONE;
		if (r == RW_DONE) {
			sp.rewritten++;
			continue;
		}
		if (is_risky(st))
			strlist_add_nodup(&d->notes, xstrfmt("line %d: no built-in rewrite for %s (%s); "
							     "kept as written", st->line, st->kind,
							     st->nr_findings ? st->findings[0].rule : "risky"));
		if (r == RW_NONE)
			keep_statement(&sp, st);
	}

	int ret = 0;
	free(d->title);
	if (kept_unparsed) {
		draft_fail(d, "%zu statement(s) of '%s' do not parse: fix them first", kept_unparsed,
			   m->up->path);
		ret = -1;
	} else if (!sp.rewritten && sp.safe.nr) {
		struct strbuf why = STRBUF_INIT;
		for (size_t i = 0; i < sp.safe.nr; i++)
			strbuf_addf(&why, "%s%s", i ? "; " : "", sp.safe.items[i]);
		d->title = xstrfmt("no split for %s: already safe", m->up->path);
		draft_fail(d, "no split needed: %s", why.buf);
		d->already_safe = true;
		strbuf_release(&why);
		ret = -1;
	} else if (!sp.rewritten) {
		d->title = xstrfmt("no split for %s", m->up->path);
		draft_fail(d, "nothing in '%s' has a built-in safer rewrite", m->up->path);
		ret = -1;
	} else {
		layout_detect(ctx->ms, ctx->target, &l);
		unsigned k = 0;
		/* Unit 0 is the original; an empty one gives its place to the next step. */
		for (size_t i = 0; i < sp.nr; i++) {
			struct unit *u = &sp.units[i];
			size_t first_file = d->nr;
			if (!u->ups.nr)
				continue;
			if (k == 0) {
				lock_timeout_for_one_statement(m, u);
				layout_emit_target(&l, m, u, d);
			} else {
				layout_emit(&l, k, u, d);
			}
			k++;
			if (u->deploy_first && first_file < d->nr)
				strlist_add_nodup(&d->notes, xstrfmt(
					"deploy first: the code at %s must be deployed before %s: its "
					"statements fail from that step on (the step says so in its '-- "
					"sluice: deploy first' line)", u->deploy_first,
					d->files[first_file].path));
			if (u->backup_first && first_file < d->nr)
				strlist_add_nodup(&d->notes, xstrfmt(
					"backup first: before %s, outside the database: %s",
					d->files[first_file].path, u->backup_first));
		}
		if (k == 1 && sp.instant)
			d->title = xstrfmt("%s as instant statements: no split needed", m->up->path);
		else
			d->title = xstrfmt("split %s into %u migration%s (expand / migrate / contract)",
					   m->up->path, k, k == 1 ? "" : "s");
		layout_release(&l);
		for (size_t i = 0; i < sp.safe.nr; i++)
			strlist_add_nodup(&d->notes, xstrfmt("no split needed: %s", sp.safe.items[i]));
	}
	strlist_clear(&sp.safe);
	for (size_t i = 0; i < sp.nr; i++)
		unit_release(&sp.units[i]);
	free(sp.units);
	free(sp.comment);
	schema_release(&s);
	return ret;
}
