/*
 * judge.h - judging scripts: parse, assess locks, run the rules.
 */
#ifndef SLUICE_JUDGE_H
#define SLUICE_JUDGE_H

#include "model.h"
#include "schema.h"

struct judge_opts {
	int pg_version;              /* major version, default 15 */
	enum severity fail_on;       /* default HIGH */
	struct strlist disabled;     /* rule ids switched off */
	long long small_rows;        /* below this many rows, size-scaled rules ease off */
	int verify_rows;             /* rows seeded per table on the shadow (sluice.verifyRows) */
};

void judge_opts_init(struct judge_opts *o);
void judge_opts_release(struct judge_opts *o);
bool rule_enabled(const struct judge_opts *o, const char *id);

/*
 * Judges one script of migration `m` (NULL for a loose file) and fills `out`.
 * The schema is advanced by the script's statements, so judge a history's
 * scripts in order. Call schema_begin_migration() first for a new migration.
 */
void judge_script(const struct judge_opts *o, struct schema *s, const struct migration *m,
		  const struct script *sc, struct file_report *out);

/* Is the script refused unparsed (binary, or over the size limit)? */
bool script_refused(const struct script *sc);

/* Replays a script into the schema without judging (the applied history). */
void replay_script(struct schema *s, const struct script *sc);

/* Fills st->lock, rewrite, scan and table from the statement alone (core/locks.c). */
void assess_statement(struct stmt *st, const struct schema *s, int pg_version);

/* Worst severity over the files; verdict from the findings. */
enum verdict verdict_of(const struct file_report *files, size_t n);

#endif
