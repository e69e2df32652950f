/*
 * db_check.h - the stages a database adds to the judging pipeline
 * (core/check.h): statistics from a live database before the rules (so
 * severities scale with table size), and verification on a shadow database
 * after them (traced locks, the up/down round trip), whose findings then
 * go through the same ignores and severity as every other. A run without
 * a database never connects anywhere.
 */
#ifndef SLUICE_DB_CHECK_H
#define SLUICE_DB_CHECK_H

#include <stdbool.h>
#include <stdio.h>
#include "shadow_verify.h"

struct check_run;
struct db;

struct db_check {
	struct db *live;           /* NULL: no database, or it was unreachable */
	bool verify;               /* run the pending migrations on a shadow */
	const char *shadow_url;    /* NULL: a throwaway cluster */
	struct verify_run v;
	bool verified;
	double open_seconds;       /* opening the shadow (or starting a cluster) */
	bool own_cluster;          /* a throwaway cluster sluice started */
	char *error;               /* "no shadow database: ..." when it could not open one */
};

/*
 * check_judge() calls these. Before the rules: connects read-only to `url`
 * (may be NULL: no database) and loads its statistics into run->schema. An
 * unreachable database is a warning, not an error: judging goes on
 * statically.
 */
void db_check_before(struct db_check *dc, struct check_run *run, const char *url);
/* After the rules, before the ignores: the shadow verification when asked. -1: dc->error. */
int db_check_after(struct db_check *dc, struct check_run *run);
/* Prints json or text with the database's additions; false for other formats (print as usual). */
bool db_check_print(const struct db_check *dc, const struct check_run *run, const char *format,
		    FILE *out, bool color);
void db_check_release(struct db_check *dc);

#endif
