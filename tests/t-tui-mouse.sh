#!/bin/sh
# t-tui-mouse.sh - the mouse in SGR mode (1006) in the real workbench
# (tmux; the reports are sent as a terminal sends them, "\e[<B;X;YM"), at
# 80x24, 200x60 and 460x60: a click moves the list's cursor to the row
# clicked (its header says where), the wheel scrolls, a double click opens
# the migration, as Enter does; on the 460-column terminal a click and a
# double click at column 241, past the 223 columns the old encoding can
# express. Esc alone still goes back (the mouse reader puts keys back).
. "$SLUICE_SRC/tests/lib.sh"

if ! command -v tmux >/dev/null 2>&1; then
	echo "1..0 # SKIP tmux is not installed"
	exit 0
fi
trap 'for s in 1 2 3; do tmux -L "sluice-mouse-$$-$s" kill-server 2>/dev/null; done; rm -rf "$T"' EXIT
. "$SLUICE_SRC/tests/tmux-lib.sh"
printf 'set -g status off\nset -g escape-time 0\n' >"$T/tmux.conf"

new_repo r
mkdir -p r/migrations
printf 'CREATE TABLE users (id bigint PRIMARY KEY);\n' >r/migrations/000_init.up.sql
commit_all r init
git -C r checkout -q -b feature
i=1
while [ $i -le 120 ]; do
	printf 'ALTER TABLE users ADD COLUMN c%d int;\n' $i >"r/migrations/$(printf %03d $i)_add_c$i.up.sql"
	i=$((i + 1))
done
commit_all r many

# click ROW COL / release: what a terminal sends in mode 1006 (1-based).
press() { keys -l "$(printf '\033[<%d;%d;%dM' "$3" "$2" "$1")"; }
release() { keys -l "$(printf '\033[<0;%d;%dm' "$2" "$1")"; }
click() { press "$1" "$2" 0; release "$1" "$2"; }
# row_of TEXT: the 1-based screen row TEXT is on.
row_of() { screen | grep -nF -- "$1" | head -1 | cut -d: -f1; }

n=0
for size in 80x24 200x60 460x60; do
	n=$((n + 1))
	sock=sluice-mouse-$$-$n
	cols=${size%x*} rows=${size#*x}
	col=5
	[ "$cols" -gt 300 ] && col=241
	tmx -f "$T/tmux.conf" new-session -d -s w -x "$cols" -y "$rows" \
		"cd '$T/r' && env LC_ALL=C.UTF-8 HOME='$HOME' ESCDELAY=25 '$SLUICE'; \
		  echo \"sluice-exit=\$?\"; exec sleep 120"
	check "$size: the list appears" wait_for "1/120"
	y=$(row_of "003 add_c3")
	check "$size: migration 003 is on screen (row $y)" test -n "$y"
	click "$y" "$col"
	check "$size: a click at column $col moves the cursor to its row" wait_for "3/120"
	press "$((y + 1))" "$col" 65
	check "$size: the wheel scrolls the list down" wait_gone "001 add_c1"
	press "$((y + 1))" "$col" 64
	check "$size: and up" wait_for "001 add_c1"
	y=$(row_of "005 add_c5")
	check "$size: migration 005 is on screen (row $y)" test -n "$y"
	click "$y" "$col"
	check "$size: a click on 005" wait_for "5/120"
	expect_not_contains "$size: a single click opens nothing" "$(screen)" "statement 1/1"
	click "$y" "$col"
	click "$y" "$col"
	check "$size: a double click at column $col opens the migration" wait_for "005_add_c5.up.sql  up,"
	expect_contains "$size: its statement" "$(screen)" "ADD COLUMN c5 int;"
	keys Escape
	check "$size: Esc alone still goes back to the list" wait_for "5/120"
	keys q
	check "$size: q quits" wait_for "sluice-exit=0"
	tmx kill-server 2>/dev/null
done

finish
