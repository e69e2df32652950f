/*
 * basediff.c - a migration file against the base branch (see discover.h).
 */
#include "discover.h"
#include "discover_int.h"

#include <git2.h>
#include <stdlib.h>

static int git_why(struct strbuf *why, const char *what)
{
	const git_error *e = git_error_last();
	strbuf_addf(why, "%s: %s", what, e && e->message ? e->message : "unknown libgit2 error");
	return -1;
}

/* The blob at commit:path into out; 1 when the commit has no such file. */
static int read_at(git_repository *repo, const char *commit_hex, const char *path, struct strbuf *out,
		   struct strbuf *why)
{
	git_oid oid;
	git_commit *commit = NULL;
	git_tree *tree = NULL;
	git_tree_entry *te = NULL;
	git_blob *blob = NULL;
	int ret = 0;

	if (git_oid_fromstr(&oid, commit_hex) < 0 || git_commit_lookup(&commit, repo, &oid) < 0 ||
	    git_commit_tree(&tree, commit) < 0) {
		ret = git_why(why, commit_hex);
	} else if (git_tree_entry_bypath(&te, tree, path) < 0) {
		ret = 1;
	} else if (git_tree_entry_type(te) != GIT_OBJECT_BLOB) {
		strbuf_addf(why, "'%s' is not a file at the base", path);
		ret = -1;
	} else if (git_blob_lookup(&blob, repo, git_tree_entry_id(te)) < 0) {
		ret = git_why(why, path);
	} else if ((size_t)git_blob_rawsize(blob) > MAX_MIGRATION_BYTES) {
		strbuf_addf(why, "'%s' is too big to diff at the base", path);
		ret = -1;
	} else {
		strbuf_add(out, git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob));
	}
	git_blob_free(blob);
	git_tree_entry_free(te);
	git_tree_free(tree);
	git_commit_free(commit);
	return ret;
}

int base_diff(const char *workdir, const char *merge_base, const char *path, const char *base_path,
	      int context, struct base_diff *out, struct strbuf *why)
{
	git_repository *repo = NULL;
	struct strbuf old = STRBUF_INIT, now = STRBUF_INIT;
	char *full = xstrfmt("%s%s", workdir, path);
	int ret = -1, r;

	*out = (struct base_diff){ TEXT_DIFF_INIT, false, false };
	if (git_repository_open_ext(&repo, workdir, 0, NULL) < 0) {
		git_why(why, workdir);
		goto out;
	}
	if ((r = read_at(repo, merge_base, base_path ? base_path : path, &old, why)) < 0)
		goto out;
	out->new_file = r == 1;
	if (strbuf_read_regular(&now, full, MAX_MIGRATION_BYTES) < 0) {
		strbuf_reset(&now);
		out->removed = true;
	}
	ret = text_diff(out->new_file ? NULL : old.buf, old.len, now.buf ? now.buf : "", now.len, context,
			&out->diff);
	if (ret < 0)
		strbuf_addf(why, "cannot diff '%s'", path);
out:
	git_repository_free(repo);
	strbuf_release(&old);
	strbuf_release(&now);
	free(full);
	return ret;
}

void base_diff_release(struct base_diff *d)
{
	text_diff_release(&d->diff);
}
