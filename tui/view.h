/*
 * view.h - what a view is and what the shared code does for every view.
 *
 * As in tig, a view is a list of lines with a cursor (lineno) and a scroll
 * position (offset); each screen of the workbench is one file in views/
 * filling a struct view_ops. The shared code in tui/view.c moves, scrolls,
 * searches and draws the title bar; a view only says how many lines it has,
 * how to draw one, and what its own keys do.
 */
#ifndef SLUICE_TUI_VIEW_H
#define SLUICE_TUI_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include "display.h"
#include "keys.h"

struct view;
struct entry;
struct stmt;
struct file_report;

/*
 * One of a view's own keys, for the hint line and the top of the help:
 * the request and what it does there, in a word or two.
 */
struct view_key {
	enum request req;
	const char *hint;
};

struct view_ops {
	const char *name;
	/* (Re)builds the lines from the current data; sets v->lines. */
	void (*open)(struct view *v);
	/* The title bar text. */
	void (*title)(struct view *v, struct strbuf *out);
	/* Draws line `line` on row y of v->rect (rows are 0-based). */
	void (*draw)(struct view *v, size_t line, int y);
	/* A request the shared code did not take; true when handled. */
	bool (*request)(struct view *v, enum request req);
	/* The cursor moved to v->lineno. */
	void (*select)(struct view *v);
	/* Does line `line` match the search text? */
	bool (*grep)(struct view *v, size_t line, const char *needle);
	/* What to say when there are no lines (may be NULL). */
	void (*empty)(struct view *v, struct strbuf *out);
	/* Frees what open() built. */
	void (*close)(struct view *v);
	/* The view marks the cursor line itself (so colours stay visible). */
	bool own_cursor;
	/* The title says where the cursor is itself (the list's column headers fill the bar). */
	bool own_position;
	/*
	 * Pushes the screen this view leads (the list with its verdict and
	 * preview, the draft's files over its diff); NULL: the view alone,
	 * full size (app_show()).
	 */
	void (*show)(struct view *v);
	/* The migration the view is about, for the keys that act on one (NULL: none). */
	const struct entry *(*entry)(struct view *v);
	/* The statement the view is about, its file in *fr, for y (NULL: none). */
	const struct stmt *(*statement)(struct view *v, const struct file_report **fr);
	/* Frees what the view keeps between opens (caches), when the workbench ends. */
	void (*release)(void);
	/* Its own keys, REQ_NONE-terminated; NULL: none (the hint line, the top of the help: tui/hints.c). */
	const struct view_key *keys;
};

/*
 * One line of the shared line store: views that build their lines when
 * opened add them with view_add_line() instead of keeping arrays of their
 * own; the frame empties the store before each open and frees it at the
 * end. What type, num and data mean is the view's.
 */
struct view_line {
	int type;             /* the view's kind of line */
	enum role role, label_role;
	const char *label;    /* static text, or NULL */
	const void *data;     /* borrowed: what the line shows */
	char *text;           /* owned: the line's text (NUL-terminated), or NULL */
	size_t len;           /* of text */
	long num;             /* a file line, an offset, a kind */
	size_t count;         /* items under a heading line */
	int indent;
	bool first;           /* the first line of its item */
};

/*
 * Rows of prose a view shows after its own lines (a verdict, notes, a
 * commit message), each wrapped to the pane's width with its role.
 */
struct view_note {
	enum role role;
	char *text;
};
struct view_notes {
	struct view_note *v;
	size_t nr, alloc;
};
/* prefix + text, wrapped at `room` columns; a newline in text starts a new row. */
void view_notes_add(struct view_notes *n, enum role role, const char *prefix, const char *text,
		    int room);
void view_notes_clear(struct view_notes *n);   /* keeps the array */
void view_notes_free(struct view_notes *n);

struct view {
	const struct view_ops *ops;
	size_t lines;     /* number of lines */
	size_t lineno;    /* the cursor */
	size_t offset;    /* first line shown */
	struct rect rect; /* where the lines go (below the title bar) */
	int width;        /* rect.w at the last open, to rewrap on resize */
	int col;          /* columns of each line scrolled off to the left (<Left>/<Right>) */
	int widest;       /* widest line with its gutter, set by views that scroll sideways */
	bool wrap;        /* w: long lines wrap at the pane's width instead (view_row_end) */
	bool focus;
	void *priv;
	struct view_line *line;    /* the shared line store (view_add_line) */
	size_t nr_line, alloc_line;
	struct view_notes notes;   /* rows of prose after the lines, emptied before each open */
};

/* Adds a line to the view's store (text copied; may be NULL) and counts it in v->lines. */
struct view_line *view_add_line(struct view *v, int type, const char *text, size_t len);
/*
 * Long lines, for the panes that scroll them sideways or wrap them (w):
 * the end of the row of s[0..len) that starts at `start`, at most `room`
 * columns wide when v->wrap (the whole rest of the line otherwise); then
 * where the next row starts, len when the line is done. An empty line is
 * one row.
 */
size_t view_row_end(const struct view *v, const char *s, size_t len, size_t start, int room);
size_t view_row_next(const char *s, size_t len, size_t start, size_t end);
/*
 * Adds the rows of one line to the store: each with `type` and `num`, its
 * byte offset in the line in count and its length in len (text NULL),
 * first set on the line's first row.
 */
void view_add_rows(struct view *v, int type, long num, const char *s, size_t len, int room);
/* w: wraps long lines or scrolls them again, from column 0 (reopens the view), and says so. */
void view_toggle_wrap(struct view *v);

/*
 * A title naming a file: " path" then `rest`, the path shortened at a
 * directory (the file's name kept whole) so that the rest still fits the
 * bar, as far as it can: the end of a long title is what the bar clips.
 */
void view_title_path(const struct view *v, struct strbuf *out, const char *path, const char *rest);

void view_open(struct view *v);
void view_close(struct view *v);
/* Places the view: a title bar on the first row of `area`, lines below. */
void view_place(struct view *v, struct rect area);
void view_draw(struct view *v);
/* Movement, search and the view's own requests; true when handled. */
bool view_request(struct view *v, enum request req);
/* Can the view scroll sideways, left (dir < 0: it is scrolled) or right (a line goes past the pane)? */
bool view_hscrollable(const struct view *v, int dir);
/* Moves the cursor to a line (clamped), scrolling to show it. */
void view_goto(struct view *v, size_t line);
/* Searches from the cursor in direction dir (+1, -1); false when not found. */
bool view_search(struct view *v, const char *needle, int dir, bool skip_current);
/* A click on screen row y (absolute), or a wheel turn. */
void view_click(struct view *v, int y);
void view_scroll(struct view *v, int lines);

#endif
