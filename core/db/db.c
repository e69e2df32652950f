/*
 * db.c - opening connections, masking passwords, running catalogue queries
 * (see db.h).
 *
 * A live connection is read-only twice over: it is opened with
 * options=-c default_transaction_read_only=on, so a stray write fails in
 * the server ("cannot execute CREATE TABLE in a read-only transaction"),
 * and sluice only sends catalogue SELECTs through it anyway. Every session
 * has a lock_timeout and a statement_timeout (session_options()) and a
 * connect_timeout: sluice never hangs on a database.
 */
#include "db.h"
#include "schema.h"
#include "settings.h"
#include "stats.h"

#include <cjson/cJSON.h>
#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>

const char *const db_framework_tables[] = {
	"schema_migrations", "goose_db_version", "flyway_schema_history",
	"__diesel_schema_migrations", "_sqlx_migrations", "_prisma_migrations",
	"atlas_schema_revisions", NULL,
};

/* Swallows libpq's notices (e.g. "relation already exists, skipping"). */
static void quiet_notice(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

char *db_mask(const char *conninfo)
{
	char *perr = NULL;
	PQconninfoOption *opts = PQconninfoParse(conninfo, &perr);
	struct strbuf sb = STRBUF_INIT;
	if (!opts) {
		/* Unparseable: masked by its text, never as libpq saw it. */
		PQfreemem(perr);
		return db_mask_text(conninfo);
	}
	const char *host = NULL, *port = NULL, *user = NULL, *dbname = NULL, *pw = NULL;
	for (PQconninfoOption *o = opts; o->keyword; o++) {
		if (!o->val)
			continue;
		if (!strcmp(o->keyword, "host") || (!strcmp(o->keyword, "hostaddr") && !host))
			host = o->val;
		else if (!strcmp(o->keyword, "port"))
			port = o->val;
		else if (!strcmp(o->keyword, "user"))
			user = o->val;
		else if (!strcmp(o->keyword, "dbname"))
			dbname = o->val;
		else if (!strcmp(o->keyword, "password"))
			pw = o->val;
	}
	strbuf_addstr(&sb, "postgresql://");
	if (user || pw) {
		strbuf_addstr(&sb, nonnull(user));
		if (pw)
			strbuf_addstr(&sb, ":***");
		strbuf_addch(&sb, '@');
	}
	strbuf_addstr(&sb, host && host[0] != '/' ? host : host ? "[socket]" : "localhost");
	if (port)
		strbuf_addf(&sb, ":%s", port);
	if (dbname)
		strbuf_addf(&sb, "/%s", dbname);
	PQconninfoFree(opts);
	return strbuf_detach(&sb, NULL);
}

static char *password_of(const char *conninfo)
{
	PQconninfoOption *opts = PQconninfoParse(conninfo, NULL);
	char *pw = NULL;
	for (PQconninfoOption *o = opts; o && o->keyword; o++)
		if (!strcmp(o->keyword, "password") && o->val && *o->val)
			pw = xstrdup(o->val);
	PQconninfoFree(opts);
	return pw;
}

static void scrub(const char *pw, struct strbuf *sb)
{
	if (!pw || !*pw)
		return;
	size_t n = strlen(pw);
	char *p;
	while ((p = strstr(sb->buf, pw))) {
		size_t at = (size_t)(p - sb->buf);
		struct strbuf out = STRBUF_INIT;
		strbuf_add(&out, sb->buf, at);
		strbuf_addstr(&out, "***");
		strbuf_addstr(&out, sb->buf + at + n);
		strbuf_release(sb);
		*sb = out;
	}
}

void db_scrub(const struct db *db, struct strbuf *sb)
{
	scrub(db->password, sb);
}

/* libpq's message, one line, without its trailing newline, password scrubbed. */
static void set_error(struct strbuf *err, const char *pw, const char *prefix, const char *msg)
{
	strbuf_reset(err);
	strbuf_addstr(err, prefix);
	strbuf_addstr(err, msg);
	strbuf_trim(err);
	/* One line: libpq's hints come after a newline and a tab. */
	size_t j = 0;
	for (size_t i = 0; i < err->len; i++) {
		char c = err->buf[i] == '\n' || err->buf[i] == '\t' ? ' ' : err->buf[i];
		if (c == ' ' && j && err->buf[j - 1] == ' ' && (err->buf[i] == '\n' || err->buf[i] == '\t'))
			continue;
		err->buf[j++] = c;
	}
	err->buf[j] = '\0';
	err->len = j;
	scrub(pw, err);
}

const char *db_url_from(const struct config *cfg, const char *explicit_url)
{
	const char *v;
	if (explicit_url && *explicit_url)
		return explicit_url;
	if (cfg && (v = config_get(cfg, "sluice.db.url")) && *v)
		return v;
	if ((v = getenv("DATABASE_URL")) && *v)
		return v;
	return NULL;
}

/* The user's own `options`, so that ours can be added to them. */
static char *user_options(const char *conninfo)
{
	PQconninfoOption *opts = PQconninfoParse(conninfo, NULL);
	char *v = NULL;
	for (PQconninfoOption *o = opts; o && o->keyword; o++)
		if (!strcmp(o->keyword, "options") && o->val && *o->val)
			v = xstrdup(o->val);
	PQconninfoFree(opts);
	return v;
}

/*
 * Every session sluice opens has bounds, so that nothing waits forever
 * behind someone else's lock: a live database's catalogue queries give up
 * on a lock after DB_LIVE_LOCK_TIMEOUT (the statistics query needs ACCESS
 * SHARE on every table, and one ALTER TABLE elsewhere holding ACCESS
 * EXCLUSIVE would otherwise block it indefinitely), a shadow's statements
 * after DB_SHADOW_*. The user's own -c options come after ours and win;
 * read-only comes last, where nothing can override it.
 */
static char *session_options(const char *theirs, bool read_only)
{
	struct strbuf sb = STRBUF_INIT;
	if (read_only)
		strbuf_addf(&sb, "-c lock_timeout=%ds -c statement_timeout=%ds", DB_LIVE_LOCK_TIMEOUT,
			    DB_LIVE_STATEMENT_TIMEOUT);
	else
		strbuf_addf(&sb, "-c lock_timeout=%ds -c statement_timeout=%ds", DB_SHADOW_LOCK_TIMEOUT,
			    DB_SHADOW_STATEMENT_TIMEOUT);
	if (theirs)
		strbuf_addf(&sb, " %s", theirs);
	if (read_only)
		strbuf_addstr(&sb, " -c default_transaction_read_only=on");
	return strbuf_detach(&sb, NULL);
}

/* "canceling statement due to lock timeout" says what, not whose: add the bound. */
static void explain_timeout(struct db *db)
{
	if (!strcmp(db->sqlstate, "55P03"))
		strbuf_addf(&db->err, " (sluice waits at most %d s for a lock)",
			    db->read_only ? DB_LIVE_LOCK_TIMEOUT : DB_SHADOW_LOCK_TIMEOUT);
	else if (!strcmp(db->sqlstate, "57014"))
		strbuf_addf(&db->err, " (sluice lets a statement run at most %d s)",
			    db->read_only ? DB_LIVE_STATEMENT_TIMEOUT : DB_SHADOW_STATEMENT_TIMEOUT);
}

struct db *db_open(const char *conninfo, bool read_only, struct strbuf *err)
{
	return db_open_dbname(conninfo, NULL, read_only, err);
}

int db_backend_pid(const struct db *db)
{
	return PQbackendPID(db->conn);
}

/* db_mask() of the string with another database name. */
static char *mask_with_dbname(const char *conninfo, const char *dbname)
{
	char *shown = db_mask(conninfo);
	if (!dbname)
		return shown;
	char *slash = strchr(shown + strlen("postgresql://"), '/');
	if (slash)
		*slash = '\0';
	char *both = xstrfmt("%s/%s", shown, dbname);
	free(shown);
	return both;
}

struct db *db_open_dbname(const char *conninfo, const char *dbname, bool read_only,
			  struct strbuf *err)
{
	return db_open_as(conninfo, dbname, NULL, NULL, read_only, err);
}

struct db *db_open_as(const char *conninfo, const char *dbname, const char *user,
		      const char *password, bool read_only, struct strbuf *err)
{
	char *perr = NULL;
	PQconninfoOption *check = PQconninfoParse(conninfo, &perr);
	char *shown = mask_with_dbname(conninfo, dbname);
	strbuf_reset(err);
	if (!check) {
		/* libpq's message quotes the string: say why from the masked one. */
		char *masked = db_mask_text(conninfo);
		PQfreemem(perr);
		perr = NULL;
		check = PQconninfoParse(masked, &perr);
		strbuf_addf(err, "invalid connection string '%s': %s", masked,
			    check ? "its user name or password cannot be read "
				    "(a bad %-escape or an unterminated quote?)"
				  : perr ? perr : "cannot parse it");
		strbuf_trim(err);
		PQconninfoFree(check);
		PQfreemem(perr);
		free(masked);
		free(shown);
		return NULL;
	}
	PQconninfoFree(check);

	char *theirs = user_options(conninfo);
	char *options = session_options(theirs, read_only);
	/* Later keywords override earlier ones; only the first dbname is expanded. */
	const char *keys[8] = { "dbname", "options", "application_name" };
	const char *vals[8] = { conninfo, options, "sluice" };
	size_t k = 3;
	if (dbname) {
		keys[k] = "dbname";
		vals[k++] = dbname;
	}
	if (user) {
		keys[k] = "user";
		vals[k++] = user;
		keys[k] = "password";
		vals[k++] = password ? password : "";
	}
	/* An explicit connect_timeout in the string is theirs to keep. */
	if (!strstr(conninfo, "connect_timeout")) {
		keys[k] = "connect_timeout";
		vals[k++] = DB_CONNECT_TIMEOUT;
	}
	PGconn *conn = PQconnectdbParams(keys, vals, 1);
	free(options);
	free(theirs);

	struct db *db = xcalloc(1, sizeof(*db));
	strbuf_init(&db->err, 0);
	db->conn = conn;
	db->display = shown;
	db->password = user ? (password ? xstrdup(password) : NULL) : password_of(conninfo);
	db->read_only = read_only;
	if (!conn || PQstatus(conn) != CONNECTION_OK) {
		char *prefix = xstrfmt("cannot connect to '%s': ", shown);
		set_error(err, db->password, prefix, conn ? PQerrorMessage(conn) : "out of memory");
		free(prefix);
		db_close(db);
		return NULL;
	}
	PQsetNoticeProcessor(conn, quiet_notice, NULL);
	db->version = PQserverVersion(conn);
	if (db->version / 10000 < DB_MIN_VERSION) {
		strbuf_reset(err);
		strbuf_addf(err, "server at '%s' is PostgreSQL %d.%d; sluice needs %d or later",
			    shown, db->version / 10000, db->version / 100 % 100, DB_MIN_VERSION);
		db_close(db);
		return NULL;
	}
	return db;
}

void db_close(struct db *db)
{
	if (!db)
		return;
	if (db->conn)
		PQfinish(db->conn);
	free(db->display);
	free(db->password);
	strbuf_release(&db->err);
	free(db);
}

/* Through the extended protocol (`single`, or with parameters) the server runs one statement only. */
static struct pg_result *run_query(struct db *db, const char *sql, int nparams,
				   const char *const *params, bool single)
{
	db->sqlstate[0] = '\0';
	PGresult *res = nparams || single
		? PQexecParams(db->conn, sql, nparams, NULL, params, NULL, NULL, 0)
		: PQexec(db->conn, sql);
	ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK)
		return res;
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	/* The server's own sentence ("relation ... already exists"), without "ERROR:  ". */
	const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	set_error(&db->err, db->password, "",
		  primary ? primary : res && *PQresultErrorMessage(res) ? PQresultErrorMessage(res)
								  : PQerrorMessage(db->conn));
	snprintf(db->sqlstate, sizeof(db->sqlstate), "%s", state ? state : "");
	explain_timeout(db);
	PQclear(res);
	return NULL;
}

