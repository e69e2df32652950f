/*
 * main.c - sluice's entry point: dispatch to a subcommand.
 *
 * With no subcommand inside a git repository sluice opens the workbench
 * (the TUI); `sluice check` is the same engine for CI.
 */
#include <config.h>

#include "commands.h"
#include "util.h"

#include <git2.h>
#include <stdio.h>
#include <string.h>

static const char usage[] =
	"usage: sluice [--theme NAME] [PATH]       open the workbench\n"
	"       sluice check [options] [PATH...]   judge migrations (CI)\n"
	"       sluice rules                       list the rule catalogue\n"
	"       sluice draft [options] FILE        safer split, down, runbook, or an LLM draft\n"
	"       sluice verify [options] [PATH...]  check, then run up/down on a shadow database\n"
	"       sluice drift [--db URL] [PATH...]  compare a live database with the history\n"
	"       sluice --version\n"
	"\n"
	"Run 'sluice check --help' for the options of check; 'man sluice' for all.\n";

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
} commands[] = {
	{ "check", cmd_check },
	{ "draft", cmd_draft },
	{ "rules", cmd_rules },
	{ "drift", cmd_drift },
	{ "verify", cmd_verify },
};

int main(int argc, char **argv)
{
	int ret;
	git_libgit2_init();
	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
			 !strcmp(argv[1], "help"))) {
		fputs(usage, stdout);
		git_libgit2_shutdown();
		return 0;
	}
	if (argc > 1 && !strcmp(argv[1], "--version")) {
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
