#!/bin/sh
# t-tui-copy.sh - y copies through OSC 52, in the real workbench inside tmux
# with set-clipboard on (tmux takes the escape sequence into a paste
# buffer, as it passes it on to the terminal outside), at 80x24 and
# 200x60: y then s copies the statement, f its fix, l its file:line, each
# said in the status line; on the list it is the worst statement of the
# migration under the cursor, in the statement screen the one under the
# cursor; a statement is copied with its semicolon, ready to paste; any
# other key copies nothing, and a statement without a fix says so instead
# of copying.
. "$SLUICE_SRC/tests/lib.sh"

if ! command -v tmux >/dev/null 2>&1; then
	echo "1..0 # SKIP tmux is not installed"
	exit 0
fi
trap 'for s in 1 2; do tmux -L "sluice-copy-$$-$s" kill-server 2>/dev/null; done; rm -rf "$T"' EXIT
. "$SLUICE_SRC/tests/tmux-lib.sh"
printf 'set -g status off\nset -g escape-time 0\nset -g set-clipboard on\n' >"$T/tmux.conf"

new_repo r
mkdir -p r/db/migrations
printf 'CREATE TABLE users (id bigint PRIMARY KEY, email text);\n' >r/db/migrations/001_init.up.sql
commit_all r init
git -C r checkout -q -b feature
printf -- '-- look users up by email\nCREATE TABLE notes (id bigint PRIMARY KEY);\nCREATE INDEX users_email_idx ON users (email);\n' \
	>r/db/migrations/002_index.up.sql
commit_all r index

# buffer: the newest paste buffer (what the last OSC 52 put there), or "" when none.
buffer() { tmx show-buffer 2>/dev/null; }
buffers() { tmx list-buffers 2>/dev/null | wc -l; }

n=0
for size in 80x24 200x60; do
	n=$((n + 1))
	sock=sluice-copy-$$-$n
	cols=${size%x*} rows=${size#*x}
	tmx -f "$T/tmux.conf" new-session -d -s w -x "$cols" -y "$rows" \
		"cd '$T/r' && env LC_ALL=C.UTF-8 HOME='$HOME' ESCDELAY=25 '$SLUICE'; \
		  echo \"sluice-exit=\$?\"; exec sleep 120"
	check "$size: the list appears" wait_for "002"
	expect_eq "$size: no paste buffer yet" "$(buffers)" 0

	keys y
	check "$size: y offers what it copies" wait_for "copy: s the statement  f its fix  l file:line"
	keys s
	check "$size: s: the status line says the statement was copied" wait_for "copied the statement (46 bytes)"
	expect_eq "$size: ... and it is what the terminal received, the worst statement of the listed migration" \
		"$(buffer)" "CREATE INDEX users_email_idx ON users (email);"

	keys y f
	check "$size: f: the fix was copied" wait_for "copied the fix"
	expect_contains "$size: the fix builds the index CONCURRENTLY" "$(buffer)" "CONCURRENTLY"

	keys y l
	check "$size: l: file:line was copied" wait_for "copied db/migrations/002_index.up.sql:3"
	expect_eq "$size: the buffer holds file:line" "$(buffer)" "db/migrations/002_index.up.sql:3"

	before=$(buffers)
	keys y x
	check "$size: another key copies nothing" wait_for "nothing copied"
	expect_eq "$size: no new buffer" "$(buffers)" "$before"

	# The statement screen: the statement under the cursor.
	keys Enter
	check "$size: the statement screen opens" wait_for "statement 2/2"
	keys k
	check "$size: k: the first statement" wait_for "statement 1/2"
	keys y s
	check "$size: s copies the statement under the cursor" wait_for "copied the statement (43 bytes)"
	expect_eq "$size: the CREATE TABLE, not the worst one" "$(buffer)" "CREATE TABLE notes (id bigint PRIMARY KEY);"
	before=$(buffers)
	keys y f
	check "$size: a statement without a fix says so" wait_for "has no fix to copy"
	expect_eq "$size: and copies nothing" "$(buffers)" "$before"
	keys q q
	check "$size: q quits" wait_for "sluice-exit=0"
	tmx kill-server 2>/dev/null
done

finish
