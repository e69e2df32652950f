/*
 * draftshadow.c - the draft on the draft screen run on the shadow database
 * (key V), in a worker thread.
 *
 * Creating a scratch database, replaying the history and running every
 * drafted migration up and down takes a second or more, against a server
 * that may not answer: like drift (driftwork.c) it runs on a thread of its
 * own and reports through a pipe the loop watches. The job owns everything
 * it reads: draft_shadow_prepare() copies the history and the draft out of
 * app.run and drafting.d on the main thread, before the thread starts (a
 * rescan may replace app.run, an edit the draft, meanwhile). A result for
 * a draft that has since been edited or closed is dropped: each change of
 * the draft moves `generation` on (draftshadow_forget()).
 */
#include "app.h"
#include "display.h"
#include "draft_shadow.h"
#include "drafting.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct shadow_job {
	struct draft_shadow ds;
	char *url;
	unsigned generation;     /* of the draft it was made from */
};

static pthread_t thread;
static int done_pipe[2] = { -1, -1 };
static struct shadow_job *job;  /* the running one */
static bool busy;               /* main thread only, like everything here but the job */
static unsigned generation;
static enum role result_role;   /* how to show drafting.d.shadow */

bool draftshadow_busy(void)
{
	return busy;
}

bool draftshadow_note(enum role *role, struct strbuf *out)
{
	if (busy && job->generation == generation) {
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

static void *shadow_thread(void *arg)
{
	struct shadow_job *j = arg;
	char c = 1;
	draft_shadow_run(&j->ds, j->url);
	if (write(done_pipe[1], &c, 1) < 0)
		perror("sluice: draft shadow pipe");
	return NULL;
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

static void shadow_finished(int fd, void *data)
{
	char c;
	(void)data;
	if (read(fd, &c, 1) != 1)
		return;
	pthread_join(thread, NULL);
	busy = false;
	if (job->generation == generation && drafting.state != DRAFTING_NONE)
		take_result(job);
	draft_shadow_release(&job->ds);
	free(job->url);
	free(job);
	job = NULL;
	app.dirty = true;
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
	if (busy)
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
		app_message(ROLE_ERROR, "'%s' is no longer among the judged migrations (rescanned?)",
			    drafting.migration);
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
	if (done_pipe[0] < 0) {
		if (pipe2(done_pipe, O_CLOEXEC) < 0)
			die("cannot make a pipe: %m");
		tui_watch_fd(done_pipe[0], shadow_finished, NULL);
	}
	job->url = xstrdup(url);
	job->generation = generation;
	busy = true;
	if (pthread_create(&thread, NULL, shadow_thread, job))
		die("cannot start the draft shadow thread");
	app_message(ROLE_STATUS, "running the draft on the shadow database; keys keep working");
	view_open(&app.draft_files);
}

void draftshadow_release(void)
{
	if (busy) {
		/* Quitting: the worker still drops its scratch database. */
		app_message(ROLE_STATUS, "shadow: waiting for the draft's run to finish...");
		if (display_active())
			app_redraw();
		while (busy)
			shadow_finished(done_pipe[0], NULL);
	}
	if (done_pipe[0] >= 0) {
		tui_unwatch_fd(done_pipe[0]);
		close(done_pipe[0]);
		close(done_pipe[1]);
		done_pipe[0] = done_pipe[1] = -1;
	}
}
