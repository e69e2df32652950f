/*
 * app.h - the workbench's state, shared by the frame and the views.
 *
 * One struct, like tig's globals: the judged run being shown, the screen
 * stack, the status line, the search text. Views read the run; only the
 * frame replaces it (when a scan finishes), and then reopens every view.
 */
#ifndef SLUICE_TUI_APP_H
#define SLUICE_TUI_APP_H

#include <stdbool.h>
#include <stddef.h>
#include "util.h"
#include "types.h"
#include "view.h"
#include "themes/theme.h"
#include "views/views.h"

struct check_run;

#define MAX_PANES 3
#define MAX_SCREENS 4

/* A screen: one to three views side by side, one of them focused. */
struct screen {
	struct view *panes[MAX_PANES];
	int nr, focus;
	void (*layout)(struct screen *s, struct rect area);
};

/* One row of the migration list: a migration and its judged scripts. */
struct entry {
	size_t migration;          /* index into run->ms.v */
	long up, down;             /* index into run->report.files, or -1 */
	enum severity sev;         /* worst of both */
};

struct app {
	/* What is shown. */
	struct check_run *run;     /* NULL until the first scan finishes */
	struct entry *entries;
	size_t nr_entries, alloc_entries;
	long file;                 /* report file open in the statement screen, or -1 */
	long stmt;                 /* its current statement, or -1 */
	unsigned generation;       /* bumped when run is replaced */

	/* How to scan. */
	const char **paths;
	size_t nr_paths;
	char *base;
	char *db_url;              /* live database for statistics (read-only), or NULL */
	char *stats;               /* --stats: a statistics snapshot, or NULL (sluice.stats) */
	bool all;
	bool scanning;
	size_t scan_total;         /* migrations to walk (progress) */

	/* Screens. */
	struct screen stack[MAX_SCREENS];
	int depth;
	/* Every view, one per row of VIEW_INFO (views/views.h): app.list, app.sql, ... */
#define VIEW_MEMBER(name) struct view name;
	VIEW_INFO(VIEW_MEMBER)
#undef VIEW_MEMBER

	/* Bottom line. */
	struct strbuf message;
	enum role message_role;
	struct strlist errors;     /* everything written to stderr meanwhile */
	bool prompting;
	struct strbuf prompt;
	char *prompt_label;        /* NULL: the search prompt, "/" */
	void (*prompt_done)(const char *text);   /* NULL: search */
	void (*ask_yes)(void);     /* a y/n question is up: y runs this */
	void (*ask_key)(int key);  /* a one-key choice is up (app_choose): the next key goes here */
	char *search;

	struct theme theme;
	bool script;
	bool quit;
	bool dirty;                /* redraw before waiting again */

	/* Timings (seconds since start) for the benchmark and :save-stats. */
	double t0, t_first_draw, t_first_data;
	double wall_first_draw;     /* CLOCK_REALTIME, to time from outside */
	double key_max, key_total;
	int key_max_key;            /* which key was slowest */
	size_t keys_slow;           /* over 16 ms (one frame at 60 Hz) */
	size_t keys;
};

extern struct app app;

/* The work tree files are read from and $EDITOR runs in. */
const char *app_workdir(void);
/* A status message until the next key. */
void app_message(enum role role, const char *fmt, ...) ATTR_PRINTF(2, 3);
/*
 * A line of input in the status line after `label`: Enter calls done()
 * with the text (the label and the text are copied), Esc drops it.
 */
void app_prompt(const char *label, void (*done)(const char *text));
/* A question answered with one key: y calls yes(), any other key cancels. */
void app_ask(const char *question, void (*yes)(void));
/* A choice in the status line ("copy: s statement  f fix ..."): the next key, whatever it is, goes to chosen(). */
void app_choose(const char *choices, void (*chosen)(int key));
/* y: copies the statement, its fix or file:line of the focused view's statement (tui/copying.c). */
void copying_start(void);
/* Pushes a screen / pops the top one (quitting when the list goes). */
void app_push(struct screen s);
void app_pop(void);
struct view *app_focused(void);
void app_redraw(void);
/* One key from the keyboard or the script. */
void app_key(int key);
/* A mouse event at screen row y, column x: button 1 clicks, 4 and 5 are the wheel. */
void app_mouse(int y, int x, int button);
/* Opens `path` (work-tree relative or absolute) at `line` in $VISUAL/$EDITOR. */
int app_edit(const char *path, int line);
/* Rebuilds the migration list entries from app.run. */
void app_build_entries(void);
/* Opens the statement screen on an entry. */
void app_open_migration(const struct entry *e);
/* In the statement screen: shows report file `file` (of the same migration) at file line `line`. */
void app_open_file_line(long file, int line);

/* Gives every view its ops (VIEW_INFO) and shows the list. */
void app_views_init(void);
/* Closes every view and frees what each keeps (ops->release). */
void app_views_release(void);
/* Pushes the screen `v` leads (its ops->show), or `v` alone, full size. */
void app_show(struct view *v);
/* The list entry or open migration the draft keys act on (the topmost view's ops->entry), or NULL. */
const struct entry *app_current_entry(void);
/* The entry listing the script at `path` (up or down), or NULL. */
const struct entry *app_entry_of_path(const char *path);

/*
 * Schema drift against the live database, computed in a worker thread
 * (tui/driftwork.c) and shown by views/drift.c, which reads only the
 * struct drift: the view never talks to a database.
 */
struct drift;
/* The database (NULL: none configured) and the shadow server (NULL: a throwaway cluster). */
void driftwork_configure(const char *db_url, const char *shadow_url);
/* The drift job (tui/job.h) opens the drift view on D and starts a computation unless one runs. */
bool driftwork_busy(void);
const char *driftwork_phase(void);          /* what the worker is doing now */
const struct drift *driftwork_result(void); /* the last result, or NULL */
const char *driftwork_error(void);          /* why the last computation failed, or NULL */
const char *driftwork_database(void);       /* masked, for display; NULL when none */
const char *driftwork_shadow(void);         /* --shadow URL (drafts run there too), or NULL */

/* The event loop (tui/loop.c): stdin, signals, and any fd a part needs. */
typedef void (*watch_fn)(int fd, void *data);
void tui_watch_fd(int fd, watch_fn fn, void *data);
void tui_unwatch_fd(int fd);
/*
 * A part whose descriptors change from one turn to the next (curl's):
 * before each poll() it gives its fds and the longest wait it allows, and
 * it runs after every poll(), ready or not. One at a time; NULL removes.
 */
struct pollfd;
struct tui_poller {
	int (*fds)(void *data, struct pollfd *fds, int max, int *timeout_ms);
	void (*run)(void *data);
	void *data;
};
void tui_set_poller(const struct tui_poller *p);
/* Shows what was just written to stderr now, not at the next turn of the loop. */
void tui_flush_stderr(void);
/* Work that a script waits for before its next line (a scan, a stream). */
bool app_busy(void);
int loop_init(void);
void loop_run(void);
void loop_release(void);

/* The scripted mode (tui/script.c). */
int script_open(const char *path);
/* Runs the next script line; false at the end. */
bool script_step(void);
void script_close(void);

#endif
