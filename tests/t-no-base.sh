#!/bin/sh
# t-no-base.sh - never a pass without judging: a repository where no base
# resolves, a --base that does not exist and a shallow clone whose
# merge-base is not there all leave the branch's committed migrations
# unjudged, so sluice exits 2 saying how to give it a base (it used to
# warn and exit 0 with "SAFE TO SHIP").
. "$SLUICE_SRC/tests/lib.sh"
. "$SLUICE_SRC/tests/discover-lib.sh"

# a branch "trunk", no main, master or origin: no base at all
new_repo nb
git -C nb branch -q -m main trunk
mkdir -p nb/migrations
echo "DROP TABLE users;" >nb/migrations/1_drop.sql
commit_all nb "drop"
cd nb
expect_exit "no base: exit 2, not a pass" 2 "$SLUICE" check
expect_not_contains "... and no SAFE TO SHIP" "$(cat "$T/.out")" "SAFE TO SHIP"
expect_contains "... says there is no base" "$(cat "$T/.err")" "no base branch"
expect_contains "... says how to fetch one in CI" "$(cat "$T/.err")" "fetch-depth: 0"
expect_contains "... and how to name one" "$(cat "$T/.err")" "--base REF"
expect_exit "a --base that does not exist: exit 2" 2 "$SLUICE" check --base nosuch
expect_contains "... naming it, and the fetch" "$(cat "$T/.err")" "base 'nosuch' not found"
expect_contains "... with the CI hint" "$(cat "$T/.err")" "fetch-depth: 0"
expect_exit "sluice.base naming nothing: exit 2" 2 "$SLUICE" -c sluice.base=gone check
cd ..

# a shallow clone of a feature branch, the base branch fetched shallow too
new_repo up
mkdir -p up/migrations
for i in 1 2 3; do
	echo "CREATE TABLE t$i (id int);" >"up/migrations/${i}_t.sql"
	commit_all up "t$i"
done
git -C up checkout -q -b feature
echo "DROP TABLE t1;" >up/migrations/4_drop.sql
commit_all up "drop"
git -C up checkout -q main
echo "CREATE TABLE t5 (id int);" >up/migrations/5_t.sql
commit_all up "t5"
git clone -q --depth 1 --branch feature "file://$T/up" sh 2>/dev/null
git -C sh fetch -q --depth 1 origin main:refs/remotes/origin/main 2>/dev/null
cd sh
check "the clone is shallow" test -f .git/shallow
expect_exit "shallow clone, no base resolved: exit 2" 2 "$SLUICE" check
expect_contains "... says the clone is shallow" "$(cat "$T/.err")" "shallow clone"
# libgit2 1.5's git_merge_base leaks a block on a shallow clone (not ours)
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
export ASAN_OPTIONS
expect_exit "shallow clone, --base with no merge-base in it: exit 2" 2 "$SLUICE" check --base origin/main
expect_contains "... says the histories do not meet" "$(cat "$T/.err")" "HEAD and 'origin/main' share no commit this clone has"
expect_contains "... and how to fix it" "$(cat "$T/.err")" "fetch-depth: 0"
for f in json markdown github sarif text; do
	"$SLUICE" check --base origin/main --format "$f" >"$T/o" 2>/dev/null
	expect_not_contains "shallow clone: no SAFE TO SHIP in $f" "$(cat "$T/o")" "SAFE TO SHIP"
done
# fetched in full, the same branch is judged: the DROP TABLE is found
git fetch -q --unshallow origin 2>/dev/null
git fetch -q origin main:refs/remotes/origin/main 2>/dev/null
expect_eq "unshallowed: the branch's migration is judged" \
	"$(judged --base origin/main)" "migrations/4_drop.sql plain up notxn"
cd ..
finish
