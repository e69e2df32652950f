#!/bin/sh
# t-discover-sections.sh - goose and dbmate keep up and down in one file:
# two scripts each, statement lines that are file lines, and the per-file or
# per-section switch that turns the transaction off.
. "$SLUICE_SRC/tests/lib.sh"
. "$SLUICE_SRC/tests/discover-lib.sh"

new_repo r
cd r
mkdir -p db/migrations sql/schema sql/queries
cat >db/migrations/20240101000000_users.sql <<'SQL'
-- +goose Up
CREATE TABLE users (id bigint PRIMARY KEY, email text);
-- +goose Down
DROP TABLE users;
SQL
echo 'SELECT 1;' >sql/queries/q.sql
feature_branch .

# goose: a header comment, StatementBegin/End, then Down
cat >db/migrations/20240102000000_fn.sql <<'SQL'
-- a header the tool ignores

-- +goose Up
-- +goose StatementBegin
CREATE FUNCTION touch() RETURNS trigger AS $$
BEGIN
  NEW.email := lower(NEW.email); RETURN NEW;
END $$ LANGUAGE plpgsql;
-- +goose StatementEnd
ALTER TABLE users ADD COLUMN name text;

-- +goose Down
ALTER TABLE users DROP COLUMN name;
DROP FUNCTION touch();
SQL
commit_all . "goose fn"
# goose, NO TRANSACTION after a byte order mark, untracked; in sql/schema (sqlc's habit)
printf '\357\273\277' >sql/schema/20240103000000_idx.sql
cat >>sql/schema/20240103000000_idx.sql <<'SQL'
-- +goose NO TRANSACTION
-- +goose Up
CREATE INDEX CONCURRENTLY users_email ON users (email);
-- +goose Down
DROP INDEX CONCURRENTLY users_email;
SQL

out=$(judged)
expect_eq "goose: two scripts per file, apply order, transactions" "$out" \
"db/migrations/20240102000000_fn.sql goose up txn
db/migrations/20240102000000_fn.sql goose down txn
sql/schema/20240103000000_idx.sql goose up notxn
sql/schema/20240103000000_idx.sql goose down notxn"
expect_eq "goose up statements on their file lines" \
	"$(stmt_lines db/migrations/20240102000000_fn.sql up)" "5 10"
expect_eq "goose down statements on their file lines" \
	"$(stmt_lines db/migrations/20240102000000_fn.sql down)" "13 14"
expect_eq "goose NO TRANSACTION file lines" \
	"$(stmt_lines sql/schema/20240103000000_idx.sql up)" "3"
expect_not_contains "sql/queries is not migrations" "$out" "queries"

# dbmate: db/migrations, transaction:false on one section only
new_repo ../d
cd ../d
mkdir -p db/migrations db
cat >db/migrations/20230101000000_init.sql <<'SQL'
-- migrate:up
CREATE TABLE orders (id bigint PRIMARY KEY, total int);

-- migrate:down
DROP TABLE orders;
SQL
echo 'CREATE TABLE dump_only (id int);' >db/schema.sql
feature_branch .
cat >db/migrations/20230201000000_idx.sql <<'SQL'
-- migrate:up transaction:false
CREATE INDEX CONCURRENTLY orders_total ON orders (total);

-- migrate:down
DROP INDEX orders_total;
SQL
git add db/migrations/20230201000000_idx.sql    # staged only
cat >db/migrations/20230301000000_col.sql <<'SQL'
-- migrate:up
ALTER TABLE orders ADD COLUMN note text;
ALTER TABLE orders ADD COLUMN note2 text;
-- migrate:down
ALTER TABLE orders DROP COLUMN note2;
ALTER TABLE orders DROP COLUMN note;
SQL
out=$(judged)
expect_eq "dbmate: sections and transaction:false per section" "$out" \
"db/migrations/20230201000000_idx.sql dbmate up notxn
db/migrations/20230201000000_idx.sql dbmate down txn
db/migrations/20230301000000_col.sql dbmate up txn
db/migrations/20230301000000_col.sql dbmate down txn"
expect_eq "dbmate up lines" "$(stmt_lines db/migrations/20230301000000_col.sql up)" "2 3"
expect_eq "dbmate down lines" "$(stmt_lines db/migrations/20230301000000_col.sql down)" "5 6"
expect_not_contains "dbmate's schema dump is not a migration" "$out" "schema.sql"
# the CONCURRENTLY outside a transaction is not reported as inside one
out=$("$SLUICE" check --format json 2>/dev/null)
expect_not_contains "transaction:false reaches the judge" "$out" "concurrently-in-transaction"
finish
