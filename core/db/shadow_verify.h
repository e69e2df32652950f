/*
 * shadow_verify.h - verifying a judged run on the shadow database: apply
 * the history, then each pending migration up with its locks traced, then
 * down, and check that the schema after down is the schema before up.
 *
 * What it finds lands in the run's report as ordinary findings (rules
 * lock-mismatch, down-mismatch, shadow-apply-error, shadow-unverifiable in
 * core/rules/rules_db.c), so
 * every format, --fail-on and the exit code work as for static judging;
 * the traces themselves are printed beside the report.
 */
#ifndef SLUICE_SHADOW_VERIFY_H
#define SLUICE_SHADOW_VERIFY_H

#include <stdio.h>
#include "app_sql.h"
#include "shadow.h"
#include "shadow_seed.h"

struct check_run;
struct cJSON;

/*
 * RT_PARTIAL: what ran came back as it was, but some statements were not
 * run (shadow-unverifiable): never reported as "ok".
 */
enum round_trip { RT_NONE, RT_OK, RT_DIFFERS, RT_NO_DOWN, RT_FAILED, RT_PARTIAL, RT__COUNT };

struct verify_file {
	struct lock_trace *traces;   /* one per statement of the report's file */
	size_t nr;
	enum round_trip rt;          /* set on the up file */
	size_t differences;
	size_t not_run;              /* statements of up or down not run (unverifiable) */
};

struct verify_run {
	struct verify_file *files;   /* parallel to run->report.files */
	size_t nr;
	double seconds;              /* applying and comparing, cluster start-up excluded */
	char *server;                /* where, masked */
	int version;                 /* server_version_num */
	char *error;                 /* why verification stopped early, or NULL */
	char *note;                  /* who the migrations ran as, when not a role of their own */
	struct strlist not_run;      /* history statements not run: "path:line: why" */
	struct seed_result seed;     /* rows given to the history's tables (shadow_seed.h) */
	bool seeded;
	struct app_sql app;          /* the application's statements replayed (app_sql.h) */
	size_t app_failed;           /* of them, failures after a migration */
	char *app_error;             /* why the application code could not be read, or NULL */
};

/* 0 when every pending migration was verified; -1 when it stopped (v->error). */
int shadow_verify(struct shadow *sh, struct check_run *run, struct verify_run *v);
void verify_run_release(struct verify_run *v);

/*
 * The static prediction (st->lock) against a trace: a lock-mismatch
 * finding when they differ (HIGH when the real lock is stronger).
 */
struct file_report;
struct stmt;
void verify_compare_lock(struct file_report *fr, struct stmt *st, const struct lock_trace *t);

const char *round_trip_name(enum round_trip rt);
void verify_print_text(FILE *out, const struct check_run *run, const struct verify_run *v);
/* Adds "shadow" to the report's JSON tree, and traces to its statements. */
void verify_add_json(struct cJSON *root, const struct check_run *run, const struct verify_run *v);

#endif
