/*
 * keys.h - requests and the keys bound to them (tig's REQ_INFO).
 *
 * Every action of the workbench is a request in the table below, with its
 * settings name, its default keys and a line of help. The help screen is
 * generated from this table and from the live bindings, so it cannot go
 * stale. `sluice.bind.<request> = <key> [<key>...]` adds bindings, e.g.
 * `sluice.bind.move-down = <C-n>`; a key bound that way leaves its old
 * request.
 *
 * Key names: a printable character as itself ("j", "?", "G"), or <Enter>,
 * <Tab>, <BTab>, <Esc>, <Space>, <Up>, <Down>, <Left>, <Right>, <PgUp>,
 * <PgDn>, <Home>, <End>, <Backspace>, <F1>..<F12>, <C-x> for Ctrl-x.
 */
#ifndef SLUICE_TUI_KEYS_H
#define SLUICE_TUI_KEYS_H

#include <stdbool.h>
#include "util.h"

struct config;

#define REQ_INFO(X) \
	X(REQ_MOVE_DOWN, "move-down", "j <Down>", "Move down one line") \
	X(REQ_MOVE_UP, "move-up", "k <Up>", "Move up one line") \
	X(REQ_PAGE_DOWN, "move-page-down", "<PgDn> <Space>", "Move down one page") \
	X(REQ_PAGE_UP, "move-page-up", "<PgUp> b", "Move up one page") \
	X(REQ_HALF_DOWN, "move-half-page-down", "<C-d>", "Move down half a page") \
	X(REQ_HALF_UP, "move-half-page-up", "<C-u>", "Move up half a page") \
	X(REQ_FIRST, "move-first-line", "g <Home>", "Move to the first line") \
	X(REQ_LAST, "move-last-line", "G <End>", "Move to the last line") \
	X(REQ_NEXT_STMT, "next-statement", "] J", "Move to the next statement") \
	X(REQ_PREV_STMT, "previous-statement", "[ K", "Move to the previous statement") \
	X(REQ_LEFT, "left", "h", "Pane to the left, or back") \
	X(REQ_RIGHT, "right", "l", "Pane to the right, or open") \
	X(REQ_NEXT_PANE, "next-pane", "<Tab>", "Focus the next pane") \
	X(REQ_PREV_PANE, "previous-pane", "<BTab>", "Focus the previous pane") \
	X(REQ_ENTER, "enter", "<Enter>", "Open the migration, or the reference in $EDITOR") \
	X(REQ_EDIT, "edit", "e", "Open the file at this line in $EDITOR") \
	X(REQ_SEARCH, "search", "/", "Search (SQL text, names, references)") \
	X(REQ_FIND_NEXT, "find-next", "n", "Next search match") \
	X(REQ_FIND_PREV, "find-previous", "N", "Previous search match") \
	X(REQ_TOGGLE_ALL, "toggle-all", "a", "Show all migrations / only pending ones") \
	X(REQ_RESCAN, "rescan", "r", "Scan and judge again") \
	X(REQ_DRAFT, "draft", "d", "Draft a safer split: expand / migrate / contract") \
	X(REQ_DRAFT_DOWN, "draft-down", "u", "Draft the down migration") \
	X(REQ_DRAFT_RUNBOOK, "draft-runbook", "R", "Draft a runbook for the migration") \
	X(REQ_DRAFT_LLM, "draft-llm", "L", "Ask the configured LLM for a draft (Esc cancels)") \
	X(REQ_TOGGLE_FILE, "toggle-file", "x", "Draft: select or leave out this file") \
	X(REQ_ACCEPT, "accept", "A", "Draft: write the selected files and commit them") \
	X(REQ_DRAFT_SHADOW, "draft-verify", "V", "Draft: run it on the shadow database (up, down, locks)") \
	X(REQ_DRIFT, "drift", "D", "Schema drift against the live database (--db)") \
	X(REQ_HELP, "help", "? <F1>", "Show this help") \
	X(REQ_REDRAW, "redraw", "<C-l>", "Redraw the screen") \
	X(REQ_BACK, "back", "q <Esc>", "Close this screen; q on the list quits (Esc never does)") \
	X(REQ_QUIT, "quit", "Q", "Quit sluice") \
	X(REQ_UNDO, "undo", "U", "Undo sluice's own last commit (while it is HEAD and untouched)") \
	X(REQ_SCROLL_LEFT, "scroll-left", "<Left>", "Scroll long lines left (SQL, diff, runbook); else as h") \
	X(REQ_SCROLL_RIGHT, "scroll-right", "<Right>", "Scroll long lines right (SQL, diff, runbook); else as l") \
	X(REQ_WRAP, "wrap", "w", "Wrap long lines in the SQL, diff and runbook panes, or scroll them (toggle)") \
	X(REQ_FILTER, "filter", "f", "Filter the list: text in the files, sev:high[+], rule:ID, table:NAME, !word") \
	X(REQ_NEXT_MIGRATION, "next-migration", "}", "Open the next migration of the list") \
	X(REQ_PREV_MIGRATION, "previous-migration", "{", "Open the previous migration of the list") \
	X(REQ_OPEN_DOWN, "open-down", "o", "Show the migration's down file (o again: its up)") \
	X(REQ_BASE_DIFF, "base-diff", "=", "The migration's diff against the base branch") \
	X(REQ_COPY, "copy", "y", "Copy the statement (s), its fix (f) or file:line (l) to the clipboard (OSC 52)")

enum request {
	REQ_NONE,
#define X(id, name, keys, help) id,
	REQ_INFO(X)
#undef X
	REQ__COUNT
};

const char *request_name(enum request r);
const char *request_help(enum request r);
/* -1 when unknown. */
int request_parse(const char *name);

/* Default bindings, then sluice.bind.* from cfg (may be NULL); bad ones go to *errors. */
void keys_init(const struct config *cfg, struct strlist *errors);
enum request keys_request(int key);
/* The keys bound to a request, as names separated by spaces (for help). */
void keys_describe(enum request r, struct strbuf *out);
/* Key name <-> code (codes as display_getkey() returns them). -1 when unknown. */
int key_parse(const char *name, const char **end);
void key_to_name(int key, struct strbuf *out);
void keys_release(void);

#endif
