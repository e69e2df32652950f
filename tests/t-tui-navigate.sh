#!/bin/sh
# t-tui-navigate.sh - moving between migrations in the real workbench
# (tmux), at 80x24 and 200x60: } and { open the next and previous
# migration of the list from the statement screen (in place; the list's
# cursor follows; the ends say so; a filter narrows them); o shows the
# migration's down file and o again its up, and where there is none says
# why (this one lacks it; a forward-only tool; goose's down in the same
# file); = shows the migration's diff against the base branch: a file the
# branch changed (with an uncommitted edit), a new file, and no base.
. "$SLUICE_SRC/tests/lib.sh"

if ! command -v tmux >/dev/null 2>&1; then
	echo "1..0 # SKIP tmux is not installed"
	exit 0
fi
trap 'for s in 1 2 3 4 5 6; do tmux -L "sluice-nav-$$-$s" kill-server 2>/dev/null; done; rm -rf "$T"' EXIT
sock=sluice-nav-$$
. "$SLUICE_SRC/tests/tmux-lib.sh"
printf 'set -g status off\nset -g escape-time 0\n' >"$T/tmux.conf"

started=0
# start DIR COLS ROWS: each session on a server of its own.
start() {
	started=$((started + 1))
	sock=sluice-nav-$$-$started
	tmx -f "$T/tmux.conf" new-session -d -s w -x "$2" -y "$3" \
		"cd '$T/$1' && env LC_ALL=C.UTF-8 HOME='$HOME' ESCDELAY=25 '$SLUICE'; \
		  echo \"sluice-exit=\$?\"; exec sleep 120"
}
# title: the SQL pane's title row (the first row of the screen).
title() { screen | sed -n 1p; }

new_repo r
mkdir -p r/db/migrations
printf 'CREATE TABLE users (id bigserial PRIMARY KEY, email text);\nCREATE TABLE orders (id bigserial PRIMARY KEY);\n' \
	>r/db/migrations/000001_init.up.sql
printf 'DROP TABLE orders;\nDROP TABLE users;\n' >r/db/migrations/000001_init.down.sql
commit_all r init
git -C r checkout -q -b feature
# The branch edits 000001 (so it is pending, with a diff against main) and adds three.
printf 'CREATE TABLE users (id bigserial PRIMARY KEY, email text);\nCREATE TABLE orders (id bigserial PRIMARY KEY, note_from_branch text);\n' \
	>r/db/migrations/000001_init.up.sql
printf 'ALTER TABLE users ADD COLUMN aaa_marker text;\n' >r/db/migrations/000002_a.up.sql
printf 'ALTER TABLE users DROP COLUMN aaa_marker;\n' >r/db/migrations/000002_a.down.sql
printf 'ALTER TABLE users ADD COLUMN bbb_marker text;\n' >r/db/migrations/000003_b.up.sql
printf 'ALTER TABLE users DROP COLUMN bbb_marker;\n' >r/db/migrations/000003_b.down.sql
printf 'ALTER TABLE users ADD COLUMN ccc_marker text;\n' >r/db/migrations/000004_c.up.sql
commit_all r pending
# An edit not committed yet: = shows it too.
printf -- '-- uncommitted_note\n' >>r/db/migrations/000001_init.up.sql

