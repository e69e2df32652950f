/*
 * check.c - a judging run (see check.h).
 *
 * Migrations are walked in apply order. One that is not pending is history:
 * it is only replayed into the schema model. A pending one has its up
 * script judged against the schema as the history left it; its down script
 * is judged on a scratch schema, so that undoing does not erase what later
 * migrations expect to exist.
 */
#include "check.h"
#include "parseahead.h"
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
	xref_facts_free(run);
	free(run->file_migration);
	schema_release(&run->schema);
	migration_set_release(&run->ms);
	judge_opts_release(&run->opts);
	config_release(&run->cfg);
	free(run->base);
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

int check_prepare(struct check_run *run, const char *const *paths, size_t n)
{
	int r;
	run->paths_mode = n > 0;
	if (config_load(&run->cfg, ".") < 0 || config_apply_judge(&run->cfg, &run->opts) < 0)
		return -1;
	if (!run->base && config_get(&run->cfg, "sluice.base"))
		run->base = xstrdup(config_get(&run->cfg, "sluice.base"));
	if (n)
		r = discover_paths(&run->ms, paths, n);
	else
		r = discover_repo(&run->ms, ".", run->base);
	for (size_t i = 0; i < run->ms.errors.nr; i++)
		strlist_add(&run->report.errors, run->ms.errors.items[i]);
	if (r < 0 && !run->ms.nr && !n)
		return -1;
	run->report.branch = run->ms.branch;
	run->report.base = run->ms.base;
	return 0;
}

static struct file_report *next_file(struct check_run *run, size_t *alloc, size_t mig)
{
	ALLOC_GROW(run->report.files, run->report.nr + 1, *alloc);
	run->file_migration = xrealloc(run->file_migration, *alloc * sizeof(size_t));
	run->file_migration[run->report.nr] = mig;
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
 * The scripts check_judge() will parse, in the order it reaches them: the
 * parse-ahead worker must see exactly this order.
 */
static struct script **scripts_in_judging_order(const struct check_run *run, size_t *n)
{
	struct script **v = xmalloc((2 * run->ms.nr + 1) * sizeof(*v));
	*n = 0;
	for (size_t i = 0; i < run->ms.nr; i++) {
		const struct migration *m = run->ms.v[i];
		if (m->up)
			v[(*n)++] = m->up;
		if (is_judged(run, m) && m->down)
			v[(*n)++] = m->down;
	}
	return v;
}

void check_judge(struct check_run *run)
{
	size_t alloc = run->report.nr;
	double t0 = now_seconds();
	size_t nr_scripts;
	struct script **scripts = scripts_in_judging_order(run, &nr_scripts);
	/*
	 * A handful of files is judged before a thread would have started.
	 * SLUICE_NO_PARSE_AHEAD=1 parses inline (tests compare both).
	 */
	struct parse_ahead *pa = nr_scripts >= 32 && !getenv("SLUICE_NO_PARSE_AHEAD")
				 ? parse_ahead_start(scripts, nr_scripts) : NULL;
	current_parse_ahead = pa;
	for (size_t i = 0; i < run->ms.nr; i++) {
		struct migration *m = run->ms.v[i];
		__atomic_store_n(&run->progress, i, __ATOMIC_RELAXED);
		schema_begin_migration(&run->schema, m->id);
		if (!is_judged(run, m)) {
			if (m->up)
				replay_script(&run->schema, m->up);
			continue;
		}
		if (m->up) {
			struct file_report *fr = next_file(run, &alloc, i);
			judge_script(&run->opts, &run->schema, m, m->up, fr);
			maybe_drop_trees(run, pa, fr);
		}
		if (m->down) {
			struct schema scratch;
			struct file_report *fr = next_file(run, &alloc, i);
			schema_init(&scratch);
			judge_script(&run->opts, &scratch, m, m->down, fr);
			maybe_drop_trees(run, pa, fr);
			schema_release(&scratch);
		}
	}
	current_parse_ahead = NULL;
	parse_ahead_finish(pa);
	free(scripts);
	__atomic_store_n(&run->progress, run->ms.nr, __ATOMIC_RELAXED);
	/* In a repository: which application code the pending changes break. */
	if (run->ms.workdir)
		xref_annotate(run);
	run->report.elapsed = now_seconds() - t0;
}
