/*
 * rejudging.c - judging again what changed on disk, keeping the engineer's
 * place (see navigate.h).
 *
 * Noticing: after each scan the judged files are stamped
 * (core/rejudge.c); the loop looks at them every POLL_MS, and at once
 * when $EDITOR returns. A look is one stat() per judged file (the
 * branch's pending migrations, or with `a` every one), never a walk of the
 * repository: a file added meanwhile waits for `r`. A change starts a
 * rescan, which runs in the worker like any other (tui/scan.c).
 *
 * The place: before a scan's run replaces the shown one, the list's
 * migration (by id), the open file (by path and direction, scan.c) and
 * its statement are noted; after, the list cursor goes back to that
 * migration and the SQL pane to that statement as stmt_follow() finds it
 * in the edited file: the statement itself when it is unchanged, its
 * place when it was the one edited.
 */
#include "app.h"
#include "navigate.h"
#include "check.h"
#include "rejudge.h"
#include "job.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define POLL_MS 300

static struct file_stamps stamps = FILE_STAMPS_INIT;
static double scan_began;   /* CLOCK_REALTIME, as file mtimes */
static double last_look;    /* now_seconds() */
static char *list_id;       /* the list cursor's migration before the swap */
static char *changed;       /* the file whose change started the scan, for the message */
static long old_file = -1, old_stmt = -1;

void rejudge_scan_started(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	scan_began = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void rejudge_before_swap(void)
{
	const struct entry *e = app.run ? filtering_entry(app.list.lineno) : NULL;
	free(list_id);
	list_id = e ? xstrdup(app.run->ms.v[e->migration]->id) : NULL;
	old_file = app.file;
	old_stmt = app.stmt;
}

static void list_back_on(const char *id)
{
	for (size_t r = 0; id && r < filtering_rows(); r++) {
		const struct entry *e = filtering_entry(r);
		if (!strcmp(app.run->ms.v[e->migration]->id, id)) {
			view_goto(&app.list, r);
			return;
		}
	}
}

void rejudge_after_swap(const struct check_run *old)
{
	if (!app.run)
		return;   /* the first scan failed: nothing to watch */
	list_back_on(list_id);
	if (old && app.file >= 0 && old_file >= 0 && (size_t)old_file < old->report.nr && old_stmt >= 0) {
		const struct file_report *was = &old->report.files[old_file], *now = &app.run->report.files[app.file];
		long stmt = stmt_follow(was->stmts, was->nr_stmts, old_stmt, now->stmts, now->nr_stmts);
		sql_goto_stmt(stmt);
	}
	file_stamps_take(&stamps, app.run->ms.workdir, &app.run->report, scan_began);
	last_look = now_seconds();
	if (changed)
		app_message(ROLE_STATUS, "%s changed: judged again", changed);
	free(changed);
	changed = NULL;
}

void rejudge_poll(bool force)
{
	double now = now_seconds();
	if (!app.run || app.scanning || (!force && now - last_look < POLL_MS / 1e3))
		return;
	last_look = now;
	const char *path = file_stamps_changed(&stamps);
	if (!path)
		return;
	app_message(ROLE_STATUS, "%s changed: judging it again", path);
	free(changed);
	changed = xstrdup(path);
	/* Once per change: the next scan stamps the files anew. */
	file_stamps_release(&stamps);
	jobs_start(REQ_RESCAN);
	app.dirty = true;
}

int rejudge_timeout(int timeout_ms)
{
	if (!app.run || app.scanning || !stamps.nr)
		return timeout_ms;
	return timeout_ms < 0 || timeout_ms > POLL_MS ? POLL_MS : timeout_ms;
}

void rejudge_release(void)
{
	file_stamps_release(&stamps);
	free(list_id);
	free(changed);
	list_id = changed = NULL;
}
