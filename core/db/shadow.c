/*
 * shadow.c - the scratch database and running statements on it with their
 * locks traced (see db.h).
 *
 * Tracing in a transaction is exact: after the statement, before COMMIT,
 * pg_locks lists every lock the backend holds, and locks are held to the
 * end of the transaction. A statement that cannot run in a transaction
 * (CREATE INDEX CONCURRENTLY, VACUUM, ...) releases its locks as it goes
 * and may finish before anyone looks, so a second connection first takes
 * ACCESS EXCLUSIVE on the target table: the statement then has to queue
 * for its lock on that table, and pg_locks shows the mode it asks for (not
 * yet granted). The second connection reads it, then lets go.
 */
#include "db.h"
#include "shadow_trust_int.h"
#include "parse.h"

#include <errno.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Relation locks of a backend on user relations (oid >= FirstNormalObjectId). */
static const char locks_sql[] =
	"SELECT l.relation::oid::text, COALESCE(c.relname::text, 'relation ' || l.relation || ' (new)'),"
	"       l.mode, l.granted,"
	"       EXISTS (SELECT 1 FROM pg_locks w WHERE w.pid = $1::int AND NOT w.granted)"
	"  FROM pg_locks l LEFT JOIN pg_class c ON c.oid = l.relation"
	" WHERE l.pid = $1::int AND l.locktype = 'relation' AND l.relation::oid::int8 >= 16384"
	"   AND COALESCE(c.relnamespace <> 'pg_toast'::regnamespace, true)"
	"   AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
	" ORDER BY 2, 3";

static const char target_sql[] =
	"SELECT to_regclass(CASE WHEN $2 = '' THEN quote_ident($1)"
	"                   ELSE quote_ident($2) || '.' || quote_ident($1) END)::oid::text,"
	"       to_regclass(CASE WHEN $2 = '' THEN quote_ident($1)"
	"                   ELSE quote_ident($2) || '.' || quote_ident($1) END)::text";

static unsigned shadow_counter;

/* Atomic: the workbench's drift and draft workers may both be creating one. */
static unsigned next_number(void)
{
	return __atomic_fetch_add(&shadow_counter, 1, __ATOMIC_RELAXED);
}

/* Connects to the scratch database as the migrations' role (or the URL's user). */
static struct db *scratch_connect(struct shadow *sh, struct strbuf *err)
{
	struct db *db = db_open_as(sh->url, sh->dbname, sh->role, sh->role_password, false, err);
	if (!db && sh->role) {
		struct strbuf why = STRBUF_INIT;
		strbuf_addf(&why, "cannot log in as the shadow's own role '%s' (%s)", sh->role, err->buf);
		strbuf_reset(err);
		strbuf_addstr(err, why.buf);
		strbuf_release(&why);
	}
	return db;
}

/* Creates the scratch database, owned by the migrations' role, and connects to it twice. */
static int scratch_create(struct shadow *sh, struct strbuf *err)
{
	sh->dbname = xstrfmt("sluice_shadow_%ld_%u_%lld", (long)getpid(), next_number(), (long long)time(NULL));
	char *sql = sh->role ? xstrfmt("CREATE DATABASE %s OWNER %s TEMPLATE template0", sh->dbname, sh->role)
			     : xstrfmt("CREATE DATABASE %s TEMPLATE template0", sh->dbname);
	int r = db_exec(sh->admin, sql);
	free(sql);
	if (r < 0) {
		strbuf_addf(err, "cannot create the shadow database on '%s': %s", sh->admin->display,
			    sh->admin->err.buf);
		free(sh->dbname);
		sh->dbname = NULL;
		return -1;
	}
	sh->db = scratch_connect(sh, err);
	if (sh->db)
		sh->watch = scratch_connect(sh, err);
	return sh->watch ? 0 : -1;
}

/* A password for this run's role: 128 random bits, in hex. */
static char *random_password(void)
{
	unsigned char b[16];
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, b, sizeof(b)) : -1;
	if (fd >= 0)
		close(fd);
	if (n != (ssize_t)sizeof(b))
		return NULL;
	char *hex = xmalloc(2 * sizeof(b) + 1);
	for (size_t i = 0; i < sizeof(b); i++)
		snprintf(hex + 2 * i, 3, "%02x", b[i]);
	return hex;
}

