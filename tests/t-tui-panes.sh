#!/bin/sh
# t-tui-panes.sh - long lines in the draft's diff pane and the runbook pane
# (the real workbench in tmux, at 80x24 and 200x60), as in the SQL pane:
# <Right> scrolls a 3,800-character line sideways until its end shows,
# <Left> scrolls back, w wraps it onto rows of the pane's width (the line
# number and + once), w again scrolls. The runbook draft (R) is read
# formatted in a pane of its own: headings without their #, underlined;
# check boxes and bullets instead of "- [ ]" and "-"; code blocks behind a
# bar without their fences; tables lined up in columns. The diff against
# the base branch (=) scrolls and wraps the same way.
. "$SLUICE_SRC/tests/lib.sh"

if ! command -v tmux >/dev/null 2>&1; then
	echo "1..0 # SKIP tmux is not installed"
	exit 0
fi
trap 'for s in 1 2; do tmux -L "sluice-panes-$$-$s" kill-server 2>/dev/null; done; rm -rf "$T"' EXIT
. "$SLUICE_SRC/tests/tmux-lib.sh"
printf 'set -g status off\nset -g escape-time 0\n' >"$T/tmux.conf"

new_repo r
mkdir -p r/migrations
printf 'CREATE TABLE t (id int);\n' >r/migrations/001_init.up.sql
commit_all r init
git -C r checkout -q -b feature
python3 -c "
print('CREATE INDEX t_wide_idx ON t (' + ', '.join('col_%04d' % i for i in range(400)) + ') WHERE t_end_marker IS NOT NULL;')
" >r/migrations/002_wide.up.sql
commit_all r wide
len=$(wc -c <r/migrations/002_wide.up.sql)
check "the line is over 3,500 characters ($len)" test "$len" -gt 3500

# offset_shown: a pane's title says it is scrolled sideways ("←12"; the status line has "← main").
offset_shown() { screen | grep -qE '←[0-9]'; }
widest() { screen | python3 -c 'import sys; print(max((len(l.rstrip("\n")) for l in sys.stdin), default=0))'; }
# scroll_until KEY TEXT: KEY until TEXT shows (at most 300 times).
scroll_until() {
	_i=0
	while [ $_i -lt 300 ] && ! screen | grep -qF -- "$2"; do
		keys "$1"
		sleep 0.02
		_i=$((_i + 1))
	done
	wait_for "$2" 2
}

