/*
 * discover_int.h - what the parts of discovery share and nobody else needs:
 * the layout classifier (discover_layout.c), the marker files that decide a
 * layout (atlas.sum, sqitch.plan, ...), and the per-migration sort and
 * pairing data discover.c keeps beside migration_set.v.
 *
 * A layout is decided from a file's path, its text and a few marker files
 * near it, never from the file alone: a `20240101_x.sql` is Atlas beside an
 * atlas.sum, sqlx beside a Cargo.toml, plain otherwise.
 */
#ifndef SLUICE_DISCOVER_INT_H
#define SLUICE_DISCOVER_INT_H

#include <stdbool.h>
#include <stddef.h>
#include "discover.h"

/* Files over this size are refused with a message, not read. */
#define MAX_MIGRATION_BYTES ((size_t)64 << 20)
/* A file of `size` bytes is over MAX_MIGRATION_BYTES: says so in ms->errors (the one wording). */
void discover_refuse_size(struct migration_set *ms, const char *path, unsigned long long size);

/*
 * Marker files, by path (the same kind of path as the migrations: repo-
 * relative in a repository, as given on the command line otherwise). Only
 * the text of those whose content matters is kept (sqitch.plan, diesel's
 * metadata.toml, Flyway's per-script .conf).
 */
struct markers {
	struct strlist paths, texts;
	/* Not a marker file, but also what files read so far tell the next:
	 * the indexes the Rails migrations before made (core/discover/rails_int.h),
	 * which a later rename_column or rename_table renames. */
	struct rindexes *rails_indexes;
};

/* A name discovery reads as SQL: .sql, and Synapse's .sql.postgres / .sql.sqlite. */
bool layout_sql_name(const char *path);
/* A Rails migration: db/migrate/<version>_<name>.rb (core/discover/rails.c reads it). */
bool layout_rails_name(const char *path);
/*
 * A Rails schema dump, db/schema.rb or db/structure.sql (db/<name>_schema.rb
 * for a second database): the directory of the migrations it stands for,
 * malloc'd, or NULL when `path` is not one.
 */
char *layout_rails_dump(const char *path);
/*
 * The dump (core/discover/rails.c's script) stands for the migrations of `root` up
 * to `version`: those not pending leave the history and the dump is
 * replayed in their place, in apply order. Takes `up`.
 */
void discover_add_dump(struct migration_set *ms, const char *root, const char *version,
		       struct script *up);
/* True for a file name that is a marker: worth reading as such. */
bool layout_is_marker(const char *path);
/* True when the marker's text matters (else only its existence does). */
bool layout_marker_wants_text(const char *path);
void markers_add(struct markers *mk, const char *path, const char *text, size_t len);
void markers_clear(struct markers *mk);
/* The text of marker `name` in directory `dir` (n bytes of it), or NULL. */
const char *marker_in(const struct markers *mk, const char *dir, size_t n, const char *name);

/* One section of a file that becomes a script. */
struct layout_part {
	enum direction dir;
	size_t off, len;     /* bytes of the file's text */
	int first_line;      /* line of `off` in the file */
	bool in_txn;
	bool implicit_txn;   /* in_txn as one multi-statement query (golang-migrate) */
	int mixed_line;      /* Flyway: first statement it runs outside a transaction in a
				file that also has transactional ones; 0: not mixed */
	bool mixed_refused;  /* ... and Flyway refuses the file (flyway.mixed is false) */
	bool breakpoints;    /* Drizzle: "--> statement-breakpoint" ends a query */
	struct script *script; /* already made (a Rails migration's SQL): taken as it is */
};

/* What the classifier makes of one file. */
struct layout_file {
	enum framework fw;
	char *root;          /* the migration directory it belongs to */
	char *version;       /* sort key: version, timestamp, sqitch change */
	char *name;          /* description */
	int rank;            /* 0 versioned, 1 repeatable (Flyway R__ run last) */
	long plan_pos;       /* sqitch: the change's line in sqitch.plan; else 0 */
	struct layout_part part[2];
	int nr_parts;
};

enum layout_verdict {
	LAYOUT_MIGRATION,
	LAYOUT_NOT_MIGRATION, /* outside migration directories, a verify script */
	LAYOUT_OTHER_DIALECT, /* x.mysql.up.sql, migrations/sqlite/... */
};

/*
 * By path alone: could this be a migration? Repository discovery reads only
 * the blobs this accepts. `skip` bytes of the path (a directory named on
 * the command line) are not searched for excluded names such as fixtures/.
 */
enum layout_verdict layout_candidate(const struct markers *mk, const char *path, size_t skip,
				     bool forced);
/*
 * Classifies a candidate from its path and text; fills `out` (release
 * with layout_file_release). `forced`: the file was named, or sits in a
 * directory named, on the command line, so it counts wherever it is.
 * A Rails migration adds the indexes it makes to mk->rails_indexes.
 */
enum layout_verdict layout_classify(struct markers *mk, const char *path, size_t skip,
				    bool forced, const char *text, size_t len,
				    struct layout_file *out);
void layout_file_release(struct layout_file *lf);

/* Compares versions with digit runs as numbers: "2" < "10", "1.9" < "1.10". */
int version_cmp(const char *a, const char *b);

/* The layouts sluice looks for, for "no migrations found" messages. */
extern const char layout_names[];

/* discover.c: the state kept beside migration_set. */
struct discover_priv;
struct markers *discover_markers(struct migration_set *ms);
/* Like discover_add_file(), with the command-line context of layout_classify. */
int discover_add(struct migration_set *ms, const char *path, size_t skip, bool forced,
		 const char *text, size_t len, bool from_worktree);
/* Refuses binary and oversized text with a message in ms->errors. */
bool discover_text_ok(struct migration_set *ms, const char *path, const char *text, size_t len);
void discover_add_dir(struct migration_set *ms, const char *dir);
/* Adds a classified file as one migration (its parts as scripts); takes lf's strings. */
struct migration *discover_add_classified(struct migration_set *ms, const char *path,
					  const char *text, bool from_worktree, bool forced,
					  struct layout_file *lf);

/* discover_liquibase.c: "--liquibase formatted sql" on the first line? */
bool liquibase_formatted(const char *text, size_t len);
/* Adds each changeset of the file as a migration of its own (version stem#NNNNN). */
int liquibase_add(struct migration_set *ms, const char *path, const char *root, const char *stem,
		  bool forced, const char *text, size_t len, bool from_worktree);

/* discover_drizzle.c: a .sql file of a Drizzle migrations folder (dir_len: its directory)? */
enum layout_verdict drizzle_candidate(const struct markers *mk, const char *path, size_t dir_len);
/* Fills lf for a Drizzle migration; false when it is not one. */
bool drizzle_classify(const struct markers *mk, const char *path, size_t dir_len, size_t len,
		      struct layout_file *lf);
/* Each "--> statement-breakpoint" becomes a ';' and blanks, in place. */
void drizzle_breakpoints(char *text, size_t len);

/* discover_tool.c: a name a tool's migration (Django, Alembic, knex, sluice.sqlFrom) may have. */
bool layout_tool_name(const char *path);
/* By path alone: could it be such a migration? */
bool tool_candidate(const char *path, size_t skip, bool forced);
/* Adds it when it is one: 0; 1 when not; -1 on error (ms->errors). */
int discover_tool_file(struct migration_set *ms, const char *path, size_t skip, bool forced,
		       const char *text, size_t len, bool from_worktree);

/* Reads a file from disk, refusing oversized ones by size; messages say `name`. */
int discover_read_disk(struct migration_set *ms, const char *path, const char *name,
		       struct strbuf *sb);

#endif