static void role_drop(struct shadow *sh)
{
	if (sh->admin && sh->role) {
		char *sql = xstrfmt("DROP ROLE IF EXISTS %s", sh->role);
		if (db_exec(sh->admin, sql) < 0)
			warning("cannot drop the shadow's role '%s': %s", sh->role, sh->admin->err.buf);
		free(sql);
	}
	free(sh->role);
	free(sh->role_password);
	sh->role = sh->role_password = NULL;
}

/* The migrations run as the URL's user itself: allowed only when it is not a superuser. */
static int run_as_admin(struct shadow *sh, const char *why, struct strbuf *err)
{
	struct pg_result *res = db_query(sh->admin, "SELECT current_user", 0, NULL);
	char *user = xstrdup(res ? db_value(res, 0, 0) : "?");
	db_free(res);
	role_drop(sh);
	if (sh->admin_super) {
		strbuf_addf(err, "%s; '%s' is a superuser, and sluice runs a migration only as a role "
			    "that is not: give the shadow a user that can create roles and log them in "
			    "(CREATEROLE, password or trust authentication), or one that is not a superuser",
			    why, user);
		free(user);
		return -1;
	}
	free(sh->note);
	sh->note = xstrfmt("%s: the migrations run as '%s' itself, which is not a superuser", why, user);
	free(user);
	return 0;
}

/*
 * Creates this run's role: it can log in, and nothing else: no superuser,
 * no CREATEDB, no CREATEROLE, no replication, no BYPASSRLS. It will own
 * the scratch databases, and nothing more.
 */
static int role_create(struct shadow *sh, struct strbuf *err)
{
	struct pg_result *res = db_query(sh->admin, "SELECT rolsuper, rolcreaterole FROM pg_roles "
					 "WHERE rolname = current_user", 0, NULL);
	if (!res || db_rows(res) != 1) {
		strbuf_addf(err, "cannot tell what the shadow's user on '%s' may do: %s",
			    sh->admin->display, res ? "no such role" : sh->admin->err.buf);
		db_free(res);
		return -1;
	}
	sh->admin_super = !strcmp(db_value(res, 0, 0), "t");
	bool createrole = sh->admin_super || !strcmp(db_value(res, 0, 1), "t");
	db_free(res);
	if (!createrole)
		return run_as_admin(sh, "the shadow's user cannot create roles", err);
	sh->role = xstrfmt("sluice_migrator_%ld_%u_%lld", (long)getpid(), next_number(), (long long)time(NULL));
	sh->role_password = random_password();
	if (!sh->role_password)
		return run_as_admin(sh, "no random password for the shadow's role (/dev/urandom)", err);
	char *sql = xstrfmt("CREATE ROLE %s LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION "
			    "NOBYPASSRLS PASSWORD '%s'", sh->role, sh->role_password);
	int r = db_exec(sh->admin, sql);
	free(sql);
	if (r < 0) {
		char *why = xstrfmt("cannot create the shadow's role (%s)", sh->admin->err.buf);
		free(sh->role);   /* it does not exist: nothing to drop */
		sh->role = NULL;
		r = run_as_admin(sh, why, err);
		free(why);
		return r;
	}
	return 0;
}

static void scratch_drop(struct shadow *sh)
{
	db_close(sh->db);
	db_close(sh->watch);
	sh->db = sh->watch = NULL;
	if (sh->admin && sh->dbname) {
		char *sql = xstrfmt("DROP DATABASE IF EXISTS %s%s", sh->dbname,
				    sh->admin->version >= 130000 ? " WITH (FORCE)" : "");
		if (db_exec(sh->admin, sql) < 0)
			warning("cannot drop the shadow database '%s': %s", sh->dbname, sh->admin->err.buf);
		free(sql);
	}
	free(sh->dbname);
	sh->dbname = NULL;
}

