/*
 * db.h - sluice's connections to PostgreSQL (libpq).
 *
 * Two kinds of connection, and the difference matters:
 *
 *   live    a database people depend on. Opened with
 *           default_transaction_read_only=on and used only for catalogue
 *           queries: row counts, sizes, the server version, the migration
 *           framework's own table, the schema for drift.
 *   shadow  a scratch database sluice owns (core/db/shadow.c), where it runs
 *           migrations for real.
 *
 * A connection string may be a URI or key=value pairs; it comes from
 * --db, the sluice.db.url setting or DATABASE_URL. Its password is never
 * shown: every message names the database by db_mask()'s form, and any
 * message from the server or libpq has the password scrubbed out.
 *
 * This is the one header of core/db/ the rest of sluice includes; its
 * sections: connections, the shadow database, rows seeded there, verifying
 * a run on it (with the application's statements replayed), the database
 * stages of `sluice check`, and drift. What only core/db/ uses is in
 * db_catalog_int.h and shadow_trust_int.h.
 */
#ifndef SLUICE_DB_H
#define SLUICE_DB_H

#include <stdbool.h>
#include <stdio.h>
#include "app_sql.h"
#include "types.h"
#include "util.h"

struct pg_conn;
struct pg_result;
struct config;
struct schema;

/* The oldest server sluice talks to (server_version_num / 10000). */
#define DB_MIN_VERSION 10

/*
 * Bounds on every session, in seconds (db.c session_options()): a live
 * database is only read, and a lock held by someone else there is a reason
 * to give up soon; a shadow runs migrations, which may take a while.
 */
#define DB_LIVE_LOCK_TIMEOUT 5
#define DB_LIVE_STATEMENT_TIMEOUT 60
#define DB_SHADOW_LOCK_TIMEOUT 30
#define DB_SHADOW_STATEMENT_TIMEOUT 600
#define DB_CONNECT_TIMEOUT "5"

struct db {
	struct pg_conn *conn;
	char *display;         /* the connection string with the password masked */
	char *password;        /* to scrub from messages; NULL when none */
	int version;           /* server_version_num, e.g. 150004 */
	bool read_only;
	struct strbuf err;     /* the last error, already masked */
	char sqlstate[6];      /* of the last failed statement */
};

/*
 * Opens a connection; read_only makes every transaction read-only (live
 * databases). Returns NULL after storing a message in *err (masked), e.g.
 * "cannot connect to 'postgresql://app:***@db:5432/app': ..." or "server
 * ... is PostgreSQL 9.6; sluice needs 10 or later".
 */
struct db *db_open(const char *conninfo, bool read_only, struct strbuf *err);
/* The same, on another database of the same server (the shadow's scratch database). */
struct db *db_open_dbname(const char *conninfo, const char *dbname, bool read_only,
			  struct strbuf *err);
/* The same, as another user of that server (the shadow's scratch role). */
struct db *db_open_as(const char *conninfo, const char *dbname, const char *user,
		      const char *password, bool read_only, struct strbuf *err);
static inline struct db *db_open_live(const char *conninfo, struct strbuf *err)
{
	return db_open(conninfo, true, err);
}
void db_close(struct db *db);
/* The server process serving this connection (pg_locks.pid). */
int db_backend_pid(const struct db *db);

/* The connection string as it may be shown: the password replaced by "***". */
char *db_mask(const char *conninfo);
/*
 * The same by the text alone, for a string libpq may not parse (whose
 * error message would quote it): URI user info and password= values become
 * "***", as does any key=value token without '=' (core/db/db_mask.c).
 */
char *db_mask_text(const char *conninfo);
/* Replaces every occurrence of the connection's password in `sb` by "***". */
void db_scrub(const struct db *db, struct strbuf *sb);

/*
 * Which database to use: an explicit value (--db), then sluice.db.url, then
 * DATABASE_URL. NULL when none. `cfg` may be NULL.
 */
