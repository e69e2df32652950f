/*
 * schema.h - a small in-memory model of the database schema.
 *
 * Built by replaying the migration history statement by statement, it lets
 * a rule ask: does this table exist, was it created in this very migration,
 * what was this column's type before, is there an index on these columns?
 * It also carries table statistics when a database was reachable, so that
 * severities can scale with table size.
 *
 * Names are stored as PostgreSQL folds them (unquoted identifiers lower
 * case; the parser already did that), with "public." dropped.
 */
#ifndef SLUICE_SCHEMA_H
#define SLUICE_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>
#include "util.h"

struct cJSON;

struct column {
	char *name;
	char *type;          /* as tree_type_name() writes it: "varchar(20)" */
	bool not_null;
	bool has_default;
	bool row_default;    /* a value made per row: serial, identity, DEFAULT now() */
};

struct index_def {
	char *name;
	char *table;
	struct strlist columns;  /* key columns in order; expressions as "?" */
	bool unique, primary;
};

enum constraint_type { CON_PRIMARY, CON_UNIQUE, CON_FOREIGN, CON_CHECK, CON_EXCLUDE, CON_NOTNULL };

struct constraint_def {
	char *name;
	char *table;
	enum constraint_type type;
	struct strlist columns;
	char *ref_table;         /* foreign keys */
	struct strlist ref_columns;
	bool validated;
	char *check_not_null_col; /* CHECK (col IS NOT NULL): the column */
};

struct table_def {
	char *name;
	struct column *cols;
	size_t nr_cols, alloc_cols;
	char *created_by;        /* migration id that created it */
	int created_gen;         /* schema generation that created it */
	bool branch_new;         /* created by a migration new on this branch: it is
				    empty in production when the branch ships... */
	bool copied;             /* ...unless rows were copied in (INSERT ... SELECT,
				    COPY FROM, CREATE TABLE AS) */
	long long seeded;        /* rows its creating migration put in with INSERT ...
				    VALUES (and later ones added so); -1 once it saw
				    another writer (INSERT ... SELECT, COPY FROM) or
				    rows came to a table that held uncounted ones */
	long long rows;          /* from statistics; -1 unknown */
	long long bytes;         /* -1 unknown */
	struct col_index *col_index; /* columns by name: a cache (schema_lookup.h) */
	double writes_per_s;     /* inserts + updates + deletes per second; -1 unknown */
};

struct schema {
	struct table_def *tables;
	size_t nr_tables, alloc_tables;
	struct index_def *indexes;
	size_t nr_indexes, alloc_indexes;
	struct constraint_def *cons;
	size_t nr_cons, alloc_cons;
	struct strlist functions;    /* created functions and procedures */
	struct strlist volatile_functions; /* of those, the VOLATILE ones (the default),
					      unqualified, lower case */
	struct strlist triggers;     /* "trigger on table" */
	struct strlist types;        /* enums and composite types */
	struct strlist publications; /* CREATE PUBLICATION names: logical replication is used */
	int generation;              /* bumped per migration applied */
	const char *current_id;      /* migration being applied */
	bool branch_new;             /* that migration is new on this branch (set after
				        schema_begin_migration(), which clears it) */
	bool session_utc;            /* SET TIME ZONE 'UTC' seen in this migration */
	struct schema_lookup *lookup; /* tables, indexes and constraints by name: a
				      cache (schema_lookup.h) */
};

void schema_init(struct schema *s);
void schema_release(struct schema *s);

/* Do two table names name the same table ("public.t" is "t")? NULL never matches. */
bool table_names_equal(const char *a, const char *b);
/* A table name as the model stores it: "public.users" -> "users"; NULL stays NULL. */
const char *table_key(const char *name);
struct table_def *schema_table(const struct schema *s, const char *name);
struct column *table_column(const struct table_def *t, const char *col);
struct index_def *schema_index(const struct schema *s, const char *name);
/*
 * Walks the indexes (constraints) of one table, in no particular order:
 *	for (size_t it = 0; (ix = schema_next_index(s, table, &it));)
 * Cheap on a schema_init'ed schema whatever the number of tables. The walk
 * must not change the schema.
 */
struct index_def *schema_next_index(const struct schema *s, const char *table, size_t *it);
struct constraint_def *schema_next_constraint(const struct schema *s, const char *table,
					      size_t *it);
/* Is there an index on `table` whose leading columns are exactly `cols`? */
bool schema_has_index_prefix(const struct schema *s, const char *table,
			     const struct strlist *cols);
/* Same, but the leading columns may come in any order (a lookup on all of
 * `cols` can use such an index, which is what a foreign key needs). */
bool schema_has_index_covering(const struct schema *s, const char *table,
			       const struct strlist *cols);
/* Does `table` have a primary key? */
bool schema_has_primary_key(const struct schema *s, const char *table);
/* A validated CHECK (col IS NOT NULL) exists (lets SET NOT NULL skip the scan, PG 12+). */
bool schema_has_notnull_check(const struct schema *s, const char *table, const char *col);

/* Starts a new migration: tables created from here on count as "new". */
void schema_begin_migration(struct schema *s, const char *id);
/* Starts a later part of the same migration (applied on its own, shipped with
 * the earlier parts): a new session, but what they created is still new. */
void schema_begin_part(struct schema *s, const char *id);
/*
 * Is `table` new: created by the migration currently being applied, or by an
 * earlier one new on this branch (s->branch_new was set while it ran) and
 * not filled by copying rows in? Either way it holds nothing production
 * needs when this migration runs.
 */
bool schema_table_is_new(const struct schema *s, const char *table);
/* Does `table` hold only rows the history inserted with INSERT ... VALUES
 * (a seeded lookup table), at least one? */
bool schema_table_seeded(const struct schema *s, const char *table);

/* Applies one parsed statement (a node like {"CreateStmt":{...}}). */
void schema_apply(struct schema *s, const struct cJSON *node);

/*
 * What one column definition (a ColumnDef body, in CREATE TABLE or ALTER
 * TABLE ... ADD COLUMN) asks for, read once so rules need not walk its
 * constraint list themselves. Pointers point into the tree.
 */
struct coldef_facts {
	const char *name;
	char *type;                      /* tree_type_name(), owned */
	const struct cJSON *default_expr; /* DEFAULT expr; NULL for none or DEFAULT NULL */
	const struct cJSON *fk;          /* inline REFERENCES: the Constraint body */
	const struct cJSON *check;       /* inline CHECK: the Constraint body */
	bool not_null, primary, unique;
	bool serial;                     /* serial, bigserial, smallserial */
	bool identity;                   /* GENERATED ... AS IDENTITY */
	bool generated;                  /* GENERATED ALWAYS AS (...) STORED */
};
void coldef_facts_read(const struct cJSON *coldef, struct coldef_facts *out);
void coldef_facts_release(struct coldef_facts *f);
/* Does the column get a value for existing rows (default, serial, identity, generated)? */
bool coldef_fills_rows(const struct coldef_facts *f);

/* Statistics from a live database (core/db). */
void schema_set_stats(struct schema *s, const char *table, long long rows, long long bytes);
/* Its write rate (a stats snapshot); the table must have stats already. */
void schema_set_write_rate(struct schema *s, const char *table, double writes_per_s);

#endif
