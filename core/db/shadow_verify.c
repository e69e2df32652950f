/*
 * shadow_verify.c - the up/down round trip and traced locks on the shadow
 * (see db.h).
 *
 * Migrations are applied in the run's apply order. History is run as is.
 * A pending migration's up script runs statement by statement, each traced
 * (shadow.c); its down script then runs, the catalogue is read again and
 * compared with the one taken before up (db_catalog.c), and the up script
 * runs once more so that the next migration finds what it expects.
 * Explicit BEGIN/COMMIT statements are not sent: every statement gets its
 * own transaction, which is what lets its locks be told apart.
 */
#include "db.h"
#include "check.h"
#include "db_catalog_int.h"
#include "rules.h"
#include "xref.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

const char *round_trip_name(enum round_trip rt)
{
	static const char *const names[] = { "not run", "ok", "differs", "no down script", "failed",
					     "partial" };
	return names[rt];
}

void verify_run_release(struct verify_run *v)
{
	for (size_t i = 0; i < v->nr; i++) {
		for (size_t k = 0; k < v->files[i].nr; k++)
			lock_trace_release(&v->files[i].traces[k]);
		free(v->files[i].traces);
	}
	free(v->files);
	free(v->server);
	free(v->error);
	free(v->note);
	strlist_clear(&v->not_run);
	seed_result_release(&v->seed);
	app_sql_release(&v->app);
	free(v->app_error);
	memset(v, 0, sizeof(*v));
}

static void add_finding(struct file_report *fr, struct stmt *st, const char *id, enum severity sev,
			char *message)
{
	const struct rule *r = rule_find(id);
	if (st)
		stmt_add_finding(st, id, sev, r ? r->cats : 0, message, r ? r->fix : NULL);
	else
		file_add_finding(fr, id, sev, r ? r->cats : 0, fr->nr_stmts ? fr->stmts[0].line : 1,
				 message, r ? r->fix : NULL);
	/* Ignores, the statement's and the file's severity: judge_settle(), next in the pipeline. */
	free(message);
}

static bool skipped(const struct stmt *st)
{
	return st->kind && !strcmp(st->kind, "TransactionStmt");
}

/* The static prediction against what the shadow saw on the statement's table. */
void verify_compare_lock(struct file_report *fr, struct stmt *st, const struct lock_trace *t)
{
	if (!t->traced || !t->target_existed)
		return;
	enum lock_mode seen = t->target_mode < 0 ? LOCK_NONE : (enum lock_mode)t->target_mode;
	if (seen == st->lock)
		return;
	/*
	 * Outside a transaction the trace sees the statement queue for its first
	 * lock on the table and then whatever it is caught holding: proof of a
	 * stronger lock than predicted, but a weaker one may just have been missed.
	 */
	if (t->outside_txn && seen < st->lock)
		return;
	add_finding(fr, st, "lock-mismatch", seen > st->lock ? SEV_HIGH : SEV_LOW,
		    xstrfmt("on the shadow this statement took %s on %s; sluice predicted %s",
			    seen == LOCK_NONE ? "no lock" : lock_name(seen),
			    t->target_name ? t->target_name : nonnull(st->table), lock_name(st->lock)));
}

/*
 * Runs a judged script's statements; on failure flags the statement (when
 * `flag`). A statement that may not run is flagged shadow-unverifiable
 * (when `flag`) and counted in *not_run.
 */
static int apply_report(struct shadow *sh, struct file_report *fr, struct verify_file *vf, bool flag,
			size_t *not_run)
{
	for (size_t k = 0; k < fr->nr_stmts; k++) {
		struct stmt *st = &fr->stmts[k];
		if (skipped(st))
			continue;
		/* as the framework runs it: a DO block outside a transaction may COMMIT (untraced) */
		bool own_txns = !st->in_txn && st->kind && !strcmp(st->kind, "DoStmt");
		int r = shadow_run(sh, st->sql, st->table, vf && !own_txns ? &vf->traces[k] : NULL);
		if (r < 0) {
			if (flag)
				add_finding(fr, st, "shadow-apply-error", SEV_HIGH,
					    xstrfmt("fails on the shadow database: %s", sh->db->err.buf));
			return -1;
		}
		if (r > 0) {
			if (flag)
				add_finding(fr, st, "shadow-unverifiable", SEV_MEDIUM,
					    xstrfmt("not run on the shadow database: %s; sluice did not "
						    "verify this statement", sh->why));
			if (not_run)
				(*not_run)++;
			continue;
		}
		if (vf && !own_txns)
			verify_compare_lock(fr, st, &vf->traces[k]);
	}
	return 0;
}

struct diff_ctx {
	struct file_report *fr;
};

