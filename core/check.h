/*
 * check.h - one judging run, the same for every caller (`sluice check`,
 * `sluice verify`, the workbench's scan, a draft's verification): one
 * ordered pipeline.
 *
 *   check_prepare()  settings, discovery
 *   check_judge()    parse -> schema model (the history replayed) ->
 *                    rules: static and history (judge_rules), the
 *                    cross-check with application code (in a repository),
 *                    table sizes (from db_url's statistics), the shadow
 *                    database (when db.verify) -> ignores -> severity and
 *                    verdict (judge_settle)
 *   reporters        read run->report (core/report.h, db_check_print())
 *
 * No stage re-raises severities or matches ignores on its own: every
 * finding, wherever it is raised, goes through judge_settle().
 */
#ifndef SLUICE_CHECK_H
#define SLUICE_CHECK_H

#include "settings.h"
#include "db.h"
#include "discover.h"
#include "judge.h"
#include "report.h"
#include "schema.h"

struct check_run {
	struct config cfg;
	struct judge_opts opts;
	struct migration_set ms;
	struct schema schema;
	struct report report;
	char *base;              /* --base, or NULL */
	char *stats;             /* --stats FILE, or NULL (then sluice.stats) */
	bool bad_stats;          /* check_prepare() failed on the snapshot (run->report.errors) */
	bool paths_mode;         /* PATHs were given: judge exactly those */
	bool all;                /* judge every migration, not only pending ones */
	/* The database's stages, asked for before check_judge(): */
	const char *db_url;      /* a live database whose statistics scale severities, or NULL */
	struct db_check db;      /* db.verify, db.shadow_url: the shadow stage; and its results */
	/* Free each statement's parse tree once its file is judged, when no
	 * one reads trees afterwards (sluice check without a shadow database;
	 * in a repository the cross-check first takes what it needs, see
	 * xref_facts): judging thousands of files then stays in a few tens of
	 * MB, since a tree takes ~80 bytes per byte of SQL. */
	bool drop_trees;
	/* The cross-check's facts, taken per file before its trees are dropped
	 * (xref_extract_file); owned by xref.c. */
	struct xref_set *xref_facts;
	/* Migrations walked so far by check_judge(), read by the workbench's
	 * progress line from another thread (__atomic_load_n). */
	size_t progress;
};

void check_run_init(struct check_run *run);
void check_run_release(struct check_run *run);
/*
 * For a command about to exit: the kernel frees the process's memory at
 * once, where check_run_release() frees some 10^5 blocks one by one (a
 * tenth of a 5,000-file check). Builds with LeakSanitizer still release
 * everything, so the tests keep checking that release frees it all.
 */
void check_run_exit(struct check_run *run);
/* Settings and discovery. Returns -1 (message printed) when nothing can be judged. */
int check_prepare(struct check_run *run, const char *const *paths, size_t n);
/* The pipeline from the history replay to the verdict, into run->report. */
void check_judge(struct check_run *run);
/*
 * The index in run->ms.v of the migration fr belongs to, searching from
 * `from` (files are in apply order: pass the previous file's); (size_t)-1
 * when none.
 */
size_t check_migration_index(const struct check_run *run, const struct file_report *fr, size_t from);

#endif
