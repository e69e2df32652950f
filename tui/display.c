/*
 * display.c - owning the terminal (see display.h).
 *
 * Everything curses lives here: setting the terminal up and giving it back
 * (on quit, around $EDITOR, from die() through die_hook, and on a crash:
 * SIGSEGV, SIGABRT and the like, as htop does), colour pairs
 * for the roles of the current theme, reading keys and mouse events, and
 * the clipped drawing of untrusted text. Each role gets one colour pair,
 * numbered role + 1, so changing the theme is re-initialising the pairs.
 */
#include "display.h"
#include "text.h"
#include "themes/theme.h"
#include "util.h"

#include <curses.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>

static SCREEN *screen;
static void sgr_mouse(bool on);
static FILE *script_out, *script_in;
static attr_t role_attr[ROLE__COUNT];
static int row_role = -1;

static int real_stderr = -1;   /* the terminal's stderr while ours goes to the status line */

/* The one way the terminal is given back when sluice is going down (die(), BUG(), a crash). */
static void restore_terminal(void)
{
	display_done();
	if (real_stderr >= 0)
		dup2(real_stderr, 2);
}

void display_stderr(int fd)
{
	real_stderr = fd;
}

/* The signals that end a process with the terminal left raw, on the alternate screen. */
static const int crash_signals[] = { SIGSEGV, SIGABRT, SIGBUS, SIGILL, SIGFPE };
#define NR_CRASH_SIGNALS (sizeof(crash_signals) / sizeof(crash_signals[0]))
static struct sigaction crash_old[NR_CRASH_SIGNALS];
static bool crash_handled;

/*
 * htop's CRT_handleSIGSEGV: give the terminal back, say so, then let the
 * signal do what it would have done (the previous handler, a sanitizer's
 * report, or the default: a core dump and the exit status a shell shows).
 * endwin() is not async-signal-safe; the process is ending either way, and
 * a shell left raw and on the alternate screen is the worse outcome.
 */
static void on_crash(int sig)
{
	static const char msg[] = "sluice: crashed; the terminal was restored\n";
	restore_terminal();
	ssize_t w = write(2, msg, sizeof(msg) - 1);
	(void)w;   /* nothing more to do when even that fails */
	for (size_t i = 0; i < NR_CRASH_SIGNALS; i++)
		if (crash_signals[i] == sig)
			sigaction(sig, &crash_old[i], NULL);
	raise(sig);
}

static void handle_crashes(bool on)
{
	struct sigaction sa;
	if (on == crash_handled)
		return;
	crash_handled = on;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_crash;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESETHAND | SA_NODEFER;
	for (size_t i = 0; i < NR_CRASH_SIGNALS; i++)
		sigaction(crash_signals[i], on ? &sa : &crash_old[i], on ? &crash_old[i] : NULL);
}

