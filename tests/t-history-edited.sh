#!/bin/sh
# t-history-edited.sh - applied-migration-edited: a migration that exists on
# the base branch and is edited on this one (committed, or only in the work
# tree) is reported, with what its framework does about it (a checksum that
# fails, or environments that drift apart). A down edited, a new migration,
# a Flyway repeatable migration (made to be edited) and a pure rename are
# not.
. "$SLUICE_SRC/tests/lib.sh"
. "$SLUICE_SRC/tests/discover-lib.sh"

# edited: "path|severity|message" per applied-migration-edited finding
edited() { rule_findings applied-migration-edited "$@"; }

# golang-migrate
new_repo g
cd g
mkdir -p db/migrations
echo 'CREATE TABLE users (id bigint PRIMARY KEY);' >db/migrations/1_users.up.sql
echo 'DROP TABLE users;' >db/migrations/1_users.down.sql
echo 'CREATE TABLE posts (id bigint PRIMARY KEY);' >db/migrations/2_posts.up.sql
echo 'DROP TABLE posts;' >db/migrations/2_posts.down.sql
feature_branch .
expect_eq "nothing edited yet: no finding" "$(edited)" ""
echo 'CREATE TABLE posts (id bigint PRIMARY KEY, body text);' >db/migrations/2_posts.up.sql
echo 'DROP TABLE IF EXISTS users;' >db/migrations/1_users.down.sql
echo 'CREATE TABLE tags (id bigint PRIMARY KEY);' >db/migrations/3_tags.up.sql
echo 'DROP TABLE tags;' >db/migrations/3_tags.down.sql
expect_eq "an up edited in the work tree: one finding, the others are near misses" "$(edited)" \
"db/migrations/2_posts.up.sql|HIGH|golang-migrate db/migrations/2_posts.up.sql already existed on the base branch and is edited here: databases that already applied it never run the new text while new ones do, so environments drift apart silently"
commit_all . "edit an applied migration"
expect_contains "committed on the branch: still reported" "$(edited)" "db/migrations/2_posts.up.sql|HIGH"
git mv db/migrations/3_tags.up.sql db/migrations/4_tags.up.sql
expect_not_contains "a migration added on the branch and renamed: not an edit" "$(edited)" "tags"
printf -- '-- sluice:ignore-file applied-migration-edited -- never deployed, we own every database\n' |
	cat - db/migrations/2_posts.up.sql >x && mv x db/migrations/2_posts.up.sql
expect_eq "an ignore with a reason silences it" "$(edited)" ""
out=$("$SLUICE" check 2>&1)
expect_contains "the text report carries the ignore's reason" "$out" "never deployed"

# Flyway: the checksum; R__ is made to be edited
new_repo ../f
cd ../f
m=src/main/resources/db/migration
mkdir -p $m
echo 'CREATE TABLE accounts (id bigint PRIMARY KEY);' >$m/V1__accounts.sql
echo 'CREATE OR REPLACE VIEW active AS SELECT id FROM accounts;' >$m/R__active_view.sql
feature_branch .
echo 'CREATE TABLE accounts (id bigint PRIMARY KEY, name text);' >$m/V1__accounts.sql
echo 'CREATE OR REPLACE VIEW active AS SELECT id, 1 AS one FROM accounts;' >$m/R__active_view.sql
commit_all . "edit"
out=$(edited)
expect_contains "Flyway: the checksum fails" "$out" "$m/V1__accounts.sql|HIGH|flyway $m/V1__accounts.sql already existed on the base branch and is edited here: Flyway keeps each applied migration's checksum"
expect_not_contains "Flyway: a repeatable migration is meant to change" "$out" "R__active_view"

# sqlx: the checksum, in its own words
new_repo ../x
cd ../x
mkdir -p crate/migrations
echo '[package]' >crate/Cargo.toml
echo 'CREATE TABLE a (id int);' >crate/migrations/20240101000000_a.sql
feature_branch .
echo 'CREATE TABLE a (id bigint);' >crate/migrations/20240101000000_a.sql
expect_contains "sqlx: migrate run would fail" "$(edited)" "previously applied but has been modified"

# files named on the command line carry no history: never reported
expect_eq "paths mode: no history, no finding" "$(edited crate/migrations)" ""
finish
