#!/bin/sh
# t-tui-accept.sh - accepting a draft in the real workbench (tmux), at
# 80x24 and 200x60: A only opens a confirmation (nothing is written until
# A again); x there verifies the selection again and refuses a subset whose
# files lean on a left-out one, naming it (a down without its up, VALIDATE
# without its ADD ... NOT VALID); e edits the commit message; U undoes
# sluice's own commit, restoring the tree exactly, and refuses after a
# later commit, as `sluice undo` does on the command line; a NEEDS INPUT
# draft asks for the value and is never accepted with its placeholder;
# Esc never quits, and q or Esc on an edited draft asks first.
. "$SLUICE_SRC/tests/lib.sh"
. "$SLUICE_SRC/tests/httpd/lib.sh"   # tree_state

if ! command -v tmux >/dev/null 2>&1; then
	echo "1..0 # SKIP tmux is not installed"
	exit 0
fi
# One tmux server per session, each on its own socket: a server that is
# still going away never takes the next session's commands.
sock=sluice-accept-$$
trap 'for s in r80x24 r200x60 p; do tmux -L "sluice-accept-$$-$s" kill-server 2>/dev/null; done; rm -rf "$T"' EXIT
. "$SLUICE_SRC/tests/tmux-lib.sh"

fk_repo() {
	rm -rf "$T/$1"
	new_repo "$1"
	mkdir -p "$1/db/migrations"
	printf 'CREATE TABLE users (id bigserial PRIMARY KEY, email text NOT NULL, org_id bigint);\nCREATE TABLE orgs (id bigserial PRIMARY KEY);\n' \
		>"$1/db/migrations/000001_init.up.sql"
	printf 'DROP TABLE orgs;\nDROP TABLE users;\n' >"$1/db/migrations/000001_init.down.sql"
	commit_all "$1" init
	git -C "$1" checkout -q -b feature
	printf 'ALTER TABLE users ADD CONSTRAINT users_org_fk FOREIGN KEY (org_id) REFERENCES orgs (id);\n' \
		>"$1/db/migrations/000003_fk.up.sql"
	printf 'ALTER TABLE users DROP CONSTRAINT users_org_fk;\n' >"$1/db/migrations/000003_fk.down.sql"
	commit_all "$1" "add the foreign key"
}

# The editor: a commit message gets a subject of the engineer's; a draft
# file gets a reviewer's note.
cat >"$T/editor" <<'SH'
#!/bin/sh
for f; do :; done
case "$f" in
*sluice-commit-*) sed -i '1s/.*/db: split the users_org_fk migration/' "$f" ;;
*) printf -- '-- reviewed\n' >>"$f" ;;
esac
SH
chmod +x "$T/editor"
printf 'set -g status off\nset -g escape-time 0\n' >"$T/tmux.conf"

# start DIR COLS ROWS: sluice in tmux on DIR.
start() {
	tmx kill-server 2>/dev/null
	sock=sluice-accept-$$-$1
	tmx -f "$T/tmux.conf" new-session -d -s w -x "$2" -y "$3" \
		"cd '$T/$1' && env LC_ALL=C.UTF-8 HOME='$HOME' ESCDELAY=25 EDITOR='$T/editor' '$SLUICE'; \
		  echo \"sluice-exit=\$?\"; exec sleep 120"
}

