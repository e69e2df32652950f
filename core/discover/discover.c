/*
 * discover.c - the migration set: adding classified files, apply order,
 * pairing ups with downs, and files or directories named on the command
 * line. The layouts themselves are in discover_layout.c; repositories in
 * gitrepo.c.
 *
 * Each file becomes a migration of its own as it is added; pairing happens
 * once at the end (discover_finish), because a down may be seen before its
 * up and marker files may arrive after the scripts they govern.
 */
#include "discover_int.h"
#include "parallel.h"
#include "util.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* What sorting and pairing need beyond struct migration. */
struct mig_meta {
	struct migration *m;
	char *root, *version;
	int rank;
	long plan_pos;
	bool forced;         /* named (or its directory named) on the command line */
};

struct discover_priv {
	struct markers markers;
	struct mig_meta *meta;
	size_t nr, alloc;
};

static struct discover_priv *priv(struct migration_set *ms)
{
	if (!ms->priv)
		ms->priv = xcalloc(1, sizeof(*ms->priv));
	return ms->priv;
}

struct markers *discover_markers(struct migration_set *ms)
{
	return &priv(ms)->markers;
}

void migration_set_init(struct migration_set *ms)
{
	memset(ms, 0, sizeof(*ms));
}

static void priv_free(struct discover_priv *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->nr; i++) {
		free(p->meta[i].root);
		free(p->meta[i].version);
	}
	free(p->meta);
	markers_clear(&p->markers);
	free(p);
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
	free(ms->no_base);
	strlist_clear(&ms->dirs);
	strlist_clear(&ms->errors);
	priv_free(ms->priv);
	memset(ms, 0, sizeof(*ms));
}

size_t migration_set_pending(const struct migration_set *ms)
{
	size_t n = 0;
	for (size_t i = 0; i < ms->nr; i++)
		n += ms->v[i]->pending;
	return n;
}

void discover_refuse_size(struct migration_set *ms, const char *path, unsigned long long size)
{
	strlist_add_nodup(&ms->errors,
			  xstrfmt("%s: file is %llu bytes, over sluice's %zu MiB limit for one migration; not judged",
				  path, size, MAX_MIGRATION_BYTES >> 20));
}

bool discover_text_ok(struct migration_set *ms, const char *path, const char *text, size_t len)
{
	const char *nul;
	if (len > MAX_MIGRATION_BYTES) {
		discover_refuse_size(ms, path, len);
		return false;
	}
	if ((nul = memchr(text, '\0', len))) {
		strlist_add_nodup(&ms->errors,
				  xstrfmt("%s:%d: binary file (a NUL byte); not judged", path,
					  line_of_offset(text, (size_t)(nul - text))));
		return false;
	}
	return true;
}

static struct script *make_script(const char *path, const char *text, struct layout_part *p,
				  bool from_worktree)
{
	struct script *s = p->script ? p->script : script_new(path, text + p->off, p->len);
	p->script = NULL;
	s->first_line = p->first_line;
	s->dir = p->dir;
	s->in_txn = p->in_txn;
	s->implicit_txn = p->implicit_txn;
	s->mixed_line = p->mixed_line;
	s->mixed_refused = p->mixed_refused;
	s->from_worktree = from_worktree;
	if (p->breakpoints)
		drizzle_breakpoints(s->text, s->len);
	return s;
}

/* Adds one classified file as a migration of its own; takes lf's root and version. */
struct migration *discover_add_classified(struct migration_set *ms, const char *path,
					  const char *text, bool from_worktree, bool forced,
					  struct layout_file *lf)
{
	struct discover_priv *p = priv(ms);
	struct migration *m = xcalloc(1, sizeof(*m));
	m->id = xstrdup(lf->version);
	m->name = xstrdup(lf->name);
	m->fw = lf->fw;
	m->pending = from_worktree;
	for (int i = 0; i < lf->nr_parts; i++) {
		struct script *s = make_script(path, text, &lf->part[i], from_worktree);
		if (s->dir == DIR_DOWN && !m->down)
			m->down = s;
		else if (s->dir != DIR_DOWN && !m->up)
			m->up = s;
		else
			script_free(s);
	}
	ALLOC_GROW(ms->v, ms->nr + 1, ms->alloc);
	ms->v[ms->nr++] = m;
	ALLOC_GROW(p->meta, p->nr + 1, p->alloc);
	p->meta[p->nr++] = (struct mig_meta){ m, lf->root, lf->version, lf->rank, lf->plan_pos,
					      forced };
	lf->root = lf->version = NULL;
	layout_file_release(lf);
	if (!strlist_has(&ms->dirs, p->meta[p->nr - 1].root))
		strlist_add(&ms->dirs, p->meta[p->nr - 1].root);
	return m;
}

