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
 *
 * This is the one header of core/draft/ the rest of sluice includes; after
 * the drafts themselves come their placeholders (--set), drafting part of
 * a migration, running a draft on a shadow database, and accepting it into
 * the repository. What only core/draft/ uses is in its *_int.h headers.
 */
#ifndef SLUICE_DRAFT_H
#define SLUICE_DRAFT_H

#include <stdbool.h>
#include "check.h"
#include "db.h"
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
	char *shadow;         /* one line: how it ran on a shadow database (draft_shadow_run), or NULL */
	bool needs_input;     /* holds a placeholder (below): `failed` says which value */
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
					 (--set), or NULL: see the placeholders below */
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

/* ---- placeholders and --set (draft_input.c) ---- */

/*
 * Values only a person can choose, in drafts.
 *
 * Some drafts need a value sluice cannot invent: the value existing rows
 * get in a new NOT NULL column. The draft then holds a placeholder, the
 * call sluice_draft_placeholder('users.plan') where the value goes (a
 * function no database has: the statement fails rather than guess), and
 * the draft is NEEDS INPUT: never verified, written or committed until the
 * engineer gives the value (`sluice draft --set users.plan="'free'"`, or
 * by editing the file in the workbench). A placeholder that reaches a
 * migration anyway is a BLOCKER (rule draft-placeholder).
 */

#define DRAFT_PLACEHOLDER_FN "sluice_draft_placeholder"

/* The placeholder for the value of `what` ("users.plan"), as SQL; malloc'd. */
char *draft_placeholder(const char *what);
/*
 * Where `sql` holds a placeholder (or the older RAISE EXCEPTION 'sluice
 * draft: choose the value ...' one): true, with the name it stands for
 * added to `names` once (when `names` is not NULL).
 */
bool draft_find_placeholders(const char *sql, struct strlist *names);

/*
 * One --set NAME=EXPR: checks that NAME is table.column and EXPR one SQL
 * expression (parsed as such: no second statement rides along). 0, or -1
 * with why in *err.
 */
int draft_value_check(const char *assignment, struct strbuf *err);
/* The expression given for `what` in `values` ("users.plan='free'" items), or NULL. */
const char *draft_value_for(const struct strlist *values, const char *what);
/* Is the expression constant enough to be stored as a column's default (not volatile)? */
bool draft_value_is_constant(const char *expr);

/* ---- drafting part of a migration (draft_subset.c) ---- */

/*
 * May these files of a draft be committed without the others?
 *
 * A draft is a sequence of steps that lean on one another: VALIDATE
 * CONSTRAINT needs the ADD CONSTRAINT ... NOT VALID before it, a backfill
 * needs the column it fills, a down migration needs its up. When the
 * engineer leaves files out (x in the workbench), the files kept must not
 * use what only a left-out file creates. The check is on the draft's own
 * text: what each file creates (constraints, indexes, columns, tables)
 * against what the kept files use, and each down against its up (paired by
 * discovery, as the repository's framework pairs them).
 */

/*
 * 0 when the files marked in `selected` (one flag per d->files) stand on
 * their own; -1 with why in `why`, naming the kept file, what it uses and
 * the left-out file that provides it ("select it too, or leave this one out").
 */
int draft_subset_check(const struct draft *d, const bool *selected, struct strbuf *why);

/* ---- a draft on a shadow database (draft_shadow.c, draft_run.c) ---- */

/*
 * A draft run for real on a shadow database before anyone accepts it.
 *
 * The static re-judging (draft_verify) trusts the schema model; the shadow
 * does not. The history before the drafted migration is applied as it is,
 * then the draft's migrations as they would land in the repository (the
 * rewritten target, the new numbered ones, and the target's own scripts the
 * draft leaves alone), each up with its locks traced, then its down, and the
 * catalogue after the down is compared with the one before the up. The
 * draft fails when a statement does not apply (shadow-apply-error), a down
 * does not undo its up (down-mismatch) or a lock is stronger than sluice
 * predicted (lock-mismatch): everything core/db/shadow_verify.c finds.
 *
 * Three steps, so that the workbench can run the slow one on a worker
 * thread: prepare reads the draft context (which points into the judged
 * run) and owns copies of everything after it; run touches only the
 * struct draft_shadow; finish draws the conclusion into the draft.
 */

struct draft_shadow {
	struct check_run run;    /* the history, then the draft as pending migrations */
	size_t history;          /* run.ms.v[0..history) are the applied history */
	size_t pending;          /* how many of the draft's migrations have an up script */
	bool verified;           /* the shadow stage ran (its traces: run.db.v) */
	double open_seconds;     /* creating the scratch database (or starting a cluster) */
	bool own_cluster;        /* a throwaway cluster sluice started */
	char *error;             /* why it could not be verified: no server, history fails */
};

/*
 * Copies the history of ctx->target and the draft's SQL files into a
 * check_run, to be judged by draft_shadow_run(). -1 when the draft holds nothing to run (a
 * runbook): ds->error says so.
 */
