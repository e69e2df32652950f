/*
 * script.c - the scripted mode: keys and commands from a file instead of
 * the keyboard (tig's :save-view), for exact and fast UI tests.
 *
 *     SLUICE_SCRIPT=steps COLUMNS=100 LINES=30 sluice -C repo
 *
 * Each line of the file is either keys, in the notation of keys.h
 * ("jj<Enter>", "/orders<Enter>"), or a command:
 *
 *     :save-screen FILE    write the screen's text to FILE
 *     :save-stats FILE     write the timings (first draw, keys) to FILE
 *     :resize COLS LINES   resize as a terminal would (SIGWINCH)
 *     :mouse ROW COL BUTTON  a click (1) or a wheel turn (4 up, 5 down) at a
 *                          0-based screen position, as ncurses reports it
 *     :wait                wait for a running scan or drift (done before every line)
 *     :quit
 *
 * Lines starting with '#' and blank lines are skipped. A scan (or a drift
 * computation) always finishes before the next line runs, so a script
 * sees settled screens.
 * At the end of the script sluice quits.
 */
#include "app.h"
#include "display.h"
#include "job.h"

#include <stdlib.h>
#include <string.h>

static FILE *script;
static int script_line;
static char *script_path;

int script_open(const char *path)
{
	script = fopen(path, "r");
	if (!script)
		return error("cannot open script '%s': %m", path);
	script_path = xstrdup(path);
	return 0;
}

void script_close(void)
{
	if (script)
		fclose(script);
	script = NULL;
	free(script_path);
	script_path = NULL;
}

static int save_stats(const char *path)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return error("cannot write '%s': %m", path);
	fprintf(f, "first_draw_ms %.3f\n", app.t_first_draw * 1e3);
	fprintf(f, "first_draw_epoch %.6f\n", app.wall_first_draw);
	fprintf(f, "first_data_ms %.3f\n", app.t_first_data * 1e3);
	fprintf(f, "keys %zu\n", app.keys);
	fprintf(f, "key_max_ms %.3f\n", app.key_max * 1e3);
	struct strbuf name = STRBUF_INIT;
	key_to_name(app.key_max_key, &name);
	fprintf(f, "key_max_key %s\n", name.buf);
	strbuf_release(&name);
	fprintf(f, "keys_over_16ms %zu\n", app.keys_slow);
	fprintf(f, "key_avg_ms %.3f\n", app.keys ? app.key_total / (double)app.keys * 1e3 : 0.0);
	return fclose(f) ? error("cannot write '%s': %m", path) : 0;
}

static void run_command(char *cmd)
{
	char *arg = strchr(cmd, ' ');
	if (arg)
		*arg++ = '\0';
	if (!strcmp(cmd, "save-screen") && arg) {
		app_redraw();
		display_save(arg);
	} else if (!strcmp(cmd, "save-stats") && arg) {
		save_stats(arg);
	} else if (!strcmp(cmd, "resize") && arg) {
		int cols = 0, rows = 0;
		if (sscanf(arg, "%d %d", &cols, &rows) == 2 && cols > 0 && rows > 0) {
			display_resize(rows, cols);
			app.dirty = true;
		} else {
			error("%s:%d: :resize takes COLS LINES", script_path, script_line);
		}
	} else if (!strcmp(cmd, "mouse") && arg) {
		int y, x, button;
		if (sscanf(arg, "%d %d %d", &y, &x, &button) == 3 && y >= 0 && x >= 0 &&
		    (button == 1 || button == 4 || button == 5)) {
			app_mouse(y, x, button);
			app.dirty = true;
		} else {
			error("%s:%d: :mouse takes ROW COL BUTTON (1, 4 or 5)", script_path, script_line);
		}
	} else if (!strcmp(cmd, "wait")) {
		jobs_finish();
	} else if (!strcmp(cmd, "quit")) {
		app.quit = true;
	} else {
		error("%s:%d: unknown script command ':%s'", script_path, script_line, cmd);
	}
}

static void run_keys(const char *p)
{
	const char *end;
	while (*p && !app.quit) {
		int key = key_parse(p, &end);
		if (key < 0) {
			error("%s:%d: bad key at '%s'", script_path, script_line, p);
			return;
		}
		/* A UTF-8 character typed into the prompt. */
		if (key >= 0x80 && !KEY_IS_FN(key) && *p != '<') {
			wchar_t wc;
			int n = mbtowc(&wc, p, strlen(p));
			if (n > 0) {
				key = (int)wc;
				end = p + n;
			}
		}
		app_key(key);
		p = end;
	}
}

bool script_step(void)
{
	struct strbuf line = STRBUF_INIT;
	int c;
	if (!script || feof(script))
		return false;
	while ((c = getc(script)) != EOF && c != '\n')
		strbuf_addch(&line, c);
	if (c == EOF && !line.len) {
		strbuf_release(&line);
		return false;
	}
	script_line++;
	if (line.buf[0] == ':')
		run_command(line.buf + 1);
	else if (line.len && line.buf[0] != '#')
		run_keys(line.buf);
	strbuf_release(&line);
	return !app.quit;
}
