#!/bin/sh
# t-draft-cases3.sh - issue 14's leftovers, each drafted, verified on the
# shadow (seeded rows, the app's statements replayed after every step) and
# run on the real test server:
#   - a CHECK the app's INSERTs violate (col IS NOT NULL): the cross-check
#     names the INSERT, the NOT VALID step carries `-- sluice: deploy first:
#     FILE:LINE`, the note says which code deploys before which file, the
#     replay expects that INSERT (only it) to fail from there on;
#   - text -> int USING: the first step carries the exact count of values
#     the conversion refuses (`-- sluice: check first:`), the runbook makes
#     it a check with what to do when it is not 0; on rows with one value
#     that overflows int it counts 1, after fixing it 0;
#   - a one-statement golang-migrate file (the instant ADD COLUMN ... NOT
#     NULL DEFAULT) gets SET LOCAL lock_timeout: sent as golang-migrate
#     sends it, it gives up after 2 s behind a held lock instead of queueing;
#   - DROP TABLE of a table other tables' foreign keys point at: a step
#     before the drop (after the same code deploy) drops them, verified on
#     the shadow (the drop failed there), and its down adds them back and
#     validates them; rolled back with the backup loaded between the two
#     downs, the schema is the one before and the rows are back.
. "$SLUICE_SRC/tests/lib.sh"
. "$SLUICE_SRC/tests/db-lib.sh"
. "$SLUICE_SRC/tests/draft-lib.sh"

q() { command psql -X -q -At -v ON_ERROR_STOP=1 "$PG dbname=$1" -c "$2" 2>&1; }

new_repo r
mkdir -p r/db/migrations r/app
cat >r/db/migrations/000001_init.up.sql <<'SQL'
CREATE TABLE users (id bigserial PRIMARY KEY, email text NOT NULL, plan text);
CREATE TABLE orders (id bigserial PRIMARY KEY, user_id bigint REFERENCES users (id), total numeric);
CREATE TABLE items (id bigserial PRIMARY KEY, qty text);
SQL
printf 'DROP TABLE items;\nDROP TABLE orders;\nDROP TABLE users;\n' >r/db/migrations/000001_init.down.sql
cat >r/app/users.go <<'EOF'
package app

const insertUser = `INSERT INTO users (email) VALUES ($1)`

const setPlan = `UPDATE users SET plan = $1 WHERE id = $2`

const byEmail = `SELECT id, email FROM users WHERE email = $1`
EOF
commit_all r "history and app"
mig=r/db/migrations/000002_change.up.sql

# --- a CHECK the app's INSERT violates ------------------------------------------------------
printf 'ALTER TABLE users ADD CONSTRAINT users_plan_present CHECK (plan IS NOT NULL);\n' >$mig
expect_contains "check: the cross-check names the INSERT that does not set the column" \
	"$("$SLUICE" -C r check 2>&1)" \
	"HIGH [app-insert-missing-column] column users.plan becomes NOT NULL but 1 INSERT or model in the app does not set it: app/users.go:3"
out=$(cd r && "$SLUICE" draft --shadow "$PG" db/migrations/000002_change.up.sql 2>&1)
expect_eq "check: drafted and verified on the shadow" "$?" 0
expect_contains "check: the NOT VALID step says which code deploys first" "$out" \
	"==> db/migrations/000002_change.up.sql <==  -- add check 'users_plan_present' NOT VALID: checked for new rows only, no scan
-- sluice: deploy first: app/users.go:3
SET LOCAL lock_timeout = '2s';
ALTER TABLE users ADD CONSTRAINT users_plan_present CHECK (plan IS NOT NULL) NOT VALID;"
expect_contains "check: the note names the code and the step" "$out" \
	"deploy first: the code at app/users.go:3 must be deployed before db/migrations/000002_change.up.sql"
expect_contains "check: the replay expects that INSERT, and only it, to fail" "$out" \
	"3 app statements replayed after each step (1 waits for the code deploy the draft orders first)"
expect_not_contains "check: the VALIDATE step carries no deploy line" \
	"$(printf '%s\n' "$out" | sed -n '/000003_validate_users_plan_present.up.sql/,/^==>.*down/p')" "deploy first"
(cd r && "$SLUICE" draft --out . db/migrations/000002_change.up.sql >/dev/null 2>&1)
out=$("$SLUICE" -C r check 2>&1)
expect_contains "check: the written draft is sequenced (MEDIUM)" "$out" \
	"MEDIUM [app-insert-missing-column] column users.plan becomes NOT NULL but 1 INSERT or model in the app does not set it: app/users.go:3; the migrations say this code deploys first"
