#!/bin/sh
# t-db-stats.sh - statistics from a live database scale severities; the
# connection is read-only, its password never shown, and an unreachable
# or refusing database leaves `sluice check` judging statically.
. "$SLUICE_SRC/tests/lib.sh"
. "$SLUICE_SRC/tests/db-lib.sh"
scratch_db DB sluice_stats
LIVE="$PG dbname=$DB"
stats_tables "$LIVE"

mkdir m
printf 'CREATE INDEX small_v ON small (v);\nCREATE INDEX big_v ON big (v);\n' >m/001_idx.up.sql

sev_of() { # FILE SQL-PREFIX RULE: the finding's severity
	python3 - "$@" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for f in d["files"]:
    for s in f["statements"]:
        if s["sql"].startswith(sys.argv[2]):
            for x in s["findings"]:
                if x["rule"] == sys.argv[3]:
                    print(x["severity"])
PY
}
field_of() { # FILE SQL-PREFIX FIELD
	python3 - "$@" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for f in d["files"]:
    for s in f["statements"]:
        if s["sql"].startswith(sys.argv[2]):
            print(s.get(sys.argv[3], "absent"))
PY
}

"$SLUICE" check --format json --db "$LIVE" m >with.json 2>with.err
expect_eq "2,000-row table: CREATE INDEX eased to LOW" "$(sev_of with.json "CREATE INDEX small_v" create-index-nonconcurrent)" LOW
expect_eq "200,000-row table (not large, under blockerSeconds): CREATE INDEX is MEDIUM" "$(sev_of with.json "CREATE INDEX big_v" create-index-nonconcurrent)" MEDIUM
expect_eq "row count of the small table in the JSON" "$(field_of with.json "CREATE INDEX small_v" rows)" 2000
expect_eq "row count of the big table in the JSON" "$(field_of with.json "CREATE INDEX big_v" rows)" 200000
small_est=$(field_of with.json "CREATE INDEX small_v" estimated_lock_seconds)
big_est=$(field_of with.json "CREATE INDEX big_v" estimated_lock_seconds)
check "lock estimates are numbers, the big table's larger ($small_est < $big_est)" \
	python3 -c "import sys; a, b = float(sys.argv[1]), float(sys.argv[2]); sys.exit(not (0 < a < b))" "$small_est" "$big_est"

# Near miss: without a database both are judged alike, and no stats fields appear.
"$SLUICE" check --format json m >without.json 2>/dev/null
expect_eq "without --db the small table's index is HIGH too" "$(sev_of without.json "CREATE INDEX small_v" create-index-nonconcurrent)" HIGH
expect_eq "without --db no rows field" "$(field_of without.json "CREATE INDEX small_v" rows)" absent

out=$("$SLUICE" check --db "$LIVE" m 2>&1)
expect_contains "text output shows the row count" "$out" "big has 200000 rows"
expect_contains "text output shows the lock estimate" "$out" "SHARE held for ~"

out=$(DATABASE_URL="$LIVE" "$SLUICE" check --format json m 2>&1)
expect_contains "DATABASE_URL is used when --db is not given" "$out" '"rows":	200000'

# The setting sluice.db.url, in the user's git config (a repository's .sluice
# may not choose the database: t-trust-settings.sh).
new_repo repo
mkdir -p repo/migrations
cp m/001_idx.up.sql repo/migrations/001_idx.up.sql
git -C repo config sluice.db.url "$LIVE"
out=$("$SLUICE" check -C repo --format json migrations 2>&1)
expect_contains "sluice.db.url is used" "$out" '"rows":	2000'

# Unreachable: a warning, and the judging goes on statically.
"$SLUICE" check --db "host=127.0.0.1 port=1 user=app password=topsecret-1 dbname=x connect_timeout=2" m >unreach.out 2>unreach.err
rc=$?
expect_eq "unreachable database: same exit code as static judging" "$rc" 1
expect_contains "unreachable database: a warning naming it" "$(cat unreach.err)" "cannot connect to 'postgresql://app:***@127.0.0.1:1/x'"
expect_contains "... judging without statistics" "$(cat unreach.err)" "judging without table statistics"
expect_not_contains "... the password is not shown" "$(cat unreach.err unreach.out)" "topsecret-1"
expect_contains "... and the findings are still there" "$(cat unreach.out)" "create-index-nonconcurrent"

# Wrong password: refused, masked.
"$SLUICE" check --db "postgresql://$SLUICE_TEST_PG_PWUSER:wrong-pass-77@$SLUICE_TEST_PG_HOST:$SLUICE_TEST_PG_PORT/$DB" m >pw.out 2>pw.err
expect_contains "wrong password: the server's reason" "$(cat pw.err)" "password authentication failed"
expect_contains "wrong password: masked in the message" "$(cat pw.err)" "$SLUICE_TEST_PG_PWUSER:***@"
expect_not_contains "wrong password: never shown" "$(cat pw.err pw.out)" "wrong-pass-77"

# Read-only: the live database has no new objects after all this.
n=$(command psql -X -At "$LIVE" -c "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'")
expect_eq "the live database was not written to (2 tables, no index)" "$n" 2
finish
