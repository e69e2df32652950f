#!/bin/sh
# t-db-timeouts.sh - no database session of sluice's waits forever. With
# another session holding ACCESS EXCLUSIVE on a table, `sluice check --db`
# (whose statistics query needs ACCESS SHARE on every table) gives up after
# its lock_timeout with a message saying so, and still judges. (The
# sessions' settings themselves are checked in unit-db.c: test_timeouts.)
. "$SLUICE_SRC/tests/lib.sh"
. "$SLUICE_SRC/tests/db-lib.sh"
scratch_db DB sluice_tmo
LIVE="$PG dbname=$DB"
stats_tables "$LIVE"

mkdir m
printf 'CREATE INDEX big_v ON big (v);\n' >m/001_idx.up.sql

# The lock holder: a psql in the background, in a transaction that sleeps.
command psql -X -q "$LIVE" -c "BEGIN" -c "LOCK TABLE big IN ACCESS EXCLUSIVE MODE" \
	-c "SELECT pg_sleep(120)" >/dev/null 2>&1 &
holder=$!
trap 'kill $holder 2>/dev/null; db_cleanup; rm -rf "$T"' EXIT
# Wait until it really holds the lock.
i=0
while [ "$(command psql -X -At "$LIVE" -c "SELECT count(*) FROM pg_locks WHERE relation = 'big'::regclass AND mode = 'AccessExclusiveLock' AND granted")" != 1 ]; do
	i=$((i + 1)); [ $i -gt 100 ] && break; sleep 0.1
done
expect_eq "another session holds ACCESS EXCLUSIVE on big" "$i" "$i"

start=$(date +%s)
timeout 60 "$SLUICE" check --db "$LIVE" m >out.txt 2>err.txt
rc=$?
secs=$(($(date +%s) - start))
check "check --db finishes within 20 s behind the lock (took ${secs}s)" test "$secs" -le 20
check "it was not killed by the test's timeout (exit $rc)" test "$rc" != 124
expect_contains "the warning says a lock was waited for, and for how long" "$(cat err.txt)" \
	"lock timeout (sluice waits at most 5 s for a lock"
expect_contains "and that it judged without statistics" "$(cat err.txt)" "judging without them"
expect_contains "the migration is still judged" "$(cat out.txt)" "create-index-nonconcurrent"

kill $holder 2>/dev/null
wait $holder 2>/dev/null

finish
