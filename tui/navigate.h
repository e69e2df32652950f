/*
 * navigate.h - moving around a review session: the list's filter, the
 * next and previous migration, re-judging what changed on disk, the key
 * hints, the diff against the base (tui/filtering.c, tui/rejudging.c,
 * tui/hints.c, views/sql.c, views/basediff.c).
 *
 * The list shows app.entries through the filter: row r of the list is
 * filtering_entry(r). app.entries itself stays whole, so the verdict's
 * and the drift view's jumps reach a migration the filter hides.
 */
#ifndef SLUICE_TUI_NAVIGATE_H
#define SLUICE_TUI_NAVIGATE_H

#include <stdbool.h>
#include <stddef.h>
#include "view.h"

struct entry;
struct check_run;
struct rect;
struct view;

/* Rebuilds the list's rows from app.entries (after every scan, every new filter). */
void filtering_apply(void);
size_t filtering_rows(void);
/* The entry on row `row` of the list, or NULL. */
const struct entry *filtering_entry(size_t row);
/* The row showing e, or -1 when the filter hides it. */
long filtering_row_of(const struct entry *e);
/* The filter as typed, or NULL when none. */
const char *filtering_text(void);
/* f: asks for a filter, starting from the current one. */
void filtering_prompt(void);
/* Drops the filter; false when there was none. */
bool filtering_clear(void);
void filtering_release(void);

/*
 * Re-judging: a scan remembers where the engineer was (the list's
 * migration, the open file and statement) and puts them back on the new
 * run, following the statement across an edit (stmt_follow); between
 * scans the judged files' stamps are compared a few times a second.
 */
void rejudge_scan_started(void);
void rejudge_before_swap(void);
/* old: the run replaced, or NULL when the scan failed and app.run stays. */
void rejudge_after_swap(const struct check_run *old);
/* Compares the stamps now if `force` or if the last look is old enough; rescans on a change. */
void rejudge_poll(bool force);
/* The longest the loop may sleep before the next look, given the wait it had (-1: none). */
int rejudge_timeout(int timeout_ms);
void rejudge_release(void);

/* In the statement screen: the SQL pane's cursor to the first line of statement `stmt`. */
void sql_goto_stmt(long stmt);

/* o: the entry's down file in the statement screen (o again: its up), or why there is none. */
void sql_open_down(const struct entry *e);

/* =: report file `file` against the base branch, on a screen of its own (views/basediff.c). */
void basediff_show(long file);
/*
 * The diff rows every diff pane shows: diff_add_rows() puts a diff's rows
 * in the view's store (num: the diff line; one row per line, or as many as
 * the width needs with w), diff_draw_row() draws row `row` as "  12 +text"
 * scrolled by v->col, diff_toggle_wrap() is w keeping the cursor's line.
 */
struct text_diff;
void diff_add_rows(struct view *v, const struct text_diff *d);
void diff_draw_row(struct view *v, const struct text_diff *d, size_t row, int y);
void diff_toggle_wrap(struct view *v);

/*
 * The hint line (tui/hints.c): the focused view's own keys (view_ops.keys)
 * then the frame's, each as its first bound key and a word or two.
 */
void hints_draw(int y, int cols);
/*
 * Screen `depth`'s keys into out (at most max): the focused pane's own
 * (view_ops.keys), with all_panes the other panes' too, then the frame's.
 */
size_t hints_screen_keys(int depth, bool all_panes, const struct view_key **out, size_t max);

#endif