struct pg_result *db_query(struct db *db, const char *sql, int nparams, const char *const *params)
{
	return run_query(db, sql, nparams, params, false);
}

int db_exec_single(struct db *db, const char *sql)
{
	PGresult *res = run_query(db, sql, 0, NULL, true);
	if (!res)
		return -1;
	PQclear(res);
	return 0;
}

const char *db_sqlstate(const struct db *db)
{
	return db->sqlstate;
}

int db_exec(struct db *db, const char *sql)
{
	PGresult *res = db_query(db, sql, 0, NULL);
	if (!res)
		return -1;
	PQclear(res);
	return 0;
}

void db_free(struct pg_result *res)
{
	PQclear(res);
}

const char *db_value(struct pg_result *res, int row, int col)
{
	return PQgetvalue(res, row, col);
}

bool db_isnull(struct pg_result *res, int row, int col)
{
	return PQgetisnull(res, row, col);
}

int db_rows(struct pg_result *res)
{
	return PQntuples(res);
}

/* A snapshot taken now (core/db/db_stats.c), applied as a stats file would be. */
int db_load_stats(struct db *db, struct schema *s)
{
	struct cJSON *snap = stats_take(db);
	if (!snap)
		return -1;
	stats_apply(snap, s);
	cJSON_Delete(snap);
	return 0;
}

