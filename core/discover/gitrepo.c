/*
 * gitrepo.c - discover_repo(): a repository's migrations through libgit2.
 *
 * Every migration is read from the HEAD tree (blobs, not the work tree, so
 * that what is judged is what was committed), and the branch's own work is
 * marked pending: files added or changed between the merge-base with the
 * base branch and HEAD, plus uncommitted and untracked files, which are
 * read from disk. Only blobs under migration directories are read, so a
 * large repository costs one tree walk, not one read per file.
 *
 * A migration git sees renamed since the merge-base (libgit2's rename
 * detection, committed or in the work tree) keeps the path it had: the
 * frameworks record the versions they applied, so a renamed applied
 * migration is new to them (rule migration-renamed).
 */
#include "discover_int.h"
#include "rails_int.h"
#include "util.h"

#include <git2.h>
#include <stdlib.h>
#include <string.h>

/* One file that may be a migration or a marker. */
struct entry {
	char *path;          /* repository-relative */
	git_oid oid;         /* the HEAD blob, when in_tree */
	bool in_tree, from_wt, pending, changed, deleted;
	bool link;           /* a committed symlink: oid is its target's name */
	char *renamed_from;  /* its path at the merge-base, when git sees a rename */
};

struct repo_scan {
	struct migration_set *ms;
	git_repository *repo;
	const char *workdir;
	git_tree *head_tree, *mb_tree;
	struct entry *v;
	size_t nr, alloc, sorted; /* v[0..sorted) is in path order */
};

static int git_fail(struct migration_set *ms, const char *what)
{
	const git_error *e = git_error_last();
	strlist_add_nodup(&ms->errors, xstrfmt("%s: %s", what, e && e->message ? e->message : "failed"));
	return -1;
}

static struct entry *add_entry(struct repo_scan *rs, const char *path)
{
	ALLOC_GROW(rs->v, rs->nr + 1, rs->alloc);
	struct entry *e = &rs->v[rs->nr++];
	memset(e, 0, sizeof(*e));
	e->path = xstrdup(path);
	return e;
}

static int cmp_entry(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->path, ((const struct entry *)b)->path);
}

static struct entry *find_entry(struct repo_scan *rs, const char *path)
{
	struct entry key = { .path = (char *)path };
	if (!rs->sorted)
		return NULL;
	return bsearch(&key, rs->v, rs->sorted, sizeof(*rs->v), cmp_entry);
}

static void sort_entries(struct repo_scan *rs)
{
	if (rs->nr)
		qsort(rs->v, rs->nr, sizeof(*rs->v), cmp_entry);
	rs->sorted = rs->nr;
}

static bool interesting(const char *path)
{
	char *dump;
	if (layout_sql_name(path) || layout_is_marker(path) || layout_tool_name(path) ||
	    layout_rails_name(path))
		return true;
	dump = layout_rails_dump(path);
	free(dump);
	return dump != NULL;
}

/* Big trees of other people's code: never worth descending into. */
static bool pruned_dir(const char *name)
{
	return !strcmp(name, "node_modules") || !strcmp(name, "vendor") ||
	       !strcmp(name, "third_party") || !strcmp(name, ".git");
}

static int walk_cb(const char *root, const git_tree_entry *te, void *data)
{
	struct repo_scan *rs = data;
	const char *name = git_tree_entry_name(te);
	git_object_t type = git_tree_entry_type(te);
	if (type == GIT_OBJECT_TREE)
		return pruned_dir(name) ? 1 : 0;
	if (type != GIT_OBJECT_BLOB)
		return 0;
	/* a Rails migration is known by its directory too: the whole path, only for .rb */
	if (!interesting(name) && !ends_with(name, ".rb"))
		return 0;
	char *path = xstrfmt("%s%s", root, name);
	if (!interesting(path)) {
		free(path);
		return 0;
	}
	struct entry *e = add_entry(rs, path);
	free(path);
	e->in_tree = true;
	/* a symlink's blob is its target's name, not SQL: resolve_links() */
	e->link = git_tree_entry_filemode(te) == GIT_FILEMODE_LINK;
	git_oid_cpy(&e->oid, git_tree_entry_id(te));
	return 0;
}