static void report_difference(const struct catalog_item *a, const struct catalog_item *b, void *data)
{
	struct diff_ctx *d = data;
	char *msg;
	if (!b)
		msg = xstrfmt("%s \"%s\" existed before the up script and is missing after the down script",
			      a->kind, a->name);
	else if (!a)
		msg = xstrfmt("%s \"%s\" is left behind by the down script", b->kind, b->name);
	else
		msg = xstrfmt("%s \"%s\" differs after the down script: was '%s', now '%s'", a->kind,
			      a->name, a->def, b->def);
	add_finding(d->fr, NULL, "down-mismatch", rule_find("down-mismatch")->sev, msg);
}

static int catalog_now(struct shadow *sh, struct catalog *c, struct verify_run *v)
{
	catalog_init(c);
	if (catalog_read(sh->db, c) == 0)
		return 0;
	v->error = xstrfmt("cannot read the shadow's catalogue: %s", sh->db->err.buf);
	return -1;
}

/* The tables a judged script's statements touch. */
static void tables_of(const struct file_report *fr, struct strlist *out)
{
	for (size_t k = 0; k < fr->nr_stmts; k++)
		if (fr->stmts[k].table && !strlist_has(out, fr->stmts[k].table))
			strlist_add(out, fr->stmts[k].table);
}

/* The application's statements on the tables the pending migrations touch. */
static void find_app_sql(struct check_run *run, struct verify_run *v)
{
	struct strlist tables = STRLIST_INIT;
	struct strbuf err = STRBUF_INIT;
	for (size_t f = 0; f < run->report.nr; f++)
		if (run->report.files[f].dir == DIR_UP && run->report.files[f].mig &&
		    run->report.files[f].mig->pending)
			tables_of(&run->report.files[f], &tables);
	if (app_sql_collect(run, &tables, &v->app, &err) < 0)
		v->app_error = strbuf_detach(&err, NULL);
	strlist_clear(&tables);
	strbuf_release(&err);
}

/* After an up: the application's statements on its tables, run again. */
static void replay_app(struct shadow *sh, struct check_run *run, size_t up, struct verify_run *v,
		       struct strlist *deploy_first)
{
	struct file_report *fu = &run->report.files[up];
	struct strlist tables = STRLIST_INIT;
	if (!v->app.nr)
		return;
	if (fu->mig && fu->mig->up)
		app_sql_deploy_first(fu->mig->up->text, deploy_first);
	tables_of(fu, &tables);
	v->app_failed += app_sql_replay(sh, &v->app, &tables, deploy_first, fu);
	strlist_clear(&tables);
}

/* Up traced, the application's statements, down, compare, up again. -1 stops the run. */
static int verify_migration(struct shadow *sh, struct check_run *run, size_t up, size_t down,
			    struct verify_run *v, struct strlist *deploy_first)
{
	struct file_report *fu = &run->report.files[up];
	struct verify_file *vf = &v->files[up];
	struct catalog before, after;
	if (catalog_now(sh, &before, v) < 0)
		return -1;
	vf->nr = fu->nr_stmts;
	vf->traces = xcalloc(fu->nr_stmts ? fu->nr_stmts : 1, sizeof(*vf->traces));
	if (apply_report(sh, fu, vf, true, &vf->not_run) < 0) {
		vf->rt = RT_FAILED;
		catalog_release(&before);
		return -1;
	}
	replay_app(sh, run, up, v, deploy_first);
	if (down == (size_t)-1) {
		vf->rt = RT_NO_DOWN;
		catalog_release(&before);
		return 0;
	}
	struct file_report *fd = &run->report.files[down];
	if (apply_report(sh, fd, NULL, true, &vf->not_run) < 0) {
		vf->rt = RT_FAILED;
		catalog_release(&before);
		return -1;
	}
	if (catalog_now(sh, &after, v) < 0) {
		catalog_release(&before);
		return -1;
	}
	struct diff_ctx d = { fd };
	vf->differences = catalog_diff(&before, &after, report_difference, &d);
	v->files[down].differences = vf->differences;
	vf->rt = vf->differences ? RT_DIFFERS : vf->not_run ? RT_PARTIAL : RT_OK;
	catalog_release(&before);
	catalog_release(&after);
	/* Up again, untraced, for the migrations after this one. */
	return apply_report(sh, fu, NULL, false, NULL);
}

static void find_files(const struct check_run *run, size_t mig, size_t *up, size_t *down);

/* Runs migration i's up: its judged report when pending, else its script. */
static int apply_up(struct shadow *sh, struct check_run *run, size_t i, int *line)
{
	size_t up, down;
	const struct script *sc = run->ms.v[i]->up;
	find_files(run, i, &up, &down);
	if (up != (size_t)-1)
		return apply_report(sh, &run->report.files[up], NULL, false, NULL);
	return sc ? shadow_run_script(sh, sc->path, sc->text, sc->len, sc->first_line, line) : 0;
}

