#!/bin/sh
# t-db-shadow.sh - verification on a shadow database: the up/down round
# trip (a good down passes, a wrong one is caught and the object named),
# traced locks (CREATE INDEX takes SHARE, CREATE INDEX CONCURRENTLY
# SHARE UPDATE EXCLUSIVE), statements that fail on a real server, the
# throwaway cluster sluice starts itself, and the time a 10-statement
# migration takes on a warm server.
. "$SLUICE_SRC/tests/lib.sh"
sh "$SLUICE_SRC/tests/pg.sh" need || exit 0
PG=$SLUICE_TEST_PG

# q FILE EXPR: a Python expression over the JSON report `d`.
q() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }
file_of='lambda d, p: [f for f in d["files"] if f["path"].endswith(p)][0]'
rules_in() { # FILE PATH-SUFFIX: every rule found in that file, statements and file level
	q "$1" "' '.join(sorted({x['rule'] for f in d['files'] if f['path'].endswith('$2') for x in f['findings'] + [y for s in f['statements'] for y in s['findings']]}))"
}

mkdir db
printf 'CREATE TABLE users (id bigint PRIMARY KEY, email text, name text);\n' >db/001_users.up.sql
printf 'DROP TABLE users;\n' >db/001_users.down.sql
printf 'CREATE INDEX users_email_idx ON users (email);\n' >db/002_email_idx.up.sql
printf 'DROP INDEX users_email_idx;\n' >db/002_email_idx.down.sql
printf 'CREATE INDEX CONCURRENTLY users_name_idx ON users (name);\n' >db/003_name_idx.up.sql
printf 'DROP INDEX CONCURRENTLY users_name_idx;\n' >db/003_name_idx.down.sql
printf 'ALTER TABLE users ALTER COLUMN email TYPE varchar(200);\n' >db/004_email_type.up.sql
printf 'ALTER TABLE users ALTER COLUMN email TYPE text;\n' >db/004_email_type.down.sql

# In the background for its pid: the scratch database is named after it, and
# other tests create their own on the same server meanwhile.
"$SLUICE" check --format json --shadow "$PG" db >good.json 2>good.err &
good_pid=$!
wait $good_pid
expect_eq "good downs: every round trip ok" \
	"$(q good.json "' '.join(f['round_trip'] for f in d['files'] if 'round_trip' in f)")" "ok ok ok ok"
expect_not_contains "good downs: no down-mismatch" "$(cat good.json)" '"down-mismatch"'
expect_not_contains "good downs: no shadow-apply-error" "$(cat good.json)" '"shadow-apply-error"'
expect_eq "CREATE INDEX traced as SHARE" \
	"$(q good.json "($file_of)(d, '002_email_idx.up.sql')['statements'][0]['traced_lock']")" "SHARE"
expect_eq "CREATE INDEX CONCURRENTLY traced as SHARE UPDATE EXCLUSIVE" \
	"$(q good.json "($file_of)(d, '003_name_idx.up.sql')['statements'][0]['traced_lock']")" "SHARE UPDATE EXCLUSIVE"
expect_contains "the traced locks list the new index too" \
	"$(q good.json "($file_of)(d, '002_email_idx.up.sql')['statements'][0]['traced_locks']")" "users_email_idx ACCESS EXCLUSIVE"
expect_eq "ALTER COLUMN TYPE traced as ACCESS EXCLUSIVE" \
	"$(q good.json "($file_of)(d, '004_email_type.up.sql')['statements'][0]['traced_lock']")" "ACCESS EXCLUSIVE"
expect_not_contains "predictions agree with the traces: no lock-mismatch" "$(cat good.json)" '"lock-mismatch"'
expect_eq "the shadow's scratch database is dropped afterwards" \
	"$(command psql -X -At "$PG" -c "SELECT count(*) FROM pg_database WHERE datname LIKE 'sluice_shadow_${good_pid}_%'")" 0

out=$("$SLUICE" check --shadow "$PG" db 2>&1)
expect_contains "text: prediction beside the trace" "$out" "line 1: predicted SHARE, traced users SHARE"
expect_contains "text: CONCURRENTLY ran outside a transaction" "$out" "(outside a transaction)"
expect_contains "text: round trip" "$out" "round trip: ok"

# Wrong downs: one leaves an index behind, one restores the wrong type.
mkdir bad
cp db/001_* bad/
cp db/002_email_idx.up.sql db/004_email_type.up.sql bad/
printf 'SELECT 1;\n' >bad/002_email_idx.down.sql
printf 'ALTER TABLE users ALTER COLUMN email TYPE varchar(100);\n' >bad/004_email_type.down.sql
"$SLUICE" check --format json --shadow "$PG" bad >bad.json 2>bad.err
rc=$?
expect_eq "wrong downs fail the check" "$rc" 1
expect_eq "round trips: ok, differs, differs" \
	"$(q bad.json "' '.join(f['round_trip'] for f in d['files'] if 'round_trip' in f)")" "ok differs differs"
