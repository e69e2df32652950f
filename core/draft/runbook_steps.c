/*
 * runbook_steps.c - the runbook's steps, read from the split that will
 * ship (runbook.c writes the rest of the page around them).
 *
 * Each migration of the split is judged again in the repository as it
 * will be (draft_run.c, the pipeline of `sluice check`), so that every
 * step gets what its own statements need, not a generic list:
 *   - what it does, the lock on each table and how long it is held (table
 *     sizes when known);
 *   - the code that must deploy first and the backup to take first (the
 *     step's `-- sluice: deploy first:` / `-- sluice: backup first:` lines);
 *   - data checks before it: NULLs before a NOT NULL, orphans before a
 *     foreign key, duplicates before a unique index or key, values that do
 *     not cast before a type change, rows a CHECK refuses;
 *   - the exact command for the repository's tool (golang-migrate `goto N`,
 *     never `up 1`), with lock_timeout and a retry loop, and what to do when
 *     the tool marks the version dirty;
 *   - what to watch (waiting locks, index build progress, the backfill's
 *     progress row and replica lag), WAL and disk headroom;
 *   - checks after it (convalidated, indisvalid, attnotnull), VACUUM
 *     (ANALYZE) after a backfill, and the rollback that works from there.
 */
#include "draft_int.h"
#include "draft.h"
#include "app_sql.h"
#include "estimate.h"
#include "judge.h"

#include <stdlib.h>
#include <string.h>

/* A constraint added NOT VALID in an earlier step, for its VALIDATE step's checks. */
struct pending_con {
	char *name, *table, *check;  /* the data check that must find nothing */
};

struct steps {
	struct strbuf *sb;
	const struct draft_ctx *ctx;
	const struct layout *l;
	struct pending_con *cons;
	size_t nr_cons, alloc_cons;
	struct strlist done_versions;   /* versions applied before this step */
};

/* The column names of a list of {"String":{"sval":...}} (or IndexElem) nodes, quoted, joined. */
static char *name_list(const cJSON *list, const char *key)
{
	struct strbuf sb = STRBUF_INIT;
	const cJSON *it;
	cJSON_ArrayForEach(it, list) {
		const char *n = key ? tree_str(tree_path(it, "IndexElem", key, NULL))
				    : tree_str(tree_path(it, "String", "sval", NULL));
		if (!n) {
			strbuf_release(&sb);
			return NULL;   /* an expression: no simple check */
		}
		if (sb.len)
			strbuf_addstr(&sb, ", ");
		sql_add_ident(&sb, n);
	}
	return strbuf_detach(&sb, NULL);
}

/* The text inside the parentheses after CHECK in `sql`, or NULL. */
static char *check_expr(const char *sql)
{
	size_t at = sql_find_word(sql, 0, "CHECK");
	const char *p = at < strlen(sql) ? strchr(sql + at, '(') : NULL;
	int depth = 0;
	for (const char *q = p; q && *q; q++) {
		depth += *q == '(';
		depth -= *q == ')';
		if (!depth)
			return xstrndup(p + 1, (size_t)(q - p - 1));
	}
	return NULL;
}

static char *duplicates_check(const char *rel, const char *cols)
{
	return xstrfmt("SELECT %s, count(*) FROM %s GROUP BY %s HAVING count(*) > 1 LIMIT 10;", cols,
		       rel, cols);
}

/* The data check a constraint's rows must pass, by its kind; NULL when none is simple. */
static char *constraint_check(const char *rel, const cJSON *con, const char *sql)
{
	const char *type = nonnull(tree_str(tree_path(con, "contype", NULL)));
	if (!strcmp(type, "CONSTR_CHECK")) {
		char *e = check_expr(sql), *q = e ? xstrfmt("SELECT count(*) FROM %s WHERE NOT (%s);",
							   rel, e) : NULL;
		free(e);
		return q;
	}
	if (!strcmp(type, "CONSTR_FOREIGN")) {
		char *fk = name_list(tree_path(con, "fk_attrs", NULL), NULL);
		char *pk = name_list(tree_path(con, "pk_attrs", NULL), NULL);
		char *parent = tree_rangevar_name(tree_path(con, "pktable", NULL));
		char *q = NULL;
		if (fk && parent && !strchr(fk, ',')) {
			char *qp = sql_qualified(parent);
			q = xstrfmt("SELECT count(*) FROM %s c WHERE c.%s IS NOT NULL AND NOT EXISTS "
				    "(SELECT FROM %s p WHERE p.%s = c.%s);", rel, fk, qp, pk ? pk : "id", fk);
			free(qp);
		}
		free(fk);
		free(pk);
		free(parent);
		return q;
	}
	if (!strcmp(type, "CONSTR_UNIQUE") || !strcmp(type, "CONSTR_PRIMARY")) {
		char *cols = name_list(tree_path(con, "keys", NULL), NULL);
		char *q = cols ? duplicates_check(rel, cols) : NULL;
		free(cols);
		return q;
	}
	return NULL;
}

