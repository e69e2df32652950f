/*
 * xref_files.c - the application source the cross-check reads.
 *
 * "The code at the same commit" is the tree of HEAD plus what is not yet
 * committed: a modified file counts as it is in the work tree, a deleted
 * one not at all, an added or untracked one too. libgit2 lists the tree
 * and the status; the bytes of a path the work tree has are read from the
 * work tree (which for an unmodified file is the blob, without inflating
 * it), and from the object database otherwise. Each file is read once.
 *
 * Migration directories, vendored code, lock files, generated schema dumps,
 * binaries and big files are not application code anyone edits by hand,
 * and are left out.
 */
#include "xref_int.h"

#include <errno.h>
#include <fcntl.h>
#include <git2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const vendored[] = {
	"vendor", "node_modules", "third_party", "bower_components", ".git", NULL,
};

static const char *const lockfiles[] = {
	"package-lock.json", "yarn.lock", "pnpm-lock.yaml", "Gemfile.lock", "go.sum",
	"Cargo.lock", "poetry.lock", "composer.lock", "Pipfile.lock", "mix.lock", NULL,
};

/* Dumps the framework regenerates from the migrations. */
static const char *const generated[] = {
	"db/schema.rb", "db/structure.sql", "dump.sql", NULL,
};

static bool under_dir(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	while (n && dir[n - 1] == '/')
		n--;
	if (!n || (n == 1 && dir[0] == '.'))
		return true;
	return !strncmp(path, dir, n) && (path[n] == '/' || path[n] == '\0');
}

static bool has_segment(const char *path, const char *seg)
{
	size_t n = strlen(seg);
	for (const char *p = path; p; p = strchr(p, '/')) {
		if (*p == '/')
			p++;
		if (!strncmp(p, seg, n) && (p[n] == '/' || p[n] == '\0'))
			return true;
	}
	return false;
}

bool xref_path_wanted(const char *path, const struct strlist *exclude)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	if (xref_lang_of(path) == LANG_OTHER)
		return false;
	for (size_t i = 0; vendored[i]; i++)
		if (has_segment(path, vendored[i]))
			return false;
	for (size_t i = 0; lockfiles[i]; i++)
		if (!strcmp(base, lockfiles[i]))
			return false;
	for (size_t i = 0; generated[i]; i++) {
		size_t pl = strlen(path), gl = strlen(generated[i]);
		if (ends_with(path, generated[i]) && (pl == gl || path[pl - gl - 1] == '/'))
			return false;
	}
	if (ends_with(base, ".min.js"))
		return false;
	for (size_t i = 0; exclude && i < exclude->nr; i++)
		if (under_dir(path, exclude->items[i]))
			return false;
	return true;
}

struct walk {
	git_repository *repo;
	const char *workdir;
	const struct strlist *exclude;
	size_t max_size;
	xref_file_fn fn;
	void *data;
	struct xref_walk_stats *stats;
	struct strlist gone;     /* deleted in the index or the work tree */
	struct strbuf path, buf;
	int stop;
};

static bool looks_binary(const char *buf, size_t len)
{
	return memchr(buf, '\0', len < 8000 ? len : 8000) != NULL;
}

/* Reads workdir/path into w->buf; 1 when it is not there, -1 too big. */
static int read_worktree(struct walk *w, const char *path)
{
	struct stat st;
	int fd;
	strbuf_reset(&w->path);
	strbuf_addstr(&w->path, w->workdir);
	if (w->path.len && w->path.buf[w->path.len - 1] != '/')
		strbuf_addch(&w->path, '/');
	strbuf_addstr(&w->path, path);
	fd = open(w->path.buf, O_RDONLY);
	if (fd < 0)
		return 1;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return 1;
	}
	if ((size_t)st.st_size > w->max_size) {
		close(fd);
		return -1;
	}
	strbuf_reset(&w->buf);
	strbuf_grow(&w->buf, (size_t)st.st_size + 1);
	size_t got = 0;
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, w->buf.buf + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	w->buf.len = got;
	w->buf.buf[got] = '\0';
	return 0;
}

static void deliver(struct walk *w, const char *path, const char *buf, size_t len)
{
	if (len > w->max_size || looks_binary(buf, len)) {
		w->stats->skipped++;
		return;
	}
	w->stats->files++;
	w->stats->bytes += len;
	if (w->fn(path, buf, len, w->data))
		w->stop = 1;
}