int discover_add(struct migration_set *ms, const char *path, size_t skip, bool forced,
		 const char *text, size_t len, bool from_worktree)
{
	struct discover_priv *p = priv(ms);
	struct layout_file lf;

	if (!layout_sql_name(path) && layout_tool_name(path))
		return discover_tool_file(ms, path, skip, forced, text, len, from_worktree);
	if (layout_candidate(&p->markers, path, skip, forced) != LAYOUT_MIGRATION)
		return 1;
	if (!discover_text_ok(ms, path, text, len))
		return -1;
	if (liquibase_formatted(text, len)) {
		const char *slash = strrchr(path, '/'), *base = slash ? slash + 1 : path;
		char *root = xstrndup(path, slash ? (size_t)(slash - path) : 0);
		char *stem = xstrndup(base, strcspn(base, "."));
		liquibase_add(ms, path, root, stem, forced && skip >= strlen(path), text, len,
			      from_worktree);
		free(root);
		free(stem);
		return 0;
	}
	if (layout_classify(&p->markers, path, skip, forced, text, len, &lf) != LAYOUT_MIGRATION)
		return 1;
	discover_add_classified(ms, path, text, from_worktree, forced && skip >= strlen(path), &lf);
	return 0;
}

/*
 * A file named on the command line that no layout takes (foo.txt, a
 * sqitch verify script): the user asked for it, so it is judged as plain
 * SQL, one script run as written.
 */
static int add_named_plain(struct migration_set *ms, const char *path, const char *text,
			   size_t len)
{
	struct layout_file lf;
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;

	if (!discover_text_ok(ms, path, text, len))
		return -1;
	memset(&lf, 0, sizeof(lf));
	lf.fw = FW_PLAIN;
	lf.root = xstrndup(path, slash ? (size_t)(slash - path) : 0);
	lf.version = xstrdup(base);
	lf.name = xstrdup(base);
	lf.part[0] = (struct layout_part){ .dir = DIR_UP, .len = len, .first_line = 1 };
	lf.nr_parts = 1;
	discover_add_classified(ms, path, text, true, true, &lf);
	return 0;
}

void discover_add_dump(struct migration_set *ms, const char *root, const char *version,
		       struct script *up)
{
	struct discover_priv *p = priv(ms);
	size_t out = 0;
	for (size_t i = 0; i < p->nr; i++) {
		struct mig_meta *x = &p->meta[i];
		if (x->m->fw == FW_RAILS && !x->m->pending && !strcmp(x->root, root) &&
		    version_cmp(x->version, version) <= 0) {
			/* in the dump: not replayed on their own */
			for (size_t k = 0; k < ms->nr; k++)
				if (ms->v[k] == x->m)
					ms->v[k] = ms->v[--ms->nr];
			migration_free(x->m);
			free(x->root);
			free(x->version);
			continue;
		}
		p->meta[out++] = *x;
	}
	p->nr = out;
	struct migration *m = xcalloc(1, sizeof(*m));
	m->id = xstrdup(version);
	m->name = xstrdup("schema dump");
	m->fw = FW_RAILS;
	m->up = up;
	up->dir = DIR_UP;
	ALLOC_GROW(ms->v, ms->nr + 1, ms->alloc);
	ms->v[ms->nr++] = m;
	ALLOC_GROW(p->meta, p->nr + 1, p->alloc);
	/* after the migration of its own version: "~" sorts after the end of a version */
	p->meta[p->nr++] = (struct mig_meta){ m, xstrdup(root), xstrfmt("%s~", version), 0, 0, false };
}

