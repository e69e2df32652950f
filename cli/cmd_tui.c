/*
 * cmd_tui.c - `sluice` with no subcommand: the workbench (being written).
 */
#include "commands.h"
#include "util.h"

int cmd_tui(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return error("the workbench is not built yet; use 'sluice check'") ? 2 : 2;
}