const char *db_url_from(const struct config *cfg, const char *explicit_url);

/*
 * Runs a statement; returns the result (free with db_free) or NULL after
 * storing the message in db->err. Parameters are text, may be NULL.
 */
struct pg_result *db_query(struct db *db, const char *sql, int nparams, const char *const *params);
/* Runs statements whose rows do not matter; 0 or -1 (message in db->err). */
int db_exec(struct db *db, const char *sql);
/*
 * Runs exactly one statement, through the extended protocol: text that
 * hides a second statement is refused by the server, not run. For text
 * sluice did not write (a migration on a shadow). 0 or -1.
 */
int db_exec_single(struct db *db, const char *sql);
void db_free(struct pg_result *res);
/* SQLSTATE of the last failed statement ("" when none). */
const char *db_sqlstate(const struct db *db);
/* A result cell ("" for NULL), row count. */
const char *db_value(struct pg_result *res, int row, int col);
bool db_isnull(struct pg_result *res, int row, int col);
int db_rows(struct pg_result *res);

/* Row counts and sizes of every user table into the schema model. */
int db_load_stats(struct db *db, struct schema *s);

/*
 * The migration framework's table, if the database has one, and the
 * versions it records as applied. Returns 1 when a table was found, 0 when
 * none, -1 on error. *table gets e.g. "goose_db_version" (owned).
 */
int db_applied_migrations(struct db *db, char **table, struct strlist *versions);

/*
 * How long a statement holds its lock on a table of this size, to an order
 * of magnitude (core/estimate.c: rows times a calibrated per-row cost).
 * -1 when the table's size is unknown or the statement takes no lock.
 */
struct stmt;
struct table_def;
double db_estimate_lock_seconds(const struct stmt *st, const struct table_def *t);

/* Adds "rows" and "estimated_lock_seconds" to the statements of a report's JSON tree. */
struct cJSON;
struct report;
void db_annotate_json(struct cJSON *root, const struct report *r, const struct schema *s);
/*
 * "orders has 80000000 rows (12.0 GB); SHARE held for ~250 s" for a
 * statement on a table with statistics in `s`; false when it has none.
 */
bool db_describe_stats(const struct stmt *st, const struct schema *s, struct strbuf *out);
/* The same as text: one line per statement on a table with statistics. */
void db_print_stats(FILE *out, const struct report *r, const struct schema *s, const char *from);

/* The framework tables sluice knows, NULL-terminated (drift ignores them). */
extern const char *const db_framework_tables[];

/* ---- the shadow database (shadow.c, shadow_cluster.c, shadow_reap.c) ---- */

/*
 * The shadow database: a scratch database where sluice runs migrations for
 * real, to see what they do.
 *
 * Given a server (--shadow URL), sluice creates a fresh database on it
 * (sluice_shadow_<pid>_<n>_<epoch>), works there and drops it at the end;
 * the URL's own database is never written to. What a killed run left there
 * is dropped by the next run (shadow_reap.c). Given no URL, sluice starts a
 * throwaway cluster of its own with initdb and pg_ctl in a temporary
 * directory, listening only on a unix socket there, and removes it at
 * the end (as root, the server runs as the `postgres` user: initdb refuses
 * root).
 *
 * Nothing that reaches beyond the scratch database is run (shadow_vet() in
 * shadow_trust.c decides from the parse tree; such a statement is "not run", with why),
 * and what is run runs as a role of its own: created per shadow, not a
 * superuser, owning only the scratch database, dropped at the end. When
 * the URL's user cannot create roles and is not a superuser itself, the
 * migrations run as that user, and sh->note says so; a superuser that
 * cannot hand them to a role of their own is refused.
 *
 * While applying a statement sluice can trace the locks it takes: a
 * statement that may run in a transaction runs inside one, and pg_locks is
 * read for the backend's own pid before COMMIT; one that may not
 * (CREATE INDEX CONCURRENTLY, ...) runs while a second connection holds
 * ACCESS EXCLUSIVE on the target table, so that the statement queues for
 * its lock there and pg_locks shows the mode it asks for.
 */