int discover_add_file(struct migration_set *ms, const char *relpath, const char *text, size_t len,
		      bool from_worktree)
{
	return discover_add(ms, relpath, 0, false, text, len, from_worktree);
}

int discover_add_named(struct migration_set *ms, const char *relpath, const char *text, size_t len,
		       bool from_worktree)
{
	return discover_add(ms, relpath, 0, true, text, len, from_worktree);
}

/* --- apply order and pairing ------------------------------------------- */

static int cmp_meta(const void *a, const void *b)
{
	const struct mig_meta *x = a, *y = b;
	/* directories in natural order too: delta/9 before delta/10, v1.2/ before v1.10/ */
	int c = version_cmp(x->root, y->root);
	if (!c)
		c = strcmp(x->root, y->root);
	if (c)
		return c;
	if (x->rank != y->rank)
		return x->rank - y->rank;
	if (x->plan_pos != y->plan_pos)
		return x->plan_pos < y->plan_pos ? -1 : 1;
	if ((c = version_cmp(x->version, y->version)))
		return c;
	if ((c = version_cmp(x->m->name, y->m->name)))
		return c;
	/* an up before its down: a pair keeps the place of its up */
	return (x->m->up == NULL) - (y->m->up == NULL);
}

/* Same directory, tool and version: the up and down of one migration. */
static bool same_migration(const struct mig_meta *a, const struct mig_meta *b)
{
	return a->m->fw == b->m->fw && a->rank == b->rank && !strcmp(a->root, b->root) &&
	       !version_cmp(a->version, b->version);
}

static void merge_down(struct mig_meta *up, struct mig_meta *down)
{
	up->m->down = down->m->down;
	down->m->down = NULL;
	up->m->pending |= down->m->pending;
	up->m->changed |= down->m->changed;
	migration_free(down->m);
	free(down->root);
	free(down->version);
	down->m = NULL;
}

/*
 * Gives each lone down in meta[from, to) (one version) a lone up: the one
 * of the same name, else the first. The tools pair by version alone, and
 * ente's 64_collection_pub_magic_metadata.up.sql has for its down
 * 64_collection_drop_pub_magic_metadata.down.sql.
 */
static void pair_group(struct mig_meta *meta, size_t from, size_t to)
{
	for (size_t d = from; d < to; d++) {
		struct mig_meta *down = &meta[d], *best = NULL;
		if (!down->m || down->m->up || !down->m->down)
			continue;
		for (size_t u = from; u < to; u++) {
			struct mig_meta *up = &meta[u];
			if (!up->m || !up->m->up || up->m->down)
				continue;
			bool same_name = !strcmp(up->m->name, down->m->name);
			if (!best || same_name)
				best = up;
			if (same_name)
				break;
		}
		if (best)
			merge_down(best, down);
	}
}

/*
 * A repository uses downs when most migrations of a directory have one; a
 * missing down is worth a finding only there (core/rules/rules_rollback.c). The
 * history (what the base branch has) decides when there is one, so a branch
 * cannot make downs look unused by adding migrations without them. meta[]
 * is sorted by directory.
 */
static void mark_downs_unused(struct mig_meta *meta, size_t n)
{
	for (size_t i = 0, j; i < n; i = j) {
		size_t ups = 0, downs = 0, hist_ups = 0, hist_downs = 0;
		for (j = i; j < n && !strcmp(meta[j].root, meta[i].root); j++) {
			const struct migration *m = meta[j].m;
			ups += m->up != NULL;
			downs += m->up && m->down;
			hist_ups += m->up && !m->pending;
			hist_downs += m->up && m->down && !m->pending;
		}
		if (hist_ups) {
			ups = hist_ups;
			downs = hist_downs;
		}
		for (size_t k = i; k < j; k++)
			meta[k].m->downs_unused = downs * 2 <= ups;
	}
}

/*
 * A plain .sql file beside a tool's migrations that the tool never runs:
 * golang-migrate skips every name source.DefaultParse() cannot read
 * (golang-migrate/migrate source/iofs/iofs.go, Init(): "continue"), pop
 * logs "ignoring file ... does not match the migration file pattern"
 * (gobuffalo/pop file_migrator.go) and writes its own schema.sql dump
 * there; a directory of versioned files does not run a schema.sql,
 * views.sql or seed.sql without a version. Left out, unless the file
 * itself was named.
 */
