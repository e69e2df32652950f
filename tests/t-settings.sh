#!/bin/sh
# t-settings.sh - sluice.* settings: the committed .sluice file first, then
# git config; command-line flags over both; a bad value names its key and
# where it came from. A branch is judged by its base's .sluice
# (t-trust-settings.sh), so the policy here is committed on main and merged.
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

# set_policy TEXT: main's .sluice is TEXT ('' removes it); feature merges it.
set_policy() {
	git checkout -q main
	if [ -n "$1" ]; then printf "$1" >.sluice; else rm -f .sluice; fi
	git add -A .sluice && git commit -q --allow-empty -m policy
	git checkout -q feature && git merge -q --no-edit main
}

rules() { "$SLUICE" check --format json "$@" 2>"$T/.judged.err" | python3 -c '
import json, sys
print(" ".join(sorted({x["rule"] for f in json.load(sys.stdin)["files"]
                       for s in f["statements"] for x in s["findings"]})))'; }

expect_eq "default pg version" "$(summary pg_version)" "15"
expect_not_contains "pg 15: a constant default is fine" "$(rules)" "add-column-default-before-pg11"

git config sluice.pgVersion 10
expect_eq "git config sluice.pgVersion" "$(summary pg_version)" "10"
expect_contains "... reaches the rules" "$(rules)" "add-column-default-before-pg11"
set_policy '[sluice]\n\tpgVersion = 12\n'
expect_eq ".sluice wins over git config" "$(summary pg_version)" "12"
expect_eq "--pg-version wins over both" "$(summary pg_version --pg-version 10)" "10"
expect_eq ".sluice found from a subdirectory" "$(mkdir -p sub && cd sub && summary pg_version)" "12"
git config --unset sluice.pgVersion

# failOn: the exit code follows it
expect_exit "default failOn HIGH: a HIGH finding fails" 1 "$SLUICE" check
set_policy '[sluice]\n\tfailOn = BLOCKER\n'
expect_exit "sluice.failOn BLOCKER: passes" 0 "$SLUICE" check
expect_eq "... shown in the summary" "$(summary fail_on)" "BLOCKER"
expect_exit "--fail-on beats the setting" 1 "$SLUICE" check --fail-on HIGH
set_policy ''
expect_exit "only MEDIUM findings left: passes at HIGH" 0 "$SLUICE" check --disable create-index-nonconcurrent
git config sluice.failOn low
expect_exit "git config failOn, any case: MEDIUM now fails" 1 "$SLUICE" check --disable create-index-nonconcurrent
expect_eq "... parsed" "$(summary fail_on)" "LOW"
git config --unset sluice.failOn

# disable: repeated keys and comma lists
set_policy '[sluice]\n\tdisable = create-index-nonconcurrent, lock-timeout-missing\n\tdisable = no-such-rule\n'
out=$(rules)
expect_not_contains "disabled rule silent" "$out" "create-index-nonconcurrent"
expect_not_contains "second of a comma list silent" "$out" "lock-timeout-missing"
expect_contains "an unknown rule name is warned about" "$(cat "$T/.judged.err")" "sluice.disable: no rule named 'no-such-rule'"
set_policy ''
expect_contains "without the setting the rule is back" "$(rules)" "create-index-nonconcurrent"

# base from main's .sluice: the branch compares with "old"
git branch -q old main
set_policy '[sluice]\n\tbase = old\n'
expect_eq "sluice.base in .sluice" "$(summary base)" "old"
expect_eq "--base beats it" "$(summary base --base main)" "main"

# bad values name the key and the file
set_policy '[sluice]\n\tpgVersion = fifteen\n'
expect_exit "a bad pgVersion is a usage error" 2 "$SLUICE" check
expect_contains "... naming the key and where it is" "$(cat "$T/.err")" "sluice.pgVersion (.sluice of main): 'fifteen'"
set_policy '[sluice]\n\tfailOn = SEVERE\n'
expect_exit "a bad failOn is a usage error" 2 "$SLUICE" check
expect_contains "... naming the key" "$(cat "$T/.err")" "sluice.failOn (.sluice of main): 'SEVERE'"
printf '[sluice]\n\tpgVersion = fifteen\n' >.sluice
expect_exit "paths mode reads the work tree's .sluice" 2 "$SLUICE" check migrations
expect_contains "... naming it" "$(cat "$T/.err")" "sluice.pgVersion (.sluice): 'fifteen'"
set_policy ''
rm -f .sluice
git config sluice.pgVersion 99
expect_exit "out of range in git config" 2 "$SLUICE" check
expect_contains "... naming git config" "$(cat "$T/.err")" "sluice.pgVersion (git config): '99'"
git config --unset sluice.pgVersion
printf '[sluice\n' >.sluice
expect_exit "a .sluice that is not git-config syntax" 2 "$SLUICE" check
expect_contains "... names the file" "$(cat "$T/.err")" ".sluice"
finish
