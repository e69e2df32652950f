/*
 * scan.c - discovering and judging in a worker thread.
 *
 * Judging a large repository takes longer than a key press may, so the
 * whole check_run (discovery, history replay, judging) runs on a thread of
 * its own into a fresh struct check_run. The main loop keeps drawing the
 * old one, and keys keep working; when the worker is done (tui/worker.c)
 * the loop swaps the new run in. Nothing is
 * shared while the thread runs except the run's progress counter. (The
 * cross-check that fills stmt->refs runs inside check_judge().)
 */
#include "app.h"
#include "check.h"
#include "job.h"
#include "worker.h"
#include "navigate.h"

#include <stdlib.h>
#include <string.h>

static void scan_run(void *arg);
static void scan_finished(void *arg);
static struct worker scan_worker = WORKER_INIT("scan", scan_run, scan_finished);
static struct check_run *next_run;
static int prepare_failed;
static bool again;   /* a rescan was asked for while one ran */
static void scan_start(void);

static void scan_run(void *arg)
{
	struct check_run *run = arg;
	if (app.stats && !run->stats)
		run->stats = xstrdup(app.stats);
	prepare_failed = check_prepare(run, (const char *const *)app.paths, app.nr_paths) < 0;
	/* A statistics snapshot that cannot be used says why in the status line. */
	for (size_t i = 0; prepare_failed && i < run->report.errors.nr; i++)
		error("%s", run->report.errors.items[i]);
	if (!prepare_failed) {
		/*
		 * Statistics from the live database (read-only, catalogue queries)
		 * are the pipeline's sizes stage, here in the worker because
		 * connecting may take seconds; an unreachable database is a
		 * warning in the status line, and judging goes on statically.
		 */
		run->db_url = app.db_url;
		__atomic_store_n(&app.scan_total, run->ms.nr, __ATOMIC_RELAXED);
		check_judge(run);
		db_check_release(&run->db);
	}
}

static size_t scan_progress(void)
{
	return next_run ? __atomic_load_n(&next_run->progress, __ATOMIC_RELAXED) : 0;
}

static long find_file(const char *path, enum direction dir)
{
	for (size_t i = 0; path && i < app.run->report.nr; i++)
		if (!strcmp(app.run->report.files[i].path, path) && app.run->report.files[i].dir == dir)
			return (long)i;
	return -1;
}

static void scan_finished(void *arg)
{
	(void)arg;   /* next_run */
	app.scanning = false;
	const char *open_path = NULL;
	enum direction open_dir = DIR_UP;
	if (app.run && app.file >= 0 && (size_t)app.file < app.run->report.nr) {
		open_path = app.run->report.files[app.file].path;
		open_dir = app.run->report.files[app.file].dir;
	}
	rejudge_before_swap();
	if (prepare_failed) {
		/* Keep showing what we had; the reason is already in the status line. */
		check_run_release(next_run);
		free(next_run);
		rejudge_after_swap(NULL);   /* and keep watching its files */
	} else {
		struct check_run *old = app.run;
		app.run = next_run;
		app.generation++;
		app_build_entries();
		/* The statement screen follows its file, wherever it is now. */
		app.file = find_file(open_path, open_dir);
		if (app.file < 0)
			app.stmt = -1;
		for (int i = 0; i < app.depth; i++)
			for (int p = 0; p < app.stack[i].nr; p++)
				view_open(app.stack[i].panes[p]);
		while (app.file < 0 && app.depth > 1 && app.stack[app.depth - 1].panes[0] == &app.sql)
			app_pop();
		rejudge_after_swap(old);
		if (old) {
			check_run_release(old);
			free(old);
		}
	}
	next_run = NULL;
	app.dirty = true;
	if (again) {
		again = false;
		scan_start();
	}
}

static void scan_start(void)
{
	if (app.scanning) {
		again = true;
		return;
	}
	next_run = xmalloc(sizeof(*next_run));
	check_run_init(next_run);
	next_run->all = app.all;
	if (app.base)
		next_run->base = xstrdup(app.base);
	app.scan_total = 0;
	app.scanning = true;
	rejudge_scan_started();
	worker_start(&scan_worker, next_run);
}

/* r rescans; a shows every migration or only pending ones, and rescans. */
static bool scan_job_start(enum request req)
{
	if (req == REQ_TOGGLE_ALL)
		app.all = !app.all;
	else if (req != REQ_RESCAN)
		return false;
	scan_start();
	return true;
}

/* "scanning 12/345 (3%)" */
static bool scan_poll(struct strbuf *status)
{
	if (!app.scanning)
		return false;
	size_t done = scan_progress();
	size_t total = __atomic_load_n(&app.scan_total, __ATOMIC_RELAXED);
	if (total)
		strbuf_addf(status, "scanning %zu/%zu (%zu%%)", done, total, done * 100 / total);
	else
		strbuf_addstr(status, "scanning: finding migrations");
	return true;
}

static void scan_wait(void)
{
	worker_wait(&scan_worker);
}

static void scan_release(void)
{
	worker_release(&scan_worker);
}

const struct job_ops scan_job = {
	.name = "scan",
	.start = scan_job_start,
	.poll = scan_poll,
	.tick_ms = 100,
	.finish = scan_wait,
	.cancel = scan_release,
};