/* Reads a HEAD blob; refuses oversized ones without loading them. */
static int read_blob(struct repo_scan *rs, const struct entry *e, struct strbuf *sb)
{
	git_odb *odb;
	size_t size;
	git_object_t type;
	git_blob *blob;
	if (git_repository_odb(&odb, rs->repo) < 0)
		return git_fail(rs->ms, e->path);
	int r = git_odb_read_header(&size, &type, odb, &e->oid);
	git_odb_free(odb);
	if (r < 0)
		return git_fail(rs->ms, e->path);
	if (size > MAX_MIGRATION_BYTES) {
		discover_refuse_size(rs->ms, e->path, size);
		return -1;
	}
	if (git_blob_lookup(&blob, rs->repo, &e->oid) < 0)
		return git_fail(rs->ms, e->path);
	strbuf_add(sb, git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob));
	git_blob_free(blob);
	return 0;
}

static void outside(struct migration_set *ms, const char *path, const char *target)
{
	strlist_add_nodup(&ms->errors,
			  xstrfmt("%s: a symbolic link to '%s', outside the repository; not judged",
				  path, target));
}

/*
 * Where a link at `path` (repository-relative) to `target` leads, relative
 * to the top of the repository; NULL when it leaves the repository.
 */
static char *link_inside(const char *workdir, const char *path, const char *target)
{
	struct strbuf out = STRBUF_INIT;
	const char *t = target;
	if (*target == '/') {
		size_t wl = workdir ? strlen(workdir) : 0;
		if (!wl || strncmp(target, workdir, wl))
			return NULL; /* workdir ends with '/' */
		t = target + wl;
	} else {
		const char *slash = strrchr(path, '/');
		if (slash)
			strbuf_add(&out, path, (size_t)(slash - path));
	}
	while (*t) {
		size_t n = strcspn(t, "/");
		if ((n == 1 && t[0] == '.') || !n) {
			/* nothing */
		} else if (n == 2 && t[0] == '.' && t[1] == '.') {
			char *up = out.len ? memrchr(out.buf, '/', out.len) : NULL;
			if (!out.len) {
				strbuf_release(&out);
				return NULL;
			}
			out.len = up ? (size_t)(up - out.buf) : 0;
			out.buf[out.len] = '\0';
		} else {
			if (out.len)
				strbuf_addch(&out, '/');
			strbuf_add(&out, t, n);
		}
		t += n + (t[n] == '/');
	}
	return strbuf_detach(&out, NULL);
}

/*
 * A committed symlink, followed in the HEAD tree as a checkout and the
 * frameworks follow it: the entry becomes its target's blob. One that
 * leaves the repository is refused; pending, that is an error (the branch
 * would pass unjudged), in the history a warning (it was never replayed).
 */
static void resolve_link(struct repo_scan *rs, struct entry *e)
{
	char *path = xstrdup(e->path), *target = NULL;
	const char *why = NULL;
	git_oid oid = e->oid;
	for (int hops = 0; hops < 40 && !why; hops++) {
		git_blob *blob;
		git_tree_entry *te;
		if (git_blob_lookup(&blob, rs->repo, &oid) < 0) {
			why = "an unreadable symbolic link";
			break;
		}
		free(target);
		target = xstrndup(git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob));
		git_blob_free(blob);
		char *next = link_inside(rs->workdir, path, target);
		if (!next) {
			why = "outside";
			break;
		}
		free(path);
		path = next;
		if (git_tree_entry_bypath(&te, rs->head_tree, path) < 0) {
			why = "a symbolic link to a file not in the commit";
			break;
		}
		git_oid_cpy(&oid, git_tree_entry_id(te));
		git_filemode_t mode = git_tree_entry_filemode(te);
		git_object_t type = git_tree_entry_type(te);
		git_tree_entry_free(te);
		if (type != GIT_OBJECT_BLOB) {
			why = "a symbolic link to a directory";
		} else if (mode != GIT_FILEMODE_LINK) {
			e->oid = oid;
			e->link = false;
			goto out;
		}
	}
	if (!why)
		why = "a symbolic link in a loop";
	e->deleted = true;
	if (!e->pending)
		warning("%s: %s, not replayed as history", e->path,
			strcmp(why, "outside") ? why : "a symbolic link outside the repository");
	else if (!strcmp(why, "outside"))
		outside(rs->ms, e->path, target);
	else
		strlist_add_nodup(&rs->ms->errors, xstrfmt("%s: %s ('%s'); not judged", e->path, why,
							   nonnull(target)));
