/*
 * commit.c - writing a draft into the repository and committing it with
 * libgit2 (see draft.h for the rules).
 *
 * The order is what makes failure safe:
 *   1. check: a branch is checked out and it is the expected one; take the
 *      index lock (.git/index.lock), so no git command changes the index
 *      meanwhile and an existing lock refuses the commit; every path
 *      resolves inside the work tree through real directories (no link);
 *      every file is the migration under review's or a new migration after
 *      it; none has changes of the user's (modified, staged, untracked)
 *   2. write every file to a temporary name beside its target, with the
 *      target's mode; any failure removes the temporaries: nothing changed
 *   3. rename them all into place, remembering what each replaced
 *   4. build the blobs, the tree and the commit (objects only, no ref)
 *   5. write the new index into the lock file
 *   6. move the branch, only if it still points where it did in step 1
 *   7. install the index (rename the lock over it); should that fail, the
 *      branch is moved back
 * A failure before 7 puts the old contents back, removes new files and
 * directories and the lock, so the refs, the index and the work tree are
 * as they were. A file the user changed meanwhile is left alone.
 *
 * SLUICE_TEST_COMMIT_FAIL=STEP[:SECONDS] is for tests only
 * (t-commit-faults.sh): STEP (write, index, branch, install) fails as a
 * full disk or a lost race would, after SECONDS of sleep, so that each
 * rollback can be checked. No user setting reads it.
 */
#include "draft.h"
#include "discover.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
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
	bool sql;
	bool existed;
	mode_t mode;
	struct strbuf old;    /* previous content, to restore */
	bool renamed;
	bool remove;          /* undo: the commit added it, so it goes (text is NULL) */
	char *owned;          /* undo: the parent's content, which text points to */
	git_oid blob;
};

struct accept {
	git_repository *repo;
	const char *workdir;
	char *real_wd;             /* the work tree, resolved, without a trailing '/' */
	struct pending_file *files;
	size_t nr;
	struct strlist made_dirs;  /* created by us, deepest last */
	git_oid head;
	git_oid commit;
	char *branch_ref;          /* refs/heads/... */
	char *scope_up, *scope_down; /* the migration under review, repository-relative */
	char *index_path;
	char *index_lock;          /* ours while set: removed on failure */
	const char *reflog;        /* the branch move's reflog message */
};

/* See the top: a failure a test asks for, after an optional pause. */
static bool injected(const char *step)
{
	const char *v = getenv("SLUICE_TEST_COMMIT_FAIL");
	size_t n = strlen(step);
	if (!v || strncmp(v, step, n) || (v[n] && v[n] != ':'))
		return false;
	if (v[n] == ':')
		sleep((unsigned)atoi(v + n + 1));
	errno = ENOSPC;
	return true;
}

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

/*
 * Repository-relative path of `path` (relative to the current directory,
 * or absolute), or NULL with a message. Each component below the work tree
 * is looked at with lstat(): a symbolic link anywhere (a directory a
 * model-chosen path goes through, or the file itself) is refused, so
 * nothing is written outside the repository through one.
 */
