/*
 * cmd_drift.c - `sluice drift`: compare a live database's schema with the
 * one its migration history builds, read-only on the live side.
 */
#include "commands.h"
#include "check.h"
#include "db.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char drift_usage[] =
	"usage: sluice [-C DIR] drift [--db URL] [--shadow URL] [--format text|json|markdown] [PATH...]\n"
	"\n"
	"Builds the schema the migration history gives on a shadow database, reads\n"
	"the live database's schema (read-only) and reports the differences: objects\n"
	"only in the database, objects only in the repository, and version skew\n"
	"between the framework's migration table and the repository's migrations.\n"
	"\n"
	"  --db URL        the live database (default: sluice.db.url, then DATABASE_URL)\n"
	"  --shadow URL    a server to build the expected schema on (a scratch database\n"
	"                  is created there and dropped); default: a throwaway cluster\n"
	"  --format FMT    text (default), json or markdown (an issue body: stable\n"
	"                  fingerprints per difference, for a scheduled check)\n"
	"\n"
	"With no PATH, the repository's migrations; with PATHs, those files or directories.\n"
	"Exit: 0 no drift, 1 drift, 2 usage, connection or I/O error.\n";

enum { OPT_DB = 256, OPT_SHADOW, OPT_FORMAT };

static const struct option drift_options[] = {
	{ "db", required_argument, NULL, OPT_DB },
	{ "shadow", required_argument, NULL, OPT_SHADOW },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int run_drift(struct check_run *run, const char *url, const char *shadow_url,
		     const char *format)
{
	struct strbuf err = STRBUF_INIT;
	struct shadow sh;
	struct drift d;
	int ret = 2;
	struct db *live = db_open_live(url, &err);
	if (!live) {
		error("%s", err.buf);
		strbuf_release(&err);
		return 2;
	}
	drift_init(&d);
	if (shadow_open(&sh, shadow_url, &err) < 0) {
		error("no shadow database: %s", err.buf);
		goto out;
	}
	int computed = drift_compute(live, &sh, &run->ms, &d, &err);
	if (computed < 0)
		error("%s", err.buf);
	if (sh.note)
		warning("shadow: %s", sh.note);
	if (computed == 0) {
		if (!strcmp(format, "json"))
			drift_print_json(stdout, &d);
		else if (!strcmp(format, "markdown"))
			drift_print_markdown(stdout, &d);
		else
			drift_print_text(stdout, &d);
		ret = d.nr ? 1 : 0;
	}
	shadow_close(&sh);
out:
	drift_release(&d);
	db_close(live);
	strbuf_release(&err);
	return ret;
}

int cmd_drift(int argc, char **argv)
{
	const char *db_opt = NULL, *shadow_url = NULL, *format = "text";
	struct check_run run;
	int c, ret = 0;

	check_run_init(&run);
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", drift_options, NULL)) != -1) {
		switch (c) {
		case OPT_DB:
			db_opt = optarg;
			break;
		case OPT_SHADOW:
			shadow_url = optarg;
			break;
		case OPT_FORMAT:
			format = optarg;
			break;
		case 'h':
			fputs(drift_usage, stdout);
			goto out;
		default:
			fputs(drift_usage, stderr);
			ret = 2;
			goto out;
		}
	}
	if (strcmp(format, "text") && strcmp(format, "json") && strcmp(format, "markdown")) {
		error("unknown format '%s' for drift: use text, json or markdown", format);
		ret = 2;
		goto out;
	}
	if (check_prepare(&run, (const char *const *)argv + optind, (size_t)(argc - optind)) < 0) {
		ret = 2;
		goto out;
	}
	for (size_t i = 0; i < run.ms.errors.nr; i++)
		error("%s", run.ms.errors.items[i]);
	if (run.ms.errors.nr) {
		ret = 2;
		goto out;
	}
	const char *url = db_url_from(&run.cfg, db_opt);
	if (!url) {
		error("no database to compare: pass --db URL, set sluice.db.url or DATABASE_URL");
		ret = 2;
		goto out;
	}
	ret = run_drift(&run, url, shadow_url, format);
out:
	check_run_release(&run);
	return ret;
}
