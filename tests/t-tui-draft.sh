#!/bin/sh
# t-tui-draft.sh - drafts in the workbench (scripted mode, exact screens):
# the draft screen with its diff against the work tree, leaving a file out
# and accepting (then reading the commit back with git), editing a file in
# $EDITOR first (verified again; an edit that breaks the SQL fails the
# draft and cannot be accepted), down and runbook drafts, a migration with
# nothing to rewrite, and every refusal leaving the repository exactly as
# it was: a dirty file, a detached HEAD, a branch switched under us.
. "$SLUICE_SRC/tests/lib.sh"
. "$SLUICE_SRC/tests/httpd/lib.sh"   # tree_state

export TERM=xterm-256color LC_ALL=C.UTF-8
unset NO_COLOR

make_repo() {
	rm -rf "$T/repo"
	new_repo repo
	mkdir -p repo/db/migrations
	printf 'CREATE TABLE users (id bigserial PRIMARY KEY, email text NOT NULL, org_id bigint);\nCREATE TABLE orgs (id bigserial PRIMARY KEY);\n' \
		>repo/db/migrations/000001_init.up.sql
	printf 'DROP TABLE orgs;\nDROP TABLE users;\n' >repo/db/migrations/000001_init.down.sql
	commit_all repo "init"
	git -C repo checkout -q -b feature
	printf -- '-- the user page looks users up by email\nCREATE INDEX users_email_idx ON users (email);\n' \
		>repo/db/migrations/000002_index.up.sql
	printf 'DROP INDEX users_email_idx;\n' >repo/db/migrations/000002_index.down.sql
	printf 'ALTER TABLE users ADD CONSTRAINT users_org_fk FOREIGN KEY (org_id) REFERENCES orgs (id);\n' \
		>repo/db/migrations/000003_fk.up.sql
	printf 'ALTER TABLE users DROP CONSTRAINT users_org_fk;\n' >repo/db/migrations/000003_fk.down.sql
	printf 'ALTER TABLE users ADD COLUMN nickname text;\n' >repo/db/migrations/000004_nickname.up.sql
	printf 'ALTER TABLE users DROP COLUMN nickname;\n' >repo/db/migrations/000004_nickname.down.sql
	commit_all repo "risky migrations"
}

# run NAME: runs $T/NAME.keys on the repository at 120x30.
run() {
	COLUMNS=120 LINES=30 SLUICE_SCRIPT="$T/$1.keys" "$SLUICE" -C repo >"$T/$1.out" 2>"$T/$1.err"
	rc=$?
}
screen_of() { cat "$T/$1" 2>/dev/null; }

# --- The draft screen: files, diff, verdict; q leaves without writing.
make_repo
before=$(tree_state repo)
cat >"$T/show.keys" <<KEYS
d
:save-screen $T/show-draft.txt
q
:save-screen $T/show-list.txt
KEYS
run show
expect_eq "drafting and closing exits 0 (no leak)" "$rc" 0
s=$(screen_of show-draft.txt)
expect_contains "the draft screen names the split" "$s" "Draft: split db/migrations/000002_index.up.sql"
expect_contains "the changed migration is listed, selected" "$s" "[x] change 000002_index.up.sql"
expect_contains "the diff removes the blocking index" "$s" "-CREATE INDEX users_email_idx ON users (email);"
expect_contains "the diff adds it CONCURRENTLY" "$s" "+CREATE INDEX CONCURRENTLY users_email_idx ON users (email);"
expect_contains "the engineer's comment is kept (a context row)" "$s" "   1  -- the user page looks users up by email"
expect_contains "the diff pane says the file is replaced" "$s" "db/migrations/000002_index.up.sql  replaces the file"
expect_contains "the verdict is shown" "$s" "Verified: worst finding HIGH before, NONE"
expect_contains "q is back on the list" "$(screen_of show-list.txt)" "SEVERITY"
expect_eq "looking at a draft writes nothing" "$(tree_state repo)" "$before"

