#!/bin/sh
# t-liquibase.sh - Liquibase formatted SQL: each changeset is a migration of
# its own, its runInTransaction, splitStatements and endDelimiter honoured,
# its --rollback lines its down; in a repository, only the changesets the
# branch adds or edits are pending.
. "$SLUICE_SRC/tests/lib.sh"
. "$SLUICE_SRC/tests/discover-lib.sh"

# The README's example ("Using sluice with Liquibase") is this file.
new_repo lb
cd lb
mkdir -p src/main/resources/db/changelog
cat >src/main/resources/db/changelog/001-users.sql <<'SQL'
--liquibase formatted sql

--changeset alice:1
CREATE TABLE users (id bigint PRIMARY KEY, email text);
--rollback DROP TABLE users;
SQL
feature_branch .
cat >>src/main/resources/db/changelog/001-users.sql <<'SQL'

--changeset alice:2 runInTransaction:false
CREATE INDEX CONCURRENTLY users_email ON users (email);
--rollback DROP INDEX CONCURRENTLY users_email;

--changeset bob:3
CREATE INDEX users_email_lower ON users (lower(email));
--rollback DROP INDEX users_email_lower;

--changeset bob:4 runInTransaction:false splitStatements:false
CREATE INDEX CONCURRENTLY users_id_email ON users (id, email);
ALTER TABLE users ADD COLUMN n int;

--changeset carol:5 endDelimiter:/
CREATE FUNCTION one() RETURNS int AS $$ SELECT 1 $$ LANGUAGE sql
/
--rollback DROP FUNCTION one
--rollback /

--changeset dave:6 dbms:mysql
ALTER TABLE users ENGINE=InnoDB;
SQL
commit_all . "changesets 2 to 6"
F=src/main/resources/db/changelog/001-users.sql
out=$(judged)
expect_eq "the branch's changesets, each in its transaction mode; alice:1 is history, dave:6 for MySQL" "$out" \
"$F liquibase up notxn
$F liquibase down notxn
$F liquibase up txn
$F liquibase down txn
$F liquibase up txn
$F liquibase up txn
$F liquibase down txn"
expect_eq "statement lines are the file's" "$(stmt_lines "$F" up)" "8
12
16 17
20"

json=$("$SLUICE" check --format json 2>/dev/null)
lines() { # DIRECTION RULE: the lines where RULE fires
	echo "$json" | report_rows findings '{line}' direction="$1" rule="$2" level=statement --join ' '
}
expect_eq "a plain CREATE INDEX in a transactional changeset is flagged at its line" \
	"$(lines up create-index-nonconcurrent)" "12"
expect_eq "CONCURRENTLY in runInTransaction:false is fine; with splitStatements:false and a second statement it is not" \
	"$(lines up concurrently-in-transaction)" "16"
expect_contains "... and the message says why (one JDBC batch)" \
	"$(rule_findings concurrently-in-transaction)" "splitStatements:false"
expect_eq "the rollback lines are the down, at their lines" \
	"$(echo "$json" | report_rows statements '{line}:{sql}' direction=down --join ' ')" \
	"9:DROP INDEX CONCURRENTLY users_email 13:DROP INDEX users_email_lower 22:DROP FUNCTION one"
expect_eq "endDelimiter:/ ends the function's statement" \
	"$(echo "$json" | report_rows statements '{sql}' line=20)" \
	'CREATE FUNCTION one() RETURNS int AS $$ SELECT 1 $$ LANGUAGE sql'
expect_eq "the MySQL changeset is not judged on PostgreSQL, nor reported" \
	"$(echo "$json" | grep -c ENGINE)" "0"
expect_contains "the changeset without a rollback has down-missing" \
	"$(rule_findings down-missing)" "$F|MEDIUM|no down migration: nothing undoes index 'users_id_email'"

# An edit of an applied changeset is pending again (Liquibase would refuse
# its checksum; sluice judges what it says now).
sed -i 's/email text);/email text, name text);/' "$F"
out=$(judged)
expect_contains "an edited applied changeset is judged again" "$out" "$F liquibase up txn
$F liquibase down txn
$F liquibase up notxn"

# A draft would rewrite the whole changelog: refused, saying why.
before=$(cksum <"$F")
"$SLUICE" draft "$F" >/dev/null 2>"$T/err"
expect_eq "a draft of a changeset is refused (exit 1)" "$?" 1
expect_contains "... because the file holds the other changesets" "$(cat "$T/err")" \
	"it is one changeset of a Liquibase changelog: rewriting the file would drop the others"
expect_eq "... and the file is untouched" "$(cksum <"$F")" "$before"

# Named on the command line, a changelog anywhere is read as Liquibase.
mkdir -p ../elsewhere
printf -- '-- liquibase formatted sql\n-- changeset x:1\nCREATE INDEX i ON t (a);\n' >../elsewhere/changes.sql
expect_eq "a file named on the command line, with spaces in its directives" \
	"$(judged ../elsewhere/changes.sql)" "../elsewhere/changes.sql liquibase up txn"
finish