static void remember(struct steps *s, const char *name, const char *table, char *check)
{
	ALLOC_GROW(s->cons, s->nr_cons + 1, s->alloc_cons);
	s->cons[s->nr_cons].name = xstrdup(name);
	s->cons[s->nr_cons].table = xstrdup(table);
	s->cons[s->nr_cons++].check = check;
}

static const struct pending_con *recalled(const struct steps *s, const char *name)
{
	for (size_t i = 0; i < s->nr_cons; i++)
		if (!strcmp(s->cons[i].name, name))
			return &s->cons[i];
	return NULL;
}

/* Checks before and after, from one ALTER TABLE subcommand. */
static void alter_checks(struct steps *s, const struct stmt *st, const char *rel, const cJSON *c,
			 struct strbuf *before, struct strbuf *after)
{
	const char *sub = nonnull(tree_str(tree_path(c, "subtype", NULL)));
	const char *name = tree_str(tree_path(c, "name", NULL));
	if (!strcmp(sub, "AT_AddConstraint")) {
		const cJSON *con = tree_path(c, "def", "Constraint", NULL);
		const char *cname = tree_str(tree_path(con, "conname", NULL));
		char *q = constraint_check(rel, con, st->sql);
		if (q && tree_bool(con, "skip_validation")) {
			/* NOT VALID: new rows only now; the VALIDATE step checks the old ones */
			strbuf_addf(before, "- New writes must pass it from this step on; rows that "
				    "would not (the VALIDATE step needs none):\n  ```sql\n  %s\n  ```\n", q);
			if (cname)
				remember(s, cname, rel, xstrdup(q));
		} else if (q) {
			strbuf_addf(before, "- Rows that would make it fail (must be none):\n  ```sql\n"
				    "  %s\n  ```\n", q);
		}
		if (cname)
			strbuf_addf(after, "- `SELECT conname, convalidated FROM pg_constraint WHERE "
				    "conname = '%s';` shows it%s.\n", cname,
				    tree_bool(con, "skip_validation") ? " (convalidated false until its "
				    "VALIDATE step)" : ", convalidated true");
		free(q);
	} else if (!strcmp(sub, "AT_ValidateConstraint") && name) {
		const struct pending_con *pc = recalled(s, name);
		if (pc)
			strbuf_addf(before, "- Rows the constraint refuses (must be none, or VALIDATE "
				    "fails after scanning the whole table):\n  ```sql\n  %s\n  ```\n",
				    pc->check);
		strbuf_addf(after, "- `SELECT convalidated FROM pg_constraint WHERE conname = '%s';` "
			    "is true.\n", name);
	} else if (!strcmp(sub, "AT_SetNotNull") && name) {
		char *qc = sql_ident(name);
		strbuf_addf(before, "- NULLs left (must be 0):\n  ```sql\n  SELECT count(*) FROM %s WHERE "
			    "%s IS NULL;\n  ```\n", rel, qc);
		strbuf_addf(after, "- `SELECT attnotnull FROM pg_attribute WHERE attrelid = '%s'::regclass "
			    "AND attname = '%s';` is true.\n", rel, name);
		free(qc);
	} else if (!strcmp(sub, "AT_AlterColumnType") && name) {
		char *type = tree_type_name(tree_path(c, "def", "ColumnDef", "typeName", NULL));
		char *qc = sql_ident(name);
		if (type)
			strbuf_addf(before, "- Values that do not cast to %s (the statement fails on the "
				    "first one; run on a replica):\n  ```sql\n  SELECT count(*) FROM "
				    "(SELECT %s::%s FROM %s) s;\n  ```\n", type, qc, type, rel);
		free(qc);
		free(type);
	}
}

/* The table a backfill DO block works on: the job name it registers ('table.column'). */
static char *backfill_table(const char *sql)
{
	static const char key[] = "sluice_backfill_progress (job) VALUES ('";
	const char *p = strstr(sql, key), *end, *dot = NULL;
	if (!p)
		return NULL;
	p += strlen(key);
	end = strchr(p, '\'');
	for (const char *q = p; end && q < end; q++)
		if (*q == '.')
			dot = q;
	return dot ? xstrndup(p, (size_t)(dot - p)) : NULL;
}

