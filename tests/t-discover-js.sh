#!/bin/sh
# t-discover-js.sh - Prisma (a directory per migration, migration.sql),
# Supabase (supabase/migrations), Atlas (atlas.sum, txmode none) and plain
# migrations/*.sql, each in its own repository.
. "$SLUICE_SRC/tests/lib.sh"
. "$SLUICE_SRC/tests/discover-lib.sh"

new_repo p
cd p
mkdir -p prisma/migrations/20240101000000_init
echo 'CREATE TABLE "User" (id serial PRIMARY KEY);' >prisma/migrations/20240101000000_init/migration.sql
echo 'provider = "postgresql"' >prisma/migrations/migration_lock.toml
feature_branch .
mkdir -p prisma/migrations/20240201000000_email prisma/migrations/20240115000000_name
echo 'ALTER TABLE "User" ADD COLUMN email text;' >prisma/migrations/20240201000000_email/migration.sql
commit_all . "prisma"
echo 'ALTER TABLE "User" ADD COLUMN name text;' >prisma/migrations/20240115000000_name/migration.sql
out=$(judged)
expect_eq "prisma: ordered by the directory's timestamp, in a transaction" "$out" \
"prisma/migrations/20240115000000_name/migration.sql prisma up txn
prisma/migrations/20240201000000_email/migration.sql prisma up txn"

new_repo ../sb
cd ../sb
mkdir -p supabase/migrations
echo 'CREATE TABLE notes (id bigint PRIMARY KEY);' >supabase/migrations/20240101000000_notes.sql
echo 'INSERT INTO notes VALUES (1);' >supabase/seed.sql
feature_branch .
echo 'ALTER TABLE notes ADD COLUMN body text;' >supabase/migrations/20240102000000_body.sql
commit_all . "supabase"
echo 'ALTER TABLE notes ADD COLUMN t int;' >supabase/migrations/20240103000000_t.sql
out=$(judged)
expect_eq "supabase: migrations only, not seed.sql" "$out" \
"supabase/migrations/20240102000000_body.sql supabase up txn
supabase/migrations/20240103000000_t.sql supabase up txn"

new_repo ../a
cd ../a
mkdir -p schema/versions
echo 'CREATE TABLE t (id int);' >schema/versions/20240101000000_t.sql
echo 'h1:abc=' >schema/versions/atlas.sum
echo 'SELECT 1;' >schema/other.sql
feature_branch .
printf -- '-- atlas:txmode none\n\nCREATE INDEX CONCURRENTLY t_id ON t (id);\n' >schema/versions/20240102000000_idx.sql
commit_all . "atlas"
echo 'ALTER TABLE t ADD COLUMN a int;' >schema/versions/20240103000000_a.sql
out=$(judged)
expect_eq "atlas: any directory with atlas.sum; txmode none" "$out" \
"schema/versions/20240102000000_idx.sql atlas up notxn
schema/versions/20240103000000_a.sql atlas up txn"
expect_eq "atlas statement lines" "$(stmt_lines schema/versions/20240102000000_idx.sql up)" "3"
git rm -q --cached schema/versions/atlas.sum && rm schema/versions/atlas.sum
expect_exit "without atlas.sum, versions/ is no migration directory" 2 "$SLUICE" check
expect_contains "... and says where it looked" "$(cat "$T/.err")" "no migrations found in"
expect_contains "... naming the layouts" "$(cat "$T/.err")" "golang-migrate, goose, dbmate"

new_repo ../pl
cd ../pl
mkdir -p migrations fixtures/migrations docs
echo 'CREATE TABLE p (id int);' >migrations/001_p.sql
feature_branch .
echo 'ALTER TABLE p ADD COLUMN q int;' >migrations/002_q.sql
echo 'ALTER TABLE p ADD COLUMN r int;' >migrations/010_r.sql
echo 'DROP TABLE p;' >fixtures/migrations/001_drop.sql
echo 'DROP TABLE p;' >docs/example.sql
commit_all . plain
out=$(judged)
expect_eq "plain migrations/*.sql, numeric order, fixtures and docs ignored" "$out" \
"migrations/002_q.sql plain up notxn
migrations/010_r.sql plain up notxn"
finish
