/*
 * rails_int.h - Rails (ActiveRecord) migrations, read without Ruby.
 *
 * A `db/migrate/<version>_<name>.rb` file is Ruby. sluice never runs it:
 *
 *   rails_lex.c   tokens (strings, heredocs, symbols, labels, comments),
 *                 then the file as a tree of calls (`create_table :users do
 *                 |t| ... end`), each with its line
 *   rails_dsl.c   the translation table: one row per migration call, the
 *                 SQL ActiveRecord 6.1 / 7.x sends to PostgreSQL for it and
 *                 how a `change` method reverses it
 *   rails_sql.c   what the rows share: column types, quoting, the names
 *                 ActiveRecord gives indexes and constraints (SHA-256 for
 *                 fk_rails_*), singular table names
 *   rails.c       one file -> its up and down scripts: SQL text whose every
 *                 line maps back to a Ruby line (struct script_origin), so
 *                 findings point at the Ruby; db/schema.rb and
 *                 db/structure.sql as history (discover_add_dump)
 *
 * A call the table cannot translate stays in the script as a statement of
 * its own that is not judged (rule rails-untranslated), never skipped.
 */
#ifndef SLUICE_RAILS_INT_H
#define SLUICE_RAILS_INT_H

#include <stdbool.h>
#include <stddef.h>
#include "model.h"
#include "util.h"

/* --- the file as calls (rails_lex.c) ------------------------------------ */

enum rv_kind {
	RV_NONE, RV_NIL, RV_TRUE, RV_FALSE, RV_SYM, RV_STR, RV_NUM, RV_ARRAY, RV_HASH,
	RV_LAMBDA, /* -> { "now()" }: s is the SQL string it returns */
	RV_OTHER,  /* anything else: a variable, an expression; s is its source */
};

struct rvalue {
	enum rv_kind kind;
	char *s;             /* symbol, string, number, lambda's string, source */
	int line;            /* where a string's text starts (a heredoc: its body) */
	bool interp;         /* a string with #{...}: its text is not known */
	struct rvalue *items; /* array items, hash values */
	char **keys;         /* hash keys (labels, symbols, strings) */
	size_t nr;
};

struct rcall {
	char *recv;          /* "t" in t.string, "dir" in dir.up; NULL */
	char *name;          /* the method, "def" for a method definition, "class" */
	int line, end_line;
	struct rvalue args;  /* RV_ARRAY of the positional arguments */
	struct rvalue kw;    /* RV_HASH of the keyword arguments */
	bool block;          /* has a do ... end or { } block */
	char *param;         /* the block's |param| */
	struct rcall *body;  /* the block's (or method's) calls */
	size_t nr_body, alloc_body;
	char *source;        /* the call's first line, trimmed, for reports */
	char *bad;           /* why it cannot be read as a call (a condition, a loop, ...) */
	struct strlist comments; /* "# ..." lines right before it: "LINE\ttext" */
};

struct rfile {
	struct rcall top;    /* the file's calls (classes, their methods) */
	char *error;         /* "line N: unterminated string" ...; what came before is kept */
	int error_line;
	int ar_version;      /* ActiveRecord::Migration[6.1] -> 601; 0: none given */
};

int rails_read(const char *text, size_t len, struct rfile *out);
void rails_file_release(struct rfile *f);
void rails_call_release(struct rcall *c);

/* Keyword argument `key` of a call, or NULL. */
const struct rvalue *rcall_kw(const struct rcall *c, const char *key);
/* Positional argument i, or NULL. */
const struct rvalue *rcall_arg(const struct rcall *c, size_t i);
/* A symbol or string's text (a name), or NULL for anything else. */
const char *rv_name(const struct rvalue *v);
/* true/false of a value; `dflt` when absent or not a literal boolean. */
bool rv_bool(const struct rvalue *v, bool dflt);

/* --- statements out (rails_dsl.c, rails.c) ------------------------------- */

/* One statement ActiveRecord sends, or a call it could not translate. */
struct remit {
	int line;            /* the Ruby line */
	bool follows;        /* the SQL's text lines are the Ruby lines from `line` on (a heredoc) */
	char *sql;           /* NULL when untranslated */
	char *why;           /* untranslated: why, with the call */
	char *source;        /* untranslated: the call's source */
	struct strlist comments; /* "-- ..." lines to put before it (ignores) */
};

struct remits {
	struct remit *v;
	size_t nr, alloc;
};

