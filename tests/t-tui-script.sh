#!/bin/sh
# t-tui-script.sh - the workbench in its scripted mode (SLUICE_SCRIPT):
# exact screens at several sizes, escapes shown not interpreted, wide
# characters, help generated from the key table, bindings, themes, search,
# the all-migrations toggle. The tmux test (t-tui-tmux.sh) covers what only
# a real terminal shows.
. "$SLUICE_SRC/tests/lib.sh"

export TERM=xterm-256color LC_ALL=C.UTF-8
unset NO_COLOR

# A repository: history on main, a branch of risky migrations.
new_repo repo
mkdir -p repo/db/migrations repo/app
cat >repo/db/migrations/001_init.up.sql <<'SQL'
CREATE TABLE orders (id bigserial PRIMARY KEY, customer_id bigint NOT NULL, total numeric);
SQL
echo 'DROP TABLE orders;' >repo/db/migrations/001_init.down.sql
commit_all repo "init"
git -C repo checkout -q -b feature
cat >repo/db/migrations/002_index.up.sql <<'SQL'
-- speed up the customer page
CREATE INDEX orders_customer_idx ON orders (customer_id);
-- café ✓ 日本語 wide characters in a comment
ALTER TABLE orders ADD COLUMN note text;
SQL
echo 'DROP INDEX orders_customer_idx; ALTER TABLE orders DROP COLUMN note;' >repo/db/migrations/002_index.down.sql
# two statements: golang-migrate sends them as one implicit transaction
printf "CREATE INDEX CONCURRENTLY orders_total_idx ON orders (total);\nCOMMENT ON INDEX orders_total_idx IS 'totals';\n" \
	>repo/db/migrations/003_concurrent.up.sql
printf 'SELECT 1; -- \033[2J\033[31mred\033]0;title\007 and a bell\n' >repo/db/migrations/004_escapes.up.sql
commit_all repo "risky migrations"

# run NAME COLS LINES [args...]: runs the script $T/NAME.keys; screens land in $T/NAME-*.txt
run() {
	_name=$1 _cols=$2 _lines=$3; shift 3
	COLUMNS=$_cols LINES=$_lines SLUICE_SCRIPT="$T/$_name.keys" "$SLUICE" -C repo "$@" \
		>"$T/$_name.out" 2>"$T/$_name.err"
	rc=$?
}
# widest NAME: the widest line of a saved screen, in terminal columns.
widest() {
	python3 -c 'import sys,unicodedata
w=0
for line in open(sys.argv[1], encoding="utf-8"):
    line=line.rstrip("\n")
    w=max(w, sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line))
print(w)' "$1"
}

cat >"$T/list.keys" <<KEYS
:save-screen $T/list-screen.txt
:save-stats $T/list-stats.txt
KEYS
run list 100 12
expect_eq "the scripted workbench exits 0 (no leak, no error)" "$rc" 0
check "it wrote no error" test ! -s "$T/list.err"
cat >"$T/want-list.txt" <<'SCREEN'
 Verdict: SAFE WITH MODIFICATIONS  (as sluice check judges the branch)                          1/8
  SEVERITY ID  MIGRATION (pending)  1/3                                   FRAMEWORK      TXN    DOWN
  HIGH     002 index                                                      golang-migrate txn    yes
  HIGH     003 concurrent                                                 golang-migrate txn    no
  MEDIUM   004 escapes                                                    golang-migrate no-txn no





 Enter open  f filter  = diff  o down  d draft  a all  q quit  / search  Tab pane            ? help
SCREEN
head -11 "$T/list-screen.txt" >"$T/got-list.txt"
check "the list shows the pending migrations, severity, framework, txn, down" \
	cmp -s "$T/got-list.txt" "$T/want-list.txt"
cmp -s "$T/got-list.txt" "$T/want-list.txt" || diag "$(diff "$T/want-list.txt" "$T/got-list.txt")"
status=$(tail -1 "$T/list-screen.txt")
expect_contains "the status line names repository, branch and base" "$status" "repo feature"
expect_contains "the status line names the base" "$status" "main"
expect_contains "the status line counts severities" "$status" "0 BLOCKER 2 HIGH"
expect_not_contains "001 is history, not pending" "$(cat "$T/list-screen.txt")" "init"
first=$(sed -n 's/^first_draw_ms //p' "$T/list-stats.txt")
check "first draw time is recorded" test -n "$first"