for size in 80x24 200x60; do
	cols=${size%x*} rows=${size#*x}
	fk_repo "r$size"
	r=$T/r$size
	start "r$size" "$cols" "$rows"
	check "$size: the list appears" wait_for "000003"
	keys Escape
	check "$size: Esc on the list does not quit" wait_flat "Esc goes back a screen; q quits sluice"
	expect_not_contains "$size: sluice still runs after Esc" "$(screen)" "sluice-exit="

	before=$(tree_state "$r")
	head0=$(git -C "$r" rev-parse HEAD)
	keys d
	check "$size: the draft opens" wait_for "000005_validate_users_org_fk.up.sql"
	keys A
	check "$size: A opens the confirmation" wait_flat "Accept: commit 6 of 6 files on feature?"
	check "$size: it shows the verdict of the selection" wait_flat "Verified: the 6 selected files, worst finding HIGH before, NONE after"
	keys G
	check "$size: and the commit message with its trailer" wait_flat "Sluice-Draft: db/migrations/000003_fk.up.sql"
	keys g
	expect_eq "$size: nothing is written at the confirmation" "$(tree_state "$r")" "$before"

	# The third file adds the constraint NOT VALID; the fourth is its down.
	keys j j x
	check "$size: leaving out an up refuses its down, by name" \
		wait_flat "REFUSED: 'db/migrations/000004_add_users_org_fk.down.sql' is the down of 'db/migrations/000004_add_users_org_fk.up.sql', which is left out"
	keys j x
	check "$size: VALIDATE without its ADD ... NOT VALID is refused, naming both" \
		wait_flat "'db/migrations/000005_validate_users_org_fk.up.sql' line 2 validates constraint users_org_fk, which 'db/migrations/000004_add_users_org_fk.up.sql' (left out) adds"
	check "$size: the title counts the selection" wait_flat "Accept: commit 4 of 6 files"
	keys A
	check "$size: A refuses the subset" wait_flat "not committing: 'db/migrations/000005_validate"
	expect_eq "$size: the refused subset wrote nothing" "$(tree_state "$r")" "$before"
	keys x k x
	check "$size: selected again, verified again" wait_flat "Verified: the 6 selected files"

	keys e
	check "$size: e edits the commit message" wait_flat "Commit message (edited; e edits it again):"
	check "$size: the edited subject is shown" wait_for "db: split the users_org_fk migration"
	keys A
	check "$size: A commits" wait_flat "committed 6 files on feature"
	expect_eq "$size: one commit" "$(git -C "$r" rev-list --count "$head0"..HEAD)" 1
	expect_eq "$size: with the engineer's subject" "$(git -C "$r" log -1 --format=%s)" \
		"db: split the users_org_fk migration"
	expect_contains "$size: and sluice's trailer" "$(git -C "$r" log -1 --format=%B)" \
		"Sluice-Draft: db/migrations/000003_fk.up.sql"
	wait_gone "scanning" >/dev/null

	ours=$(git -C "$r" rev-parse --short=7 HEAD)
	keys U
	check "$size: U asks first" wait_flat "undo sluice's last commit? (y/n)"
	keys y
	check "$size: U undoes the commit" wait_flat "undone $ours 'db: split the"
	expect_eq "$size: the tree is exactly as before the accept" "$(tree_state "$r")" "$before"
	wait_gone "scanning" >/dev/null

	# An edited draft: Esc asks before discarding; n keeps it.
	keys d
	check "$size: the migration is drafted again" wait_for "000005_validate_users_org_fk.up.sql"
	keys e
	check "$size: the file is edited" wait_for "edited"
	keys Escape
	check "$size: Esc on an edited draft asks" wait_flat "discard the draft and your edits to it? (y/n)"
	keys n
	check "$size: n keeps the draft" wait_flat "cancelled: nothing changed"
	expect_contains "$size: still on the draft" "$(screen)" "edited"
	keys q
	wait_flat "(y/n)" >/dev/null
	keys y
	check "$size: y discards it" wait_flat "draft discarded: nothing was written"
	# Accept again, then someone commits on top: U refuses and changes nothing.
	keys d
	check "$size: drafted again" wait_for "000005_validate_users_org_fk.up.sql"
	keys A
	check "$size: confirmation again" wait_flat "Accept: commit 6 of 6"
	keys A
	check "$size: committed again" wait_flat "committed 6 files on feature"
	wait_gone "scanning" >/dev/null
	git -C "$r" commit -q --allow-empty -m "a later commit"
	later=$(tree_state "$r")
	keys U
	wait_flat "(y/n)" >/dev/null
	keys y
	check "$size: U refuses after a later commit, naming both" \
		wait_flat "HEAD is $(git -C "$r" rev-parse --short=7 HEAD) 'a later commit'"
	expect_eq "$size: the refusal changed nothing" "$(tree_state "$r")" "$later"

	keys q
	check "$size: q on the list quits, exit 0" wait_for "sluice-exit=0"
done

# --- sluice undo on the command line.
r=$T/r80x24
out=$("$SLUICE" -C "$r" undo 2>&1)
expect_eq "undo refuses after a later commit (exit 1)" "$?" 1
expect_contains "and says why" "$out" "'a later commit', made after sluice's commit"
git -C "$r" reset -q --hard HEAD~1
printf -- '-- mine\n' >>"$r/db/migrations/000005_validate_users_org_fk.up.sql"
dirty=$(tree_state "$r")
out=$("$SLUICE" -C "$r" undo 2>&1)
expect_eq "undo refuses when a file changed since (exit 1)" "$?" 1
expect_contains "naming the file" "$out" "'db/migrations/000005_validate_users_org_fk.up.sql' has changed since sluice committed it"
expect_eq "and changes nothing" "$(tree_state "$r")" "$dirty"
git -C "$r" checkout -q -- db/migrations
git -C "$r" reset -q --hard HEAD~1   # the branch as it was, for the state to compare with
want=$(tree_state "$r")
git -C "$r" reset -q --hard HEAD@{1}
out=$("$SLUICE" -C "$r" undo 2>&1)
expect_eq "undo of sluice's commit exits 0" "$?" 0
expect_contains "it says what it restored" "$out" "6 files restored; feature is back at"
expect_eq "the tree is exactly the parent's" "$(tree_state "$r")" "$want"
check "the directories sluice made are gone with its files" test ! -e "$r/db/migrations/000004_add_users_org_fk.up.sql"
out=$("$SLUICE" -C "$r" undo 2>&1)
expect_eq "a second undo refuses: HEAD is not sluice's (exit 1)" "$?" 1
expect_contains "naming HEAD" "$out" "'add the foreign key', which sluice did not make (no Sluice-Draft: trailer)"

# --- NEEDS INPUT: the value first; the placeholder is never accepted.
rm -rf "$T/p"
new_repo p
mkdir -p p/db/migrations
printf 'CREATE TABLE users (id bigserial PRIMARY KEY, email text NOT NULL);\n' >p/db/migrations/000001_init.up.sql
printf 'DROP TABLE users;\n' >p/db/migrations/000001_init.down.sql
commit_all p init
git -C p checkout -q -b feature
printf 'ALTER TABLE users ADD COLUMN plan text NOT NULL;\n' >p/db/migrations/000002_plan.up.sql
printf 'ALTER TABLE users DROP COLUMN plan;\n' >p/db/migrations/000002_plan.down.sql
commit_all p plan
headp=$(git -C p rev-parse HEAD)
start p 80 24
check "placeholder: the list appears" wait_for "000002"
keys d
check "placeholder: the draft asks for the value at once" wait_for "NEEDS INPUT: the value existing rows get for users.plan"
keys Escape
check "placeholder: Esc leaves the prompt, the draft stays" wait_for "Draft"
keys A
check "placeholder: A asks for the value again instead of accepting" wait_for "NEEDS INPUT: the value existing rows get"
expect_not_contains "placeholder: no confirmation" "$(screen)" "Accept: commit"
keys "'free'" Enter
check "placeholder: with the value the draft is verified" wait_flat "Verified:"
keys A
check "placeholder: now A opens the confirmation" wait_flat "Accept: commit"
keys A
check "placeholder: committed" wait_flat "committed"
expect_eq "placeholder: one commit" "$(git -C p rev-list --count "$headp"..HEAD)" 1
committed=$(git -C p show HEAD:db/migrations/000002_plan.up.sql)
expect_contains "placeholder: the value is in the migration" "$committed" "'free'"
expect_not_contains "placeholder: the placeholder is not" "$committed" "sluice_draft_placeholder"
keys q
check "placeholder: q quits" wait_for "sluice-exit=0"

finish