int display_init(bool script)
{
	const char *term = getenv("TERM");
	if (script) {
		script_out = fopen("/dev/null", "w");
		script_in = fopen("/dev/null", "r");
		if (!script_out || !script_in)
			return error("cannot open '/dev/null': %m");
		screen = newterm(term && *term ? term : "xterm-256color", script_out, script_in);
	} else {
		screen = newterm(NULL, stdout, stdin);
	}
	if (!screen)
		return error("cannot use the terminal '%s': set TERM to a terminal type terminfo knows",
			     term ? term : "(unset)");
	die_hook = restore_terminal;
	handle_crashes(true);
	set_escdelay(25);
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	leaveok(stdscr, FALSE);
	curs_set(0);
	if (has_colors()) {
		start_color();
		use_default_colors();
	}
	if (!script)
		mousemask(BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
	mouseinterval(0);
	sgr_mouse(true);
	return 0;
}

bool display_active(void)
{
	return screen != NULL;
}

void display_done(void)
{
	handle_crashes(false);
	if (!screen)
		return;
	sgr_mouse(false);
	curs_set(1);
	endwin();
	delscreen(screen);
	screen = NULL;
	if (script_out)
		fclose(script_out);
	if (script_in)
		fclose(script_in);
	script_out = script_in = NULL;
	if (die_hook == restore_terminal)
		die_hook = NULL;
}

/* The xterm-256 palette's index for an RGB cube entry or grey, nearest of 8. */
static short nearest_basic(short c)
{
	int r, g, b;
	if (c < 16)
		return (short)(c % 8);
	if (c >= 232) {
		int level = (c - 232) * 10 + 8;
		return level < 64 ? COLOR_BLACK : COLOR_WHITE;
	}
	c = (short)(c - 16);
	r = c / 36, g = (c / 6) % 6, b = c % 6;
	return (short)((r >= 3 ? 1 : 0) | (g >= 3 ? 2 : 0) | (b >= 3 ? 4 : 0));
}

static short fit_color(short c, attr_t *attr)
{
	if (c < 0 || c < COLORS)
		return c;
	if (c >= 8 && c < 16)
		*attr |= A_BOLD;   /* bright on an 8-colour terminal */
	return nearest_basic(c);
}

void display_apply_theme(const struct theme *t)
{
	bool color = has_colors() && !t->monochrome;
	for (int r = 0; r < ROLE__COUNT; r++) {
		const struct color_spec *s = &t->role[r];
		attr_t a = A_NORMAL;
		if (s->attr & THEME_ATTR_BOLD)
			a |= A_BOLD;
		if (s->attr & THEME_ATTR_DIM)
			a |= A_DIM;
		if (s->attr & THEME_ATTR_UL)
			a |= A_UNDERLINE;
		if (s->attr & THEME_ATTR_REVERSE)
			a |= A_REVERSE;
		if (s->attr & THEME_ATTR_BLINK)
			a |= A_BLINK;
		if (color && r + 1 < COLOR_PAIRS) {
			short fg = fit_color(s->fg, &a), bg = fit_color(s->bg, &a);
			init_pair((short)(r + 1), fg, bg);
			a |= COLOR_PAIR(r + 1);
		}
		role_attr[r] = a;
	}
	bkgdset(' ' | role_attr[ROLE_DEFAULT]);
}

void display_size(int *rows, int *cols)
{
	*rows = LINES;
	*cols = COLS;
}

void display_resize(int rows, int cols)
{
	if (rows > 0 && cols > 0)
		resizeterm(rows, cols);
	clearok(curscr, TRUE);
}

void display_clear(void)
{
	erase();
}

void display_flush(void)
{
	refresh();
}

void display_suspend(void)
{
	def_prog_mode();
	sgr_mouse(false);
	curs_set(1);
	endwin();
}

void display_resume(void)
{
	reset_prog_mode();
	curs_set(0);
	clearok(curscr, TRUE);
	refresh();
	sgr_mouse(true);
}

/*
 * Mouse reports in SGR form (mode 1006: "\e[<B;X;YM", X and Y in
 * decimal): the X10 form ncurses asks for with most terminfo entries puts
 * each coordinate in one byte, so a click past column 223 cannot be told.
 * Terminfo entries that know 1006 (kmous=\e[<) make ncurses read these
 * itself; with the others (tmux's screen, older xterm entries) the keys
 * come as ESC [ < ... and are read here.
 */
static const char sgr_mouse_on[] = "\033[?1006h", sgr_mouse_off[] = "\033[?1006l";
static struct { bool have; int y, x, button; } sgr_event;

static void sgr_mouse(bool on)
{
	if (!screen || script_out)
		return;
	fflush(stdout);
	const char *s = on ? sgr_mouse_on : sgr_mouse_off;
	if (write(1, s, strlen(s)) < 0) {
		/* No terminal to tell: clicks keep ncurses' own encoding. */
	}
}

/* After ESC: "[<B;X;YM" (a press) or "...m" (a release). False, every key put back, when it is not one. */
static bool read_sgr_mouse(bool *press)
{
	wint_t got[32];
	int n = 0, num[3] = { 0, 0, 0 }, field = 0, r;
	bool ok = false;
	while (n < (int)ARRAY_SIZE(got)) {
		/* Once "[<" came, the rest is on its way: wait for it a little (a slow link splits it). */
		wtimeout(stdscr, n >= 2 ? 100 : 0);
		r = wget_wch(stdscr, &got[n]);
		if (r == ERR)
			break;
		n++;
		wint_t c = got[n - 1];
		if (r == KEY_CODE_YES || (n == 1 && c != '[') || (n == 2 && c != '<'))
			break;
		if (n <= 2)
			continue;
		if (c >= '0' && c <= '9' && num[field] < 100000) {
			num[field] = num[field] * 10 + (int)(c - '0');
		} else if (c == ';' && field < 2) {
			field++;
		} else {
			ok = (c == 'M' || c == 'm') && field == 2;
			*press = c == 'M';
			break;
		}
	}
	nodelay(stdscr, TRUE);
	if (!ok) {
		while (n > 0)
			unget_wch((wchar_t)got[--n]);
		return false;
	}
	/* Button 0 is the left one, 64 and 65 the wheel; 32 added is a drag, which clicks nothing. */
	int b = num[0] & ~(4 | 8 | 16);   /* shift, meta, control */
	sgr_event.have = *press && (b == 0 || b == 64 || b == 65);
	sgr_event.button = b == 64 ? 4 : b == 65 ? 5 : 1;
	sgr_event.x = num[1] - 1;
	sgr_event.y = num[2] - 1;
	return true;
}

int display_getkey(void)
{
	wint_t ch;
	for (;;) {
		int r = wget_wch(stdscr, &ch);
		bool press;
		if (r == ERR)
			return -1;
		if (r == KEY_CODE_YES)
			return KEYFN((int)ch);
		if (ch != 27 || !read_sgr_mouse(&press))
			return (int)ch;
		if (sgr_event.have)
			return KEYFN(KEY_MOUSE);
		/* A release or a drag: nothing to do, read on. */
	}
}

bool display_mouse(int *y, int *x, int *button)
{
	MEVENT ev;
	if (sgr_event.have) {
		sgr_event.have = false;
		*y = sgr_event.y;
		*x = sgr_event.x;
		*button = sgr_event.button;
		return true;
	}
	if (getmouse(&ev) != OK)
		return false;
	*y = ev.y;
	*x = ev.x;
	if (ev.bstate & BUTTON4_PRESSED)
		*button = 4;
	else if (ev.bstate & BUTTON5_PRESSED)
		*button = 5;
	else
		*button = 1;
	return true;
}

int display_save(const char *path)
{
	FILE *f = fopen(path, "w");
	wchar_t *row;
	if (!f)
		return error("cannot write '%s': %m", path);
	row = xcalloc((size_t)COLS + 1, sizeof(*row));
	for (int y = 0; y < LINES; y++) {
		int n = mvinnwstr(y, 0, row, COLS);
		struct strbuf line = STRBUF_INIT;
		for (int i = 0; i < n && row[i]; i++) {
			char mb[MB_LEN_MAX];
			mbstate_t st;
			memset(&st, 0, sizeof(st));
			size_t k = wcrtomb(mb, row[i], &st);
			if (k != (size_t)-1)
				strbuf_add(&line, mb, k);
		}
		while (line.len && line.buf[line.len - 1] == ' ')
			line.buf[--line.len] = '\0';
		fprintf(f, "%s\n", line.buf);
		strbuf_release(&line);
	}
	free(row);
	return fclose(f) ? error("cannot write '%s': %m", path) : 0;
}

static attr_t attr_for(enum role role, bool escaped)
{
	if (row_role >= 0)
		return role_attr[row_role];
	return role_attr[escaped ? ROLE_ESCAPE : role];
}

int draw_text(const struct rect *r, int y, int x, enum role role, const char *s, size_t len)
{
	struct text_cell c;
	size_t pos = 0;
	if (y < 0 || y >= r->h || x >= r->w)
		return x;
	move(r->y + y, r->x + x);
	while (x < r->w && text_next_cell(s, len, &pos, x, &c)) {
		if (x + c.width > r->w) {
			/* A wide character or an escape that does not fit. */
			attrset(attr_for(role, false));
			while (x < r->w) {
				addch(' ');
				x++;
			}
			break;
		}
		attrset(attr_for(role, c.escaped));
		addnstr(c.s, (int)c.len);
		x += c.width;
	}
	return x;
}

int draw_str(const struct rect *r, int y, int x, enum role role, const char *s)
{
	return draw_text(r, y, x, role, s, strlen(s));
}

int draw_fmt(const struct rect *r, int y, int x, enum role role, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	x = draw_text(r, y, x, role, sb.buf, sb.len);
	strbuf_release(&sb);
	return x;
}

int draw_text_hl(const struct rect *r, int y, int x, enum role role, const char *s, size_t len,
		 const char *needle, enum role hl_role)
{
	size_t from = 0, n = needle ? strlen(needle) : 0;
	long at;
	while (n && (at = text_find(s, len, from, needle)) >= 0) {
		x = draw_text(r, y, x, role, s + from, (size_t)at - from);
		x = draw_text(r, y, x, hl_role, s + at, n);
		from = (size_t)at + n;
	}
	return draw_text(r, y, x, role, s + from, len - from);
}

void draw_fill(const struct rect *r, int y, int x, enum role role)
{
	if (y < 0 || y >= r->h)
		return;
	attrset(attr_for(role, false));
	for (; x < r->w; x++)
		mvaddch(r->y + y, r->x + x, ' ');
}

void draw_set_row_role(enum role role)
{
	row_role = (int)role;
}

void draw_cursor(int y, int x, bool visible)
{
	if (visible)
		move(y, x);
	curs_set(visible ? 1 : 0);
}

void draw_clear_row_role(void)
{
	row_role = -1;
}

/* OSC 52 payloads beyond this are cut by terminals (xterm's limit is about 100 kB). */
#define OSC52_MAX (74 * 1024)

int display_osc52(const char *text, size_t len)
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	struct strbuf seq = STRBUF_INIT;
	const unsigned char *s = (const unsigned char *)text;

	if (!screen || len > OSC52_MAX)
		return -1;
	strbuf_addstr(&seq, "\033]52;c;");
	for (size_t i = 0; i < len; i += 3) {
		unsigned v = (unsigned)s[i] << 16 | (i + 1 < len ? (unsigned)s[i + 1] << 8 : 0) |
			     (i + 2 < len ? s[i + 2] : 0);
		char quad[4] = { b64[v >> 18 & 63], b64[v >> 12 & 63], i + 1 < len ? b64[v >> 6 & 63] : '=',
				 i + 2 < len ? b64[v & 63] : '=' };
		strbuf_add(&seq, quad, 4);
	}
	strbuf_addstr(&seq, "\a");
	/* After ncurses' own output, straight to the terminal: it changes nothing on the screen. */
	FILE *out = script_out ? script_out : stdout;
	fflush(out);
	int r = write(fileno(out), seq.buf, seq.len) == (ssize_t)seq.len ? 0 : -1;
	strbuf_release(&seq);
	return r;
}
