#!/bin/sh
# t-not-judged.sh - an input sluice did not judge is never reported as a
# pass: the verdict is NOT JUDGED in every format, naming what was not
# judged (binary, NUL bytes, UTF-16, a FIFO, a device); committed symlinked
# migrations are followed inside the repository and refused outside it;
# every regular file named on the command line is judged, whatever its name.
. "$SLUICE_SRC/tests/lib.sh"
. "$SLUICE_SRC/tests/discover-lib.sh"

verdict() { report_rows summary '{verdict}'; }

# --- NOT JUDGED in every reporter ------------------------------------------
mkdir -p m
echo "CREATE TABLE ok (id int);" >m/1_ok.sql
printf 'CREATE TABLE b (id int);\0\1\2' >m/2_nul.sql
for f in text json sarif github markdown; do
	"$SLUICE" check --format "$f" m >"$T/o" 2>"$T/e"
	rc=$?
	expect_eq "a NUL-byte file: exit 2 ($f)" "$rc" 2
	expect_not_contains "... no SAFE TO SHIP ($f)" "$(cat "$T/o")" "SAFE TO SHIP"
	expect_contains "... NOT JUDGED ($f)" "$(cat "$T/o")" "NOT JUDGED"
	expect_contains "... naming the file ($f)" "$(cat "$T/o")" "m/2_nul.sql"
done
"$SLUICE" check --format markdown m >"$T/o" 2>/dev/null
expect_contains "markdown: the heading says NOT JUDGED" "$(head -1 "$T/o")" "sluice: NOT JUDGED"
"$SLUICE" check --format json m >"$T/o" 2>/dev/null
expect_eq "json: summary.verdict" "$(verdict <"$T/o")" "NOT JUDGED"
expect_contains "json: summary.not_judged names the file" \
	"$(json_get 'd["summary"]["not_judged"]' <"$T/o")" "m/2_nul.sql"
expect_eq "json: the old fields stay (errors)" \
	"$(json_get 'len(d["summary"]["errors"])' <"$T/o")" "1"
"$SLUICE" check --format sarif m >"$T/o" 2>/dev/null
expect_eq "sarif: the run's verdict property" \
	"$(json_get 'd["runs"][0]["properties"]["verdict"]' <"$T/o")" "NOT JUDGED"
expect_eq "sarif: execution not successful" \
	"$(json_get 'd["runs"][0]["invocations"][0]["executionSuccessful"]' <"$T/o")" "False"
rm m/2_nul.sql

# UTF-16 (NUL bytes between the letters) is not judged either
printf '\377\376D\0R\0O\0P\0 \0T\0A\0B\0L\0E\0 \0u\0;\0\n\0' >m/3_utf16.sql
"$SLUICE" check --format json m >"$T/o" 2>"$T/e"
expect_eq "a UTF-16 file: exit 2" "$?" 2
expect_eq "... NOT JUDGED" "$(verdict <"$T/o")" "NOT JUDGED"
rm m/3_utf16.sql
"$SLUICE" check --format json m >"$T/o" 2>"$T/e"
expect_eq "everything judged: exit 0" "$?" 0
expect_eq "... and the verdict is a pass again" "$(verdict <"$T/o")" "SAFE TO SHIP"
expect_eq "... with nothing not judged" "$(json_get 'len(d["summary"]["not_judged"])' <"$T/o")" "0"

# --- named paths --------------------------------------------------------------
printf 'DROP TABLE users;\n' >foo.txt
printf 'DROP TABLE users;\n' >noext
for p in foo.txt noext; do
	"$SLUICE" check --format json "$p" >"$T/o" 2>"$T/e"
	expect_eq "a named regular file '$p' is judged: the DROP TABLE fails it" "$?" 1
	expect_eq "... one file" "$(json_get 'd["summary"]["files"]' <"$T/o")" "1"
done
expect_exit "a named device (/dev/zero): exit 2" 2 timeout 20 "$SLUICE" check /dev/zero
expect_contains "... saying what it is" "$(cat "$T/.err")" "/dev/zero: a device, not a migration file; not judged"
expect_contains "... NOT JUDGED" "$(cat "$T/.out")" "verdict: NOT JUDGED"
mkfifo fifo.sql
expect_exit "a named FIFO: exit 2, no hang" 2 timeout 20 "$SLUICE" check fifo.sql
expect_contains "... saying it is a FIFO" "$(cat "$T/.err")" "fifo.sql: a FIFO"
mkdir -p mysql
echo "CREATE TABLE t (id int) ENGINE=InnoDB;" >mysql/1_t.mysql.sql
expect_exit "a named migration for another database: exit 2" 2 "$SLUICE" check mysql/1_t.mysql.sql
expect_contains "... saying so" "$(cat "$T/.err")" "another database"

# --- committed symlinks ---------------------------------------------------------
new_repo r
mkdir -p r/migrations r/shared
echo "CREATE TABLE users (id int);" >r/migrations/1_users.sql
echo "CREATE TABLE keep (id int);" >r/shared/keep.sql
commit_all r "history"
git -C r checkout -q -b feature
echo "DROP TABLE users;" >r/shared/drop.sql
ln -s ../shared/drop.sql r/migrations/2_drop.sql
commit_all r "a symlinked migration"
cd r
expect_eq "a committed symlink inside the repository is judged" "$(judged)" \
	"migrations/2_drop.sql plain up notxn"
expect_eq "... as its target's text: the DROP TABLE is found" \
	"$(rule_findings drop-table | cut -d'|' -f1)" "migrations/2_drop.sql"
git tag judged
ln -s /etc/passwd migrations/3_out.sql
echo "x" >"$T/outside.sql"
ln -s "$T/outside.sql" migrations/4_out.sql
commit_all . "links out of the repository"
expect_exit "a committed symlink out of the repository: exit 2" 2 "$SLUICE" check --base judged
expect_contains "... naming the file and where it points" "$(cat "$T/.err")" \
	"migrations/3_out.sql: a symbolic link to '/etc/passwd', outside the repository; not judged"
expect_contains "... each of them" "$(cat "$T/.err")" "migrations/4_out.sql: a symbolic link"
expect_contains "... NOT JUDGED" "$(cat "$T/.out")" "verdict: NOT JUDGED"
expect_not_contains "... and /etc/passwd is not read" "$(cat "$T/.out")" "root:"
git rm -q migrations/3_out.sql migrations/4_out.sql && git commit -q -m "out"
# an uncommitted link out of the work tree, and one inside it
ln -s "$T/outside.sql" migrations/5_wt.sql
expect_exit "an uncommitted symlink out of the work tree: exit 2" 2 "$SLUICE" check --base judged
expect_contains "... naming it" "$(cat "$T/.err")" "migrations/5_wt.sql: a symbolic link"
rm migrations/5_wt.sql
ln -s ../shared/keep.sql migrations/6_wt.sql
expect_eq "an uncommitted symlink inside the work tree is judged" \
	"$(judged | tail -1)" "migrations/6_wt.sql plain up notxn"
cd ..
finish
