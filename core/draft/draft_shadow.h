/*
 * draft_shadow.h - a draft run for real on a shadow database before anyone
 * accepts it.
 *
 * The static re-judging (draft_verify) trusts the schema model; the shadow
 * does not. The history before the drafted migration is applied as it is,
 * then the draft's migrations as they would land in the repository (the
 * rewritten target, the new numbered ones, and the target's own scripts the
 * draft leaves alone), each up with its locks traced, then its down, and the
 * catalogue after the down is compared with the one before the up. The
 * draft fails when a statement does not apply (shadow-apply-error), a down
 * does not undo its up (down-mismatch) or a lock is stronger than sluice
 * predicted (lock-mismatch): everything core/db/shadow_verify.c finds.
 *
 * Three steps, so that the workbench can run the slow one on a worker
 * thread: prepare reads the draft context (which points into the judged
 * run) and owns copies of everything after it; run touches only the
 * struct draft_shadow; finish draws the conclusion into the draft.
 */
#ifndef SLUICE_DRAFT_SHADOW_H
#define SLUICE_DRAFT_SHADOW_H

#include "check.h"
#include "draft.h"
#include "shadow_verify.h"

struct draft_shadow {
	struct check_run run;    /* the history, then the draft as pending migrations */
	size_t history;          /* run.ms.v[0..history) are the applied history */
	size_t pending;          /* how many of the draft's migrations have an up script */
	bool verified;           /* the shadow stage ran (its traces: run.db.v) */
	double open_seconds;     /* creating the scratch database (or starting a cluster) */
	bool own_cluster;        /* a throwaway cluster sluice started */
	char *error;             /* why it could not be verified: no server, history fails */
};

/*
 * Copies the history of ctx->target and the draft's SQL files into a
 * check_run, to be judged by draft_shadow_run(). -1 when the draft holds nothing to run (a
 * runbook): ds->error says so.
 */
int draft_shadow_prepare(struct draft_shadow *ds, const struct draft_ctx *ctx,
			 const struct draft *d);
/*
 * Judges the run with the whole pipeline, the shadow stage on
 * `shadow_url`'s server (or a throwaway cluster when NULL), exactly as
 * `sluice verify` would judge the draft once accepted. Any thread.
 * -1: ds->error.
 */
int draft_shadow_run(struct draft_shadow *ds, const char *shadow_url);
/*
 * What the run means for the draft: the one-line summary into *summary
 * ("shadow: 4 migrations applied up and down on PostgreSQL 15.4 ... round
 * trip ok"), and draft_fail() naming the first file:line that failed.
 * Returns 0 passed, 1 the draft failed, -1 it could not be verified
 * (*summary says why; the draft is left as it was).
 */
int draft_shadow_finish(struct draft_shadow *ds, struct draft *d, struct strbuf *summary);
void draft_shadow_release(struct draft_shadow *ds);

/*
 * The run a draft is judged in (core/draft/draft_run.c): copies of the migrations
 * before ctx->target (pending as in the repository when history_pending,
 * else all applied history), then the draft's migrations (the original
 * target when d is NULL), all pending, in run (which this initialises).
 * Returns how many of run->ms.v are the history.
 */
size_t draft_run_prepare(struct check_run *run, const struct draft_ctx *ctx, const struct draft *d,
			 bool history_pending);
/* Is fr one of the draft's files (a migration after the first `history`)? */
bool draft_run_file(const struct check_run *run, size_t history, const struct file_report *fr);

/* The three steps at once (the CLI). Same return as draft_shadow_finish(). */
int draft_verify_shadow(const struct draft_ctx *ctx, struct draft *d, const char *shadow_url,
			struct strbuf *summary);

#endif
