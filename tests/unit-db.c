/*
 * unit-db.c - the connection layer against the test suite's PostgreSQL
 * (tests/pg.sh): a live connection refuses writes, passwords never show,
 * unreachable and refusing servers give clear messages, statistics load.
 *
 * The parts that need no server (masking, version ids) always run; the
 * rest is skipped with "ok # skip" when SLUICE_TEST_PG is unset.
 */
#include "db.h"
#include "model.h"
#include "schema.h"
#include "tap.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

static bool contains(const char *hay, const char *needle)
{
	return hay && strstr(hay, needle);
}

static void test_mask(void)
{
	char *m = db_mask("postgresql://app:s3cret-pw@db.example.com:6543/shop");
	is_str(m, "postgresql://app:***@db.example.com:6543/shop", "a URI's password is masked");
	free(m);
	m = db_mask("host=db user=app password=s3cret-pw dbname=shop");
	ok(!contains(m, "s3cret") && contains(m, "app:***@db"), "a key=value password is masked: %s", m);
	free(m);
	m = db_mask("host=db user=app dbname=shop");
	is_str(m, "postgresql://app@db/shop", "no password, nothing masked");
	free(m);
	m = db_mask("postgresql://app:pw@[::1");
	ok(!contains(m, "pw"), "an unparseable string shows nothing of itself: %s", m);
	free(m);
}

