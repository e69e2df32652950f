#!/bin/sh
# The cross-check on raw SQL: in .sql query files, in Go and Python strings,
# with aliases, quoted identifiers, schemas, comments and other tables.
. "$SLUICE_SRC/tests/xref-lib.sh"

xref_repo 'CREATE TABLE users (id bigint PRIMARY KEY, email text, email_verified bool, "Nick" text);
CREATE TABLE accounts (id bigint PRIMARY KEY, email text, nick text);
CREATE SCHEMA audit;
CREATE TABLE audit.users (id bigint, email text);'
mkdir -p r/app r/queries
cat >r/app/store.go <<'GO'
package app

// Lookup finds a user by email (this comment must not count).
const lookup = `SELECT id, email FROM users WHERE id = $1`

const other = "SELECT email FROM accounts WHERE id = $1"

const verified = "SELECT email_verified FROM users"

/* SELECT email FROM users; in a block comment */
func q() string {
	return "SELECT u.id, u.email " +
		"FROM users u JOIN accounts a ON a.id = u.id"
}

const byAlias = "SELECT a.email FROM users u JOIN accounts a ON a.id = u.id"
const audited = "SELECT email FROM audit.users"
const nick = `SELECT "Nick", nick FROM users`
GO
cat >r/app/report.py <<'PY'
# email report
def rows(cur):
    cur.execute("SELECT email "
                "FROM public.users WHERE email_verified")
    cur.execute('UPDATE accounts SET email = NULL')
    return "Enter your email"
PY
cat >r/queries/users.sql <<'SQL'
-- name: GetUser :one
SELECT id, email FROM users WHERE id = $1;
-- name: GetAccount: email of accounts only
SELECT email FROM accounts;
SQL
commit_all r "app"
xref_migrate 'ALTER TABLE users DROP COLUMN email;
ALTER TABLE users RENAME COLUMN "Nick" TO nickname;'
xref_check
refs=$(xref_refs)
expect_ref "a backquoted Go query naming users" "app/store.go:4:3"
expect_ref "a concatenated query, through its alias" "app/store.go:12:3"
expect_ref "Python's implicit concatenation, schema-qualified public.users" "app/report.py:3:3"
expect_ref "a query file statement" "queries/users.sql:2:3"
expect_no_ref "a comment mentioning email" "app/store.go:3:"
expect_no_ref "a block comment with SQL in it" "app/store.go:10:"
expect_no_ref "accounts.email: another table" "app/store.go:6:"
expect_no_ref "email_verified is another column" "app/store.go:8:"
expect_no_ref "a.email resolves to accounts" "app/store.go:16:"
expect_no_ref "audit.users is another schema's table" "app/store.go:17:"
expect_no_ref "UPDATE accounts SET email" "app/report.py:6:"
expect_no_ref "prose in a string" "app/report.py:7:"
expect_no_ref "the query file's statement on accounts" "queries/users.sql:4:"
expect_no_ref "-- name comments in a query file" "queries/users.sql:3:"
expect_ref "quoted \"Nick\" is case sensitive: the quoted one counts" "app/store.go:18:3"
expect_eq "exactly these references" "$refs" "app/report.py:3:3
app/store.go:12:3
app/store.go:18:3
app/store.go:4:3
queries/users.sql:2:3"
expect_eq "verdict of users.email" "$(xref_verdict users.email)" "drop column no BLOCKER"
expect_eq "verdict of users.Nick" "$(xref_verdict users.Nick)" "rename column no BLOCKER"
expect_contains "the BLOCKER lists file:line" "$(xref_findings app-references-dropped)" \
	"BLOCKER column users.email is dropped but 4 places in the app still use it: app/report.py:3, app/store.go:4, app/store.go:12, queries/users.sql:2"
expect_contains "renamed: its own rule" "$(xref_findings app-references-renamed)" "app/store.go:18"

# The code at the same commit: HEAD plus uncommitted changes.
printf 'q = "SELECT email FROM users"\n' >r/app/new.py
printf 'q = "SELECT email FROM users"\n' >r/app/ignored.py
printf 'app/ignored.py\n' >r/.gitignore
git -C r rm -q app/report.py
xref_check
expect_ref "an untracked file counts" "app/new.py:1:3"
expect_no_ref "an ignored file does not" "app/ignored.py"
expect_no_ref "a deleted file does not" "app/report.py"
git -C r reset -q HEAD app/report.py && git -C r checkout -q -- app/report.py
rm -f r/app/new.py r/app/ignored.py r/.gitignore

# The verdict table in the text report.
xref_check text
expect_contains "text: the table header" "$(cat "$T/out.text")" \
	"| schema element | change | app references | compatible? | action |"
expect_contains "text: the row" "$(cat "$T/out.text")" "| users.email | drop column | 4 (4 sql)"

# Once the code stops using it, the drop is compatible (near miss for the rule).
sed -i 's/email/mail/g' r/app/store.go r/app/report.py r/queries/users.sql
xref_check
expect_eq "no references left: compatible" "$(xref_verdict users.email)" "drop column yes NONE"
expect_eq "and no finding" "$(xref_findings app-references-dropped)" ""

# A NOT NULL column without a default: INSERTs that do not set it.
cat >r/app/insert.go <<'GO'
package app

const add = "INSERT INTO accounts (id, mail) VALUES ($1, $2)"
const addAll = "INSERT INTO accounts (id, mail, tenant_id) VALUES ($1, $2, $3)"
const addUser = "INSERT INTO users (id) VALUES ($1)"
GO
xref_migrate 'ALTER TABLE accounts ADD COLUMN tenant_id bigint NOT NULL;'
xref_check
expect_eq "the INSERT without tenant_id, only" "$(xref_refs)" "app/insert.go:3:3"
expect_eq "verdict of the NOT NULL column" "$(xref_verdict accounts.tenant_id)" "add not null column no HIGH"

# An ignore comment before the statement silences the finding, not the table.
printf 'package app\n\nconst q = "SELECT email FROM users"\n' >r/app/ignored.go
xref_migrate '-- sluice:ignore app-references-dropped -- the code goes in the same deploy
ALTER TABLE users DROP COLUMN email;'
xref_check
expect_contains "the finding is there, ignored" "$(xref_py 'for s in stmts:
    for f in s["findings"]:
        if f["rule"] == "app-references-dropped": print(f.get("ignored"))' x)" "True"
expect_not_contains "and the ignore is not reported unused" "$(cat "$T/out.json")" "unused-ignore"
expect_ref "the references are still listed" "app/ignored.go:3:3"

# A table dropped while SQL still reads it.
xref_migrate 'DROP TABLE accounts;'
xref_check
expect_eq "verdict of the dropped table" "$(xref_verdict accounts)" "drop table no BLOCKER"
expect_ref "FROM accounts" "queries/users.sql:4:3"
finish
