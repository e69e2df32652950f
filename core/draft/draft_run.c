/*
 * draft_run.c - the run a draft is judged in (see draft.h): the
 * repository as it will be once the draft is accepted, judged by the same
 * pipeline `sluice check` runs in CI (core/check.h), the cross-check with
 * the application code included.
 *
 * The run is made of copies: the migrations before the target as the
 * repository has them (pending on this branch or applied history), then
 * the draft's files discovered as if they were in the repository, all
 * pending. The drafted target migration is completed with the original's
 * script the draft does not replace (a down draft keeps the original up; a
 * draft that only rewrites the up keeps the original down), since that
 * pair is what the repository will hold once it is accepted.
 */
#include "draft.h"
#include "draft_int.h"

#include <stdlib.h>
#include <string.h>

static struct script *copy_script(const struct script *sc)
{
	if (!sc)
		return NULL;
	struct script *c = script_new(sc->path, sc->text, sc->len);
	c->first_line = sc->first_line;
	c->dir = sc->dir;
	c->in_txn = sc->in_txn;
	c->implicit_txn = sc->implicit_txn;
	c->from_worktree = sc->from_worktree;
	return c;
}

static struct migration *copy_migration(const struct migration *m, bool pending)
{
	struct migration *c = xcalloc(1, sizeof(*c));
	c->id = xstrdup(m->id);
	c->name = xstrdup(nonnull(m->name));
	c->fw = m->fw;
	c->up = copy_script(m->up);
	c->down = copy_script(m->down);
	c->pending = pending;
	return c;
}

static void add_migration(struct migration_set *ms, struct migration *m)
{
	ALLOC_GROW(ms->v, ms->nr + 1, ms->alloc);
	ms->v[ms->nr++] = m;
}

static void copy_opts(struct judge_opts *to, const struct judge_opts *from)
{
	to->pg_version = from->pg_version;
	to->fail_on = from->fail_on;
	to->small_rows = from->small_rows;
	to->unparsed_sev = from->unparsed_sev;
	to->large_rows = from->large_rows;
	to->blocker_seconds = from->blocker_seconds;
	to->hot_writes = from->hot_writes;
	to->verify_rows = from->verify_rows;
	for (size_t i = 0; i < from->disabled.nr; i++)
		strlist_add(&to->disabled, from->disabled.items[i]);
}

size_t draft_run_prepare(struct check_run *run, const struct draft_ctx *ctx, const struct draft *d,
			 bool history_pending)
{
	const struct migration_set *ms = ctx->ms;
	const struct migration *orig = ms->v[ctx->target];
	struct migration_set drafted;

	check_run_init(run);
	copy_opts(&run->opts, ctx->opts);
	if (ms->workdir) {
		/* The application code the cross-check reads, where `sluice check` reads it. */
		run->ms.workdir = xstrdup(ms->workdir);
		for (size_t i = 0; i < ms->dirs.nr; i++)
			strlist_add(&run->ms.dirs, ms->dirs.items[i]);
	}
	for (size_t i = 0; i < ctx->target; i++)
		add_migration(&run->ms, copy_migration(ms->v[i], history_pending && ms->v[i]->pending));
	size_t history = run->ms.nr;

	if (!d) {
		add_migration(&run->ms, copy_migration(orig, true));
		return history;
	}
	draft_discover(d, &drafted);
	for (size_t i = 0; i < drafted.nr; i++) {
		struct migration *m = drafted.v[i];
		if (!strcmp(m->id, orig->id)) {
			if (!m->up)
				m->up = copy_script(orig->up);
			if (!m->down)
				m->down = copy_script(orig->down);
		}
		add_migration(&run->ms, m);
	}
	drafted.nr = 0;   /* the migrations moved into the run */
	migration_set_release(&drafted);
	return history;
}

bool draft_run_file(const struct check_run *run, size_t history, const struct file_report *fr)
{
	for (size_t i = history; i < run->ms.nr; i++)
		if (run->ms.v[i] == fr->mig)
			return true;
	return false;
}

static const struct draft_file *file_for(const struct draft *d, const char *path)
{
	for (size_t i = 0; i < d->nr; i++)
		if (!strcmp(d->files[i].path, path))
			return &d->files[i];
	return NULL;
}

/*
 * The draft's SQL files discovered as if they were in the repository (all
 * pending), marked to run outside a transaction where the draft wrote the
 * framework's marker.
 */
void draft_discover(const struct draft *d, struct migration_set *drafted)
{
	migration_set_init(drafted);
	for (size_t i = 0; i < d->nr; i++)
		if (d->files[i].sql)
			/* as if named on the command line: judged whatever the directory */
			discover_add_named(drafted, d->files[i].path, d->files[i].text,
					   strlen(d->files[i].text), true);
	discover_finish(drafted);
	for (size_t i = 0; i < drafted->nr; i++) {
		struct script *scripts[2] = { drafted->v[i]->up, drafted->v[i]->down };
		for (int k = 0; k < 2; k++) {
			const struct draft_file *df = scripts[k] ? file_for(d, scripts[k]->path) : NULL;
			/* We wrote the framework's no-transaction marker: judge it as it will run. */
			if (df && df->no_txn)
				scripts[k]->in_txn = false;
		}
	}
}