# --- Leave a file out, accept: one commit on the branch, read back with git.
cat >"$T/accept.keys" <<KEYS
j
d
:save-screen $T/accept-draft.txt
j
x
:save-screen $T/accept-toggled.txt
A
:save-screen $T/accept-confirm.txt
A
:save-screen $T/accept-after.txt
KEYS
head0=$(git -C repo rev-parse HEAD)
run accept
expect_eq "accepting exits 0" "$rc" 0
s=$(screen_of accept-draft.txt)
expect_contains "the FK draft adds a migration for the constraint" "$s" "[x] new    000005_add_users_org_fk.up.sql"
second=$(sed -n 3p "$T/accept-toggled.txt" | sed 's/^ *//')
expect_contains "x leaves the second file out" "$second" "[ ] "
left_out=$(printf '%s' "$second" | awk '{print $4}')
expect_eq "the second file is the migration's down" "$left_out" 000003_fk.down.sql
s=$(screen_of accept-confirm.txt)
expect_contains "A first asks: the confirmation names the branch" "$s" "Accept: commit 5 of 6 files on feature?"
expect_contains "it lists the file left out, unticked" "$s" "[ ] change 000003_fk.down.sql"
expect_contains "it shows the verdict of the selected files" "$s" "Verified: the 5 selected files"
expect_contains "and the commit message" "$s" "Drafted by sluice (built-in) for db/migrations/000003_fk.up.sql:"
expect_contains "the status line says what was committed" "$(screen_of accept-after.txt)" "committed"
expect_contains "and on which branch" "$(screen_of accept-after.txt)" "on feature"
expect_eq "exactly one new commit" "$(git -C repo rev-list --count "$head0"..HEAD)" 1
expect_eq "on the branch shown" "$(git -C repo rev-parse --abbrev-ref HEAD)" feature
msg=$(git -C repo log -1 --format=%B)
expect_contains "the message names the migration" "$msg" "for db/migrations/000003_fk.up.sql"
stat=$(git -C repo show --stat --format= HEAD)
expect_contains "the commit rewrites the migration" "$stat" "000003_fk.up.sql"
expect_not_contains "the file left out is not committed" "$stat" "$left_out"
expect_eq "the file left out is not written either" "$(cat "repo/db/migrations/$left_out")" \
	"ALTER TABLE users DROP CONSTRAINT users_org_fk;"
expect_eq "the work tree is clean" "$(git -C repo status --porcelain)" ""
expect_contains "the rewritten migration builds the FK's index first" \
	"$(git -C repo show HEAD:db/migrations/000003_fk.up.sql)" "CREATE INDEX CONCURRENTLY users_org_id_idx"
expect_contains "the next migration adds the FK NOT VALID" \
	"$(git -C repo show HEAD:db/migrations/000005_add_users_org_fk.up.sql)" "NOT VALID"
expect_eq "the down left out is as it was" "$(git -C repo show HEAD:db/migrations/000003_fk.down.sql)" \
	"ALTER TABLE users DROP CONSTRAINT users_org_fk;"
check "it wrote no error" test ! -s "$T/accept.err"

# --- Edit a file in $EDITOR first: verified again, committed as edited.
make_repo
cat >"$T/editor-note" <<'SH'
#!/bin/sh
# appends a reviewer's note to the file it is given (the last argument)
for f; do :; done
printf -- '-- reviewed by ada\n' >>"$f"
SH
chmod +x "$T/editor-note"
cat >"$T/edit.keys" <<KEYS
d
e
:save-screen $T/edit-draft.txt
A
A
KEYS
EDITOR="$T/editor-note" run edit
expect_eq "editing then accepting exits 0" "$rc" 0
s=$(screen_of edit-draft.txt)
expect_contains "the edited file is marked" "$s" "[x] edited 000002_index.up.sql"
expect_contains "the diff shows the edit" "$s" "+-- reviewed by ada"
expect_contains "the edited draft is verified again" "$s" "Verified: worst finding HIGH before"
expect_contains "the commit holds the edit" \
	"$(git -C repo show HEAD:db/migrations/000002_index.up.sql)" "-- reviewed by ada"
check "no temporary draft file is left" sh -c "! ls \"${TMPDIR:-/tmp}\"/sluice-draft-* 2>/dev/null | grep -q ."

# --- An edit that breaks the SQL: the draft fails and A refuses.
make_repo
cat >"$T/editor-break" <<'SH'
#!/bin/sh
for f; do :; done
printf 'CREATE INDX oops ON;\n' >"$f"
SH
chmod +x "$T/editor-break"
cat >"$T/break.keys" <<KEYS
d
e
A
:save-screen $T/break-draft.txt
KEYS
before=$(tree_state repo)
EDITOR="$T/editor-break" run break
s=$(screen_of break-draft.txt)
expect_contains "the broken draft is shown as failed" "$s" "FAILED: db/migrations/000002_index.up.sql:1"
expect_contains "with the parser's word on it" "$s" "does not parse: syntax error"
expect_contains "A refuses a failed draft" "$s" "a failed draft cannot be accepted"
expect_eq "the repository is exactly as it was" "$(tree_state repo)" "$before"

