/*
 * xref_files.c - the application source the cross-check reads.
 *
 * "The code at the same commit" is the tree of HEAD plus what is not yet
 * committed: modified files as they are now, deleted ones not at all,
 * added and untracked ones too. That is exactly the work tree's tracked
 * files (the index says which) plus its untracked files that are not
 * ignored, so one readdir walk finds them, without asking libgit2 for a
 * status (which re-hashes racily clean files) or inflating blobs: an
 * unmodified file's bytes on disk are its blob's.
 *
 * The reading and the prefilter run on two threads over the path list;
 * the callback must be thread-safe. Each file is read once.
 *
 * Migration directories, vendored code, lock files, generated schema dumps,
 * binaries and big files are not application code anyone edits by hand,
 * and are left out.
 */
#include "heap.h"
#include "xref_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <git2.h>
#include <pthread.h>
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

#define XREF_THREADS 2

struct walk {
	git_repository *repo;
	git_index *index;
	const char *workdir;
	const struct strlist *exclude;
	size_t max_size;
	xref_file_fn fn;
	void *data;
	struct strlist paths;    /* repository-relative, to read */
	size_t next;             /* next path to take (under lock) */
	pthread_mutex_t lock;
	struct xref_walk_stats *stats;
	int stop;
};

static bool looks_binary(const char *buf, size_t len)
{
	return memchr(buf, '\0', len < 8000 ? len : 8000) != NULL;
}

static bool tracked(struct walk *w, const char *path)
{
	return w->index && git_index_get_bypath(w->index, path, 0) != NULL;
}

static bool ignored(struct walk *w, const char *path)
{
	int ign = 0;
	return git_ignore_path_is_ignored(&ign, w->repo, path) == 0 && ign;
}

static bool skip_dir(const struct walk *w, const char *rel, const char *name)
{
	if (!strcmp(name, ".git"))
		return true;
	for (size_t i = 0; vendored[i]; i++)
		if (!strcmp(name, vendored[i]))
			return true;
	for (size_t i = 0; w->exclude && i < w->exclude->nr; i++)
		if (under_dir(rel, w->exclude->items[i]))
			return true;
	return false;
}

/* Collects the files worth reading below workdir/rel (rel "" or "dir/"). */
static void list_dir(struct walk *w, struct strbuf *rel)
{
	struct strbuf abs = STRBUF_INIT;
	DIR *d;
	struct dirent *de;
	strbuf_addf(&abs, "%s%s", w->workdir, rel->buf);
	d = opendir(abs.buf);
	strbuf_release(&abs);
	if (!d)
		return;
	while ((de = readdir(d))) {
		size_t len = rel->len;
		if (de->d_name[0] == '.' && (!de->d_name[1] || (de->d_name[1] == '.' && !de->d_name[2])))
			continue;
		strbuf_addstr(rel, de->d_name);
		unsigned char type = de->d_type;
		if (type == DT_UNKNOWN) {
			struct stat st;
			struct strbuf p = STRBUF_INIT;
			strbuf_addf(&p, "%s%s", w->workdir, rel->buf);
			type = lstat(p.buf, &st) < 0 ? DT_UNKNOWN : S_ISDIR(st.st_mode) ? DT_DIR :
			       S_ISREG(st.st_mode) ? DT_REG : DT_UNKNOWN;
			strbuf_release(&p);
		}
		if (type == DT_DIR && !skip_dir(w, rel->buf, de->d_name)) {
			strbuf_addch(rel, '/');
			if (tracked(w, rel->buf) || !ignored(w, rel->buf))
				list_dir(w, rel);
		} else if (type == DT_REG && xref_path_wanted(rel->buf, w->exclude) &&
			   (tracked(w, rel->buf) || !ignored(w, rel->buf))) {
			strlist_add(&w->paths, rel->buf);
		}
		rel->len = len;
		rel->buf[len] = '\0';
	}
	closedir(d);
}

/* Reads one file into *buf: 0, or 1 when gone, too big or not a file. */
static int read_file(const struct walk *w, const char *path, struct strbuf *buf)
{
	struct strbuf abs = STRBUF_INIT;
	struct stat st;
	int fd;
	strbuf_addf(&abs, "%s%s", w->workdir, path);
	fd = open(abs.buf, O_RDONLY);
	strbuf_release(&abs);
	if (fd < 0)
		return 1;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size > w->max_size) {
		close(fd);
		return 1;
	}
	strbuf_reset(buf);
	strbuf_grow(buf, (size_t)st.st_size + 1);
	size_t got = 0;
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf->buf + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	buf->len = got;
	buf->buf[got] = '\0';
	return 0;
}

static void *reader(void *arg)
{
	struct walk *w = arg;
	struct strbuf buf = STRBUF_INIT;
	size_t files = 0, bytes = 0, skipped = 0;
	heap_for_thread();
	strbuf_init(&buf, 65536);
	for (;;) {
		pthread_mutex_lock(&w->lock);
		size_t i = w->stop ? w->paths.nr : w->next++;
		pthread_mutex_unlock(&w->lock);
		if (i >= w->paths.nr)
			break;
		const char *path = w->paths.items[i];
		if (read_file(w, path, &buf) || looks_binary(buf.buf, buf.len)) {
			skipped++;
			continue;
		}
		files++;
		bytes += buf.len;
		if (w->fn(path, buf.buf, buf.len, w->data)) {
			pthread_mutex_lock(&w->lock);
			w->stop = 1;
			pthread_mutex_unlock(&w->lock);
		}
	}
	pthread_mutex_lock(&w->lock);
	w->stats->files += files;
	w->stats->bytes += bytes;
	w->stats->skipped += skipped;
	pthread_mutex_unlock(&w->lock);
	strbuf_release(&buf);
	return NULL;
}

int xref_walk(const char *workdir, const struct strlist *exclude, size_t max_size,
	      xref_file_fn fn, void *data, struct xref_walk_stats *stats, struct strbuf *err)
{
	struct walk w;
	struct strbuf rel = STRBUF_INIT;
	pthread_t th[XREF_THREADS];
	size_t started = 0;
	int ret = 0;

	struct strbuf dir = STRBUF_INIT;

	memset(&w, 0, sizeof(w));
	memset(stats, 0, sizeof(*stats));
	strbuf_addstr(&dir, workdir);
	if (!dir.len || dir.buf[dir.len - 1] != '/')
		strbuf_addch(&dir, '/');
	w.workdir = dir.buf;
	w.exclude = exclude;
	w.max_size = max_size;
	w.fn = fn;
	w.data = data;
	w.stats = stats;
	pthread_mutex_init(&w.lock, NULL);

	git_libgit2_init();
	if (git_repository_open(&w.repo, workdir) < 0 || git_repository_index(&w.index, w.repo) < 0) {
		strbuf_addf(err, "cannot open the repository '%s': %s", workdir,
			    git_error_last() ? git_error_last()->message : "unknown error");
		ret = -1;
		goto out;
	}
	list_dir(&w, &rel);
	for (size_t i = 0; i < XREF_THREADS && i < w.paths.nr; i++)
		if (pthread_create(&th[i], NULL, reader, &w) == 0)
			started++;
	if (!started)
		reader(&w);
	for (size_t i = 0; i < started; i++)
		pthread_join(th[i], NULL);
out:
	git_index_free(w.index);
	git_repository_free(w.repo);
	git_libgit2_shutdown();
	strlist_clear(&w.paths);
	strbuf_release(&rel);
	strbuf_release(&dir);
	pthread_mutex_destroy(&w.lock);
	return ret;
}