/*
 * What each framework's table records. golang-migrate keeps one row, the
 * latest version (with a dirty flag): its versions come back as "<=N".
 */
static const struct {
	const char *table;
	const char *sql;
} applied_sql[] = {
	{ "schema_migrations",
	  "SELECT CASE WHEN EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = 'schema_migrations'::regclass"
	  "                          AND attname = 'dirty') THEN '<=' ELSE '' END || version::text"
	  "  FROM schema_migrations ORDER BY 1" },
	{ "goose_db_version",
	  "SELECT version_id::text FROM goose_db_version g WHERE version_id > 0"
	  " AND is_applied AND id = (SELECT max(id) FROM goose_db_version h WHERE h.version_id = g.version_id)"
	  " ORDER BY version_id" },
	{ "flyway_schema_history",
	  "SELECT version FROM flyway_schema_history WHERE success AND version IS NOT NULL ORDER BY installed_rank" },
	{ "__diesel_schema_migrations", "SELECT version FROM __diesel_schema_migrations ORDER BY version" },
	{ "_sqlx_migrations", "SELECT version::text FROM _sqlx_migrations WHERE success ORDER BY version" },
	{ "_prisma_migrations",
	  "SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL"
	  " AND rolled_back_at IS NULL ORDER BY migration_name" },
	{ "atlas_schema_revisions",
	  "SELECT version FROM atlas_schema_revisions.atlas_schema_revisions ORDER BY version" },
};

int db_applied_migrations(struct db *db, char **table, struct strlist *versions)
{
	*table = NULL;
	for (size_t i = 0; i < ARRAY_SIZE(applied_sql); i++) {
		const char *name = applied_sql[i].table;
		const char *param = !strcmp(name, "atlas_schema_revisions")
			? "atlas_schema_revisions.atlas_schema_revisions" : name;
		PGresult *res = db_query(db, "SELECT to_regclass($1) IS NOT NULL", 1, &param);
		if (!res)
			return -1;
		bool found = !strcmp(PQgetvalue(res, 0, 0), "t");
		PQclear(res);
		if (!found)
			continue;
		res = db_query(db, applied_sql[i].sql, 0, NULL);
		if (!res)
			return -1;
		for (int r = 0; r < PQntuples(res); r++)
			strlist_add(versions, PQgetvalue(res, r, 0));
		PQclear(res);
		*table = xstrdup(name);
		return 1;
	}
	return 0;
}
