#!/bin/sh
# t-tui-scroll.sh - a 5,000-character line in the real workbench (tmux),
# at 80x24 and 200x60: the SQL pane clips it, <Right> scrolls it sideways
# until its end shows (the title says by how much), <Left> scrolls back,
# w wraps it onto rows of the pane's width (the line number once, a bar on
# the rows that continue it), and on a pane with nothing to scroll
# <Left> still goes back a screen.
. "$SLUICE_SRC/tests/lib.sh"

if ! command -v tmux >/dev/null 2>&1; then
	echo "1..0 # SKIP tmux is not installed"
	exit 0
fi
sock=sluice-scroll-$$
trap 'for s in 1 2; do tmux -L "sluice-scroll-$$-$s" kill-server 2>/dev/null; done; rm -rf "$T"' EXIT
. "$SLUICE_SRC/tests/tmux-lib.sh"
printf 'set -g status off\nset -g escape-time 0\n' >"$T/tmux.conf"

new_repo r
git -C r checkout -q -b feature
mkdir -p r/migrations
python3 -c "
print('-- one very long line')
print('SELECT ' + ', '.join('col_%04d' % i for i in range(550)) + ' FROM t_end_marker;')
" >r/migrations/001_long.up.sql
commit_all r long
len=$(sed -n 2p r/migrations/001_long.up.sql | wc -c)
check "the line is over 5,000 characters ($len)" test "$len" -gt 5000

n=0
for size in 80x24 200x60; do
	n=$((n + 1))
	sock=sluice-scroll-$$-$n
	cols=${size%x*} rows=${size#*x}
	tmx -f "$T/tmux.conf" new-session -d -s w -x "$cols" -y "$rows" \
		"cd '$T/r' && env LC_ALL=C.UTF-8 HOME='$HOME' ESCDELAY=25 '$SLUICE'; \
		  echo \"sluice-exit=\$?\"; exec sleep 120"
	check "$size: the list appears" wait_for "001"
	keys Enter
	check "$size: the statement screen opens" wait_for "migrations/001_long.up.sql"
	check "$size: the line starts in the pane" wait_for "SELECT col_0000, col_0001"
	expect_not_contains "$size: its end is clipped" "$(screen)" "t_end_marker"
	w=$(screen | awk '{ if (length($0) > m) m = length($0) } END { print m }')
	check "$size: no row is wider than the terminal ($w)" test "$w" -le "$cols"
	keys Right
	check "$size: <Right> scrolls sideways, the title says how far" wait_for "up, no txn"
	check "$size: ... by how many columns" sh -c "tmux -L $sock capture-pane -p -t w | sed -n 1p | grep -q '←[0-9]'"
	expect_not_contains "$size: the start has scrolled off" "$(screen)" "SELECT col_0000"
	i=0
	while [ $i -lt 200 ] && ! screen | grep -q t_end_marker; do
		keys Right
		sleep 0.02
		i=$((i + 1))
	done
	check "$size: <Right> reaches the end of the line" wait_for "t_end_marker;"
	keys Right Right
	sleep 0.2
	expect_contains "$size: and stops there (the end stays in view)" "$(screen)" "t_end_marker;"
	i=0
	while [ $i -lt 200 ] && ! screen | grep -q "SELECT col_0000"; do
		keys Left
		sleep 0.02
		i=$((i + 1))
	done
	check "$size: <Left> scrolls back to the start" wait_for "SELECT col_0000, col_0001"
	expect_not_contains "$size: the title no longer shows an offset" "$(screen | sed -n 1p)" "←"
	keys w
	check "$size: w wraps the line" wait_for "long lines wrap"
	expect_contains "$size: the continuation rows carry a bar, not a number" "$(screen | sed -n 4p)" "│ col_"
	keys G
	check "$size: the wrapped line's end is on a row of its own" wait_for "t_end_marker;"
	w=$(screen | awk '{ if (length($0) > m) m = length($0) } END { print m }')
	check "$size: wrapped rows fit the terminal ($w)" test "$w" -le "$cols"
	keys w
	check "$size: w again scrolls instead" wait_for "long lines scroll"
	keys Left
	check "$size: with nothing scrolled, <Left> goes back to the list" wait_for "MIGRATION (pending)"
	keys q
	check "$size: q quits" wait_for "sluice-exit=0"
done

finish
