/*
 * draft_shadow.c - a draft applied up and down on a shadow database (see
 * draft_shadow.h).
 *
 * The run handed to shadow_verify() is made of copies: the history's
 * scripts as applied history (not pending, so they are replayed as they
 * are), then the draft's files discovered as if they were in the
 * repository, all pending. The drafted target migration is completed with
 * the original's script the draft does not replace (a down draft keeps the
 * original up; a draft that only rewrites the up keeps the original down),
 * since that pair is what the repository will hold once it is accepted.
 */
#include "draft_shadow.h"
#include "draft_int.h"
#include "rules.h"

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
	to->verify_rows = from->verify_rows;
	for (size_t i = 0; i < from->disabled.nr; i++)
		strlist_add(&to->disabled, from->disabled.items[i]);
}

int draft_shadow_prepare(struct draft_shadow *ds, const struct draft_ctx *ctx,
			 const struct draft *d)
{
	const struct migration *orig = ctx->ms->v[ctx->target];
	struct migration_set drafted;

	memset(ds, 0, sizeof(*ds));
	check_run_init(&ds->run);
	copy_opts(&ds->run.opts, ctx->opts);
	for (size_t i = 0; i < ctx->target; i++)
		add_migration(&ds->run.ms, copy_migration(ctx->ms->v[i], false));
	ds->history = ds->run.ms.nr;

	draft_discover(d, &drafted);
	for (size_t i = 0; i < drafted.nr; i++) {
		struct migration *m = drafted.v[i];
		if (!strcmp(m->id, orig->id)) {
			if (!m->up)
				m->up = copy_script(orig->up);
			if (!m->down)
				m->down = copy_script(orig->down);
		}
		ds->pending += m->up != NULL;
		add_migration(&ds->run.ms, m);
	}
	drafted.nr = 0;   /* the migrations moved into the run */
	migration_set_release(&drafted);
	if (!ds->pending) {
		ds->error = xstrdup("the draft holds no SQL migration to run");
		return -1;
	}
	check_judge(&ds->run);
	return 0;
}

int draft_shadow_run(struct draft_shadow *ds, const char *shadow_url)
{
	struct strbuf err = STRBUF_INIT;
	struct shadow sh;
	double t0 = now_seconds();

	if (shadow_open(&sh, shadow_url, &err) < 0) {
		ds->error = xstrfmt("no shadow database: %s", err.buf);
		strbuf_release(&err);
		return -1;
	}
	strbuf_release(&err);
	ds->open_seconds = now_seconds() - t0;
	ds->own_cluster = sh.own_cluster;
	shadow_verify(&sh, &ds->run, &ds->v);
	ds->verified = true;
	shadow_close(&sh);
	return 0;
}

/* Server messages span lines ("ERROR: ...\nLINE 1: ..."): one line for the verdict. */
static void add_one_line(struct strbuf *sb, const char *s)
{
	bool space = false;
	for (; *s; s++) {
		if (*s == '\n' || *s == '\t' || *s == '\r' || *s == ' ') {
			space = true;
			continue;
		}
		if (space && sb->len && sb->buf[sb->len - 1] != ' ')
			strbuf_addch(sb, ' ');
		space = false;
		strbuf_addch(sb, *s);
	}
}

/* What the shadow found, counted, and the first failure worded. */
struct shadow_tally {
	size_t failures;         /* shadow-apply-error, down-mismatch, a stronger lock */
	size_t stronger, weaker; /* lock-mismatch */
	struct strbuf first;     /* "path:line: message (rule)" */
};

static void tally_finding(struct shadow_tally *t, const char *path, int line,
			  const struct finding *f)
{
	bool lock = !strcmp(f->rule, "lock-mismatch");
	if (f->ignored)
		return;
	if (lock && f->sev < SEV_HIGH) {
		t->weaker++;
		return;
	}
	if (!lock && strcmp(f->rule, "down-mismatch") && strcmp(f->rule, "shadow-apply-error"))
		return;
	t->stronger += lock;
	if (t->failures++)
		return;
	strbuf_addf(&t->first, "%s:%d: ", path, line);
	add_one_line(&t->first, f->message);
	strbuf_addf(&t->first, " (%s)", f->rule);
}

static void tally(const struct draft_shadow *ds, struct shadow_tally *t)
{
	const struct report *r = &ds->run.report;
	memset(t, 0, sizeof(*t));
	strbuf_init(&t->first, 0);
	for (size_t i = 0; i < r->nr; i++) {
		const struct file_report *fr = &r->files[i];
		for (size_t k = 0; k < fr->nr_stmts; k++)
			for (size_t j = 0; j < fr->stmts[k].nr_findings; j++)
				tally_finding(t, fr->path, fr->stmts[k].line, &fr->stmts[k].findings[j]);
		for (size_t j = 0; j < fr->nr_findings; j++)
			tally_finding(t, fr->path, fr->findings[j].line ? fr->findings[j].line : 1,
				      &fr->findings[j]);
	}
}

