/*
 * runbook.c - a Markdown runbook for shipping one migration.
 *
 * What the on-call engineer needs in one page: what to check before, when
 * to run it, what each statement locks and for about how long, the steps in
 * order, the exact rollback SQL, what to watch while it runs and when to
 * stop. Lock facts come from the judge (core/locks.c); durations are orders
 * of magnitude: from the table's statistics when the schema model has them
 * (a database or a stats snapshot; core/estimate.c, as in the findings),
 * else stated as "per GB" so nobody mistakes a guess for a measurement.
 */
#include "draft_int.h"
#include "judge.h"
#include "estimate.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Rough throughputs for a busy production server, in bytes per second. */
#define REWRITE_BPS (100.0 * 1024 * 1024)
#define SCAN_BPS (300.0 * 1024 * 1024)
#define INDEX_BPS (50.0 * 1024 * 1024)

static void add_duration(struct strbuf *sb, double seconds)
{
	if (seconds < 1)
		strbuf_addstr(sb, "under a second");
	else if (seconds < 60)
		strbuf_addf(sb, "~%.0f s", seconds);
	else if (seconds < 3600)
		strbuf_addf(sb, "~%.0f min", seconds / 60);
	else
		strbuf_addf(sb, "~%.1f h", seconds / 3600);
}

static bool builds_index(const struct stmt *st)
{
	return st->kind && !strcmp(st->kind, "IndexStmt");
}

static void add_estimate(struct strbuf *sb, const struct stmt *st, const struct schema *s)
{
	const char *name = table_key(st->table);
	const struct table_def *t = name && s ? schema_table(s, name) : NULL;
	double bps = builds_index(st) ? INDEX_BPS : st->rewrite ? REWRITE_BPS : SCAN_BPS;
	if (st->new_table || !(st->rewrite || st->scan || builds_index(st))) {
		strbuf_addstr(sb, "metadata only: milliseconds once the lock is granted");
		return;
	}
	if (t && t->rows >= 0) {
		/* The estimate the findings carry (core/estimate.c), one for both. */
		lock_estimate_describe(sb, st, t);
		strbuf_addstr(sb, ", from table statistics");
		return;
	}
	strbuf_addstr(sb, "grows with the table: ");
	add_duration(sb, 1024.0 * 1024 * 1024 / bps);
	strbuf_addstr(sb, " per GB (no statistics: connect a database for a figure)");
}

static void add_first_line(struct strbuf *sb, const char *sql)
{
	size_t n = strcspn(sql, "\n");
	strbuf_addch(sb, '`');
	for (size_t i = 0; i < n && i < 90; i++)
		strbuf_addch(sb, sql[i] == '`' || sql[i] == '|' ? '\'' : sql[i]);
	if (n > 90 || sql[n])
		strbuf_addstr(sb, " ...");
	strbuf_addch(sb, '`');
}

static void section_summary(struct strbuf *sb, const struct file_report *fr, const struct schema *s)
{
	strbuf_addstr(sb, "## Lock and timing estimate\n\n"
		      "| line | statement | lock | blocks | rewrite/scan | severity | duration |\n"
		      "|---|---|---|---|---|---|---|\n");
	for (size_t i = 0; i < fr->nr_stmts; i++) {
		const struct stmt *st = &fr->stmts[i];
		strbuf_addf(sb, "| %d | ", st->line);
		add_first_line(sb, st->sql);
		strbuf_addf(sb, " | %s | %s | %s | %s | ", lock_name(st->lock),
			    lock_blocks_reads(st->lock) ? "reads+writes" :
			    lock_blocks_writes(st->lock) ? "writes" : "nothing",
			    st->rewrite ? "rewrite" : st->scan ? "scan" : "no",
			    severity_name(st->sev));
		add_estimate(sb, st, s);
		strbuf_addstr(sb, " |\n");
	}
	strbuf_addstr(sb, "\nA statement waits for its lock behind every open transaction on the "
		      "table, and every later query waits behind it: the lock_timeout below "
		      "bounds that wait.\n\n");
}