static bool never_run(const struct mig_meta *meta, size_t from, size_t to, size_t k)
{
	const struct mig_meta *x = &meta[k];
	bool tool = false, versioned = false;
	if (!x->m || x->m->fw != FW_PLAIN || x->forced)
		return false;
	for (size_t i = from; i < to; i++) {
		if (!meta[i].m || i == k)
			continue;
		tool |= meta[i].m->fw == FW_GOLANG_MIGRATE || meta[i].m->fw == FW_POP;
		versioned |= isdigit((unsigned char)meta[i].version[0]);
	}
	return tool || (versioned && !isdigit((unsigned char)x->version[0]));
}

/*
 * sluice writes a plain migration's down as NAME.down.sql, a name that
 * alone reads as golang-migrate's. In a directory where golang-migrate has
 * no up, such a down belongs to a plain NAME.sql beside it: classify it
 * plain, so that it pairs with that up and never makes the up look like a
 * file golang-migrate would skip. meta[] is sorted by directory.
 */
static void lone_downs_are_plain(struct mig_meta *meta, size_t n)
{
	for (size_t i = 0, j; i < n; i = j) {
		bool golang_up = false;
		for (j = i; j < n && !strcmp(meta[j].root, meta[i].root); j++)
			golang_up |= meta[j].m->fw == FW_GOLANG_MIGRATE && meta[j].m->up;
		for (size_t k = i; k < j && !golang_up; k++) {
			if (meta[k].m->fw != FW_GOLANG_MIGRATE)
				continue;
			for (size_t u = i; u < j; u++)
				if (meta[u].m->fw == FW_PLAIN && meta[u].m->up &&
				    !version_cmp(meta[u].version, meta[k].version)) {
					meta[k].m->fw = FW_PLAIN;
					break;
				}
		}
	}
}

static void drop_never_run(struct mig_meta *meta, size_t n)
{
	bool *drop = xcalloc(n ? n : 1, sizeof(*drop));
	for (size_t i = 0, j; i < n; i = j) {
		for (j = i; j < n && !strcmp(meta[j].root, meta[i].root); j++)
			;
		for (size_t k = i; k < j; k++)
			drop[k] = never_run(meta, i, j, k);
	}
	for (size_t k = 0; k < n; k++)
		if (drop[k]) {
			migration_free(meta[k].m);
			free(meta[k].root);
			free(meta[k].version);
			meta[k].m = NULL;
		}
	free(drop);
}

void discover_finish(struct migration_set *ms)
{
	struct discover_priv *p = ms->priv;
	size_t out = 0, j;
	if (!p || !p->nr)
		return;
	qsort(p->meta, p->nr, sizeof(*p->meta), cmp_meta);
	lone_downs_are_plain(p->meta, p->nr);
	for (size_t i = 0; i < p->nr; i = j) {
		for (j = i + 1; j < p->nr && same_migration(&p->meta[i], &p->meta[j]); j++)
			;
		if (j - i > 1)
			pair_group(p->meta, i, j);
	}
	for (int pass = 0; pass < 2; pass++) {
		/* pairing emptied the downs it merged; then the files no tool runs go */
		if (pass)
			drop_never_run(p->meta, p->nr);
		out = 0;
		for (size_t i = 0; i < p->nr; i++)
			if (p->meta[i].m)
				p->meta[out++] = p->meta[i];
		p->nr = out;
	}
	ms->nr = out;
	for (size_t i = 0; i < out; i++)
		ms->v[i] = p->meta[i].m;
	mark_downs_unused(p->meta, out);
}

/* --- files and directories on disk ------------------------------------- */

/* What a path that is not a regular file is, for messages. */
static const char *file_kind(mode_t mode)
{
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISFIFO(mode))
		return "a FIFO";
	if (S_ISSOCK(mode))
		return "a socket";
	if (S_ISCHR(mode) || S_ISBLK(mode))
		return "a device";
	return "not a regular file";
}

