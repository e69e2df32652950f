/*
 * draft_int.h - what the draft files share among themselves (not a public
 * contract): SQL slicing, the repository's migration layout, and "units",
 * the migrations a split draft is made of.
 */
#ifndef SLUICE_DRAFT_INT_H
#define SLUICE_DRAFT_INT_H

#include "draft.h"
#include "tree.h"

/*
 * draft_run.c: the draft's SQL files discovered as if they were in the
 * repository (all pending), marked to run outside a transaction where the
 * draft wrote the framework's marker.
 */
void draft_discover(const struct draft *d, struct migration_set *drafted);

/* runbook_steps.c: the runbook's steps, from the split that will ship */
struct layout;
void runbook_steps(struct strbuf *sb, const struct draft_ctx *ctx, const struct layout *l,
		   const struct draft *split);

/* draft_sql.c */
char *sql_ident(const char *ident);
char *sql_qualified(const char *dotted);
size_t sql_clause_end(const char *sql, size_t from, size_t limit, const char *const *stops);
char *sql_slice(const char *sql, size_t from, size_t to);
size_t sql_find_word(const char *sql, size_t from, const char *word);
char *sql_make_name(const char *a, const char *b, const char *suffix);

/*
 * How a repository names and marks its migrations (draft_layout.c), read
 * from the migration being drafted and the numbers of all the others.
 */
struct layout {
	enum framework fw;
	char *dir;                 /* directory of the migration, with '/' (or "") */
	char *stem;                /* the target's own file stem, e.g. "000005_add_status" */
	int width;                 /* digits of the number */
	bool dashed;               /* diesel's 2024-01-02-030405 */
	unsigned long long max;    /* highest number in the directory */
	bool single_file;          /* goose, dbmate: up and down in one file */
};

void layout_detect(const struct migration_set *ms, size_t target, struct layout *l);
void layout_release(struct layout *l);

/* The line on a drop step naming the backup to take first (runbooks read it). */
#define DRAFT_BACKUP_MARK "-- sluice: backup first:"
/* The line on a step naming the data check to run first (runbooks read it). */
#define DRAFT_CHECK_MARK "-- sluice: check first:"

/* One migration of a split draft. */
struct unit {
	struct strlist ups;        /* statements, without the ';' */
	struct strlist downs;      /* down statements, in up order (written reversed) */
	bool no_txn;               /* must run outside a transaction */
	bool locks;                /* takes a lock on an existing table: lock_timeout preamble */
	char *name;                /* slug for the file name */
	char *purpose;
	const char *phase;         /* "expand", "migrate", "contract" */
	char *deploy_first;        /* "a.go:3, b.py:7": code that must deploy before this step
				      (its statements fail from here on), or NULL */
	char *backup_first;        /* the command that backs up what this step destroys, or NULL */
	char *check_first;         /* a one-line query whose NOTICE must report 0 before this
				      step (values a conversion refuses), or NULL */
	char *down_first;          /* what must be done before this step's down runs (a
				      backup loaded), or NULL: a comment atop the down */
};

/*
 * Adds the unit's files to the draft: number 0 is the target migration
 * itself (its files are rewritten), k > 0 the k-th new migration.
 */
void layout_emit(const struct layout *l, unsigned k, const struct unit *u, struct draft *d);
/* Rewrites the target migration's own files with unit 0. */
void layout_emit_target(const struct layout *l, const struct migration *m, const struct unit *u,
			struct draft *d);
/* File path(s) of the down script for the target, per layout. */
char *layout_down_path(const struct layout *l, const struct migration *m);
/* The framework's marker line for "no transaction" (NULL: none, or a side file). */
const char *layout_no_txn_marker(enum framework fw);

/* draft_down.c: the reverse of one parsed statement, appended to `downs`. */
enum reversal { REV_OK, REV_NOOP, REV_LOSSY, REV_UNKNOWN };
enum reversal reverse_statement(const struct stmt *st, const struct schema *before,
				struct strlist *downs, struct strbuf *loss);
/*
 * draft_down_history.c: the reverse of a DROP TABLE, DROP INDEX or DROP
 * COLUMN from the history's own definitions; REV_UNKNOWN when it is none
 * of those or the history does not show it (use reverse_statement then).
 */
enum reversal reverse_from_history(const struct stmt *st, const struct migration_set *ms,
				   size_t upto, struct strlist *downs);
/* reverse_from_history(), else reverse_statement(); the data-loss wording either way. */
enum reversal reverse_with_history(const struct stmt *st, const struct schema *before,
				   const struct migration_set *ms, size_t upto, struct strlist *downs,
				   struct strbuf *loss);

#endif