/*
 * A down script that does not undo its up leaves a schema the up script
 * may not apply to again: start over on an empty database and replay
 * everything up to and including migration `last`.
 */
static int rebuild(struct shadow *sh, struct check_run *run, size_t last, struct verify_run *v)
{
	struct strbuf err = STRBUF_INIT;
	int line = 0;
	if (shadow_reset(sh, &err) < 0) {
		v->error = xstrfmt("cannot start the shadow database over: %s", err.buf);
		strbuf_release(&err);
		return -1;
	}
	strbuf_release(&err);
	for (size_t i = 0; i <= last; i++)
		if (apply_up(sh, run, i, &line) < 0) {
			v->error = xstrfmt("'%s' does not apply when the history is replayed (%s); the "
					   "migrations after it are not verified",
					   run->ms.v[i]->id, sh->db->err.buf);
			return -1;
		}
	return 0;
}

static void find_files(const struct check_run *run, size_t mig, size_t *up, size_t *down)
{
	*up = *down = (size_t)-1;
	for (size_t f = 0; f < run->report.nr; f++) {
		if (run->report.files[f].mig != run->ms.v[mig])
			continue;
		if (run->report.files[f].dir == DIR_DOWN)
			*down = f;
		else if (*up == (size_t)-1)
			*up = f;
	}
}

int shadow_verify(struct shadow *sh, struct check_run *run, struct verify_run *v)
{
	double t0 = now_seconds();
	struct strlist deploy_first = STRLIST_INIT;
	memset(v, 0, sizeof(*v));
	v->files = xcalloc(run->report.nr ? run->report.nr : 1, sizeof(*v->files));
	v->nr = run->report.nr;
	v->server = xstrdup(sh->display);
	v->version = sh->db->version;
	for (size_t i = 0; i < run->ms.nr && !v->error; i++) {
		const struct migration *m = run->ms.v[i];
		size_t up, down;
		find_files(run, i, &up, &down);
		/* the pending migrations run on rows, not on empty tables */
		if (up != (size_t)-1 && !v->seeded) {
			v->seeded = true;
			if (shadow_seed(sh, run->opts.verify_rows, &v->seed) < 0) {
				v->error = xstrfmt("cannot seed the shadow's tables: %s", sh->db->err.buf);
				break;
			}
			find_app_sql(run, v);
			app_sql_baseline(sh, &v->app);
		}
		if (up != (size_t)-1) {
			if (verify_migration(sh, run, up, down, v, &deploy_first) < 0 && !v->error) {
				if (v->files[up].rt == RT_FAILED)
					v->error = xstrfmt("stopped at '%s': it does not apply on the shadow",
							   run->report.files[up].path);
				else
					rebuild(sh, run, i, v);
			}
			continue;
		}
		int line = 0;
		if (m->up && shadow_run_script(sh, m->up->path, m->up->text, m->up->len, m->up->first_line,
					       &line) < 0)
			v->error = xstrfmt("%s:%d: history does not apply on the shadow: %s",
					   m->up->path, line, sh->db->err.buf);
	}
	v->seconds = now_seconds() - t0;
	strlist_clear(&deploy_first);
	v->note = sh->note ? xstrdup(sh->note) : NULL;
	for (size_t i = 0; i < sh->not_run.nr; i++)
		if (!strlist_has(&v->not_run, sh->not_run.items[i]))   /* a rebuild replays history */
			strlist_add(&v->not_run, sh->not_run.items[i]);
	return v->error ? -1 : 0;
}

/* What the replay of the application's statements found. */
static void verify_print_app(FILE *out, const struct verify_run *v)
{
	if (v->app_error)
		fprintf(out, "shadow: the application code could not be read: %s\n", v->app_error);
	if (!v->app.nr)
		return;
	fprintf(out, "shadow: %zu application statement%s replayed after each migration on its tables"
		", %zu failing%s\n", app_sql_replayed(&v->app), app_sql_replayed(&v->app) == 1 ? "" : "s",
		v->app_failed, v->app.found > v->app.nr ? " (the first found only)" : "");
	for (size_t i = 0; i < v->app.nr; i++) {
		const struct app_stmt *s = &v->app.v[i];
		if (s->expected)
			fprintf(out, "  %s:%d: fails as the migration expects: that code deploys first\n",
				s->path, s->line);
		else if (!s->ever && s->why)
			fprintf(out, "  %s:%d: not replayed: %s%s\n", s->path, s->line,
				starts_with(s->why, "not run: ") ? "" : "it fails before the migrations too: ",
				s->why);
	}
}