struct step_facts {
	bool index, backfill, rewrite, blocks;
	struct strbuf locks, before, after, watch;
	struct strlist tables;
};

static void read_statement(struct steps *s, const struct stmt *st, struct step_facts *f)
{
	const cJSON *b = tree_body(st->tree);
	char *rel = st->table ? sql_qualified(st->table) : NULL;
	if (st->table && !st->new_table && st->lock != LOCK_NONE) {
		const struct table_def *t = s->ctx->stats ? schema_table(s->ctx->stats, table_key(st->table))
							  : NULL;
		size_t n = strcspn(st->sql, "\n");
		strbuf_addf(&f->locks, "- line %d, `%.*s%s` on %s: %s (blocks %s); ", st->line,
			    (int)(n > 70 ? 70 : n), st->sql, n > 70 || st->sql[n] ? " ..." : "", st->table,
			    lock_name(st->lock),
			    lock_blocks_reads(st->lock) ? "reads and writes" :
			    lock_blocks_writes(st->lock) ? "writes" : "nothing");
		if (t && t->rows >= 0 && (st->rewrite || st->scan))
			lock_estimate_describe(&f->locks, st, t);
		else if (st->rewrite || st->scan)
			strbuf_addstr(&f->locks, "reads the whole table: grows with its size (no statistics: "
				      "connect a database or a stats snapshot for a figure)");
		else
			strbuf_addstr(&f->locks, "metadata only: milliseconds once granted");
		strbuf_addch(&f->locks, '\n');
		f->blocks |= lock_blocks_writes(st->lock);
		if (!strlist_has(&f->tables, st->table))
			strlist_add(&f->tables, st->table);
	}
	f->rewrite |= st->rewrite;
	if (st->kind && !strcmp(st->kind, "IndexStmt")) {
		f->index = true;
		const char *idx = tree_str(tree_path(b, "idxname", NULL));
		char *cols = name_list(tree_path(b, "indexParams", NULL), "name");
		if (tree_bool(b, "unique") && cols && rel) {
			char *q = duplicates_check(rel, cols);
			strbuf_addf(&f->before, "- Duplicates (must be none, or the build fails at the end):\n"
				    "  ```sql\n  %s\n  ```\n", q);
			free(q);
		}
		if (idx)
			strbuf_addf(&f->after, "- `SELECT indisvalid FROM pg_index WHERE indexrelid = "
				    "'%s'::regclass;` is true (an INVALID index from a failed build: DROP "
				    "INDEX CONCURRENTLY it, then run the step again).\n", idx);
		free(cols);
	} else if (st->kind && !strcmp(st->kind, "AlterTableStmt") && rel) {
		const cJSON *cmd;
		cJSON_ArrayForEach(cmd, tree_path(b, "cmds", NULL))
			alter_checks(s, st, rel, tree_body(cmd), &f->before, &f->after);
	} else if (st->kind && !strcmp(st->kind, "DoStmt") && strstr(st->sql, "sluice_backfill_progress")) {
		char *t = backfill_table(st->sql);
		f->backfill = true;
		if (t) {
			char *qt = sql_qualified(t);
			strbuf_addf(&f->after, "- `VACUUM (ANALYZE) %s;` the batches left dead row versions "
				    "and stale statistics behind.\n", qt);
			if (!strlist_has(&f->tables, t))
				strlist_add(&f->tables, t);
			free(qt);
		}
		free(t);
	}
	free(rel);
}

/* "3" of "000003": the version a tool is told to go to. */
static const char *version_number(const char *id)
{
	while (*id == '0' && id[1])
		id++;
	return id;
}

/* The tool's command for this step, DIR, VERSION and FILE filled in. */
static char *apply_command(const struct layout *l, const char *version, const char *file)
{
	const char *cmd = framework_apply_command(l->fw);
	struct strbuf sb = STRBUF_INIT;
	for (const char *p = cmd; *p;) {
		if (starts_with(p, "DIR")) {
			strbuf_addstr(&sb, *l->dir ? l->dir : ".");
			if (sb.len > 1 && sb.buf[sb.len - 1] == '/')
				sb.buf[--sb.len] = '\0';
			p += 3;
		} else if (starts_with(p, "VERSION")) {
			strbuf_addstr(&sb, version);
			p += 7;
		} else if (starts_with(p, "FILE")) {
			strbuf_addstr(&sb, file);
			p += 4;
		} else {
			strbuf_addch(&sb, *p++);
		}
	}
	return strbuf_detach(&sb, NULL);
}

