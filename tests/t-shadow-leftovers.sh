#!/bin/sh
# t-shadow-leftovers.sh - what a killed run left on a --shadow server is
# dropped by the next run, and nothing else is (core/db/shadow_reap.c):
#   - a stale scratch database and role (old stamp, no session) go, and a
#     database named in the old style (no stamp) too; the run says so;
#   - one with a session open (a run on another machine), one younger than
#     the grace, and databases not named by sluice stay;
#   - a real kill -9 mid-migration: once its sessions are gone, the next
#     run drops its database and role.
# The server is private to this test: runs of other tests on the shared one
# would reap the fakes first.
. "$SLUICE_SRC/tests/lib.sh"
sh "$SLUICE_SRC/tests/pg.sh" need || exit 0
state=$(sh "$SLUICE_SRC/tests/pg.sh" start) || { not_ok "a private server starts"; finish; }
eval "$state"
trap 'sh "$SLUICE_SRC/tests/pg.sh" stop "$SLUICE_TEST_PG_STATE"; rm -rf "$T"' EXIT
PG=$SLUICE_TEST_PG
sql() { command psql -X -q -At "$PG" -c "$1"; }
exists_db() { [ "$(sql "SELECT count(*) FROM pg_database WHERE datname = '$1'")" = 1 ]; }
exists_role() { [ "$(sql "SELECT count(*) FROM pg_roles WHERE rolname = '$1'")" = 1 ]; }
absent_db() { ! exists_db "$1"; }
absent_role() { ! exists_role "$1"; }

mkdir fast slow
printf 'CREATE TABLE a (id int);\n' >fast/001_a.up.sql
printf 'DROP TABLE a;\n' >fast/001_a.down.sql
printf 'SELECT pg_sleep(60);\n' >slow/001_slow.up.sql

now=$(date +%s)
sql "CREATE ROLE sluice_migrator_999999_0_1000 LOGIN"
sql "CREATE DATABASE sluice_shadow_999999_0_1000 OWNER sluice_migrator_999999_0_1000"
sql "CREATE DATABASE sluice_shadow_999998_0"
sql "CREATE DATABASE sluice_shadow_999997_0_1000"
sql "CREATE DATABASE sluice_shadow_999996_0_$now"
sql "CREATE ROLE sluice_migrator_999996_0_$now LOGIN"
sql "CREATE DATABASE sluice_shadow_notours"
sql "CREATE DATABASE app_db"
# A run on another machine: its session is open on its scratch database.
command psql -X -q "host=$SLUICE_TEST_PG_HOST port=$SLUICE_TEST_PG_PORT user=postgres dbname=sluice_shadow_999997_0_1000" \
	-c "SELECT pg_sleep(20)" >/dev/null 2>&1 &
busy=$!
i=0
while [ "$(sql "SELECT count(*) FROM pg_stat_activity WHERE datname = 'sluice_shadow_999997_0_1000'")" = 0 ] && [ $i -lt 100 ]; do
	sleep 0.1; i=$((i + 1))
done

"$SLUICE" verify --shadow "$PG" fast >run.out 2>&1
expect_contains "the run works" "$(cat run.out)" "round trip: ok"
expect_contains "... and says what it dropped" "$(cat run.out)" "held 2 databases and 1 role left by sluice runs that did not finish"
check "a stale scratch database is dropped" absent_db sluice_shadow_999999_0_1000
check "... and its role" absent_role sluice_migrator_999999_0_1000
check "an old-style name with no session is dropped" absent_db sluice_shadow_999998_0
check "a scratch database with a session open stays" exists_db sluice_shadow_999997_0_1000
check "a scratch database younger than the grace stays" exists_db "sluice_shadow_999996_0_$now"
check "... and a young role" exists_role "sluice_migrator_999996_0_$now"
check "a database sluice did not name stays" exists_db sluice_shadow_notours
check "... and the application's" exists_db app_db
check "the run's own scratch database is gone" \
	test "$(sql "SELECT count(*) FROM pg_database WHERE datname ~ '^sluice_shadow_[0-9]+_[0-9]+_[0-9]+$' AND datname NOT LIKE 'sluice_shadow_99999%'")" = 0
kill $busy 2>/dev/null; wait $busy 2>/dev/null

# A real kill -9 while a migration runs.
env --default-signal "$SLUICE" verify --shadow "$PG" slow >/dev/null 2>&1 &
pid=$!
i=0
while [ "$(sql "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(60)%'")" = 0 ] && [ $i -lt 300 ]; do
	sleep 0.1; i=$((i + 1))
done
db=$(sql "SELECT datname FROM pg_database WHERE datname LIKE 'sluice_shadow_${pid}_%'")
role=$(sql "SELECT rolname FROM pg_roles WHERE rolname LIKE 'sluice_migrator_${pid}_%'")
kill -9 $pid; wait $pid 2>/dev/null
check "kill -9 mid-migration leaves its scratch database ($db)" exists_db "$db"
check "... and its role ($role)" exists_role "$role"
# The server notices a dead client only when it next writes to it: end the
# sessions as it eventually would.
sql "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '$db'" >/dev/null
i=0
while [ "$(sql "SELECT count(*) FROM pg_stat_activity WHERE datname = '$db'")" != 0 ] && [ $i -lt 100 ]; do
	sleep 0.1; i=$((i + 1))
done
SLUICE_TEST_REAP_GRACE=0 "$SLUICE" verify --shadow "$PG" fast >next.out 2>&1
expect_contains "the next run works" "$(cat next.out)" "round trip: ok"
check "... and dropped the killed run's database" absent_db "$db"
check "... and its role" absent_role "$role"
finish
