#!/bin/sh
# t-shadow-trust.sh - the shadow is not a place to run anything. A
# migration that drops another database, makes a role a superuser, changes
# the server's configuration and runs a program through COPY is verified
# with --shadow (the test server) and on a throwaway cluster, with `draft
# --shadow`, and as history for `sluice drift`: the victim database is still there, the role unchanged,
# ALTER SYSTEM never written, the program never run; the report names each
# of those statements as unverifiable and never says "round trip: ok".
# Dynamic SQL the parse tree cannot see fails, because the migration runs
# as a role that is not a superuser. A shadow user that cannot create roles
# is said to run the migrations itself; a superuser that cannot hand them
# to a role of their own is refused.
. "$SLUICE_SRC/tests/lib.sh"
. "$SLUICE_SRC/tests/db-lib.sh"
scratch_db VICTIM victim
APP=app_trust_$$
PLAIN=plain_trust_$$
psql "$PG" -c "CREATE ROLE $APP NOSUPERUSER" -c "CREATE ROLE $PLAIN LOGIN CREATEDB NOSUPERUSER"
trap 'db_cleanup; command psql -X -q "$PG" -c "DROP ROLE IF EXISTS $APP" -c "DROP ROLE IF EXISTS $PLAIN" -c "ALTER SYSTEM RESET work_mem" >/dev/null 2>&1; rm -rf "$T"' EXIT

# q FILE EXPR: a Python expression over the JSON report `d`.
q() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }
unverifiable_lines() { # FILE: lines of the up file's statements flagged shadow-unverifiable
	q "$1" "[s['line'] for f in d['files'] if f['path'].endswith('001_evil.up.sql') for s in f['statements'] if any(x['rule'] == 'shadow-unverifiable' for x in s['findings'])]"
}
untouched() { # WHERE: the server is as it was
	expect_eq "$1: the victim database still exists" \
		"$(command psql -X -At "$PG" -c "SELECT count(*) FROM pg_database WHERE datname = '$VICTIM'")" 1
	expect_eq "$1: the role is still not a superuser" \
		"$(command psql -X -At "$PG" -c "SELECT rolsuper FROM pg_roles WHERE rolname = '$APP'")" f
	expect_eq "$1: ALTER SYSTEM wrote nothing" \
		"$(command psql -X -At "$PG" -c "SELECT count(*) FROM pg_file_settings WHERE name = 'work_mem'")" 0
	check "$1: the program was never run" test ! -e "$T/pwned"
	expect_eq "$1: no role of sluice's is left behind" \
		"$(command psql -X -At "$PG" -c "SELECT count(*) FROM pg_roles WHERE rolname LIKE 'sluice_migrator_%'")" 0
}

mkdir db
cat >db/001_evil.up.sql <<SQL
CREATE TABLE t (id int);
DROP DATABASE $VICTIM;
ALTER ROLE $APP SUPERUSER;
ALTER SYSTEM SET work_mem = '77MB';
COPY (SELECT 1) TO PROGRAM 'touch $T/pwned';
SELECT lo_import('/etc/passwd');
SQL
printf 'DROP TABLE t;\n' >db/001_evil.down.sql

"$SLUICE" verify --format json --shadow "$PG" db >given.json 2>given.err
untouched "--shadow URL"
expect_eq "--shadow URL: each reaching statement is unverifiable" "$(unverifiable_lines given.json)" "[2, 3, 4, 5, 6]"
expect_eq "--shadow URL: the round trip is partial, not ok" \
	"$(q given.json "[f['round_trip'] for f in d['files'] if 'round_trip' in f]")" "['partial']"
expect_contains "--shadow URL: the reason names the database" "$(cat given.json)" \
	"not run on the shadow database: it acts on a database, beyond the scratch database"
expect_contains "--shadow URL: the reason names the program" "$(cat given.json)" \
	"it runs a program on the database server (COPY ... PROGRAM)"

out=$("$SLUICE" verify --shadow "$PG" db 2>&1)
untouched "--shadow URL, text"
expect_not_contains "text: never 'round trip: ok'" "$out" "round trip: ok"
expect_contains "text: what was not checked, counted" "$out" "round trip: partial (5 statements not run"
expect_contains "text: each one named with its line" "$out" "line 3: not run (unverifiable): it acts on a role"

"$SLUICE" verify --format json db >own.json 2>own.err
untouched "throwaway cluster"
expect_eq "throwaway cluster: each reaching statement is unverifiable" "$(unverifiable_lines own.json)" "[2, 3, 4, 5, 6]"