static void section_preflight(struct strbuf *sb, const struct file_report *fr, bool loss)
{
	struct strlist tables = STRLIST_INIT;
	for (size_t i = 0; i < fr->nr_stmts; i++)
		if (fr->stmts[i].table && !fr->stmts[i].new_table &&
		    !strlist_has(&tables, fr->stmts[i].table))
			strlist_add(&tables, fr->stmts[i].table);
	strbuf_addstr(sb, "## Pre-flight checks\n\n");
	strbuf_addf(sb, "- [ ] A backup or PITR restore point from today%s.\n",
		    loss ? " (required: this migration destroys data; see Rollback)" : "");
	strbuf_addstr(sb, "- [ ] No long transactions on the tables (each would hold the "
		      "migration's lock request, and everything queued behind it):\n"
		      "  ```sql\n"
		      "  SELECT pid, now() - xact_start AS age, state, left(query, 80)\n"
		      "  FROM pg_stat_activity\n"
		      "  WHERE xact_start < now() - interval '1 minute' ORDER BY xact_start;\n"
		      "  ```\n");
	if (tables.nr) {
		strbuf_addstr(sb, "- [ ] Table sizes (the estimates below scale with them):\n"
			      "  ```sql\n"
			      "  SELECT relname, n_live_tup, pg_size_pretty(pg_total_relation_size(relid))\n"
			      "  FROM pg_stat_user_tables WHERE relname IN (");
		for (size_t i = 0; i < tables.nr; i++) {
			const char *t = strrchr(tables.items[i], '.');
			if (i)
				strbuf_addstr(sb, ", ");
			sql_add_literal(sb, t ? t + 1 : tables.items[i]);
		}
		strbuf_addstr(sb, ");\n  ```\n");
	}
	strbuf_addstr(sb, "- [ ] Replication lag baseline: `SELECT application_name, replay_lag "
		      "FROM pg_stat_replication;`\n"
		      "- [ ] No INVALID index left by an earlier failed CONCURRENTLY build: "
		      "`SELECT indexrelid::regclass FROM pg_index WHERE NOT indisvalid;`\n"
		      "- [ ] The deployed application works with the schema before and after "
		      "each step (rolling deploys run both versions at once).\n\n");
	strlist_clear(&tables);
}

static void section_window(struct strbuf *sb, const struct file_report *fr)
{
	enum lock_mode worst = LOCK_NONE, worst_long = LOCK_NONE;
	for (size_t i = 0; i < fr->nr_stmts; i++) {
		const struct stmt *st = &fr->stmts[i];
		if (st->new_table)
			continue;
		if (st->lock > worst)
			worst = st->lock;
		if ((st->rewrite || st->scan) && st->lock > worst_long)
			worst_long = st->lock;
	}
	strbuf_addstr(sb, "## Execution window\n\n");
	if (lock_blocks_writes(worst_long))
		strbuf_addf(sb, "Off-peak, with the team watching: a statement holds %s while it "
			    "reads or rewrites the whole table. Prefer the split draft "
			    "(`sluice draft --split`).\n\n", lock_name(worst_long));
	else if (lock_blocks_writes(worst))
		strbuf_addf(sb, "Any time outside the busiest hour: %s is taken briefly; with "
			    "lock_timeout set it gives up rather than queue traffic.\n\n",
			    lock_name(worst));
	else
		strbuf_addstr(sb, "Any time: nothing blocks reads or writes for long. Backfills "
			      "and index builds add load: avoid the daily peak.\n\n");
	strbuf_addstr(sb, "Set a lock timeout on the migration's connection, e.g. "
		      "`PGOPTIONS='-c lock_timeout=2s -c statement_timeout=0'`, and retry a step "
		      "that times out a few minutes later.\n\n");
}

static void section_rollout(struct strbuf *sb, const struct layout *l, const struct draft *split,
			    const struct file_report *fr)
{
	strbuf_addstr(sb, "## Rollout, step by step\n\n");
	if (split && !split->failed) {
		/* the overview; each step in full under "Steps" (runbook_steps.c) */
		int n = 1;
		for (size_t i = 0; i < split->nr; i++) {
			const struct draft_file *f = &split->files[i];
			if (!f->sql || f->dir == DIR_DOWN)
				continue;
			strbuf_addf(sb, "%d. `%s`: %s%s\n", n++, f->path, f->purpose,
				    f->no_txn ? " (outside a transaction)" : "");
		}
		for (size_t i = 0; i < split->notes.nr; i++)
			strbuf_addf(sb, "%d. Later: %s\n", n++, split->notes.items[i]);
		strbuf_addstr(sb, "\nApply one step at a time, as \"Steps\" below says, with its "
			      "checks before and after; deploy application changes where a step says "
			      "so.\n\n");
		return;
	}
	strbuf_addf(sb, "1. Check the pre-flight list.\n"
		    "2. Apply the migration: `%s`.\n"
		    "3. Watch the signals below until it finishes; abort on the criteria.\n"
		    "4. Verify:", framework_apply_command(l->fw));
	for (size_t i = 0; i < fr->nr_stmts; i++)
		if (fr->stmts[i].kind && !strcmp(fr->stmts[i].kind, "IndexStmt"))
			strbuf_addstr(sb, " the new index is valid (`\\d table` shows no INVALID);");
	strbuf_addstr(sb, " the application's error rate is back to baseline.\n\n");
}

static void section_rollback(struct strbuf *sb, const struct draft *down)
{
	strbuf_addstr(sb, "## Rollback\n\n");
	if (!down || !down->nr) {
		strbuf_addstr(sb, "No automatic down migration: restore from the backup.\n\n");
		return;
	}
	strbuf_addf(sb, "Run the down migration (`%s`):\n\n```sql\n", down->files[0].path);
	strbuf_addstr(sb, down->files[0].text);
	strbuf_addstr(sb, "```\n\n");
}

