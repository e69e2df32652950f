/*
 * commit.c - writing a draft into the repository and committing it with
 * libgit2 (see commit.h for the rules).
 *
 * The order is what makes failure safe:
 *   1. check: a branch is checked out and it is the expected one; no file
 *      to be written has changes of the user's (modified, staged, untracked)
 *   2. write every file to a temporary name beside its target, with the
 *      target's mode; any failure removes the temporaries: nothing changed
 *   3. rename them all into place, remembering what each replaced
 *   4. build the tree from HEAD's tree plus the new blobs and commit it,
 *      moving the branch only if it still points where it did in step 1
 *   5. only then update the index entries of the written paths
 * A failure in 3 or 4 puts the old contents back and removes new files and
 * directories, so `git status` reads as before.
 */
#include "commit.h"
#include "draft.h"
#include "util.h"

#include <errno.h>
#include <git2.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct pending_file {
	char *abs;            /* absolute path in the work tree */
	char *rel;            /* repository-relative path */
	char *tmp;            /* temporary beside it */
	const char *text;
	bool existed;
	mode_t mode;
	struct strbuf old;    /* previous content, to restore */
	bool renamed;
};

struct accept {
	git_repository *repo;
	const char *workdir;
	struct pending_file *files;
	size_t nr;
	struct strlist made_dirs;  /* created by us, deepest last */
	git_oid head;
	char *branch_ref;          /* refs/heads/... */
};

static int git_fail(const char *what)
{
	const git_error *e = git_error_last();
	return error("%s: %s", what, e && e->message ? e->message : "unknown libgit2 error");
}

char *commit_workdir(const char *path)
{
	git_repository *repo = NULL;
	char *r = NULL;
	if (git_repository_open_ext(&repo, path, 0, NULL) < 0)
		return NULL;
	if (git_repository_workdir(repo))
		r = xstrdup(git_repository_workdir(repo));
	git_repository_free(repo);
	return r;
}

char *commit_current_branch(const char *repo_path)
{
	git_repository *repo = NULL;
	git_reference *head = NULL;
	char *r = NULL;
	if (git_repository_open_ext(&repo, repo_path, 0, NULL) < 0)
		return NULL;
	if (!git_repository_head_detached(repo) && git_repository_head(&head, repo) == 0 &&
	    git_reference_is_branch(head))
		r = xstrdup(git_reference_shorthand(head));
	git_reference_free(head);
	git_repository_free(repo);
	return r;
}

/* HEAD must be the expected branch, born; fills a->head and a->branch_ref. */
static int check_branch(struct accept *a, const char *expected)
{
	git_reference *head = NULL;
	int ret = 0;
	if (git_repository_head_detached(a->repo) == 1)
		return error("HEAD is detached: sluice commits drafts only on a branch; "
			     "check out '%s' first", nonnull(expected));
	if (git_repository_head(&head, a->repo) < 0)
		return error("the current branch has no commit yet: commit something first");
	if (!git_reference_is_branch(head))
		ret = error("HEAD is not a branch: sluice commits drafts only on a branch");
	else if (!expected)
		ret = error("no branch given to commit on");
	else if (strcmp(git_reference_shorthand(head), expected))
		ret = error("the checked-out branch is '%s', not '%s': not committing",
			    git_reference_shorthand(head), expected);
	if (!ret) {
		git_oid_cpy(&a->head, git_reference_target(head));
		free(a->branch_ref);
		a->branch_ref = xstrdup(git_reference_name(head));
	}
	git_reference_free(head);
	return ret;
}

/* Repository-relative path of `path` (relative to the current directory). */
static char *repo_relative(const char *workdir, const char *path, char **abs_out)
{
	char cwd[PATH_MAX];
	if (!getcwd(cwd, sizeof(cwd)))
		return NULL;
	while (starts_with(path, "./"))
		path += 2;
	char *abs = path[0] == '/' ? xstrdup(path) : xstrfmt("%s/%s", cwd, path);
	/* workdir comes with a trailing '/'; compare on resolved names */
	char real_wd[PATH_MAX], real_cwd[PATH_MAX];
	if (!realpath(workdir, real_wd) || !realpath(cwd, real_cwd)) {
		free(abs);
		return NULL;
	}
	char *full = path[0] == '/' ? xstrdup(path) : xstrfmt("%s/%s", real_cwd, path);
	size_t wl = strlen(real_wd);
	char *rel = NULL;
	if (!strncmp(full, real_wd, wl) && full[wl] == '/' && !strstr(full, "/../"))
		rel = xstrdup(full + wl + 1);
	free(full);
	*abs_out = abs;
	return rel;
}