for size in 80x24 200x60; do
	cols=${size%x*} rows=${size#*x}
	start r "$cols" "$rows"
	check "$size: the list appears" wait_for "000004"
	wait_for "Verdict:" >/dev/null
	keys j Enter
	check "$size: Enter opens 000002" wait_for "000002_a.up.sql"
	keys '}'
	check "$size: } opens the next migration" wait_for "000003_b.up.sql"
	expect_contains "$size: ... its SQL" "$(screen)" "bbb_marker"
	expect_not_contains "$size: ... in place of the last one" "$(screen)" "aaa_marker"
	keys '}'
	check "$size: } again: 000004" wait_for "000004_c.up.sql"
	keys '}'
	check "$size: } on the last says so" wait_for "last migration of the list"
	expect_contains "$size: ... and stays" "$(title)" "000004_c.up.sql"
	keys '{' '{' '{'
	check "$size: { three times: the first" wait_for "000001_init.up.sql"
	keys '{'
	check "$size: { on the first says so" wait_for "first migration of the list"
	keys q
	check "$size: q goes back to the list" wait_for "MIGRATION (pending)"
	keys Enter
	check "$size: the list's cursor followed: Enter opens 000001" wait_for "000001_init.up.sql"

	# o: the down file and back.
	keys o
	check "$size: o shows the down file" wait_for "000001_init.down.sql"
	check "$size: ... its SQL" wait_for "DROP TABLE orders"
	expect_contains "$size: ... titled down" "$(title)" "down"
	keys o
	check "$size: o again: the up" wait_for "000001_init.up.sql"
	keys '}' '}' '}'
	check "$size: 000004" wait_for "000004_c.up.sql"
	keys o
	check "$size: o on a migration without a down says so" wait_for "000004 has no down migration"
	expect_contains "$size: ... and stays on its up" "$(title)" "000004_c.up.sql"

	# =: the diff against main.
	keys '{' '{' '{'
	check "$size: back on 000001" wait_for "000001_init.up.sql"
	keys =
	check "$size: = shows the diff against the base" wait_for "against main"
	check "$size: the branch's change, added" wait_for "+CREATE TABLE orders (id bigserial PRIMARY KEY, note_from_branch text);"
	expect_contains "$size: ... the line it replaced" "$(screen)" "-CREATE TABLE orders (id bigserial PRIMARY KEY);"
	expect_contains "$size: ... the uncommitted edit too" "$(screen)" "+-- uncommitted_note"
	expect_contains "$size: ... the counts" "$(screen)" "+2 -1"
	keys q
	check "$size: q goes back to the statements" wait_for "000001_init.up.sql"
	keys q j =
	check "$size: = on the list: a new file is all additions" wait_for "000002_a.up.sql  new file +1 -0"
	expect_contains "$size: ... its line" "$(screen)" "+ALTER TABLE users ADD COLUMN aaa_marker text;"
	keys q

	# A filter narrows } and {.
	keys f "marker" Enter
	check "$size: a filter on the list" wait_for "3 of 4"
	keys Enter
	check "$size: the first match opens" wait_for "000002_a.up.sql"
	keys '{'
	check "$size: { does not leave the filtered list" wait_for "first migration of the list (filtered)"
	keys q q
	check "$size: q quits" wait_for "sluice-exit=0"
done

# A forward-only tool (Prisma): o says it runs no downs.
new_repo p
mkdir -p p/prisma/migrations/20240101000000_init p/prisma/migrations/20240201000000_more
printf 'CREATE TABLE t (id int);\n' >p/prisma/migrations/20240101000000_init/migration.sql
commit_all p init
git -C p checkout -q -b feature
printf 'ALTER TABLE t ADD COLUMN n int;\n' >p/prisma/migrations/20240201000000_more/migration.sql
commit_all p more
start p 80 24
check "prisma: the list appears" wait_for "20240201000000"
keys o
check "prisma: o says the tool runs no downs" wait_flat "prisma runs no down migrations"
keys q
check "prisma: q quits" wait_for "sluice-exit=0"

# goose: the down is a section of the same file.
new_repo g
mkdir -p g/db/migrations
printf -- '-- +goose Up\nCREATE TABLE t (id int);\n-- +goose Down\nDROP TABLE t;\n' >g/db/migrations/00001_init.sql
commit_all g init
git -C g checkout -q -b feature
printf -- '-- +goose Up\nALTER TABLE t ADD COLUMN goose_up_marker int;\n-- +goose Down\nALTER TABLE t DROP COLUMN goose_down_marker;\n' \
	>g/db/migrations/00002_more.sql
commit_all g more
start g 80 24
check "goose: the list appears" wait_for "00002"
keys Enter
check "goose: the up section" wait_for "goose_up_marker"
keys o
check "goose: o shows the down section of the same file" wait_for "goose_down_marker"
expect_contains "goose: titled down" "$(title)" "00002_more.sql  down"
keys q q
check "goose: q quits" wait_for "sluice-exit=0"

# Paths, no repository: = says why not.
mkdir plain
printf 'CREATE TABLE t (id int);\n' >plain/001_t.sql
started=$((started + 1))
sock=sluice-nav-$$-$started
tmx -f "$T/tmux.conf" new-session -d -s w -x 80 -y 24 \
	"cd '$T/plain' && env LC_ALL=C.UTF-8 HOME='$HOME' ESCDELAY=25 '$SLUICE' 001_t.sql; \
	  echo \"sluice-exit=\$?\"; exec sleep 120"
check "paths: the list appears" wait_for "001"
keys =
check "paths: = says there is no repository" wait_flat "not a git repository"
keys q
check "paths: q quits" wait_for "sluice-exit=0"

finish
