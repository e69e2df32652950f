/*
 * sqlgen.h - migrations whose SQL a tool prints (Django's sqlmigrate,
 * Alembic's offline mode, knex, sluice.sqlFrom): the stage that runs the
 * tools, between discovery and judging (check_prepare()).
 *
 * Discovery (core/discover/discover_tool.c) finds these files without settings; here,
 * with the user's settings read, each pending one gets its script replaced
 * by the SQL the tool prints, each line mapped back to the line of the
 * migration file it came from (struct script_origin), its transaction as the
 * tool runs it. The history's get their up's SQL too, when their tool's
 * command is set, so that the schema model knows the tables they made:
 * kept across runs (sqlgen_cache.c), at most HISTORY_RUNS_MAX tool runs a
 * check; one that gets none is history without SQL, its tables taken to
 * hold rows.
 *
 * A tool that is missing, fails, times out or prints too much leaves that
 * migration NOT JUDGED (ms->errors, naming it and why); the rest are judged.
 *
 * The commands come only from the user's own git config, the environment or
 * the command line, never from a repository's .sluice (key_rules in
 * core/settings.c), and run through core/run_command.c with an argv: a file
 * name is one argument, never read by a shell.
 */
#ifndef SLUICE_SQLGEN_H
#define SLUICE_SQLGEN_H

struct check_run;

void sqlgen_prepare(struct check_run *run);

struct migration_set;
/* For a caller that runs no tools: their migrations are kept as history without SQL. */
void sqlgen_forget(struct migration_set *ms);

#endif
