#!/bin/sh
# t-branch-new-tables.sh - a table created by an earlier migration of the
# branch (pending: not on the base) is empty in production when the branch
# ships, so later pending migrations that index it, add NOT NULL columns or
# constraints, rename or drop it raise no lock or rewrite finding. A table
# the base already has still does (the near misses); so does one whose
# creating migration was only edited on the branch (it exists on the base);
# and `sluice check DIR` without git keeps earlier files as history, except
# the parts of one kratos/popx migration.
. "$SLUICE_SRC/tests/lib.sh"
. "$SLUICE_SRC/tests/discover-lib.sh"

new_repo r
mkdir -p r/migrations
cat >r/migrations/001_users.up.sql <<'EOF'
CREATE TABLE users (id bigint PRIMARY KEY, email text);
EOF
cat >r/migrations/002_teams.up.sql <<'EOF'
CREATE TABLE teams (id bigint PRIMARY KEY, name text);
EOF
feature_branch r

# the branch: 003 creates invites (and, in a DO block, codes); 004 works on them
cat >r/migrations/003_invites.up.sql <<'EOF'
CREATE TABLE invites (id bigint PRIMARY KEY, email text, team_id bigint);
CREATE INDEX invites_team_idx ON invites (team_id);
CREATE TABLE user_copy (id bigint PRIMARY KEY, email text);
INSERT INTO user_copy SELECT id, email FROM users;
DO $$
BEGIN
	CREATE TABLE codes (id bigint PRIMARY KEY, code text);
END
$$;
EOF
cat >r/migrations/004_invites_more.up.sql <<'EOF'
CREATE INDEX invites_email_idx ON invites (email);
ALTER TABLE invites ADD COLUMN token text NOT NULL;
ALTER TABLE invites ADD CONSTRAINT invites_team_fk FOREIGN KEY (team_id) REFERENCES teams (id);
ALTER TABLE invites RENAME COLUMN email TO address;
CREATE INDEX codes_code_idx ON codes (code);
ALTER TABLE codes RENAME TO invite_codes;
DROP TABLE invite_codes;
CREATE INDEX users_email_idx ON users (email);
ALTER TABLE teams ADD COLUMN slug text NOT NULL;
CREATE INDEX user_copy_email_idx ON user_copy (email);
EOF
commit_all r "invites"
cd r

# the findings of 004, "line rule" per finding
f004() {
	"$SLUICE" check --format json "$@" 2>"$T/err" | python3 -c '
import json, sys
for f in json.load(sys.stdin)["files"]:
    if f["path"].endswith("004_invites_more.up.sql"):
        for s in f["statements"]:
            for x in s["findings"]:
                print(s["line"], x["rule"])'
}
out=$(f004)
for line in 1 2 3 4 5 6 7; do
	expect_eq "004:$line (a table created on this branch): no finding" \
		"$(printf '%s\n' "$out" | grep -c "^$line ")" 0
done
expect_contains "near miss: an index on users (on the base) still blocks writes" "$out" \
	"8 create-index-nonconcurrent"
expect_contains "near miss: NOT NULL without a default on teams (on the base) still fails" "$out" \
	"9 add-column-required"
expect_contains "near miss: a branch table filled with a copy of users is not empty" "$out" \
	"10 create-index-nonconcurrent"
expect_eq "the statements of 004 are marked new_table" \
	"$("$SLUICE" check --format json 2>/dev/null | python3 -c '
import json, sys
for f in json.load(sys.stdin)["files"]:
    if f["path"].endswith("004_invites_more.up.sql"):
        print(" ".join(str(int(s["new_table"])) for s in f["statements"]))')" "1 1 1 1 1 1 1 0 0 0"

# a migration of the base edited on the branch is pending, but its table exists
printf 'CREATE TABLE teams (id bigint PRIMARY KEY, name text, -- edited\n  note text);\n' \
	>migrations/002_teams.up.sql
commit_all . "edit teams"
expect_contains "near miss: teams comes from an edited base migration, not a new one" "$(f004)" \
	"9 add-column-required"

# without git, earlier files are history: the same directory judged as paths
cp -r migrations "$T/plain"
out=$("$SLUICE" check --format json --fail-on BLOCKER "$T/plain" 2>"$T/err" | python3 -c '
import json, sys
for f in json.load(sys.stdin)["files"]:
    if f["path"].endswith("004_invites_more.up.sql"):
        for s in f["statements"]:
            for x in s["findings"]:
                print(s["line"], x["rule"])')
expect_contains "sluice check DIR: invites is history, its index blocks writes" "$out" \
	"1 create-index-nonconcurrent"
expect_contains "sluice check DIR: and its NOT NULL column fails" "$out" "2 add-column-required"

# kratos/popx: the numbered parts of one migration ship together, so a table
# an earlier part created is new in the later parts; the next migration's is not
mkdir -p "$T/popx"
printf 'CREATE TABLE creds (id uuid PRIMARY KEY, name text);\n' \
	>"$T/popx/20191100000001000001_identities.postgres.up.sql"
printf 'CREATE UNIQUE INDEX creds_name_idx ON creds (name);\n' \
	>"$T/popx/20191100000001000002_identities.postgres.up.sql"
printf 'CREATE INDEX creds_name_lower_idx ON creds (lower(name));\n' \
	>"$T/popx/20191100000002000000_more.postgres.up.sql"
out=$("$SLUICE" check --format json --fail-on BLOCKER "$T/popx" 2>"$T/err" | python3 -c '
import json, sys
for f in json.load(sys.stdin)["files"]:
    for s in f["statements"]:
        for x in s["findings"]:
            print(f["path"].split("/")[-1], x["rule"])')
expect_not_contains "popx: the index in part 2 is on the table part 1 created" "$out" \
	"20191100000001000002_identities.postgres.up.sql create-index-nonconcurrent"
expect_contains "near miss: the next migration's index is on a table that holds rows" "$out" \
	"20191100000002000000_more.postgres.up.sql create-index-nonconcurrent"

finish
