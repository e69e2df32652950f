/*
 * schema_lookup.h - the schema model's caches (private to schema*.c).
 *
 * A long history has thousands of tables, indexes and constraints, and
 * rules ask about one table at a time, every statement. These hashes
 * answer "the table named t", "t's indexes", "t's constraints" and "the
 * index named n" without walking the whole model. They are caches: the
 * arrays in struct schema stay the truth (and keep their order, which
 * first-match lookups and the drafting code depend on), so schema.c must
 * tell the lookup about every change to them (the lookup_* calls below).
 * A schema without a lookup (zeroed, not schema_init'ed) scans instead.
 */
#ifndef SLUICE_SCHEMA_LOOKUP_H
#define SLUICE_SCHEMA_LOOKUP_H

#include "schema.h"

struct schema_lookup *lookup_new(void);
void lookup_free(struct schema_lookup *l);

/* Tables: position `pos` of s->tables is now called `name` (added, moved or renamed). */
void lookup_note(const struct schema *s, const char *name, size_t pos);
struct table_def *lookup_find(const struct schema *s, const char *name);

/* s->indexes[i] was appended / is about to be removed / was moved from `from` to `i`. */
void lookup_index_added(const struct schema *s, size_t i);
void lookup_index_removing(const struct schema *s, size_t i);
void lookup_index_moved(const struct schema *s, size_t from, size_t i);
/* s->indexes[i] was called `old` (NULL: nameless) before a rename. */
void lookup_index_renamed(const struct schema *s, size_t i, const char *old);
/* The same for s->cons. */
void lookup_constraint_added(const struct schema *s, size_t i);
void lookup_constraint_removing(const struct schema *s, size_t i);
void lookup_constraint_moved(const struct schema *s, size_t from, size_t i);
/* Index and constraint tables were renamed wholesale: start over. */
void lookup_reindex(const struct schema *s);

/*
 * The first position (lowest) in s->indexes of an index called exactly
 * `name`, or -1; the caller scans when s has no lookup.
 */
long lookup_index_named(const struct schema *s, const char *name);

/*
 * Positions in s->indexes (s->cons) filed under `table`, in no particular
 * order, or NULL (with *n = 0) for none. Valid until the schema changes.
 */
const size_t *lookup_indexes_of(const struct schema *s, const char *table, size_t *n);
const size_t *lookup_constraints_of(const struct schema *s, const char *table, size_t *n);

/*
 * Columns by name (a table's own cache, t->col_index): the first column
 * called `name`, or NULL. Whatever appends a column calls
 * lookup_column_added(); whatever drops, renames or frees columns calls
 * lookup_columns_changed().
 */
struct column *lookup_column(const struct table_def *t, const char *name);
void lookup_column_added(struct table_def *t);
void lookup_columns_changed(struct table_def *t);

#endif
