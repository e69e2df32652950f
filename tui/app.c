/*
 * app.c - the workbench's screens, status line and key dispatch.
 *
 * A key becomes a request through keys.c; the prompt (search) takes keys
 * first, then the focused view, then the frame (panes, help, quit). After
 * each key the loop redraws everything from the data: ncurses sends only
 * what changed, and redrawing from the data makes resizes trivial (ncdu).
 */
#include "app.h"
#include "run_command.h"
#include "check.h"
#include "display.h"
#include "drafting.h"
#include "job.h"
#include "draft.h"
#include "text.h"
#include "navigate.h"

#include <curses.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct app app;
/* The terminal's stderr while ours goes to the status line (loop.c). */
extern int saved_stderr;

const char *app_workdir(void)
{
	if (app.run && app.run->ms.workdir)
		return app.run->ms.workdir;
	return "";
}

void app_message(enum role role, const char *fmt, ...)
{
	va_list ap;
	strbuf_reset(&app.message);
	va_start(ap, fmt);
	strbuf_vaddf(&app.message, fmt, ap);
	va_end(ap);
	app.message_role = role;
}

void app_prompt(const char *label, void (*done)(const char *text))
{
	free(app.prompt_label);
	app.prompt_label = xstrdup(label);
	app.prompt_done = done;
	app.prompting = true;
	strbuf_reset(&app.prompt);
}

void app_ask(const char *question, void (*yes)(void))
{
	app.ask_yes = yes;
	app_message(ROLE_HIGH, "%s (y/n)", question);
}

void app_choose(const char *choices, void (*chosen)(int key))
{
	app.ask_key = chosen;
	app_message(ROLE_KEY, "%s", choices);
}

struct view *app_focused(void)
{
	struct screen *s = &app.stack[app.depth - 1];
	return s->panes[s->focus];
}

static void set_focus(struct screen *s, int focus)
{
	for (int i = 0; i < s->nr; i++)
		s->panes[i]->focus = i == focus;
	s->focus = focus;
}

void app_push(struct screen s)
{
	if (app.depth == MAX_SCREENS)
		app_pop();
	for (int i = 0; i < s.nr; i++)
		view_open(s.panes[i]);
	app.stack[app.depth++] = s;
	set_focus(&app.stack[app.depth - 1], s.focus);
}

void app_pop(void)
{
	if (app.depth <= 1) {
		app.quit = true;
		return;
	}
	app.depth--;
	set_focus(&app.stack[app.depth - 1], app.stack[app.depth - 1].focus);
}