static int check_clean(struct accept *a, struct pending_file *f)
{
	unsigned int flags = 0;
	struct stat st;
	if (lstat(f->abs, &st) == 0 && !S_ISREG(st.st_mode))
		return error("'%s' is in the way: it is not a regular file; nothing was written",
			     f->rel);
	int r = git_status_file(&flags, a->repo, f->rel);
	if (r == GIT_ENOTFOUND)
		return 0;
	if (r < 0)
		return git_fail(f->rel);
	if (flags & GIT_STATUS_WT_NEW)
		return error("'%s' is an untracked file of yours: commit or move it first; "
			     "nothing was written", f->rel);
	if (flags & (GIT_STATUS_WT_MODIFIED | GIT_STATUS_WT_DELETED | GIT_STATUS_WT_TYPECHANGE |
		     GIT_STATUS_WT_RENAMED | GIT_STATUS_INDEX_NEW | GIT_STATUS_INDEX_MODIFIED |
		     GIT_STATUS_INDEX_DELETED | GIT_STATUS_INDEX_RENAMED | GIT_STATUS_INDEX_TYPECHANGE |
		     GIT_STATUS_CONFLICTED))
		return error("'%s' has uncommitted changes: commit or stash them first; "
			     "nothing was written", f->rel);
	return 0;
}