/* When the tool records a failed step as "dirty", what to run before trying again. */
static void dirty_recovery(struct strbuf *sb, const struct layout *l, const char *prev,
			   bool concurrently)
{
	if (l->fw == FW_GOLANG_MIGRATE) {
		char *dir = apply_command(l, prev, "");   /* "migrate -path D ... goto V" */
		char *at = strstr(dir, " goto ");
		if (at)
			*at = '\0';
		char *force = xstrfmt("%s force %s", dir, prev);
		free(dir);
		strbuf_addf(sb, "- If it fails, golang-migrate marks the version dirty. %s the schema is "
			    "still at version %s: `%s`, then run the step again.\n",
			    concurrently ? "Drop the INVALID index the failed build left (`DROP INDEX "
					   "CONCURRENTLY IF EXISTS ...`): then" :
					   "Its transaction was rolled back, so", prev, force);
		free(force);
	} else if (l->fw == FW_FLYWAY) {
		strbuf_addstr(sb, "- If it fails, Flyway records the failure: `flyway repair`, then "
			      "run the step again.\n");
	} else {
		strbuf_addstr(sb, "- If it fails, the tool records nothing for the step: fix the cause "
			      "and run it again.\n");
	}
}

/* Each `mark` line of the step's text, as a checklist item: `before`, the line's rest, `after`. */
static void add_marked(struct strbuf *sb, const char *text, const char *mark, const char *before,
		       const char *after)
{
	size_t ml = strlen(mark);
	for (const char *p = text; p && *p;) {
		size_t n = strcspn(p, "\n");
		if (n > ml && !strncmp(p, mark, ml)) {
			strbuf_addstr(sb, before);
			strbuf_add(sb, p + ml + 1, n - ml - 1);
			strbuf_addstr(sb, after);
		}
		p += n + (p[n] == '\n');
	}
}

static void one_step(struct steps *s, int k, const struct draft_file *up, const struct draft_file *down,
		     const struct file_report *fr, const char *version, const char *prev)
{
	struct strbuf *sb = s->sb;
	struct step_facts f;
	memset(&f, 0, sizeof(f));
	strbuf_init(&f.locks, 0);
	strbuf_init(&f.before, 0);
	strbuf_init(&f.after, 0);
	for (size_t i = 0; fr && i < fr->nr_stmts; i++)
		if (fr->stmts[i].tree)
			read_statement(s, &fr->stmts[i], &f);
	strbuf_addf(sb, "### Step %d: `%s`\n\n%s%s.\n\n", k, up->path, up->purpose,
		    up->no_txn ? " (runs outside a transaction)" : "");
	strbuf_addstr(sb, "**Locks and time**\n\n");
	strbuf_addstr(sb, f.locks.len ? f.locks.buf : "- no lock on an existing table\n");
	if (f.rewrite || f.backfill || f.index)
		strbuf_addstr(sb, "- WAL and disk: it writes about the size of what it builds or "
			      "rewrites; check free disk and the replicas' WAL retention first.\n");
	strbuf_addstr(sb, "\n**Before**\n\n");
	add_marked(sb, up->text, APP_SQL_DEPLOY_MARK, "- [ ] Code deploy first: the code at ",
		   " must no longer need the old schema, deployed everywhere.\n");
	add_marked(sb, up->text, DRAFT_BACKUP_MARK, "- [ ] Back up, outside the database: `", "`\n");
	add_marked(sb, up->text, DRAFT_CHECK_MARK, "- [ ] Values the conversion refuses: the NOTICE "
		   "must say 0 (run it on a replica: it only reads, row by row):\n  ```sql\n  ",
		   "\n  ```\n  Not 0: do not run this step. Those rows would stop the backfill at the "
		   "first one, and once the trigger is in, the app's writes of such a value fail. Fix "
		   "or clear them in batches first, or give the conversion a USING expression that "
		   "maps them (NULLIF, a regexp) and draft again; then count again.\n");
	if (f.before.len)
		strbuf_addstr(sb, f.before.buf);
	strbuf_addstr(sb, "- [ ] No long transaction on its tables (`pg_stat_activity`, above).\n");

	char *cmd = apply_command(s->l, version, up->path);
	strbuf_addstr(sb, "\n**Run**\n\n```sh\n");
	if (up->no_txn || !f.blocks)
		strbuf_addf(sb, "%s\n", cmd);
	else
		strbuf_addf(sb, "# lock_timeout: give up rather than queue the table's traffic; retry\n"
			    "for i in 1 2 3 4 5; do\n"
			    "    PGOPTIONS='-c lock_timeout=2s' %s && break\n"
			    "    echo \"lock not granted (try $i); again in 30 s\"; sleep 30\n"
			    "done\n", cmd);
	strbuf_addstr(sb, "```\n\n");
	dirty_recovery(sb, s->l, prev, f.index && up->no_txn);
	free(cmd);

	strbuf_addstr(sb, "\n**Watch**\n\n- Sessions waiting on its locks: `SELECT pid, "
		      "pg_blocking_pids(pid), left(query, 60) FROM pg_stat_activity WHERE "
		      "wait_event_type = 'Lock';` (more than 5 s: cancel it, retry later).\n");
	if (f.index)
		strbuf_addstr(sb, "- The build: `SELECT phase, blocks_done, blocks_total, tuples_done "
			      "FROM pg_stat_progress_create_index;`\n");
	if (f.backfill)
		strbuf_addstr(sb, "- The backfill: `SELECT * FROM sluice_backfill_progress;` (last key, "
			      "rows, updated_at) and replica lag: `SELECT application_name, replay_lag "
			      "FROM pg_stat_replication;` (it pauses itself past max_lag). Stopped, it "
			      "resumes from its last key when run again.\n");

	strbuf_addstr(sb, "\n**After**\n\n");
	if (f.after.len)
		strbuf_addstr(sb, f.after.buf);
	strbuf_addstr(sb, "- The application's error rate and p99 latency are at their baseline.\n");

	strbuf_addstr(sb, "\n**Rollback from here**\n\n");
	if (down) {
		char *back = apply_command(s->l, prev, down->path);
		if (s->l->fw == FW_GOLANG_MIGRATE)
			strbuf_addf(sb, "`%s` runs this down (and the later steps' first, if they ran):\n\n",
				    back);
		else
			strbuf_addf(sb, "Run `%s`:\n\n", down->path);
		strbuf_addf(sb, "```sql\n%s```\n\n", down->text);
		free(back);
	} else {
		strbuf_addstr(sb, "No down for this step: restore from the backup.\n\n");
	}
	strbuf_release(&f.locks);
	strbuf_release(&f.before);
	strbuf_release(&f.after);
	strlist_clear(&f.tables);
}