# The CONCURRENTLY migration (HIGH: it fails, and the implicit transaction
# rolls back): statement screen, gutter mark, verdict, fix.
cat >"$T/stmt.keys" <<KEYS
jj
k<Enter>
:save-screen $T/stmt-screen.txt
KEYS
run stmt 120 30
screen=$(cat "$T/stmt-screen.txt")
expect_contains "the SQL pane shows the file" "$screen" "db/migrations/003_concurrent.up.sql"
expect_contains "the gutter marks the HIGH statement" "$screen" "1 H CREATE INDEX CONCURRENTLY"
expect_contains "the verdict names the rule" "$screen" "concurrently-in-transaction"
expect_contains "the verdict gives the class and severity" "$screen" "BLOCKING, severity HIGH"
expect_contains "the verdict gives the lock" "$screen" "SHARE UPDATE EXCLUSIVE"
expect_contains "the verdict gives the safer alternative" "$screen" "fix"
expect_contains "the references pane is there" "$screen" "References in the application code"

# Escapes in a file are shown, never sent to the terminal.
cat >"$T/esc.keys" <<KEYS
G<Enter>
:save-screen $T/esc-screen.txt
KEYS
run esc 120 20
expect_eq "a file full of escapes: exit 0" "$rc" 0
screen=$(cat "$T/esc-screen.txt")
expect_contains "ESC is shown as \\e" "$screen" 'SELECT 1; -- \e[2J\e[31mred\e]0;title^G and a bell'
check "no raw escape byte reaches the screen" sh -c "! grep -q \"\$(printf '\\033')\" '$T/esc-screen.txt'"

# Wide characters: 80x24 (stacked panes) and 250x70 (side by side).
cat >"$T/wide.keys" <<KEYS
<Enter>
:save-screen $T/wide-120.txt
:resize 80 24
:save-screen $T/wide-80.txt
:resize 250 70
:save-screen $T/wide-250.txt
KEYS
run wide 120 30
expect_eq "resizing in a script: exit 0" "$rc" 0
expect_contains "the wide characters are drawn" "$(cat "$T/wide-120.txt")" "café ✓ 日本語"
expect_eq "at 120 columns no line is wider than the terminal" "$(widest "$T/wide-120.txt")" 120
check "at 80x24 no line is wider than 80 columns" test "$(widest "$T/wide-80.txt")" -le 80
expect_eq "at 80x24 the screen has 24 rows" "$(wc -l <"$T/wide-80.txt" | tr -d ' ')" 24
expect_eq "at 250x70 the screen has 70 rows" "$(wc -l <"$T/wide-250.txt" | tr -d ' ')" 70
check "at 250x70 no line is wider than 250 columns" test "$(widest "$T/wide-250.txt")" -le 250
# Side by side, the verdict pane starts in the same column on every row.
col=$(python3 -c 'import sys,unicodedata
def w(s): return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
cols=set()
for line in open(sys.argv[1], encoding="utf-8"):
    for label in ("Statement 1 of", "Lock ", "Work "):
        i=line.find(label)
        if i >= 0: cols.add(w(line[:i]))
    if "日本語" in line and "Lock " not in line: cols.add(-1)
print(sorted(cols))' "$T/wide-120.txt")
case "$col" in
"["[0-9]*"]") ok "a row with wide characters keeps the panes aligned" ;;
*) not_ok "a row with wide characters keeps the panes aligned"; diag "verdict pane columns: $col" ;;
esac

# Help lists every request of the key table, with its keys.
cat >"$T/help.keys" <<KEYS
?
:save-screen $T/help-screen.txt
<PgDn>
:save-screen $T/help-screen2.txt
KEYS
run help 100 40
help=$(cat "$T/help-screen.txt" "$T/help-screen2.txt")
missing=
for r in $(sed -n 's/.*X(REQ_[A-Z_]*, "\([a-z-]*\)".*/\1/p' "$SLUICE_SRC/tui/keys.h"); do
	case "$help" in *" $r "*) ;; *) missing="$missing $r" ;; esac
done
expect_eq "help lists every request in the key table" "$missing" ""
expect_contains "help shows the keys of a request" "$help" "j <Down>"

# Bindings from settings: the key works and help shows it; a bad one is reported.
git -C repo config sluice.bind.move-down x
git -C repo config sluice.bind.no-such-request y
cat >"$T/bind.keys" <<KEYS
x<Enter>
:save-screen $T/bind-stmt.txt
q?
:save-screen $T/bind-help.txt
KEYS
run bind 100 40
expect_contains "a bound key moves (x = move-down opens 003)" "$(cat "$T/bind-stmt.txt")" "003_concurrent"
expect_contains "help shows the new binding" "$(cat "$T/bind-help.txt")" " x "
expect_contains "an unknown request is reported" "$(cat "$T/bind.err")" "unknown request 'no-such-request'"
git -C repo config --unset sluice.bind.move-down
git -C repo config --unset sluice.bind.no-such-request

# Search: in the list by name, in the SQL by text; n wraps; a miss says so.
cat >"$T/search.keys" <<KEYS
/escap<Enter>
<Enter>
:save-screen $T/search-list.txt
q/concurrent<Enter>
<Enter>/IS 'totals'<Enter>
:save-screen $T/search-sql.txt
/no-such-text<Enter>
:save-screen $T/search-miss.txt
KEYS
run search 120 30
expect_contains "search in the list finds a name" "$(cat "$T/search-list.txt")" "004_escapes.up.sql"
expect_contains "search in the SQL pane finds text" "$(cat "$T/search-sql.txt")" "Statement 2 of 2"
expect_contains "a search miss is reported" "$(tail -1 "$T/search-miss.txt")" "'no-such-text' not found"

