#!/bin/sh
# t-discover-plain-down.sh - a plain migration with the down sluice writes
# for it (NAME.down.sql): the up is judged and the pair is one migration. A
# lone *.down.sql once read as golang-migrate's, which made the plain up
# look like a file golang-migrate skips: it was dropped, and a blocking
# CREATE INDEX passed as SAFE TO SHIP.
. "$SLUICE_SRC/tests/lib.sh"

git init -q -b main r && cd r || exit 1
mkdir migrations
echo "CREATE TABLE a (id int PRIMARY KEY);" >migrations/1_a.sql
git add -A && git commit -qm a
git checkout -qb feature
echo "CREATE INDEX a_id ON a (id);" >migrations/2_idx.sql
echo "DROP INDEX a_id;" >migrations/2_idx.down.sql
git add -A && git commit -qm idx

expect_exit "the up beside a NAME.down.sql is judged: its blocking index fails the check" 1 \
	"$SLUICE" check --base main
out=$(cat "$T/.out")
expect_contains "... the up is a plain migration" "$out" "migrations/2_idx.sql (plain, up)"
expect_contains "... its down pairs with it as plain" "$out" "migrations/2_idx.down.sql (plain, down)"
expect_contains "... the finding is on the up" "$out" "migrations/2_idx.sql:1: HIGH [create-index-nonconcurrent]"

# the same pair, drafted: the draft's up is the one verified, not the original
rm migrations/2_idx.down.sql && git commit -qam "no down"
expect_exit "a plain migration's draft (up + NAME.down.sql) verifies" 0 \
	"$SLUICE" draft migrations/2_idx.sql
expect_contains "... judged on the drafted up" "$(cat "$T/.out")" "verified: worst finding HIGH before, NONE after"

# a real golang-migrate directory still leaves out what the tool never runs
mkdir -p ../g && cd ../g && git init -q -b main
mkdir db
echo "CREATE TABLE a (id int);" >db/1_a.up.sql
echo "DROP TABLE a;" >db/1_a.down.sql
echo "CREATE INDEX never_run ON a (id);" >db/notes.sql
git add -A && git commit -qm a && git checkout -qb f
echo "CREATE INDEX CONCURRENTLY a_id ON a (id);" >db/2_idx.up.sql
echo "DROP INDEX CONCURRENTLY a_id;" >db/2_idx.down.sql
git add -A && git commit -qm b
"$SLUICE" check --base main >"$T/g" 2>&1
expect_not_contains "golang-migrate: a .sql file the tool never runs is left out" "$(cat "$T/g")" "never_run"
finish
