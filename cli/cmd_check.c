/*
 * cmd_check.c - `sluice check`: discover, judge, report, exit with a code
 * a pipeline can use.
 */
#include "commands.h"
#include "settings.h"
#include "discover.h"
#include "judge.h"
#include "report.h"
#include "rules.h"
#include "check.h"
#include "policy.h"
#include "db.h"
#include "heap.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char check_usage[] =
	"usage: sluice [-C DIR] check [options] [PATH...]\n"
	"\n"
	"With no PATH, judges the current branch's pending migrations: files added or\n"
	"changed since the merge-base with the base branch, plus uncommitted ones.\n"
	"With PATHs, judges those files or directories.\n"
	"\n"
	"  --format FMT        text (default), json, sarif, github, markdown, gitlab, junit\n"
	"  --pg-version N      PostgreSQL major version to judge for (default 15)\n"
	"  --base REF          base branch (default: sluice.base, the remote HEAD, main, master)\n"
	"  --fail-on SEV       LOW, MEDIUM, HIGH (default) or BLOCKER\n"
	"  --disable RULE      switch a rule off (repeatable)\n"
	"  --color WHEN        auto (default), always, never\n"
	"  --db URL            a live database (read-only) for table statistics: severities\n"
	"                      scale with row counts (default: sluice.db.url, DATABASE_URL)\n"
	"  --stats FILE        table sizes from a snapshot ('sluice stats'), no database\n"
	"                      needed: severities scale as with --db (default: sluice.stats)\n"
	"  --shadow URL        also verify on a shadow server: traced locks and the up/down\n"
	"                      round trip ('sluice verify' does this on a throwaway cluster)\n"
	"\n"
	"Exit: 0 nothing at or above --fail-on, 1 findings at or above it, 2 usage or I/O error.\n";

enum { OPT_FORMAT = 256, OPT_PG, OPT_BASE, OPT_FAIL, OPT_DISABLE, OPT_COLOR, OPT_DB, OPT_SHADOW,
       OPT_STATS };

static const struct option check_options[] = {
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "pg-version", required_argument, NULL, OPT_PG },
	{ "base", required_argument, NULL, OPT_BASE },
	{ "fail-on", required_argument, NULL, OPT_FAIL },
	{ "disable", required_argument, NULL, OPT_DISABLE },
	{ "color", required_argument, NULL, OPT_COLOR },
	{ "db", required_argument, NULL, OPT_DB },
	{ "shadow", required_argument, NULL, OPT_SHADOW },
	{ "stats", required_argument, NULL, OPT_STATS },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static const char verify_usage[] =
	"usage: sluice [-C DIR] verify [--shadow URL] [check options] [PATH...]\n"
	"\n"
	"Judges like 'sluice check', then runs the migrations on a shadow database: the\n"
	"history, then each pending migration up (every statement's locks traced from\n"
	"pg_locks and compared with the prediction), down, and a catalogue comparison of\n"
	"the schema before up and after down. Without --shadow, a throwaway cluster is\n"
	"started with initdb/pg_ctl in a temporary directory and removed afterwards.\n"
	"Findings: lock-mismatch, down-mismatch, shadow-apply-error, shadow-unverifiable.\n"
	"\n";