static char *repo_relative(struct accept *a, const char *path)
{
	char cwd[PATH_MAX], real_cwd[PATH_MAX];
	if (!getcwd(cwd, sizeof(cwd)) || !realpath(cwd, real_cwd)) {
		error("cannot find the current directory: %s", strerror(errno));
		return NULL;
	}
	while (starts_with(path, "./"))
		path += 2;
	char *full = path[0] == '/' ? xstrdup(path) : xstrfmt("%s/%s", real_cwd, path);
	size_t wl = strlen(a->real_wd);
	char *rel = NULL;
	if (!strncmp(full, a->real_wd, wl) && full[wl] == '/')
		rel = xstrdup(full + wl + 1);
	free(full);
	if (!rel) {
		error("'%s' is outside the repository: not writing it", path);
		return NULL;
	}
	struct strbuf at = STRBUF_INIT;
	strbuf_addstr(&at, a->real_wd);
	for (const char *c = rel;;) {
		size_t n = strcspn(c, "/");
		struct stat st;
		if (!n || (n == 1 && c[0] == '.') || (n == 2 && !strncmp(c, "..", 2))) {
			error("'%s' is not a plain path inside the repository: not writing it", path);
			goto bad;
		}
		strbuf_addch(&at, '/');
		strbuf_add(&at, c, n);
		if (lstat(at.buf, &st) == 0 && S_ISLNK(st.st_mode)) {
			error("'%s' goes through a symbolic link ('%s'): not writing through it",
			      path, at.buf + wl + 1);
			goto bad;
		}
		if (!c[n])
			break;
		c += n + 1;
	}
	strbuf_release(&at);
	return rel;
bad:
	strbuf_release(&at);
	free(rel);
	return NULL;
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

/*
 * `len` bytes into a new temporary file beside `abs`, with `mode`, synced;
 * its name in *tmp. -1 with errno set, and no temporary left.
 */
static int write_beside(const char *abs, const char *data, size_t len, mode_t mode, char **tmp)
{
	*tmp = xstrfmt("%s.sluice-XXXXXX", abs);
	int fd = mkstemp(*tmp);
	if (fd < 0)
		goto fail;
	for (size_t off = 0; off < len;) {
		ssize_t w = write(fd, data + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			goto fail;
		off += (size_t)w;
	}
	if (injected("write") || fchmod(fd, mode) < 0 || fsync(fd) < 0)
		goto fail;
	if (close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	return 0;
fail: {
	int e = errno;
	if (fd >= 0) {
		close(fd);
		unlink(*tmp);
	}
	free(*tmp);
	*tmp = NULL;
	errno = e;
	return -1;
}
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
	if (write_beside(f->abs, f->text, strlen(f->text), f->mode, &f->tmp) < 0)
		return error("cannot write '%s': %s", f->rel, strerror(errno));
	return 0;
}

/* Is the file still what the draft wrote? Else the user has changed it since. */
static bool still_ours(const struct pending_file *f)
{
	struct strbuf now = STRBUF_INIT;
	struct stat st;
	if (f->remove)
		return lstat(f->abs, &st) < 0 && errno == ENOENT;
	bool ours = lstat(f->abs, &st) == 0 && S_ISREG(st.st_mode) &&
		    strbuf_read_file(&now, f->abs, 0) >= 0 && now.len == strlen(f->text) &&
		    !memcmp(now.buf, f->text, now.len);
	strbuf_release(&now);
	return ours;
}

/*
 * Puts everything back as it was: temporaries gone, old contents restored
 * (through a temporary and a rename, never a truncating write), new files
 * and directories removed; a file that is no longer the draft's is left.
 */
static void roll_back(struct accept *a)
{
	for (size_t i = 0; i < a->nr; i++) {
		struct pending_file *f = &a->files[i];
		char *tmp = NULL;
		if (f->tmp && !f->renamed)
			unlink(f->tmp);
		if (!f->renamed)
			continue;
		if (!still_ours(f)) {
			error("'%s' changed while the draft was being committed: left as it is "
			      "(its old content is in git history)", f->rel);
			continue;
		}
		if (!f->existed) {
			unlink(f->abs);
			continue;
		}
		if (write_beside(f->abs, f->old.buf, f->old.len, f->mode, &tmp) < 0 ||
		    rename(tmp, f->abs) < 0) {
			error("cannot restore '%s': %s; its old content is in git history", f->rel,
			      strerror(errno));
			if (tmp)
				unlink(tmp);
		}
		free(tmp);
	}
	for (size_t i = a->made_dirs.nr; i-- > 0;)
		rmdir(a->made_dirs.items[i]);
}

/*
 * The index lock, taken before anything is written: git itself then waits
 * for us, and a lock someone else holds (a running git, or one left by a
 * crash) refuses the commit with nothing changed.
 */
static int lock_index(struct accept *a)
{
	a->index_path = xstrfmt("%sindex", git_repository_path(a->repo));
	char *lock = xstrfmt("%s.lock", a->index_path);
	int fd = open(lock, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (fd < 0) {
		int r = errno == EEXIST
			? error("'%s' exists: another git process seems to be running in this "
				"repository; if not, remove the file and try again. Nothing was written",
				lock)
			: error("cannot lock the index ('%s'): %s; nothing was written", lock,
				strerror(errno));
		free(lock);
		return r;
	}
	close(fd);
	a->index_lock = lock;
	return 0;
}

static void unlock_index(struct accept *a)
{
	if (a->index_lock)
		unlink(a->index_lock);
	free(a->index_lock);
	a->index_lock = NULL;
}

/* Blobs, tree and commit: objects only; no reference moves here. */
static int build_commit(struct accept *a, const char *message)
{
	git_commit *parent = NULL;
	git_tree *base = NULL, *tree = NULL;
	git_signature *sig = NULL;
	git_tree_update *upd = xcalloc(a->nr, sizeof(*upd));
	git_oid tree_id;
	int ret = -1;

	for (size_t i = 0; i < a->nr; i++) {
		if (git_blob_create_from_buffer(&a->files[i].blob, a->repo, a->files[i].text,
						strlen(a->files[i].text)) < 0) {
			git_fail("cannot store a blob");
			goto out;
		}
		upd[i].id = a->files[i].blob;
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
	const git_commit *parents[] = { parent };
	if (git_commit_create(&a->commit, a->repo, NULL, sig, sig, NULL, message, tree, 1,
			      parents) < 0) {
		git_fail("cannot create the commit");
		goto out;
	}
	ret = 0;
out:
	git_signature_free(sig);
	git_tree_free(tree);
	git_tree_free(base);
	git_commit_free(parent);
	free(upd);
	return ret;
}

static void index_entry_of(const struct pending_file *f, const struct stat *st, git_index_entry *e)
{
	memset(e, 0, sizeof(*e));
	e->ctime.seconds = (int32_t)st->st_ctim.tv_sec;
	e->ctime.nanoseconds = (uint32_t)st->st_ctim.tv_nsec;
	e->mtime.seconds = (int32_t)st->st_mtim.tv_sec;
	e->mtime.nanoseconds = (uint32_t)st->st_mtim.tv_nsec;
	e->dev = (uint32_t)st->st_dev;
	e->ino = (uint32_t)st->st_ino;
	e->mode = (f->mode & 0111) ? GIT_FILEMODE_BLOB_EXECUTABLE : GIT_FILEMODE_BLOB;
	e->uid = (uint32_t)st->st_uid;
	e->gid = (uint32_t)st->st_gid;
	e->file_size = (uint32_t)st->st_size;
	e->id = f->blob;
	e->path = f->rel;
}

/*
 * The index with the written paths updated, into the lock file (not yet
 * the index). Built on a private copy: libgit2 writes an index only
 * through its own lock, which is the one we hold on the real index.
 */
static int write_index(struct accept *a)
{
	git_index *ix = NULL;
	struct strbuf cur = STRBUF_INIT;
	char *tmp = NULL;
	int ret = -1;
	bool have = access(a->index_path, F_OK) == 0;
	if (have && strbuf_read_file(&cur, a->index_path, 0) < 0) {
		error("cannot read the index: %s", strerror(errno));
		goto out;
	}
	if (write_beside(a->index_lock, cur.buf, cur.len, 0644, &tmp) < 0) {
		error("cannot write the index: %s", strerror(errno));
		goto out;
	}
	if (!have)
		unlink(tmp);      /* no index yet: libgit2 starts an empty one */
	if (git_index_open(&ix, tmp) < 0) {
		git_fail("cannot read the index");
		goto out;
	}
	for (size_t i = 0; i < a->nr; i++) {
		struct stat st;
		git_index_entry e;
		if (a->files[i].remove) {
			if (git_index_remove(ix, a->files[i].rel, 0) < 0) {
				git_fail(a->files[i].rel);
				goto out;
			}
			continue;
		}
		if (lstat(a->files[i].abs, &st) < 0) {
			error("cannot stat '%s': %s", a->files[i].rel, strerror(errno));
			goto out;
		}
		index_entry_of(&a->files[i], &st, &e);
		if (git_index_add(ix, &e) < 0) {
			git_fail(a->files[i].rel);
			goto out;
		}
	}
	if (injected("index")) {
		error("cannot write the index: %s", strerror(errno));
		goto out;
	}
	if (git_index_write(ix) < 0) {
		git_fail("cannot write the index");
		goto out;
	}
	if (rename(tmp, a->index_lock) < 0) {
		error("cannot write the index: %s", strerror(errno));
		goto out;
	}
	ret = 0;
out:
	if (tmp && ret < 0)
		unlink(tmp);
	free(tmp);
	git_index_free(ix);
	strbuf_release(&cur);
	return ret;
}

/* The branch from HEAD as seen in step 1 to the new commit, or back. */
static int move_branch(struct accept *a, const git_oid *to, const git_oid *from, const char *why)
{
	git_reference *moved = NULL;
	int r = 0;
	if (injected("branch") ||
	    git_reference_create_matching(&moved, a->repo, a->branch_ref, to, 1, from, why) < 0)
		r = errno == ENOSPC && !git_error_last() ? error("cannot move the branch: %s",
								strerror(errno))
							      : git_fail("cannot move the branch");
	git_reference_free(moved);
	return r;
}

/* Before moving the branch: still on the expected branch, still at the same commit? */
static int still_there(struct accept *a, const char *expected)
{
	git_oid seen = a->head;
	if (check_branch(a, expected) < 0)
		return -1;
	if (!git_oid_equal(&seen, &a->head))
		return error("'%s' moved while the draft was being written: not committing", expected);
	return 0;
}

/* Steps 5 to 7 (see the top). */
static int publish(struct accept *a, const char *expected)
{
	if (write_index(a) < 0 || still_there(a, expected) < 0 ||
	    move_branch(a, &a->commit, &a->head, a->reflog ? a->reflog : "sluice: commit draft") < 0)
		return -1;
	if (injected("install") || rename(a->index_lock, a->index_path) < 0) {
		error("cannot install the new index: %s; moving the branch back", strerror(errno));
		move_branch(a, &a->head, &a->commit, "sluice: roll back the draft's commit");
		return -1;
	}
	free(a->index_lock);
	a->index_lock = NULL;   /* it is the index now */
	return 0;
}

/* Does `m` have a script at `path`? */
static bool has_script(const struct migration *m, const char *path)
{
	return (m->up && !strcmp(m->up->path, path)) || (m->down && !strcmp(m->down->path, path));
}

/*
 * A new file is in the draft's declared set when it is a migration of the
 * same directory that applies with or after the one under review (the
 * repository's own layouts decide, through discovery).
 */
static bool applies_after(const struct accept *a, const struct pending_file *f)
{
	struct migration_set ms;
	struct strbuf up = STRBUF_INIT;
	bool ok = false;
	char *abs = xstrfmt("%s/%s", a->real_wd, a->scope_up);
	migration_set_init(&ms);
	strbuf_read_file(&up, abs, 0);
	free(abs);
	if (discover_add_file(&ms, a->scope_up, up.buf, up.len, false) == 0 &&
	    discover_add_file(&ms, f->rel, f->text, strlen(f->text), true) == 0) {
		discover_finish(&ms);
		long t = -1, n = -1;
		for (size_t i = 0; i < ms.nr; i++) {
			if (has_script(ms.v[i], a->scope_up))
				t = (long)i;
			if (has_script(ms.v[i], f->rel))
				n = (long)i;
		}
		ok = ms.dirs.nr == 1 && t >= 0 && n >= t;
	}
	strbuf_release(&up);
	migration_set_release(&ms);
	return ok;
}

/*
 * The draft's declared set: the scripts of the migration under review, new
 * migrations after it, and new files that are not SQL (a runbook, a
 * Flyway .conf). Never an applied migration nor other SQL of the project.
 */
static int check_scope(struct accept *a, struct pending_file *f)
{
	struct stat st;
	git_tree *tree = NULL;
	git_commit *head = NULL;
	git_tree_entry *te = NULL;
	if (!strcmp(f->rel, a->scope_up) || (a->scope_down && !strcmp(f->rel, a->scope_down)))
		return 0;
	bool exists = lstat(f->abs, &st) == 0;
	if (!exists && git_commit_lookup(&head, a->repo, &a->head) == 0 &&
	    git_commit_tree(&tree, head) == 0 && git_tree_entry_bypath(&te, tree, f->rel) == 0)
		exists = true;
	git_tree_entry_free(te);
	git_tree_free(tree);
	git_commit_free(head);
	if (!exists && (!f->sql || applies_after(a, f)))
		return 0;
	return error("'%s' is not one of the draft's files (the migration under review, '%s', and "
		     "new migrations after it): not committing; nothing was written",
		     f->rel, a->scope_up);
}

static void accept_release(struct accept *a)
{
	for (size_t i = 0; i < a->nr; i++) {
		free(a->files[i].abs);
		free(a->files[i].rel);
		free(a->files[i].tmp);
		free(a->files[i].owned);
		strbuf_release(&a->files[i].old);
	}
	free(a->files);
	free(a->branch_ref);
	free(a->real_wd);
	free(a->scope_up);
	free(a->scope_down);
	free(a->index_path);
	strlist_clear(&a->made_dirs);
	git_repository_free(a->repo);
}

/* Step 1 for every file, and the scope's own paths. */
static int check_files(struct accept *a, const struct draft *d, const struct commit_scope *scope)
{
	if (!scope || !scope->up)
		return error("no migration under review: the draft's files cannot be checked");
	if (!(a->scope_up = repo_relative(a, scope->up)) ||
	    (scope->down && !(a->scope_down = repo_relative(a, scope->down))))
		return -1;
	a->files = xcalloc(d->nr, sizeof(*a->files));
	for (size_t i = 0; i < d->nr; i++) {
		struct pending_file *f = &a->files[a->nr++];
		f->text = d->files[i].text;
		f->sql = d->files[i].sql;
		f->rel = repo_relative(a, d->files[i].path);
		if (!f->rel)
			return -1;
		f->abs = xstrfmt("%s/%s", a->real_wd, f->rel);
		if (check_clean(a, f) < 0 || check_scope(a, f) < 0)
			return -1;
	}
	return 0;
}

/* Opens the repository and its real work tree into a. -1 with a message. */
static int open_repo(struct accept *a, const char *repo_path)
{
	char real[PATH_MAX];
	if (git_repository_open_ext(&a->repo, repo_path, 0, NULL) < 0)
		return error("not in a git repository: cannot commit the draft");
	a->workdir = git_repository_workdir(a->repo);
	if (!a->workdir || !realpath(a->workdir, real))
		return error("the repository has no work tree: cannot commit the draft");
	a->real_wd = xstrdup(real);
	return 0;
}

int commit_check_ready(const char *repo_path, const struct commit_scope *scope,
		       const char *expected_branch)
{
	struct accept a;
	const char *paths[2] = { scope->up, scope->down };
	int ret = -1;
	memset(&a, 0, sizeof(a));
	if (open_repo(&a, repo_path) < 0 || check_branch(&a, expected_branch) < 0)
		goto out;
	a.files = xcalloc(2, sizeof(*a.files));
	for (int i = 0; i < 2; i++) {
		if (!paths[i])
			continue;
		struct pending_file *f = &a.files[a.nr++];
		if (!(f->rel = repo_relative(&a, paths[i])))
			goto out;
		f->abs = xstrfmt("%s/%s", a.real_wd, f->rel);
		if (check_clean(&a, f) < 0)
			goto out;
	}
	ret = 0;
out:
	accept_release(&a);
	return ret;
}

int commit_draft(const char *repo_path, const struct draft *d, const struct commit_scope *scope,
		 const char *expected_branch, const char *message)
{
	struct accept a;
	struct strbuf msg = STRBUF_INIT;
	int ret = -1;
	memset(&a, 0, sizeof(a));
	if (d->failed)
		return error("the draft failed verification: %s", d->failed);
	if (open_repo(&a, repo_path) < 0)
		goto out;
	if (check_branch(&a, expected_branch) < 0 || lock_index(&a) < 0)
		goto out;
	if (check_files(&a, d, scope) < 0)
		goto out;
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
	strbuf_addstr(&msg, message);
	commit_add_trailer(&msg, a.scope_up);
	if (build_commit(&a, msg.buf) < 0 || publish(&a, expected_branch) < 0)
		goto fail;
	ret = 0;
	goto out;
fail:
	roll_back(&a);
out:
	strbuf_release(&msg);
	unlock_index(&a);
	accept_release(&a);
	return ret;
}

/* Is `msg` one of ours: a "Sluice-Draft:" trailer line? */
static bool has_trailer(const char *msg)
{
	size_t n = strlen(COMMIT_TRAILER);
	for (const char *l = msg; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL)
		if (!strncmp(l, COMMIT_TRAILER, n) && l[n] == ':')
			return true;
	return false;
}

void commit_add_trailer(struct strbuf *msg, const char *migration)
{
	struct strbuf p = STRBUF_INIT;
	if (has_trailer(msg->buf))
		return;
	while (msg->len && (msg->buf[msg->len - 1] == '\n' || msg->buf[msg->len - 1] == ' '))
		msg->buf[--msg->len] = '\0';
	strbuf_addf(msg, "\n\n%s: %s\n", COMMIT_TRAILER, printable(&p, nonnull(migration)));
	strbuf_release(&p);
}

int commit_message_check(const char *msg, struct strbuf *why)
{
	size_t subject = strcspn(msg, "\n");
	const char *p = msg;
	while (*p == ' ' || *p == '\t')
		p++;
	if (!*p || *p == '\n') {
		strbuf_addstr(why, "the commit message has no subject line");
		return -1;
	}
	int cols = 0;
	for (size_t i = 0; i < subject; i++)
		cols += ((unsigned char)msg[i] & 0xC0) != 0x80;
	if (cols > COMMIT_SUBJECT_MAX) {
		strbuf_addf(why, "the subject line is %d characters; at most %d", cols, COMMIT_SUBJECT_MAX);
		return -1;
	}
	if (msg[subject] == '\n' && msg[subject + 1] && msg[subject + 1] != '\n') {
		strbuf_addstr(why, "the subject line must be followed by a blank line");
		return -1;
	}
	return 0;
}

/* "abc1234 'subject'" of a commit, for messages. */
static void describe_commit(const git_commit *c, struct strbuf *out)
{
	char id[8];
	struct strbuf p = STRBUF_INIT;
	git_oid_tostr(id, sizeof(id), git_commit_id(c));
	strbuf_addf(out, "%s '%s'", id, printable(&p, nonnull(git_commit_summary((git_commit *)c))));
	strbuf_release(&p);
}

/*
 * Why HEAD cannot be undone when it is not sluice's: a later commit on top
 * of one of ours, or none of ours near at all.
 */
static int not_ours(git_commit *head)
{
	struct strbuf h = STRBUF_INIT, o = STRBUF_INIT;
	git_commit *c = NULL, *next = NULL;
	int r;
	describe_commit(head, &h);
	for (int i = 0; i < 100 && git_commit_parent(&next, c ? c : head, 0) == 0; i++) {
		git_commit_free(c);
		c = next;
		if (has_trailer(git_commit_message(c))) {
			describe_commit(c, &o);
			break;
		}
	}
	git_commit_free(c);
	if (o.len)
		r = error("HEAD is %s, made after sluice's commit %s: undo reverts sluice's commit "
			  "only while it is HEAD (git revert makes a new commit that undoes it); "
			  "nothing undone", h.buf, o.buf);
	else
		r = error("HEAD is %s, which sluice did not make (no %s: trailer): nothing undone",
			  h.buf, COMMIT_TRAILER);
	strbuf_release(&h);
	strbuf_release(&o);
	return r;
}

/* One file the commit changed: untouched since, and what it goes back to. */
static int undo_file(struct accept *a, const git_diff_delta *dd)
{
	struct pending_file *f = &a->files[a->nr];
	unsigned int flags = 0;
	struct stat st;
	const char *rel = dd->status == GIT_DELTA_DELETED ? dd->old_file.path : dd->new_file.path;

	memset(f, 0, sizeof(*f));
	f->rel = xstrdup(rel);
	f->abs = xstrfmt("%s/%s", a->real_wd, rel);
	a->nr++;
	if (git_status_file(&flags, a->repo, rel) < 0)
		return git_fail(rel);
	if (flags || lstat(f->abs, &st) < 0 || !S_ISREG(st.st_mode))
		return error("'%s' has changed since sluice committed it: nothing undone "
			     "(git revert makes a new commit that undoes it)", rel);
	if (dd->status == GIT_DELTA_ADDED) {
		f->remove = true;
	} else if (dd->status == GIT_DELTA_MODIFIED) {
		git_blob *b = NULL;
		if (git_blob_lookup(&b, a->repo, &dd->old_file.id) < 0)
			return git_fail(rel);
		f->owned = xstrndup(git_blob_rawcontent(b), (size_t)git_blob_rawsize(b));
		git_blob_free(b);
		f->text = f->owned;
		f->blob = dd->old_file.id;
	} else {
		return error("'%s': the commit does more than sluice's commits do (%c): nothing undone",
			     rel, git_diff_status_char(dd->status));
	}
	return 0;
}

/* The files of HEAD's commit, checked: each untouched since. */
static int undo_collect(struct accept *a, git_commit *head, git_commit *parent)
{
	git_tree *old = NULL, *new = NULL;
	git_diff *diff = NULL;
	int ret = -1;
	if (git_commit_tree(&old, parent) < 0 || git_commit_tree(&new, head) < 0 ||
	    git_diff_tree_to_tree(&diff, a->repo, old, new, NULL) < 0) {
		git_fail("cannot read the commit's changes");
		goto out;
	}
	size_t n = git_diff_num_deltas(diff);
	a->files = xcalloc(n ? n : 1, sizeof(*a->files));
	for (size_t i = 0; i < n; i++)
		if (undo_file(a, git_diff_get_delta(diff, i)) < 0)
			goto out;
	ret = 0;
out:
	git_diff_free(diff);
	git_tree_free(old);
	git_tree_free(new);
	return ret;
}

/* Steps 2 and 3 of the top, for undo: the parent's content, or the file gone. */
static int undo_write(struct accept *a)
{
	for (size_t i = 0; i < a->nr; i++) {
		struct pending_file *f = &a->files[i];
		if (f->remove) {
			struct stat st;
			f->existed = true;
			lstat(f->abs, &st);
			f->mode = st.st_mode & 07777;
			if (strbuf_read_file(&f->old, f->abs, 0) < 0)
				return error("cannot read '%s': %s", f->rel, strerror(errno));
		} else if (write_temp(a, f) < 0) {
			return -1;
		}
	}
	for (size_t i = 0; i < a->nr; i++) {
		struct pending_file *f = &a->files[i];
		if (f->remove ? unlink(f->abs) < 0 : rename(f->tmp, f->abs) < 0)
			return error("cannot restore '%s': %s", f->rel, strerror(errno));
		f->renamed = true;
	}
	return 0;
}

/* Directories left empty by removing the files the commit added. */
static void undo_prune_dirs(struct accept *a)
{
	for (size_t i = 0; i < a->nr; i++) {
		if (!a->files[i].remove)
			continue;
		char *d = xstrdup(a->files[i].abs);
		for (char *s = strrchr(d, '/'); s && (size_t)(s - d) > strlen(a->real_wd);
		     s = strrchr(d, '/')) {
			*s = '\0';
			if (rmdir(d) < 0)
				break;
		}
		free(d);
	}
}

int commit_undo(const char *repo_path, struct strbuf *done)
{
	struct accept a;
	git_reference *head_ref = NULL;
	git_commit *head = NULL, *parent = NULL;
	char real[PATH_MAX];
	int ret = -1;

	memset(&a, 0, sizeof(a));
	a.reflog = "sluice: undo the draft's commit";
	if (git_repository_open_ext(&a.repo, repo_path, 0, NULL) < 0)
		return error("not in a git repository: nothing to undo");
	a.workdir = git_repository_workdir(a.repo);
	if (!a.workdir || !realpath(a.workdir, real)) {
		error("the repository has no work tree: nothing to undo");
		goto out;
	}
	a.real_wd = xstrdup(real);
	if (git_repository_head_detached(a.repo) == 1) {
		error("HEAD is detached: sluice undoes its commit only on the branch it made it on");
		goto out;
	}
	if (git_repository_head(&head_ref, a.repo) < 0 || !git_reference_is_branch(head_ref)) {
		error("no branch with a commit is checked out: nothing to undo");
		goto out;
	}
	char *branch = xstrdup(git_reference_shorthand(head_ref));
	if (check_branch(&a, branch) < 0 || git_commit_lookup(&head, a.repo, &a.head) < 0) {
		free(branch);
		goto out;
	}
	if (!has_trailer(git_commit_message(head))) {
		not_ours(head);
	} else if (git_commit_parentcount(head) != 1 || git_commit_parent(&parent, head, 0) < 0) {
		error("HEAD has %u parents: not a commit of sluice's to undo", git_commit_parentcount(head));
	} else if (lock_index(&a) == 0 && undo_collect(&a, head, parent) == 0) {
		a.commit = *git_commit_id(parent);
		if (undo_write(&a) < 0 || publish(&a, branch) < 0) {
			roll_back(&a);
		} else {
			undo_prune_dirs(&a);
			strbuf_addf(done, "undone ");
			describe_commit(head, done);
			strbuf_addf(done, ": %zu file%s restored; %s is back at ", a.nr,
				    a.nr == 1 ? "" : "s", branch);
			describe_commit(parent, done);
			ret = 0;
		}
	}
	free(branch);
out:
	unlock_index(&a);
	git_commit_free(head);
	git_commit_free(parent);
	git_reference_free(head_ref);
	accept_release(&a);
	return ret;
}
