#!/bin/sh
# t-verify-replay.sh - the application's own statements replayed on the
# shadow after each migration (core/app_sql.c, core/xref/xref_sql.c,
# core/db/shadow_replay.c), on the real test server:
#   - `sluice verify`: a rename breaks the Go INSERT/SELECT/UPDATE that name
#     the old column: app-statement-fails, BLOCKER, each with its file:line
#     and the server's message; the statements that do not name it (and
#     the Python one with %(name)s placeholders) replay and pass;
#   - parameters come from the seeded rows: an INSERT into a UNIQUE column
#     gets a fresh value (it replays), a WHERE on a foreign key an existing
#     parent's key;
#   - code written for a later schema fails before the migration too: not
#     replayable, listed, never a failure; a statement on another table is
#     not replayed at all; a pg_read_file() in app SQL is not run;
#   - `sluice draft --shadow`: the rename's split keeps every statement
#     working (the summary counts them); a SET NOT NULL draft fails,
#     naming the UPDATE that writes NULL and its file:line;
#   - sequencing: SET NOT NULL with an INSERT that does not set the column
#     (app-insert-missing-column): the NOT VALID check carries
#     `-- sluice: deploy first: app/users.go:3`, the draft says which code
#     deploys before which file, the replay expects that INSERT to fail
#     from there on (and only that one), the draft verifies, and
#     `sluice check` of the written draft reports the INSERT as sequenced
#     (MEDIUM), where the original is HIGH.
. "$SLUICE_SRC/tests/lib.sh"
. "$SLUICE_SRC/tests/db-lib.sh"

new_repo r
mkdir -p r/db/migrations r/app
cat >r/db/migrations/000001_init.up.sql <<'SQL'
CREATE TABLE orgs (id bigserial PRIMARY KEY, name text NOT NULL);
CREATE TABLE users (id bigserial PRIMARY KEY, email text NOT NULL UNIQUE, nick text,
                    org_id bigint REFERENCES orgs (id));
CREATE TABLE audit (id bigserial PRIMARY KEY, what text);
SQL
printf 'DROP TABLE audit;\nDROP TABLE users;\nDROP TABLE orgs;\n' >r/db/migrations/000001_init.down.sql
cat >r/app/users.go <<'EOF'
package app

const insertUser = `INSERT INTO users (email, nick, org_id) VALUES ($1, $2, $3)`

const findUser = "SELECT id, email, nick FROM users " +
	"WHERE email = $1"

const byOrg = `SELECT u.id FROM users u JOIN orgs o ON o.id = u.org_id WHERE u.org_id = ?`

const clearNick = `UPDATE users SET nick = NULL WHERE id = ?`

const future = `SELECT display_name FROM users WHERE id = $1`

const sneaky = `SELECT pg_read_file('/etc/passwd') FROM users`

const other = `INSERT INTO audit (what) VALUES ($1)`
EOF
cat >r/app/report.py <<'EOF'
def count(cur, org):
    cur.execute("SELECT count(*) FROM users WHERE org_id = %(org)s OR id = %(org)s", {"org": org})
EOF
commit_all r "history and app"
printf 'ALTER TABLE users RENAME COLUMN nick TO nickname;\n' >r/db/migrations/000002_rename.up.sql
printf 'ALTER TABLE users RENAME COLUMN nickname TO nick;\n' >r/db/migrations/000002_rename.down.sql

out=$("$SLUICE" -C r verify --shadow "$PG" 2>&1)
expect_eq "verify: a rename that breaks the app's statements fails" "$?" 1
for line in 3 5 10; do
	expect_contains "verify: app/users.go:$line is named, BLOCKER" "$out" \
		"BLOCKER [app-statement-fails] after this migration the application's statement at app/users.go:$line fails on the shadow: column \"nick\""
done
expect_contains "verify: with the statement itself" "$out" "(UPDATE users SET nick = NULL WHERE id = \$1)"
expect_not_contains "verify: the join on org_id still runs" "$out" "statement at app/users.go:8"
expect_not_contains "verify: the Python statement still runs" "$out" "statement at app/report.py"
expect_contains "verify: the count" "$out" "shadow: 5 application statements replayed after each migration on its tables, 3 failing"
expect_contains "verify: code for a later schema is not replayable, said so" "$out" \
	"app/users.go:12: not replayed: it fails before the migrations too:"
expect_contains "verify: a server-file read in app SQL is not run" "$out" \
	"app/users.go:14: not replayed: not run:"
