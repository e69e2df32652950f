#!/bin/sh
# t-tui-tmux.sh - the real workbench in a real terminal (tmux): the list,
# a BLOCKER statement in its colour, the references pane, help, search,
# resize, $EDITOR and back, rescan, and quitting (q, and Ctrl-C) giving the
# terminal back in the state it was found.
. "$SLUICE_SRC/tests/lib.sh"

if ! command -v tmux >/dev/null 2>&1; then
	echo "1..0 # SKIP tmux is not installed"
	exit 0
fi

sock=sluice-test-$$
trap 'tmux -L "sluice-test-$$" kill-server 2>/dev/null; tmux -L "sluice-test-$$-b" kill-server 2>/dev/null; rm -rf "$T"' EXIT

. "$SLUICE_SRC/tests/tmux-lib.sh"
# wait_row N TEXT: polls until row N of the pane holds TEXT.
wait_row() {
	_i=0
	while [ $_i -lt 200 ]; do
		screen | sed -n "$1p" | grep -qF -- "$2" && return 0
		sleep 0.05
		_i=$((_i + 1))
	done
	diag "row $1: $(screen | sed -n "$1p")"
	return 1
}

new_repo repo
mkdir -p repo/db/migrations repo/app
cat >repo/db/migrations/001_init.up.sql <<'SQL'
CREATE TABLE orders (id bigserial PRIMARY KEY, customer_id bigint NOT NULL, total numeric, note text);
SQL
echo 'DROP TABLE orders;' >repo/db/migrations/001_init.down.sql
cat >repo/app/orders.py <<'PY'
def totals(db):
    # the report reads the column the migration drops
    return db.execute("SELECT id, note FROM orders")
PY
commit_all repo "init"
git -C repo checkout -q -b feature
printf 'CREATE INDEX CONCURRENTLY orders_total_idx ON orders (total);\nALTER TABLE orders ADD COLUMN status text;\n' \
	>repo/db/migrations/002_concurrent.up.sql
printf 'ALTER TABLE orders DROP COLUMN note;\n' >repo/db/migrations/003_drop_note.up.sql
printf 'CREATE TABLE audit (id bigint);\n' >repo/db/migrations/004_audit.up.sql
commit_all repo "risky"

# The editor: records its arguments and the terminal's mode, then exits.
cat >"$T/editor" <<SH
#!/bin/sh
echo "\$@" >"$T/editor.args"
stty -a >"$T/editor.stty" 2>&1
SH
chmod +x "$T/editor"

printf 'set -g default-terminal tmux-256color\nset -g status off\n' >"$T/tmux.conf"
tmx -f "$T/tmux.conf" new-session -d -s w -x 120 -y 40 \
	"cd '$T/repo' && printf 'shell-before\n' && env LC_ALL=C.UTF-8 HOME='$HOME' EDITOR='$T/editor' \
	  '$SLUICE'; echo \"sluice-exit=\$?\"; stty -a | tr ' ' '\n' | grep -x -e icanon -e -icanon -e echo -e -echo | tr '\n' ' '; echo; exec sleep 120"

check "the list appears" wait_for "002 concurrent"
expect_contains "it shows the BLOCKER migration" "$(screen)" "BLOCKER  003 drop_note"
expect_contains "CONCURRENTLY in golang-migrate's implicit transaction rolls back: HIGH" "$(screen)" "HIGH     002 concurrent"
expect_contains "the status line names the branch and base" "$(screen)" "repo feature"
check "the status line counts severities" sh -c "tmux -L $sock capture-pane -p -t w | tail -1 | grep -q '[1-9] BLOCKER'"

# Colour: the BLOCKER word on a red background; a safe row not. (The
# cursor row is drawn in the cursor's colour: move it off first.)
keys G
wait_for "004 audit"
sleep 0.2
expect_contains "BLOCKER is drawn on red" "$(sgr_before "BLOCKER")" "41"
expect_not_contains "a SAFE row has no red background" "$(sgr_before "SAFE")" "41"

keys g Enter
check "Enter opens the statement screen" wait_for "002_concurrent.up.sql"
expect_contains "the verdict shows the rule" "$(screen)" "concurrently-in-transaction"
expect_contains "the HIGH statement is in the HIGH colour (red)" "$(sgr_before "CREATE INDEX CONCURRENTLY")" "31"
expect_not_contains "... not the BLOCKER's red background" "$(sgr_before "CREATE INDEX CONCURRENTLY")" "41"
expect_not_contains "the next statement is not" "$(sgr_before "ALTER TABLE orders ADD COLUMN")" "41"
expect_contains "the references pane is shown" "$(screen)" "References in the application code"