int shadow_open(struct shadow *sh, const char *url, struct strbuf *err)
{
	memset(sh, 0, sizeof(*sh));
	strbuf_reset(err);
	if (!url) {
		if (cluster_start(&sh->cluster, err) < 0)
			return -1;
		sh->own_cluster = true;
		url = sh->cluster.conninfo;
	}
	sh->url = xstrdup(url);
	sh->admin = db_open(url, false, err);
	if (sh->admin && !sh->own_cluster)
		shadow_reap_leftovers(sh->admin);
	if (!sh->admin || role_create(sh, err) < 0)
		goto fail;
	if (scratch_create(sh, err) < 0) {
		/* The role may be refused a login (pg_hba.conf): only a non-superuser may stand in. */
		char *why = sh->role ? strbuf_detach(err, NULL) : NULL;
		if (!why)
			goto fail;
		scratch_drop(sh);
		int r = run_as_admin(sh, why, err);
		free(why);
		if (r < 0 || scratch_create(sh, err) < 0)
			goto fail;
	}
	sh->display = xstrdup(sh->own_cluster ? "a throwaway cluster" : sh->admin->display);
	return 0;
fail:
	shadow_close(sh);
	return -1;
}

int shadow_reset(struct shadow *sh, struct strbuf *err)
{
	scratch_drop(sh);
	return scratch_create(sh, err);
}

void shadow_close(struct shadow *sh)
{
	scratch_drop(sh);
	role_drop(sh);
	db_close(sh->admin);
	if (sh->own_cluster)
		cluster_stop(&sh->cluster);
	free(sh->display);
	free(sh->url);
	free(sh->note);
	free(sh->why);
	strlist_clear(&sh->roles_not_created);
	strlist_clear(&sh->not_run);
	memset(sh, 0, sizeof(*sh));
}

void lock_trace_release(struct lock_trace *t)
{
	free(t->locks);
	free(t->target_name);
	free(t->not_run);
	memset(t, 0, sizeof(*t));
}

/* The target table's oid and quoted name, or NULLs when it does not exist. */
static int resolve_target(struct db *db, const char *table, char **oid, char **qname)
{
	*oid = *qname = NULL;
	const char *dot = strrchr(table, '.');
	char *schema = dot ? xstrndup(table, (size_t)(dot - table)) : xstrdup("");
	const char *params[] = { dot ? dot + 1 : table, schema };
	struct pg_result *res = db_query(db, target_sql, 2, params);
	free(schema);
	if (!res)
		return -1;
	if (!db_isnull(res, 0, 0)) {
		*oid = xstrdup(db_value(res, 0, 0));
		*qname = xstrdup(db_value(res, 0, 1));
	}
	db_free(res);
	return 0;
}

/* The relations a backend was seen locking, each with its strongest mode. */
struct seen_locks {
	struct strlist names;
	int *modes;
	bool *waiting;
	size_t alloc;
};

static void seen_add(struct seen_locks *sl, const char *name, int mode, bool waiting)
{
	size_t i;
	for (i = 0; i < sl->names.nr; i++)
		if (!strcmp(sl->names.items[i], name))
			break;
	if (i == sl->names.nr) {
		ALLOC_GROW(sl->modes, i + 1, sl->alloc);
		sl->waiting = xrealloc(sl->waiting, sl->alloc * sizeof(bool));
		strlist_add(&sl->names, name);
		sl->modes[i] = -1;
		sl->waiting[i] = false;
	}
	if (mode > sl->modes[i]) {
		sl->modes[i] = mode;
		sl->waiting[i] = waiting;
	}
}

/* `target` is one oid, or a set of them as ",oid,oid,". */
static bool is_target(const char *target, const char *oid)
{
	if (*target != ',')
		return !strcmp(target, oid);
	char *key = xstrfmt(",%s,", oid);
	bool in = strstr(target, key) != NULL;
	free(key);
	return in;
}

/* Every user relation that exists now, as ",oid,oid,"; NULL when none. */
static int existing_relations(struct db *db, char **set)
{
	struct pg_result *res = db_query(db,
		"SELECT ',' || string_agg(oid::text, ',') || ',' FROM pg_class"
		" WHERE oid >= 16384 AND relkind IN ('r', 'p', 'm', 'v', 'f')", 0, NULL);
	*set = NULL;
	if (!res)
		return -1;
	if (!db_isnull(res, 0, 0))
		*set = xstrdup(db_value(res, 0, 0));
	db_free(res);
	return 0;
}

