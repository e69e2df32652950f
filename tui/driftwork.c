/*
 * driftwork.c - schema drift against the live database, in a worker thread.
 *
 * Drift starts a PostgreSQL cluster (or creates a scratch database on
 * --shadow), runs the whole history there and reads two catalogues: that
 * takes seconds, against servers that may not answer at all. So, like a
 * scan (scan.c), it runs on a thread of its own with everything it needs
 * owned by its job: its own discovery of the migrations (a rescan may
 * replace the workbench's run meanwhile), its own connections, its own
 * struct drift. When it is done (tui/worker.c) the loop takes the result
 * over. While it runs, only the phase (a static
 * string, for the status line) and the cancel flag are shared.
 */
#include "app.h"
#include "display.h"
#include "db.h"
#include "discover.h"
#include "job.h"
#include "worker.h"

#include <stdlib.h>
#include <string.h>

struct drift_job {
	char *db_url, *shadow_url;
	struct migration_set ms;
	struct drift d;
	struct strbuf err;
	bool failed;
};

static char *db_url, *shadow_url, *db_shown;
static void run_job(void *arg);
static void drift_finished(void *arg);
static struct worker drift_worker = WORKER_INIT("drift", run_job, drift_finished);
static struct drift_job *job;   /* the running one */
static bool cancelled;          /* atomic: the worker stops between phases */
static const char *phase;       /* atomic: a static string */
static struct drift result;
static bool have_result;
static char *last_error;

void driftwork_configure(const char *db, const char *shadow)
{
	free(db_url);
	free(shadow_url);
	free(db_shown);
	db_url = db ? xstrdup(db) : NULL;
	shadow_url = shadow ? xstrdup(shadow) : NULL;
	db_shown = db ? db_mask(db) : NULL;
}

bool driftwork_busy(void)
{
	return worker_busy(&drift_worker);
}

const char *driftwork_phase(void)
{
	const char *p = __atomic_load_n(&phase, __ATOMIC_RELAXED);
	return p ? p : "starting";
}

const struct drift *driftwork_result(void)
{
	return have_result ? &result : NULL;
}

const char *driftwork_error(void)
{
	return last_error;
}

const char *driftwork_database(void)
{
	return db_shown;
}

const char *driftwork_shadow(void)
{
	return shadow_url;
}

/* Worker side. */

static void set_phase(const char *p)
{
	__atomic_store_n(&phase, p, __ATOMIC_RELAXED);
}

static bool cancel_requested(struct drift_job *j)
{
	if (!__atomic_load_n(&cancelled, __ATOMIC_RELAXED))
		return false;
	strbuf_reset(&j->err);
	strbuf_addstr(&j->err, "cancelled");
	return true;
}

/* The migrations as on disk now; app.paths and app.base are set once at start-up. */
static int find_migrations(struct drift_job *j)
{
	int r = app.nr_paths ? discover_paths(&j->ms, app.paths, app.nr_paths)
			     : discover_repo(&j->ms, ".", app.base);
	sqlgen_forget(&j->ms);   /* no tool runs here: their migrations are not SQL */
	if (j->ms.errors.nr) {
		strbuf_addstr(&j->err, j->ms.errors.items[0]);
		return -1;
	}
	if (r < 0 || !j->ms.nr) {
		strbuf_addstr(&j->err, "no migrations found to build the expected schema from");
		return -1;
	}
	return 0;
}

static void run_job(void *arg)
{
	struct drift_job *j = arg;
	struct strbuf why = STRBUF_INIT;
	struct shadow sh;
	struct db *live;

	set_phase("finding migrations");
	if (find_migrations(j) < 0 || cancel_requested(j))
		return;
	set_phase("connecting to the database");
	live = db_open_live(j->db_url, &j->err);
	if (!live || cancel_requested(j))
		goto out;
	set_phase(j->shadow_url ? "creating the shadow database" : "starting a throwaway cluster for the shadow");
	if (shadow_open(&sh, j->shadow_url, &why) < 0) {
		strbuf_addf(&j->err, "no shadow database: %s", why.buf);
		goto out;
	}
	set_phase("applying the history on the shadow and comparing");
	if (!cancel_requested(j))
		j->failed = drift_compute(live, &sh, &j->ms, &j->d, &j->err) < 0;
	set_phase("dropping the shadow");
	shadow_close(&sh);
out:
	db_close(live);
	strbuf_release(&why);
}


