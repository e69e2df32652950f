#!/bin/sh
# t-tui-rejudge.sh - edited migrations judged again in the real workbench
# (tmux), at 80x24 and 200x60, the cursor kept on the same statement:
# - an edit made outside sluice (another editor) is noticed without a key
#   (the loop's mtime look): a statement added above and the one under the
#   cursor rewritten: the verdict pane shows the new finding, not the old,
#   and the cursor is on the rewritten statement (its new number);
# - the statement above removed: the cursor stays on its statement;
# - an edit in $EDITOR (e) is judged on return: the new finding shows;
# - on the list, an edit outside changes the row's severity.
. "$SLUICE_SRC/tests/lib.sh"

if ! command -v tmux >/dev/null 2>&1; then
	echo "1..0 # SKIP tmux is not installed"
	exit 0
fi
trap 'for s in 1 2; do tmux -L "sluice-rejudge-$$-$s" kill-server 2>/dev/null; done; rm -rf "$T"' EXIT
sock=sluice-rejudge-$$
. "$SLUICE_SRC/tests/tmux-lib.sh"
printf 'set -g status off\nset -g escape-time 0\n' >"$T/tmux.conf"

# The editor: the statement on the line it is opened at becomes a DROP COLUMN.
cat >"$T/editor" <<'SH'
#!/bin/sh
line=${1#+}
sed -i "${line}s/.*/ALTER TABLE users DROP COLUMN email;/" "$2"
SH
chmod +x "$T/editor"

new_repo r
mkdir -p r/db/migrations
printf 'CREATE TABLE users (id bigserial PRIMARY KEY, email text, age int);\n' >r/db/migrations/000001_init.up.sql
printf 'DROP TABLE users;\n' >r/db/migrations/000001_init.down.sql
commit_all r init
git -C r checkout -q -b feature
mig=r/db/migrations/000002_x.up.sql
printf 'SELECT 1;\n' >r/db/migrations/000002_x.down.sql
printf 'ALTER TABLE users ADD COLUMN a text;\nALTER TABLE users ALTER COLUMN email SET NOT NULL;\nALTER TABLE users ADD COLUMN b text;\n' >"$mig"
commit_all r x

n=0
for size in 80x24 200x60; do
	n=$((n + 1))
	sock=sluice-rejudge-$$-$n
	cols=${size%x*} rows=${size#*x}
	git -C r checkout -q -- db/migrations
	tmx -f "$T/tmux.conf" new-session -d -s w -x "$cols" -y "$rows" \
		"cd '$T/r' && env LC_ALL=C.UTF-8 HOME='$HOME' ESCDELAY=25 EDITOR='$T/editor' '$SLUICE'; \
		  echo \"sluice-exit=\$?\"; exec sleep 120"
	check "$size: the list appears" wait_for "000002"
	wait_for "Verdict:" >/dev/null
	keys Enter
	check "$size: the statement screen opens on the worst statement" wait_for "Statement 2 of 3"
	check "$size: its finding" wait_for "set-not-null"

	# Another editor adds a statement above and rewrites this one; no key is pressed.
	sleep 1.1   # a new second: the stamp differs even on a coarse clock
	printf 'ALTER TABLE users ADD COLUMN z text;\nALTER TABLE users ADD COLUMN a text;\nALTER TABLE users ALTER COLUMN age TYPE bigint;\nALTER TABLE users ADD COLUMN b text;\n' >"$mig"
	check "$size: the change is noticed and judged again, without a key" wait_for "alter-column-type"
	expect_not_contains "$size: the old finding is gone" "$(screen)" "set-not-null"
	check "$size: the cursor is on the same statement, now the third of four" wait_for "Statement 3 of 4"
	expect_contains "$size: the status line says why it was judged again" "$(screen | tail -1)" "changed"

	keys ']'
	check "$size: ] to the last statement" wait_for "Statement 4 of 4"
	sleep 1.1
	printf 'ALTER TABLE users ADD COLUMN a text;\nALTER TABLE users ALTER COLUMN age TYPE bigint;\nALTER TABLE users ADD COLUMN b text;\n' >"$mig"
	check "$size: a statement removed above: still on ADD COLUMN b, now 3/3" wait_for "Statement 3 of 3"
	check "$size: ... which the verdict pane shows" wait_flat "ALTER TABLE users ADD COLUMN b text"

	# $EDITOR on this statement: judged on return.
	keys e
	check "$size: back from the editor, judged again: the new finding" wait_for "drop-column"
	check "$size: ... still on statement 3/3" wait_for "Statement 3 of 3"
	expect_contains "$size: the file holds the edit" "$(cat "$mig")" "DROP COLUMN email"

	# On the list: an edit outside changes the row's severity.
	keys q
	check "$size: back on the list, 000002 is HIGH" wait_for "HIGH     000002"
	sleep 1.1
	printf 'SELECT 1;\n' >"$mig"
	check "$size: an edit outside: the row is judged again" wait_gone "HIGH     000002"
	expect_contains "$size: ... SAFE now" "$(screen)" "SAFE     000002"
	keys q
	check "$size: q quits" wait_for "sluice-exit=0"
done

finish
