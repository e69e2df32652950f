#!/bin/sh
# t-tui-columns.sh - the migration list on a 345-migration diesel
# repository in the real workbench (tmux, 80x24 and 200x60): the id column
# is as wide as its ids, so diesel's 2026-08-01-000000 stays whole, with a
# space before the name on every row; the list says where its cursor is
# (1/345, 3/345, 345/345); a title naming a file too long for its pane
# keeps the file's tail (the migration's directory is never lost to the
# end being clipped), and shows the whole path when it fits (the preview);
# the diff against the base (=) cuts its path the same way, so its counts show.
. "$SLUICE_SRC/tests/lib.sh"

if ! command -v tmux >/dev/null 2>&1; then
	echo "1..0 # SKIP tmux is not installed"
	exit 0
fi
trap 'for s in 1 2; do tmux -L "sluice-columns-$$-$s" kill-server 2>/dev/null; done; rm -rf "$T"' EXIT
. "$SLUICE_SRC/tests/tmux-lib.sh"
printf 'set -g status off\nset -g escape-time 0\n' >"$T/tmux.conf"

new_repo r
mkdir -p r/migrations/00000000000000_diesel_initial_setup
printf '[print_schema]\nfile = "src/schema.rs"\n' >r/diesel.toml
printf 'CREATE TABLE users (id bigint PRIMARY KEY);\n' >r/migrations/00000000000000_diesel_initial_setup/up.sql
printf 'DROP TABLE users;\n' >r/migrations/00000000000000_diesel_initial_setup/down.sql
commit_all r init
git -C r checkout -q -b feature
python3 - "$T/r/migrations" <<'PY'
import os, sys
for i in range(1, 346):
    d = os.path.join(sys.argv[1], '2026-08-01-%02d%02d%02d_add_column_%03d_to_the_users_table_for_the_reports' % (i // 3600, i // 60 % 60, i % 60, i))
    os.makedirs(d)
    open(os.path.join(d, 'up.sql'), 'w').write('ALTER TABLE users ADD COLUMN c%d int;\n' % i)
    open(os.path.join(d, 'down.sql'), 'w').write('ALTER TABLE users DROP COLUMN c%d;\n' % i)
PY
commit_all r many

widest() { screen | python3 -c 'import sys; print(max((len(l.rstrip("\n")) for l in sys.stdin), default=0))'; }
# rows_ok: every list row has a whole id, then a space, then the name.
list_rows() { screen | grep -E '^ .(MEDIUM|HIGH|LOW|SAFE|BLOCKER) '; }

n=0
for size in 80x24 200x60; do
	n=$((n + 1))
	sock=sluice-columns-$$-$n
	cols=${size%x*}
	rows=${size#*x}
	tmx -f "$T/tmux.conf" new-session -d -s w -x "$cols" -y "$rows" \
		"cd '$T/r' && env LC_ALL=C.UTF-8 HOME='$HOME' ESCDELAY=25 '$SLUICE'; \
		  echo \"sluice-exit=\$?\"; exec sleep 120"
	check "$size: the list appears, saying where the cursor is" wait_for "1/345" 30
	listed=$(list_rows | wc -l)
	check "$size: rows are listed ($listed)" test "$listed" -ge 5
	whole=$(list_rows | grep -cE ' 2026-08-01-[0-9]{6} add_column_[0-9]{3}')
	check "$size: every row's id is whole, a space before the name ($whole of $listed)" test "$whole" -eq "$listed"
	expect_contains "$size: the header lines up with the ids" "$(screen)" "ID                MIGRATION (pending)"
	check "$size: no row is wider than the terminal" test "$(widest)" -le "$cols"
	keys j j
	check "$size: j j: 3/345" wait_for "3/345"
	keys G
	check "$size: G: 345/345" wait_for "345/345"
	expect_contains "$size: the last migration's row" "$(screen)" "2026-08-01-000545 add_column_345"
	keys g
	if [ "$cols" -ge 140 ]; then
		check "$size: the preview's title has room for the whole path" wait_for \
			" migrations/2026-08-01-000001_add_column_001_to_the_users_table_for_the_reports/up.sql"
	fi
	keys Enter
	check "$size: the statement screen opens" wait_for "ALTER TABLE users ADD COLUMN c1 int;"
	title=$(screen | sed -n 1p)
	path=migrations/2026-08-01-000001_add_column_001_to_the_users_table_for_the_reports/up.sql
	# The SQL pane is narrow at both sizes (as wide as the SQL at 200 columns).
	expect_contains "$size: the title keeps the file's tail" "$title" "_reports/up.sql  up, txn"
	expect_contains "$size: its start is cut, and says so" "$title" " …"
	expect_not_contains "$size: not the whole path" "$title" "$path"
	expect_contains "$size: the cursor's position still shows" "$title" "1/1"
	keys =
	check "$size: = opens the diff against the base" wait_for "against main"
	expect_contains "$size: its title keeps the file's tail and the counts, cutting the path" \
		"$(screen)" "_reports/up.sql  new file +1 -0  against main"
	keys q
	check "$size: back on the statement" wait_for "ALTER TABLE users ADD COLUMN c1 int;"
	keys q
	check "$size: back on the list" wait_for "MIGRATION (pending)"
	keys q
	check "$size: q quits" wait_for "sluice-exit=0"
	tmx kill-server 2>/dev/null
done

finish
