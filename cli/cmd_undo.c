/*
 * cmd_undo.c - `sluice undo`: take back the commit sluice just made.
 *
 * Accepting a draft (the workbench's A, or `sluice draft --commit`) makes
 * one commit with a Sluice-Draft: trailer. Undo reverts exactly that
 * commit while it is still HEAD and its files are untouched, restoring the
 * work tree, the index and the branch as they were (core/draft/commit.c); in any
 * other case it refuses and says why, changing nothing.
 */
#include "commands.h"
#include "draft.h"
#include "util.h"

#include <stdio.h>
#include <string.h>

static const char usage[] =
	"usage: sluice [-C DIR] undo\n"
	"\n"
	"Reverts sluice's own last commit (a draft accepted with A or draft --commit)\n"
	"while HEAD is still that commit and its files are untouched; otherwise\n"
	"refuses and says why. Exit 0 undone, 1 refused, 2 usage.\n";

int cmd_undo(int argc, char **argv)
{
	struct strbuf done = STRBUF_INIT;
	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		fputs(usage, stdout);
		return 0;
	}
	if (argc > 1) {
		error("undo takes no arguments: '%s'", argv[1]);
		fputs(usage, stderr);
		return 2;
	}
	if (commit_undo(".", &done) < 0) {
		strbuf_release(&done);
		return 1;
	}
	printf("%s\n", done.buf);
	strbuf_release(&done);
	return 0;
}