/* repo  branch (base)   3 BLOCKER  1 HIGH ...   message or progress */
static void draw_status(int rows, int cols)
{
	struct rect r = { rows - 1, 0, 1, cols };
	struct check_run *run = app.run;
	int x = 0;

	if (app.prompting) {
		x = draw_str(&r, 0, 0, ROLE_DEFAULT, app.prompt_label ? app.prompt_label : "/");
		x = draw_text(&r, 0, x, ROLE_DEFAULT, app.prompt.buf, app.prompt.len);
		draw_fill(&r, 0, x, ROLE_DEFAULT);
		draw_cursor(rows - 1, x < cols ? x : cols - 1, true);
		return;
	}
	draw_cursor(0, 0, false);
	if (run && run->ms.workdir) {
		const char *wd = run->ms.workdir, *name = wd + strlen(wd);
		while (name > wd && name[-1] == '/')
			name--;
		const char *end = name;
		while (name > wd && name[-1] != '/')
			name--;
		x = draw_fmt(&r, 0, x, ROLE_STATUS, " %.*s", (int)(end - name), name);
		x = draw_fmt(&r, 0, x, ROLE_STATUS, " %s", run->ms.branch ? run->ms.branch : "(detached)");
		if (run->ms.base)
			x = draw_fmt(&r, 0, x, ROLE_STATUS, " \xe2\x86\x90 %s", run->ms.base);
	} else if (run) {
		x = draw_fmt(&r, 0, x, ROLE_STATUS, " %zu path%s", app.nr_paths, app.nr_paths == 1 ? "" : "s");
	}
	x = draw_str(&r, 0, x, ROLE_STATUS, "  ");
	/* A message says what just happened: it takes the counts' room until the next key. */
	if (run && !app.message.len) {
		/* Migrations by their worst severity: what is left to review, not how many findings. */
		size_t by_sev[SEV__COUNT] = { 0 };
		for (size_t i = 0; i < app.nr_entries; i++)
			by_sev[app.entries[i].sev]++;
		for (int s = SEV_BLOCKER; s >= SEV_LOW; s--) {
			enum role role = by_sev[s] ? severity_role((enum severity)s) : ROLE_STATUS;
			x = draw_fmt(&r, 0, x, role, "%zu %s", by_sev[s], severity_name((enum severity)s));
			x = draw_str(&r, 0, x, ROLE_STATUS, " ");
		}
		x = draw_fmt(&r, 0, x, ROLE_STATUS, " %zu migration%s%s", app.nr_entries,
			     app.nr_entries == 1 ? "" : "s", app.all ? " (all)" : " pending");
	}
	x = draw_str(&r, 0, x, ROLE_STATUS, "  ");
	/* The jobs running: "scanning 12/345 (3%)  drift: replaying...  " */
	struct strbuf jobs = STRBUF_INIT;
	jobs_status(&jobs);
	x = draw_text(&r, 0, x, ROLE_STATUS, jobs.buf, jobs.len);
	strbuf_release(&jobs);
	if (app.message.len)
		x = draw_text(&r, 0, x, app.message_role, app.message.buf, app.message.len);
	draw_fill(&r, 0, x, ROLE_STATUS);
}

#define HINTS_MIN_ROWS 12
void app_redraw(void)
{
	int rows, cols;
	struct screen *s = &app.stack[app.depth - 1];
	display_size(&rows, &cols);
	display_clear();
	/* The hint line above the status line, where there is room for it. */
	int hints = rows >= HINTS_MIN_ROWS;
	s->layout(s, (struct rect){ 0, 0, rows - 1 - hints, cols });
	for (int i = 0; i < s->nr; i++)
		view_draw(s->panes[i]);
	if (hints)
		hints_draw(rows - 2, cols);
	draw_status(rows, cols);
	display_flush();
	if (!app.t_first_draw) {
		struct timespec ts;
		app.t_first_draw = now_seconds() - app.t0;
		clock_gettime(CLOCK_REALTIME, &ts);
		app.wall_first_draw = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
	}
	if (!app.t_first_data && app.run)
		app.t_first_data = now_seconds() - app.t0;
	app.dirty = false;
}

static void prompt_end(void)
{
	app.prompting = false;
	app.prompt_done = NULL;
	free(app.prompt_label);
	app.prompt_label = NULL;
}

static void prompt_key(int key)
{
	if (key == 27) {
		prompt_end();
	} else if ((key == '\r' || key == '\n' || key == KEYFN(KEY_ENTER)) && app.prompt_done) {
		void (*done)(const char *) = app.prompt_done;
		char *text = strbuf_detach(&app.prompt, NULL);
		prompt_end();
		done(text);
		free(text);
	} else if (key == '\r' || key == '\n' || key == KEYFN(KEY_ENTER)) {
		prompt_end();
		free(app.search);
		app.search = strbuf_detach(&app.prompt, NULL);
		if (*app.search && !view_search(app_focused(), app.search, 1, false))
			app_message(ROLE_ERROR, "'%s' not found", app.search);
	} else if (key == 21) {
		strbuf_reset(&app.prompt);   /* C-u, as in a shell */
	} else if (key == KEYFN(KEY_BACKSPACE) || key == 127 || key == 8) {
		/* Drop the last UTF-8 sequence. */
		while (app.prompt.len && (app.prompt.buf[--app.prompt.len] & 0xC0) == 0x80)
			;
		app.prompt.buf[app.prompt.len] = '\0';
	} else if (!KEY_IS_FN(key) && key >= 32 && key != 127) {
		char mb[8];
		int n = wctomb(mb, (wchar_t)key);
		if (n > 0)
			strbuf_add(&app.prompt, mb, (size_t)n);
	}
}