expect_contains "the index left behind is named" "$(q bad.json "[x['message'] for x in ($file_of)(d, '002_email_idx.down.sql')['findings']]")" \
	'index "users_email_idx" is left behind by the down script'
expect_contains "the column whose type differs is named, with both types" \
	"$(q bad.json "chr(10).join(x['message'] for x in ($file_of)(d, '004_email_type.down.sql')['findings'])")" \
	"column \"users.email\" differs after the down script: was 'text', now 'character varying(100)'"
expect_eq "the good down in the same run is not flagged" "$(rules_in bad.json 001_users.down.sql)" ""

# A statement that fails on a real server.
mkdir fails
cp db/001_* fails/
printf 'ALTER TABLE users ADD COLUMN age int;\nALTER TABLE users DROP COLUMN no_such_column;\n' >fails/002_age.up.sql
printf 'ALTER TABLE users DROP COLUMN age;\n' >fails/002_age.down.sql
"$SLUICE" check --format json --shadow "$PG" fails >fails.json 2>/dev/null
expect_contains "a failing statement gets shadow-apply-error with the server's message" \
	"$(q fails.json "[x['message'] for s in ($file_of)(d, '002_age.up.sql')['statements'] for x in s['findings'] if x['rule'] == 'shadow-apply-error']")" \
	'column "no_such_column" of relation "users" does not exist'
expect_eq "... on its own line" \
	"$(q fails.json "[s['line'] for s in ($file_of)(d, '002_age.up.sql')['statements'] if any(x['rule'] == 'shadow-apply-error' for x in s['findings'])]")" "[2]"

# No shadow to be had: a clear message, exit 2.
"$SLUICE" check --shadow "host=127.0.0.1 port=1 user=postgres password=pw-zz dbname=postgres" db >/dev/null 2>noshadow.err
expect_eq "unreachable shadow: exit 2" "$?" 2
expect_contains "unreachable shadow: says so, masked" "$(cat noshadow.err)" "no shadow database: cannot connect to 'postgresql://postgres:***@127.0.0.1:1/postgres'"

# sluice verify: a throwaway cluster of its own, removed afterwards.
mkdir "$T/tmp"
chmod 755 "$T" "$T/tmp"   # as root the server runs as postgres, which must reach it
TMPDIR="$T/tmp" "$SLUICE" verify --format json db >own.json 2>own.err
expect_eq "verify on a throwaway cluster: every round trip ok" \
	"$(q own.json "' '.join(f['round_trip'] for f in d['files'] if 'round_trip' in f)")" "ok ok ok ok"
expect_eq "... it says where it ran" "$(q own.json "d['shadow']['server']")" "a throwaway cluster"
expect_eq "... and its directory is gone" "$(ls "$T/tmp" | wc -l | tr -d ' ')" 0

# Timing: a 10-statement migration on a warm server.
mkdir perf
cp db/001_* perf/
{
	echo "ALTER TABLE users ADD COLUMN a1 int;"
	echo "ALTER TABLE users ADD COLUMN a2 text DEFAULT 'x';"
	echo "CREATE INDEX users_a1_idx ON users (a1);"
	echo "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id), total numeric(10,2));"
	echo "CREATE INDEX orders_user_idx ON orders (user_id);"
	echo "ALTER TABLE users ADD CONSTRAINT users_a1_pos CHECK (a1 > 0) NOT VALID;"
	echo "ALTER TABLE users VALIDATE CONSTRAINT users_a1_pos;"
	echo "CREATE TYPE order_state AS ENUM ('new', 'paid');"
	echo "ALTER TABLE orders ADD COLUMN state order_state NOT NULL DEFAULT 'new';"
	echo "COMMENT ON TABLE orders IS 'orders';"
} >perf/002_ten.up.sql
printf 'DROP TABLE orders;\nDROP TYPE order_state;\nALTER TABLE users DROP COLUMN a1, DROP COLUMN a2;\n' >perf/002_ten.down.sql
"$SLUICE" check --format json --shadow "$PG" perf >perf.json 2>/dev/null
secs=$(q perf.json "d['shadow']['seconds']")
expect_eq "10-statement migration: round trip ok" "$(q perf.json "($file_of)(d, '002_ten.up.sql')['round_trip']")" ok
check "10-statement migration verified in under 2 s on a warm server (${secs} s)" \
	python3 -c "import sys; sys.exit(not float(sys.argv[1]) < 2)" "$secs"
diag "shadow verification of a 10-statement migration (with its history): $secs s"
finish
