/*
 * check.c - a judging run: the pipeline (see check.h).
 *
 * Migrations are walked in apply order. One that is not pending is history:
 * it is only replayed into the schema model. A pending one has its up
 * script judged against the schema as the history left it; its down script
 * is judged on a scratch schema, so that undoing does not erase what later
 * migrations expect to exist.
 */
#include "check.h"
#include "stats.h"
#include "draft.h"
#include "parallel.h"
#include "parseahead.h"
#include "policy.h"
#include "discover.h"
#include "tree.h"
#include "util.h"
#include "xref.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void check_run_init(struct check_run *run)
{
	memset(run, 0, sizeof(*run));
	config_init(&run->cfg);
	judge_opts_init(&run->opts);
	migration_set_init(&run->ms);
	schema_init(&run->schema);
	run->report.opts = &run->opts;
}

void check_run_release(struct check_run *run)
{
	for (size_t i = 0; i < run->report.nr; i++)
		file_report_release(&run->report.files[i]);
	free(run->report.files);
	strlist_clear(&run->report.errors);
	db_check_release(&run->db);
	xref_facts_free(run);
	schema_release(&run->schema);
	migration_set_release(&run->ms);
	judge_opts_release(&run->opts);
	config_release(&run->cfg);
	free(run->base);
	free(run->stats);
	memset(run, 0, sizeof(*run));
}

/* LeakSanitizer's entry point: defined when a sanitizer runtime is linked in. */
extern void __lsan_do_leak_check(void) __attribute__((weak));

/* Reachable from here, what check_run_exit() keeps is no leak to any checker. */
static struct check_run kept __attribute__((used));

void check_run_exit(struct check_run *run)
{
	if (__lsan_do_leak_check) {
		check_run_release(run);
		return;
	}
	kept = *run;
	memset(run, 0, sizeof(*run));
}

/*
 * Table sizes from a statistics snapshot (--stats, sluice.stats) and the
 * size thresholds: here, so that check, the workbench and drafts all judge
 * with them. A bad snapshot is an error: judging on without the sizes it
 * was asked for would pass what it should not.
 */
static int load_stats(struct check_run *run)
{
	struct strbuf err = STRBUF_INIT;
	int ret = 0;
	if (stats_settings(&run->cfg, &run->opts) < 0)
		return -1;
	/* sluice.stats is relative to the top, where .sluice lives, from a subdirectory too. */
	char *top = !run->ms.workdir && !run->stats && config_get(&run->cfg, "sluice.stats")
		? commit_workdir(".") : NULL;
	if (stats_load(&run->cfg, run->stats, run->ms.workdir ? run->ms.workdir : top,
		       &run->schema, &err) < 0) {
		strlist_add(&run->report.errors, err.buf);
		run->bad_stats = true;
		ret = -1;
	}
	free(top);
	strbuf_release(&err);
	return ret;
}

int check_prepare(struct check_run *run, const char *const *paths, size_t n)
{
	int r;
	run->paths_mode = n > 0;
	if (n) {
		if (config_load(&run->cfg, ".") < 0)
			return -1;
		r = discover_paths(&run->ms, paths, n);
	} else if ((r = policy_discover_repo(run)) == POLICY_UNREADABLE) {
		return -1;   /* a branch is judged by its base's .sluice (core/policy.c) */
	}
	if (config_apply_judge(&run->cfg, &run->opts) < 0)
		return -1;
	if (!run->base && config_get(&run->cfg, "sluice.base"))
		run->base = xstrdup(config_get(&run->cfg, "sluice.base"));
	/* migrations that are not SQL: the SQL their tools print (core/discover/discover.h) */
	sqlgen_prepare(run);
	for (size_t i = 0; i < run->ms.errors.nr; i++)
		strlist_add(&run->report.errors, run->ms.errors.items[i]);
	if (r < 0 && !run->ms.nr && !n)
		return -1;
	run->report.branch = run->ms.branch;
	run->report.base = run->ms.base;
	return load_stats(run);
}

static struct file_report *next_file(struct check_run *run, size_t *alloc)
{
	ALLOC_GROW(run->report.files, run->report.nr + 1, *alloc);
	return &run->report.files[run->report.nr++];
}

/*
 * See check_run.drop_trees; the cross-check (repository mode) reads trees,
 * so it takes its facts from this file's first (xref_extract_file).
 * A dropped tree is its kind alone: {"IndexStmt":{}}, a new one, since a
 * statement's tree is one block (tree_json.c). The parse-ahead worker,
 * when there is one, frees the old.
 */
static void maybe_drop_trees(struct check_run *run, struct parse_ahead *pa,
			     struct file_report *fr)
{
	if (!run->drop_trees)
		return;
	if (run->ms.workdir)
		xref_extract_file(run, (size_t)(fr - run->report.files));
	cJSON **trees = xmalloc((fr->nr_stmts + 1) * sizeof(*trees));
	size_t n = 0;
	for (size_t i = 0; i < fr->nr_stmts; i++) {
		struct stmt *st = &fr->stmts[i];
		/* a body no rule took (plpgsql-unreadable disabled) */
		cJSON_Delete(st->body_tree);
		free(st->body_error);
		st->body_tree = NULL;
		st->body_error = NULL;
		st->body_parsed = false;
		if (!st->tree || !st->kind)
			continue;
		trees[n++] = st->tree;
		st->tree = tree_kind_only(st->kind);
		st->kind = tree_kind(st->tree);
	}
	parse_ahead_discard(pa, trees, n);
	free(trees);
}

