/*
 * draft_split_int.h - the rewrites the driver of a split draft calls:
 * draft_split.c (statements in, units out) hands each risky statement to
 * draft_rw_*.c (one file per family of rewrites; draft_rw_alter.c hands
 * ALTER TABLE's subcommands on to the others). The rewrites build with
 * draft_unit_int.h and call nothing here back in the driver. Not a contract
 * for anyone else.
 */
#ifndef SLUICE_DRAFT_SPLIT_INT_H
#define SLUICE_DRAFT_SPLIT_INT_H

#include "draft_unit_int.h"

/* What a rewrite did: nothing (keep the statement), replaced it, kept it itself. */
enum rw_result { RW_NONE, RW_DONE, RW_KEPT };

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

/* draft_rw_constraint.c */
bool rw_add_constraint(struct split *sp, const char *table, const struct stmt *st,
		       const cJSON *con, size_t to);

/* draft_rw_rename.c */
bool rw_alter_type(struct split *sp, const char *table, const struct stmt *st,
		   const cJSON *cmd, size_t to);
bool rw_rename(struct split *sp, const struct stmt *st, const cJSON *b);

/* draft_rw_swap.c: what hangs on a column, carried to its copy (draft_deps_int.h) */
struct col_deps;
char *carry_name(const char *name, const char *col, const char *newcol, bool swap);
void carry_build(struct split *sp, const char *table, const struct col_deps *cd, const char *col,
		 const char *newcol, bool swap);
void carry_swap(struct split *sp, struct unit *u, const char *table, const struct col_deps *cd,
		const char *col, const char *oldcol, const char *newtype);

/* draft_rw_batch.c: UPDATE / DELETE in batches */
bool rw_data_change(struct split *sp, const struct stmt *st, const cJSON *b);

#endif