/* `sluice check`, and `sluice verify` (verify: then on a shadow database). */
static int check_command(int argc, char **argv, bool verify)
{
	const char *format = "text", *color = "auto", *pg = NULL, *fail = NULL, *db_opt = NULL;
	struct check_run run;
	struct strlist disable = STRLIST_INIT;
	int c, ret = 0;

	heap_for_batch();
	check_run_init(&run);
	run.db.verify = verify;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", check_options, NULL)) != -1) {
		switch (c) {
		case OPT_FORMAT:
			format = optarg;
			break;
		case OPT_PG:
			pg = optarg;
			break;
		case OPT_BASE:
			free(run.base);
			run.base = xstrdup(optarg);
			break;
		case OPT_FAIL:
			fail = optarg;
			break;
		case OPT_DISABLE:
			strlist_add(&disable, optarg);
			break;
		case OPT_COLOR:
			color = optarg;
			break;
		case OPT_DB:
			db_opt = optarg;
			break;
		case OPT_SHADOW:
			run.db.verify = true;
			run.db.shadow_url = optarg;
			break;
		case OPT_STATS:
			free(run.stats);
			run.stats = xstrdup(optarg);
			break;
		case 'h':
			if (verify)
				fputs(verify_usage, stdout);
			fputs(check_usage, stdout);
			goto out;
		default:
			fputs(check_usage, stderr);
			ret = 2;
			goto out;
		}
	}

	report_fn fmt = report_format(format);
	if (!fmt) {
		error("unknown format '%s': use text, json, sarif, github, markdown, gitlab or junit", format);
		ret = 2;
		goto out;
	}
	if (strcmp(color, "auto") && strcmp(color, "always") && strcmp(color, "never")) {
		error("--color takes auto, always or never, not '%s'", color);
		ret = 2;
		goto out;
	}
	if (check_prepare(&run, (const char *const *)argv + optind, (size_t)(argc - optind)) < 0) {
		/* Say why nothing can be judged; discovery leaves its reasons here. */
		for (size_t i = 0; i < run.report.errors.nr; i++)
			error("%s", run.report.errors.items[i]);
		if (!run.report.errors.nr)
			error("no migrations to judge here: not a git repository, or none found "
			      "(give PATHs to judge files directly)");
		ret = 2;
		goto out;
	}
	if (run.ms.no_base) {
		/* the branch's committed migrations would pass unjudged */
		error("%s", run.ms.no_base);
		ret = 2;
		goto out;
	}
	if (!run.ms.nr && !run.report.errors.nr) {
		if (optind < argc)
			warning("no migration files found in the given paths ('%s'%s)", argv[optind],
				argc - optind > 1 ? ", ..." : "");
		else
			warning("no migration files found in this repository (looked for golang-migrate, "
				"goose, dbmate, Flyway, sqitch, Prisma, Diesel, sqlx, Atlas and migrations/*.sql)");
	}
	/* Command-line options win over settings. */
	if (pg && pg_version_set(&run.opts, pg, "--pg-version") < 0) {
		ret = 2;
		goto out;
	}
	if (fail) {
		int s = severity_parse(fail);
		if (s <= 0) {
			error("--fail-on: '%s' is not one of LOW, MEDIUM, HIGH, BLOCKER", fail);
			ret = 2;
			goto out;
		}
		run.opts.fail_on = (enum severity)s;
	}
	for (size_t i = 0; i < disable.nr; i++) {
		if (!rule_find(disable.items[i]))
			warning("--disable: no rule named '%s' (see 'sluice rules')", disable.items[i]);
		strlist_add(&run.opts.disabled, disable.items[i]);
	}

	run.db_url = db_url_from(&run.cfg, db_opt);
	/* Reports read no parse trees; a shadow database replays statements. */
	run.drop_trees = !run.db.verify;
	check_judge(&run);
	policy_report(&run);
	if (run.db.error) {
		error("%s", run.db.error);
		ret = 2;
		goto out;
	}
	bool use_color = !strcmp(color, "always") ||
			 (!strcmp(color, "auto") && isatty(1) && !getenv("NO_COLOR"));
	if (db_check_print(&run.db, &run, format, stdout, use_color))
		; /* with the database's additions */
	else if (!strcmp(format, "text"))
		report_text(stdout, &run.report, use_color);
	else
		fmt(stdout, &run.report);
	fflush(stdout);
	for (size_t i = 0; i < run.report.errors.nr; i++)
		error("%s", run.report.errors.items[i]);
	/* A file that was found but could not be judged (binary, too big) is
	 * an input error too: never let it pass as "safe". */
	size_t unjudged = 0;
	for (size_t i = 0; i < run.report.nr; i++)
		if (run.report.files[i].error) {
			error("%s", run.report.files[i].error);
			unjudged++;
		}
	if (run.report.errors.nr && !run.report.nr)
		ret = 2;
	else
		ret = report_fails(&run.report) ? 1 : (run.report.errors.nr || unjudged ? 2 : 0);
	if (run.db.verified && run.db.v.error && ret == 0)
		ret = 1;
out:
	strlist_clear(&disable);
	check_run_exit(&run);
	return ret;
}

int cmd_check(int argc, char **argv)
{
	return check_command(argc, argv, false);
}

int cmd_verify(int argc, char **argv)
{
	return check_command(argc, argv, true);
}

int cmd_rules(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	for (size_t i = 0; i < rules_count(); i++) {
		const struct rule *r = rule_at(i);
		printf("%-34s %-8s %-12s %-15s %s\n", r->id, severity_name(r->sev), class_name(r->cls),
		       consequence_name(r->cq), r->title);
	}
	return 0;
}