out:
	free(path);
	free(target);
}

static void resolve_links(struct repo_scan *rs)
{
	for (size_t i = 0; i < rs->nr; i++)
		if (rs->v[i].link && !rs->v[i].from_wt && !rs->v[i].deleted)
			resolve_link(rs, &rs->v[i]);
}

/*
 * From the work tree, what the checkout holds: a file there may be a link,
 * or sit under a linked directory; followed while it stays in the work tree.
 */
static int read_worktree(struct repo_scan *rs, const struct entry *e, struct strbuf *sb)
{
	char *full = xstrfmt("%s%s", rs->workdir, e->path);
	char *real = realpath(full, NULL), *top = realpath(rs->workdir, NULL);
	size_t tl = top ? strlen(top) : 0;
	int r;
	if (real && top && (strncmp(real, top, tl) || (real[tl] != '/' && tl > 1))) {
		outside(rs->ms, e->path, real);
		r = -1;
	} else {
		r = discover_read_disk(rs->ms, full, e->path, sb);
	}
	free(real);
	free(top);
	free(full);
	return r;
}

static int read_entry(struct repo_scan *rs, const struct entry *e, struct strbuf *sb)
{
	return e->from_wt ? read_worktree(rs, e, sb) : read_blob(rs, e, sb);
}

/* --- which commit is the base ------------------------------------------ */

static int peel_commit(git_repository *repo, const char *spec, git_commit **out)
{
	git_object *obj;
	if (git_revparse_single(&obj, repo, spec) < 0)
		return -1;
	int r = git_object_peel((git_object **)out, obj, GIT_OBJECT_COMMIT);
	git_object_free(obj);
	return r;
}

/*
 * The base commit: `base` when given (an error if it does not exist), else
 * the remote HEAD, main, master. Sets ms->base to the name used; returns 1
 * when there is no base at all.
 */
static int find_base(struct repo_scan *rs, const char *base, git_commit **out)
{
	struct migration_set *ms = rs->ms;
	git_reference *ref;
	if (base) {
		if (peel_commit(rs->repo, base, out) < 0) {
			strlist_add_nodup(&ms->errors,
					  xstrfmt("base '%s' not found (from --base or sluice.base): "
						  "name a branch, tag or commit (a CI checkout must fetch it: "
						  "'fetch-depth: 0')", base));
			return -1;
		}
		ms->base = xstrdup(base);
		return 0;
	}
	if (git_reference_lookup(&ref, rs->repo, "refs/remotes/origin/HEAD") == 0) {
		const char *target = git_reference_symbolic_target(ref);
		char *name = target && starts_with(target, "refs/remotes/")
				     ? xstrdup(target + strlen("refs/remotes/"))
				     : xstrdup("origin/HEAD");
		git_reference_free(ref);
		if (peel_commit(rs->repo, "refs/remotes/origin/HEAD", out) == 0) {
			ms->base = name;
			return 0;
		}
		free(name);
	}
	static const char *const fallbacks[] = { "main", "master" };
	for (size_t i = 0; i < ARRAY_SIZE(fallbacks); i++) {
		if (peel_commit(rs->repo, fallbacks[i], out) == 0) {
			ms->base = xstrdup(fallbacks[i]);
			return 0;
		}
	}
	return 1;
}

