/*
 * db_check.h - what a database adds to `sluice check`: statistics from a
 * live database before judging (so severities scale with table size), and
 * verification on a shadow database after it (traced locks, the up/down
 * round trip). Kept out of check.c so that a run without a database never
 * touches libpq.
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
};

/*
 * Before check_judge(): connects read-only to `url` (may be NULL: no
 * database) and loads its statistics into run->schema. An unreachable
 * database is a warning, not an error: judging goes on statically.
 */
void db_check_before(struct db_check *dc, struct check_run *run, const char *url);
/* After check_judge(): the shadow verification when asked. -1: no shadow (message printed). */
int db_check_after(struct db_check *dc, struct check_run *run);
/* Prints json or text with the database's additions; false for other formats (print as usual). */
bool db_check_print(const struct db_check *dc, const struct check_run *run, const char *format,
		    FILE *out, bool color);
void db_check_release(struct db_check *dc);

#endif
