#!/bin/sh
# t-discover-golang.sh - golang-migrate and kratos/popx layouts in a real
# repository: pairing, numeric apply order, what is pending (committed on the
# branch, staged, untracked), other dialects and non-migration .sql skipped,
# and which files run in a transaction (golang-migrate: only a file of several
# statements, as one implicit transaction; popx: every file but .autocommit.).
. "$SLUICE_SRC/tests/lib.sh"
. "$SLUICE_SRC/tests/discover-lib.sh"

new_repo r
cd r
mkdir -p db/migrations queries
echo 'CREATE TABLE users (id bigint PRIMARY KEY);' >db/migrations/1_users.up.sql
echo 'DROP TABLE users;' >db/migrations/1_users.down.sql
echo 'CREATE TABLE posts (id bigint PRIMARY KEY);' >db/migrations/2_posts.up.sql
echo 'DROP TABLE posts;' >db/migrations/2_posts.down.sql
echo 'ALTER TABLE posts ADD COLUMN meta jsonb;' >db/migrations/7_pub_meta.up.sql
echo 'ALTER TABLE posts DROP COLUMN meta;' >db/migrations/7_drop_pub_meta.down.sql
echo 'SELECT * FROM users;' >queries/users.sql
feature_branch .

# committed on the branch: versions 3 and 10 (10 sorts after 9, not after 1)
echo 'CREATE INDEX users_id ON users (id);' >db/migrations/10_idx.up.sql
echo 'DROP INDEX users_id;' >db/migrations/10_idx.down.sql
echo 'ALTER TABLE users ADD COLUMN a int;' >db/migrations/3_a.up.sql
echo 'ALTER TABLE users DROP COLUMN a;' >db/migrations/3_a.down.sql
echo 'ALTER TABLE users ADD COLUMN a int;' >db/migrations/3_a.mysql.up.sql
mkdir -p db/migrations/sqlite
echo 'CREATE TABLE t (id integer);' >db/migrations/sqlite/4_t.up.sql
echo 'UPDATE users SET id = id;' >queries/update.sql
ln -s ../../queries/users.sql db/migrations/5_link.up.sql   # a link inside the repository is followed
commit_all . "feature work"
ln -s ../../queries/update.sql db/migrations/6_link.up.sql
# staged, not committed
printf 'ALTER TABLE posts ADD COLUMN b int;\nALTER TABLE posts ADD COLUMN b2 int;\n' >db/migrations/11_b.up.sql
git add db/migrations/11_b.up.sql
# untracked
echo 'ALTER TABLE posts ADD COLUMN c int;' >db/migrations/9_c.up.sql

out=$(judged)
expect_eq "pending files in apply order, downs beside their ups" "$out" \
"db/migrations/3_a.up.sql golang-migrate up notxn
db/migrations/3_a.down.sql golang-migrate down notxn
db/migrations/5_link.up.sql golang-migrate up notxn
db/migrations/6_link.up.sql golang-migrate up notxn
db/migrations/9_c.up.sql golang-migrate up notxn
db/migrations/10_idx.up.sql golang-migrate up notxn
db/migrations/10_idx.down.sql golang-migrate down notxn
db/migrations/11_b.up.sql golang-migrate up txn"
expect_not_contains "history on main is not pending" "$out" "1_users"
expect_not_contains "a .mysql.up.sql file is not a postgres migration" "$out" "mysql"
expect_not_contains "migrations/sqlite/ is not a postgres directory" "$out" "sqlite"
expect_not_contains "queries/ is not a migration directory" "$out" "queries"
expect_contains "symlinks inside the repository, committed or not, are followed (t-not-judged.sh)" "$out" "6_link"
expect_eq "branch in the summary" "$(summary branch)" "feature"
expect_eq "base in the summary" "$(summary base)" "main"

# Editing only the down of a migration from main makes the migration pending:
# its up is judged too (they are paired), and nothing else from history.
git add -A && git commit -q -m more
echo 'DROP TABLE IF EXISTS posts;' >db/migrations/2_posts.down.sql
echo 'ALTER TABLE posts DROP COLUMN IF EXISTS meta;' >db/migrations/7_drop_pub_meta.down.sql
out=$(judged)
expect_contains "pairs by version when the names differ (ente's 64_*)" "$out" \
"db/migrations/7_pub_meta.up.sql golang-migrate up notxn
db/migrations/7_drop_pub_meta.down.sql golang-migrate down notxn"
expect_contains "changed down: its up is judged with it" "$out" "db/migrations/2_posts.up.sql golang-migrate up"
expect_contains "changed down itself" "$out" "db/migrations/2_posts.down.sql golang-migrate down"
expect_not_contains "unchanged history stays history" "$out" "1_users"
git checkout -q -- db/migrations/2_posts.down.sql db/migrations/7_drop_pub_meta.down.sql

