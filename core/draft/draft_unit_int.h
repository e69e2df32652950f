/*
 * draft_unit_int.h - what the rewrites of a split draft build with: the state
 * of one split, its units (one migration each) and the steps several
 * rewrites share. Every function here is a leaf for the rewrites
 * (draft_rw_*.c): none calls a rewrite or the driver (draft_split.c), so
 * that the driver calls rewrites and nothing calls back. Not a contract
 * for anyone outside core/draft/.
 */
#ifndef SLUICE_DRAFT_UNIT_INT_H
#define SLUICE_DRAFT_UNIT_INT_H

#include "draft_int.h"

/* The state of one split: the units made so far and the schema as they leave it. */
struct split {
	struct unit *units;
	size_t nr, alloc;
	long cur;                  /* unit collecting kept statements; -1: open a new one */
	struct schema *s;
	const struct judge_opts *opts;
	struct draft *d;
	int rewritten;
	int instant;               /* of those, rewritten as one instant statement in place */
	struct strlist safe;       /* why statements the judge flagged need no split */
	bool progress_table;       /* the progress table was created in an earlier step */
	char *comment;             /* the engineer's comment on the statement being rewritten */
	const struct strlist *values; /* --set values (draft.h), or NULL */
	const struct migration_set *ms; /* the history, for what hangs on a column */
	size_t target;
	const struct file_report *report; /* the original, judged: its cross-check's verdicts */
};

#define BATCH_SIZE 5000

/* draft_unit.c: units, and the statements added to them */
struct unit *new_unit(struct split *sp, const char *phase, bool no_txn, const char *name,
		      const char *purpose);
struct unit *current_unit(struct split *sp);
void unit_release(struct unit *u);
cJSON *parse_generated(struct split *sp, const char *sql);
char *own_comment(const char *comments);
void add_up(struct split *sp, struct unit *u, const char *sql);
void unit_add(struct split *sp, struct unit *u, const char *sql, const char *down);
void unit_add_from_history(struct split *sp, struct unit *u, const char *sql);

/* draft_backfill.c: the batched backfill and the progress table it records its place in */
void ensure_progress_table(struct split *sp, struct unit *u);
void add_backfill(struct split *sp, const char *table, const char *job, const char *change,
		  const char *purpose);

/* draft_steps.c: VALIDATE with its undo; NOT NULL as CHECK NOT VALID, VALIDATE, SET NOT NULL */
void add_validate(struct split *sp, struct unit *u, const char *rel, const char *qcon,
		  const char *validate, const char *add_not_valid);
void add_not_null_steps(struct split *sp, const char *table, const char *col);
/*
 * The application code that inserts into table.col without setting it (the
 * cross-check's app-insert-missing-column list) as "a.go:3, b.py:7", or
 * NULL: a step that makes the column required waits for that code.
 */
char *insert_missing_code(const struct split *sp, const char *table, const char *col);

#endif