static void visit(struct walk *w, const char *path, const git_oid *blob)
{
	int r = read_worktree(w, path);
	if (r < 0) {
		w->stats->skipped++;
		return;
	}
	if (r == 0) {
		deliver(w, path, w->buf.buf, w->buf.len);
		return;
	}
	if (blob) {
		git_blob *b;
		if (git_blob_lookup(&b, w->repo, blob) < 0)
			return;
		deliver(w, path, git_blob_rawcontent(b), (size_t)git_blob_rawsize(b));
		git_blob_free(b);
	}
}

static int tree_cb(const char *root, const git_tree_entry *entry, void *payload)
{
	struct walk *w = payload;
	const char *name = git_tree_entry_name(entry);
	struct strbuf path = STRBUF_INIT;
	git_object_t type = git_tree_entry_type(entry);
	int ret = 0;

	strbuf_addstr(&path, root);
	strbuf_addstr(&path, name);
	if (type == GIT_OBJECT_TREE) {
		for (size_t i = 0; vendored[i]; i++)
			if (!strcmp(name, vendored[i]))
				ret = 1;
		for (size_t i = 0; w->exclude && i < w->exclude->nr; i++)
			if (under_dir(path.buf, w->exclude->items[i]))
				ret = 1;
	} else if (type == GIT_OBJECT_BLOB && git_tree_entry_filemode(entry) != GIT_FILEMODE_LINK &&
		   xref_path_wanted(path.buf, w->exclude) && !strlist_has(&w->gone, path.buf)) {
		visit(w, path.buf, git_tree_entry_id(entry));
		if (w->stop)
			ret = -1;
	}
	strbuf_release(&path);
	return ret;
}

static int collect_status(struct walk *w, struct strlist *added, struct strbuf *err)
{
	git_status_options opts;
	git_status_list *list;
	git_status_options_init(&opts, GIT_STATUS_OPTIONS_VERSION);
	opts.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
	opts.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS |
		     GIT_STATUS_OPT_EXCLUDE_SUBMODULES;
	if (git_status_list_new(&list, w->repo, &opts) < 0) {
		strbuf_addf(err, "cannot read the status of '%s': %s", w->workdir,
			    git_error_last() ? git_error_last()->message : "unknown error");
		return -1;
	}
	for (size_t i = 0; i < git_status_list_entrycount(list); i++) {
		const git_status_entry *e = git_status_byindex(list, i);
		const git_diff_delta *d = e->index_to_workdir ? e->index_to_workdir : e->head_to_index;
		const char *p = d ? d->new_file.path : NULL;
		if (!p)
			continue;
		if (e->status & (GIT_STATUS_WT_DELETED | GIT_STATUS_INDEX_DELETED))
			strlist_add(&w->gone, e->head_to_index ? e->head_to_index->old_file.path : p);
		else if (e->status & (GIT_STATUS_WT_NEW | GIT_STATUS_INDEX_NEW))
			strlist_add(added, p);
		if (e->status & (GIT_STATUS_INDEX_RENAMED | GIT_STATUS_WT_RENAMED))
			strlist_add(added, p);
	}
	git_status_list_free(list);
	return 0;
}

int xref_walk(const char *workdir, const struct strlist *exclude, size_t max_size,
	      xref_file_fn fn, void *data, struct xref_walk_stats *stats, struct strbuf *err)
{
	struct walk w;
	struct strlist added = STRLIST_INIT;
	git_object *tree = NULL;
	int ret = 0;

	memset(&w, 0, sizeof(w));
	memset(stats, 0, sizeof(*stats));
	w.workdir = workdir;
	w.exclude = exclude;
	w.max_size = max_size;
	w.fn = fn;
	w.data = data;
	w.stats = stats;
	strbuf_init(&w.path, 256);
	strbuf_init(&w.buf, 65536);

	git_libgit2_init();
	if (git_repository_open(&w.repo, workdir) < 0) {
		strbuf_addf(err, "cannot open the repository '%s': %s", workdir,
			    git_error_last() ? git_error_last()->message : "unknown error");
		ret = -1;
		goto out;
	}
	if (collect_status(&w, &added, err) < 0) {
		ret = -1;
		goto out;
	}
	/* An unborn HEAD has no tree: everything is in the work tree. */
	if (git_revparse_single(&tree, w.repo, "HEAD^{tree}") == 0)
		git_tree_walk((git_tree *)tree, GIT_TREEWALK_PRE, tree_cb, &w);
	for (size_t i = 0; i < added.nr && !w.stop; i++)
		if (xref_path_wanted(added.items[i], exclude))
			visit(&w, added.items[i], NULL);
out:
	git_object_free(tree);
	git_repository_free(w.repo);
	git_libgit2_shutdown();
	strlist_clear(&added);
	strlist_clear(&w.gone);
	strbuf_release(&w.path);
	strbuf_release(&w.buf);
	return ret;
}