/* Reads `pid`'s relation locks through `via` into the trace; true when it waits. */
static bool read_locks(struct db *via, int pid, const char *target_oid, struct seen_locks *sl,
		       struct lock_trace *t)
{
	char pidbuf[32];
	snprintf(pidbuf, sizeof(pidbuf), "%d", pid);
	const char *params[] = { pidbuf };
	struct pg_result *res = db_query(via, locks_sql, 1, params);
	bool waiting = false;
	if (!res)
		return false;
	for (int i = 0; i < db_rows(res); i++) {
		int m = lock_parse(db_value(res, i, 2));
		seen_add(sl, db_value(res, i, 1), m, strcmp(db_value(res, i, 3), "t") != 0);
		if (target_oid && is_target(target_oid, db_value(res, i, 0)) && m > t->target_mode) {
			t->target_mode = m;
			free(t->target_name);
			t->target_name = xstrdup(db_value(res, i, 1));
		}
		waiting = !strcmp(db_value(res, i, 4), "t");
	}
	db_free(res);
	return waiting;
}

static void finish_trace(struct lock_trace *t, struct seen_locks *sl)
{
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < sl->names.nr; i++)
		strbuf_addf(&sb, "%s%s %s%s", i ? ", " : "", sl->names.items[i],
			    sl->modes[i] < 0 ? "?" : lock_name((enum lock_mode)sl->modes[i]),
			    sl->waiting[i] ? " (requested)" : "");
	free(t->locks);
	t->locks = strbuf_detach(&sb, NULL);
	t->traced = true;
	strlist_clear(&sl->names);
	free(sl->modes);
	free(sl->waiting);
	memset(sl, 0, sizeof(*sl));
}

/* Keeps the statement's error across the ROLLBACK that follows it. */
static int fail_rollback(struct db *db)
{
	struct strbuf keep = STRBUF_INIT;
	char state[sizeof(db->sqlstate)];
	strbuf_addstr(&keep, db->err.buf);
	memcpy(state, db->sqlstate, sizeof(state));
	db_exec(db, "ROLLBACK");
	strbuf_reset(&db->err);
	strbuf_addstr(&db->err, keep.buf);
	memcpy(db->sqlstate, state, sizeof(state));
	strbuf_release(&keep);
	return -1;
}

/* 0 when every statement of `sql` may run; 1 when none is run (sh->why says why). */
static int vet(struct shadow *sh, const char *sql, struct vetted *vt)
{
	free(sh->why);
	sh->why = NULL;
	if (shadow_vet(sql, &sh->roles_not_created, vt) == 0)
		return 0;
	sh->why = xstrdup(vt->why);
	return 1;
}

/* A vetted text's statements, each sent alone: the server runs exactly what was vetted. */
static int run_vetted(struct shadow *sh, const char *sql, const struct vetted *vt)
{
	for (size_t i = 0; i < vt->nr; i++) {
		char *one = xstrndup(sql + vt->v[i].off, vt->v[i].len);
		int r = db_exec_single(sh->db, one);
		free(one);
		if (r < 0)
			return -1;
	}
	return 0;
}

/*
 * Outside a transaction, with the watcher holding ACCESS EXCLUSIVE on the
 * target until the statement has been seen waiting (or has finished).
 */