n=0
for size in 80x24 200x60; do
	n=$((n + 1))
	sock=sluice-panes-$$-$n
	cols=${size%x*} rows=${size#*x}
	tmx -f "$T/tmux.conf" new-session -d -s w -x "$cols" -y "$rows" \
		"cd '$T/r' && env LC_ALL=C.UTF-8 HOME='$HOME' ESCDELAY=25 EDITOR=true '$SLUICE'; \
		  echo \"sluice-exit=\$?\"; exec sleep 120"
	check "$size: the list appears" wait_for "002"

	# --- The diff pane.
	keys d
	check "$size: d opens the split draft" wait_for "Draft: split"
	keys Tab
	check "$size: the diff shows the line's start" wait_for "+CREATE INDEX CONCURRENTLY t_wide_idx"
	expect_not_contains "$size: its end is clipped" "$(screen)" "t_end_marker"
	check "$size: no row is wider than the terminal" test "$(widest)" -le "$cols"
	keys Right
	check "$size: <Right> scrolls the diff sideways, its title says how far" offset_shown
	expect_not_contains "$size: the line's start has scrolled off" "$(screen)" "+CREATE INDEX CONCURRENTLY"
	check "$size: <Right> reaches the end of the line" scroll_until Right "t_end_marker IS NOT NULL;"
	check "$size: <Left> scrolls back to the start" scroll_until Left "+CREATE INDEX CONCURRENTLY t_wide_idx"
	check "$size: the title no longer shows an offset" sh -c "! tmux -L $sock capture-pane -p -t w | grep -qE '←[0-9]'"
	keys g w
	check "$size: w wraps the diff's lines" wait_for "long lines wrap"
	s=$(screen)
	expect_contains "$size: the wrapped line starts as before, with its number and -" "$s" "1 -CREATE INDEX t_wide_idx ON t (col_0000"
	# The continuation rows: no line number and no +/-, the text under the first row's.
	check "$size: its next rows continue it under its text" sh -c \
		"printf '%s\n' \"\$1\" | grep -qE ' {6}col_0[0-9]{3}, col_'" - "$s"
	expect_not_contains "$size: without a - of their own" "$s" "-col_0"
	keys G
	check "$size: the end of the wrapped + line shows in the pane" wait_flat "t_end_marker IS NOT NULL;"
	expect_not_contains "$size: its rows have no + of their own" "$(screen)" "+col_0"
	check "$size: wrapped rows fit the terminal" test "$(widest)" -le "$cols"
	keys w
	check "$size: w again scrolls instead" wait_for "long lines scroll"
	keys q
	check "$size: q closes the draft" wait_for "draft discarded"

	# --- The runbook pane.
	keys R
	check "$size: R opens the runbook in a pane of its own" wait_for "Runbook docs/runbooks/002_wide.md"
	s=$(screen)
	expect_contains "$size: the title heading, its # gone" "$s" "Runbook: migrations/002_wide.up.sql"
	expect_not_contains "$size: no markdown heading marks" "$s" "# Runbook"
	expect_contains "$size: a level-1 heading is underlined" "$s" "═════"
	expect_contains "$size: findings are bullets" "$s" "• line 1, HIGH"
	expect_not_contains "$size: not '- ' items" "$s" " - line 1"
	expect_not_contains "$size: inline code marks are hidden" "$s" "\`002\`"
	keys Tab
	check "$size: a section heading further down, underlined" scroll_until j "Pre-flight checks"
	check "$size: check boxes" scroll_until j "☐ A backup or PITR restore point"
	check "$size: a code block behind a bar" scroll_until j "│ SELECT pid, now() - xact_start"
	expect_not_contains "$size: without its fence" "$(screen)" '```'
	check "$size: a table lined up in columns" scroll_until j "line │ statement"
	check "$size: its header rule" scroll_until j "─────┼──"
	check "$size: a numbered step" scroll_until j "1. migrations/002_wide.up.sql: build index"
	keys g Right
	check "$size: <Right> scrolls the runbook sideways" offset_shown
	expect_not_contains "$size: the heading's start has scrolled off" "$(screen)" "Runbook: migrations"
	keys Left
	check "$size: <Left> scrolls it back" wait_for "Runbook: migrations/002_wide.up.sql"
	keys w
	check "$size: w wraps the runbook" wait_for "long lines wrap"
	check "$size: the first finding's text continues on the next row, under its text" sh -c \
		"tmux -L $sock capture-pane -p -t w | grep -A1 '• line 1, HIGH' | sed -n 2p | grep -qE '^ +[a-z(]'"
	check "$size: wrapped rows fit the terminal" test "$(widest)" -le "$cols"
	keys q
	check "$size: q closes the runbook draft" wait_for "draft discarded"

	# --- The diff against the base branch (=) shares the diff pane's rows.
	keys Enter
	check "$size: the statement screen opens" wait_for "migrations/002_wide.up.sql"
	keys =
	check "$size: = shows the diff against the base" wait_for "1 +CREATE INDEX t_wide_idx ON t (col_0000"
	expect_not_contains "$size: its end is clipped" "$(screen)" "t_end_marker"
	check "$size: <Right> reaches the end of the base diff's line" scroll_until Right "t_end_marker IS NOT NULL;"
	check "$size: <Left> scrolls it back" scroll_until Left "1 +CREATE INDEX t_wide_idx"
	keys w
	check "$size: w wraps the base diff" wait_for "long lines wrap"
	check "$size: its rows continue under the text" sh -c "tmux -L $sock capture-pane -p -t w | grep -qE '^ {6}col_0[0-9]{3}, col_'"
	keys G
	check "$size: the end of the wrapped line" wait_flat "t_end_marker IS NOT NULL;"
	expect_not_contains "$size: continuation rows have no + of their own" "$(screen)" "+col_0"
	keys q q
	check "$size: back on the list" wait_for "1 migration pending"
	keys q
	check "$size: q quits" wait_for "sluice-exit=0"
	tmx kill-server 2>/dev/null
done

finish
