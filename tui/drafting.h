/*
 * drafting.h - the draft the workbench shows: made, streamed, edited,
 * accepted.
 *
 * One draft at a time. A built-in draft (split, down, runbook) is made and
 * verified at once; an LLM draft streams in through the event loop's
 * poller, so keys keep working, and is parsed and verified when the answer
 * is complete. Each file of the draft carries its diff against the file in
 * the work tree and whether the engineer selected it. Accepting commits
 * the selected files on the branch shown in the status line (core/draft/commit.c
 * refuses anything that would lose work), then rescans.
 *
 * The draft names its migration by the up script's path, not by pointers
 * into app.run: a rescan replaces app.run while the draft is open.
 */
#ifndef SLUICE_TUI_DRAFTING_H
#define SLUICE_TUI_DRAFTING_H

#include <stdbool.h>
#include "draft.h"
#include "keys.h"
#include "themes/roles.h"
#include "textdiff.h"
#include "llm/llm.h"

struct entry;

enum drafting_state {
	DRAFTING_NONE,
	DRAFTING_STREAMING,   /* the model's answer is arriving */
	DRAFTING_READY,       /* verified: may be accepted */
	DRAFTING_FAILED,      /* shown with why; cannot be accepted */
};

struct drafting_file {
	bool selected;
	bool edited;          /* changed in $EDITOR since it was drafted */
	bool exists;          /* replaces a file of the work tree */
	struct text_diff diff;
};

struct drafting {
	enum drafting_state state;
	enum request kind;            /* REQ_DRAFT, REQ_DRAFT_DOWN, ... */
	char *migration;              /* the up script's path */
	struct draft d;
	struct drafting_file *files;  /* one per d.files */
	/* An LLM draft. */
	struct llm_config lc;
	bool have_lc;
	struct llm_stream *stream;
	struct strbuf answer;         /* what the model said so far */
	double started;
	/* Values the engineer gave for NEEDS INPUT placeholders: "users.plan='free'". */
	struct strlist values;
	bool touched;                 /* edited or given a value: ask before discarding */
};

extern struct drafting drafting;

/* drafting_ctx() failed: a rescan dropped the migration (format, with its path). */
#define DRAFTING_GONE "'%s' is no longer among the judged migrations (rescanned?)"

/* Starts a draft of `kind` for the entry and opens the draft screen. */
void drafting_start(const struct entry *e, enum request kind);
void drafting_toggle(size_t file);
/* Opens the file's draft text in $EDITOR, then verifies the draft again. */
void drafting_edit(size_t file);
/*
 * A on the draft screen: refuses what can never be committed (a failed
 * draft, a draft still arriving, a detached HEAD), asks for a NEEDS INPUT
 * value first, else opens the confirmation (tui/accepting.c).
 */
void drafting_accept(void);
/* Asks for the next value a NEEDS INPUT draft needs (a prompt), then drafts again with it. */
void drafting_ask_value(void);
/* Verifies `d` the way the draft's kind is verified (split: safer; down: parses; runbook: prose). */
void drafting_verify(struct draft *d);
/* The selected files as a draft of their own (strings borrowed; absolute: paths in the work tree). */
void drafting_selection(struct draft *sel, bool absolute);
void drafting_selection_free(struct draft *sel, bool absolute);
/* q or Esc on the draft screen: asks first when the draft was edited, then discards it. */
void drafting_close(void);

/*
 * Accepting, step two (tui/accepting.c): the confirmation screen lists the
 * exact files, the verification of the selected subset (again on every
 * x; a subset whose files depend on a left-out one is refused, naming it)
 * and the commit message, which e opens in $EDITOR. A there commits.
 */
struct accepting {
	struct strbuf message;        /* as it will be committed */
	bool message_edited;          /* by the engineer: x no longer redrafts it */
	char *refused;                /* why the selection cannot be committed, or NULL */
	enum severity after;          /* the selection's worst finding once verified */
	size_t selected, files;       /* how many of how many */
};
extern struct accepting accepting;
void accepting_open(void);
void accepting_toggle(size_t file);
void accepting_edit_message(void);
void accepting_commit(void);
void accepting_release(void);
/* Stops a streaming answer; false when nothing was streaming. */
bool drafting_cancel(void);
/* Forgets the draft (cancelling a stream). */
void drafting_release(void);
/* The draft context for the draft's migration in app.run; false when a rescan dropped it. */
bool drafting_ctx(struct draft_ctx *ctx);

/*
 * The draft on the shadow database (tui/draftshadow.c, key V): --shadow's
 * server, in a worker thread. A failure there fails the draft.
 */
void draftshadow_start(void);
bool draftshadow_busy(void);
/* The files pane's "Shadow:" line while it runs or once it ran; false: nothing to show. */
bool draftshadow_note(enum role *role, struct strbuf *out);
/* The draft changed or went: a run under way, or its result, no longer applies. */
void draftshadow_forget(void);
/* Waits for a run under way (quitting). */
void draftshadow_release(void);

#endif