# The references of the DROP COLUMN: file:line when the cross-check fills
# them, else the pane's empty state.
keys q
wait_for "003 drop_note" && keys j Enter
check "the DROP COLUMN migration opens" wait_for "003_drop_note.up.sql"
if screen | grep -q "References in the application code (0)"; then
	expect_contains "no references: the pane says so" "$(screen)" "No application code references"
	keys Enter
	check "Enter opens \$EDITOR at the statement's line" wait_for "back from"
	expect_eq "the editor got +LINE and the migration file" "$(cat "$T/editor.args")" \
		"+1 $T/repo/db/migrations/003_drop_note.up.sql"
else
	expect_contains "the reference is shown as file:line" "$(screen)" "app/orders.py:3"
	keys Tab Tab Enter
	check "Enter opens \$EDITOR at the reference" wait_for "back from"
	case "$(cat "$T/editor.args")" in
	"+"[0-9]*" $T/repo/app/orders.py") ok "the editor got +LINE and the app file" ;;
	*) not_ok "the editor got +LINE and the app file"; diag "$(cat "$T/editor.args")" ;;
	esac
fi
expect_contains "the editor ran with the terminal in cooked mode" "$(cat "$T/editor.stty")" " icanon"
expect_contains "back from the editor, the workbench is intact" "$(screen)" "003_drop_note.up.sql"
expect_contains "and the verdict pane too" "$(screen)" "Verdict"

# Help lists the keys.
keys '?'
check "? shows the help" wait_for "Help: keys"
expect_contains "help lists a key and its request" "$(screen)" "toggle-all"
keys q
check "q closes the help" wait_gone "Help: keys"

# Search in the SQL pane.
keys q
wait_for "002 concurrent" && keys g Enter
wait_for "002_concurrent.up.sql"
keys / s t a t u s Enter
check "search moves to the matching statement" wait_for "Statement 2 of 2"

# Resize: 80x24 stacks the panes; back to 120 puts them side by side.
tmx resize-window -t w -x 80 -y 24
check "after a resize to 80x24 the layout is stacked" wait_for " Verdict"
w=$(screen | awk '{ if (length($0) > m) m = length($0) } END { print m }')
check "no line is wider than 80 columns" test "$w" -le 80
expect_eq "the status line is on row 24" "$(screen | sed -n 24p | grep -c BLOCKER)" 1
tmx resize-window -t w -x 120 -y 40
check "back at 120x40 the status line is on row 40" wait_row 40 BLOCKER

# Rescan picks up a new, uncommitted migration.
keys q
wait_for "002 concurrent"
printf 'ALTER TABLE orders ALTER COLUMN total TYPE bigint;\n' >"$T/repo/db/migrations/004_retype.up.sql"
keys r
check "r rescans and lists the new file" wait_for "004 retype"

# q quits and gives the terminal back.
keys q
check "q quits with exit 0" wait_for "sluice-exit=0"
check "the terminal is back in canonical mode with echo" wait_for "icanon echo"
expect_contains "the shell's own output is back (alternate screen left)" "$(screen)" "shell-before"

# NO_COLOR, and Ctrl-C quits cleanly (in a second server, so the first need not be gone yet).
tmx kill-server 2>/dev/null
sock=sluice-test-$$-b
tmx -f "$T/tmux.conf" new-session -d -s w -x 100 -y 30 \
	"cd '$T/repo' && env LC_ALL=C.UTF-8 HOME='$HOME' NO_COLOR=1 '$SLUICE'; echo \"sluice-exit=\$?\"; stty -a | tr ' ' '\n' | grep -x -e icanon -e -icanon -e echo -e -echo | tr '\n' ' '; echo; exec sleep 120"
wait_for "002 concurrent"
keys G
wait_for "004 audit"
sleep 0.2
check "NO_COLOR: no colour at all" sh -c "! tmux -L $sock capture-pane -e -p -t w | grep -q '\[[0-9;]*4[0-7]m'"
expect_contains "NO_COLOR: BLOCKER still stands out (reverse)" "$(sgr_before "BLOCKER")" "7"
keys C-c
check "Ctrl-C quits" wait_for "sluice-exit=0"
check "and restores the terminal" wait_for "icanon echo"

finish