/* mkdir -p of the file's directories, remembering the ones we made. */
static int make_dirs(struct accept *a, const char *abs)
{
	char *p = xstrdup(abs);
	for (char *s = strchr(p + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		if (mkdir(p, 0777) == 0)
			strlist_add(&a->made_dirs, p);
		else if (errno != EEXIST) {
			int r = error("cannot create directory '%s': %s", p, strerror(errno));
			free(p);
			return r;
		}
		*s = '/';
	}
	free(p);
	return 0;
}

static int write_temp(struct accept *a, struct pending_file *f)
{
	struct stat st;
	if (lstat(f->abs, &st) == 0) {
		f->existed = true;
		f->mode = st.st_mode & 07777;
		if (!S_ISREG(st.st_mode))
			return error("'%s' is not a regular file: not overwriting it", f->rel);
		if (strbuf_read_file(&f->old, f->abs, 0) < 0)
			return error("cannot read '%s': %s", f->rel, strerror(errno));
	} else {
		mode_t um = umask(0);
		umask(um);
		f->mode = 0666 & ~um;
	}
	if (make_dirs(a, f->abs) < 0)
		return -1;
	f->tmp = xstrfmt("%s.sluice-XXXXXX", f->abs);
	int fd = mkstemp(f->tmp);
	if (fd < 0) {
		int r = error("cannot write '%s': %s", f->rel, strerror(errno));
		free(f->tmp);
		f->tmp = NULL;
		return r;
	}
	size_t len = strlen(f->text), off = 0;
	while (off < len) {
		ssize_t w = write(fd, f->text + off, len - off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			int r = error("cannot write '%s': %s", f->rel, strerror(errno));
			close(fd);
			return r;
		}
		off += (size_t)w;
	}
	if (fchmod(fd, f->mode) < 0 || fsync(fd) < 0 || close(fd) < 0)
		return error("cannot write '%s': %s", f->rel, strerror(errno));
	return 0;
}

/* Puts everything back as it was: temporaries gone, old contents restored, new dirs removed. */
static void roll_back(struct accept *a)
{
	for (size_t i = 0; i < a->nr; i++) {
		struct pending_file *f = &a->files[i];
		if (f->tmp && !f->renamed)
			unlink(f->tmp);
		if (!f->renamed)
			continue;
		if (!f->existed) {
			unlink(f->abs);
			continue;
		}
		FILE *fp = fopen(f->abs, "w");
		if (!fp || fwrite(f->old.buf, 1, f->old.len, fp) != f->old.len)
			error("cannot restore '%s': its old content is in git history", f->rel);
		if (fp)
			fclose(fp);
		chmod(f->abs, f->mode);
	}
	for (size_t i = a->made_dirs.nr; i-- > 0;)
		rmdir(a->made_dirs.items[i]);
}

static int build_commit(struct accept *a, const char *expected, const char *message)
{
	git_commit *parent = NULL;
	git_tree *base = NULL, *tree = NULL;
	git_signature *sig = NULL;
	git_reference *moved = NULL;
	git_tree_update *upd = xcalloc(a->nr, sizeof(*upd));
	git_oid tree_id, commit_id;
	int ret = -1;

	for (size_t i = 0; i < a->nr; i++) {
		if (git_blob_create_from_buffer(&upd[i].id, a->repo, a->files[i].text,
						strlen(a->files[i].text)) < 0) {
			git_fail("cannot store a blob");
			goto out;
		}
		upd[i].action = GIT_TREE_UPDATE_UPSERT;
		upd[i].filemode = (a->files[i].mode & 0111) ? GIT_FILEMODE_BLOB_EXECUTABLE
							    : GIT_FILEMODE_BLOB;
		upd[i].path = a->files[i].rel;
	}
	if (git_signature_default(&sig, a->repo) < 0) {
		error("no git identity: set user.name and user.email (git config)");
		goto out;
	}
	if (git_commit_lookup(&parent, a->repo, &a->head) < 0 || git_commit_tree(&base, parent) < 0 ||
	    git_tree_create_updated(&tree_id, a->repo, base, a->nr, upd) < 0 ||
	    git_tree_lookup(&tree, a->repo, &tree_id) < 0) {
		git_fail("cannot build the commit's tree");
		goto out;
	}
	/* Right before committing: still on the expected branch, still at the same commit? */
	git_oid seen = a->head;
	if (check_branch(a, expected) < 0)
		goto out;
	if (!git_oid_equal(&seen, &a->head)) {
		error("'%s' moved while the draft was being written: not committing", expected);
		goto out;
	}
	const git_commit *parents[] = { parent };
	if (git_commit_create(&commit_id, a->repo, NULL, sig, sig, NULL, message, tree, 1, parents) < 0) {
		git_fail("cannot create the commit");
		goto out;
	}
	if (git_reference_create_matching(&moved, a->repo, a->branch_ref, &commit_id, 1, &a->head,
					  "sluice: commit draft") < 0) {
		git_fail("cannot move the branch");
		goto out;
	}
	ret = 0;
out:
	git_reference_free(moved);
	git_signature_free(sig);
	git_tree_free(tree);
	git_tree_free(base);
	git_commit_free(parent);
	free(upd);
	return ret;
}

static int update_index(struct accept *a)
{
	git_index *ix = NULL;
	int ret = 0;
	if (git_repository_index(&ix, a->repo) < 0)
		return git_fail("cannot open the index");
	for (size_t i = 0; i < a->nr && !ret; i++)
		if (git_index_add_bypath(ix, a->files[i].rel) < 0)
			ret = git_fail(a->files[i].rel);
	if (!ret && git_index_write(ix) < 0)
		ret = git_fail("cannot write the index");
	git_index_free(ix);
	if (ret)
		error("the commit is made, but the index was not updated: run 'git reset -q' "
		      "to refresh it");
	return ret;
}

static void accept_release(struct accept *a)
{
	for (size_t i = 0; i < a->nr; i++) {
		free(a->files[i].abs);
		free(a->files[i].rel);
		free(a->files[i].tmp);
		strbuf_release(&a->files[i].old);
	}
	free(a->files);
	free(a->branch_ref);
	strlist_clear(&a->made_dirs);
	git_repository_free(a->repo);
}

int commit_draft(const char *repo_path, const struct draft *d, const char *expected_branch,
		 const char *message)
{
	struct accept a;
	int ret = -1;
	memset(&a, 0, sizeof(a));
	if (d->failed)
		return error("the draft failed verification: %s", d->failed);
	if (git_repository_open_ext(&a.repo, repo_path, 0, NULL) < 0)
		return error("not in a git repository: cannot commit the draft");
	a.workdir = git_repository_workdir(a.repo);
	if (!a.workdir) {
		error("the repository has no work tree: cannot commit the draft");
		goto out;
	}
	if (check_branch(&a, expected_branch) < 0)
		goto out;
	a.files = xcalloc(d->nr, sizeof(*a.files));
	for (size_t i = 0; i < d->nr; i++) {
		struct pending_file *f = &a.files[a.nr++];
		f->text = d->files[i].text;
		f->rel = repo_relative(a.workdir, d->files[i].path, &f->abs);
		if (!f->rel) {
			error("'%s' is outside the repository: not writing it", d->files[i].path);
			goto out;
		}
		if (check_clean(&a, f) < 0)
			goto out;
	}
	for (size_t i = 0; i < a.nr; i++)
		if (write_temp(&a, &a.files[i]) < 0)
			goto fail;
	for (size_t i = 0; i < a.nr; i++) {
		if (rename(a.files[i].tmp, a.files[i].abs) < 0) {
			error("cannot put '%s' in place: %s", a.files[i].rel, strerror(errno));
			goto fail;
		}
		a.files[i].renamed = true;
	}
	if (build_commit(&a, expected_branch, message) < 0)
		goto fail;
	ret = update_index(&a) < 0 ? -1 : 0;
	goto out;
fail:
	roll_back(&a);
out:
	accept_release(&a);
	return ret;
}
