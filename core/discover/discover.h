/*
 * discover.h - finding migrations: by layout, in a git repository or on disk.
 *
 * A migration_set holds every migration found, in apply order, each marked
 * pending when it is new or changed on the current branch (against the
 * merge-base with the base branch) or uncommitted in the working tree. The
 * non-pending ones are the history the schema model is built from.
 *
 * This is the one header of core/discover/ the rest of sluice includes;
 * after discovery come the SQL that migration tools print (sqlgen) and a
 * file against the base branch (basediff). What only core/discover/ uses is
 * in its *_int.h headers (discover_int.h, sqlgen_int.h, rails_int.h).
 */
#ifndef SLUICE_DISCOVER_H
#define SLUICE_DISCOVER_H

#include <stdbool.h>
#include <stddef.h>
#include "model.h"
#include "textdiff.h"
#include "util.h"

struct discover_priv;

struct migration_set {
	struct migration **v;
	size_t nr, alloc;
	char *workdir;       /* repository work tree, with a trailing '/' ; NULL for paths */
	char *branch;        /* current branch name; NULL when detached */
	char *base;          /* base ref used, e.g. "origin/main" */
	char *merge_base;    /* hex commit id */
	char *head;          /* hex commit id of HEAD */
	struct strlist dirs; /* migration directories found (repo-relative) */
	struct strlist errors; /* "path:line: message" for files that could not be read */
	struct discover_priv *priv; /* discover.c's sort and pairing data, markers */
	/* Set when no merge-base was found (no base branch, a shallow clone):
	 * why, and how to fix it. Every committed migration then counts as
	 * history, so `sluice check` refuses to pass on it (cmd_check.c);
	 * drift, which reads the whole history, goes on. */
	char *no_base;
};

void migration_set_init(struct migration_set *ms);
void migration_set_release(struct migration_set *ms);
size_t migration_set_pending(const struct migration_set *ms);

/*
 * Classifies one file by its path and text, appending to `ms`: a
 * golang-migrate pair member, a goose file with its Up and Down sections,
 * a Flyway V/U/R file, ... Returns 0 when it is a migration, 1 when the
 * path is not one, -1 on error (message in ms->errors).
 */
int discover_add_file(struct migration_set *ms, const char *relpath,
		      const char *text, size_t len, bool from_worktree);
/*
 * discover_add_file() for a file named on the command line: it counts as a
 * migration wherever it is (a draft's files are judged so before they are
 * in the repository).
 */
int discover_add_named(struct migration_set *ms, const char *relpath,
		       const char *text, size_t len, bool from_worktree);

/* Files and directories named on the command line (no git needed). */
int discover_paths(struct migration_set *ms, const char *const *paths, size_t n);

/*
 * The repository containing `path`: all migrations, pending ones marked.
 * `base` NULL means: sluice.base, then the remote HEAD, then main, then master.
 */
int discover_repo(struct migration_set *ms, const char *path, const char *base);

/* Sorts into apply order and pairs ups with downs (after adding files). */
void discover_finish(struct migration_set *ms);

/* ---- SQL printed by the migration tools (sqlgen*.c) ---- */

/*
 * Migrations whose SQL a tool prints (Django's sqlmigrate, Alembic's offline
 * mode, knex, sluice.sqlFrom): the stage that runs the tools, between discovery
 * and judging (check_prepare()).
 *
 * Discovery (core/discover/discover_tool.c) finds these files without settings; here,
 * with the user's settings read, each pending one gets its script replaced
 * by the SQL the tool prints, each line mapped back to the line of the
 * migration file it came from (struct script_origin), its transaction as the
 * tool runs it. The history's get their up's SQL too, when their tool's
 * command is set, so that the schema model knows the tables they made:
 * kept across runs (sqlgen_cache.c), at most HISTORY_RUNS_MAX tool runs a
 * check; one that gets none is history without SQL, its tables taken to
 * hold rows.
 *
 * A tool that is missing, fails, times out or prints too much leaves that
 * migration NOT JUDGED (ms->errors, naming it and why); the rest are judged.
 *
 * The commands come only from the user's own git config, the environment or
 * the command line, never from a repository's .sluice (key_rules in
 * core/settings.c), and run through core/run_command.c with an argv: a file
 * name is one argument, never read by a shell.
 */

struct check_run;

void sqlgen_prepare(struct check_run *run);

/* For a caller that runs no tools: their migrations are kept as history without SQL. */
void sqlgen_forget(struct migration_set *ms);

/* ---- a file against the base branch (basediff.c) ---- */

/*
 * A migration file against the base branch (the workbench's `=`): what the
 * branch changed in it, as `git diff <merge-base> -- path` shows it with the
 * work tree's edits included.
 *
 * The base side is the file at the merge-base the scan found (under its
 * old name when the branch renamed it); a file the base does not have is
 * all additions. The work-tree side is read from disk now, so the diff
 * shows an edit the scan has not judged yet.
 */

struct base_diff {
	struct text_diff diff;
	bool new_file;       /* the base has no such file */
	bool removed;        /* the work tree has none any more */
};

/*
 * Diffs `path` (work-tree relative) in the repository at `workdir`
 * against `base_path` (the same, or its name before a rename) at commit
 * `merge_base` (hex), with `context` lines. Returns 0, or -1 with why in
 * *why (no repository, no such commit, a file too big).
 */
int base_diff(const char *workdir, const char *merge_base, const char *path, const char *base_path,
	      int context, struct base_diff *out, struct strbuf *why);
void base_diff_release(struct base_diff *d);

#endif
