#!/bin/sh
# t-discover-base.sh - which base a branch is compared with (--base, then
# sluice.base, then origin/HEAD, main, master), detached HEAD, no base at
# all, and discovery's bad input: not a repository, a missing path, a binary
# file, a file over the 64 MiB limit.
. "$SLUICE_SRC/tests/lib.sh"
. "$SLUICE_SRC/tests/discover-lib.sh"

mig() { echo "CREATE TABLE t$2 (id int);" >"$1/migrations/$2_t.sql"; }

# upstream: main has 1; a branch "release" adds 2 on top of it
new_repo up
mkdir -p up/migrations
mig up 1
commit_all up "one"
git -C up checkout -q -b release
mig up 2
commit_all up "two"
git -C up checkout -q main

# a clone: origin/HEAD -> origin/main; local feature adds 3
git clone -q up c 2>/dev/null
cd c
git checkout -q -b feature origin/release
mig . 3
commit_all . "three"
out=$(judged)
expect_eq "origin/HEAD is the base: release's 2 and feature's 3 pending" "$out" \
"migrations/2_t.sql plain up notxn
migrations/3_t.sql plain up notxn"
expect_eq "base named in the summary" "$(summary base)" "origin/main"
out=$(judged --base origin/release)
expect_eq "--base overrides" "$out" "migrations/3_t.sql plain up notxn"
git config sluice.base origin/release
expect_eq "sluice.base is used without --base" "$(judged)" "migrations/3_t.sql plain up notxn"
expect_eq "--base beats sluice.base" "$(judged --base origin/main | wc -l | tr -d ' ')" 2
git config --unset sluice.base
expect_exit "an unknown --base is an error" 2 "$SLUICE" check --base nosuch
expect_contains "... naming it" "$(cat "$T/.err")" "base 'nosuch' not found"

# no origin/HEAD: local main, then master
git remote set-head origin -d
git branch -q main origin/main 2>/dev/null || true
git branch -q -f main origin/release
expect_eq "without origin/HEAD, main" "$(judged)" "migrations/3_t.sql plain up notxn"
expect_eq "... named main" "$(summary base)" "main"
git branch -q -m main master
expect_eq "without main, master" "$(judged)" "migrations/3_t.sql plain up notxn"
expect_eq "... named master" "$(summary base)" "master"

# detached HEAD: no branch, same pending set
git checkout -q --detach feature
expect_eq "detached HEAD: pending still found" "$(judged)" "migrations/3_t.sql plain up notxn"
expect_eq "detached HEAD: no branch in the summary" "$(summary branch)" ""
git checkout -q feature

# no base at all: the committed work cannot be told from history, so
# nothing would be judged; an error saying how to give a base (t-no-base.sh)
git branch -q -m master trunk
git remote remove origin
mig . 4
expect_exit "no base: an error, not a pass on the work tree alone" 2 "$SLUICE" check
expect_contains "no base: said clearly" "$(cat "$T/.err")" "no base branch"
expect_eq "... --base names one" "$(judged --base trunk)" "migrations/3_t.sql plain up notxn
migrations/4_t.sql plain up notxn"

# on main itself: nothing committed is pending
new_repo m
mkdir -p m/migrations && mig m 1 && commit_all m one
expect_eq "on the base branch itself, nothing is pending" \
	"$(cd m && summary files)" "0"

# a subdirectory of the repository works the same
mkdir -p m/sub && mig m 2
expect_eq "run from a subdirectory" "$(cd m/sub && judged)" "migrations/2_t.sql plain up notxn"

# no commit at all yet: the work tree is all there is
mkdir -p "$T/unborn/migrations" && git -C "$T/unborn" init -q -b main
mig "$T/unborn" 1
expect_eq "an unborn branch: untracked migrations pending" \
	"$(cd "$T/unborn" && judged)" "migrations/1_t.sql plain up notxn"
expect_eq "... on its branch" "$(cd "$T/unborn" && summary branch)" "main"

# bad input
mkdir -p "$T/plain/migrations" && mig "$T/plain" 1
expect_exit "not a git repository" 2 "$SLUICE" check -C "$T/plain"
expect_contains "... with a hint to name paths" "$(cat "$T/.err")" "name the migration files or directories"
expect_exit "a missing path" 2 "$SLUICE" check nosuch/dir
expect_contains "... named" "$(cat "$T/.err")" "nosuch/dir"
printf 'CREATE TABLE b (id int);\0\1\2' >m/migrations/5_bin.sql
(cd m && "$SLUICE" check --format json >"$T/out" 2>"$T/err")
expect_contains "a binary migration: a message with file and line" "$(cat "$T/err")" "migrations/5_bin.sql:1: binary file"
expect_contains "... and the other pending ones still judged" "$(cat "$T/out")" "migrations/2_t.sql"
rm m/migrations/5_bin.sql
# 65 MiB of text: refused before reading the whole of it
yes 'SELECT 1;' | head -c 68157440 >m/migrations/6_big.sql
(cd m && "$SLUICE" check >/dev/null 2>"$T/err")
expect_contains "a file over 64 MiB is refused with its size" "$(cat "$T/err")" "migrations/6_big.sql: file is 68157440 bytes"
rm m/migrations/6_big.sql
finish