/* A cluster sluice started (shadow_cluster.c). */
struct pg_cluster {
	char *dir;           /* temporary directory: data/, the socket, logs */
	char *bindir;        /* where initdb and pg_ctl were found */
	char *conninfo;      /* how to reach it */
	unsigned uid, gid;   /* who runs it */
	bool as_other;       /* running as root: the server runs as uid */
	int postmaster;      /* its pid (a child of sluice's), 0 when not running */
};

/* Where initdb and postgres are: PATH, then /usr/lib/postgresql/<N>/bin. NULL when none. */
char *cluster_find_bindir(void);
int cluster_start(struct pg_cluster *c, struct strbuf *err);

/* Drops the scratch databases and roles that runs which never finished left on the server. */
void shadow_reap_leftovers(struct db *admin);
void cluster_stop(struct pg_cluster *c);

struct shadow {
	struct pg_cluster cluster;   /* when sluice started one */
	bool own_cluster;
	struct db *admin;            /* the server's maintenance database */
	struct db *db;               /* the scratch database */
	struct db *watch;            /* second connection, for lock tracing */
	char *dbname;
	char *display;               /* masked, for messages */
	char *url;                   /* the server's connection string */
	char *role;                  /* the migrations' role; NULL: the URL's own user */
	char *role_password;         /* random, for this run only */
	bool admin_super;            /* the URL's user is a superuser */
	char *note;                  /* why the migrations run as the URL's user, or NULL */
	struct strlist roles_not_created;  /* of CREATE ROLE statements not run */
	char *why;                   /* why shadow_run() did not run its statement */
	struct strlist not_run;      /* script statements not run: "path:line: why" */
};

/* What one statement was seen to lock. */
struct lock_trace {
	bool traced;                 /* a trace was taken */
	bool target_existed;         /* the statement's table existed before it ran */
	int target_mode;             /* strongest lock_mode on that table; -1 none */
	char *target_name;           /* the table it was seen on (for a statement
					without a table: the relation, of those that
					existed before, with the strongest lock) */
	char *locks;                 /* "users: ShareLock, users_email_idx: AccessExclusiveLock" */
	bool outside_txn;            /* it could not run in a transaction */
	char *not_run;               /* why it was not run (unverifiable), or NULL */
};

/* url NULL: start a cluster. -1 with the message in *err. */
int shadow_open(struct shadow *sh, const char *url, struct strbuf *err);
void shadow_close(struct shadow *sh);
/* Starts over on an empty scratch database. -1 with the message in *err. */
int shadow_reset(struct shadow *sh, struct strbuf *err);

/*
 * Runs one statement on the scratch database. With `trace` non-NULL,
 * records its locks; the target is `table`, or when NULL, whichever
 * existing relation it locks hardest. 0; 1 when it was not run because
 * it reaches beyond the scratch database (why in sh->why, and in
 * trace->not_run); or -1 with the server's message in sh->db->err.
 */
int shadow_run(struct shadow *sh, const char *sql, const char *table, struct lock_trace *trace);
void lock_trace_release(struct lock_trace *t);

/*
 * Runs a script's statements one by one, untraced; those that may not run
 * are skipped and listed in sh->not_run as "path:line: why". -1 with
 * *line and the message in sh->db->err.
 */
int shadow_run_script(struct shadow *sh, const char *path, const char *text, size_t len,
		      int first_line, int *line);

/* ---- rows for the shadow's tables (shadow_seed.c) ---- */