static void set_head(struct repo_scan *rs, git_commit **head)
{
	git_reference *ref;
	char hex[GIT_OID_HEXSZ + 1];
	*head = NULL;
	if (git_repository_head(&ref, rs->repo) == 0) {
		if (!git_repository_head_detached(rs->repo))
			rs->ms->branch = xstrdup(git_reference_shorthand(ref));
		git_reference_free(ref);
	} else if (git_reference_lookup(&ref, rs->repo, "HEAD") == 0) {
		/* an unborn branch: no commits yet, but a name */
		const char *t = git_reference_symbolic_target(ref);
		if (t && starts_with(t, "refs/heads/"))
			rs->ms->branch = xstrdup(t + strlen("refs/heads/"));
		git_reference_free(ref);
	}
	if (peel_commit(rs->repo, "HEAD", head) == 0)
		rs->ms->head = xstrdup(git_oid_tostr(hex, sizeof(hex), git_commit_id(*head)));
}

/*
 * No merge-base, so no telling the branch's committed migrations from the
 * history: judging only the uncommitted ones would pass a branch nothing
 * was judged on (a CI checkout is shallow, with no base branch fetched).
 * Discovery goes on as before (drift reads the whole history); `sluice
 * check` makes ms->no_base an error that says how to give sluice its base.
 */
static void no_base(struct migration_set *ms, const char *what, bool shallow)
{
	free(ms->no_base);
	ms->no_base = xstrfmt("%s%s: the branch's committed migrations cannot be told from the "
				  "history, so none would be judged; fetch the base branch and its "
				  "history (in CI: actions/checkout with 'fetch-depth: 0', or "
				  "'git fetch --unshallow origin'), or name the base with --base REF "
				  "or sluice.base",
				  what, shallow ? " (a shallow clone)" : "");
}

/* HEAD's tree and the merge-base tree; pending is what differs. */
static int find_trees(struct repo_scan *rs, git_commit *head, const char *base)
{
	git_commit *bc = NULL, *mb = NULL;
	git_oid oid;
	char hex[GIT_OID_HEXSZ + 1];
	int r;

	if (git_commit_tree(&rs->head_tree, head) < 0)
		return git_fail(rs->ms, "HEAD");
	r = find_base(rs, base, &bc);
	if (r < 0)
		return -1;
	if (r > 0) {
		no_base(rs->ms, "no base branch to compare with (tried origin/HEAD, main, master)",
			git_repository_is_shallow(rs->repo) == 1);
		return 0;
	}
	if (git_merge_base(&oid, rs->repo, git_commit_id(head), git_commit_id(bc)) < 0) {
		bool shallow = git_repository_is_shallow(rs->repo) == 1;
		char *what = xstrfmt("HEAD and '%s' share no commit%s", rs->ms->base,
				     shallow ? " this clone has" : "");
		git_commit_free(bc);
		no_base(rs->ms, what, shallow);
		free(what);
		return 0;
	}
	git_commit_free(bc);
	rs->ms->merge_base = xstrdup(git_oid_tostr(hex, sizeof(hex), &oid));
	if (git_commit_lookup(&mb, rs->repo, &oid) < 0 || git_commit_tree(&rs->mb_tree, mb) < 0) {
		git_commit_free(mb);
		return git_fail(rs->ms, rs->ms->merge_base);
	}
	git_commit_free(mb);
	return 0;
}

/* What interesting() takes (layout_is_marker()'s names), as a pathspec: diff and
 * status then skip the rest. */
static char *interesting_patterns[] = { "*.sql", "*.sql.postgres", "*.sql.sqlite", "*.sql.conf",
					"*atlas.sum", "*sqitch.plan",
					"*Cargo.toml", "*metadata.toml", "*flyway.conf",
					"*flyway.toml", "*.fizz", "*database.yml", "*migrate/*.rb",
					"*schema.rb", "*_journal.json", "*snapshot.json",
					/* layout_tool_name(): migrations a tool prints SQL for */
					"*.py", "*.js", "*.ts", "*.cjs", "*.mjs", "*.xml", "*.yaml",
					"*.yml", "*.json", "*.go", "*.java", "*.kt", "*.php", "*.cs",
					"*.ex", "*.exs" };

/*
 * Committed on this branch: added, changed or renamed between the
 * merge-base and HEAD. Renames are git's (git_diff_find_similar, 50%
 * similar content by default), among migration files only.
 */
