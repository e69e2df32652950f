/*
 * cmd_draft.c - `sluice draft`: the workbench's drafts, headless.
 *
 * Judges one migration against the history in its directory, then writes
 * a safer split, a down migration or a runbook (built in, no network), or
 * asks the configured LLM for a draft. Every SQL draft is re-judged before
 * it is printed as verified; a failed draft says why and exits 1. With
 * --shadow URL or --verify the draft is then run on a shadow database, up
 * and down with its locks traced (core/draft/draft_shadow.c), and one that fails
 * there is not written either. With --commit the verified draft is written
 * into the repository and committed on the current branch in one commit
 * (core/draft/commit.c), never losing work.
 */
#include "commands.h"
#include "check.h"
#include "draft.h"
#include "llm/llm.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char draft_usage[] =
	"usage: sluice [-C DIR] draft [options] FILE\n"
	"\n"
	"Drafts a safer version of the migration FILE (judged against the migrations\n"
	"before it in its directory) and prints it, or writes it under --out DIR.\n"
	"\n"
	"  --split             expand / migrate / contract rewrite (default)\n"
	"  --down              the down migration, with a data-loss block when needed\n"
	"  --runbook           a Markdown runbook: checks, locks, rollback, signals\n"
	"  --llm               ask the model configured by sluice.llm.* instead\n"
	"  --out DIR           write the files under DIR instead of printing them\n"
	"  --commit            write the files into the repository and commit them\n"
	"  --branch NAME       with --commit: the branch expected to be checked out\n"
	"  --pg-version N      PostgreSQL major version (default: sluice.pgVersion or 15)\n"
	"  --shadow URL        also run the draft on a shadow database on that server:\n"
	"                      every up with its locks traced, then its down, and the\n"
	"                      schema after down compared with the one before up\n"
	"  --verify            the same on a throwaway cluster (initdb, pg_ctl)\n"
	"  --set T.COL=VALUE   the value existing rows get where only you can choose it\n"
	"                      (a new NOT NULL column), as SQL: --set users.plan=\"'free'\";\n"
	"                      without it such a draft is NEEDS INPUT and is not written\n"
	"\n"
	"Exit: 0 a verified draft, 1 the draft failed verification (statically or on\n"
	"the shadow) or the model failed, 2 usage or I/O error (no shadow database).\n";

enum { OPT_SPLIT = 256, OPT_DOWN, OPT_RUNBOOK, OPT_LLM, OPT_OUT, OPT_COMMIT, OPT_BRANCH, OPT_PG,
       OPT_SHADOW, OPT_VERIFY, OPT_SET };

