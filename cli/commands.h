/*
 * commands.h - sluice's subcommands. Each returns the process exit code:
 * 0 nothing at or above the threshold, 1 findings at or above it (or drift),
 * 2 usage or I/O error.
 */
#ifndef SLUICE_COMMANDS_H
#define SLUICE_COMMANDS_H

int cmd_check(int argc, char **argv);
int cmd_draft(int argc, char **argv);
int cmd_rules(int argc, char **argv);
int cmd_drift(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_tui(int argc, char **argv);
int cmd_mcp(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_undo(int argc, char **argv);

/* Where sluice was started, before any -C (for paths named relative to it). */
const char *start_directory(void);

#endif
