/*
 * discover.h - finding migrations: by layout, in a git repository or on disk.
 *
 * A migration_set holds every migration found, in apply order, each marked
 * pending when it is new or changed on the current branch (against the
 * merge-base with the base branch) or uncommitted in the working tree. The
 * non-pending ones are the history the schema model is built from.
 */
#ifndef SLUICE_DISCOVER_H
#define SLUICE_DISCOVER_H

#include <stdbool.h>
#include <stddef.h>
#include "model.h"
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

#endif