static const struct option draft_options[] = {
	{ "split", no_argument, NULL, OPT_SPLIT },
	{ "down", no_argument, NULL, OPT_DOWN },
	{ "runbook", no_argument, NULL, OPT_RUNBOOK },
	{ "llm", no_argument, NULL, OPT_LLM },
	{ "out", required_argument, NULL, OPT_OUT },
	{ "commit", no_argument, NULL, OPT_COMMIT },
	{ "branch", required_argument, NULL, OPT_BRANCH },
	{ "pg-version", required_argument, NULL, OPT_PG },
	{ "shadow", required_argument, NULL, OPT_SHADOW },
	{ "verify", no_argument, NULL, OPT_VERIFY },
	{ "set", required_argument, NULL, OPT_SET },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

struct draft_opts {
	int what;            /* OPT_SPLIT, OPT_DOWN, OPT_RUNBOOK */
	bool llm, commit;
	const char *out, *branch, *pg;
	bool shadow;         /* run the draft on a shadow database */
	const char *shadow_url; /* NULL: a throwaway cluster */
	struct strlist values;  /* --set, checked */
};

/* The directory holding FILE's migration and its siblings (diesel/prisma: one up). */
static char *history_dir(const char *file)
{
	const char *slash = strrchr(file, '/');
	char *dir = slash ? xstrndup(file, (size_t)(slash - file)) : xstrdup(".");
	const char *base = slash ? slash + 1 : file;
	if (!strcmp(base, "up.sql") || !strcmp(base, "down.sql") || !strcmp(base, "migration.sql")) {
		char *up = strrchr(dir, '/');
		char *parent = up ? xstrndup(dir, (size_t)(up - dir)) : xstrdup(".");
		free(dir);
		dir = parent;
	}
	return dir;
}

static long find_target(const struct migration_set *ms, const char *file)
{
	for (size_t i = 0; i < ms->nr; i++) {
		const struct migration *m = ms->v[i];
		if ((m->up && !strcmp(m->up->path, file)) || (m->down && !strcmp(m->down->path, file)))
			return (long)i;
	}
	return -1;
}

/* Normalises "./a//b.sql" to "a/b.sql" so it matches discovery's paths. */
static char *clean_path(const char *p, const char *dir)
{
	const char *base = strrchr(p, '/');
	base = base ? base + 1 : p;
	if (!strcmp(base, "up.sql") || !strcmp(base, "down.sql") || !strcmp(base, "migration.sql")) {
		/* keep the migration directory's name */
		const char *s = p + strlen(p) - strlen(base) - 1;
		while (s > p && s[-1] != '/')
			s--;
		base = s;
	}
	return !strcmp(dir, ".") && !strchr(base, '/') ? xstrdup(base) : xstrfmt("%s/%s", dir, base);
}

/*
 * In a git repository the migration is judged the way `sluice check --all`
 * judges it: the repository's own discovery and history, and the
 * application-code cross-check that fills stmt->refs (the prompt carries
 * them; a rename still read by the app is a BLOCKER). Paths become
 * repository-relative and the command runs from the work tree's root.
 * Returns 0, or 1 to fall back to the file's directory (run is reset), or
 * -1 (message printed) when the repository's statistics snapshot is unusable.
 */
static int prepare_repo(struct check_run *run, const char *arg, char **file, long *target)
{
	char real[PATH_MAX], wd[PATH_MAX], cwd[PATH_MAX];
	char *dir = history_dir(arg);
	char *found = commit_workdir(dir);
	free(dir);
	if (!found || !realpath(arg, real) || !realpath(found, wd) || !getcwd(cwd, sizeof(cwd))) {
		free(found);
		return 1;
	}
	free(found);
	size_t wl = strlen(wd);
	if (strncmp(real, wd, wl) || real[wl] != '/' || chdir(wd) < 0)
		return 1;
	run->all = true;
	if (check_prepare(run, NULL, 0) == 0) {
		*target = find_target(&run->ms, real + wl + 1);
		if (*target >= 0 && run->ms.v[*target]->up) {
			*file = xstrdup(real + wl + 1);
			return 0;
		}
	} else if (run->bad_stats) {
		/* The repository's snapshot is broken: say so, never draft without it. */
		for (size_t i = 0; i < run->report.errors.nr; i++)
			error("%s", run->report.errors.items[i]);
		return -1;
	}
	/* Not a migration the repository's layout knows: judge it by its directory. */
	if (chdir(cwd) < 0)
		die("cannot change back to '%s': %s", cwd, strerror(errno));
	check_run_release(run);
	check_run_init(run);
	return 1;
}

static const struct file_report *report_of(const struct check_run *run, long target)
{
	for (size_t i = 0; i < run->report.nr; i++)
		if (run->report.files[i].mig == run->ms.v[target] && run->report.files[i].dir != DIR_DOWN)
			return &run->report.files[i];
	return NULL;
}

static int run_llm(const struct check_run *run, const struct draft_ctx *ctx, struct draft *d)
{
	struct llm_config lc;
	struct strbuf err = STRBUF_INIT;
	int ret = 0;
	if (llm_config_load(&run->cfg, &lc, &err) < 0) {
		error("%s", err.buf);
		strbuf_release(&err);
		return -1;
	}
	d->before = ctx->report->sev;
	/* on a terminal the answer streams as it comes (stderr: stdout stays the draft) */
	FILE *echo = isatty(STDERR_FILENO) ? stderr : NULL;
	if (echo)
		fprintf(echo, "# asking %s %s; the answer as it streams:\n",
			llm_provider_name(lc.provider), lc.model);
	if (llm_draft_run(&lc, ctx, d, echo, &err) < 0) {
		error("%s", err.buf);
		ret = -1;
	} else {
		draft_verify(ctx, d);
	}
	strbuf_release(&err);
	llm_config_release(&lc);
	return ret;
}

/*
 * The statically verified draft on a shadow database. -1 when it could not
 * run there (no server, the history does not apply): nothing is written.
 */
static int run_shadow(const struct draft_opts *o, const struct draft_ctx *ctx, struct draft *d)
{
	struct strbuf summary = STRBUF_INIT;
	int r = draft_verify_shadow(ctx, d, o->shadow_url, &summary);
	if (r < 0) {
		error("not writing the draft: %s", summary.buf);
		strbuf_release(&summary);
		return -1;
	}
	free(d->shadow);
	d->shadow = strbuf_detach(&summary, NULL);
	return 0;
}

static int finish(const struct draft_opts *o, const struct check_run *run, struct draft *d,
		  const char *file, const struct migration *target)
{
	if (o->commit) {
		if (d->failed) {
			error("not committing: the draft failed verification: %s", d->failed);
			return 1;
		}
		struct strbuf msg = STRBUF_INIT;
		draft_commit_message(d, file, &msg);
		struct commit_scope scope = { target->up->path, target->down ? target->down->path : NULL };
		int r = commit_draft(".", d, &scope, o->branch ? o->branch : run->ms.branch, msg.buf);
		strbuf_release(&msg);
		if (r < 0)
			return 2;
		if (d->shadow)
			printf("# %s\n", d->shadow);
		printf("committed %zu file%s: %s\n", d->nr, d->nr == 1 ? "" : "s", d->title);
		return 0;
	}
	if (o->out && !d->failed) {
		if (draft_write_dir(d, o->out) < 0)
			return 2;
		for (size_t i = 0; i < d->nr; i++)
			printf("wrote %s/%s\n", o->out, d->files[i].path);
		for (size_t i = 0; i < d->notes.nr; i++)
			printf("# note: %s\n", d->notes.items[i]);
		if (d->shadow)
			printf("# %s\n", d->shadow);
	} else {
		/* a failed draft is shown, never written */
		draft_print(stdout, d);
	}
	return d->failed ? 1 : 0;
}

static int parse_args(int argc, char **argv, struct draft_opts *o)
{
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", draft_options, NULL)) != -1) {
		switch (c) {
		case OPT_SPLIT:
		case OPT_DOWN:
		case OPT_RUNBOOK:
			o->what = c;
			break;
		case OPT_LLM:
			o->llm = true;
			break;
		case OPT_OUT:
			o->out = optarg;
			break;
		case OPT_COMMIT:
			o->commit = true;
			break;
		case OPT_BRANCH:
			o->branch = optarg;
			break;
		case OPT_PG:
			o->pg = optarg;
			break;
		case OPT_SHADOW:
			o->shadow_url = optarg;
			/* fall through */
		case OPT_VERIFY:
			o->shadow = true;
			break;
		case OPT_SET: {
			struct strbuf err = STRBUF_INIT;
			int bad = draft_value_check(optarg, &err);
			if (bad)
				error("%s", err.buf);
			strbuf_release(&err);
			if (bad)
				return -1;
			strlist_add(&o->values, optarg);
			break;
		}
		case 'h':
			fputs(draft_usage, stdout);
			return 1;
		default:
			fputs(draft_usage, stderr);
			return -1;
		}
	}
	if (argc - optind != 1) {
		fputs(draft_usage, stderr);
		return -1;
	}
	if (o->out && o->commit)
		return error("--out and --commit do not go together: pick one");
	if (o->shadow && o->what == OPT_RUNBOOK && !o->llm)
		return error("a runbook is prose: there is nothing to run on a shadow database");
	return 0;
}

