#!/bin/sh
# t-db-drift.sh - `sluice drift`: a database that matches its history has
# no drift (column order and default formatting do not count); one that
# does not gets each difference classified: database-only,
# repository-only, version-skew.
. "$SLUICE_SRC/tests/lib.sh"
. "$SLUICE_SRC/tests/db-lib.sh"
scratch_db OK_DB sluice_drift_ok
scratch_db BAD_DB sluice_drift_bad

mkdir repo
printf 'CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, name text, score int DEFAULT 0);\n' >repo/000001_users.up.sql
printf 'DROP TABLE users;\n' >repo/000001_users.down.sql
printf 'CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id));\nCREATE INDEX orders_user_idx ON orders (user_id);\n' >repo/000002_orders.up.sql
printf 'DROP TABLE orders;\n' >repo/000002_orders.down.sql

# In step: the same schema, made differently (column order, default
# spelling, a comment), and golang-migrate's table at version 2.
psql "$PG dbname=$OK_DB" \
	-c "CREATE TABLE users (name text, score integer DEFAULT (0), id int8 NOT NULL PRIMARY KEY, email text NOT NULL)" \
	-c "COMMENT ON TABLE users IS 'people'" \
	-c "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id))" \
	-c "CREATE INDEX orders_user_idx ON orders (user_id)" \
	-c "CREATE TABLE schema_migrations (version bigint PRIMARY KEY, dirty boolean NOT NULL)" \
	-c "INSERT INTO schema_migrations VALUES (2, false)"

"$SLUICE" drift --db "$PG dbname=$OK_DB" --shadow "$PG" repo >ok.out 2>ok.err
expect_eq "in step: exit 0" "$?" 0
expect_contains "in step: no drift" "$(cat ok.out)" "no drift"
expect_contains "in step: golang-migrate's table read" "$(cat ok.out)" "2 of 2 migrations applied per schema_migrations"

# Drifted: a hand-made index, a missing one, a changed column type; goose's
# table records 1, 2 and 5; the repository has 1, 2 and 3.
printf 'ALTER TABLE orders ADD COLUMN status text;\n' >repo/000003_status.up.sql
drifted_goose "$PG dbname=$BAD_DB"

"$SLUICE" drift --db "$PG dbname=$BAD_DB" --shadow "$PG" repo >bad.out 2>bad.err
expect_eq "drifted: exit 1" "$?" 1
out=$(cat bad.out)
expect_contains "database-only: the hand-made index" "$out" 'database-only    index "users_name_idx"'
expect_contains "database-only: the changed column, both types shown" "$out" \
	"database-only    column \"users.email\": differs: the database has 'character varying(50) not null', the history gives 'text not null'"
expect_contains "repository-only: the missing index" "$out" 'repository-only  index "orders_user_idx"'
expect_contains "version-skew: recorded but not in the repository" "$out" 'version-skew     migration "5": recorded as applied in goose_db_version'
expect_contains "version-skew: in the repository, not applied" "$out" "'repo/000003_status.up.sql' is in the repository but goose_db_version does not record it as applied"
expect_not_contains "the unapplied migration's column is not expected" "$out" 'orders.status'
expect_not_contains "the framework's own table is not drift" "$out" 'goose_db_version"'
expect_not_contains "a table present on both sides is not drift" "$out" 'table "users"'
expect_contains "count" "$out" "5 differences"

"$SLUICE" drift --format json --db "$PG dbname=$BAD_DB" --shadow "$PG" repo >bad.json 2>/dev/null
expect_eq "json: counts per kind" \
	"$(python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))["summary"]; print(s["database-only"], s["repository-only"], s["version-skew"], s["total"])' bad.json)" "2 1 2 5"

DATABASE_URL="$PG dbname=$OK_DB" "$SLUICE" drift --shadow "$PG" repo >env.out 2>&1
expect_contains "DATABASE_URL names the live database" "$(cat env.out)" "/$OK_DB against the repository"

"$SLUICE" drift --db "host=127.0.0.1 port=1 user=u password=drift-secret dbname=x" --shadow "$PG" repo >/dev/null 2>unreach.err
expect_eq "unreachable database: exit 2" "$?" 2
expect_contains "unreachable database: a clear message" "$(cat unreach.err)" "cannot connect to 'postgresql://u:***@127.0.0.1:1/x'"
expect_not_contains "unreachable database: no password" "$(cat unreach.err)" "drift-secret"
"$SLUICE" drift --shadow "$PG" repo >/dev/null 2>nodb.err
expect_eq "no database named: exit 2" "$?" 2
expect_contains "no database named: says how to name one" "$(cat nodb.err)" "pass --db URL"
"$SLUICE" drift --format sarif --db "$PG" repo >/dev/null 2>fmt.err
expect_eq "unknown format: exit 2" "$?" 2
finish