void runbook_steps(struct strbuf *sb, const struct draft_ctx *ctx, const struct layout *l,
		   const struct draft *split)
{
	struct check_run run;
	struct migration_set drafted;
	struct steps s;
	memset(&s, 0, sizeof(s));
	s.sb = sb;
	s.ctx = ctx;
	s.l = l;
	size_t history = draft_run_prepare(&run, ctx, split, true);
	check_judge(&run);
	draft_discover(split, &drafted);
	const struct migration *before = ctx->target ? ctx->ms->v[ctx->target - 1] : NULL;
	const char *prev = before ? version_number(before->id) : "0";

	strbuf_addstr(sb, "## Steps\n\nOne migration at a time, in this order; each step's checks "
		      "before and after, then the next.\n\n");
	int k = 1;
	for (size_t i = 0; i < split->nr; i++) {
		const struct draft_file *up = &split->files[i];
		if (!up->sql || up->dir == DIR_DOWN)
			continue;
		const struct draft_file *down = i + 1 < split->nr && split->files[i + 1].dir == DIR_DOWN
						? &split->files[i + 1] : NULL;
		const struct file_report *fr = NULL;
		for (size_t f = 0; f < run.report.nr; f++)
			if (draft_run_file(&run, history, &run.report.files[f]) &&
			    !strcmp(run.report.files[f].path, up->path) &&
			    run.report.files[f].dir != DIR_DOWN)
				fr = &run.report.files[f];
		const char *version = prev;
		for (size_t m = 0; m < drafted.nr; m++)
			if (drafted.v[m]->up && !strcmp(drafted.v[m]->up->path, up->path))
				version = version_number(drafted.v[m]->id);
		char *v = xstrdup(version);
		one_step(&s, k++, up, down, fr, v, prev);
		strlist_add(&s.done_versions, v);
		prev = s.done_versions.items[s.done_versions.nr - 1];
		free(v);
	}
	for (size_t i = 0; i < split->notes.nr; i++)
		if (!starts_with(split->notes.items[i], "deploy first:") &&
		    !starts_with(split->notes.items[i], "backup first:"))
			strbuf_addf(sb, "- Later: %s\n", split->notes.items[i]);
	strbuf_addch(sb, '\n');
	for (size_t i = 0; i < s.nr_cons; i++) {
		free(s.cons[i].name);
		free(s.cons[i].table);
		free(s.cons[i].check);
	}
	free(s.cons);
	strlist_clear(&s.done_versions);
	migration_set_release(&drafted);
	check_run_release(&run);
}