/* Main thread side. */

static void job_free(struct drift_job *j)
{
	free(j->db_url);
	free(j->shadow_url);
	migration_set_release(&j->ms);
	drift_release(&j->d);
	strbuf_release(&j->err);
	free(j);
}

static bool view_shown(void)
{
	for (int i = 0; i < app.depth; i++)
		for (int p = 0; p < app.stack[i].nr; p++)
			if (app.stack[i].panes[p] == &app.drift)
				return true;
	return false;
}

/* Server messages may span lines; the status line has one. */
static char *one_line(struct strbuf *sb)
{
	for (size_t i = 0; i < sb->len; i++)
		if (sb->buf[i] == '\n' || sb->buf[i] == '\t')
			sb->buf[i] = ' ';
	return strbuf_detach(sb, NULL);
}

static void take_result(struct drift_job *j)
{
	/* The view's lines point into the old result: close it first. */
	view_close(&app.drift);
	drift_release(&result);
	free(last_error);
	last_error = NULL;
	have_result = !j->failed;
	if (j->failed) {
		last_error = one_line(&j->err);
		app_message(ROLE_ERROR, "drift: %s", last_error);
	} else {
		result = j->d;
		drift_init(&j->d);
		if (result.nr)
			app_message(ROLE_HIGH, "drift: %zu difference%s", result.nr, result.nr == 1 ? "" : "s");
		else
			app_message(ROLE_SAFE, "drift: no drift");
	}
	if (view_shown())
		view_open(&app.drift);
}

static void drift_finished(void *arg)
{
	take_result(arg);
	job_free(arg);
	job = NULL;
}

static void show_view(void)
{
	if (app_focused() != &app.drift)
		app_show(&app.drift);
}

static void driftwork_start(void)
{
	if (!db_url) {
		app_message(ROLE_ERROR, "drift needs a database: --db URL, sluice.db.url or DATABASE_URL");
		return;
	}
	show_view();
	if (worker_busy(&drift_worker)) {
		app_message(ROLE_STATUS, "drift: already computing (%s); the view updates when done",
			    driftwork_phase());
		return;
	}
	job = xcalloc(1, sizeof(*job));
	job->db_url = xstrdup(db_url);
	job->shadow_url = shadow_url ? xstrdup(shadow_url) : NULL;
	job->failed = true;
	migration_set_init(&job->ms);
	drift_init(&job->d);
	strbuf_init(&job->err, 0);
	set_phase(NULL);
	worker_start(&drift_worker, job);
}

static void driftwork_wait(void)
{
	worker_wait(&drift_worker);
}

static void driftwork_release(void)
{
	if (worker_busy(&drift_worker)) {
		/* Quitting: the worker still stops its cluster and drops its database. */
		__atomic_store_n(&cancelled, true, __ATOMIC_RELAXED);
		app_message(ROLE_STATUS, "drift: stopping (%s)...", driftwork_phase());
		if (display_active())
			app_redraw();
		driftwork_wait();
	}
	view_close(&app.drift);
	drift_release(&result);
	have_result = false;
	worker_release(&drift_worker);
	driftwork_configure(NULL, NULL);
	free(last_error);
	last_error = NULL;
}

/* D (and r in the drift view): compute the drift. */
static bool drift_job_start(enum request req)
{
	if (req != REQ_DRIFT)
		return false;
	driftwork_start();
	return true;
}

static bool drift_poll(struct strbuf *status)
{
	if (!driftwork_busy())
		return false;
	strbuf_addf(status, "drift: %s...", driftwork_phase());
	return true;
}

const struct job_ops drift_job = {
	.name = "drift",
	.start = drift_job_start,
	.poll = drift_poll,
	.tick_ms = 100,
	.finish = driftwork_wait,
	.cancel = driftwork_release,
};
