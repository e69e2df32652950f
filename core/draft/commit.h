/*
 * commit.h - accepting a draft: write its files and make one commit.
 *
 * The one place sluice writes to a repository, so the rules are strict:
 * refuse when a file to be written has uncommitted changes (or is an
 * untracked file of the user's), never commit on a detached HEAD or on a
 * branch other than the one the caller showed, keep file modes, and leave
 * the working tree, the index and the branch exactly as they were when
 * anything fails. The commit is built from HEAD's tree plus the draft's
 * files, not from the index, so nothing the user staged rides along.
 */
#ifndef SLUICE_COMMIT_H
#define SLUICE_COMMIT_H

struct draft;

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
struct strbuf;
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