expect_not_contains "verify: another table's statement is not replayed" "$out" "app/users.go:16"

json=$("$SLUICE" -C r verify --shadow "$PG" --format json 2>/dev/null)
expect_eq "json: the INSERT into a UNIQUE column replayed (fresh email)" \
	"$(echo "$json" | json_get '[s["replayed"] for s in d["shadow"]["app_statements"] if s["line"] == 3][0]')" True
expect_eq "json: placeholders as \$n, the Python named one once" \
	"$(echo "$json" | json_get '[s["sql"] for s in d["shadow"]["app_statements"] if s["path"] == "app/report.py"][0]')" \
	'SELECT count(*) FROM users WHERE org_id = $1 OR id = $1'

# The draft of the same rename keeps old code working: every statement passes after each step.
rm r/db/migrations/000002_rename.down.sql
out=$(cd r && "$SLUICE" draft --shadow "$PG" db/migrations/000002_rename.up.sql 2>&1)
expect_eq "draft: the rename's split verifies with the app's statements" "$?" 0
expect_contains "draft: the summary counts them" "$out" "5 app statements replayed after each step, 2 not replayable"

# SET NOT NULL: the UPDATE that writes NULL fails after the NOT VALID check.
printf 'ALTER TABLE users ALTER COLUMN nick SET NOT NULL;\n' >r/db/migrations/000002_rename.up.sql
"$SLUICE" -C r draft --shadow "$PG" db/migrations/000002_rename.up.sql >"$T/nn.out" 2>&1
expect_eq "draft: SET NOT NULL with an app UPDATE writing NULL fails" "$?" 1
expect_contains "draft: named, with its file:line" "$(cat "$T/nn.out")" \
	"the application's statement at app/users.go:10 fails on the shadow"
check "draft: not written" test ! -e r/db/migrations/000003_validate_users_nick_not_null.up.sql

# --- sequencing with the app's INSERTs ------------------------------------------------
new_repo s
mkdir -p s/db/migrations s/app
cp r/db/migrations/000001_init.* s/db/migrations/
cat >s/app/users.go <<'EOF'
package app

const insertUser = `INSERT INTO users (email, org_id)
	VALUES ($1, $2)`

const findUser = "SELECT id, email, nick FROM users WHERE email = $1"

const setNick = `UPDATE users SET nick = $1 WHERE id = $2`
EOF
commit_all s "history and app"
printf 'ALTER TABLE users ALTER COLUMN nick SET NOT NULL;\n' >s/db/migrations/000002_nn.up.sql
expect_contains "sequencing: the original's INSERT is HIGH" "$("$SLUICE" -C s check 2>&1)" \
	"HIGH [app-insert-missing-column] column users.nick becomes NOT NULL but 1 INSERT"
out=$(cd s && "$SLUICE" draft --shadow "$PG" db/migrations/000002_nn.up.sql 2>&1)
expect_eq "sequencing: the draft verifies" "$?" 0
expect_contains "sequencing: the check step says which code deploys first" "$out" \
	"-- sluice: deploy first: app/users.go:3
SET LOCAL lock_timeout = '2s';
ALTER TABLE users ADD CONSTRAINT users_nick_not_null CHECK (nick IS NOT NULL) NOT VALID;"
expect_contains "sequencing: the note names the code and the step" "$out" \
	"deploy first: the code at app/users.go:3 must be deployed before db/migrations/000002_nn.up.sql"
expect_contains "sequencing: the replay expects that INSERT, and only it, to fail" "$out" \
	"3 app statements replayed after each step (1 waits for the code deploy the draft orders first)"
(cd s && "$SLUICE" draft --out . db/migrations/000002_nn.up.sql >/dev/null 2>&1)
out=$("$SLUICE" -C s check 2>&1)
expect_contains "sequencing: check of the written draft: sequenced, one step down (MEDIUM)" "$out" \
	"MEDIUM [app-insert-missing-column] column users.nick becomes NOT NULL but 1 INSERT or model in the app does not set it: app/users.go:3; the migrations say this code deploys first"
expect_not_contains "sequencing: no HIGH left for it" "$out" "HIGH [app-insert-missing-column]"
out=$("$SLUICE" -C s verify --shadow "$PG" 2>&1)
expect_contains "sequencing: sluice verify of the written draft: the same expectation" "$out" \
	"app/users.go:3: fails as the migration expects: that code deploys first"
expect_not_contains "sequencing: no app-statement-fails" "$out" "[app-statement-fails]"

finish