# --- Refusals: a dirty file of the user's, a detached HEAD, a branch switched under us.
make_repo
printf -- '-- my own unfinished edit\n' >>repo/db/migrations/000002_index.up.sql
cat >"$T/dirty.keys" <<KEYS
d
A
A
:save-screen $T/dirty.txt
KEYS
before=$(tree_state repo)
run dirty
expect_contains "a dirty file is refused, by name" "$(screen_of dirty.txt)" \
	"'db/migrations/000002_index.up.sql' has uncommitted changes"
expect_eq "the user's edit and the repository are untouched" "$(tree_state repo)" "$before"

make_repo
git -C repo checkout -q --detach
cat >"$T/detached.keys" <<KEYS
a
j
d
A
:save-screen $T/detached.txt
KEYS
before=$(tree_state repo)
run detached
expect_contains "a detached HEAD is refused" "$(screen_of detached.txt)" "not committing: no branch is checked out"
expect_eq "the detached repository is untouched" "$(tree_state repo)" "$before"

make_repo
git -C repo branch other
cat >"$T/editor-switch" <<SH
#!/bin/sh
# the engineer switches branches in another terminal while the draft is open
git -C "$T/repo" checkout -q other
SH
chmod +x "$T/editor-switch"
cat >"$T/switch.keys" <<KEYS
d
e
A
A
:save-screen $T/switch.txt
KEYS
EDITOR="$T/editor-switch" run switch
after=$(git -C repo rev-parse feature other)
expect_contains "a branch switched under the draft is refused" "$(screen_of switch.txt)" "feature"
expect_eq "neither branch moved" "$after" "$(git -C repo rev-parse feature~0 other~0)"
expect_eq "no commit on the branch checked out" "$(git -C repo rev-parse other)" "$(git -C repo rev-parse feature)"
expect_eq "nothing written" "$(git -C repo status --porcelain)" ""

# --- A draft edited back to what the work tree holds: nothing to commit.
make_repo
cat >"$T/editor-same" <<SH
#!/bin/sh
for f; do :; done
cp "$T/repo/db/migrations/000002_index.down.sql" "\$f"
SH
chmod +x "$T/editor-same"
cat >"$T/same.keys" <<KEYS
u
e
A
:save-screen $T/same.txt
KEYS
before=$(tree_state repo)
EDITOR="$T/editor-same" run same
expect_contains "an unchanged draft is not committed" "$(screen_of same.txt)" "nothing to commit"
expect_eq "and nothing is written" "$(tree_state repo)" "$before"

# --- Down and runbook drafts; a migration with nothing to rewrite; keys outside a draft.
make_repo
cat >"$T/kinds.keys" <<KEYS
u
:save-screen $T/kinds-down.txt
q
R
:save-screen $T/kinds-runbook.txt
q
jjj
d
:save-screen $T/kinds-nothing.txt
A
:save-screen $T/kinds-noaccept.txt
KEYS
before=$(tree_state repo)
run kinds
expect_eq "down, runbook and nothing-to-draft exit 0" "$rc" 0
s=$(screen_of kinds-down.txt)
expect_contains "u drafts the down migration" "$s" "000002_index.down.sql"
expect_contains "the down draft drops the index" "$s" "DROP INDEX"
expect_contains "the down draft is parse-checked" "$s" "Verified: every statement parses"
s=$(screen_of kinds-runbook.txt)
expect_contains "R drafts a runbook" "$s" ".md"
expect_contains "the runbook shows its sections, formatted (t-tui-panes.sh)" "$s" "Runbook: db/migrations/000002_index.up.sql"
s=$(screen_of kinds-nothing.txt)
expect_contains "a safe migration has nothing to rewrite, said in the status line" "$s" "000004_nickname.up.sql:"
expect_not_contains "and no draft screen opens" "$s" "Draft:"
expect_contains "A outside a draft says what it needs" "$(screen_of kinds-noaccept.txt)" "accept works on a draft"
expect_eq "none of it wrote anything" "$(tree_state repo)" "$before"

finish