/* The pending migrations' round trips, counted by outcome. */
static void count_round_trips(const struct verify_run *v, size_t n[RT_FAILED + 1])
{
	memset(n, 0, (RT_FAILED + 1) * sizeof(*n));
	for (size_t i = 0; i < v->nr; i++)
		if (v->files[i].traces)
			n[v->files[i].rt]++;
}

/* How the round trips went, as a phrase. */
static void add_round_trips(struct strbuf *sb, const size_t n[RT_FAILED + 1])
{
	size_t ok = n[RT_OK], differs = n[RT_DIFFERS], no_down = n[RT_NO_DOWN], failed = n[RT_FAILED];
	if (failed)
		strbuf_addf(sb, "%zu did not apply", failed);
	else if (differs)
		strbuf_addf(sb, "round trip differs in %zu", differs);
	else if (ok)
		strbuf_addstr(sb, "round trip ok");
	else
		strbuf_addstr(sb, "no round trip");
	if (no_down)
		strbuf_addf(sb, " (%zu without a down script)", no_down);
}

static void add_summary(struct strbuf *sb, const struct draft_shadow *ds,
			const struct shadow_tally *t)
{
	const struct verify_run *v = &ds->v;
	size_t n[RT_FAILED + 1];
	count_round_trips(v, n);
	size_t applied = n[RT_OK] + n[RT_DIFFERS] + n[RT_NO_DOWN];
	strbuf_addstr(sb, "shadow: ");
	if (applied < ds->pending)
		strbuf_addf(sb, "%zu of ", applied);
	strbuf_addf(sb, "%zu migration%s applied %son PostgreSQL %d.%d (%s",
		    ds->pending, ds->pending == 1 ? "" : "s", n[RT_NO_DOWN] ? "up " : "up and down ",
		    v->version / 10000, v->version % 100, v->server);
	if (ds->own_cluster)
		strbuf_addf(sb, ", started in %.1f s", ds->open_seconds);
	strbuf_addf(sb, ") in %.2f s, ", v->seconds);
	if (v->seed.tables)
		strbuf_addf(sb, "%d table%s seeded with %d rows%s%s, ", v->seed.tables,
			    v->seed.tables == 1 ? "" : "s", ds->run.opts.verify_rows,
			    v->seed.empty ? ", left empty: " : "", v->seed.empty ? v->seed.skipped.buf : "");
	else if (v->seeded)
		strbuf_addstr(sb, "on empty tables, ");
	if (t->stronger)
		strbuf_addf(sb, "%zu lock%s stronger than predicted", t->stronger,
			    t->stronger == 1 ? "" : "s");
	else if (t->weaker)
		strbuf_addf(sb, "%zu lock%s weaker than predicted", t->weaker, t->weaker == 1 ? "" : "s");
	else
		strbuf_addstr(sb, "locks as predicted");
	strbuf_addstr(sb, ", ");
	add_round_trips(sb, n);
}

int draft_shadow_finish(struct draft_shadow *ds, struct draft *d, struct strbuf *summary)
{
	struct shadow_tally t;
	int ret = 0;

	if (!ds->verified) {
		strbuf_addf(summary, "shadow: not verified: %s",
			    ds->error ? ds->error : "it did not run");
		return -1;
	}
	tally(ds, &t);
	add_summary(summary, ds, &t);
	if (t.failures) {
		if (t.failures > 1)
			strbuf_addf(&t.first, "; and %zu more", t.failures - 1);
		draft_fail(d, "%s", t.first.buf);
		ret = 1;
	} else if (ds->v.error) {
		/* Not the draft's fault (the history does not apply there): not verified. */
		strbuf_reset(summary);
		strbuf_addstr(summary, "shadow: not verified: ");
		add_one_line(summary, ds->v.error);
		ret = -1;
	}
	strbuf_release(&t.first);
	return ret;
}

void draft_shadow_release(struct draft_shadow *ds)
{
	check_run_release(&ds->run);
	verify_run_release(&ds->v);
	free(ds->error);
	memset(ds, 0, sizeof(*ds));
}

int draft_verify_shadow(const struct draft_ctx *ctx, struct draft *d, const char *shadow_url,
			struct strbuf *summary)
{
	struct draft_shadow ds;
	int r = draft_shadow_prepare(&ds, ctx, d);
	if (r == 0)
		draft_shadow_run(&ds, shadow_url);
	r = draft_shadow_finish(&ds, d, summary);
	draft_shadow_release(&ds);
	return r;
}