# kratos/popx: a dialect suffix; only the postgres files are migrations
mkdir -p persistence/sql/migrations
for d in postgres mysql sqlite3 cockroach; do
	echo "CREATE TABLE k_$d (id int);" >persistence/sql/migrations/20210101000001_k.$d.up.sql
	echo "DROP TABLE k_$d;" >persistence/sql/migrations/20210101000001_k.$d.down.sql
done
p=persistence/sql/migrations/20210101000002_ac
echo 'CREATE INDEX CONCURRENTLY k_id ON k_postgres (id);' >$p.postgres.autocommit.up.sql
echo 'DROP INDEX CONCURRENTLY k_id;' >$p.postgres.autocommit.down.sql
echo 'CREATE INDEX k_id ON k_mysql (id);' >$p.mysql.autocommit.up.sql
out=$(judged)
expect_contains "popx .autocommit. runs outside a transaction" "$out" \
"$p.postgres.autocommit.up.sql golang-migrate up notxn
$p.postgres.autocommit.down.sql golang-migrate down notxn"
expect_not_contains "popx mysql autocommit skipped" "$out" "ac.mysql"
expect_contains "popx postgres up" "$out" "persistence/sql/migrations/20210101000001_k.postgres.up.sql golang-migrate up txn"
expect_contains "popx postgres down paired" "$out" "persistence/sql/migrations/20210101000001_k.postgres.down.sql golang-migrate down txn"
expect_not_contains "popx mysql skipped" "$out" "k.mysql"
expect_not_contains "popx sqlite3 skipped" "$out" "k.sqlite3"
expect_not_contains "popx cockroach skipped" "$out" "k.cockroach"

# Named on the command line: the same layout rules.
out=$(judged persistence/sql/migrations)
expect_eq "a directory named: postgres files only" "$(echo "$out" | wc -l | tr -d ' ')" 4
"$SLUICE" check persistence/sql/migrations/20210101000001_k.mysql.up.sql >/dev/null 2>"$T/err"
expect_contains "a named mysql file is skipped with a message" "$(cat "$T/err")" "not PostgreSQL"
out=$(judged db/migrations/3_a.down.sql)
expect_eq "a named file keeps its layout" "$out" "db/migrations/3_a.down.sql golang-migrate down notxn"
out=$(judged .)
expect_not_contains "'check .' still ignores queries/" "$out" "queries"
expect_contains "'check .' finds the migrations" "$out" "db/migrations/1_users.up.sql"

# CREATE INDEX CONCURRENTLY: alone in its file (the driver's documented way)
# it runs outside any transaction; beside another statement the whole query
# is one implicit transaction and PostgreSQL refuses it, which the finding
# explains. Comments and blank lines are not statements.
printf -- '-- the customer page\nCREATE INDEX CONCURRENTLY users_a ON users (a);\n\n' \
	>db/migrations/12_alone.up.sql
printf "SET lock_timeout = '2s';\nCREATE INDEX CONCURRENTLY users_a ON users (a);\n" \
	>db/migrations/13_beside.up.sql
conc() {
	"$SLUICE" check --format json "$1" 2>/dev/null | python3 -c '
import json, sys
for f in json.load(sys.stdin)["files"]:
    for s in f["statements"]:
        for x in s["findings"]:
            if x["rule"] == "concurrently-in-transaction":
                print(x["severity"], x["message"], "|", x["fix"])'
}
expect_eq "one CONCURRENTLY statement: outside a transaction" \
	"$(judged db/migrations/12_alone.up.sql)" "db/migrations/12_alone.up.sql golang-migrate up notxn"
expect_eq "one CONCURRENTLY statement: no concurrently-in-transaction" \
	"$(conc db/migrations/12_alone.up.sql)" ""
expect_eq "two statements: one implicit transaction" \
	"$(judged db/migrations/13_beside.up.sql)" "db/migrations/13_beside.up.sql golang-migrate up txn"
out=$(conc db/migrations/13_beside.up.sql)
expect_contains "two statements: CONCURRENTLY fails, and the implicit transaction rolls back: HIGH" "$out" "HIGH CONCURRENTLY"
expect_contains "the message says why" "$out" \
	"golang-migrate sends this file's 2 statements as one query, which PostgreSQL runs as one implicit transaction"
expect_contains "the fix says where it belongs" "$out" "alone in a migration file of its own"
expect_contains "popx keeps its transaction for one statement" \
	"$(judged persistence/sql/migrations/20210101000001_k.postgres.up.sql)" "golang-migrate up txn"
finish