static int mark_committed(struct repo_scan *rs)
{
	git_diff *diff;
	git_diff_options opts;
	git_diff_find_options find;
	if (!rs->mb_tree)
		return 0;
	git_diff_options_init(&opts, GIT_DIFF_OPTIONS_VERSION);
	opts.pathspec.strings = interesting_patterns;
	opts.pathspec.count = ARRAY_SIZE(interesting_patterns);
	git_diff_find_options_init(&find, GIT_DIFF_FIND_OPTIONS_VERSION);
	find.flags = GIT_DIFF_FIND_RENAMES;
	if (git_diff_tree_to_tree(&diff, rs->repo, rs->mb_tree, rs->head_tree, &opts) < 0)
		return git_fail(rs->ms, "diff against the merge-base");
	if (git_diff_find_similar(diff, &find) < 0) {
		git_diff_free(diff);
		return git_fail(rs->ms, "rename detection against the merge-base");
	}
	for (size_t i = 0; i < git_diff_num_deltas(diff); i++) {
		const git_diff_delta *d = git_diff_get_delta(diff, i);
		struct entry *e;
		if (d->status == GIT_DELTA_DELETED || !(e = find_entry(rs, d->new_file.path)))
			continue;
		e->pending = true;
		e->changed = d->status == GIT_DELTA_MODIFIED;
		if (d->status == GIT_DELTA_RENAMED)
			e->renamed_from = xstrdup(d->old_file.path);
	}
	git_diff_free(diff);
	return 0;
}

static bool in_tree(git_tree *tree, const char *path)
{
	git_tree_entry *te;
	if (!tree || git_tree_entry_bypath(&te, tree, path) < 0)
		return false;
	git_tree_entry_free(te);
	return true;
}

/* The HEAD path of a file the status sees renamed (staged or not), or NULL. */
static const char *renamed_path(const git_status_entry *se)
{
	if (se->head_to_index && se->head_to_index->status == GIT_DELTA_RENAMED)
		return se->head_to_index->old_file.path;
	if (se->index_to_workdir && se->index_to_workdir->status == GIT_DELTA_RENAMED)
		return se->index_to_workdir->old_file.path;
	return NULL;
}

/*
 * A work-tree rename of `old`: its HEAD file is gone, not history, and the
 * new file inherits where it came from: the merge-base path of a rename
 * committed earlier, else `old` when the merge-base has it (an applied
 * migration; a file added on the branch is not).
 */
static char *take_rename(struct repo_scan *rs, const char *old)
{
	struct entry *o = find_entry(rs, old);
	char *from = NULL;
	if (!o)
		return NULL;
	o->deleted = true;
	if (o->renamed_from) {
		from = o->renamed_from;
		o->renamed_from = NULL;
	} else if (in_tree(rs->mb_tree ? rs->mb_tree : rs->head_tree, old)) {
		from = xstrdup(old);
	}
	return from;
}

/* Staged, modified and untracked files: read from disk, always pending. */
static int mark_worktree(struct repo_scan *rs)
{
	git_status_list *list;
	git_status_options opts;
	if (!rs->workdir)
		return 0; /* bare */
	git_status_options_init(&opts, GIT_STATUS_OPTIONS_VERSION);
	opts.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
	opts.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS |
		     GIT_STATUS_OPT_EXCLUDE_SUBMODULES | GIT_STATUS_OPT_RENAMES_HEAD_TO_INDEX |
		     GIT_STATUS_OPT_RENAMES_INDEX_TO_WORKDIR;
	/* only what interesting() takes: status then skips most files' stat() */
	opts.pathspec.strings = interesting_patterns;
	opts.pathspec.count = ARRAY_SIZE(interesting_patterns);
	if (git_status_list_new(&list, rs->repo, &opts) < 0)
		return git_fail(rs->ms, "git status");
	for (size_t i = 0; i < git_status_list_entrycount(list); i++) {
		const git_status_entry *se = git_status_byindex(list, i);
		const git_diff_delta *d = se->index_to_workdir ? se->index_to_workdir : se->head_to_index;
		if (!d || !interesting(d->new_file.path))
			continue;
		const char *path = d->new_file.path, *old = renamed_path(se);
		char *from = old ? take_rename(rs, old) : NULL;
		struct entry *e = find_entry(rs, path);
		if (!e)
			e = add_entry(rs, path);
		if (se->status & (GIT_STATUS_WT_DELETED | GIT_STATUS_INDEX_DELETED)) {
			e->deleted = true;
			free(from);
			continue;
		}
		e->from_wt = e->pending = true;
		e->changed = !old && in_tree(rs->mb_tree ? rs->mb_tree : rs->head_tree, path);
		if (old) {
			free(e->renamed_from);
			e->renamed_from = from;
		}
	}
	git_status_list_free(list);
	sort_entries(rs);
	return 0;
}

