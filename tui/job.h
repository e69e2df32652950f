/*
 * job.h - the background jobs of the workbench, one small ops table the
 * frame and the loop iterate.
 *
 * A scan, the drift, a draft (an LLM's answer streaming in) and a draft's
 * run on the shadow database each run while keys keep working. The frame
 * knows a job only by its ops: which key requests start it, whether it
 * runs and what the status line says about it, waiting for it (a script's
 * :wait) and cancelling it when the workbench ends. Each job keeps its
 * state in its own file (tui/scan.c, driftwork.c, drafting.c,
 * draftshadow.c); a new job is a new file and a row in tui/job.c.
 */
#ifndef SLUICE_TUI_JOB_H
#define SLUICE_TUI_JOB_H

#include <stdbool.h>
#include "keys.h"

struct strbuf;

struct job_ops {
	const char *name;
	/* Starts the job for a key's request; false: not this job's request (NULL: none). */
	bool (*start)(enum request req);
	/* Does it run now? It may add what the status line says about it to *status. */
	bool (*poll)(struct strbuf *status);
	/* While it runs, redraw this often (progress), in ms; 0: its own events redraw. */
	int tick_ms;
	/* Blocks until it is done (a script's :wait; NULL: the loop waits through app_busy()). */
	void (*finish)(void);
	/* Stops it and frees what it holds: the workbench ends. */
	void (*cancel)(void);
};

extern const struct job_ops scan_job, drift_job, draft_job, draftshadow_job;

/* The first job that takes `req` starts; false when none does. */
bool jobs_start(enum request req);
/* Does any job run? */
bool jobs_busy(void);
/* The shortest tick of the running jobs, or -1 (wait for events only). */
int jobs_tick(void);
/* What the running jobs say, each followed by two spaces. */
void jobs_status(struct strbuf *out);
/* Waits for every job that can be waited for. */
void jobs_finish(void);
/* Cancels every job (the workbench ends). */
void jobs_cancel(void);

#endif
