/*
 * cmd_tui.c - `sluice [options] [PATH...]`: the workbench.
 *
 * Sets the frame up (settings, theme, keys, terminal, loop), shows the
 * migration list, starts the first scan in the background and runs the
 * loop until the user quits. Whatever the engine wrote to stderr meanwhile
 * is printed once the terminal is back.
 */
#include "commands.h"
#include "check.h"
#include "db.h"
#include "gitprobe.h"
#include "settings.h"
#include "tui/app.h"
#include "tui/display.h"
#include "tui/job.h"
#include "tui/navigate.h"
#include "themes/theme.h"

#include <getopt.h>
#include <git2.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


static const char tui_usage[] =
	"usage: sluice [-C DIR] [options] [PATH...]\n"
	"\n"
	"Opens the workbench on the current branch's pending migrations, or on the\n"
	"migration files and directories given as PATHs.\n"
	"\n"
	"  --theme NAME        dark (default), light, high-contrast, monochrome, or a theme file\n"
	"  --all               list every migration, not only pending ones (key: a)\n"
	"  --base REF          base branch (default: sluice.base, the remote HEAD, main, master)\n"
	"  --script FILE       read keys and commands from FILE (tests; also $SLUICE_SCRIPT)\n"
	"  --db URL            the live database for the drift view (key D; default:\n"
	"                      sluice.db.url, then DATABASE_URL)\n"
	"  --stats FILE        table sizes from a 'sluice stats' snapshot (default: sluice.stats)\n"
	"  --shadow URL        a server to build drift's expected schema on (default: a\n"
	"                      throwaway cluster), and to run drafts on (key V)\n"
	"\n"
	"Press ? in the workbench for the keys.\n";

enum { OPT_THEME = 256, OPT_ALL, OPT_BASE, OPT_SCRIPT };
enum { OPT_DB = 320, OPT_SHADOW };
enum { OPT_STATS = 340 };

static const struct option tui_options[] = {
	{ "theme", required_argument, NULL, OPT_THEME },
	{ "all", no_argument, NULL, OPT_ALL },
	{ "base", required_argument, NULL, OPT_BASE },
	{ "script", required_argument, NULL, OPT_SCRIPT },
	{ "db", required_argument, NULL, OPT_DB },
	{ "shadow", required_argument, NULL, OPT_SHADOW },
	{ "stats", required_argument, NULL, OPT_STATS },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};


static bool inside_repository(void)
{
	git_repository *repo = NULL;
	int r;
	/* libgit2 stays unloaded where it could find nothing (core/gitprobe.h) */
	if (!gitprobe_maybe_in_repo("."))
		return false;
	r = git_repository_open_ext(&repo, ".", 0, NULL);
	git_repository_free(repo);
	return r == 0;
}

/* Theme: --theme, else sluice.theme; NO_COLOR or a colourless terminal: monochrome. */
static void choose_theme(const char *name, const struct config *cfg)
{
	struct strbuf err = STRBUF_INIT;
	if (!name)
		name = config_get(cfg, "sluice.theme");
	if (getenv("NO_COLOR") && *getenv("NO_COLOR"))
		name = "monochrome";
	if (theme_load(&app.theme, name, cfg, &err) < 0)
		strlist_add(&app.errors, err.buf);
	strbuf_release(&err);
}

static void teardown(void)
{
	jobs_cancel();
	app_views_release();
	rejudge_release();
	if (app.run) {
		check_run_release(app.run);
		free(app.run);
	}
	free(app.entries);
	free(app.search);
	free(app.prompt_label);
	free(app.base);
	free(app.db_url);
	free(app.stats);
	strbuf_release(&app.message);
	strbuf_release(&app.prompt);
	strlist_clear(&app.errors);
	theme_release(&app.theme);
	keys_release();
}

int cmd_tui(int argc, char **argv)
{
	const char *theme = NULL, *script = getenv("SLUICE_SCRIPT");
	const char *db_opt = NULL, *shadow_opt = NULL;
	char *script_abs = NULL;
	struct config cfg;
	int c, ret = 0;

	memset(&app, 0, sizeof(app));
	app.t0 = now_seconds();
	strbuf_init(&app.message, 0);
	strbuf_init(&app.prompt, 0);
	config_init(&cfg);
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", tui_options, NULL)) != -1) {
		switch (c) {
		case OPT_THEME:
			theme = optarg;
			break;
		case OPT_ALL:
			app.all = true;
			break;
		case OPT_BASE:
			free(app.base);
			app.base = xstrdup(optarg);
			break;
		case OPT_SCRIPT:
			script = optarg;
			break;
		case OPT_DB:
			db_opt = optarg;
			break;
		case OPT_SHADOW:
			shadow_opt = optarg;
			break;
		case OPT_STATS:
			free(app.stats);
			app.stats = xstrdup(optarg);
			break;
		case 'h':
			fputs(tui_usage, stdout);
			goto out;
		default:
			fputs(tui_usage, stderr);
			ret = 2;
			goto out;
		}
	}
	app.paths = (const char **)argv + optind;
	app.nr_paths = (size_t)(argc - optind);
	for (size_t i = 0; i < app.nr_paths; i++) {
		if (access(app.paths[i], F_OK) < 0) {
			error("cannot open '%s': %m", app.paths[i]);
			ret = 2;
			goto out;
		}
	}
	if (!app.nr_paths && !inside_repository()) {
		error("not a git repository: '%s' (run sluice inside one, or give it migration files)",
		      getcwd((char[4096]){ 0 }, 4096));
		ret = 2;
		goto out;
	}
	if (!script && (!isatty(0) || !isatty(1))) {
		error("the workbench needs a terminal; use 'sluice check' in scripts");
		ret = 2;
		goto out;
	}

	setlocale(LC_ALL, "");
	config_load(&cfg, ".");
	keys_init(&cfg, &app.errors);
	const char *db_url = db_url_from(&cfg, db_opt);
	driftwork_configure(db_url, shadow_opt);
	/* The scan reads table statistics from it: severities scale with size. */
	app.db_url = db_url ? xstrdup(db_url) : NULL;
	choose_theme(theme, &cfg);
	/* The script is named relative to where sluice was started, before -C. */
	if (script && *script != '/')
		script = script_abs = xstrfmt("%s/%s", start_directory(), script);
	if (script && script_open(script) < 0) {
		ret = 2;
		goto out;
	}
	app.script = script != NULL;
	if (display_init(app.script) < 0) {
		ret = 2;
		goto out;
	}
	display_apply_theme(&app.theme);
	if (loop_init() < 0) {
		display_done();
		ret = 2;
		goto out;
	}
	if (app.errors.nr)
		app_message(ROLE_ERROR, "%s", app.errors.items[app.errors.nr - 1]);
	app.file = app.stmt = -1;
	app_views_init();
	jobs_start(REQ_RESCAN);   /* the first scan */
	loop_run();
	jobs_cancel();
	display_done();
	loop_release();
	struct strbuf clean = STRBUF_INIT;
	for (size_t i = 0; i < app.errors.nr; i++)
		fprintf(stderr, "%s\n", printable(&clean, app.errors.items[i]));
	strbuf_release(&clean);
out:
	script_close();
	free(script_abs);
	teardown();
	config_release(&cfg);
	return ret;
}