# a: all migrations, pending ones starred; a again: pending only.
cat >"$T/all.keys" <<KEYS
a
:save-screen $T/all-on.txt
a
:save-screen $T/all-off.txt
KEYS
run all 100 12
expect_contains "a lists the history too" "$(cat "$T/all-on.txt")" "SAFE     001 init"
expect_contains "pending migrations are starred" "$(cat "$T/all-on.txt")" "* HIGH     003"
expect_not_contains "a again: pending only" "$(cat "$T/all-off.txt")" "001 init"

# Themes: built-in ones open; a bad name and a bad theme file are reported, and it still opens.
printf ':save-screen %s/theme.txt\n' "$T" >"$T/theme.keys"
for th in dark light high-contrast monochrome; do
	run theme 100 12 --theme "$th"
	expect_contains "--theme $th opens the list" "$(cat "$T/theme.txt")" "003 concurrent"
done
run theme 100 12 --theme no-such-theme
expect_contains "an unknown theme is reported" "$(cat "$T/theme.err")" "unknown theme 'no-such-theme'"
expect_contains "and the workbench still opens" "$(cat "$T/theme.txt")" "003 concurrent"
git -C repo config sluice.theme no-such-setting-theme
run theme 100 12
expect_contains "sluice.theme is read from the settings" "$(cat "$T/theme.err")" "unknown theme 'no-such-setting-theme'"
git -C repo config sluice.theme light
run theme 100 12
check "sluice.theme = light loads without a message" test ! -s "$T/theme.err"
git -C repo config --unset sluice.theme
printf '[color]\n\tblocker = white red bold\n\tnot-a-role = red\n' >"$T/bad.theme"
run theme 100 12 --theme "$T/bad.theme"
expect_contains "a theme file's unknown role is named" "$(cat "$T/theme.err")" "unknown colour role 'not-a-role'"
printf '[color]\n\tblocker = white red bold\n\tcursor = reverse\n' >"$T/good.theme"
run theme 100 12 --theme "$T/good.theme"
check "a good theme file loads without a message" test ! -s "$T/theme.err"
printf '[color]\n\tblocker = white purple\n' >"$T/purple.theme"
run theme 100 12 --theme "$T/purple.theme"
expect_contains "a bad colour is named" "$(cat "$T/theme.err")" "bad colour 'purple'"

# The mouse (as ncurses reports it; tmux cannot click a detached pane): a
# click selects the row under it, the wheel scrolls, a click on a pane
# focuses it, and a bad :mouse line is named.
cat >"$T/mouse.keys" <<KEYS
:mouse 4 10 1
<Enter>
:save-screen $T/mouse-open.txt
q
?
:save-screen $T/mouse-help.txt
:mouse 5 10 5
:mouse 5 10 5
:save-screen $T/mouse-wheel.txt
:mouse 5 10 4
:save-screen $T/mouse-wheel-up.txt
:mouse 1 2 7
KEYS
run mouse 100 12
expect_contains "a click on the third row then Enter opens the third migration" \
	"$(head -1 "$T/mouse-open.txt")" "004_escapes.up.sql"
help_top=$(sed -n 2p "$T/mouse-help.txt")
wheel_top=$(sed -n 2p "$T/mouse-wheel.txt")
check "the wheel scrolls the help down ($wheel_top)" test "$help_top" != "$wheel_top"
expect_contains "by three lines a turn" "$(cat "$T/mouse-help.txt")" "$(sed -n 2p "$T/mouse-wheel.txt" | cut -c1-30)"
up_top=$(sed -n 2p "$T/mouse-wheel-up.txt")
check "and back up" test "$up_top" != "$wheel_top"
expect_contains "a bad :mouse line is named" "$(cat "$T/mouse.err")" "mouse.keys:12: :mouse takes ROW COL BUTTON"

# Outside a repository without paths: a clear message, exit 2, no screen.
mkdir empty
expect_exit "outside a repository: exit 2" 2 env SLUICE_SCRIPT="$T/theme.keys" "$SLUICE" -C empty
expect_contains "and says why" "$(cat "$T/.err")" "not a git repository"
# Paths mode works anywhere.
cat >"$T/paths.keys" <<KEYS
:save-screen $T/paths.txt
KEYS
COLUMNS=100 LINES=10 SLUICE_SCRIPT="$T/paths.keys" "$SLUICE" -C repo db/migrations/003_concurrent.up.sql >/dev/null 2>&1
expect_contains "paths mode judges the files given" "$(cat "$T/paths.txt")" "HIGH     003 concurrent"

finish
