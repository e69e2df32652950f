/*
 * draft.h - safer rewrites of a migration: split, down, runbook.
 *
 * A draft is a set of files to write into the repository: the migration
 * rewritten as an expand / migrate / contract sequence in the repository's
 * own layout and numbering (draft_split), the down migrations (draft_down),
 * or a Markdown runbook (draft_runbook). LLM drafts (llm/) fill the same
 * struct. Every SQL draft is re-judged by the engine before it may be
 * accepted (draft_verify): one that does not parse or is no safer than the
 * original is marked failed, with why.
 *
 * No network, no curses: the CLI and the workbench both call this.
 */
#ifndef SLUICE_DRAFT_H
#define SLUICE_DRAFT_H

#include <stdbool.h>
#include "discover.h"
#include "judge.h"
#include "model.h"
#include "schema.h"
#include "util.h"

struct draft_file {
	char *path;          /* where to write it, relative like the migration's own path */
	char *text;
	char *purpose;       /* one line: "expand: add 'status' nullable" */
	bool sql;            /* re-judge it (runbooks and .conf files are not SQL) */
	bool replaces;       /* overwrites an existing file (the original migration) */
	bool no_txn;         /* the framework runs it outside a transaction (our marker) */
	enum direction dir;
};

struct draft {
	char *title;         /* "split 2 statements into 4 migrations" */
	char *origin;        /* "built-in" or "llm openai gpt-4o" */
	struct draft_file *files;
	size_t nr, alloc;
	struct strlist notes; /* warnings shown with the draft (data loss, assumptions) */
	enum severity before; /* worst severity of the original */
	enum severity after;  /* worst over the draft's SQL files, after draft_verify */
	char *failed;         /* non-NULL: cannot be accepted, and why */
	char *shadow;         /* one line: how it ran on a shadow database (draft_shadow.h), or NULL */
	bool needs_input;     /* holds a placeholder (draft_input.h): `failed` says which value */
	bool already_safe;    /* no draft because none is needed: `failed` says why */
};

/*
 * What a draft is made from: the migration set (for layout and numbering),
 * which migration to rewrite, the judge's options and the original's
 * report (its findings say which statements are risky).
 */
struct draft_ctx {
	const struct migration_set *ms;
	size_t target;               /* index into ms->v */
	const struct judge_opts *opts;
	const struct file_report *report; /* the judged up script of the target */
	const struct schema *stats;  /* table statistics from a database, or NULL */
	const struct strlist *values; /* "table.column=expression" given by the engineer
					 (--set), or NULL: see draft_input.h */
	const char *runbook_dir;     /* sluice.runbookDir; NULL: docs/runbooks */
};

void draft_init(struct draft *d);
void draft_release(struct draft *d);
struct draft_file *draft_add_file(struct draft *d, const char *path, char *text,
				  const char *purpose, bool sql);
void draft_fail(struct draft *d, const char *fmt, ...) ATTR_PRINTF(2, 3);

/* The schema as the history before migration `upto` leaves it (its up scripts replayed). */
void draft_history_schema(const struct migration_set *ms, size_t upto, struct schema *out);

/* The rewrite into safe steps. Returns 0, or -1 when nothing needed rewriting (d->failed says why). */
int draft_split(const struct draft_ctx *ctx, struct draft *d);
/* Down migrations for the target's up script, with data-loss blocks for irreversible statements. */
int draft_down(const struct draft_ctx *ctx, struct draft *d);
/* A Markdown runbook for the target as it is (or for a split draft when `split` is given). */
int draft_runbook(const struct draft_ctx *ctx, const struct draft *split, struct draft *d);

/* The built-in drafts, by what they rewrite. */
enum draft_what { DRAFT_SPLIT, DRAFT_DOWN, DRAFT_RUNBOOK };

/*
 * Builds a built-in draft and verifies it the way its kind is verified: a
 * split must be safer than ctx->report (draft_verify), a down must parse, a
 * runbook (prose) is written for the verified split when there is one.
 */
void draft_builtin(const struct draft_ctx *ctx, enum draft_what what, struct draft *d);

/*
 * Re-judges every SQL file of the draft, in order, on the schema the
 * history leaves; sets d->after and marks the draft failed when a file does
 * not parse or when it is no safer than d->before.
 */
void draft_verify(const struct draft_ctx *ctx, struct draft *d);
/* Only checks that every SQL file parses (down drafts: there is nothing to compare). */
void draft_verify_parse_only(struct draft *d);

/* The commit message for accepting d, drafted for the migration at `file`. */
void draft_commit_message(const struct draft *d, const char *file, struct strbuf *msg);

/* Text of the draft for a terminal or a pipe: each file under a header line. */
void draft_print(FILE *out, const struct draft *d);
/* Writes the files under `dir` (paths kept relative). Returns 0 or -1 with a message. */
int draft_write_dir(const struct draft *d, const char *dir);

/*
 * How the repository names, numbers and marks the migration being drafted,
 * for whoever writes new ones beside it (the LLM prompt, llm/prompt.c):
 * filled by draft_conventions() from the migration set, released with
 * draft_conventions_release().
 */
struct draft_conventions {
	enum framework fw;
	char *dir;                  /* directory of the migration, with '/' (or "") */
	int width;                  /* digits of its number */
	bool dashed;                /* diesel's 2024-01-02-030405 */
	unsigned long long max;     /* highest number in the directory */
	const char *no_txn_marker;  /* the line that starts a file run outside a transaction,
				       or NULL when the framework has none: then no_txn_how */
	const char *no_txn_how;     /* how else a migration runs outside a transaction */
};
void draft_conventions(const struct migration_set *ms, size_t target, struct draft_conventions *out);
void draft_conventions_release(struct draft_conventions *c);

/* SQL text helpers (core/draft/draft_sql.c), also used by llm/. */
void sql_add_ident(struct strbuf *sb, const char *ident);      /* quote_ident() */
void sql_add_literal(struct strbuf *sb, const char *s);       /* quote_literal() */
/* "schema.name" from a dotted name the schema model keeps, each part quoted as needed. */
void sql_add_qualified(struct strbuf *sb, const char *dotted);
/* Does `sql` parse? On failure *why (malloc'd) gets the parser's message. */
bool sql_parses(const char *sql, char **why);

#endif