static void section_signals(struct strbuf *sb, bool backfill)
{
	strbuf_addstr(sb,
		      "## Signals to watch\n\n"
		      "- Sessions waiting for a lock, and who blocks them:\n"
		      "  ```sql\n"
		      "  SELECT pid, pg_blocking_pids(pid) AS blocked_by, now() - query_start AS waited,\n"
		      "         left(query, 60)\n"
		      "  FROM pg_stat_activity WHERE wait_event_type = 'Lock';\n"
		      "  ```\n"
		      "- Replication lag: `SELECT application_name, write_lag, replay_lag FROM "
		      "pg_stat_replication;`\n"
		      "- Index builds: `SELECT phase, blocks_done, blocks_total FROM "
		      "pg_stat_progress_create_index;`\n");
	if (backfill)
		strbuf_addstr(sb, "- Backfill progress: `SELECT * FROM sluice_backfill_progress;`\n");
	strbuf_addstr(sb, "- The application: error rate (5xx), p99 latency, connection pool "
		      "saturation.\n\n");
}

static void section_abort(struct strbuf *sb)
{
	strbuf_addstr(sb,
		      "## Abort criteria\n\n"
		      "Stop (cancel the migration's backend with `SELECT pg_cancel_backend(pid);`) when:\n\n"
		      "- application queries wait on the migration's lock for more than 5 s;\n"
		      "- replication lag passes 30 s and keeps growing (a backfill resumes from its "
		      "progress row when run again);\n"
		      "- the error rate rises above baseline or p99 latency doubles for a minute;\n"
		      "- a CONCURRENTLY build fails: drop the INVALID index with DROP INDEX "
		      "CONCURRENTLY before retrying.\n\n"
		      "After an abort: check `pg_stat_activity` is quiet, then run the rollback "
		      "above for the steps that completed.\n");
}

/*
 * Where the runbook goes: sluice.runbookDir (default docs/runbooks/) of the
 * repository, never the migrations directory (a tool would take a file
 * there for a migration), as a path like the migration's own.
 */
static char *runbook_path(const struct draft_ctx *ctx, const struct layout *l)
{
	const char *dir = ctx->runbook_dir && *ctx->runbook_dir ? ctx->runbook_dir : "docs/runbooks";
	const char *top = ctx->ms->workdir;
	char cwd[4096];
	struct strbuf sb = STRBUF_INIT;
	/* from a subdirectory of the work tree: up to its top first */
	if (top && getcwd(cwd, sizeof(cwd)) && starts_with(cwd, top)) {
		for (const char *p = cwd + strlen(top); *p; p++)
			if (*p == '/' && p[1])
				strbuf_addstr(&sb, "../");
	}
	strbuf_addstr(&sb, dir);
	if (sb.len && sb.buf[sb.len - 1] != '/')
		strbuf_addch(&sb, '/');
	strbuf_addf(&sb, "%s.md", l->stem);
	return strbuf_detach(&sb, NULL);
}

int draft_runbook(const struct draft_ctx *ctx, const struct draft *split, struct draft *d)
{
	const struct migration *m = ctx->ms->v[ctx->target];
	const struct file_report *fr = ctx->report;
	struct strbuf sb = STRBUF_INIT;
	struct draft down;
	struct layout l;
	struct schema s;
	bool backfill = false, loss;

	if (!m->up || !fr)
		return -1;
	draft_init(&down);
	draft_down(ctx, &down);
	loss = down.nr && strstr(down.files[0].text, "DATA LOSS");
	layout_detect(ctx->ms, ctx->target, &l);
	draft_history_schema(ctx->ms, ctx->target, &s);
	for (size_t i = 0; split && i < split->nr; i++)
		if (strstr(split->files[i].text, "sluice_backfill_progress"))
			backfill = true;

	strbuf_addf(&sb, "# Runbook: %s\n\n", m->up->path);
	strbuf_addf(&sb, "Migration `%s` (%s), judged for PostgreSQL %d: worst finding **%s**.\n\n",
		    m->id, framework_name(l.fw), ctx->opts->pg_version, severity_name(fr->sev));
	for (size_t i = 0; i < fr->nr_stmts; i++)
		for (size_t j = 0; j < fr->stmts[i].nr_findings; j++) {
			const struct finding *f = &fr->stmts[i].findings[j];
			if (!f->ignored)
				strbuf_addf(&sb, "- line %d, %s %s: %s\n", fr->stmts[i].line,
					    severity_name(f->sev), f->rule, f->message);
		}
	strbuf_addch(&sb, '\n');
	section_preflight(&sb, fr, loss);
	section_window(&sb, fr);
	/* statistics live in the caller's schema (a database was connected) */
	section_summary(&sb, fr, ctx->stats ? ctx->stats : &s);
	section_rollout(&sb, &l, split, fr);
	if (split && !split->failed)
		runbook_steps(&sb, ctx, &l, split);
	section_rollback(&sb, &down);
	section_signals(&sb, backfill);
	section_abort(&sb);

	char *path = runbook_path(ctx, &l);
	draft_add_file(d, path, strbuf_detach(&sb, NULL), "runbook", false);
	free(d->title);
	d->title = xstrfmt("runbook for %s", m->up->path);
	free(path);
	schema_release(&s);
	layout_release(&l);
	draft_release(&down);
	return 0;
}
