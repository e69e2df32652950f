#!/bin/sh
# t-tui-hints.sh - the key hints and the help in the real workbench (tmux),
# at 80x24 and 200x60: the screen's last line but one names the current
# screen's keys (the list's, then the statement screen's, then the diff's)
# with "? help" always at its end, as wide as the terminal allows and never
# a hint cut in half; a key rebound with sluice.bind.* shows as rebound;
# ? lists the keys of the screen it came from first, then every other
# key, then a legend of the marks, each mark in the colour the screens use.
. "$SLUICE_SRC/tests/lib.sh"

if ! command -v tmux >/dev/null 2>&1; then
	echo "1..0 # SKIP tmux is not installed"
	exit 0
fi
trap 'for s in 1 2 3; do tmux -L "sluice-hints-$$-$s" kill-server 2>/dev/null; done; rm -rf "$T"' EXIT
sock=sluice-hints-$$
. "$SLUICE_SRC/tests/tmux-lib.sh"
printf 'set -g status off\nset -g escape-time 0\n' >"$T/tmux.conf"

new_repo r
mkdir -p r/db/migrations
printf 'CREATE TABLE users (id bigserial PRIMARY KEY, email text);\n' >r/db/migrations/000001_init.up.sql
printf 'DROP TABLE users;\n' >r/db/migrations/000001_init.down.sql
commit_all r init
git -C r checkout -q -b feature
printf 'CREATE INDEX users_email_idx ON users (email);\n' >r/db/migrations/000002_idx.up.sql
printf 'DROP INDEX users_email_idx;\n' >r/db/migrations/000002_idx.down.sql
commit_all r idx

hints() { screen | tail -2 | head -1; }
# fg_of TEXT OFFSET: the foreground colour (its SGR code) in effect at
# column OFFSET of the first place TEXT shows on the screen.
fg_of() {
	screen -e | python3 -c 'import re,sys
for row in sys.stdin.read().split("\n"):
    plain = re.sub(r"\x1b\[[0-9;]*m", "", row)
    if sys.argv[1] not in plain: continue
    col, out, i, seen = plain.index(sys.argv[1]) + int(sys.argv[2]), [], 0, 0
    while i < len(row) and seen <= col:
        m = re.match(r"\x1b\[([0-9;]*)m", row[i:])
        if m: out.append(m.group(1)); i += m.end(); continue
        seen += 1; i += 1
    fg = [c for e in out for c in re.findall(r"(?:^|;)((?:3[0-7]|9[0-7])|38;5;[0-9]+|38;2;[0-9;]+)", e)]
    print(fg[-1] if fg else ""); break' "$1" "$2"
}

n=0
for size in 80x24 200x60; do
	n=$((n + 1))
	sock=sluice-hints-$$-$n
	cols=${size%x*} rows=${size#*x}
	tmx -f "$T/tmux.conf" new-session -d -s w -x "$cols" -y "$rows" \
		"cd '$T/r' && env LC_ALL=C.UTF-8 HOME='$HOME' ESCDELAY=25 TERM=xterm-256color '$SLUICE'; \
		  echo \"sluice-exit=\$?\"; exec sleep 120"
	check "$size: the list appears" wait_for "000002"
	wait_for "Verdict:" >/dev/null
	h=$(hints)
	expect_contains "$size: the list's hints: Enter opens" "$h" "Enter open"
	expect_contains "$size: ... f filters" "$h" "f filter"
	expect_contains "$size: ... q quits (on the list)" "$h" "q quit"
	case "$h" in *"? help") ok "$size: ? help ends the line" ;; *) not_ok "$size: ? help ends the line"; diag "$h" ;; esac
	expect_not_contains "$size: no statement keys on the list" "$h" "statement"
	w=$(printf '%s' "$h" | awk '{ print length($0) }')
	check "$size: the hints fit the terminal ($w)" test "$w" -le "$cols"
	expect_contains "$size: the status line stays last" "$(screen | tail -1)" "1 migration pending"

	keys Enter
	check "$size: the statement screen" wait_for "000002_idx.up.sql"
	h=$(hints)
	expect_contains "$size: its hints: ] to the next statement" "$h" "] statement"
	expect_contains "$size: ... } to the next migration" "$h" "} next"
	expect_contains "$size: ... q goes back here" "$h" "q back"
	expect_not_contains "$size: ... not the list's filter" "$h" "f filter"
	case "$h" in *"? help") ok "$size: ? help still ends it" ;; *) not_ok "$size: ? help ends it"; diag "$h" ;; esac
	# Whole hints only: every word on the line is a key or a hint word.
	expect_not_contains "$size: no hint cut in half" "$h" " previou "

	keys '?'
	check "$size: ? opens the help" wait_for "Keys of this screen (sql)"
	help=$(screen)
	first=$(printf '%s\n' "$help" | sed -n '3p')
	expect_contains "$size: the statement screen's first key comes first" "$first" "next-statement"
	before_other=$(printf '%s\n' "$help" | sed -n '/Keys of this screen/,/Every other key/p')
	expect_contains "$size: its own keys are in the first part: next-migration" "$before_other" "next-migration"
	expect_contains "$size: ... open-down" "$before_other" "open-down"
	expect_not_contains "$size: ... not the list's filter" "$before_other" " filter "
	keys G
	check "$size: the legend is at the end" wait_for "Marks and colours"
	expect_contains "$size: the legend explains the gutter letters" "$(screen)" "the statement's worst finding is BLOCKER"
	expect_contains "$size: ... and the statement bar" "$(screen)" "the rest of the statement under the cursor"
	legend_h=$(fg_of "H                  ... HIGH" 0)
	keys q q
	check "$size: back on the list" wait_for "MIGRATION (pending)"
	list_h=$(fg_of "1 HIGH" 2)
	expect_eq "$size: the legend's H is in the colour HIGH has on the screens" "$legend_h" "$list_h"
	check "$size: ... which is a colour ($list_h)" test -n "$list_h"

	keys '?'
	check "$size: ? from the list" wait_for "Keys of this screen (list)"
	before_other=$(screen | sed -n '/Keys of this screen/,/Every other key/p')
	expect_contains "$size: the list's keys first: filter" "$before_other" "filter"
	expect_contains "$size: ... base-diff" "$before_other" "base-diff"
	expect_not_contains "$size: ... not the statement keys" "$before_other" "next-statement"
	keys q
	keys =
	check "$size: the diff screen" wait_for "new file"
	expect_contains "$size: its hints: Enter edits here" "$(hints)" "Enter edit here"
	keys q q
	check "$size: q quits" wait_for "sluice-exit=0"
done

# A rebound key shows as rebound in the hints (f taken for another request).
git -C r config sluice.bind.filter F
git -C r config sluice.bind.toggle-all f
sock=sluice-hints-$$-3
tmx -f "$T/tmux.conf" new-session -d -s w -x 80 -y 24 \
	"cd '$T/r' && env LC_ALL=C.UTF-8 HOME='$HOME' ESCDELAY=25 '$SLUICE'; \
	  echo \"sluice-exit=\$?\"; exec sleep 120"
check "rebound: the list appears" wait_for "000002"
expect_contains "rebound: the hint shows F filter" "$(hints)" "F filter"
expect_not_contains "rebound: not f filter" "$(hints)" "f filter"
keys F
check "rebound: F filters" wait_for "filter:"
keys Escape q
check "rebound: q quits" wait_for "sluice-exit=0"

finish
