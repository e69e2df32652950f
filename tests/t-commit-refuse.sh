#!/bin/sh
# t-commit-refuse.sh - accepting a draft never loses work: a dirty file, an
# untracked file in the way, a detached HEAD, a branch other than the one
# expected, and a write that fails half way each leave the repository
# exactly as it was (git status, HEAD, every file's hash), with a message.
. "$SLUICE_SRC/tests/lib.sh"

state() {
	git status --porcelain --untracked-files=all
	git rev-parse HEAD
	git symbolic-ref -q HEAD || echo detached
	find . -path ./.git -prune -o -print | sort | while read -r f; do
		if [ -f "$f" ]; then sha1sum "$f"; else echo "dir $f"; fi
	done
	git ls-files -s
}

setup() {
	rm -rf "$T/r" && new_repo "$T/r" && cd "$T/r" && mkdir -p db/migrations &&
	printf 'CREATE TABLE users (id bigserial PRIMARY KEY, email text NOT NULL);\n' \
		>db/migrations/000001_init.up.sql &&
	printf 'DROP TABLE users;\n' >db/migrations/000001_init.down.sql &&
	printf 'CREATE INDEX users_email_idx ON users (email);\nALTER TABLE users ADD COLUMN nick text NOT NULL DEFAULT md5(random()::text);\n' \
		>db/migrations/000002_risky.up.sql &&
	printf 'DROP INDEX users_email_idx;\n' >db/migrations/000002_risky.down.sql &&
	git add -A && git commit -q -m "risky"
}

refuse() { # DESC WANT-MESSAGE ARGS...
	desc=$1 want=$2
	shift 2
	before=$(state)
	out=$("$SLUICE" draft --commit "$@" db/migrations/000002_risky.up.sql 2>&1)
	rc=$?
	expect_eq "$desc: refused (exit 2)" "$rc" 2
	expect_contains "$desc: says why" "$out" "$want"
	expect_eq "$desc: repository exactly as it was" "$(state)" "$before"
}

setup
echo "-- my edit" >>db/migrations/000002_risky.up.sql
refuse "dirty file" "'db/migrations/000002_risky.up.sql' has uncommitted changes"

setup
echo "-- my staged edit" >>db/migrations/000002_risky.down.sql
git add db/migrations/000002_risky.down.sql
refuse "staged change to a file the draft writes" "'db/migrations/000002_risky.down.sql' has uncommitted changes"

setup
git rm -q db/migrations/000002_risky.down.sql && git commit -q -m "no down yet"
printf -- '-- my own down, not committed yet\n' >db/migrations/000002_risky.down.sql
refuse "untracked file in the way" "'db/migrations/000002_risky.down.sql' is an untracked file of yours"

setup
git checkout -q --detach
refuse "detached HEAD" "HEAD is detached"

setup
refuse "wrong branch" "the checked-out branch is 'main', not 'release'" --branch release

setup
git checkout -q -b feature
refuse "branch switched since it was shown" "not 'main'" --branch main

# A directory where the draft writes a file: refused before anything is written.
setup
mkdir -p db/migrations/000005_check_users_nick_not_null.up.sql/inner
touch db/migrations/000005_check_users_nick_not_null.up.sql/inner/keep
git add -A && git commit -q -m "in the way"
refuse "directory in the way" "is in the way: it is not a regular file"

# A write that fails half way (diesel layout): the new migration's directory
# name is taken by a file, so its up.sql cannot be created after the first
# files were already written. Everything is put back.
rm -rf "$T/r" && new_repo "$T/r" && cd "$T/r" && mkdir -p migrations/2024-01-01-000000_init \
	migrations/2024-01-01-000001_risky
printf 'CREATE TABLE users (id bigserial PRIMARY KEY, email text NOT NULL);\n' \
	>migrations/2024-01-01-000000_init/up.sql
printf 'DROP TABLE users;\n' >migrations/2024-01-01-000000_init/down.sql
printf 'CREATE INDEX users_email_idx ON users (email);\nALTER TABLE users ADD COLUMN nick text NOT NULL DEFAULT md5(random()::text);\n' \
	>migrations/2024-01-01-000001_risky/up.sql
printf 'DROP INDEX users_email_idx;\n' >migrations/2024-01-01-000001_risky/down.sql
echo "a file, not a directory" >migrations/2024-01-01-000002_add_users_nick
git add -A && git commit -q -m "diesel"
before=$(state)
out=$("$SLUICE" draft --commit migrations/2024-01-01-000001_risky/up.sql 2>&1)
expect_eq "failed write half way: refused (exit 2)" "$?" 2
expect_contains "failed write half way: says why" "$out" "cannot write 'migrations/2024-01-01-000002_add_users_nick/up.sql'"
expect_eq "failed write half way: repository exactly as it was" "$(state)" "$before"
check "failed write half way: no temporary file left" sh -c "! find . -name '*.sluice-*' | grep -q ."
check "failed write half way: no metadata.toml left" test ! -e migrations/2024-01-01-000001_risky/metadata.toml

# Not root: a read-only directory makes the first new file fail.
if [ "$(id -u)" != 0 ]; then
	setup
	chmod a-w db/migrations
	refuse "read-only directory" "cannot write"
	chmod u+w db/migrations
fi

# A draft that failed verification is never committed.
setup
printf 'SELECT 1;\n' >db/migrations/000002_risky.up.sql
git commit -q -am "nothing risky"
before=$(state)
out=$("$SLUICE" draft --commit db/migrations/000002_risky.up.sql 2>&1)
expect_eq "nothing to draft: exit 1" "$?" 1
expect_eq "nothing to draft: repository unchanged" "$(state)" "$before"
finish
