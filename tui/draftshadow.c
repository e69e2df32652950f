/*
 * draftshadow.c - the draft on the draft screen run on the shadow database
 * (key V), in a worker thread.
 *
 * Creating a scratch database, replaying the history and running every
 * drafted migration up and down takes a second or more, against a server
 * that may not answer: like drift (driftwork.c) it runs on a thread of its
 * own (tui/worker.c). The job owns everything
 * it reads: draft_shadow_prepare() copies the history and the draft out of
 * app.run and drafting.d on the main thread, before the thread starts (a
 * rescan may replace app.run, an edit the draft, meanwhile). A result for
 * a draft that has since been edited or closed is dropped: each change of
 * the draft moves `generation` on (draftshadow_forget()).
 */
#include "app.h"
#include "display.h"
#include "draft.h"
#include "drafting.h"
#include "job.h"
#include "worker.h"

#include <stdlib.h>
#include <string.h>

struct shadow_job {
	struct draft_shadow ds;
	char *url;
	unsigned generation;     /* of the draft it was made from */
};

static void job_run(void *arg);
static void job_finished(void *arg);
static struct worker shadow_worker = WORKER_INIT("draft shadow", job_run, job_finished);
static struct shadow_job *job;  /* the running one */
static unsigned generation;
static enum role result_role;   /* how to show drafting.d.shadow */

bool draftshadow_busy(void)
{
	return worker_busy(&shadow_worker);
}

bool draftshadow_note(enum role *role, struct strbuf *out)
{
	if (worker_busy(&shadow_worker) && job->generation == generation) {
		*role = ROLE_STATUS;
		strbuf_addstr(out, "running... (every up with its locks traced, then its down)");
		return true;
	}
	if (!drafting.d.shadow)
		return false;
	*role = result_role;
	/* The summary starts "shadow: " (as `sluice draft` prints it); the pane says "Shadow: ". */
	const char *s = drafting.d.shadow;
	strbuf_addstr(out, starts_with(s, "shadow: ") ? s + 8 : s);
	return true;
}

void draftshadow_forget(void)
{
	generation++;
	free(drafting.d.shadow);
	drafting.d.shadow = NULL;
}

static void job_run(void *arg)
{
	struct shadow_job *j = arg;
	draft_shadow_run(&j->ds, j->url);
}

/* The result into the draft shown now: its summary, and failed when it failed there. */
static void take_result(struct shadow_job *j)
{
	struct strbuf summary = STRBUF_INIT;
	int r = draft_shadow_finish(&j->ds, &drafting.d, &summary);
	free(drafting.d.shadow);
	drafting.d.shadow = strbuf_detach(&summary, NULL);
	result_role = r == 0 ? ROLE_SAFE : ROLE_ERROR;
	if (r > 0) {
		drafting.state = DRAFTING_FAILED;
		app_message(ROLE_ERROR, "draft failed on the shadow database: %s", drafting.d.failed);
	} else if (r < 0) {
		app_message(ROLE_ERROR, "%s", drafting.d.shadow);
	} else {
		app_message(ROLE_SAFE, "%s; A commits", drafting.d.shadow);
	}
	view_open(&app.draft_files);
}

static void job_finished(void *arg)
{
	(void)arg;   /* job */
	if (job->generation == generation && drafting.state != DRAFTING_NONE)
		take_result(job);
	draft_shadow_release(&job->ds);
	free(job->url);
	free(job);
	job = NULL;
}

/* Why V cannot run now, or NULL. */
static const char *refusal(const char *url)
{
	if (drafting.state == DRAFTING_NONE)
		return "draft-verify works on a draft: press d (or u, L) on a migration first";
	if (drafting.state == DRAFTING_STREAMING)
		return "the draft is still arriving: wait for it, or Esc to cancel";
	if (drafting.kind == REQ_DRAFT_RUNBOOK)
		return "a runbook is prose: there is nothing to run on the shadow database";
	if (drafting.d.failed)
		return "the draft failed already: fix it (e edits a file) before running it";
	if (!url)
		return "no shadow database: start sluice with --shadow URL (a server where sluice "
		       "may create and drop a scratch database), or run 'sluice draft --verify FILE'";
	if (worker_busy(&shadow_worker))
		return "the draft is already running on the shadow database";
	return NULL;
}

void draftshadow_start(void)
{
	const char *url = driftwork_shadow();
	const char *why = refusal(url);
	struct draft_ctx ctx;

	if (why) {
		app_message(ROLE_ERROR, "%s", why);
		return;
	}
	if (!drafting_ctx(&ctx)) {
		app_message(ROLE_ERROR, DRAFTING_GONE, drafting.migration);
		return;
	}
	draftshadow_forget();   /* a second run replaces the first */
	job = xcalloc(1, sizeof(*job));
	if (draft_shadow_prepare(&job->ds, &ctx, &drafting.d) < 0) {
		app_message(ROLE_ERROR, "shadow: %s", job->ds.error);
		draft_shadow_release(&job->ds);
		free(job);
		job = NULL;
		return;
	}
	job->url = xstrdup(url);
	job->generation = generation;
	worker_start(&shadow_worker, job);
	app_message(ROLE_STATUS, "running the draft on the shadow database; keys keep working");
	view_open(&app.draft_files);
}

void draftshadow_release(void)
{
	if (worker_busy(&shadow_worker)) {
		/* Quitting: the worker still drops its scratch database. */
		app_message(ROLE_STATUS, "shadow: waiting for the draft's run to finish...");
		if (display_active())
			app_redraw();
	}
	worker_release(&shadow_worker);
}

/* V is the draft screen's key (views/draft.c): no request starts it from the frame. */
static bool draftshadow_poll(struct strbuf *status)
{
	(void)status;
	return draftshadow_busy();
}

const struct job_ops draftshadow_job = {
	.name = "draft shadow",
	.poll = draftshadow_poll,
	.tick_ms = 100,
	.cancel = draftshadow_release,
};