static void read_markers(struct repo_scan *rs)
{
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < rs->nr; i++) {
		struct entry *e = &rs->v[i];
		if (e->deleted || !layout_is_marker(e->path))
			continue;
		strbuf_reset(&sb);
		if (layout_marker_wants_text(e->path) && read_entry(rs, e, &sb) < 0)
			continue;
		markers_add(discover_markers(rs->ms), e->path, sb.buf, sb.len);
	}
	strbuf_release(&sb);
}

/* The version and name an applied migration had at its old path. */
static void set_renamed(struct markers *mk, struct migration *m, const char *old,
			const struct strbuf *text)
{
	struct layout_file lf;
	struct script *scripts[2] = { m->up, m->down };
	if (layout_classify(mk, old, 0, false, text->buf, text->len, &lf) != LAYOUT_MIGRATION)
		return; /* moved in from a directory of non-migrations */
	for (int i = 0; i < 2; i++) {
		if (!scripts[i])
			continue;
		scripts[i]->renamed = xcalloc(1, sizeof(struct file_rename));
		scripts[i]->renamed->path = xstrdup(old);
		scripts[i]->renamed->id = xstrdup(lf.version);
		scripts[i]->renamed->name = xstrdup(lf.name);
	}
	layout_file_release(&lf);
}

/*
 * A file of several migrations (Liquibase changesets) changed on the branch:
 * a changeset the base already has, word for word, was applied before and
 * is history; the new and edited ones are pending. Marks the history ones
 * with `changed` for the caller, which reads it as "not pending".
 */
static void base_parts(struct repo_scan *rs, const struct entry *e, size_t from)
{
	git_tree *tree = rs->mb_tree ? rs->mb_tree : rs->head_tree;
	git_tree_entry *te;
	git_blob *blob;
	if (!tree || git_tree_entry_bypath(&te, tree, e->path) < 0)
		return;
	int r = git_blob_lookup(&blob, rs->repo, git_tree_entry_id(te));
	git_tree_entry_free(te);
	if (r < 0)
		return;
	char *base = xstrndup(git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob));
	git_blob_free(blob);
	for (size_t k = from; k < rs->ms->nr; k++) {
		const struct script *up = rs->ms->v[k]->up;
		size_t n = up ? up->len : 0;
		while (n && (up->text[n - 1] == '\n' || up->text[n - 1] == ' ' || up->text[n - 1] == '\r'))
			n--;
		char *body = up ? xstrndup(up->text, n) : NULL;
		rs->ms->v[k]->changed = body && strstr(base, body);
		free(body);
	}
	free(base);
}

static void add_migrations(struct repo_scan *rs)
{
	struct strbuf sb = STRBUF_INIT;
	struct markers *mk = discover_markers(rs->ms);
	for (size_t i = 0; i < rs->nr; i++) {
		struct entry *e = &rs->v[i];
		if (e->deleted || layout_is_marker(e->path))
			continue;
		if (layout_sql_name(e->path) || layout_rails_name(e->path)
			    ? layout_candidate(mk, e->path, 0, false) != LAYOUT_MIGRATION
			    : !tool_candidate(e->path, 0, false))
			continue;
		strbuf_reset(&sb);
		if (read_entry(rs, e, &sb) < 0)
			continue;
		size_t before = rs->ms->nr;
		if (discover_add(rs->ms, e->path, 0, false, sb.buf, sb.len, e->from_wt) != 0)
			continue;
		/* a Liquibase changelog is one migration per changeset */
		if (rs->ms->nr - before > 1 && e->changed)
			base_parts(rs, e, before);
		for (size_t k = before; k < rs->ms->nr; k++) {
			struct migration *m = rs->ms->v[k];
			m->pending = e->pending && !m->changed;
			m->changed = e->changed && m->pending;
			/* a goose file holds both directions: both were edited */
			if (m->up)
				m->up->changed = m->changed;
			if (m->down)
				m->down->changed = m->changed;
			if (e->renamed_from)
				set_renamed(mk, m, e->renamed_from, &sb);
		}
	}
	strbuf_release(&sb);
}