/*
 * Rows for the shadow's tables before the pending migrations run there.
 *
 * On empty tables a backfill loop never runs, a NOT NULL column without a
 * value "works", and a swap that loses the primary key passes. So once the
 * history is applied, every table it created gets `rows` rows generated
 * from its own schema: values by type (uuid, integers, text within its
 * length, dates, enums, json, ...), integer keys sparse (every 37th
 * value, as the int4-exhaustion case looks), foreign keys pointing at rows
 * of the parent (parents are seeded first; an org_id without a foreign key
 * yet takes the keys of orgs), defaults and identities used
 * where the column has one, and sequences moved past the keys. A table
 * whose CHECK or UNIQUE refuses the generated rows is tried again with its
 * nullable columns NULL, and left empty (named) when that fails too.
 */

struct seed_result {
	int tables;              /* tables with rows */
	int empty;               /* tables left empty */
	struct strbuf skipped;   /* "t (why), ..." */
};

/* Seeds the scratch database. 0, or -1 with the server's message in sh->db->err. */
int shadow_seed(struct shadow *sh, int rows, struct seed_result *out);
void seed_result_release(struct seed_result *r);

/* ---- verifying a run on the shadow (shadow_verify.c) ---- */

/*
 * Verifying a judged run on the shadow database: apply the history, then each
 * pending migration up with its locks traced, then down, and check that the
 * schema after down is the schema before up.
 *
 * What it finds lands in the run's report as ordinary findings (rules
 * lock-mismatch, down-mismatch, shadow-apply-error, shadow-unverifiable in
 * core/rules/rules_db.c), so
 * every format, --fail-on and the exit code work as for static judging;
 * the traces themselves are printed beside the report.
 */

struct check_run;

/*
 * RT_PARTIAL: what ran came back as it was, but some statements were not
 * run (shadow-unverifiable): never reported as "ok".
 */
enum round_trip { RT_NONE, RT_OK, RT_DIFFERS, RT_NO_DOWN, RT_FAILED, RT_PARTIAL, RT__COUNT };

struct verify_file {
	struct lock_trace *traces;   /* one per statement of the report's file */
	size_t nr;
	enum round_trip rt;          /* set on the up file */
	size_t differences;
	size_t not_run;              /* statements of up or down not run (unverifiable) */
};

struct verify_run {
	struct verify_file *files;   /* parallel to run->report.files */
	size_t nr;
	double seconds;              /* applying and comparing, cluster start-up excluded */
	char *server;                /* where, masked */
	int version;                 /* server_version_num */
	char *error;                 /* why verification stopped early, or NULL */
	char *note;                  /* who the migrations ran as, when not a role of their own */
	struct strlist not_run;      /* history statements not run: "path:line: why" */
	struct seed_result seed;     /* rows given to the history's tables (shadow_seed()) */
	bool seeded;
	struct app_sql app;          /* the application's statements replayed (app_sql.h) */
	size_t app_failed;           /* of them, failures after a migration */
	char *app_error;             /* why the application code could not be read, or NULL */
};

/* 0 when every pending migration was verified; -1 when it stopped (v->error). */
int shadow_verify(struct shadow *sh, struct check_run *run, struct verify_run *v);
void verify_run_release(struct verify_run *v);

/*
 * The static prediction (st->lock) against a trace: a lock-mismatch
 * finding when they differ (HIGH when the real lock is stronger).
 */
struct file_report;
void verify_compare_lock(struct file_report *fr, struct stmt *st, const struct lock_trace *t);

const char *round_trip_name(enum round_trip rt);
void verify_print_text(FILE *out, const struct check_run *run, const struct verify_run *v);
/* Adds "shadow" to the report's JSON tree, and traces to its statements. */
void verify_add_json(struct cJSON *root, const struct check_run *run, const struct verify_run *v);

/*
 * The application's statements on the shadow (shadow_replay.c; the
 * statements themselves: app_sql.h). After the history, before any
 * pending migration: which statements run (s->ran, s->why).
 */
void app_sql_baseline(struct shadow *sh, struct app_sql *a);
/*
 * After a pending migration's up: every statement naming one of `tables`
 * runs again. One that ran before and fails now is an app-statement-fails
 * finding on `fr`, unless its "path:line" is in `deploy_first` (the
 * migration says that code deploys before it: s->expected). Returns how
 * many failed.
 */
