/*
 * check.h - one judging run, shared by `sluice check` and the workbench:
 * settings, discovery, the history replay, judging the pending scripts.
 */
#ifndef SLUICE_CHECK_H
#define SLUICE_CHECK_H

#include "settings.h"
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
	bool paths_mode;         /* PATHs were given: judge exactly those */
	bool all;                /* judge every migration, not only pending ones */
	/* Which migration each report.files[i] came from (index into ms.v). */
	size_t *file_migration;
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
/* Replays the history and judges the pending scripts into run->report. */
void check_judge(struct check_run *run);

#endif
