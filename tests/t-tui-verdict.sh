#!/bin/sh
# t-tui-verdict.sh - the answer up front, in the real workbench (tmux) at
# 80x24 and 200x60: the list screen's first row is the branch's verdict,
# the same words `sluice check` ends with on the same branch, then the
# eight risk categories each PASS/FLAG/BLOCK with the statement it comes
# from, as check prints them; the status line counts migrations by their
# worst severity; at 200 columns the preview beside the list shows the
# migration under the cursor (statements with marks, findings worst
# first) and follows the cursor; at 80 it is not there.
. "$SLUICE_SRC/tests/lib.sh"

if ! command -v tmux >/dev/null 2>&1; then
	echo "1..0 # SKIP tmux is not installed"
	exit 0
fi
sock=sluice-verdict-$$
trap 'for s in 1 2 3 4 5 6; do tmux -L "sluice-verdict-$$-$s" kill-server 2>/dev/null; done; rm -rf "$T"' EXIT
. "$SLUICE_SRC/tests/tmux-lib.sh"
printf 'set -g status off\nset -g escape-time 0\n' >"$T/tmux.conf"

# start DIR COLS ROWS: each session on a server of its own (see the trap).
started=0
start() {
	started=$((started + 1))
	sock=sluice-verdict-$$-$started
	tmx -f "$T/tmux.conf" new-session -d -s w -x "$2" -y "$3" \
		"cd '$T/$1' && env LC_ALL=C.UTF-8 HOME='$HOME' ESCDELAY=25 '$SLUICE'; \
		  echo \"sluice-exit=\$?\"; exec sleep 120"
}

sh "$SLUICE_SRC/examples/make-example.sh" "$T/ex" >/dev/null
# A branch whose worst is MEDIUM: SAFE WITH MODIFICATIONS.
new_repo mod
mkdir -p mod/db/migrations
printf 'CREATE TABLE users (id bigserial PRIMARY KEY, email text NOT NULL);\n' >mod/db/migrations/000001_init.up.sql
printf 'DROP TABLE users;\n' >mod/db/migrations/000001_init.down.sql
commit_all mod init
git -C mod checkout -q -b feature
printf 'ALTER TABLE users ADD COLUMN nickname text;\n' >mod/db/migrations/000002_nick.up.sql
commit_all mod nick

# A branch with a statement that does not parse: both say it was not judged.
new_repo unp
mkdir -p unp/db/migrations
cp mod/db/migrations/000001_* unp/db/migrations/
commit_all unp init
git -C unp checkout -q -b feature
printf 'ALTER TABLE users ADD COLUMN nickname text;\nALTER TABLEX users ADD COLUMN b text;\n' >unp/db/migrations/000002_nick.up.sql
commit_all unp nick

for repo in ex mod unp; do
	want=$("$SLUICE" -C "$T/$repo" check --color never 2>/dev/null | sed -n 's/.*; verdict: //p')
	check "$repo: sluice check gives a verdict ($want)" test -n "$want"
	[ "$repo" = unp ] && expect_contains "unp: check's verdict says a statement was not judged" "$want" \
		"; 1 statement not judged (it does not parse)"
	"$SLUICE" -C "$T/$repo" check --color never >"$T/$repo.check" 2>/dev/null
	for size in 80x24 200x60; do
		cols=${size%x*} rows=${size#*x}
		start "$repo" "$cols" "$rows"
		check "$repo $size: the list appears" wait_for "MIGRATION (pending)"
		wait_for "Verdict: $want " >/dev/null   # once the scan is done
		expect_contains "$repo $size: the first row is check's verdict" "$(screen | sed -n 1p)" "Verdict: $want "
		# Each category row: the state and the statement check names for it.
		sed -n '/^risk categories:/,/^$/p' "$T/$repo.check" | sed '1d;/^$/d' | while IFS= read -r line; do
			cat=$(printf '%s' "$line" | awk '{ print $1 " " $2 " " $3 }' | sed 's/ *\(PASS\|FLAG\|BLOCK\).*//')
			state=$(printf '%s' "$line" | grep -o 'PASS\|FLAG\|BLOCK' | head -1)
			where=$(printf '%s' "$line" | grep -o '[^ ]*:[0-9]*' | head -1)
			row=$(screen | grep -F -- "$cat" | head -1)
			case "$row" in
			*"$state"*"$cat"*"${where:-}"*) ok "$repo $size: $cat is $state ${where:-}" ;;
			*"$state"*"$cat"*) if [ "$cols" -lt 100 ]; then ok "$repo $size: $cat is $state (the place is clipped)"
				else not_ok "$repo $size: $cat shows ${where:-}"; diag "$row"; fi ;;
			*) not_ok "$repo $size: $cat is $state"; diag "row: $row" ;;
			esac
		done
		keys q
		check "$repo $size: q quits" wait_for "sluice-exit=0"
	done
done

# The status counts migrations by worst severity: the example has 2
# BLOCKER migrations (its findings hold more BLOCKERs).
start ex 200 60
wait_for "Verdict: BLOCK" >/dev/null
expect_contains "status: migrations by worst severity" "$(screen | tail -1)" "2 BLOCKER 3 HIGH 1 MEDIUM 0 LOW  7 migrations pending"
# The preview: the first migration's statement with its mark, and its findings.
check "preview: beside the list, the migration under the cursor" \
	wait_for "migrations/000006_orders_created_at_index.up.sql"
expect_contains "preview: the statement with its severity mark" "$(screen)" "2 H CREATE INDEX orders_created_at_idx ON orders (created_at)"
expect_contains "preview: the findings, worst first" "$(screen)" "HIGH create-index-nonconcurrent, line 2"
keys j j
check "preview: follows the cursor" wait_for "B ALTER TABLE users DROP COLUMN legacy_status"
expect_contains "preview: its BLOCKER finding" "$(screen)" "BLOCKER app-references-dropped, line 2"
keys q
wait_for "sluice-exit=0" >/dev/null
start ex 80 24
wait_for "Verdict: BLOCK" >/dev/null
expect_not_contains "preview: not at 80 columns" "$(screen)" "create-index-nonconcurrent, line 2"
keys Enter
check "Enter still opens the statement screen" wait_for "statement 1/1"
keys q q
check "80x24: q quits" wait_for "sluice-exit=0"

finish
