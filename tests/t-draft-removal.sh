#!/bin/sh
# t-draft-removal.sh - DROP COLUMN and DROP TABLE drafted as removals
# (core/draft/draft_rw_drop.c), on the real test server:
#   - the code stops using it first: each drop is its own later migration
#     carrying `-- sluice: deploy first: FILE:LINE` (the cross-check's
#     list) and the note names the code and the step; a NOT NULL column
#     without a default is made nullable in the first step;
#   - the backup is a `\copy (SELECT key, column ...) TO` file or
#     `pg_dump --table`, never a copy in the same database;
#   - verified on the shadow with the app's statements replayed (the ones
#     using the dropped things are expected to fail, the others pass);
#   - on 20,000 rows: the backup commands run as written, every up
#     applies, the downs bring back the exact schema, and the values come
#     back from the \copy file and the pg_dump archive.
. "$SLUICE_SRC/tests/lib.sh"
. "$SLUICE_SRC/tests/db-lib.sh"
. "$SLUICE_SRC/tests/draft-lib.sh"

q() { command psql -X -q -At -v ON_ERROR_STOP=1 "$PG dbname=$1" -c "$2" 2>&1; }

new_repo r
mkdir -p r/db/migrations r/app
cat >r/db/migrations/000001_init.up.sql <<'SQL'
CREATE TABLE users (id bigserial PRIMARY KEY, email text NOT NULL, nick text NOT NULL CHECK (nick <> ''));
CREATE TABLE legacy (id int PRIMARY KEY, v text);
CREATE INDEX legacy_v_idx ON legacy (v);
SQL
printf 'DROP TABLE legacy;\nDROP TABLE users;\n' >r/db/migrations/000001_init.down.sql
cat >r/app/a.go <<'EOF'
package app

const byNick = `SELECT id FROM users WHERE nick = $1`

const old = `SELECT v FROM legacy WHERE id = $1`

const byEmail = `SELECT id, email FROM users WHERE email = $1`
EOF
commit_all r "history and app"
printf 'ALTER TABLE users DROP COLUMN nick;\nDROP TABLE legacy;\n' >r/db/migrations/000002_drop.up.sql

out=$(cd r && "$SLUICE" draft --shadow "$PG" db/migrations/000002_drop.up.sql 2>&1)
expect_eq "removal: drafted and verified on the shadow" "$?" 0
expect_contains "removal: the first step makes the NOT NULL column nullable" "$out" \
	"==> db/migrations/000002_drop.up.sql <==  -- the migration, without its risky statements
SET LOCAL lock_timeout = '2s';
ALTER TABLE users ALTER COLUMN nick DROP NOT NULL;"
expect_contains "removal: the column's drop is a later migration, after the code and the backup" "$out" \
	"==> db/migrations/000003_drop_users_nick.up.sql <==  -- drop column users.nick, once no deployed code uses it and the backup is taken
-- sluice: deploy first: app/a.go:3
-- sluice: backup first: \\copy (SELECT id, nick FROM users) TO 'users_nick.csv' CSV HEADER
SET LOCAL lock_timeout = '2s';
ALTER TABLE users DROP COLUMN nick;"
expect_contains "removal: the table's drop, backed up with pg_dump" "$out" \
	"-- sluice: deploy first: app/a.go:5
-- sluice: backup first: pg_dump --format=custom --table='legacy' --file=legacy.dump \"\$DATABASE_URL\"
SET LOCAL lock_timeout = '2s';
DROP TABLE legacy;"
expect_contains "removal: the note says which code deploys before which step" "$out" \
	"deploy first: the code at app/a.go:3 must be deployed before db/migrations/000003_drop_users_nick.up.sql"
expect_contains "removal: the table's down is the history's (primary key, index)" "$out" \
	"CREATE TABLE legacy (id int PRIMARY KEY, v text);
CREATE INDEX legacy_v_idx ON legacy (v);"
expect_not_contains "removal: no copy of user data in the same database" "$out" "CREATE TABLE legacy_backup"
expect_not_contains "removal: no CREATE TABLE AS" "$out" " AS SELECT"
expect_contains "removal: the replay expects the two statements, the third passes" "$out" \
	"3 app statements replayed after each step (2 wait for the code deploy the draft orders first)"
expect_contains "removal: safer than the original" "$out" "verified: worst finding BLOCKER before, HIGH after"

(cd r && "$SLUICE" draft --out . db/migrations/000002_drop.up.sql >/dev/null 2>&1)
scratch_db rdb removal
apply_files "$PG dbname=$rdb" r/db/migrations/000001_init.up.sql
q "$rdb" "INSERT INTO users (email, nick) SELECT 'u' || g || '@x', 'n' || g FROM generate_series(1, 20000) g;
INSERT INTO legacy SELECT g * 37, md5(g::text) FROM generate_series(1, 20000) g" >/dev/null
before=$(schema_of "$PG dbname=$rdb")
sums=$(q "$rdb" "SELECT md5(string_agg(id || nick, ',' ORDER BY id)) FROM users; SELECT md5(string_agg(id || v, ',' ORDER BY id)) FROM legacy")
ups=$(drafted_ups r)
cd "$T"
for f in $ups; do
	# the backup line of each step, run as written, before the step
	b=$(sed -n 's/^-- sluice: backup first: //p' "$f")
	case $b in
	'\copy'*) command psql -X -q -v ON_ERROR_STOP=1 "$PG dbname=$rdb" -c "$b" >/dev/null 2>"$T/b.err" || cat "$T/b.err" ;;
	pg_dump*) DATABASE_URL="$PG dbname=$rdb" sh -c "$b" 2>"$T/b.err" || cat "$T/b.err" ;;
	esac
	apply_files "$PG dbname=$rdb" "$f"
done
expect_eq "removal: the \\copy backup holds every row and a header" "$(wc -l <users_nick.csv | tr -d ' ')" 20001
check "removal: the pg_dump archive holds the table's data" sh -c "pg_restore -l legacy.dump | grep -q 'TABLE DATA public legacy'"
expect_eq "removal: both gone" "$(q "$rdb" "SELECT to_regclass('legacy') IS NULL AND NOT EXISTS (SELECT FROM pg_attribute WHERE attrelid = 'users'::regclass AND attname = 'nick' AND NOT attisdropped)")" t

# roll back: the downs in order, the values loaded back as the down's comment says
downs=$(drafted_downs r)
for f in $downs; do
	apply_files "$PG dbname=$rdb" "$f"
	case $f in
	*drop_users_nick*)
		command psql -X -q -v ON_ERROR_STOP=1 "$PG dbname=$rdb" -c "CREATE TABLE nick_back (id bigint, nick text)" \
			-c "\\copy nick_back FROM 'users_nick.csv' CSV HEADER" \
			-c "UPDATE users u SET nick = b.nick FROM nick_back b WHERE b.id = u.id" -c "DROP TABLE nick_back" >/dev/null ;;
	*drop_legacy*)
		pg_restore --data-only --dbname="$PG dbname=$rdb" legacy.dump ;;
	esac
done
expect_eq "removal: the downs restore the schema exactly" "$(schema_of "$PG dbname=$rdb")" "$before"
expect_eq "removal: and, from the backups, every value" \
	"$(q "$rdb" "SELECT md5(string_agg(id || nick, ',' ORDER BY id)) FROM users; SELECT md5(string_agg(id || v, ',' ORDER BY id)) FROM legacy")" "$sums"

finish