int cmd_draft(int argc, char **argv)
{
	struct draft_opts o = { .what = OPT_SPLIT };
	struct check_run run;
	struct draft d;
	struct draft_ctx ctx;
	struct file_report fr;
	bool have_schema = false;
	struct schema s;
	char *dir = NULL, *file = NULL, *out_abs = NULL;
	const struct file_report *report = NULL;
	bool repo_mode;
	int ret = 2;
	long target = -1;

	check_run_init(&run);
	draft_init(&d);
	memset(&fr, 0, sizeof(fr));
	memset(&s, 0, sizeof(s));
	int pa = parse_args(argc, argv, &o);
	if (pa) {
		strlist_clear(&o.values);
		check_run_release(&run);
		return pa > 0 ? 0 : 2;
	}

	if (access(argv[optind], R_OK) < 0) {
		error("cannot read '%s': %m", argv[optind]);
		goto out;
	}
	if (o.out && o.out[0] != '/') {
		/* the command may move to the work tree's root */
		char cwd[PATH_MAX];
		if (getcwd(cwd, sizeof(cwd)))
			o.out = out_abs = xstrfmt("%s/%s", cwd, o.out);
	}
	int prepared = prepare_repo(&run, argv[optind], &file, &target);
	if (prepared < 0)
		goto out;
	repo_mode = prepared == 0;
	if (!repo_mode) {
		const char *paths[1];
		dir = history_dir(argv[optind]);
		file = clean_path(argv[optind], dir);
		paths[0] = dir;
		if (check_prepare(&run, paths, 1) < 0) {
			for (size_t i = 0; i < run.report.errors.nr; i++)
				error("%s", run.report.errors.items[i]);
			goto out;
		}
		target = find_target(&run.ms, file);
	}
	if (o.pg && pg_version_set(&run.opts, o.pg, "--pg-version") < 0)
		goto out;
	if (target < 0) {
		/* Named on the command line: judge it whatever its directory says. */
		const char *named[] = { file };
		discover_paths(&run.ms, named, 1);
		target = find_target(&run.ms, file);
	}
	if (target < 0 || !run.ms.v[target]->up) {
		for (size_t i = 0; i < run.ms.errors.nr; i++)
			if (strstr(run.ms.errors.items[i], file)) {
				error("%s", run.ms.errors.items[i]);
				goto out;
			}
		error("'%s' is not a migration sluice recognises (no up script found)", argv[optind]);
		goto out;
	}
	if (!run.ms.branch && o.commit) {
		/* discovery by paths does not read git: ask commit.c */
		free(run.ms.branch);
		run.ms.branch = commit_current_branch(".");
	}

	if (repo_mode) {
		check_judge(&run);
		report = report_of(&run, target);
	}
	if (!report) {
		/* The target judged on the schema its history leaves. */
		draft_history_schema(&run.ms, (size_t)target, &s);
		have_schema = true;
		schema_begin_migration(&s, run.ms.v[target]->id);
		judge_script(&run.opts, &s, run.ms.v[target], run.ms.v[target]->up, &fr);
		report = &fr;
	}
	memset(&ctx, 0, sizeof(ctx));
	ctx.ms = &run.ms;
	ctx.target = (size_t)target;
	ctx.opts = &run.opts;
	ctx.report = report;
	ctx.values = &o.values;
	ctx.runbook_dir = config_get(&run.cfg, "sluice.runbookdir");
	/* Table sizes a snapshot (sluice.stats) put into the run's schema. */
	ctx.stats = &run.schema;

	if (o.llm && o.commit) {
		/* a model's answer costs time and money: the commit's checks come first */
		const struct migration *m = run.ms.v[target];
		struct commit_scope scope = { m->up->path, m->down ? m->down->path : NULL };
		if (commit_check_ready(".", &scope, o.branch ? o.branch : run.ms.branch) < 0) {
			ret = 2;
			goto out;
		}
	}
	if (o.llm) {
		if (run_llm(&run, &ctx, &d) < 0) {
			ret = 1;
			goto out;
		}
	} else {
		draft_builtin(&ctx, o.what == OPT_DOWN ? DRAFT_DOWN :
				    o.what == OPT_RUNBOOK ? DRAFT_RUNBOOK : DRAFT_SPLIT, &d);
	}
	if (!d.nr && d.failed && d.already_safe) {
		/* an answer, not a failure: the migration is fine as it is */
		struct strbuf a = STRBUF_INIT;
		printf("# %s\n", printable(&a, d.title));
		printf("# %s\n", printable(&a, d.failed));
		strbuf_release(&a);
		ret = 0;
		goto out;
	}
	if (!d.nr && d.failed) {
		error("%s", d.failed);
		ret = 1;
		goto out;
	}
	if (o.shadow && !d.failed && run_shadow(&o, &ctx, &d) < 0)
		goto out;
	ret = finish(&o, &run, &d, file, run.ms.v[target]);
	fflush(stdout);
out:
	file_report_release(&fr);
	if (have_schema)
		schema_release(&s);
	draft_release(&d);
	check_run_release(&run);
	free(dir);
	free(file);
	free(out_abs);
	strlist_clear(&o.values);
	return ret;
}