void verify_print_text(FILE *out, const struct check_run *run, const struct verify_run *v)
{
	fprintf(out, "\nshadow: %s (PostgreSQL %d.%d), %.2f s\n", v->server, v->version / 10000,
		v->version % 100, v->seconds);
	for (size_t f = 0; f < v->nr; f++) {
		const struct verify_file *vf = &v->files[f];
		const struct file_report *fr = &run->report.files[f];
		if (!vf->traces)
			continue;
		fprintf(out, "%s\n", fr->path);
		for (size_t k = 0; k < vf->nr; k++) {
			const struct lock_trace *t = &vf->traces[k];
			if (t->not_run)
				fprintf(out, "  line %d: not run (unverifiable): %s\n", fr->stmts[k].line,
					t->not_run);
			if (!t->traced)
				continue;
			fprintf(out, "  line %d: predicted %s, traced %s%s\n", fr->stmts[k].line,
				lock_name(fr->stmts[k].lock), *t->locks ? t->locks : "no table locks",
				t->outside_txn ? " (outside a transaction)" : "");
		}
		fprintf(out, "  round trip: %s", round_trip_name(vf->rt));
		if (vf->rt == RT_DIFFERS)
			fprintf(out, " (%zu object%s; see down-mismatch)", vf->differences,
				vf->differences == 1 ? "" : "s");
		if (vf->not_run)
			fprintf(out, " (%zu statement%s not run: unverifiable, see shadow-unverifiable)",
				vf->not_run, vf->not_run == 1 ? "" : "s");
		fputc('\n', out);
	}
	for (size_t i = 0; i < v->not_run.nr; i++)
		fprintf(out, "shadow: not run (unverifiable): %s\n", v->not_run.items[i]);
	verify_print_app(out, v);
	if (v->note)
		fprintf(out, "shadow: note: %s\n", v->note);
	if (v->error)
		fprintf(out, "shadow: %s\n", v->error);
}

void verify_add_json(cJSON *root, const struct check_run *run, const struct verify_run *v)
{
	cJSON *sh = cJSON_AddObjectToObject(root, "shadow");
	cJSON_AddStringToObject(sh, "server", v->server);
	cJSON_AddNumberToObject(sh, "server_version", v->version);
	cJSON_AddNumberToObject(sh, "seconds", v->seconds);
	if (v->error)
		cJSON_AddStringToObject(sh, "error", v->error);
	if (v->note)
		cJSON_AddStringToObject(sh, "note", v->note);
	cJSON *nr = cJSON_AddArrayToObject(sh, "not_run");
	for (size_t i = 0; i < v->not_run.nr; i++)
		cJSON_AddItemToArray(nr, cJSON_CreateString(v->not_run.items[i]));
	cJSON *app = cJSON_AddArrayToObject(sh, "app_statements");
	for (size_t i = 0; i < v->app.nr; i++) {
		const struct app_stmt *s = &v->app.v[i];
		cJSON *js = cJSON_CreateObject();
		cJSON_AddStringToObject(js, "path", s->path);
		cJSON_AddNumberToObject(js, "line", s->line);
		cJSON_AddStringToObject(js, "sql", s->sql);
		cJSON_AddBoolToObject(js, "replayed", s->ever);
		cJSON_AddBoolToObject(js, "deploys_first", s->expected);
		if (!s->ever && s->why)
			cJSON_AddStringToObject(js, "not_replayed", s->why);
		cJSON_AddItemToArray(app, js);
	}
	cJSON *files = cJSON_GetObjectItem(root, "files");
	for (size_t f = 0; f < v->nr && f < (size_t)cJSON_GetArraySize(files); f++) {
		const struct verify_file *vf = &v->files[f];
		cJSON *jf = cJSON_GetArrayItem(files, (int)f);
		if (!vf->traces)
			continue;
		cJSON_AddStringToObject(jf, "round_trip", round_trip_name(vf->rt));
		cJSON_AddNumberToObject(jf, "not_run", (double)vf->not_run);
		cJSON *sts = cJSON_GetObjectItem(jf, "statements");
		for (size_t k = 0; k < vf->nr && k < (size_t)cJSON_GetArraySize(sts); k++) {
			const struct lock_trace *t = &vf->traces[k];
			cJSON *js = cJSON_GetArrayItem(sts, (int)k);
			if (t->not_run)
				cJSON_AddStringToObject(js, "not_run", t->not_run);
			if (!t->traced)
				continue;
			cJSON_AddStringToObject(js, "traced_locks", t->locks);
			if (t->target_existed)
				cJSON_AddStringToObject(js, "traced_lock",
							lock_name(t->target_mode < 0 ? LOCK_NONE
										     : (enum lock_mode)t->target_mode));
		}
	}
	(void)run;
}