static void quit_now(void)
{
	app.quit = true;
}

static void undo_now(void)
{
	struct strbuf done = STRBUF_INIT;
	if (commit_undo(*app_workdir() ? app_workdir() : ".", &done) < 0) {
		tui_flush_stderr();   /* commit_undo() said why */
	} else {
		app_message(ROLE_SAFE, "%s", done.buf);
		jobs_start(REQ_RESCAN);
	}
	strbuf_release(&done);
}

/* U: the engineer confirms first; commit_undo() refuses what is not ours to undo. */
static void undo_ask(void)
{
	if (drafting.state != DRAFTING_NONE)
		app_message(ROLE_ERROR, "close the draft first (q): U undoes sluice's last commit");
	else if (!app.run || !app.run->ms.workdir)
		app_message(ROLE_ERROR, "U works in a git repository: nothing to undo here");
	else
		app_ask("undo sluice's last commit?", undo_now);
}

void app_show(struct view *v)
{
	if (v->ops->show)
		v->ops->show(v);
	else
		app_push((struct screen){ { v }, 1, 0, app.stack[0].layout });
}

void app_views_init(void)
{
#define VIEW_SET_OPS(name) app.name.ops = &name##_ops;
	VIEW_INFO(VIEW_SET_OPS)
#undef VIEW_SET_OPS
	app_show(&app.list);
}

