#!/bin/sh
# t-commit-accept.sh - accepting a built-in draft: the files are written and
# ONE commit is made on the current branch, readable with git log / git show:
# author and committer from git config, a message naming the migration and
# the drafted files, file modes kept, nothing the user staged carried along,
# and the index and working tree left clean.
. "$SLUICE_SRC/tests/lib.sh"

new_repo r
cd r
mkdir -p db/migrations
printf 'CREATE TABLE users (id bigserial PRIMARY KEY, email text NOT NULL, org_id bigint);\nCREATE TABLE orgs (id bigserial PRIMARY KEY);\n' \
	>db/migrations/000001_init.up.sql
printf 'DROP TABLE orgs;\nDROP TABLE users;\n' >db/migrations/000001_init.down.sql
printf 'CREATE INDEX users_email_idx ON users (email);\nALTER TABLE users ADD CONSTRAINT users_org_fk FOREIGN KEY (org_id) REFERENCES orgs (id);\n' \
	>db/migrations/000002_risky.up.sql
printf 'DROP INDEX users_email_idx;\n' >db/migrations/000002_risky.down.sql
chmod +x db/migrations/000002_risky.up.sql   # a mode to keep
echo readme >README
git add -A && git commit -q -m "risky migration"
git config user.name "Ada Lovelace"
git config user.email ada@example.org
unset GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL GIT_COMMITTER_NAME GIT_COMMITTER_EMAIL
# Something of the user's staged elsewhere: it must stay staged, not committed.
echo "more" >>README && git add README
head0=$(git rev-parse HEAD)

out=$("$SLUICE" draft --commit db/migrations/000002_risky.up.sql 2>&1)
expect_eq "accept exits 0" "$?" 0
expect_contains "accept says what it committed" "$out" "committed "
expect_eq "exactly one new commit" "$(git rev-list --count "$head0"..HEAD)" 1
expect_eq "on the branch main" "$(git rev-parse --abbrev-ref HEAD)" main
expect_eq "its parent is the old HEAD" "$(git rev-parse HEAD^)" "$head0"
expect_eq "author from git config" "$(git log -1 --format='%an <%ae>')" "Ada Lovelace <ada@example.org>"
expect_eq "committer from git config" "$(git log -1 --format='%cn <%ce>')" "Ada Lovelace <ada@example.org>"
msg=$(git log -1 --format=%B)
expect_contains "message names the migration" "$msg" "db/migrations/000002_risky.up.sql"
expect_contains "message names a drafted file" "$msg" "db/migrations/000004_add_users_org_fk.up.sql"
show=$(git show --stat --format= HEAD)
expect_contains "commit rewrites the original" "$show" "db/migrations/000002_risky.up.sql"
expect_contains "commit adds the validate step" "$show" "db/migrations/000005_validate_users_org_fk.up.sql"
expect_not_contains "the user's staged README is not in the commit" "$show" "README"
expect_eq "README is still staged" "$(git status --porcelain README)" "M  README"
expect_eq "nothing else is dirty" "$(git status --porcelain | grep -v README)" ""
expect_eq "the executable mode is kept" \
	"$(git ls-tree HEAD db/migrations/000002_risky.up.sql | cut -c1-6)" 100755
check "the file on disk is still executable" test -x db/migrations/000002_risky.up.sql
expect_eq "the committed blob is what is on disk" \
	"$(git show HEAD:db/migrations/000002_risky.up.sql)" "$(cat db/migrations/000002_risky.up.sql)"
expect_contains "the committed original builds the index CONCURRENTLY" \
	"$(git show HEAD:db/migrations/000002_risky.up.sql)" "CREATE INDEX CONCURRENTLY users_email_idx"
check "no temporary file left" sh -c "! find . -name '*.sluice-*' | grep -q ."
# The committed migrations judged again by `sluice check`: no HIGH or BLOCKER
# (the CREATE INDEX CONCURRENTLY file holds that one statement, which
# golang-migrate runs outside a transaction).
json=$("$SLUICE" check --format json db/migrations 2>/dev/null)
bad=$(printf '%s' "$json" | python3 -c '
import json, sys
d = json.load(sys.stdin)
for f in d["files"]:
    for s in f["statements"]:
        for x in s["findings"]:
            if x["severity"] in ("HIGH", "BLOCKER"):
                print(f["path"], s["line"], x["rule"], x["severity"])')
expect_eq "committed draft keeps no HIGH or BLOCKER" "$bad" ""

# A second accept of the now-safe migration has nothing to split: no commit.
head1=$(git rev-parse HEAD)
out=$("$SLUICE" draft --commit db/migrations/000002_risky.up.sql 2>&1)
expect_eq "nothing to split: exit 1" "$?" 1
expect_eq "nothing to split: no commit" "$(git rev-parse HEAD)" "$head1"
finish