void remit_release(struct remit *r);
void remits_release(struct remits *e);
struct remit *remit_sql(struct remits *e, int line, char *sql);
struct remit *remit_untranslated(struct remits *e, const struct rcall *c, const char *fmt, ...)
	ATTR_PRINTF(3, 4);

/*
 * The indexes the migrations read so far made, as ActiveRecord would find
 * them in the database (its `indexes(table)`, the primary key's left out):
 * rename_column and rename_table rename those whose name is the one
 * ActiveRecord derives (index_<table>_on_<columns>), as its
 * rename_column_indexes / rename_table_indexes do. An index made by an
 * `execute` is not known. Kept in migration order by discovery
 * (struct markers), which reads db/migrate/ in file name order.
 */
struct rindex {
	char *table, *name;
	struct strlist cols;  /* empty: an expression, never renamed */
};
struct rindexes {
	struct rindex *v;
	size_t nr, alloc;
};
void rindexes_release(struct rindexes *ix);
void rindexes_copy(struct rindexes *to, const struct rindexes *from);
/* What a call did to them (each does nothing when `ix` is NULL): */
void rindex_made(struct rindexes *ix, const char *table, const char *name, const struct rvalue *cols,
		 bool expression);
void rindex_dropped(struct rindexes *ix, const char *name);
void rindex_table_dropped(struct rindexes *ix, const char *table);
void rindex_column_dropped(struct rindexes *ix, const char *table, const char *col);
/* The ALTER INDEX statements ActiveRecord sends after renaming, at c's line, into `out`. */
void rindex_rename_column(struct rindexes *ix, const char *table, const char *from, const char *to,
			  const struct rcall *c, struct remits *out);
void rindex_rename_table(struct rindexes *ix, const char *from, const char *to, const struct rcall *c,
			 struct remits *out);

/* How a migration's calls become SQL: options and the table it is on. */
struct rctx {
	int ar_version;      /* 0: current */
	const char *table;   /* inside create_table / change_table */
	bool down;           /* translating a change's derived down */
	bool dump;           /* db/schema.rb: the history it stands for is not replayed, so
				force: :cascade has nothing to drop */
	struct rindexes *known; /* the indexes there are, updated as calls make and drop
				   them; NULL: not known (no index renamed) */
};

/*
 * Translates one call (not def/class) into `out`: up, or in `ctx->down`,
 * the reverse a `change` method gets. Returns false when no row knows it.
 */
bool rails_dsl_translate(const struct rctx *ctx, const struct rcall *c, struct remits *out);

/* --- SQL helpers (rails_sql.c) ------------------------------------------ */

char *rsql_ident(const char *name);        /* "users", "public"."users" */
char *rsql_literal(const struct rvalue *v);  /* 'it''s', 1, TRUE, NULL; NULL: not a literal */
/* The SQL type of t.<type> / add_column's type with its options; NULL when unknown. */
char *rsql_type(const char *type, const struct rcall *c, int ar_version);
bool rsql_native_type(const char *type);  /* t.<type> ActiveRecord knows */
char *rsql_index_name(const char *table, const struct rvalue *columns);
char *rsql_fk_name(const char *table, const char *column);
char *rsql_check_name(const char *table, const char *expr);
char *rsql_singular(const char *plural);
char *rsql_plural(const char *singular);
void rsql_sha256_hex(const char *data, size_t len, char out[65]);

/* --- the migration (rails.c) -------------------------------------------- */

/*
 * A Rails migration file as the scripts sluice judges: up and down (down
 * NULL when the file has none, e.g. an `up` without `down`), both in a
 * transaction unless disable_ddl_transaction!.
 */
struct rails_migration {
	struct script *up, *down;
	bool in_txn;
};

/*
 * `known` (NULL: none): the indexes the migrations before this one made; its
 * up's are added (its down is read from a copy).
 */
void rails_translate(const char *path, const char *text, size_t len, struct rindexes *known,
		     struct rails_migration *out);
/*
 * db/schema.rb (translated; force: :cascade drops nothing, as the history
 * before it is not replayed) or db/structure.sql (SQL as pg_dump wrote it) as one script
 * of history, and the version it records in *version (schema.rb's
 * define(version:), structure.sql's latest schema_migrations row). NULL
 * when it records none.
 */
struct script *rails_dump_script(const char *path, const char *text, size_t len, char **version);

#endif
