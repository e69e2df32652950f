/*
 * draft_shadow.c - a draft applied up and down on a shadow database (see
 * draft.h).
 *
 * The run is draft_run.c's, with the history's scripts as applied history
 * (not pending, so they are replayed as they are on the shadow), then the
 * draft's migrations, all pending: the whole pipeline runs on it with the
 * shadow stage, as `sluice verify` would once the draft is accepted.
 */
#include "draft.h"
#include "draft_int.h"
#include "rules.h"

#include <stdlib.h>
#include <string.h>

int draft_shadow_prepare(struct draft_shadow *ds, const struct draft_ctx *ctx,
			 const struct draft *d)
{
	memset(ds, 0, sizeof(*ds));
	/* The history is applied as it is; only the draft's migrations are verified. */
	ds->history = draft_run_prepare(&ds->run, ctx, d, false);
	for (size_t i = ds->history; i < ds->run.ms.nr; i++)
		ds->pending += ds->run.ms.v[i]->up != NULL;
	if (!ds->pending) {
		ds->error = xstrdup("the draft holds no SQL migration to run");
		return -1;
	}
	return 0;
}

/* The whole pipeline, as `sluice verify` runs it, with the shadow stage on shadow_url. */
int draft_shadow_run(struct draft_shadow *ds, const char *shadow_url)
{
	struct db_check *db = &ds->run.db;
	db->verify = true;
	db->shadow_url = shadow_url;
	check_judge(&ds->run);
	if (db->error) {
		ds->error = xstrdup(db->error);
		return -1;
	}
	ds->open_seconds = db->open_seconds;
	ds->own_cluster = db->own_cluster;
	ds->verified = db->verified;
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
	size_t not_run;          /* shadow-unverifiable */
	struct strbuf first;     /* "path:line: message (rule)" */
	struct strbuf first_not_run; /* "path:line" of the first statement not run */
};

static void tally_finding(struct shadow_tally *t, const char *path, int line,
			  const struct finding *f)
{
	bool lock = !strcmp(f->rule, "lock-mismatch");
	if (f->ignored)
		return;
	if (!strcmp(f->rule, "shadow-unverifiable")) {
		if (!t->not_run++)
			strbuf_addf(&t->first_not_run, "%s:%d", path, line);
		return;
	}
	if (lock && f->sev < SEV_HIGH) {
		t->weaker++;
		return;
	}
	if (!lock && strcmp(f->rule, "down-mismatch") && strcmp(f->rule, "shadow-apply-error") &&
	    strcmp(f->rule, "app-statement-fails"))
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
	strbuf_init(&t->first_not_run, 0);
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
static void count_round_trips(const struct verify_run *v, size_t n[RT__COUNT])
{
	memset(n, 0, (RT__COUNT) * sizeof(*n));
	for (size_t i = 0; i < v->nr; i++)
		if (v->files[i].traces)
			n[v->files[i].rt]++;
}

/* How the round trips went, as a phrase. */
static void add_round_trips(struct strbuf *sb, const size_t n[RT__COUNT])
{
	size_t ok = n[RT_OK], differs = n[RT_DIFFERS], no_down = n[RT_NO_DOWN], failed = n[RT_FAILED];
	if (failed)
		strbuf_addf(sb, "%zu did not apply", failed);
	else if (differs)
		strbuf_addf(sb, "round trip differs in %zu", differs);
	else if (n[RT_PARTIAL])
		strbuf_addstr(sb, "round trip ok for the statements that ran");
	else if (ok)
		strbuf_addstr(sb, "round trip ok");
	else
		strbuf_addstr(sb, "no round trip");
	if (no_down)
		strbuf_addf(sb, " (%zu without a down script)", no_down);
}

/* The application's statements replayed after each step, when there are any. */
static void add_app_replay(struct strbuf *sb, const struct verify_run *v)
{
	size_t replayed = app_sql_replayed(&v->app), expected = 0;
	if (!v->app.nr)
		return;
	for (size_t i = 0; i < v->app.nr; i++)
		expected += v->app.v[i].expected;
	strbuf_addf(sb, ", %zu app statement%s replayed after each step", replayed,
		    replayed == 1 ? "" : "s");
	if (v->app_failed)
		strbuf_addf(sb, " (%zu failing)", v->app_failed);
	if (expected)
		strbuf_addf(sb, " (%zu wait%s for the code deploy the draft orders first)", expected,
			    expected == 1 ? "s" : "");
	if (v->app.nr > replayed)
		strbuf_addf(sb, ", %zu not replayable (they fail before the change too)",
			    v->app.nr - replayed);
}

static void add_summary(struct strbuf *sb, const struct draft_shadow *ds,
			const struct shadow_tally *t)
{
	const struct verify_run *v = &ds->run.db.v;
	size_t n[RT__COUNT];
	count_round_trips(v, n);
	size_t applied = n[RT_OK] + n[RT_DIFFERS] + n[RT_NO_DOWN] + n[RT_PARTIAL];
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
	add_app_replay(sb, v);
	if (t->not_run)
		strbuf_addf(sb, "; %zu statement%s not run, unverifiable (first: %s; see "
			    "shadow-unverifiable)", t->not_run, t->not_run == 1 ? "" : "s",
			    t->first_not_run.buf);
	for (size_t i = 0; i < v->not_run.nr; i++)
		strbuf_addf(sb, "; history statement not run: %s", v->not_run.items[i]);
	if (v->note)
		strbuf_addf(sb, "; note: %s", v->note);
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
	} else if (ds->run.db.v.error) {
		/* Not the draft's fault (the history does not apply there): not verified. */
		strbuf_reset(summary);
		strbuf_addstr(summary, "shadow: not verified: ");
		add_one_line(summary, ds->run.db.v.error);
		ret = -1;
	}
	strbuf_release(&t.first);
	strbuf_release(&t.first_not_run);
	return ret;
}

void draft_shadow_release(struct draft_shadow *ds)
{
	check_run_release(&ds->run);
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
