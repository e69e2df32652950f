#!/bin/sh
# t-discover-rust.sh - Diesel (a directory per migration, up.sql + down.sql,
# metadata.toml run_in_transaction) and sqlx (flat files beside Cargo.toml,
# reversible .up/.down pairs, "-- no-transaction").
. "$SLUICE_SRC/tests/lib.sh"
. "$SLUICE_SRC/tests/discover-lib.sh"

new_repo r
cd r
echo '[package]' >Cargo.toml
m=migrations
mkdir -p $m/00000000000000_diesel_initial_setup
echo 'CREATE TABLE users (id bigint PRIMARY KEY);' >$m/00000000000000_diesel_initial_setup/up.sql
echo 'DROP TABLE users;' >$m/00000000000000_diesel_initial_setup/down.sql
feature_branch .
mkdir -p $m/2024-01-02-000000_idx $m/2024-01-10-000000_col $m/2024-01-03-000000_data
echo 'CREATE INDEX CONCURRENTLY users_id ON users (id);' >$m/2024-01-02-000000_idx/up.sql
echo 'DROP INDEX CONCURRENTLY users_id;' >$m/2024-01-02-000000_idx/down.sql
printf '# diesel migration settings\nrun_in_transaction = false\n' >$m/2024-01-02-000000_idx/metadata.toml
echo 'ALTER TABLE users ADD COLUMN a int;' >$m/2024-01-10-000000_col/up.sql
echo 'ALTER TABLE users DROP COLUMN a;' >$m/2024-01-10-000000_col/down.sql
printf 'run_in_transaction = true\n' >$m/2024-01-10-000000_col/metadata.toml
commit_all . "diesel work"
echo 'UPDATE users SET id = id;' >$m/2024-01-03-000000_data/up.sql   # untracked, no down
out=$(judged)
expect_eq "diesel: dated order, pairs, metadata.toml decides the transaction" "$out" \
"$m/2024-01-02-000000_idx/up.sql diesel up notxn
$m/2024-01-02-000000_idx/down.sql diesel down notxn
$m/2024-01-03-000000_data/up.sql diesel up txn
$m/2024-01-10-000000_col/up.sql diesel up txn
$m/2024-01-10-000000_col/down.sql diesel down txn"

# sqlx: flat files in migrations/ beside Cargo.toml
new_repo ../x
cd ../x
mkdir -p crate/migrations
echo '[package]' >crate/Cargo.toml
echo 'CREATE TABLE a (id int);' >crate/migrations/20240101000000_a.sql
feature_branch .
printf -- '-- no-transaction\nCREATE INDEX CONCURRENTLY a_id ON a (id);\n' >crate/migrations/20240102000000_idx.sql
echo 'ALTER TABLE a ADD COLUMN b int;' >crate/migrations/20240103000000_b.up.sql
echo 'ALTER TABLE a DROP COLUMN b;' >crate/migrations/20240103000000_b.down.sql
commit_all . "sqlx"
printf -- '-- not the first line\n-- no-transaction\nALTER TABLE a ADD COLUMN c int;\n' >crate/migrations/20240104000000_c.sql
git add crate/migrations/20240104000000_c.sql
out=$(judged)
expect_eq "sqlx: no-transaction on the first line only, reversible pairs" "$out" \
"crate/migrations/20240102000000_idx.sql sqlx up notxn
crate/migrations/20240103000000_b.up.sql sqlx up txn
crate/migrations/20240103000000_b.down.sql sqlx down txn
crate/migrations/20240104000000_c.sql sqlx up txn"
# the same files without Cargo.toml are golang-migrate / plain
git rm -q --cached crate/Cargo.toml && rm crate/Cargo.toml
out=$(judged)
expect_contains "no Cargo.toml: .up.sql is golang-migrate (one statement: no transaction)" "$out" "crate/migrations/20240103000000_b.up.sql golang-migrate up notxn"
# golang-migrate never runs a name without .up/.down (source/iofs/iofs.go skips it)
expect_not_contains "no Cargo.toml: a flat .sql beside golang-migrate files is left out" "$out" "crate/migrations/20240102000000_idx.sql"
finish