size_t app_sql_replay(struct shadow *sh, struct app_sql *a, const struct strlist *tables,
		      const struct strlist *deploy_first, struct file_report *fr);
/* How many ran at some point (those are the ones the replay judges). */
size_t app_sql_replayed(const struct app_sql *a);

/* ---- the database stages of the judging pipeline (db_check.c) ---- */

/*
 * The stages a database adds to the judging pipeline (core/check.h): statistics
 * from a live database before the rules (so severities scale with table size),
 * and verification on a shadow database after them (traced locks, the up/down
 * round trip), whose findings then go through the same ignores and severity as
 * every other. A run without a database never connects anywhere.  */


struct db_check {
	struct db *live;           /* NULL: no database, or it was unreachable */
	bool verify;               /* run the pending migrations on a shadow */
	const char *shadow_url;    /* NULL: a throwaway cluster */
	struct verify_run v;
	bool verified;
	double open_seconds;       /* opening the shadow (or starting a cluster) */
	bool own_cluster;          /* a throwaway cluster sluice started */
	char *error;               /* "no shadow database: ..." when it could not open one */
};

/*
 * check_judge() calls these. Before the rules: connects read-only to `url`
 * (may be NULL: no database) and loads its statistics into run->schema. An
 * unreachable database is a warning, not an error: judging goes on
 * statically.
 */
void db_check_before(struct db_check *dc, struct check_run *run, const char *url);
/* After the rules, before the ignores: the shadow verification when asked. -1: dc->error. */
int db_check_after(struct db_check *dc, struct check_run *run);
/* Prints json or text with the database's additions; false for other formats (print as usual). */
bool db_check_print(const struct db_check *dc, const struct check_run *run, const char *format,
		    FILE *out, bool color);
void db_check_release(struct db_check *dc);

/* ---- drift (drift.c) ---- */

/*
 * Does the live database have the schema its migration history says it should?
 *
 * The expected schema is built for real: the history's up scripts run on
 * the shadow database (those the framework's table records as applied,
 * or all of them when there is no such table). The live schema is read
 * through a read-only connection. Both are compared as catalogue objects
 * (db_catalog_int.h), so column order, comments and formatting do not count.
 * Each difference is classified:
 *
 *   database-only    in the database but not in the repository's history
 *                    (a hand-made change; a changed definition counts here,
 *                    with both definitions shown)
 *   repository-only  in the history but missing from the database
 *   version-skew     the framework's table and the repository disagree on
 *                    which migrations exist or are applied
 */

struct migration_set;

enum drift_kind { DRIFT_DB_ONLY, DRIFT_REPO_ONLY, DRIFT_SKEW };

struct drift_item {
	enum drift_kind kind;
	char *object_kind;      /* "index", "column", ..., "migration" */
	char *object;           /* its name, or the migration version */
	char *detail;
};

struct drift {
	struct drift_item *v;
	size_t nr, alloc;
	char *database;         /* masked */
	char *table;            /* the framework's table, or NULL */
	size_t migrations, applied;  /* in the repository; of those, applied per the table */
	struct strlist not_run;      /* history statements the shadow did not run: "path:line: why" */
};

void drift_init(struct drift *d);
void drift_release(struct drift *d);
const char *drift_kind_name(enum drift_kind k);

/* 0, or -1 with the message in *err. */
int drift_compute(struct db *live, struct shadow *sh, const struct migration_set *ms,
		  struct drift *d, struct strbuf *err);

/* The version a migration's id carries ("000003_add" -> "3", "V1_2__x" -> "1.2"). */
char *migration_version(const char *id, bool flyway);

void drift_print_text(FILE *out, const struct drift *d);
void drift_print_json(FILE *out, const struct drift *d);
/* The body of an issue for a scheduled check, with stable fingerprints. */
void drift_print_markdown(FILE *out, const struct drift *d);

#endif
