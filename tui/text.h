/*
 * text.h - making text from files safe to draw and measuring it.
 *
 * SQL files, application code and LLM answers may hold control bytes,
 * terminal escape sequences, invalid UTF-8 and wide characters. Before
 * anything reaches the terminal it is cut into cells here: printable
 * characters pass with their wcwidth() width, everything else becomes a
 * visible escape (`\e`, `^M`, `\x9b`) drawn in the escape role, so a file
 * can never move the cursor or change the terminal's state (nnn's
 * unescape() does the same).
 */
#ifndef SLUICE_TUI_TEXT_H
#define SLUICE_TUI_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#define TEXT_TABSTOP 8

/* One drawable piece: `len` bytes of `s` that are `width` columns wide. */
struct text_cell {
	const char *s;
	size_t len;
	int width;
	bool escaped;   /* s is our own escape text, not the input */
	char buf[12];   /* holds the escape text when escaped */
};

/*
 * Decodes the cell starting at text[*pos] (len bytes in all) at display
 * column `col` (for tabs), advancing *pos. Returns false at the end.
 */
bool text_next_cell(const char *text, size_t len, size_t *pos, int col, struct text_cell *c);
/* Display width of `len` bytes as drawn (escapes and tabs included). */
int text_width(const char *text, size_t len);
/* Bytes of `text` that the first `cols` display columns take (horizontal scrolling). */
size_t text_skip_cols(const char *text, size_t len, int cols);
/* The same for a C string. */
int text_width_of(const char *s);
/* Byte offset of the first case-insensitive match of needle at or after from; -1 if none. */
long text_find(const char *hay, size_t len, size_t from, const char *needle);

/*
 * Appends `path`, at most `room` columns wide: whole when it fits, else
 * its tail after "…", cut at a directory boundary ("…/migrations/0042_x.sql")
 * unless that would leave a third of the room unused ("…0042_add_x/up.sql").
 */
struct strbuf;
void text_shorten_path(struct strbuf *out, const char *path, int room);

/*
 * Word wrap: the end of the row that starts at `start` and is at most
 * `room` columns wide (breaking at the last space, or mid-word when a word
 * is wider than the row); then where the next row starts.
 */
size_t text_wrap(const char *text, size_t len, size_t start, int room);
size_t text_wrap_skip(const char *text, size_t len, size_t end);

#endif
