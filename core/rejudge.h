/*
 * rejudge.h - noticing that judged files changed on disk, and finding the
 * same statement again in the file judged anew.
 *
 * The workbench re-judges when the engineer comes back from $EDITOR and
 * when a file changes under it (another editor, git checkout). To notice,
 * it keeps each judged file's stamp (mtime, size, inode: an editor that
 * saves by rename changes the inode, one that saves in the same second
 * may keep the mtime but rarely the size) and compares a few times a
 * second: one stat() per judged file, nothing more.
 *
 * A file written while the scan read it would be stamped after the write
 * and never noticed; so a stamp whose mtime is not older than the scan's
 * start counts as changed once (file_stamps_take's `since`).
 */
#ifndef SLUICE_REJUDGE_H
#define SLUICE_REJUDGE_H

#include <stdbool.h>
#include <sys/types.h>
#include "model.h"
#include "util.h"

struct report;

struct file_stamp {
	char *path;          /* as in the report (work-tree relative in a repository) */
	long long mtime_ns;  /* -1: the file was missing */
	long long size;
	ino_t ino;
};

struct file_stamps {
	struct file_stamp *v;
	size_t nr, alloc;
	char *root;          /* prefix for relative paths ("" or the work tree, with '/') */
	bool stale;          /* a file was written after the scan began: re-judge once */
};

#define FILE_STAMPS_INIT { NULL, 0, 0, NULL, false }

/*
 * Stamps every file of the report (each path once), relative to root (NULL:
 * the current directory). A file modified at or after `since` (seconds
 * since the epoch, the scan's start; 0: no such check) marks the stamps
 * stale: the scan may have read it before that write.
 */
void file_stamps_take(struct file_stamps *s, const char *root, const struct report *r, double since);
/* The first stamped file that differs on disk now (or the stale one), or NULL. */
const char *file_stamps_changed(const struct file_stamps *s);
void file_stamps_release(struct file_stamps *s);

/*
 * The index in `now` of the statement that was `old[at]` before the file
 * was edited: statements identical from the start and from the end of
 * both versions are the same statements; one in the edited middle keeps
 * its position among the middle ones (clamped to what is left). -1 when
 * `now` has no statements or at is out of range.
 */
long stmt_follow(const struct stmt *old, size_t nr_old, long at, const struct stmt *now, size_t nr_now);

#endif