static void test_versions(void)
{
	static const struct { const char *id; bool flyway; const char *want; } cases[] = {
		{ "db/000003_add_index", false, "3" },
		{ "migrations/20230102030405_init", false, "20230102030405" },
		{ "sql/V1_2__add", true, "1.2" },
		{ "migrations/2023-01-02-030405_create_users/", false, "20230102030405" },
		{ "10", false, "10" },
		{ "0", false, "0" },
		{ "prisma/migrations/init", false, "init" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char *v = migration_version(cases[i].id, cases[i].flyway);
		is_str(v, cases[i].want, "version of '%s'", cases[i].id);
		free(v);
	}
}

/* Opens a live connection to another database of the test server. */
static char *with(const char *base, const char *extra)
{
	return xstrfmt("%s %s", base, extra);
}

static void test_live(const char *pg)
{
	struct strbuf err = STRBUF_INIT;
	struct db *db = db_open_live(pg, &err);
	ok(db != NULL, "a live connection opens: %s", err.buf);
	if (!db)
		return;
	ok(db->version >= 100000, "the server version is known (%d)", db->version);
	int r = db_exec(db, "CREATE TABLE sluice_must_not_exist (id int)");
	ok(r < 0, "a write through the live connection fails");
	ok(contains(db->err.buf, "cannot execute CREATE TABLE in a read-only transaction"),
	   "... refused by the server as read-only: %s", db->err.buf);
	is_str(db_sqlstate(db), "25006", "... with SQLSTATE read_only_sql_transaction");
	struct pg_result *res = db_query(db, "SELECT current_setting('default_transaction_read_only')", 0, NULL);
	ok(res && !strcmp(db_value(res, 0, 0), "on"), "default_transaction_read_only is on");
	db_free(res);
	db_close(db);

	/* Near miss: a shadow (not live) connection may write. */
	db = db_open(pg, false, &err);
	ok(db && db_exec(db, "CREATE TEMP TABLE t (id int)") == 0, "a shadow connection may write");
	db_close(db);

	/* The user's own options are kept beside ours. */
	char *opts = with(pg, "options='-c search_path=pg_catalog'");
	db = db_open_live(opts, &err);
	res = db ? db_query(db, "SELECT current_setting('search_path') || ' ' || "
				"current_setting('default_transaction_read_only')", 0, NULL) : NULL;
	ok(res && !strcmp(db_value(res, 0, 0), "pg_catalog on"),
	   "the connection string's options survive, read-only added: %s",
	   res ? db_value(res, 0, 0) : err.buf);
	db_free(res);
	db_close(db);
	free(opts);
	strbuf_release(&err);
}

/* Every session has a lock_timeout and a statement_timeout; live ones stay read-only. */
static void test_timeouts(const char *pg)
{
	static const char show[] = "SELECT current_setting('lock_timeout') || ' ' || "
				   "current_setting('statement_timeout') || ' ' || "
				   "current_setting('default_transaction_read_only')";
	struct strbuf err = STRBUF_INIT;
	struct db *db = db_open_live(pg, &err);
	struct pg_result *res = db ? db_query(db, show, 0, NULL) : NULL;
	is_str(res ? db_value(res, 0, 0) : err.buf, "5s 1min on", "live: lock_timeout, statement_timeout, read-only");
	db_free(res);
	db_close(db);

	db = db_open(pg, false, &err);
	res = db ? db_query(db, show, 0, NULL) : NULL;
	is_str(res ? db_value(res, 0, 0) : err.buf, "30s 10min off", "shadow: longer bounds, writable");
	db_free(res);
	db_close(db);

	/* The URL's options may not turn read-only off. */
	char *opts = with(pg, "options='-c default_transaction_read_only=off'");
	db = db_open_live(opts, &err);
	res = db ? db_query(db, show, 0, NULL) : NULL;
	is_str(res ? db_value(res, 0, 0) : err.buf, "5s 1min on", "live: read-only wins over the URL's options");
	db_free(res);
	db_close(db);
	free(opts);
	strbuf_release(&err);
}

static void test_refusals(const char *host, const char *port)
{
	struct strbuf err = STRBUF_INIT;
	struct db *db = db_open_live("host=127.0.0.1 port=1 user=app password=hunter2-pw dbname=x", &err);
	ok(!db, "an unreachable server does not connect");
	ok(contains(err.buf, "cannot connect to 'postgresql://app:***@127.0.0.1:1/x'"),
	   "... and the message names it, masked: %s", err.buf);
	ok(!contains(err.buf, "hunter2"), "... without the password");

	char *url = xstrfmt("postgresql://sluice_pw:wrong-pw-xyzzy@%s:%s/postgres", host, port);
	db = db_open_live(url, &err);
	ok(!db, "a wrong password does not connect");
	ok(contains(err.buf, "password authentication failed"), "... the server says why: %s", err.buf);
	ok(!contains(err.buf, "wrong-pw-xyzzy") && contains(err.buf, "sluice_pw:***@"),
	   "... and the password is masked");
	free(url);

	const char *pw = getenv("SLUICE_TEST_PG_PASSWORD");
	url = xstrfmt("postgresql://sluice_pw:%s@%s:%s/postgres", pw ? pw : "", host, port);
	db = db_open_live(url, &err);
	ok(db != NULL, "the right password connects (near miss): %s", err.buf);
	if (db) {
		db_exec(db, "SELECT no_such_column_here");
		ok(!contains(db->err.buf, pw ? pw : "\x01"), "query errors never carry the password");
	}
	db_close(db);
	free(url);

	db = db_open_live("host=127.0.0.1 port=notaport", &err);
	ok(!db && err.len, "a bad connection string is an error, not a crash: %s", err.buf);
	strbuf_release(&err);
}

static void test_stats(const char *pg)
{
	struct strbuf err = STRBUF_INIT;
	struct db *w = db_open(pg, false, &err);
	if (!w) {
		ok(0, "cannot connect: %s", err.buf);
		return;
	}
	db_exec(w, "DROP TABLE IF EXISTS unit_db_stats");
	db_exec(w, "CREATE TABLE unit_db_stats AS SELECT g AS id FROM generate_series(1, 3000) g");
	db_exec(w, "ANALYZE unit_db_stats");
	struct db *db = db_open_live(pg, &err);
	struct schema s;
	schema_init(&s);
	ok(db && db_load_stats(db, &s) == 0, "statistics load");
	struct table_def *t = schema_table(&s, "unit_db_stats");
	ok(t && t->rows == 3000, "row count from the catalogue: %lld", t ? t->rows : -2);
	ok(t && t->bytes > 8192, "size from pg_total_relation_size: %lld", t ? t->bytes : -2);
	ok(!schema_table(&s, "pg_class"), "system catalogues are not user tables");
	schema_release(&s);

	char *table = NULL;
	struct strlist versions = STRLIST_INIT;
	ok(db && db_applied_migrations(db, &table, &versions) == 0 && !table,
	   "no migration table: none found");
	db_exec(w, "CREATE TABLE goose_db_version (id serial, version_id bigint, is_applied bool, tstamp timestamp)");
	db_exec(w, "INSERT INTO goose_db_version (version_id, is_applied) VALUES (0, true), (1, true), (2, true), (2, false), (3, true)");
	ok(db && db_applied_migrations(db, &table, &versions) == 1 && table &&
	   !strcmp(table, "goose_db_version"), "goose's table is found");
	ok(versions.nr == 2 && !strcmp(versions.items[0], "1") && !strcmp(versions.items[1], "3"),
	   "goose: applied versions, a rolled back one left out (%zu)", versions.nr);
	free(table);
	strlist_clear(&versions);
	db_exec(w, "DROP TABLE goose_db_version");
	db_exec(w, "DROP TABLE unit_db_stats");
	db_close(db);
	db_close(w);
	strbuf_release(&err);
}

static int findings_of(const struct stmt *st, const char *rule, enum severity *sev)
{
	int n = 0;
	for (size_t i = 0; i < st->nr_findings; i++)
		if (!strcmp(st->findings[i].rule, rule)) {
			n++;
			*sev = st->findings[i].sev;
		}
	return n;
}

/* A statement on table t predicted to take `lock`, without findings. */
static void stmt_reset(struct stmt *st, enum lock_mode lock)
{
	for (size_t i = 0; i < st->nr_findings; i++)
		finding_release(&st->findings[i]);
	free(st->findings);
	memset(st, 0, sizeof(*st));
	st->table = (char *)"t";
	st->lock = lock;
}

/* The prediction judged against traces taken on a real shadow. */
static void test_traces(const char *pg)
{
	struct strbuf err = STRBUF_INIT;
	struct shadow sh;
	struct lock_trace idx = { 0 }, cic = { 0 }, none = { 0 };
	if (shadow_open(&sh, pg, &err) < 0) {
		ok(0, "shadow opens: %s", err.buf);
		return;
	}
	ok(shadow_run(&sh, "CREATE TABLE t (id int, v text)", NULL, NULL) == 0, "shadow: a table");
	ok(shadow_run(&sh, "CREATE INDEX t_id ON t (id)", "t", &idx) == 0 && idx.traced,
	   "CREATE INDEX is traced");
	is_int(idx.target_mode, LOCK_SHARE, "CREATE INDEX took SHARE on t (%s)", nonnull(idx.locks));
	ok(shadow_run(&sh, "CREATE INDEX CONCURRENTLY t_v ON t (v)", "t", &cic) == 0 && cic.outside_txn,
	   "CREATE INDEX CONCURRENTLY ran outside a transaction");
	is_int(cic.target_mode, LOCK_SHARE_UPDATE_EXCLUSIVE, "... and took SHARE UPDATE EXCLUSIVE (%s)",
	       nonnull(cic.locks));
	ok(shadow_run(&sh, "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1'", NULL, &none) == 0 &&
	   none.target_existed && none.target_mode == -1, "a statement without a table locks no table");

	struct file_report fr;
	struct stmt st;
	enum severity sev = SEV_NONE;
	memset(&fr, 0, sizeof(fr));
	memset(&st, 0, sizeof(st));
	stmt_reset(&st, LOCK_SHARE);
	verify_compare_lock(&fr, &st, &idx);
	is_int(findings_of(&st, "lock-mismatch", &sev), 0, "prediction SHARE, traced SHARE: no mismatch");
	st.lock = LOCK_ACCESS_SHARE;
	verify_compare_lock(&fr, &st, &idx);
	ok(findings_of(&st, "lock-mismatch", &sev) == 1 && sev == SEV_HIGH,
	   "prediction ACCESS SHARE, traced SHARE: a HIGH lock-mismatch");
	ok(st.nr_findings && strstr(st.findings[0].message, "took SHARE on t; sluice predicted ACCESS SHARE"),
	   "... saying both: %s", st.nr_findings ? st.findings[0].message : "");
	stmt_reset(&st, LOCK_ACCESS_EXCLUSIVE);
	verify_compare_lock(&fr, &st, &idx);
	ok(findings_of(&st, "lock-mismatch", &sev) == 1 && sev == SEV_LOW,
	   "prediction ACCESS EXCLUSIVE, traced SHARE: a LOW lock-mismatch");
	stmt_reset(&st, LOCK_ACCESS_EXCLUSIVE);
	verify_compare_lock(&fr, &st, &cic);
	is_int(findings_of(&st, "lock-mismatch", &sev), 0,
	       "outside a transaction a weaker trace is not proof: no mismatch");

	ok(shadow_reset(&sh, &err) == 0, "the shadow starts over");
	ok(shadow_run(&sh, "CREATE TABLE t (id int)", NULL, NULL) == 0, "... on an empty database");
	lock_trace_release(&idx);
	lock_trace_release(&cic);
	lock_trace_release(&none);
	shadow_close(&sh);
	strbuf_release(&err);
}

int main(void)
{
	const char *pg = getenv("SLUICE_TEST_PG");
	test_mask();
	test_versions();
	if (!pg || !*pg) {
		printf("ok %d # skip no PostgreSQL server (SLUICE_TEST_PG is unset)\n", ++tap_n);
		return done_testing();
	}
	test_live(pg);
	test_timeouts(pg);
	test_refusals(getenv("SLUICE_TEST_PG_HOST") ? getenv("SLUICE_TEST_PG_HOST") : "127.0.0.1",
		      getenv("SLUICE_TEST_PG_PORT") ? getenv("SLUICE_TEST_PG_PORT") : "5432");
	test_stats(pg);
	test_traces(pg);
	return done_testing();
}
