#!/bin/sh
# t-chdir.sh - -C DIR, handled once in cli/main.c for every command: git's
# place before the command (`sluice -C DIR check`), repeatable with each
# relative DIR taken from the one before, and the older spelling after the
# command (`sluice check -C DIR`) still accepted.
. "$SLUICE_SRC/tests/lib.sh"

new_repo work/repo
mkdir -p work/repo/db/migrations
echo 'CREATE TABLE users (id bigint PRIMARY KEY);' >work/repo/db/migrations/1_users.up.sql
commit_all work/repo "history"
git -C work/repo checkout -q -b feature
echo 'CREATE INDEX users_id ON users (id);' >work/repo/db/migrations/2_idx.up.sql
commit_all work/repo "index"

# judged ARGS...: the files `sluice ARGS` reports, one per line
judged() {
	"$SLUICE" "$@" 2>"$T/err" | python3 -c '
import json, sys
for f in json.load(sys.stdin)["files"]:
    print(f["path"])'
}

want=db/migrations/2_idx.up.sql
expect_eq "sluice -C DIR check: the branch of DIR" "$(judged -C work/repo check --format json)" "$want"
expect_eq "sluice check -C DIR: still accepted" "$(judged check -C work/repo --format json)" "$want"
expect_eq "sluice check --format json -C DIR: anywhere among the options" \
	"$(judged check --format json -C work/repo)" "$want"
expect_eq "-CDIR, glued" "$(judged -Cwork/repo check --format json)" "$want"
expect_eq "-C twice: the second relative to the first, as git does" \
	"$(judged -C work -C repo check --format json)" "$want"
expect_eq "a PATH is taken relative to DIR" \
	"$(judged -C work/repo check --format json db/migrations/2_idx.up.sql)" "$want"
expect_contains "draft after -C DIR" \
	"$("$SLUICE" -C work/repo draft --runbook db/migrations/2_idx.up.sql 2>&1)" "users_id"
expect_contains "rules after -C DIR" "$("$SLUICE" -C work/repo rules 2>&1)" "concurrently-in-transaction"

expect_exit "a missing DIR: exit 2" 2 "$SLUICE" -C nowhere check
expect_contains "... naming the directory" "$(cat "$T/.err")" "cannot change to 'nowhere'"
expect_exit "a missing DIR after the command: exit 2" 2 "$SLUICE" check -C nowhere
expect_exit "-C without a directory: exit 2" 2 "$SLUICE" -C
expect_contains "... saying what it needs" "$(cat "$T/.err")" "-C needs a directory"
expect_contains "the usage shows -C before the command" "$("$SLUICE" --help)" "sluice [-C DIR] check"

# The workbench: -C before PATHs; a --script FILE named relative to where
# sluice was started, not to DIR.
printf ':save-screen %s/screen.txt\n' "$T" >keys.txt
COLUMNS=100 LINES=10 "$SLUICE" -C work/repo --script keys.txt >/dev/null 2>"$T/tui.err"
expect_eq "the workbench after -C DIR exits 0" "$?" 0
expect_contains "it lists DIR's pending migration" "$(cat "$T/screen.txt" 2>/dev/null)" "HIGH     2  idx"
finish