int draft_shadow_prepare(struct draft_shadow *ds, const struct draft_ctx *ctx,
			 const struct draft *d);
/*
 * Judges the run with the whole pipeline, the shadow stage on
 * `shadow_url`'s server (or a throwaway cluster when NULL), exactly as
 * `sluice verify` would judge the draft once accepted. Any thread.
 * -1: ds->error.
 */
int draft_shadow_run(struct draft_shadow *ds, const char *shadow_url);
/*
 * What the run means for the draft: the one-line summary into *summary
 * ("shadow: 4 migrations applied up and down on PostgreSQL 15.4 ... round
 * trip ok"), and draft_fail() naming the first file:line that failed.
 * Returns 0 passed, 1 the draft failed, -1 it could not be verified
 * (*summary says why; the draft is left as it was).
 */
int draft_shadow_finish(struct draft_shadow *ds, struct draft *d, struct strbuf *summary);
void draft_shadow_release(struct draft_shadow *ds);

/*
 * The run a draft is judged in (core/draft/draft_run.c): copies of the migrations
 * before ctx->target (pending as in the repository when history_pending,
 * else all applied history), then the draft's migrations (the original
 * target when d is NULL), all pending, in run (which this initialises).
 * Returns how many of run->ms.v are the history.
 */
size_t draft_run_prepare(struct check_run *run, const struct draft_ctx *ctx, const struct draft *d,
			 bool history_pending);
/* Is fr one of the draft's files (a migration after the first `history`)? */
bool draft_run_file(const struct check_run *run, size_t history, const struct file_report *fr);

/* The three steps at once (the CLI). Same return as draft_shadow_finish(). */
int draft_verify_shadow(const struct draft_ctx *ctx, struct draft *d, const char *shadow_url,
			struct strbuf *summary);

/* ---- accepting a draft (commit.c) ---- */

/*
 * Accepting a draft: write its files and make one commit.
 *
 * The one place sluice writes to a repository, so the rules are strict:
 * refuse when a file to be written has uncommitted changes (or is an
 * untracked file of the user's), never commit on a detached HEAD or on a
 * branch other than the one the caller showed, keep file modes, and leave
 * the working tree, the index and the branch exactly as they were when
 * anything fails. The commit is built from HEAD's tree plus the draft's
 * files, not from the index, so nothing the user staged rides along.
 */

/*
 * The draft's declared set: the migration under review, whose scripts it
 * may rewrite (paths given like the draft's). Besides those, a draft may
 * only add new migrations that apply after it (and new files that are not
 * SQL, e.g. a runbook): an applied migration or other SQL of the project is
 * refused, naming the file.
 */
struct commit_scope {
	const char *up;
	const char *down;    /* NULL when it has none yet */
};

/*
 * Writes d's files (paths relative to the current directory, or absolute,
 * inside the repository at `repo_path`) and commits them on
 * `expected_branch` with `message`; author and committer from git config.
 * Returns 0, or -1 with a one-line message printed and the repository
 * (refs, index, work tree) unchanged.
 */
int commit_draft(const char *repo_path, const struct draft *d, const struct commit_scope *scope,
		 const char *expected_branch, const char *message);

/*
 * The checks commit_draft() makes before it writes, made before a draft is
 * even asked for (a model's answer costs time and money): the branch is
 * `expected_branch` and not detached, and the migration under review has
 * no uncommitted changes. 0, or -1 with a one-line message printed.
 */
int commit_check_ready(const char *repo_path, const struct commit_scope *scope,
		       const char *expected_branch);

/*
 * Every commit sluice makes ends with this trailer, naming the migration
 * the draft was for, so that `sluice undo` recognises its own commits.
 */
#define COMMIT_TRAILER "Sluice-Draft"
/* Appends "Sluice-Draft: <migration>" as the last paragraph, unless msg has one. */
void commit_add_trailer(struct strbuf *msg, const char *migration);

/* A commit message's subject line is at most this many characters. */
#define COMMIT_SUBJECT_MAX 72
/* 0 when `msg` has a subject of at most 72 characters and a blank line after it; else -1, why. */
int commit_message_check(const char *msg, struct strbuf *why);

/*
 * Undoes sluice's own last commit: only while HEAD (on a branch) is that
 * commit (a Sluice-Draft: trailer, one parent) and none of the files it
 * changed has changed since (work tree and index). The files go back to
 * the parent's content (the ones it added are removed, with directories
 * left empty), the index entries too, and the branch moves back to the
 * parent, with the same care as commit_draft(). 0 with what was done in
 * `done`; -1 with why printed and nothing changed.
 */
int commit_undo(const char *repo_path, struct strbuf *done);

/* The work tree of the repository containing `path`, or NULL. */
char *commit_workdir(const char *path);

/* The checked-out branch's short name, or NULL (detached, unborn, no repository). */
char *commit_current_branch(const char *repo_path);

#endif