void app_views_release(void)
{
#define VIEW_RELEASE(name)                 \
	view_close(&app.name);             \
	if (name##_ops.release)            \
		name##_ops.release();
	VIEW_INFO(VIEW_RELEASE)
#undef VIEW_RELEASE
}

static void frame_request(enum request req)
{
	struct screen *s = &app.stack[app.depth - 1];
	struct view *v = app_focused();
	if (jobs_start(req))   /* r, a, d, u, R, L, D */
		return;
	switch (req) {
	case REQ_NEXT_PANE:
	case REQ_RIGHT:
		if (s->nr > 1)
			set_focus(s, (s->focus + 1) % s->nr);
		break;
	case REQ_PREV_PANE:
		if (s->nr > 1)
			set_focus(s, (s->focus + s->nr - 1) % s->nr);
		break;
	case REQ_LEFT:
		if (s->focus > 0)
			set_focus(s, s->focus - 1);
		else
			app_pop();
		break;
	case REQ_SEARCH:
		prompt_end();
		app.prompting = true;
		strbuf_reset(&app.prompt);
		break;
	case REQ_FIND_NEXT:
	case REQ_FIND_PREV:
		if (!app.search || !*app.search)
			app_message(ROLE_ERROR, "no search yet: press / first");
		else if (!view_search(v, app.search, req == REQ_FIND_NEXT ? 1 : -1, true))
			app_message(ROLE_ERROR, "'%s' not found", app.search);
		break;
	case REQ_TOGGLE_FILE:
	case REQ_ACCEPT:
	case REQ_DRAFT_SHADOW:
		app_message(ROLE_ERROR, "%s works on a draft: press d (or u, R, L) on a migration first",
			    request_name(req));
		break;
	case REQ_HELP:
		if (v != &app.help)
			app_show(&app.help);
		break;
	case REQ_REDRAW:
		display_resize(0, 0);
		break;
	case REQ_BACK:
		app_pop();
		break;
	case REQ_QUIT:
		if (drafting.touched)
			app_ask("quit, discarding your edits to the draft?", quit_now);
		else
			app.quit = true;
		break;
	case REQ_UNDO:
		undo_ask();
		break;
	case REQ_COPY:
		copying_start();
		break;
	case REQ_FILTER:
		filtering_prompt();
		break;
	case REQ_NEXT_MIGRATION:
	case REQ_PREV_MIGRATION:
	case REQ_OPEN_DOWN:
	case REQ_BASE_DIFF:
		app_message(ROLE_ERROR, "%s works on a migration: in the list or its statements",
			    request_name(req));
		break;
	default:
		break;
	}
}

/* The focused view takes a request first, then the frame. */
static void request(enum request req)
{
	if (!view_request(app_focused(), req))
		frame_request(req);
}

/* A second click on the same row of the same pane, soon after the first. */
#define DOUBLE_CLICK_SECONDS 0.4
static bool double_click(struct view *v, int y)
{
	static const struct view *last_view;
	static int last_y;
	static double last_time;
	double t = now_seconds();
	bool twice = v == last_view && y == last_y && t - last_time < DOUBLE_CLICK_SECONDS;
	last_view = twice ? NULL : v;   /* a third click starts again */
	last_y = y;
	last_time = t;
	return twice;
}

void app_mouse(int y, int x, int button)
{
	struct screen *s = &app.stack[app.depth - 1];
	for (int i = 0; i < s->nr; i++) {
		struct view *v = s->panes[i];
		if (y < v->rect.y - 1 || y >= v->rect.y + v->rect.h || x < v->rect.x ||
		    x >= v->rect.x + v->rect.w)
			continue;
		set_focus(s, i);
		if (button == 4)
			view_scroll(v, -3);
		else if (button == 5)
			view_scroll(v, 3);
		else if (double_click(v, y))
			request(REQ_ENTER);   /* opens, as Enter does */
		else
			view_click(v, y);
		return;
	}
}

static void mouse_key(void)
{
	int y, x, button;
	if (display_mouse(&y, &x, &button))
		app_mouse(y, x, button);
}

void app_key(int key)
{
	double t = now_seconds();
	enum request req;

	strbuf_reset(&app.message);
	if (app.ask_key) {
		void (*chosen)(int) = app.ask_key;
		app.ask_key = NULL;
		chosen(key);
	} else if (app.ask_yes) {
		void (*yes)(void) = app.ask_yes;
		app.ask_yes = NULL;
		if (key == 'y' || key == 'Y')
			yes();
		else
			app_message(ROLE_STATUS, "cancelled: nothing changed");
	} else if (app.prompting) {
		prompt_key(key);
	} else if (key == 27 && app.depth <= 1 && keys_request(key) == REQ_BACK) {
		/* Esc goes back, never out of the program: that is q's job. On the list it drops the filter. */
		if (!filtering_clear())
			app_message(ROLE_STATUS, "Esc goes back a screen; q quits sluice");
	} else if (key == KEYFN(KEY_MOUSE)) {
		mouse_key();
	} else if (key == KEYFN(KEY_RESIZE)) {
		display_resize(0, 0);
	} else if ((req = keys_request(key)) != REQ_NONE) {
		/* <Left>/<Right> scroll long lines; where there are none they move between panes. */
		if (req == REQ_SCROLL_LEFT && !view_hscrollable(app_focused(), -1))
			req = REQ_LEFT;
		else if (req == REQ_SCROLL_RIGHT && !app_focused()->widest)
			req = REQ_RIGHT;
		request(req);
	} else {
		struct strbuf name = STRBUF_INIT;
		key_to_name(key, &name);
		app_message(ROLE_ERROR, "%s is not bound; press ? for help", name.buf);
		strbuf_release(&name);
	}
	if (app.quit)
		return;
	app_redraw();
	t = now_seconds() - t;
	app.keys++;
	app.key_total += t;
	app.keys_slow += t > 0.016;
	if (t > app.key_max) {
		app.key_max = t;
		app.key_max_key = key;
	}
}

/*
 * $VISUAL/$EDITOR is a shell command line ("code -w", "vim -u NONE"), so it
 * goes through /bin/sh -c as git runs editors; the file and the line are
 * positional parameters ("$@"), never parsed by the shell. This is the one
 * shell sluice starts (core/run_command.h).
 */
int app_edit(const char *path, int line)
{
	const char *editor = getenv("VISUAL");
	struct strbuf file = STRBUF_INIT, arg = STRBUF_INIT, cmd = STRBUF_INIT, err = STRBUF_INIT;
	struct child_process cp = CHILD_PROCESS_INIT;
	int status;

	if (!editor || !*editor)
		editor = getenv("EDITOR");
	if (!editor || !*editor)
		editor = "vi";
	if (*path != '/')
		strbuf_addstr(&file, app_workdir());
	strbuf_addstr(&file, path);
	strbuf_addf(&arg, "+%d", line > 0 ? line : 1);
	strbuf_addf(&cmd, "%s \"$@\"", editor);
	const char *argv[] = { "/bin/sh", "-c", cmd.buf, editor, arg.buf, file.buf, NULL };
	cp.argv = argv;
	cp.err_fd = saved_stderr;

	display_suspend();
	status = run_command(&cp, &err);
	display_resume();
	if (status < 0)
		app_message(ROLE_ERROR, "%s", err.buf);
	else if (status == 127)
		app_message(ROLE_ERROR, "cannot run the editor '%s'", editor);
	else if (status)
		app_message(ROLE_ERROR, "the editor '%s' failed", editor);
	else
		app_message(ROLE_STATUS, "back from %s +%d %s", editor, line, path);
	rejudge_poll(true);   /* what the editor saved is judged now, not at the next look */
	strbuf_release(&cmd);
	strbuf_release(&file);
	strbuf_release(&arg);
	strbuf_release(&err);
	return status < 0 ? -1 : 0;
}

/*
 * The migration the draft keys act on: the one under the list's cursor,
 * the one open in the statement screen, or the one being drafted; the
 * topmost screen whose view is about a migration decides (help may be on
 * top of any of them).
 */
const struct entry *app_current_entry(void)
{
	for (int d = app.depth - 1; app.run && d >= 0; d--) {
		struct view *top = app.stack[d].panes[0];
		if (top->ops->entry)
			return top->ops->entry(top);
	}
	return NULL;
}

const struct entry *app_entry_of_path(const char *path)
{
	for (size_t i = 0; path && app.run && i < app.nr_entries; i++) {
		const struct entry *e = &app.entries[i];
		if ((e->up >= 0 && !strcmp(app.run->report.files[e->up].path, path)) ||
		    (e->down >= 0 && !strcmp(app.run->report.files[e->down].path, path)))
			return e;
	}
	return NULL;
}

void app_build_entries(void)
{
	struct check_run *run = app.run;
	app.nr_entries = 0;
	if (!run)
		return;
	for (size_t i = 0, m = 0; i < run->report.nr; i++) {
		m = check_migration_index(run, &run->report.files[i], m);
		struct file_report *fr = &run->report.files[i];
		struct entry *e = NULL;
		if (app.nr_entries && app.entries[app.nr_entries - 1].migration == m)
			e = &app.entries[app.nr_entries - 1];
		if (!e) {
			ALLOC_GROW(app.entries, app.nr_entries + 1, app.alloc_entries);
			e = &app.entries[app.nr_entries++];
			e->migration = m;
			e->up = e->down = -1;
			e->sev = SEV_NONE;
		}
		if (fr->dir == DIR_DOWN)
			e->down = (long)i;
		else if (e->up < 0)
			e->up = (long)i;
		if (fr->sev > e->sev)
			e->sev = fr->sev;
	}
	filtering_apply();
}
