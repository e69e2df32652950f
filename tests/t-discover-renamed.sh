#!/bin/sh
# t-discover-renamed.sh - an applied migration renamed on the branch (git's
# rename detection against the merge-base, committed, staged or only moved in
# the work tree) is reported as migration-renamed when the framework records
# what changed: golang-migrate's version, Flyway's description. A new name
# with the same golang-migrate version, a rename of a migration added on the
# branch, and a new file are not.
. "$SLUICE_SRC/tests/lib.sh"
. "$SLUICE_SRC/tests/discover-lib.sh"

# renamed [CHECK-ARGS]: "path|message" per migration-renamed finding
renamed() { rule_findings migration-renamed "$@"; }

new_repo g
cd g
mkdir -p db/migrations
echo 'CREATE TABLE users (id bigint PRIMARY KEY);' >db/migrations/1_users.up.sql
echo 'DROP TABLE users;' >db/migrations/1_users.down.sql
printf 'CREATE TABLE posts (id bigint PRIMARY KEY, body text);\nCREATE INDEX posts_body ON posts (body);\n' \
	>db/migrations/2_posts.up.sql
echo 'DROP TABLE posts;' >db/migrations/2_posts.down.sql
feature_branch .

# committed: a new version for an applied migration, a new name for another
git mv db/migrations/2_posts.up.sql db/migrations/3_posts.up.sql
git mv db/migrations/2_posts.down.sql db/migrations/3_posts.down.sql
git mv db/migrations/1_users.up.sql db/migrations/1_accounts.up.sql
git commit -q -m "renumber"
out=$(renamed)
expect_eq "a new version: one finding, on the up" "$out" \
"db/migrations/3_posts.up.sql|HIGH|renamed from db/migrations/2_posts.up.sql: golang-migrate records the versions it applied, so it runs this migration again as version 3, and the applied version 2 no longer has a file"
expect_contains "a new name, same version: pending, not reported" "$(judged)" "db/migrations/1_accounts.up.sql"
expect_eq "text report shows the rule" \
	"$("$SLUICE" check 2>/dev/null | grep -c '\[migration-renamed\] renamed from')" 1

# a migration added on the branch, then renamed: never applied, no finding
echo 'ALTER TABLE users ADD COLUMN a int;' >db/migrations/4_a.up.sql
git add -A && git commit -q -m "4"
git mv db/migrations/4_a.up.sql db/migrations/5_a.up.sql
git commit -q -m "renumber 4"
expect_not_contains "a branch migration renamed: not reported" "$(renamed)" "5_a"

# a rename with an edit is still git's rename (similar content)
git mv db/migrations/3_posts.up.sql db/migrations/6_posts.up.sql
printf 'CREATE TABLE posts (id bigint PRIMARY KEY, body text);\nCREATE INDEX posts_body ON posts (body);\n-- moved\n' \
	>db/migrations/6_posts.up.sql
git add -A && git commit -q -m "edit"
expect_contains "renamed and edited: reported from the merge-base path" "$(renamed)" \
	"db/migrations/6_posts.up.sql|HIGH|renamed from db/migrations/2_posts.up.sql"

# only in the work tree: staged with git mv, or moved without telling git
cd ..
new_repo w
cd w
mkdir -p db/migrations
echo 'CREATE TABLE users (id bigint PRIMARY KEY);' >db/migrations/1_users.up.sql
echo 'CREATE TABLE posts (id bigint PRIMARY KEY);' >db/migrations/2_posts.up.sql
feature_branch .
git mv db/migrations/1_users.up.sql db/migrations/7_users.up.sql
mv db/migrations/2_posts.up.sql db/migrations/8_posts.up.sql
out=$(renamed)
expect_contains "staged git mv: reported" "$out" \
	"db/migrations/7_users.up.sql|HIGH|renamed from db/migrations/1_users.up.sql"
expect_contains "a plain mv: reported" "$out" \
	"db/migrations/8_posts.up.sql|HIGH|renamed from db/migrations/2_posts.up.sql"
expect_not_contains "the old path is not judged as well" "$(judged)" "2_posts"

# Flyway: the same version with a new description fails validate
cd ..
new_repo f
cd f
mkdir -p src/main/resources/db/migration
echo 'CREATE TABLE users (id bigint PRIMARY KEY);' >src/main/resources/db/migration/V1__init.sql
feature_branch .
git mv src/main/resources/db/migration/V1__init.sql src/main/resources/db/migration/V1__create_users.sql
git commit -q -m "describe"
expect_contains "Flyway: a new description is reported" "$(renamed)" \
	"Flyway records each applied migration's description, so validate fails on version 1 ('init' is now 'create_users')"

# a new file that only resembles an applied one is no rename
git checkout -q -b other main
cp src/main/resources/db/migration/V1__init.sql src/main/resources/db/migration/V2__copy.sql
git add -A && git commit -q -m "copy"
expect_eq "a copy is not a rename" "$(renamed)" ""
finish
