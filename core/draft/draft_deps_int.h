/*
 * draft_deps_int.h - what hangs on a column, read from the migration history.
 *
 * A column swap (ALTER COLUMN TYPE as new column + backfill + rename) or a
 * column rename (new column + two-way sync) must carry everything attached
 * to the column, or the renamed copy is a column without its primary key,
 * its sequence default, its foreign keys... and every INSERT fails. The
 * schema model (schema.h) knows names and columns; the drafts need the
 * definitions as SQL, so this reads the history's statements again and
 * keeps, for one column: its type, NOT NULL, DEFAULT (serial's nextval
 * included) or identity, the primary key, UNIQUE and CHECK constraints,
 * plain indexes, foreign keys out of it and into it from other tables,
 * views reading its table, and GRANTs on its table. Objects the history
 * drops later are forgotten; names PostgreSQL chose are the ones it
 * chooses (users_pkey, users_email_key, orders_user_id_fkey, ...).
 *
 * Each definition is kept twice where it names the column: as written,
 * and with the column replaced by the new one (`renamed`), from the parse
 * tree's own positions, so that an expression is rewritten exactly.
 */
#ifndef SLUICE_DRAFT_DEPS_INT_H
#define SLUICE_DRAFT_DEPS_INT_H

#include <stdbool.h>
#include "discover.h"
#include "util.h"

enum dep_kind { DEP_PRIMARY, DEP_UNIQUE, DEP_CHECK, DEP_INDEX, DEP_FK_OUT, DEP_FK_IN, DEP_VIEW };

struct col_dep {
	enum dep_kind kind;
	char *name;            /* constraint, index or view name */
	char *table;           /* the table it is on (FK_IN: the referencing table) */
	char *def;             /* as written: CHECK (...), the index's column list and
				  WHERE, FOREIGN KEY (...) REFERENCES ..., the view's
				  CREATE VIEW statement */
	char *renamed;         /* the same with the column replaced; NULL for a view */
	bool unique;           /* DEP_INDEX: a unique index */
	bool multi;            /* the key has other columns than this one */
};

struct col_deps {
	char *type;            /* as tree_type_name() writes it */
	bool not_null;
	char *default_sql;     /* DEFAULT expression as written, or nextval('seq'::regclass) */
	char *sequence;        /* serial's sequence (table_col_seq), or NULL */
	bool serial_int;       /* serial / smallserial: the sequence is not bigint */
	bool identity;         /* GENERATED ... AS IDENTITY */
	char identity_when;    /* 'a' ALWAYS, 'd' BY DEFAULT */
	struct col_dep *v;
	size_t nr, alloc;
	struct strlist grants; /* GRANT statements on the table, as written */
	struct strlist unknown; /* what it could not carry, worded for a note */
	bool found;            /* the column was seen in the history */
};

/* Reads the history before migration `upto` for `table`.`col`; `newcol` names the copy. */
void col_deps_read(const struct migration_set *ms, size_t upto, const char *table,
		   const char *col, const char *newcol, struct col_deps *out);
void col_deps_release(struct col_deps *d);

/* Calls fn for every parsed statement of the up scripts before migration `upto`, in order. */
struct stmt;
void history_each_statement(const struct migration_set *ms, size_t upto,
			    void (*fn)(const struct stmt *st, void *data), void *data);

#endif
