/*
 * basediff.h - a migration file against the base branch (the workbench's
 * `=`): what the branch changed in it, as `git diff <merge-base> -- path`
 * shows it with the work tree's edits included.
 *
 * The base side is the file at the merge-base the scan found (under its
 * old name when the branch renamed it); a file the base does not have is
 * all additions. The work-tree side is read from disk now, so the diff
 * shows an edit the scan has not judged yet.
 */
#ifndef SLUICE_BASEDIFF_H
#define SLUICE_BASEDIFF_H

#include "textdiff.h"

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
