/*
 * draft_split_int.h - what the files of the split draft share among
 * themselves: draft_split.c (the driver: statements in, units out) and
 * draft_rw_*.c (one file per family of rewrites). Not a contract for
 * anyone else.
 */
#ifndef SLUICE_DRAFT_SPLIT_INT_H
#define SLUICE_DRAFT_SPLIT_INT_H

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
	const struct strlist *values; /* --set values (draft_input.h), or NULL */
	const struct migration_set *ms; /* the history, for what hangs on a column */
	size_t target;
	const struct file_report *report; /* the original, judged: its cross-check's verdicts */
};

#define BATCH_SIZE 5000

/* What a rewrite did: nothing (keep the statement), replaced it, kept it itself. */
enum rw_result { RW_NONE, RW_DONE, RW_KEPT };

/* draft_split.c: units, and the statements added to them */
struct unit *new_unit(struct split *sp, const char *phase, bool no_txn, const char *name,
		      const char *purpose);
struct unit *current_unit(struct split *sp);
cJSON *parse_generated(struct split *sp, const char *sql);
char *own_comment(const char *comments);
void add_up(struct split *sp, struct unit *u, const char *sql);
void unit_add(struct split *sp, struct unit *u, const char *sql, const char *down);
void unit_add_from_history(struct split *sp, struct unit *u, const char *sql);

/* draft_rw_drop.c: removals, after the code stops using them and a backup */
bool rw_drop_column(struct split *sp, const char *table, const cJSON *cmd);
bool rw_drop_table(struct split *sp, const struct stmt *st, const cJSON *b);

/* draft_rw_index.c */
bool rw_create_index(struct split *sp, const struct stmt *st, const cJSON *b);
bool rw_drop_index(struct split *sp, const struct stmt *st, const cJSON *b);
bool rw_reindex(struct split *sp, const struct stmt *st, const cJSON *b);

/* draft_rw_alter.c */
enum rw_result rw_alter(struct split *sp, const struct stmt *st, const cJSON *b);

/* draft_rw_column.c */
const cJSON *find_constraint(const cJSON *coldef, const char *contype);
bool rw_add_column(struct split *sp, const char *table, const struct stmt *st,
		   const cJSON *cd, size_t to);
/* ADD COLUMN ... NOT NULL without a DEFAULT on PostgreSQL 11+: one instant statement. */
enum rw_result rw_add_column_instant(struct split *sp, const char *table, const struct stmt *st,
				     const cJSON *cd, size_t to);
void add_not_null_steps(struct split *sp, const char *table, const char *col);

/* draft_rw_constraint.c */
bool rw_add_constraint(struct split *sp, const char *table, const struct stmt *st,
		       const cJSON *con, size_t to);
void add_validate(struct split *sp, struct unit *u, const char *rel, const char *qcon,
		  const char *validate, const char *add_not_valid);

/* draft_rw_rename.c */
bool rw_alter_type(struct split *sp, const char *table, const struct stmt *st,
		   const cJSON *cmd, size_t to);
bool rw_rename(struct split *sp, const struct stmt *st, const cJSON *b);

/* draft_rw_swap.c: what hangs on a column, carried to its copy (draft_deps.h) */
struct col_deps;
char *carry_name(const char *name, const char *col, const char *newcol, bool swap);
void carry_build(struct split *sp, const char *table, const struct col_deps *cd, const char *col,
		 const char *newcol, bool swap);
void carry_swap(struct split *sp, struct unit *u, const char *table, const struct col_deps *cd,
		const char *col, const char *oldcol, const char *newtype);

/* draft_rw_batch.c */
void ensure_progress_table(struct split *sp, struct unit *u);
void add_backfill(struct split *sp, const char *table, const char *job, const char *change,
		  const char *purpose);
bool rw_data_change(struct split *sp, const struct stmt *st, const cJSON *b);

#endif