# Dynamic SQL the parse tree cannot see: the role it runs as is no superuser.
mkdir dyn
printf 'DO $$ BEGIN EXECUTE %s; END $$;\n' "'CREATE ROLE evil_$$ SUPERUSER'" >dyn/001_dyn.up.sql
printf "DO \$\$ BEGIN EXECUTE 'COPY (SELECT 1) TO PROGRAM ''touch $T/pwned'''; END \$\$;\n" >dyn/002_dyn.up.sql
for where in "$PG" ""; do
	"$SLUICE" verify --format json ${where:+--shadow "$where"} dyn >dyn.json 2>dyn.err
	untouched "dynamic SQL${where:+ on --shadow URL}"
	expect_contains "dynamic SQL${where:+ on --shadow URL}: refused by the server, not run as a superuser" \
		"$(q dyn.json "[x['message'] for f in d['files'] for s in f['statements'] for x in s['findings'] if x['rule'] == 'shadow-apply-error']")" \
		"must be superuser"
	expect_eq "dynamic SQL${where:+ on --shadow URL}: no role created" \
		"$(command psql -X -At "$PG" -c "SELECT count(*) FROM pg_roles WHERE rolname = 'evil_$$'")" 0
done

# History (not pending) with statements that reach out, and a GRANT to a
# role whose CREATE ROLE was not run: skipped, named, the rest applies.
new_repo repo
mkdir -p repo/db/migrations
printf 'CREATE ROLE reader_x;\nCREATE TABLE t (id int);\nGRANT SELECT ON t TO reader_x;\nDROP DATABASE %s;\n' "$VICTIM" >repo/db/migrations/000001_hist.up.sql
commit_all repo "history"
git -C repo checkout -q -b feature
printf 'ALTER TABLE t ADD COLUMN v int;\n' >repo/db/migrations/000002_v.up.sql
printf 'ALTER TABLE t DROP COLUMN v;\n' >repo/db/migrations/000002_v.down.sql
commit_all repo "pending"
out=$("$SLUICE" -C repo verify --shadow "$PG" 2>&1)
untouched "history"
expect_contains "history: the CREATE ROLE is named as not run" "$out" \
	"shadow: not run (unverifiable): db/migrations/000001_hist.up.sql:1: it acts on a role"
expect_contains "history: the GRANT to that role is named as not run" "$out" \
	"db/migrations/000001_hist.up.sql:3: it names the role \"reader_x\", whose CREATE ROLE was not run"
expect_contains "history: the rest applies, the pending migration round-trips" "$out" "round trip: ok"
expect_eq "history: no role reader_x was created" \
	"$(command psql -X -At "$PG" -c "SELECT count(*) FROM pg_roles WHERE rolname = 'reader_x'")" 0

out=$("$SLUICE" -C repo drift --db "$PG dbname=$VICTIM" --shadow "$PG" 2>&1)
untouched "drift"
expect_contains "drift: a history statement not run is named, not covered" "$out" \
	"not run on the shadow, so not covered: db/migrations/000001_hist.up.sql:4: it acts on a database"

# A user that cannot create roles, and is not a superuser: it runs them itself, and says so.
out=$("$SLUICE" verify --shadow "$PG user=$PLAIN" db 2>&1)
untouched "a user without CREATEROLE"
expect_contains "a user without CREATEROLE: said so" "$out" \
	"shadow: note: the shadow's user cannot create roles: the migrations run as '$PLAIN' itself, which is not a superuser"
# A superuser that cannot create the role (here: a read-only session) is refused.
"$SLUICE" verify --shadow "$PG options='-c default_transaction_read_only=on'" db >ro.out 2>ro.err
rc=$?
expect_eq "a superuser that cannot hand over to a role: refused (exit 2)" "$rc" 2
expect_contains "... with a message that says why" "$(cat ro.err)" "is a superuser, and sluice runs a migration only as a role that is not"

# draft --verify: the same migration, drafted. (A down draft keeps the original up.)
new_repo drepo
mkdir -p drepo/db/migrations
printf 'CREATE TABLE t (id int);\n' >drepo/db/migrations/000001_t.up.sql
printf 'DROP TABLE t;\n' >drepo/db/migrations/000001_t.down.sql
commit_all drepo "base"
git -C drepo checkout -q -b feature
cp db/001_evil.up.sql drepo/db/migrations/000002_evil.up.sql
sed -i '1d' drepo/db/migrations/000002_evil.up.sql
commit_all drepo "evil"
out=$("$SLUICE" -C drepo draft --shadow "$PG" --down db/migrations/000002_evil.up.sql 2>&1)
untouched "draft --shadow"
expect_contains "draft --shadow: the summary says what was not run" "$out" "statements not run, unverifiable"
expect_not_contains "draft --shadow: never a plain 'round trip ok'" "$out" "round trip ok,"
finish
