#!/bin/sh
# t-settings.sh - sluice.* settings: the committed .sluice file first, then
# git config; command-line flags over both; a bad value names its key and
# where it came from.
. "$SLUICE_SRC/tests/lib.sh"
. "$SLUICE_SRC/tests/discover-lib.sh"

new_repo r
cd r
mkdir -p migrations
echo 'CREATE TABLE a (id int);' >migrations/1_a.sql
feature_branch .
# HIGH everywhere (no CONCURRENTLY); a constant DEFAULT is HIGH only before 11
echo 'CREATE INDEX a_id ON a (id);' >migrations/2_idx.sql
echo 'ALTER TABLE a ADD COLUMN c int DEFAULT 0;' >migrations/3_col.sql
commit_all . work

rules() { "$SLUICE" check --format json "$@" 2>"$T/.judged.err" | python3 -c '
import json, sys
print(" ".join(sorted({x["rule"] for f in json.load(sys.stdin)["files"]
                       for s in f["statements"] for x in s["findings"]})))'; }

expect_eq "default pg version" "$(summary pg_version)" "15"
expect_not_contains "pg 15: a constant default is fine" "$(rules)" "add-column-default-before-pg11"

git config sluice.pgVersion 10
expect_eq "git config sluice.pgVersion" "$(summary pg_version)" "10"
expect_contains "... reaches the rules" "$(rules)" "add-column-default-before-pg11"
printf '[sluice]\n\tpgVersion = 12\n' >.sluice
expect_eq ".sluice wins over git config" "$(summary pg_version)" "12"
expect_eq "--pg-version wins over both" "$(summary pg_version --pg-version 10)" "10"
expect_eq ".sluice found from a subdirectory" "$(mkdir -p sub && cd sub && summary pg_version)" "12"
git config --unset sluice.pgVersion

# failOn: the exit code follows it
expect_exit "default failOn HIGH: a HIGH finding fails" 1 "$SLUICE" check
printf '[sluice]\n\tfailOn = BLOCKER\n' >.sluice
expect_exit "sluice.failOn BLOCKER: passes" 0 "$SLUICE" check
expect_eq "... shown in the summary" "$(summary fail_on)" "BLOCKER"
expect_exit "--fail-on beats the setting" 1 "$SLUICE" check --fail-on HIGH
rm .sluice
expect_exit "only MEDIUM findings left: passes at HIGH" 0 "$SLUICE" check --disable create-index-nonconcurrent
git config sluice.failOn low
expect_exit "git config failOn, any case: MEDIUM now fails" 1 "$SLUICE" check --disable create-index-nonconcurrent
expect_eq "... parsed" "$(summary fail_on)" "LOW"
git config --unset sluice.failOn

# disable: repeated keys and comma lists
printf '[sluice]\n\tdisable = create-index-nonconcurrent, lock-timeout-missing\n\tdisable = no-such-rule\n' >.sluice
out=$(rules)
expect_not_contains "disabled rule silent" "$out" "create-index-nonconcurrent"
expect_not_contains "second of a comma list silent" "$out" "lock-timeout-missing"
expect_contains "an unknown rule name is warned about" "$(cat "$T/.judged.err")" "sluice.disable: no rule named 'no-such-rule'"
rm .sluice
expect_contains "without the setting the rule is back" "$(rules)" "create-index-nonconcurrent"

# base from .sluice: main moves on, the branch compares with "old"
git branch -q old main
git checkout -q main && echo 'CREATE TABLE z (id int);' >migrations/0_z.sql && commit_all . z
git checkout -q feature
printf '[sluice]\n\tbase = old\n' >.sluice
expect_eq "sluice.base in .sluice" "$(summary base)" "old"
expect_eq "--base beats it" "$(summary base --base main)" "main"

# bad values name the key and the file
printf '[sluice]\n\tpgVersion = fifteen\n' >.sluice
expect_exit "a bad pgVersion is a usage error" 2 "$SLUICE" check
expect_contains "... naming the key and where it is" "$(cat "$T/.err")" "sluice.pgVersion (.sluice): 'fifteen'"
printf '[sluice]\n\tfailOn = SEVERE\n' >.sluice
expect_exit "a bad failOn is a usage error" 2 "$SLUICE" check
expect_contains "... naming the key" "$(cat "$T/.err")" "sluice.failOn (.sluice): 'SEVERE'"
rm .sluice
git config sluice.pgVersion 99
expect_exit "out of range in git config" 2 "$SLUICE" check
expect_contains "... naming git config" "$(cat "$T/.err")" "sluice.pgVersion (git config): '99'"
git config --unset sluice.pgVersion
printf '[sluice\n' >.sluice
expect_exit "a .sluice that is not git-config syntax" 2 "$SLUICE" check
expect_contains "... names the file" "$(cat "$T/.err")" ".sluice"
finish