static void not_regular(struct migration_set *ms, const char *name, mode_t mode)
{
	strlist_add_nodup(&ms->errors, xstrfmt("%s: %s, not a migration file; not judged", name,
					       file_kind(mode)));
}

/* The text of the regular file at `path` into sb: 0, or errno (st: what the one open saw). */
static int read_regular(const char *path, struct strbuf *sb, struct stat *st)
{
	return strbuf_read_regular_st(sb, path, MAX_MIGRATION_BYTES, st) == 0 ? 0 : errno;
}

/* Why the file `name` at `path` could not be read (err from read_regular), in ms->errors. */
static void read_failed(struct migration_set *ms, const char *path, const char *name, int err,
			struct stat *st)
{
	/* a socket cannot be opened at all: stat says what it is */
	if (!st->st_mode && stat(path, st) < 0)
		memset(st, 0, sizeof(*st));
	if (st->st_mode && !S_ISREG(st->st_mode)) {
		not_regular(ms, name, st->st_mode);
	} else if (err == EFBIG && (size_t)st->st_size > MAX_MIGRATION_BYTES) {
		/* refused before reading: a 5 GB dump must not cost 5 GB */
		discover_refuse_size(ms, name, (unsigned long long)st->st_size);
	} else {
		strlist_add_nodup(&ms->errors, xstrfmt("%s: cannot read: %s", name, strerror(err)));
	}
}

int discover_read_disk(struct migration_set *ms, const char *path, const char *name,
		       struct strbuf *sb)
{
	/* regular only (a FIFO must not hang us), and what it is from the one open */
	struct stat st;
	int err = read_regular(path, sb, &st);
	if (err)
		read_failed(ms, path, name, err, &st);
	return err ? -1 : 0;
}

static void note_disk_marker(struct migration_set *ms, const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	struct stat st;
	if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
		return;
	if (layout_marker_wants_text(path) && st.st_size < (1 << 20))
		strbuf_read_regular(&sb, path, 1 << 20);
	markers_add(discover_markers(ms), path, sb.buf, sb.len);
	strbuf_release(&sb);
}

/* The markers that could govern a file named alone on the command line. */
static void note_markers_near(struct migration_set *ms, const char *path)
{
	static const char *const here[] = { "atlas.sum", "metadata.toml", "meta/_journal.json",
					    "snapshot.json" };
	static const char *const above[] = { "sqitch.plan", "Cargo.toml" };
	const char *slash = strrchr(path, '/');
	char *tmp;
	if (!slash)
		return; /* no directory in the path: the layouts need one */
	int dl = (int)(slash - path);
	for (size_t i = 0; i < ARRAY_SIZE(here); i++) {
		tmp = xstrfmt("%.*s/%s", dl, path, here[i]);
		note_disk_marker(ms, tmp);
		free(tmp);
	}
	const char *up = dl ? memrchr(path, '/', (size_t)dl) : NULL;
	for (size_t i = 0; i < ARRAY_SIZE(above); i++) {
		tmp = up ? xstrfmt("%.*s/%s", (int)(up - path), path, above[i]) : xstrdup(above[i]);
		note_disk_marker(ms, tmp);
		free(tmp);
	}
	tmp = xstrfmt("%s.conf", path);
	note_disk_marker(ms, tmp);
	free(tmp);
}

/* Is the file at `path` one discovery reads (a migration's name, or a tool's)? */
static bool disk_candidate(struct migration_set *ms, const char *path, size_t skip, bool forced)
{
	return layout_candidate(discover_markers(ms), path, skip, forced) == LAYOUT_MIGRATION ||
	       (!layout_sql_name(path) && tool_candidate(path, skip, forced));
}

static int add_disk_file(struct migration_set *ms, const char *path, size_t skip, bool forced)
{
	struct strbuf sb = STRBUF_INIT;
	int r = 1;
	if (disk_candidate(ms, path, skip, forced)) {
		r = discover_read_disk(ms, path, path, &sb);
		if (!r)
			r = discover_add(ms, path, skip, forced, sb.buf, sb.len, true);
	}
	strbuf_release(&sb);
	return r;
}

/*
 * A regular file named on the command line: judged whatever its name, in
 * its layout when one takes it, as plain SQL when none does. Only a
 * migration for another database is not judged, and that is an error.
 */