static int run_watched(struct shadow *sh, const char *sql, const char *oid, const char *qname,
		       struct lock_trace *t)
{
	struct seen_locks seen = { STRLIST_INIT, NULL, NULL, 0 };
	char *lock = xstrfmt("LOCK TABLE %s IN ACCESS EXCLUSIVE MODE", qname);
	PGconn *conn = sh->db->conn;
	int ret = 0;
	if (db_exec(sh->watch, "BEGIN") < 0 || db_exec(sh->watch, lock) < 0) {
		free(lock);
		db_exec(sh->watch, "ROLLBACK");
		return db_exec_single(sh->db, sql);
	}
	free(lock);
	/* One statement, extended protocol: as db_exec_single(). */
	if (!PQsendQueryParams(conn, sql, 0, NULL, NULL, NULL, NULL, 0)) {
		db_exec(sh->watch, "ROLLBACK");
		return db_exec_single(sh->db, sql);
	}
	double until = now_seconds() + 10;
	while (now_seconds() < until) {
		if (!PQconsumeInput(conn) || !PQisBusy(conn))
			break;
		if (read_locks(sh->watch, PQbackendPID(conn), oid, &seen, t))
			break;
		struct timespec ts = { 0, 500000 };
		nanosleep(&ts, NULL);
	}
	db_exec(sh->watch, "COMMIT");
	/* Let go, and keep looking: it may take stronger locks after its first. */
	while (now_seconds() < until) {
		if (!PQconsumeInput(conn) || !PQisBusy(conn))
			break;
		read_locks(sh->watch, PQbackendPID(conn), oid, &seen, t);
	}
	PGresult *res;
	strbuf_reset(&sh->db->err);
	while ((res = PQgetResult(conn))) {
		ExecStatusType st = PQresultStatus(res);
		if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && !sh->db->err.len) {
			const char *primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
			strbuf_addstr(&sh->db->err, primary ? primary : PQresultErrorMessage(res));
			strbuf_trim(&sh->db->err);
			db_scrub(sh->db, &sh->db->err);
			ret = -1;
		}
		PQclear(res);
	}
	finish_trace(t, &seen);
	t->outside_txn = true;
	return ret;
}

static int run_traced(struct shadow *sh, const char *sql, const struct vetted *vt, const char *table,
		      struct lock_trace *t);

int shadow_run(struct shadow *sh, const char *sql, const char *table, struct lock_trace *t)
{
	struct vetted vt;
	int r;
	if (t)
		lock_trace_release(t);
	if (vet(sh, sql, &vt)) {
		vetted_release(&vt);
		if (t)
			t->not_run = xstrdup(sh->why);
		return 1;
	}
	r = t ? run_traced(sh, sql, &vt, table, t) : run_vetted(sh, sql, &vt);
	vetted_release(&vt);
	return r;
}

static int run_traced(struct shadow *sh, const char *sql, const struct vetted *vt, const char *table,
		      struct lock_trace *t)
{
	char *oid = NULL, *qname = NULL;
	struct seen_locks seen = { STRLIST_INIT, NULL, NULL, 0 };
	t->target_mode = -1;
	if (table && resolve_target(sh->db, table, &oid, &qname) < 0)
		return -1;
	if (!table && existing_relations(sh->db, &oid) < 0)
		return -1;
	t->target_existed = oid != NULL;
	if (db_exec(sh->db, "BEGIN") < 0)
		goto fail;
	if (run_vetted(sh, sql, vt) < 0) {
		/* 25001: "cannot run inside a transaction block". */
		bool outside = !strcmp(db_sqlstate(sh->db), "25001");
		fail_rollback(sh->db);
		if (!outside)
			goto fail;
		int r = qname && vt->nr == 1 ? run_watched(sh, sql, oid, qname, t) : run_vetted(sh, sql, vt);
		t->outside_txn = true;
		free(oid);
		free(qname);
		return r;
	}
	read_locks(sh->db, db_backend_pid(sh->db), oid, &seen, t);
	finish_trace(t, &seen);
	if (db_exec(sh->db, "COMMIT") < 0)
		goto fail;
	free(oid);
	free(qname);
	return 0;
fail:
	finish_trace(t, &seen);
	t->traced = false;
	free(oid);
	free(qname);
	return -1;
}

int shadow_run_script(struct shadow *sh, const char *path, const char *text, size_t len,
		      int first_line, int *line)
{
	struct sql_piece *pieces = NULL;
	size_t n = sql_split(text, len, &pieces);
	int ret = 0;
	for (size_t i = 0; i < n; i++) {
		char *sql = xstrndup(text + pieces[i].off, pieces[i].len);
		int r = shadow_run(sh, sql, NULL, NULL);
		int at_line = first_line + line_of_offset(text, pieces[i].off) - 1;
		free(sql);
		if (r > 0) {
			char *at = xstrfmt("%s:%d: %s", path, at_line, sh->why);
			strlist_add(&sh->not_run, at);
			free(at);
		} else if (r < 0) {
			*line = at_line;
			/* A failed statement inside an explicit BEGIN leaves the transaction aborted. */
			fail_rollback(sh->db);
			ret = -1;
			break;
		}
	}
	free(pieces);
	return ret;
}
