/*
 * app_sql.h - the application's own SQL, replayed on the shadow.
 *
 * A migration can be correct on its own and still break the code that
 * runs against it: an INSERT that does not set a column just made NOT
 * NULL, a SELECT of a column a swap dropped, an UPDATE a new CHECK
 * refuses. So when the shadow verifies pending migrations, the INSERT,
 * UPDATE, SELECT and DELETE statements the cross-check finds in the
 * application code (core/xref/xref_sql.c: raw SQL in strings and .sql query
 * files) for the tables those migrations touch are run there too
 * (core/db/shadow_replay.c): once after the history, then after each
 * pending migration's up, each in a transaction rolled back at once, with
 * its parameters filled from the seeded rows. A statement that ran before
 * a migration and errors after it fails the verification, naming the
 * statement and its file:line (rule app-statement-fails).
 *
 * Placeholders are read in the styles drivers use - $1, ?, %s,
 * %(name)s, :name, @name, sqlc.arg(name) - and become $n; each is tied,
 * where the statement shows it, to the column it is compared with,
 * assigned to or inserted into, so that the value is one a row really
 * holds (a fresh one for a unique column an INSERT sets).
 *
 * Three parts share these statements, so they are kept at the top of
 * core/: xref finds them (app_sql_collect(), xref.h), db replays them
 * (app_sql_replay(), db.h), draft writes the deploy-first mark.
 */
#ifndef SLUICE_APP_SQL_H
#define SLUICE_APP_SQL_H

#include <stdbool.h>
#include "util.h"

struct app_stmt {
	char *path;
	int line, end_line;      /* where it starts and ends */
	char *sql;               /* with $n placeholders */
	struct strlist tables;   /* the relations it names, folded */
	char **param_col;        /* per $n: "table.column", ".column" (table
				    unknown: one of `tables`), or NULL */
	int nparams;
	bool insert;             /* an INSERT: its unique columns get fresh values */
	/* The replay's state (shadow_replay.c). */
	bool ran;                /* it ran at the last point it was tried */
	bool ever;               /* it ran at some point: the replay judges it */
	char *why;               /* why it did not run before any pending migration */
	bool expected;           /* its failure is a code deploy the draft orders first */
};

struct app_sql {
	struct app_stmt *v;
	size_t nr, alloc;
	size_t found;            /* statements found, some of them beyond the cap */
};

/* At most this many are replayed: the first found, in path order. */
#define APP_SQL_MAX 200

void app_sql_release(struct app_sql *a);

/*
 * One piece of application SQL as a statement to replay: placeholders
 * turned into $n, and its parameters tied to columns. NULL when it is not
 * one sluice replays (it does not parse, is not INSERT, UPDATE, SELECT or
 * DELETE, or builds its text at run time).
 */
struct app_stmt *app_stmt_from(const char *text, const char *path, int line);
void app_stmt_free(struct app_stmt *s);
void app_stmt_clear(struct app_stmt *s);   /* its fields only */

/* "path:line" lists in a `-- sluice: deploy first: ...` line of a migration's text. */
void app_sql_deploy_first(const char *text, struct strlist *out);
#define APP_SQL_DEPLOY_MARK "-- sluice: deploy first:"

#endif