static void add_named_file(struct migration_set *ms, const char *path, size_t skip)
{
	struct strbuf sb = STRBUF_INIT;
	if (layout_candidate(discover_markers(ms), path, skip, true) == LAYOUT_OTHER_DIALECT)
		strlist_add_nodup(&ms->errors,
				  xstrfmt("%s: a migration for another database, not PostgreSQL; not judged",
					  path));
	else if (add_disk_file(ms, path, skip, true) > 0 &&
		 discover_read_disk(ms, path, path, &sb) == 0)
		add_named_plain(ms, path, sb.buf, sb.len);
	strbuf_release(&sb);
}

static bool skipped_dir(const char *name)
{
	return name[0] == '.' || !strcmp(name, "node_modules") || !strcmp(name, "vendor");
}

/*
 * One directory walk. Symbolic links are followed, as the frameworks do,
 * but each directory is walked once, known by device and inode, so a link
 * loop ends; and the walk stays on the file system it started on, so a
 * link to / (every /proc/PID/root) does not walk the machine.
 */
struct dir_id {
	dev_t dev;
	ino_t ino;
};

struct walk {
	struct migration_set *ms;
	struct strlist *files;
	dev_t dev;
	struct dir_id *seen;  /* open addressing; ino 0 is a free slot */
	size_t nr_seen, alloc_seen;
};

static size_t dir_slot(const struct dir_id *seen, size_t alloc, dev_t dev, ino_t ino)
{
	size_t h = ((size_t)ino * 0x9E3779B97F4A7C15ull) ^ (size_t)dev;
	for (size_t i = h & (alloc - 1);; i = (i + 1) & (alloc - 1))
		if (!seen[i].ino || (seen[i].ino == ino && seen[i].dev == dev))
			return i;
}

/* Marks a directory walked; false when it already was. */
static bool first_visit(struct walk *w, const struct stat *st)
{
	if (2 * (w->nr_seen + 1) > w->alloc_seen) {
		size_t alloc = w->alloc_seen ? 2 * w->alloc_seen : 64;
		struct dir_id *seen = xcalloc(alloc, sizeof(*seen));
		for (size_t i = 0; i < w->alloc_seen; i++)
			if (w->seen[i].ino)
				seen[dir_slot(seen, alloc, w->seen[i].dev, w->seen[i].ino)] = w->seen[i];
		free(w->seen);
		w->seen = seen;
		w->alloc_seen = alloc;
	}
	/* no file system hands out inode 0; store it as 1's neighbour anyway */
	ino_t ino = st->st_ino ? st->st_ino : (ino_t)-1;
	size_t i = dir_slot(w->seen, w->alloc_seen, st->st_dev, ino);
	if (w->seen[i].ino)
		return false;
	w->seen[i] = (struct dir_id){ st->st_dev, ino };
	w->nr_seen++;
	return true;
}

