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
 */
#ifndef SLUICE_DB_H
#define SLUICE_DB_H

#include <stdbool.h>
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

#endif
