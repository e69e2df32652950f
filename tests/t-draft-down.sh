#!/bin/sh
# t-draft-down.sh - down migrations from the parse tree and the schema
# model: every reversible statement undone, last first, with the old type
# or definition taken from the history; irreversible ones (DROP COLUMN,
# DROP TABLE, UPDATE) get a DATA LOSS block naming what a backup must hold.
# The down is written with --out and judged: it parses.
. "$SLUICE_SRC/tests/lib.sh"
. "$SLUICE_SRC/tests/draft-lib.sh"

down() { # DIR SQL
	draft_repo "$1" "$2"
	(cd "$1" && "$SLUICE" draft --down db/migrations/000002_change.up.sql 2>&1)
}

out=$(down rev "CREATE TABLE tags (id bigserial PRIMARY KEY, name text);
ALTER TABLE users ADD COLUMN status text;
CREATE INDEX CONCURRENTLY users_age_idx ON users (age);
ALTER TABLE users ADD CONSTRAINT users_age_check CHECK (age > 0) NOT VALID;
ALTER TABLE users RENAME COLUMN nick TO handle;
ALTER TABLE users ALTER COLUMN age TYPE bigint;
ALTER TABLE users ALTER COLUMN age SET NOT NULL;
CREATE VIEW active_users AS SELECT * FROM users;
CREATE TYPE mood AS ENUM ('ok', 'sad');
ALTER TABLE orgs RENAME TO organisations;")
expect_contains "down: written where golang-migrate expects it" "$out" \
	"==> db/migrations/000002_change.down.sql <==  -- down migration"
expect_contains "down: every statement reversed, last first" "$out" "ALTER TABLE organisations RENAME TO orgs;
DROP TYPE IF EXISTS mood;
DROP VIEW IF EXISTS active_users;
ALTER TABLE users ALTER COLUMN age DROP NOT NULL;
ALTER TABLE users ALTER COLUMN age TYPE int4 USING age::int4;
ALTER TABLE users RENAME COLUMN handle TO nick;
ALTER TABLE users DROP CONSTRAINT IF EXISTS users_age_check;
DROP INDEX CONCURRENTLY IF EXISTS users_age_idx;
ALTER TABLE users DROP COLUMN IF EXISTS status;
DROP TABLE IF EXISTS tags;"
expect_not_contains "reversible: no data-loss block" "$out" "DATA LOSS"
expect_contains "down parses" "$out" "# verified: every statement parses"

out=$(down dropcol "ALTER TABLE users DROP COLUMN nick;")
expect_contains "DROP COLUMN: data-loss block" "$out" "-- DATA LOSS: this migration cannot be fully undone."
expect_contains "DROP COLUMN: names what the backup must hold" "$out" \
	"DROP COLUMN users.nick text: every value of the column"
expect_contains "DROP COLUMN: backup command, a file outside the database" "$out" \
	"\\copy (SELECT * FROM users) TO 'users_nick.csv' CSV HEADER"
expect_not_contains "DROP COLUMN: no copy of user data into the same database" "$out" "CREATE TABLE users_nick_backup"
expect_contains "DROP COLUMN: the shape comes back" "$out" "ALTER TABLE users ADD COLUMN nick text;"
expect_contains "DROP COLUMN: a note outside the file too" "$out" "# note: data loss"

out=$(down droptable "DROP TABLE orgs;")
expect_contains "DROP TABLE: names the table's rows" "$out" "DROP TABLE orgs: every row of the table"
expect_contains "DROP TABLE: backup command" "$out" "pg_dump --table=orgs --data-only"
expect_contains "DROP TABLE: recreated as the history created it, primary key included" "$out" \
	"CREATE TABLE orgs (id bigserial PRIMARY KEY, name text);"

out=$(down update "UPDATE users SET age = 1 WHERE age IS NULL;")
expect_contains "UPDATE: old values are lost" "$out" "UPDATE on users: the rows it changes (their old values)"

out=$(down dropindex "DROP INDEX users_email_idx;")
expect_contains "DROP INDEX: rebuilt as the history created it" "$out" \
	"CREATE INDEX users_email_idx ON users (email);"

out=$(down unknown "ALTER TABLE users ALTER COLUMN age SET STATISTICS 100;
GRANT SELECT ON users TO reporting;
CREATE POLICY p ON users USING (true);")
expect_contains "not reversible by sluice: listed for a person" "$out" "-- NOT REVERSED (write these by hand"
expect_contains "not reversible: names the line" "$out" "--   line 3: CREATE POLICY p ON users USING (true)"
expect_not_contains "a GRANT is not listed as unknown" "$out" "line 2: GRANT"

# goose keeps up and down in one file: the draft is the file with a Down section.
mkdir -p goose/db
printf -- '-- +goose Up\nCREATE TABLE users (id bigserial PRIMARY KEY, nick text);\n' >goose/db/00001_init.sql
printf -- '-- +goose Up\nALTER TABLE users ADD COLUMN status text;\n' >goose/db/00002_status.sql
out=$(cd goose && "$SLUICE" draft --down db/00002_status.sql 2>&1)
expect_contains "goose: whole file with its Down section" "$out" "-- +goose Up
ALTER TABLE users ADD COLUMN status text;

-- +goose Down
ALTER TABLE users DROP COLUMN IF EXISTS status;"

# Written with --out, the down parses and judges.
draft_repo outdir "ALTER TABLE users ADD COLUMN status text;"
(cd outdir && "$SLUICE" draft --down --out . db/migrations/000002_change.up.sql >/dev/null 2>&1)
expect_eq "--out: the down file" "$(cat outdir/db/migrations/000002_change.down.sql)" \
	"ALTER TABLE users DROP COLUMN IF EXISTS status;"
out=$("$SLUICE" check outdir/db/migrations/000002_change.down.sql 2>&1)
expect_not_contains "the written down has no parse error" "$out" "parse-error"
finish