/* Is this migration judged, or only replayed as history? */
static bool is_judged(const struct check_run *run, const struct migration *m)
{
	return m->pending || run->all;
}

/*
 * A migration added on this branch (pending in a repository, not an edit of
 * one the base has) runs on a production database that has none of what it
 * creates: its tables are empty there when later migrations of the branch
 * index, constrain or rename them. Without git (`sluice check DIR`) nothing
 * says what production has, so earlier files stay history.
 */
static bool is_branch_new(const struct check_run *run, const struct migration *m)
{
	return run->ms.workdir && m->pending && !m->changed;
}

/*
 * kratos/popx writes one migration as numbered parts (20191100000001000001,
 * ...000002: a 14-digit version, then a 6-digit part), each applied on its
 * own but always shipped together: a table an earlier part created is as new
 * as one created earlier in the same file.
 */
static bool is_later_part(const struct migration *prev, const struct migration *m)
{
	size_t n = strlen(m->id);
	if (!prev || n != 20 || strlen(prev->id) != 20 || strncmp(prev->id, m->id, 14) ||
	    prev->pending != m->pending)
		return false;
	for (size_t i = 0; i < n; i++)
		if (m->id[i] < '0' || m->id[i] > '9' || prev->id[i] < '0' || prev->id[i] > '9')
			return false;
	return true;
}

/*
 * The scripts check_judge() will parse, in the order it reaches them: the
 * parse-ahead worker must see exactly this order.
 */
static struct script **scripts_in_judging_order(const struct check_run *run, bool **judged,
						size_t *n)
{
	struct script **v = xmalloc((2 * run->ms.nr + 1) * sizeof(*v));
	*judged = xmalloc((2 * run->ms.nr + 1) * sizeof(**judged));
	*n = 0;
	for (size_t i = 0; i < run->ms.nr; i++) {
		const struct migration *m = run->ms.v[i];
		if (m->up) {
			(*judged)[*n] = is_judged(run, m);
			v[(*n)++] = m->up;
		}
		if (is_judged(run, m) && m->down) {
			(*judged)[*n] = true;
			v[(*n)++] = m->down;
		}
	}
	return v;
}

/* parse -> model -> rules (static, history, sizes), file by file in apply order. */
static void judge_files(struct check_run *run)
{
	size_t alloc = run->report.nr;
	size_t nr_scripts;
	bool *judged;
	struct script **scripts = scripts_in_judging_order(run, &judged, &nr_scripts);
	/*
	 * A handful of files is judged before a thread would have started.
	 * SLUICE_THREADS=1 (or SLUICE_NO_PARSE_AHEAD=1) parses inline (tests
	 * compare both).
	 */
	struct parse_ahead *pa = parse_ahead_start(scripts, judged, nr_scripts,
						   nr_scripts >= 32 ? parallel_threads() : 1);
	for (size_t i = 0; i < run->ms.nr; i++) {
		struct migration *m = run->ms.v[i];
		__atomic_store_n(&run->progress, i, __ATOMIC_RELAXED);
		if (is_later_part(i ? run->ms.v[i - 1] : NULL, m))
			schema_begin_part(&run->schema, m->id);
		else
			schema_begin_migration(&run->schema, m->id);
		run->schema.branch_new = is_branch_new(run, m);
		if (!is_judged(run, m)) {
			if (m->up)
				replay_script_from(pa, &run->schema, m->up);
			continue;
		}
		if (m->up) {
			struct file_report *fr = next_file(run, &alloc);
			judge_rules(&run->opts, &run->schema, m, m->up, pa, fr);
			maybe_drop_trees(run, pa, fr);
		}
		if (m->down) {
			struct schema scratch;
			struct file_report *fr = next_file(run, &alloc);
			schema_init(&scratch);
			judge_rules(&run->opts, &scratch, m, m->down, pa, fr);
			maybe_drop_trees(run, pa, fr);
			schema_release(&scratch);
		}
	}
	parse_ahead_finish(pa);
	free(scripts);
	free(judged);
	__atomic_store_n(&run->progress, run->ms.nr, __ATOMIC_RELAXED);
}

void check_judge(struct check_run *run)
{
	double t0 = now_seconds();
	/* Table sizes: the live database's statistics, into the schema model. */
	if (run->db_url)
		db_check_before(&run->db, run, run->db_url);
	judge_files(run);
	/* In a repository: which application code the pending changes break. */
	if (run->ms.workdir)
		xref_annotate(run);
	/* When asked: the pending migrations run on a shadow database. */
	db_check_after(&run->db, run);
	for (size_t i = 0; i < run->report.nr; i++)
		judge_settle(&run->opts, &run->report.files[i]);
	run->report.elapsed = now_seconds() - t0;
}

size_t check_migration_index(const struct check_run *run, const struct file_report *fr, size_t from)
{
	for (size_t n = 0; n < run->ms.nr; n++) {
		size_t i = (from + n) % run->ms.nr;
		if (run->ms.v[i] == fr->mig)
			return i;
	}
	return (size_t)-1;
}