expect_not_contains "check: no HIGH left for it" "$out" "HIGH [app-insert-missing-column]"
rm -f r/db/migrations/00000[2-9]_*

# --- text -> int USING: the values the conversion refuses, counted ----------------------------
printf "ALTER TABLE items ALTER COLUMN qty TYPE int USING NULLIF(regexp_replace(qty, '\\\\D', '', 'g'), '')::int;\n" >$mig
out=$(cd r && "$SLUICE" draft --shadow "$PG" db/migrations/000002_change.up.sql 2>&1)
expect_eq "cast: drafted and verified on the shadow" "$?" 0
check_line=$(printf '%s\n' "$out" | sed -n 's/^-- sluice: check first: //p')
expect_contains "cast: the first step carries the exact count" "$check_line" \
	"PERFORM (NULLIF(regexp_replace(qty, '\\D', '', 'g'), '')::int)::int FROM items WHERE ctid = r.ctid"
expect_eq "cast: on the first step only" "$(printf '%s\n' "$out" | grep -c '^-- sluice: check first:')" 1
expect_contains "cast: the note points at it" "$out" "the first step's '-- sluice: check first:' line"
rb=$(cd r && "$SLUICE" draft --runbook db/migrations/000002_change.up.sql 2>&1)
expect_contains "cast: the runbook runs it before the first step" "$rb" \
	"- [ ] Values the conversion refuses: the NOTICE must say 0 (run it on a replica: it only reads, row by row):
  \`\`\`sql
  $check_line"
expect_contains "cast: and says what to do when it is not 0" "$rb" \
	"Not 0: do not run this step."
scratch_db cdb cast
apply_files "$PG dbname=$cdb" r/db/migrations/000001_init.up.sql
q "$cdb" "INSERT INTO items (qty) SELECT g || ' pcs' FROM generate_series(1, 2000) g;
INSERT INTO items (qty) VALUES ('none'), ('99999999999 pcs'), (NULL)" >/dev/null
notice=$(command psql -X -q -v ON_ERROR_STOP=1 "$PG dbname=$cdb" -c "$check_line" 2>&1)
expect_contains "cast: on the server it counts the one value that overflows int" "$notice" \
	"sluice check: 1 value(s) the conversion refuses"
q "$cdb" "UPDATE items SET qty = NULL WHERE length(regexp_replace(qty, '\\D', '', 'g')) > 9" >/dev/null
notice=$(command psql -X -q -v ON_ERROR_STOP=1 "$PG dbname=$cdb" -c "$check_line" 2>&1)
expect_contains "cast: fixed, it counts 0" "$notice" "sluice check: 0 value(s) the conversion refuses"
(cd r && "$SLUICE" draft --out . db/migrations/000002_change.up.sql >/dev/null 2>&1)
err=$(apply_files "$PG dbname=$cdb" $(drafted_ups r))
expect_eq "cast: then every step applies on the rows" "$err" ""
expect_eq "cast: the values converted" "$(q "$cdb" "SELECT count(*) FROM items WHERE qty = 2000")" 1
rm -f r/db/migrations/00000[2-9]_*

# --- one statement, golang-migrate: SET LOCAL lock_timeout ------------------------------------
printf 'ALTER TABLE users ADD COLUMN tier text NOT NULL;\n' >$mig
out=$(cd r && "$SLUICE" draft --shadow "$PG" --set "users.tier='free'" db/migrations/000002_change.up.sql 2>&1)
expect_eq "lock_timeout: the instant statement verifies on the shadow" "$?" 0
expect_contains "lock_timeout: the one-statement file gets it" "$out" \
	"==> db/migrations/000002_change.up.sql <==  -- the migration, without its risky statements
SET LOCAL lock_timeout = '2s';
ALTER TABLE users ADD COLUMN tier text NOT NULL DEFAULT 'free';"
(cd r && "$SLUICE" draft --set "users.tier='free'" --out . db/migrations/000002_change.up.sql >/dev/null 2>&1)
expect_eq "lock_timeout: check of the written file finds no lock-timeout-missing" \
	"$("$SLUICE" -C r check 2>&1 | grep -c 'lock-timeout-missing')" 0
scratch_db ldb locks
apply_files "$PG dbname=$ldb" r/db/migrations/000001_init.up.sql
q "$ldb" "INSERT INTO users (email) SELECT 'u' || g FROM generate_series(1, 1000) g" >/dev/null
command psql -X -q "$PG dbname=$ldb" -c "BEGIN; LOCK TABLE users IN ACCESS SHARE MODE; SELECT pg_sleep(8); COMMIT;" \
	>/dev/null 2>&1 &
holder=$!
sleep 1
start=$(date +%s)
err=$(apply_files "$PG dbname=$ldb" $mig)
took=$(($(date +%s) - start))
expect_contains "lock_timeout: sent as one query behind a held lock, it gives up" "$err" "lock timeout"
check "lock_timeout: after about 2 s, not after the holder's 8 s ($took s)" test "$took" -le 5
wait "$holder"
err=$(apply_files "$PG dbname=$ldb" $mig)
expect_eq "lock_timeout: retried without the holder, it applies" "$err" ""
expect_eq "lock_timeout: existing rows have the value" "$(q "$ldb" "SELECT count(*) FROM users WHERE tier = 'free'")" 1000
rm -f r/db/migrations/00000[2-9]_*

# --- DROP TABLE with inbound foreign keys -------------------------------------------------------
printf 'DROP TABLE users;\n' >$mig
out=$(cd r && "$SLUICE" draft --shadow "$PG" db/migrations/000002_change.up.sql 2>&1)
expect_eq "drop: drafted and verified on the shadow" "$?" 0
expect_contains "drop: the inbound foreign key goes first, in a step of its own after the code" "$out" \
	"==> db/migrations/000002_change.up.sql <==  -- drop the foreign keys that point at users, once no deployed code uses it
-- sluice: deploy first: app/users.go:3, app/users.go:5, app/users.go:7
SET LOCAL lock_timeout = '2s';
ALTER TABLE orders DROP CONSTRAINT orders_user_id_fkey;"
expect_contains "drop: its down says to load the backup first, then adds it back and validates it" "$out" \
	"-- sluice: before this down: if the next step dropped 'users', its down made the table again, empty: load its backup into it first, or VALIDATE fails on the rows that point at it
ALTER TABLE orders ADD CONSTRAINT orders_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;
ALTER TABLE orders VALIDATE CONSTRAINT orders_user_id_fkey;"
expect_contains "drop: then the table, after the same code and the backup" "$out" \
	"==> db/migrations/000003_drop_users.up.sql <==  -- drop table users, once no deployed code uses it and the backup is taken
-- sluice: deploy first: app/users.go:3, app/users.go:5, app/users.go:7
-- sluice: backup first: pg_dump --format=custom --table='users' --file=users.dump \"\$DATABASE_URL\"
SET LOCAL lock_timeout = '2s';
DROP TABLE users;"
expect_contains "drop: the note says to load the backup before the key's down" "$out" \
	"drops the foreign key orders_user_id_fkey on 'orders' in the step before; rolling back, that step's down validates it again: load the table's backup before it"
expect_contains "drop: the shadow's round trip restores the schema" "$out" "round trip ok"
rb=$(cd r && "$SLUICE" draft --runbook db/migrations/000002_change.up.sql 2>&1)
expect_contains "drop: the runbook's rollback from the key's step says so too" "$rb" \
	"-- sluice: before this down: if the next step dropped 'users', its down made the table again, empty: load its backup into it first"
(cd r && "$SLUICE" draft --out . db/migrations/000002_change.up.sql >/dev/null 2>&1)
scratch_db ddb dropfk
apply_files "$PG dbname=$ddb" r/db/migrations/000001_init.up.sql
q "$ddb" "INSERT INTO users (email) SELECT 'u' || g FROM generate_series(1, 5000) g;
INSERT INTO orders (user_id, total) SELECT g, g FROM generate_series(1, 5000) g" >/dev/null
before=$(schema_of "$PG dbname=$ddb")
cd "$T"
for f in $(drafted_ups r); do
	b=$(sed -n 's/^-- sluice: backup first: //p' "$f")
	[ -n "$b" ] && DATABASE_URL="$PG dbname=$ddb" sh -c "$b"
	err=$(apply_files "$PG dbname=$ddb" "$f")
	expect_eq "drop: $(basename "$f") applies with rows referencing the table" "$err" ""
done
expect_eq "drop: the table is gone, orders stay" "$(q "$ddb" "SELECT to_regclass('users') IS NULL, count(*) FROM orders")" "t|5000"
for f in $(drafted_downs r); do
	err=$(apply_files "$PG dbname=$ddb" "$f")
	expect_eq "drop: the down $(basename "$f") applies" "$err" ""
	# the table is back: its rows from the backup before the key's down validates it
	case $f in *drop_users*) pg_restore --data-only --dbname="$PG dbname=$ddb" users.dump ;; esac
done
expect_eq "drop: the downs, with the backup loaded, restore the schema exactly" \
	"$(schema_of "$PG dbname=$ddb")" "$before"
expect_eq "drop: and the rows are back" "$(q "$ddb" "SELECT count(*) FROM users")" 5000

finish
