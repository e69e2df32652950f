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
	enum severity unparsed_sev;  /* statements the parser cannot read (sluice.unparsedSeverity);
					SEV_NONE: the parse-error rule's own */
	/* With table sizes known (--db, --stats), see scale_by_size() in judge.c: */
	long long large_rows;        /* from this many rows a lock that grows stays HIGH */
	double blocker_seconds;      /* a lock estimated longer than this is a BLOCKER */
	double hot_writes;           /* writes per second that make a table hot */
	int verify_rows;             /* rows seeded per table on the shadow (sluice.verifyRows) */
};

void judge_opts_init(struct judge_opts *o);
void judge_opts_release(struct judge_opts *o);
bool rule_enabled(const struct judge_opts *o, const char *id);

struct parse_ahead;

/*
 * The judging pipeline's two ends for one script (core/check.c runs the
 * stages between them for a whole run):
 *
 * judge_rules() parses the script (or takes it from the parse-ahead worker
 * `pa`, which may be NULL), runs every enabled rule on every statement and
 * the file-level rules, scales severities by table size, and reads the
 * ignore comments into out->ignores without applying them. The schema is
 * advanced by the script's statements, so judge a history's scripts in
 * order. Call schema_begin_migration() first for a new migration.
 *
 * judge_settle() runs once the last finding is raised: ignores (one grammar
 * for every finding, wherever it came from), then each statement's class
 * and severity and the file's.
 *
 * judge_script() is both, for a script judged on its own.
 */
void judge_rules(const struct judge_opts *o, struct schema *s, const struct migration *m,
		 const struct script *sc, struct parse_ahead *pa, struct file_report *out);
void judge_settle(const struct judge_opts *o, struct file_report *fr);
void judge_script(const struct judge_opts *o, struct schema *s, const struct migration *m,
		  const struct script *sc, struct file_report *out);

/* One finding per rule on a statement: the worst severity, every name (judge_merge.c). */
void merge_findings(struct stmt *st);

/* Is the script refused unparsed (binary, or over the size limit)? */
bool script_refused(const struct script *sc);
/*
 * The work on a parsed script that needs no schema, done by whoever parsed
 * it (a parse worker, core/parseahead.c) for a script about to be judged.
 */
void judge_prepare(struct file_report *fr);

/* Replays a script into the schema without judging (the applied history). */
void replay_script(struct schema *s, const struct script *sc);
/* The same, taking the statements from the parse-ahead worker `pa` (may be NULL). */
void replay_script_from(struct parse_ahead *pa, struct schema *s, const struct script *sc);

/* Fills st->lock, rewrite, scan and table from the statement alone (core/locks.c). */
void assess_statement(struct stmt *st, const struct schema *s, int pg_version);

/* Worst severity over the files; verdict from the findings. */
enum verdict verdict_of(const struct file_report *files, size_t n);

#endif
