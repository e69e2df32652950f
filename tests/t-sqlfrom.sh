#!/bin/sh
# t-sqlfrom.sh - sluice.sqlFrom: a command that prints the SQL of a
# migration file sluice cannot read itself. It runs with an argv ({file} is
# one argument, never read by a shell), within sluice.toolTimeout and an
# output limit; a failure leaves that migration NOT JUDGED, by name, and the
# rest judged. Only the user's git config may set it, never a .sluice.
. "$SLUICE_SRC/tests/lib.sh"
. "$SLUICE_SRC/tests/discover-lib.sh"

new_repo sf
cd sf
mkdir -p migrations
echo 'CREATE TABLE users (id bigint PRIMARY KEY, email text);' >migrations/000_init.sql
feature_branch .
# The README's example ("Using sluice with another tool") is this file and command.
cat >migrations/001_users_email.yaml <<'YAML'
id: 001_users_email
sql: CREATE INDEX users_email ON users (email);
YAML
echo 'ALTER TABLE users ADD COLUMN name text;' >migrations/002_name.sql
commit_all . "a yaml migration"

expect_eq "without sluice.sqlFrom, a .yaml is not a migration (as before)" "$(judged)" \
	"migrations/002_name.sql plain up notxn"

git config sluice.sqlFrom "sed -n 's/^sql: //p' {file}"
expect_eq "with it, the yaml migration is judged in its place" "$(judged)" \
"migrations/001_users_email.yaml sqlFrom up notxn
migrations/002_name.sql plain up notxn"
expect_contains "its finding names the file" "$(rule_findings create-index-nonconcurrent)" \
	"migrations/001_users_email.yaml|HIGH|CREATE INDEX users_email on 'users' holds SHARE"

# A file name is one argument: a name with a space and $(...) reaches the
# command as it is, and no shell ever runs what it says.
printf 'sql: ALTER TABLE users ADD COLUMN a int;\n' >"migrations/003_a \$(touch PWNED).yaml"
expect_contains "a file named with \$(...) and a space is read" "$(judged)" \
	"migrations/003_a \$(touch PWNED).yaml sqlFrom up notxn"
check "... and nothing ran it" test ! -e PWNED
rm "migrations/003_a \$(touch PWNED).yaml"

# A command that fails, hangs, prints too much or is missing: NOT JUDGED, by name.
git config sluice.sqlFrom "false {file}"
"$SLUICE" check --format json >"$T/out" 2>"$T/err"
expect_eq "a failing command: exit 2" "$?" 2
expect_contains "... the file named, with the command and its status" "$(cat "$T/err")" \
	"migrations/001_users_email.yaml: 'false migrations/001_users_email.yaml' exited with status 1; not judged"
expect_eq "... the rest is still judged" "$(report_rows summary '{verdict}: {paths}' <"$T/out")" \
	"NOT JUDGED: migrations/002_name.sql"

git config sluice.sqlFrom "sleep 30"
git config sluice.toolTimeout 1
start=$(date +%s)
"$SLUICE" check >/dev/null 2>"$T/err"
took=$(( $(date +%s) - start ))
expect_contains "a command that hangs is stopped" "$(cat "$T/err")" \
	"migrations/001_users_email.yaml: 'sleep 30' did not finish within 1 s (sluice.toolTimeout); not judged"
check "... within the timeout ($took s)" test "$took" -lt 10
# Something it starts in a session of its own keeps the output open: sluice
# still stops reading soon after the timeout.
git config sluice.sqlFrom "setsid sleep 20"
start=$(date +%s)
"$SLUICE" check >/dev/null 2>"$T/err"
took=$(( $(date +%s) - start ))
expect_contains "a command whose child outlives it is stopped too" "$(cat "$T/err")" \
	"did not finish within 1 s"
check "... soon after the timeout ($took s)" test "$took" -lt 10
git config --unset sluice.toolTimeout

git config sluice.sqlFrom "yes SELECT 1;"
"$SLUICE" check >/dev/null 2>"$T/err"
expect_contains "a command that prints without end is stopped at the limit" "$(cat "$T/err")" \
	"migrations/001_users_email.yaml: 'yes SELECT 1;' printed more than 16 MB; not judged"

git config sluice.sqlFrom "/nonexistent/tosql {file}"
"$SLUICE" check >/dev/null 2>"$T/err"
expect_contains "a missing program" "$(cat "$T/err")" \
	"migrations/001_users_email.yaml: cannot run '/nonexistent/tosql': No such file or directory; not judged"

# Named on the command line, any file goes through the hook.
git config sluice.sqlFrom "sed -n 's/^sql: //p' {file}"
mkdir -p ../notes
printf 'sql: DROP TABLE users;\n' >../notes/cleanup.txt
expect_contains "a named file of another kind goes through the hook" \
	"$("$SLUICE" check --color never ../notes/cleanup.txt 2>&1)" \
	"../notes/cleanup.txt:1: HIGH [drop-table]"

# Only the user's own config: a .sluice that sets it is ignored, with a warning.
git config --unset sluice.sqlFrom
printf '[sluice]\n\tsqlFrom = touch %s/pwned {file}\n' "$T" >.sluice
"$SLUICE" check >/dev/null 2>"$T/err"
expect_contains "a .sluice setting sqlFrom gets a warning naming the key" "$(cat "$T/err")" \
	".sluice: 'sluice.sqlfrom' is ignored"
check "... and its command is not run" test ! -e "$T/pwned"
finish