/*
 * A Rails schema dump as the base branch has it (the branch's own dump
 * already holds what its pending migrations do): at the merge-base when
 * there is one, else at HEAD.
 */
static int read_base_dump(struct repo_scan *rs, const struct entry *e, struct strbuf *sb)
{
	git_tree_entry *te;
	git_blob *blob;
	if (!rs->mb_tree)
		return e->in_tree && !e->from_wt ? read_blob(rs, e, sb) : -1;
	if (git_tree_entry_bypath(&te, rs->mb_tree, e->path) < 0)
		return -1;   /* the branch added it: no history in it */
	int r = git_blob_lookup(&blob, rs->repo, git_tree_entry_id(te));
	git_tree_entry_free(te);
	if (r < 0)
		return -1;
	if ((size_t)git_blob_rawsize(blob) <= MAX_MIGRATION_BYTES)
		strbuf_add(sb, git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob));
	git_blob_free(blob);
	return 0;
}

static void add_schema_dumps(struct repo_scan *rs)
{
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < rs->nr; i++) {
		struct entry *e = &rs->v[i];
		char *root = e->deleted || e->link ? NULL : layout_rails_dump(e->path), *version;
		strbuf_reset(&sb);
		if (root && read_base_dump(rs, e, &sb) == 0 && memchr(sb.buf, '\0', sb.len) == NULL) {
			struct script *s = rails_dump_script(e->path, sb.buf, sb.len, &version);
			if (s)
				discover_add_dump(rs->ms, root, version, s);
			free(version);
		}
		free(root);
	}
	strbuf_release(&sb);
}

static void scan_release(struct repo_scan *rs)
{
	for (size_t i = 0; i < rs->nr; i++) {
		free(rs->v[i].path);
		free(rs->v[i].renamed_from);
	}
	free(rs->v);
	git_tree_free(rs->head_tree);
	git_tree_free(rs->mb_tree);
}

int discover_repo(struct migration_set *ms, const char *path, const char *base)
{
	struct repo_scan rs = { .ms = ms };
	git_commit *head = NULL;
	int ret = -1;

	if (git_repository_open_ext(&rs.repo, path, 0, NULL) < 0) {
		strlist_add_nodup(&ms->errors,
				  xstrfmt("'%s' is not in a git repository; name the migration files or "
					  "directories instead, e.g. 'sluice check db/migrations'", path));
		return -1;
	}
	rs.workdir = git_repository_workdir(rs.repo);
	ms->workdir = xstrdup(rs.workdir ? rs.workdir : git_repository_path(rs.repo));
	set_head(&rs, &head);
	if (head && (find_trees(&rs, head, base) < 0 ||
		     git_tree_walk(rs.head_tree, GIT_TREEWALK_PRE, walk_cb, &rs) < 0))
		goto out;
	sort_entries(&rs);
	if (mark_committed(&rs) < 0 || mark_worktree(&rs) < 0)
		goto out;
	resolve_links(&rs);
	read_markers(&rs);
	add_migrations(&rs);
	add_schema_dumps(&rs);
	discover_finish(ms);
	if (!ms->nr && !ms->errors.nr)
		strlist_add_nodup(&ms->errors, xstrfmt("no migrations found in %s; looked for %s",
						       ms->workdir, layout_names));
	ret = ms->nr ? 0 : -1;
out:
	git_commit_free(head);
	scan_release(&rs);
	git_repository_free(rs.repo);
	return ret;
}
