/*
 * unit-shadow-trust.c - what a shadow will not run (core/db/shadow_trust.c),
 * decided from the parse tree, with near misses that must run; and the one
 * fork/exec helper (core/run_command.c): argv never read by a shell, clear
 * errors, captured output, added environment, exit statuses.
 */
#include "tap.h"
#include "run_command.h"
#include "shadow_trust_int.h"
#include "util.h"

#include <stdlib.h>
#include <time.h>
#include <unistd.h>

/* Refused, and the reason says `why`. */
static void refused(const char *sql, const char *why, struct strlist *roles)
{
	struct vetted v;
	int r = shadow_vet(sql, roles, &v);
	ok(r == 1 && v.why && strstr(v.why, why), "refused: %s -> %s", sql, v.why ? v.why : "(runs)");
	vetted_release(&v);
}

static void runs(const char *sql, size_t nr, struct strlist *roles)
{
	struct vetted v;
	int r = shadow_vet(sql, roles, &v);
	ok(r == 0 && v.nr == nr, "runs: %s (%zu statements)%s%s", sql, v.nr, v.why ? ": " : "",
	   v.why ? v.why : "");
	vetted_release(&v);
}

static void test_vet(void)
{
	struct strlist roles = STRLIST_INIT;
	refused("DROP DATABASE victim", "a database", &roles);
	refused("CREATE DATABASE x", "a database", &roles);
	refused("ALTER DATABASE victim RENAME TO x", "a database", &roles);
	refused("ALTER DATABASE victim SET work_mem = '1GB'", "a database", &roles);
	refused("GRANT CONNECT ON DATABASE victim TO PUBLIC", "a database", &roles);
	refused("COMMENT ON DATABASE victim IS 'x'", "a database", &roles);
	refused("ALTER ROLE app SUPERUSER", "a role", &roles);
	refused("CREATE USER u", "a role", &roles);
	refused("GRANT pg_read_server_files TO app", "membership", &roles);
	refused("REASSIGN OWNED BY app TO postgres", "everything a role owns", &roles);
	refused("CREATE TABLESPACE ts LOCATION '/tmp'", "a tablespace", &roles);
	refused("ALTER SYSTEM SET work_mem = '77MB'", "ALTER SYSTEM", &roles);
	refused("LOAD 'auto_explain'", "LOAD", &roles);
	refused("COPY t TO PROGRAM 'touch /tmp/x'", "runs a program", &roles);
	refused("COPY (SELECT 1) TO PROGRAM 'id'", "runs a program", &roles);
	refused("COPY t FROM '/etc/passwd'", "files on the database server", &roles);
	refused("COPY t TO '/tmp/out'", "files on the database server", &roles);
	refused("COPY t FROM STDIN", "not sent", &roles);
	refused("SELECT lo_import('/etc/passwd')", "lo_import", &roles);
	refused("INSERT INTO t SELECT lo_export(1, '/tmp/x')", "lo_export", &roles);
	refused("SELECT pg_catalog.pg_read_file('/etc/passwd')", "pg_read_file", &roles);
	refused("CREATE TABLE x AS SELECT * FROM pg_ls_dir('.')", "pg_ls_", &roles);
	refused("SELECT dblink_connect('host=evil')", "another server", &roles);
	refused("CREATE SERVER s FOREIGN DATA WRAPPER postgres_fdw", "another server", &roles);
	refused("CREATE USER MAPPING FOR PUBLIC SERVER s", "another server", &roles);
	refused("CREATE SUBSCRIPTION s CONNECTION 'host=x' PUBLICATION p", "subscription", &roles);
	refused("CREATE EXTENSION dblink", "extension", &roles);
	refused("CREATE LANGUAGE plperlu", "extension", &roles);
	refused("CREATE FUNCTION f() RETURNS int LANGUAGE plpython3u AS 'return 1'", "not trusted", &roles);
	refused("CREATE FUNCTION f() RETURNS int AS 'libc.so.6', 'system' LANGUAGE c", "not trusted", &roles);
	refused("DO LANGUAGE plperlu 'system(\"id\")'", "not trusted", &roles);
	refused("SET ROLE postgres", "the role the statements run as", &roles);
	refused("RESET ROLE", "the role the statements run as", &roles);
	refused("SET SESSION AUTHORIZATION postgres", "the role the statements run as", &roles);
	refused("SELECT set_config('role', 'postgres', false)", "the role the statements run as", &roles);
	refused("SELECT set_config(current_setting('x'), 'y', false)", "set_config", &roles);
	refused("SET standard_conforming_strings = off", "how the server reads", &roles);
	refused("SET client_encoding = 'SJIS'", "how the server reads", &roles);
	refused("SELECT pg_terminate_backend(1)", "other sessions", &roles);
	refused("DROP TABLE", "does not parse", &roles);
	/* Every statement of the text counts, not only the first. */
	refused("SELECT 1; DROP DATABASE victim", "a database", &roles);
	/* A role created by a statement that did not run: what names it does not run either. */
	refused("CREATE ROLE reader", "a role", &roles);
	refused("GRANT SELECT ON t TO reader", "\"reader\", whose CREATE ROLE was not run", &roles);
	refused("ALTER TABLE t OWNER TO reader", "\"reader\"", &roles);
	refused("CREATE SCHEMA s AUTHORIZATION reader", "\"reader\"", &roles);

	/* Near misses: ordinary migrations run. */
	runs("CREATE TABLE t (id bigint PRIMARY KEY, v text)", 1, &roles);
	runs("CREATE INDEX CONCURRENTLY t_v ON t (v)", 1, &roles);
	runs("GRANT SELECT ON t TO app", 1, &roles);
	runs("ALTER TABLE t OWNER TO CURRENT_USER", 1, &roles);
	runs("CREATE EXTENSION IF NOT EXISTS pgcrypto", 1, &roles);
	runs("CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN 1; END $$", 1, &roles);
	runs("CREATE FUNCTION g() RETURNS int LANGUAGE sql AS 'SELECT 1'", 1, &roles);
	runs("DO $$ BEGIN PERFORM 1; END $$", 1, &roles);
	runs("COPY t TO STDOUT", 1, &roles);
	runs("SET lock_timeout = '2s'", 1, &roles);
	runs("SET standard_conforming_strings = on", 1, &roles);
	runs("SET client_encoding = 'UTF8'", 1, &roles);
	runs("SELECT pg_catalog.set_config('search_path', '', false)", 1, &roles);
	runs("COMMENT ON TABLE t IS 'the database'", 1, &roles);
	runs("CREATE PUBLICATION p FOR TABLE t", 1, &roles);
	runs("CREATE TABLE a (id int); CREATE TABLE b (id int)", 2, &roles);
	runs("-- only a comment", 0, &roles);
	strlist_clear(&roles);

	/* Each statement of a text, where the server will be sent it. */
	struct vetted v;
	const char *two = "CREATE TABLE a (id int);\n  CREATE TABLE b (id int)";
	shadow_vet(two, &roles, &v);
	ok(v.nr == 2 && v.v[0].off == 0 && v.v[0].len == strlen("CREATE TABLE a (id int)") &&
	   !strncmp(two + v.v[1].off + strspn(two + v.v[1].off, " \n"), "CREATE TABLE b", 14) &&
	   v.v[1].off + v.v[1].len == strlen(two), "each statement's span");
	vetted_release(&v);
}

