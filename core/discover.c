/*
 * discover.c - layout detection and pairing (minimal; see discover.h).
 */
#include "discover.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Files larger than this are refused with a message, not read. */
#define MAX_MIGRATION_BYTES (64u << 20)

void migration_set_init(struct migration_set *ms)
{
	memset(ms, 0, sizeof(*ms));
}

void migration_set_release(struct migration_set *ms)
{
	for (size_t i = 0; i < ms->nr; i++)
		migration_free(ms->v[i]);
	free(ms->v);
	free(ms->workdir);
	free(ms->branch);
	free(ms->base);
	free(ms->merge_base);
	free(ms->head);
	strlist_clear(&ms->dirs);
	strlist_clear(&ms->errors);
	memset(ms, 0, sizeof(*ms));
}

size_t migration_set_pending(const struct migration_set *ms)
{
	size_t n = 0;
	for (size_t i = 0; i < ms->nr; i++)
		n += ms->v[i]->pending;
	return n;
}

static struct migration *find_or_add(struct migration_set *ms, const char *key, enum framework fw)
{
	for (size_t i = 0; i < ms->nr; i++)
		if (!strcmp(ms->v[i]->id, key) && ms->v[i]->fw == fw)
			return ms->v[i];
	struct migration *m = xcalloc(1, sizeof(*m));
	m->id = xstrdup(key);
	m->fw = fw;
	ALLOC_GROW(ms->v, ms->nr + 1, ms->alloc);
	ms->v[ms->nr++] = m;
	return m;
}

int discover_add_file(struct migration_set *ms, const char *relpath, const char *text, size_t len,
		      bool from_worktree)
{
	const char *base = strrchr(relpath, '/');
	base = base ? base + 1 : relpath;
	if (!ends_with(base, ".sql"))
		return 1;
	enum framework fw = FW_PLAIN;
	enum direction dir = DIR_UP;
	char *key;
	if (!strcmp(base, "up.sql") || !strcmp(base, "down.sql")) {
		fw = FW_DIESEL;
		dir = base[0] == 'd' ? DIR_DOWN : DIR_UP;
		key = xstrndup(relpath, (size_t)(base - relpath));
	} else if (ends_with(base, ".up.sql") || ends_with(base, ".down.sql")) {
		fw = FW_GOLANG_MIGRATE;
		dir = ends_with(base, ".down.sql") ? DIR_DOWN : DIR_UP;
		key = xstrndup(relpath, strlen(relpath) - (dir == DIR_DOWN ? 9 : 7));
	} else {
		key = xstrndup(relpath, strlen(relpath) - 4);
	}
	struct migration *m = find_or_add(ms, key, fw);
	free(key);
	struct script *s = script_new(relpath, text, len);
	s->dir = dir;
	s->in_txn = framework_wraps_in_transaction(fw);
	s->from_worktree = from_worktree;
	if (!m->name)
		m->name = xstrdup(base);
	if (dir == DIR_DOWN) {
		script_free(m->down);
		m->down = s;
	} else {
		script_free(m->up);
		m->up = s;
	}
	m->pending = true;
	return 0;
}

static int add_disk_file(struct migration_set *ms, const char *path, bool named)
{
	struct strbuf sb = STRBUF_INIT;
	struct stat st;
	if (stat(path, &st) < 0) {
		strlist_add_nodup(&ms->errors, xstrfmt("%s: cannot read: %s", path, strerror(errno)));
		return -1;
	}
	if ((size_t)st.st_size > MAX_MIGRATION_BYTES) {
		strlist_add_nodup(&ms->errors,
				  xstrfmt("%s: file is %lld bytes, over sluice's %u MiB limit for one migration; not judged",
					  path, (long long)st.st_size, MAX_MIGRATION_BYTES >> 20));
		return -1;
	}
	if (strbuf_read_file(&sb, path, MAX_MIGRATION_BYTES) < 0) {
		strlist_add_nodup(&ms->errors, xstrfmt("%s: cannot read: %s", path, strerror(errno)));
		strbuf_release(&sb);
		return -1;
	}
	int r = discover_add_file(ms, path, sb.buf, sb.len, true);
	if (r == 1 && named) {
		/* Named explicitly: judge it whatever its name. */
		struct migration *m = find_or_add(ms, path, FW_PLAIN);
		m->up = script_new(path, sb.buf, sb.len);
		m->up->in_txn = false;
		m->name = xstrdup(path);
		m->pending = true;
		r = 0;
	}
	strbuf_release(&sb);
	return r < 0 ? -1 : 0;
}

static int walk_dir(struct migration_set *ms, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int ret = 0;
	if (!d) {
		strlist_add_nodup(&ms->errors, xstrfmt("%s: cannot open directory: %s", dir, strerror(errno)));
		return -1;
	}
	struct strlist names = STRLIST_INIT;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			strlist_add(&names, de->d_name);
	closedir(d);
	for (size_t i = 0; i < names.nr; i++) {
		char *p = xstrfmt("%s/%s", dir, names.items[i]);
		struct stat st;
		if (stat(p, &st) == 0 && S_ISDIR(st.st_mode))
			ret |= walk_dir(ms, p);
		else if (stat(p, &st) == 0 && S_ISREG(st.st_mode) && ends_with(p, ".sql"))
			ret |= add_disk_file(ms, p, false);
		free(p);
	}
	strlist_clear(&names);
	return ret;
}

int discover_paths(struct migration_set *ms, const char *const *paths, size_t n)
{
	int ret = 0;
	for (size_t i = 0; i < n; i++) {
		struct stat st;
		char *p = xstrdup(paths[i]);
		size_t l = strlen(p);
		while (l > 1 && p[l - 1] == '/')
			p[--l] = '\0';
		if (stat(p, &st) < 0) {
			strlist_add_nodup(&ms->errors, xstrfmt("%s: no such file or directory", p));
			ret = -1;
		} else if (S_ISDIR(st.st_mode)) {
			ret |= walk_dir(ms, p);
		} else {
			ret |= add_disk_file(ms, p, true);
		}
		free(p);
	}
	discover_finish(ms);
	return ret;
}

int discover_repo(struct migration_set *ms, const char *path, const char *base)
{
	(void)base;
	strlist_add_nodup(&ms->errors, xstrfmt("%s: repository discovery not built yet", path));
	return -1;
}

static int cmp_migration(const void *a, const void *b)
{
	const struct migration *x = *(struct migration *const *)a, *y = *(struct migration *const *)b;
	return strcmp(x->id, y->id);
}

void discover_finish(struct migration_set *ms)
{
	if (ms->nr)
		qsort(ms->v, ms->nr, sizeof(*ms->v), cmp_migration);
}
