/*
 * sqlgen_int.h - what the tool drivers (sqlgen_django.c, sqlgen_alembic.c,
 * sqlgen_knex.c) share with sqlgen.c: running a command within bounds, and
 * building the SQL with its map back to the migration file's lines.
 */
#ifndef SLUICE_SQLGEN_INT_H
#define SLUICE_SQLGEN_INT_H

#include "check.h"
#include "model.h"
#include "util.h"

struct sqlgen {
	struct check_run *run;
	const char *top;      /* what paths are relative to: the work tree ("x/"), or "" */
	int timeout_ms;       /* per command: sluice.toolTimeout seconds, default 120 */
	size_t max_bytes;     /* per command's output */
	struct strlist said;  /* tools already reported missing: said once */
};

/* The SQL a tool printed for one direction, and where each line came from. */
struct gen_sql {
	struct strbuf sql;
	int *map;             /* map[k]: file line of line k + 1 of sql */
	size_t nr, alloc;
	bool in_txn;          /* the tool runs it in one transaction (its BEGIN/COMMIT taken off) */
	char *command;        /* the command line, for messages */
};

void gen_sql_release(struct gen_sql *g);
/* Appends one line (without its newline) standing for file line `src`. */
void gen_add_line(struct gen_sql *g, const char *s, size_t n, int src);
/* Appends each line of text[0, n), all standing for file line `src`. */
void gen_add_text(struct gen_sql *g, const char *text, size_t n, int src);
/*
 * An outer BEGIN; ... COMMIT; around everything, and no other transaction
 * statement: taken off (lines kept, blank) and g->in_txn set. Output with a
 * COMMIT inside (Alembic's autocommit_block) is left as it is, judged as
 * the statements say.
 */
void gen_unwrap_txn(struct gen_sql *g);
/*
 * For tools that print no marker per operation: each statement's lines go
 * to the first call at or after the previous one, among `calls` (file lines
 * and the names they quote), that names a word of the statement; else to
 * the previous one's line (or `fallback`).
 */
struct call_line {
	int line;
	char *names;          /* the string literals of the call, space separated */
};
void gen_map_by_names(struct gen_sql *g, const struct call_line *calls, size_t n, int fallback);
/* The calls "<prefix>..." of a function body [from, to) of `text` (lines), with their quoted names. */
size_t find_calls(const char *text, size_t len, int from, int to, const char *const *prefixes,
		  struct call_line **out);
void call_lines_free(struct call_line *v, size_t n);
/* The line a "def NAME(" / "function NAME(" ... starts on, and the line its body ends before. */
int find_line(const char *text, size_t len, const char *needle, int from);

/* split_command(), and -1 with why when the setting leaves no words (turned off). */
int command_words(const char *cmdline, struct strlist *argv, struct strbuf *why);
/*
 * The same for the command of a tool that runs the project's own code
 * (manage.py, env.py, a knex migration): the repository is not trusted, so
 * such a command runs only when the user set `key` (their git config or
 * -c; a .sluice cannot). Unset: -1 with why naming the key and `example`.
 */
int tool_command(const char *cmdline, const char *key, const char *example,
		 struct strlist *argv, struct strbuf *why);
/* The words joined by spaces, for messages. */
char *command_text(const struct strlist *argv);
/* "a b 'c d'" -> argv words (single and double quotes group, backslash escapes). */
void split_command(const char *cmdline, struct strlist *argv);
/*
 * Runs argv in `dir` (NULL: here) within the bounds; its stdout into *out.
 * Messages show the command as `shown` (NULL: the words of argv).
 * 0 on exit status 0; else -1 and why: cannot run, its status and last
 * line of stderr, timed out, too much output.
 */
int sqlgen_command(struct sqlgen *g, const struct strlist *argv, const char *dir,
		   const char *shown, struct strbuf *out, struct strbuf *why);
/* The nearest directory from `dir` up to g->top holding `name`, or NULL. */
char *find_up(const struct sqlgen *g, const char *dir, const char *name);
/* Reports a missing tool once per run: true the first time. */
bool say_once(struct sqlgen *g, const char *tool);

/* The drivers: SQL for one direction of a migration; -1 with why. */
int django_sql(struct sqlgen *g, const struct migration *m, enum direction d,
	       const struct script *src, struct gen_sql *out, struct strbuf *why);
int alembic_sql(struct sqlgen *g, const struct migration *m, enum direction d,
		const struct script *src, struct gen_sql *out, struct strbuf *why);
int knex_sql(struct sqlgen *g, const struct migration *m, enum direction d,
	     const struct script *src, struct gen_sql *out, struct strbuf *why);
/* Alembic: the migrations of each versions directory in their revision chain's order. */
void alembic_order(struct migration_set *ms);

/* The SQL printed for the history's migrations, kept across runs (sqlgen_cache.c). */
struct sqlgen_cache {
	char *dir;            /* NULL: no home to keep it in */
	char key[65];         /* the current migration's, chained from the one before */
};
struct config;
void sqlgen_cache_open(struct sqlgen_cache *c);
void sqlgen_cache_close(struct sqlgen_cache *c);
/* Moves the key on to migration m (call for each history migration, in apply order). */
void sqlgen_cache_next(struct sqlgen_cache *c, const struct config *cfg, const struct migration *m,
		       const struct script *src);
bool sqlgen_cache_get(const struct sqlgen_cache *c, struct gen_sql *out);
void sqlgen_cache_put(const struct sqlgen_cache *c, const struct gen_sql *g);

#endif