static void test_run_command(void)
{
	struct strbuf err = STRBUF_INIT, out = STRBUF_INIT;
	char *dir = xstrdup("/tmp/sluice-rc.XXXXXX");
	ok(mkdtemp(dir) != NULL, "a scratch directory");

	/* An argument with a space and a command substitution is one argument, never run. */
	char *weird = xstrfmt("%s/a b $(touch %s/pwned)", dir, dir);
	const char *argv1[] = { "printf", "%s|", weird, "two", NULL };
	struct child_process cp = CHILD_PROCESS_INIT;
	cp.argv = argv1;
	cp.capture = &out;
	is_int(run_command(&cp, &err), 0, "printf ran: %s", err.buf);
	char *want = xstrfmt("%s|two|", weird);
	is_str(out.buf, want, "argv reaches the program as it is");
	char *pwned = xstrfmt("%s/pwned", dir);
	ok(access(pwned, F_OK) != 0, "and no shell ran the $(...)");

	/* A program that does not exist: a clear error, with its name. */
	const char *argv2[] = { "/nonexistent/sluice-no-such-program", NULL };
	struct child_process cp2 = CHILD_PROCESS_INIT;
	cp2.argv = argv2;
	strbuf_reset(&err);
	is_int(run_command(&cp2, &err), -1, "a missing program is an error");
	is_str(err.buf, "cannot run '/nonexistent/sluice-no-such-program': No such file or directory",
	       "... that names it and says why");

	/* Exit statuses, an added environment entry, output to a log file. */
	char *log = xstrfmt("%s/log", dir);
	const char *env[] = { "SLUICE_RC_TEST=hello there", NULL };
	const char *argv3[] = { "/bin/sh", "-c", "echo \"$SLUICE_RC_TEST\"; exit 3", NULL };
	struct child_process cp3 = CHILD_PROCESS_INIT;
	cp3.argv = argv3;
	cp3.env = env;
	cp3.log = log;
	is_int(run_command(&cp3, &err), 3, "its exit status");
	struct strbuf got = STRBUF_INIT;
	strbuf_read_file(&got, log, 1024);
	is_str(got.buf, "hello there\n", "the environment entry reached it; its output is in the log");
	const char *argv4[] = { "/bin/sh", "-c", "kill -TERM $$", NULL };
	struct child_process cp4 = CHILD_PROCESS_INIT;
	cp4.argv = argv4;
	is_int(run_command(&cp4, &err), 128 + 15, "killed by a signal: 128 + its number");

	/*
	 * Output that fills the limit exactly, then one byte more: stopped as
	 * too long at once (it used to be kept waiting for the timeout,
	 * because the kept length never passed the limit).
	 */
	const char *argv5[] = { "/bin/sh", "-c",
				"head -c 32768 /dev/zero; sleep 1; printf x; sleep 30", NULL };
	struct child_process cp5 = CHILD_PROCESS_INIT;
	struct strbuf big = STRBUF_INIT;
	cp5.argv = argv5;
	cp5.capture = &big;
	cp5.capture_max = 32768;
	cp5.timeout_ms = 20000;
	cp5.new_session = true;
	time_t t0 = time(NULL);
	run_command(&cp5, &err);
	ok(cp5.too_long && !cp5.timed_out, "a byte past a limit filled exactly is too long");
	ok(time(NULL) - t0 < 10, "... and stops it at once, not at the timeout (%lld s)",
	   (long long)(time(NULL) - t0));
	is_int((int)big.len, 32768, "... keeping the limit's worth");
	strbuf_release(&big);

	unlink(log);
	rmdir(dir);
	free(log);
	free(pwned);
	free(want);
	free(weird);
	free(dir);
	strbuf_release(&got);
	strbuf_release(&out);
	strbuf_release(&err);
}

int main(void)
{
	test_vet();
	test_run_command();
	return done_testing();
}
