/*
 * display.h - the only module that talks to ncurses (htop's CRT.c).
 *
 * It sets the terminal up and restores it (also from die(), through
 * util.h's die_hook), turns colour roles into colour pairs, and offers the
 * small draw API the views use: rectangles, clipped text from text.h's
 * cells, highlighted matches. Views never call ncurses themselves.
 */
#ifndef SLUICE_TUI_DISPLAY_H
#define SLUICE_TUI_DISPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include "themes/roles.h"

struct theme;

struct rect {
	int y, x, h, w;
};

/*
 * script: true for the scripted mode (SLUICE_SCRIPT): output goes to
 * /dev/null and the size comes from $COLUMNS/$LINES, so tests can run the
 * real drawing code without a terminal.
 */
int display_init(bool script);
void display_done(void);
/*
 * While the loop routes stderr to the status line: the terminal's own
 * stderr, which giving the terminal back on die() or a crash restores
 * (-1: none).
 */
void display_stderr(int fd);
bool display_active(void);
/* Applies a theme: one colour pair per role. */
void display_apply_theme(const struct theme *t);
void display_size(int *rows, int *cols);
/* After SIGWINCH (or :resize in a script): re-read the size, relayout. */
void display_resize(int rows, int cols);
void display_clear(void);
void display_flush(void);
/* Hides the screen (endwin) around running another program, then back. */
void display_suspend(void);
void display_resume(void);
/* Next key, or -1 when none is waiting. Function keys come as KEYFN(). */
int display_getkey(void);
#define KEYFN(k) (0x200000 + (k))
#define KEY_IS_FN(k) ((k) >= 0x200000)
/* Mouse event after KEYFN(KEY_MOUSE): row, column, button (1 click, 4/5 wheel). */
bool display_mouse(int *y, int *x, int *button);
/*
 * Puts text on the terminal's clipboard with OSC 52 (xterm's "set
 * selection", which tmux, kitty, iTerm2, WezTerm, foot and Windows
 * Terminal take; tmux with set-clipboard on). -1 when there is no
 * terminal or the text is too long for one escape sequence.
 */
int display_osc52(const char *text, size_t len);
/* Writes the screen as text, one line per row (for :save-screen). */
int display_save(const char *path);

/* The draw API. Columns past r->w are clipped; returns the next column. */
int draw_text(const struct rect *r, int y, int x, enum role role, const char *s, size_t len);
int draw_str(const struct rect *r, int y, int x, enum role role, const char *s);
int draw_fmt(const struct rect *r, int y, int x, enum role role, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* Like draw_text, with every case-insensitive match of `needle` in hl_role. */
int draw_text_hl(const struct rect *r, int y, int x, enum role role, const char *s, size_t len,
		 const char *needle, enum role hl_role);
/* Fills the rest of row y from column x with blanks in `role`. */
void draw_fill(const struct rect *r, int y, int x, enum role role);
/* Role for a whole row (cursor line): later draws keep its background. */
void draw_set_row_role(enum role role);
/* Back to each draw's own role. */
void draw_clear_row_role(void);
/* Places the terminal cursor (prompt input). */
void draw_cursor(int y, int x, bool visible);

#endif