/* Collects the .sql files and the markers below `dir`, sorted. */
static void walk_dir(struct walk *w, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	if (!d) {
		/* ENOENT: gone since it was listed (a process under /proc) */
		if (errno != ENOENT)
			strlist_add_nodup(&w->ms->errors,
					  xstrfmt("%s: cannot open directory: %s", dir, strerror(errno)));
		return;
	}
	while ((de = readdir(d))) {
		struct stat st;
		char *p = xstrfmt("%s/%s", dir, de->d_name);
		/* a regular file needs no stat: its directory entry says so */
		if (de->d_type == DT_REG)
			st.st_mode = S_IFREG;
		if (de->d_name[0] == '.' || (de->d_type != DT_REG && stat(p, &st) < 0)) {
			/* dot files, dangling links */
		} else if (S_ISDIR(st.st_mode)) {
			if (!skipped_dir(de->d_name) && st.st_dev == w->dev && first_visit(w, &st))
				walk_dir(w, p);
		} else if (S_ISREG(st.st_mode)) {
			if (layout_is_marker(p))
				note_disk_marker(w->ms, p);
			else if (layout_sql_name(p) || layout_tool_name(p) || layout_rails_name(p))
				strlist_add(w->files, p);
		} else if (layout_sql_name(p)) {
			/* a FIFO would block the read, a device never end */
			not_regular(w->ms, p, st.st_mode);
		}
		free(p);
	}
	closedir(d);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * A directory's candidate files are read on every core, READ_BATCH at a
 * time, then added one by one in order. Reading is four system calls a
 * file (open, fstat, read, close), and on the virtual machines sluice runs
 * on a system call costs 1-2 us: on lemmy's 684 files, half of discovery.
 */
#define READ_BATCH 256

struct read_batch {
	char *const *paths;
	const bool *wanted;
	struct strbuf *texts;
	struct stat *st;
	int *err;
};

static void read_batch_file(size_t i, void *data)
{
	struct read_batch *b = data;
	if (b->wanted[i])
		b->err[i] = read_regular(b->paths[i], &b->texts[i], &b->st[i]);
}

/* Adds files[0..n) as add_disk_file() would each; returns how many were taken. */
static size_t add_disk_files(struct migration_set *ms, char *const *files, size_t n, size_t skip,
			     bool forced)
{
	bool wanted[READ_BATCH];
	struct strbuf texts[READ_BATCH];
	struct stat st[READ_BATCH];
	int err[READ_BATCH];
	struct read_batch b = { files, wanted, texts, st, err };
	size_t found = 0;
	for (size_t i = 0; i < n; i++) {
		wanted[i] = disk_candidate(ms, files[i], skip, forced);
		strbuf_init(&texts[i], 0);
		err[i] = 0;
	}
	parallel_for(n, parallel_threads(), read_batch_file, &b);
	for (size_t i = 0; i < n; i++) {
		if (!wanted[i])
			;
		else if (err[i])
			read_failed(ms, files[i], files[i], err[i], &st[i]);
		else
			found += discover_add(ms, files[i], skip, forced, texts[i].buf, texts[i].len,
					      true) == 0;
		strbuf_release(&texts[i]);
	}
	return found;
}

/* Adds every file of the list, READ_BATCH at a time; returns how many were taken. */
static size_t add_disk_list(struct migration_set *ms, const struct strlist *files, size_t skip,
			    bool forced)
{
	size_t found = 0;
	for (size_t i = 0; i < files->nr; i += READ_BATCH)
		found += add_disk_files(ms, files->items + i,
					files->nr - i < READ_BATCH ? files->nr - i : READ_BATCH, skip,
					forced);
	return found;
}

void discover_add_dir(struct migration_set *ms, const char *dir)
{
	struct strlist files = STRLIST_INIT;
	size_t skip = strlen(dir);
	struct walk w = { .ms = ms, .files = &files };
	struct stat st;
	if (stat(dir, &st) == 0) {
		w.dev = st.st_dev;
		first_visit(&w, &st);
		walk_dir(&w, dir);
	}
	free(w.seen);
	if (files.nr)
		qsort(files.items, files.nr, sizeof(*files.items), cmp_str);
	/*
	 * A directory named on the command line that holds no recognised
	 * migration directory is itself the migration directory.
	 */
	if (!add_disk_list(ms, &files, skip, false))
		add_disk_list(ms, &files, skip, true);
	strlist_clear(&files);
}

int discover_paths(struct migration_set *ms, const char *const *paths, size_t n)
{
	int ret = 0;
	size_t errs = ms->errors.nr;
	for (size_t i = 0; i < n; i++) {
		struct stat st;
		char *p = xstrdup(paths[i]);
		size_t l = strlen(p);
		while (l > 1 && p[l - 1] == '/')
			p[--l] = '\0';
		if (stat(p, &st) < 0) {
			strlist_add_nodup(&ms->errors, xstrfmt("%s: %s", p, strerror(errno)));
		} else if (S_ISDIR(st.st_mode)) {
			discover_add_dir(ms, p);
		} else if (!S_ISREG(st.st_mode)) {
			not_regular(ms, p, st.st_mode);
		} else {
			note_markers_near(ms, p);
			add_named_file(ms, p, l);
		}
		free(p);
	}
	if (ms->errors.nr > errs)
		ret = -1;
	discover_finish(ms);
	return ret;
}
