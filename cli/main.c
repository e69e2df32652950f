/*
 * main.c - sluice's entry point: dispatch to a subcommand.
 *
 * With no subcommand inside a git repository sluice opens the workbench
 * (the TUI); `sluice check` is the same engine for CI.
 *
 * -C DIR is handled here, once, for every command: git's place for it is
 * before the command (`sluice -C DIR check`), and `sluice check -C DIR`, the
 * older spelling, still works.
 */
#include <config.h>

#include "commands.h"
#include "sluice-describe.h"
#include "util.h"

#include <git2.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char usage[] =
	"usage: sluice [-C DIR] [--theme NAME] [PATH]       open the workbench\n"
	"       sluice [-C DIR] check [options] [PATH...]   judge migrations (CI)\n"
	"       sluice rules                                list the rule catalogue\n"
	"       sluice [-C DIR] draft [options] FILE        safer split, down, runbook, or an LLM draft\n"
	"       sluice [-C DIR] verify [options] [PATH...]  check, then run up/down on a shadow database\n"
	"       sluice [-C DIR] drift [--db URL] [PATH...]  compare a live database with the history\n"
	"       sluice [-C DIR] mcp [--shadow URL]          serve the Model Context Protocol on stdio\n"
	"       sluice [-C DIR] stats [--db URL] [-o FILE]  snapshot table sizes for check --stats\n"
	"       sluice [-C DIR] undo                        revert sluice's own last commit\n"
	"       sluice --version\n"
	"\n"
	"  -C DIR   run as if started in DIR (repeatable, like git's; also accepted after\n"
	"           the command)\n"
	"\n"
	"Run 'sluice check --help' for the options of check; 'man sluice' for all.\n";

static char start_dir[4096];

const char *start_directory(void)
{
	return start_dir;
}

/*
 * Takes every -C DIR (or -CDIR) out of argv, up to a "--", changing to each
 * directory in turn, so that a relative one is taken from the one before as
 * git does. What remains is the command and its own arguments.
 */
static int take_directory_options(int *argc, char **argv)
{
	int out = 1, i;
	for (i = 1; i < *argc && strcmp(argv[i], "--"); i++) {
		const char *dir;
		if (!strcmp(argv[i], "-C")) {
			if (i + 1 == *argc)
				return error("-C needs a directory: sluice -C DIR <command>");
			dir = argv[++i];
		} else if (starts_with(argv[i], "-C")) {
			dir = argv[i] + 2;
		} else {
			argv[out++] = argv[i];
			continue;
		}
		if (chdir(dir) < 0)
			return error("cannot change to '%s': %m", dir);
	}
	while (i < *argc)
		argv[out++] = argv[i++];
	argv[out] = NULL;
	*argc = out;
	return 0;
}

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
} commands[] = {
	{ "check", cmd_check },
	{ "draft", cmd_draft },
	{ "rules", cmd_rules },
	{ "drift", cmd_drift },
	{ "verify", cmd_verify },
	{ "mcp", cmd_mcp },
	{ "stats", cmd_stats },
	{ "undo", cmd_undo },
};

int main(int argc, char **argv)
{
	int ret;
	if (!getcwd(start_dir, sizeof(start_dir)))
		strcpy(start_dir, ".");
	if (take_directory_options(&argc, argv) < 0)
		return 2;
	/*
	 * libgit2 is initialised when first used (core/discover/git_shim.c):
	 * most runs outside a repository never load it. Each
	 * git_libgit2_shutdown() below undoes that, and is nothing otherwise.
	 */
	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
			 !strcmp(argv[1], "help"))) {
		fputs(usage, stdout);
		git_libgit2_shutdown();
		return 0;
	}
	if (argc > 1 && !strcmp(argv[1], "--version")) {
		if (*SLUICE_DESCRIBE)
			printf("sluice %s (git %s)\n", PACKAGE_VERSION, SLUICE_DESCRIBE);
		else
			printf("sluice %s\n", PACKAGE_VERSION);
		git_libgit2_shutdown();
		return 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
		if (argc > 1 && !strcmp(argv[1], commands[i].name)) {
			ret = commands[i].fn(argc - 1, argv + 1);
			git_libgit2_shutdown();
			return ret;
		}
	}
	ret = cmd_tui(argc, argv);
	git_libgit2_shutdown();
	return ret;
}
