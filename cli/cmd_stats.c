/*
 * cmd_stats.c - `sluice stats`: a snapshot of a live database's table
 * sizes and write rates (core/db/db_stats.c), for `sluice check --stats`
 * where production credentials are not at hand.
 */
#include "commands.h"
#include "db.h"
#include "settings.h"
#include "stats.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char stats_usage[] =
	"usage: sluice [-C DIR] stats [--db URL] [-o FILE]\n"
	"\n"
	"Reads a live database's catalogues (read-only) and writes a JSON snapshot of\n"
	"its tables: estimated rows, heap and index bytes, inserts/updates/deletes per\n"
	"second since the statistics were reset, and each index's size and validity.\n"
	"No data and no query text. 'sluice check --stats FILE' (or sluice.stats)\n"
	"then scales severities with table sizes as --db does.\n"
	"\n"
	"  --db URL     the database (default: sluice.db.url, then DATABASE_URL)\n"
	"  -o FILE      write there (default: standard output)\n"
	"\n"
	"Exit: 0 written, 2 usage, connection or I/O error.\n";

enum { OPT_DB = 256 };

static const struct option stats_options[] = {
	{ "db", required_argument, NULL, OPT_DB },
	{ "output", required_argument, NULL, 'o' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* Written to FILE.tmp and renamed: a nightly job never leaves half a file. */
static int write_snapshot(const char *path, const char *text)
{
	if (!path) {
		fputs(text, stdout);
		return fflush(stdout) == 0 ? 0 : error("cannot write the snapshot: %s", strerror(errno));
	}
	char *tmp = xstrfmt("%s.tmp", path);
	FILE *f = fopen(tmp, "w");
	int ret = 0;
	if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
		ret = error("cannot write '%s': %s", tmp, strerror(errno));
		if (f)
			unlink(tmp);
	} else if (rename(tmp, path) < 0) {
		ret = error("cannot rename '%s' to '%s': %s", tmp, path, strerror(errno));
		unlink(tmp);
	}
	free(tmp);
	return ret;
}

int cmd_stats(int argc, char **argv)
{
	const char *db_opt = NULL, *out = NULL;
	struct config cfg;
	struct strbuf err = STRBUF_INIT;
	int c, ret = 2;

	config_init(&cfg);
	optind = 1;
	while ((c = getopt_long(argc, argv, "ho:", stats_options, NULL)) != -1) {
		switch (c) {
		case OPT_DB:
			db_opt = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case 'h':
			fputs(stats_usage, stdout);
			ret = 0;
			goto done;
		default:
			fputs(stats_usage, stderr);
			goto done;
		}
	}
	if (optind < argc) {
		error("stats takes no PATH ('%s'); see 'sluice stats --help'", argv[optind]);
		goto done;
	}
	if (config_load(&cfg, ".") < 0)
		goto done;
	const char *url = db_url_from(&cfg, db_opt);
	if (!url) {
		error("no database: give --db URL (or set sluice.db.url or DATABASE_URL)");
		goto done;
	}
	struct db *db = db_open_live(url, &err);
	if (!db) {
		error("%s", err.buf);
		goto done;
	}
	cJSON *snap = stats_take(db);
	if (!snap) {
		error("cannot read the statistics of '%s': %s", db->display, db->err.buf);
	} else {
		char *text = cJSON_Print(snap);
		size_t n = strlen(text);
		char *line = xstrfmt("%s%s", text, n && text[n - 1] == '\n' ? "" : "\n");
		ret = write_snapshot(out, line) < 0 ? 2 : 0;
		free(line);
		cJSON_free(text);
		cJSON_Delete(snap);
	}
	db_close(db);
done:
	strbuf_release(&err);
	config_release(&cfg);
	return ret;
}
