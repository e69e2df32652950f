/*
 * drift.h - does the live database have the schema its migration history
 * says it should?
 *
 * The expected schema is built for real: the history's up scripts run on
 * the shadow database (those the framework's table records as applied,
 * or all of them when there is no such table). The live schema is read
 * through a read-only connection. Both are compared as catalogue objects
 * (db_catalog.h), so column order, comments and formatting do not count.
 * Each difference is classified:
 *
 *   database-only    in the database but not in the repository's history
 *                    (a hand-made change; a changed definition counts here,
 *                    with both definitions shown)
 *   repository-only  in the history but missing from the database
 *   version-skew     the framework's table and the repository disagree on
 *                    which migrations exist or are applied
 */
#ifndef SLUICE_DRIFT_H
#define SLUICE_DRIFT_H

#include <stdio.h>
#include "util.h"

struct db;
struct shadow;
struct migration_set;

enum drift_kind { DRIFT_DB_ONLY, DRIFT_REPO_ONLY, DRIFT_SKEW };

struct drift_item {
	enum drift_kind kind;
	char *object_kind;      /* "index", "column", ..., "migration" */
	char *object;           /* its name, or the migration version */
	char *detail;
};

struct drift {
	struct drift_item *v;
	size_t nr, alloc;
	char *database;         /* masked */
	char *table;            /* the framework's table, or NULL */
	size_t migrations, applied;  /* in the repository; of those, applied per the table */
	struct strlist not_run;      /* history statements the shadow did not run: "path:line: why" */
};

void drift_init(struct drift *d);
void drift_release(struct drift *d);
const char *drift_kind_name(enum drift_kind k);

/* 0, or -1 with the message in *err. */
int drift_compute(struct db *live, struct shadow *sh, const struct migration_set *ms,
		  struct drift *d, struct strbuf *err);

/* The version a migration's id carries ("000003_add" -> "3", "V1_2__x" -> "1.2"). */
char *migration_version(const char *id, bool flyway);

void drift_print_text(FILE *out, const struct drift *d);
void drift_print_json(FILE *out, const struct drift *d);
/* The body of an issue for a scheduled check, with stable fingerprints. */
void drift_print_markdown(FILE *out, const struct drift *d);

#endif
