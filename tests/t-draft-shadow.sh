#!/bin/sh
# t-draft-shadow.sh - drafts run on a shadow database before anyone sees
# them as verified, on the real test server (tests/pg.sh):
#   - `sluice draft --shadow URL` / `--verify`: a built-in split applies up
#     and down, locks as predicted, round trip ok, and may be committed;
#   - an LLM draft whose down rebuilds a unique index without UNIQUE (it
#     parses and names the index: statically it is verified) fails on the
#     shadow with the index named, exit 1, and is neither written nor
#     committed;
#   - a split whose index is on a column a DO block renamed (the schema
#     model cannot follow EXECUTE) fails there with the server's message;
#   - no server: exit 2, nothing written;
#   - the workbench's key V, scripted: the summary on the draft screen; a
#     down edited in $EDITOR to lose UNIQUE fails the draft and A refuses
#     it, editing it back forgets the old result; the DO block case; the
#     LLM draft; V without --shadow says how to configure one.
. "$SLUICE_SRC/tests/lib.sh"
. "$SLUICE_SRC/tests/db-lib.sh"
. "$SLUICE_SRC/tests/httpd/lib.sh"

export TERM=xterm-256color LC_ALL=C.UTF-8 SLUICE_TEST_KEY=sk-test-secret-4242
unset NO_COLOR
start_llm_server
trap 'kill $LLM_PID 2>/dev/null; rm -rf "$T"' EXIT

# A screen as one line (notes wrap at the pane's width).
flat() { tr -s ' \n' '  ' <"$1"; }

# split_repo DIR: golang-migrate history on main, a four-statement migration on `feature`.
split_repo() {
	new_repo "$1" && mkdir -p "$1/db/migrations" && (
		cd "$1/db/migrations" &&
		printf 'CREATE TABLE users (id bigserial PRIMARY KEY, email text NOT NULL, age int, org_id bigint, nick text);\nCREATE TABLE orgs (id bigserial PRIMARY KEY, name text);\n' \
			>000001_init.up.sql &&
		printf 'DROP TABLE orgs;\nDROP TABLE users;\n' >000001_init.down.sql &&
		commit_all ../.. init && git checkout -q -b feature &&
		cat >000002_change.up.sql <<-'SQL' &&
		ALTER TABLE users ADD COLUMN status text NOT NULL DEFAULT 'new';
		CREATE INDEX users_nick_idx ON users (nick);
		ALTER TABLE users ADD CONSTRAINT users_org_fk FOREIGN KEY (org_id) REFERENCES orgs (id);
		ALTER TABLE users ALTER COLUMN age SET NOT NULL;
		SQL
		commit_all ../.. change
	)
}

# unique_repo DIR [MODEL]: a unique index on users.email replaced by one on
# lower(email) on `feature`; the LLM test server configured with MODEL.
unique_repo() {
	new_repo "$1" && mkdir -p "$1/db/migrations" && (
		cd "$1/db/migrations" &&
		printf 'CREATE TABLE users (id bigserial PRIMARY KEY, email text NOT NULL);\nCREATE UNIQUE INDEX users_email_key ON users (email);\n' \
			>000001_init.up.sql &&
		printf 'DROP TABLE users;\n' >000001_init.down.sql &&
		commit_all ../.. init && git checkout -q -b feature &&
		printf -- '-- emails are unique whatever their case\nDROP INDEX users_email_key;\nCREATE UNIQUE INDEX users_email_key ON users (lower(email));\n' \
			>000002_email_lower.up.sql &&
		printf 'DROP INDEX users_email_key;\nCREATE UNIQUE INDEX users_email_key ON users (email);\n' \
			>000002_email_lower.down.sql &&
		commit_all ../.. "case-insensitive emails" &&
		git config sluice.llm.provider openai &&
		git config sluice.llm.url "http://127.0.0.1:$LLM_PORT" &&
		git config sluice.llm.model "${2:-ok}" &&
		git config sluice.llm.keyEnv SLUICE_TEST_KEY
	)
}

# renamed_repo DIR: a DO block renames users.email where it exists; then an index on email.
renamed_repo() {
	new_repo "$1" && mkdir -p "$1/db/migrations" && (
		cd "$1/db/migrations" &&
		printf 'CREATE TABLE users (id bigserial PRIMARY KEY, email text);\n' >000001_init.up.sql &&
		printf 'DROP TABLE users;\n' >000001_init.down.sql &&
		cat >000002_rename_legacy.up.sql <<-'SQL' &&
		-- Some environments were created before the rename: only rename where needed.
		DO $$
		BEGIN
		  IF EXISTS (SELECT 1 FROM information_schema.columns
		             WHERE table_name = 'users' AND column_name = 'email') THEN
		    EXECUTE 'ALTER TABLE users RENAME COLUMN email TO email_address';
		  END IF;
		END
		$$;
		SQL
		printf 'ALTER TABLE users RENAME COLUMN email_address TO email;\n' >000002_rename_legacy.down.sql &&
		commit_all ../.. init && git checkout -q -b feature &&
		printf 'CREATE INDEX users_email_idx ON users (email);\n' >000003_email_idx.up.sql &&
		printf 'DROP INDEX users_email_idx;\n' >000003_email_idx.down.sql &&
		commit_all ../.. index
	)
}

# --- CLI: a built-in split passes on the server, in the background for its pid.
split_repo split
(cd split && "$SLUICE" draft --shadow "$PG" db/migrations/000002_change.up.sql >"$T/split.out" 2>"$T/split.err") &
pid=$!
wait $pid
rc=$?
out=$(cat "$T/split.out")
expect_eq "a split verified on the shadow exits 0" "$rc" 0
expect_contains "the shadow summary is printed" "$out" \
	"# shadow: 8 migrations applied up and down on PostgreSQL "
expect_contains "locks as predicted, round trip ok" "$out" "locks as predicted, round trip ok"
expect_contains "the static verdict still follows" "$out" "# verified: worst finding HIGH before"
check "nothing on stderr" test ! -s "$T/split.err"
expect_eq "the scratch database is dropped afterwards" \
	"$(command psql -X -At "$PG" -c "SELECT count(*) FROM pg_database WHERE datname LIKE 'sluice_shadow_${pid}_%'")" 0
expect_not_contains "without --shadow there is no shadow line" \
	"$(cd split && "$SLUICE" draft db/migrations/000002_change.up.sql)" "# shadow:"

head0=$(git -C split rev-parse HEAD)
out=$(cd split && "$SLUICE" draft --shadow "$PG" --commit db/migrations/000002_change.up.sql 2>&1)
expect_eq "a draft that passed on the shadow is committed" "$(git -C split rev-list --count "$head0"..HEAD)" 1
expect_contains "the commit output says how the shadow run went" "$out" "round trip ok"

# --verify: a throwaway cluster sluice starts itself.
split_repo cluster
t0=$(date +%s.%N)
out=$(cd cluster && "$SLUICE" draft --verify db/migrations/000002_change.up.sql 2>&1)
rc=$?
t1=$(date +%s.%N)
expect_eq "--verify exits 0" "$rc" 0
expect_contains "--verify ran on a throwaway cluster" "$out" "(a throwaway cluster, started in "
expect_contains "--verify: round trip ok" "$out" "locks as predicted, round trip ok"
diag "split draft on a throwaway cluster: $(echo "$t1 - $t0" | bc) s wall (initdb included)"

# --- CLI: an LLM draft whose down rebuilds the unique index without UNIQUE.
unique_repo wd wrongdown
before=$(tree_state wd)
file=db/migrations/000002_email_lower.up.sql
out=$(cd wd && "$SLUICE" draft --llm $file 2>&1)
expect_eq "statically the wrong down passes (it parses, the up is safer)" "$?" 0
expect_contains "its down lost UNIQUE" "$out" "CREATE INDEX CONCURRENTLY users_email_key ON users (email);"
out=$(cd wd && "$SLUICE" draft --llm --shadow "$PG" $file 2>&1)
expect_eq "on the shadow the wrong down fails the draft: exit 1" "$?" 1
expect_contains "the failure names the down file, its line and the index, both ways" "$out" \
	"# FAILED: db/migrations/000002_email_lower.down.sql:1: index \"users_email_key\" differs after the down script: was 'CREATE UNIQUE INDEX users_email_key ON public.users USING btree (email)', now 'CREATE INDEX users_email_key ON public.users USING btree (email)' (down-mismatch)"
expect_contains "the summary says the round trip differs" "$out" "round trip differs in 1"
out=$(cd wd && "$SLUICE" draft --llm --shadow "$PG" --commit $file 2>&1)
expect_eq "--commit of a draft failed on the shadow exits 1" "$?" 1
expect_contains "and says why it does not commit" "$out" "not committing: the draft failed verification"
(cd wd && "$SLUICE" draft --llm --shadow "$PG" --out "$T/wd-out" $file >/dev/null 2>&1)
check "--out writes nothing for it" test ! -e "$T/wd-out"
expect_eq "the repository is as it was" "$(tree_state wd)" "$before"

# --- CLI: a statement that fails on the server, which the schema model cannot know.
renamed_repo renamed
out=$(cd renamed && "$SLUICE" draft db/migrations/000003_email_idx.up.sql 2>&1)
expect_eq "statically the split is verified" "$?" 0
out=$(cd renamed && "$SLUICE" draft --shadow "$PG" db/migrations/000003_email_idx.up.sql 2>&1)
expect_eq "on the shadow it fails: exit 1" "$?" 1
expect_contains "with the file, the line and the server's message" "$out" \
	'# FAILED: db/migrations/000003_email_idx.up.sql:1: fails on the shadow database: column "email" does not exist (shadow-apply-error)'
expect_contains "the summary counts what applied" "$out" "0 of 1 migration applied"

# --- CLI: no server there.
port=$(free_port)
out=$(cd cluster && "$SLUICE" draft --shadow "host=127.0.0.1 port=$port user=postgres connect_timeout=3" \
	--out "$T/noserver" db/migrations/000002_change.up.sql 2>&1)
expect_eq "no shadow server: exit 2" "$?" 2
expect_contains "it says it does not write the draft, and why" "$out" "not writing the draft: shadow: not verified: no shadow database"
check "nothing written" test ! -e "$T/noserver"
out=$(cd cluster && "$SLUICE" draft --runbook --verify db/migrations/000002_change.up.sql 2>&1)
expect_eq "--runbook --verify is a usage error" "$?" 2
expect_contains "a runbook has nothing to run" "$out" "a runbook is prose"

# --- The workbench, scripted: V on the draft screen.
# At 110 columns the draft screen stacks its panes: the files pane's notes
# are whole lines, not beside the diff.
tui() { # NAME REPO [ARGS...]: runs $T/NAME.keys at 110x80
	_name=$1 _repo=$2
	shift 2
	COLUMNS=110 LINES=80 SLUICE_SCRIPT="$T/$_name.keys" "$SLUICE" -C "$_repo" "$@" \
		>"$T/$_name.out" 2>"$T/$_name.err"
	rc=$?
}

rm -rf split && split_repo split
cat >"$T/pass.keys" <<KEYS
d
:save-screen $T/pass-before.txt
V
:save-screen $T/pass.txt
A
A
:save-screen $T/pass-accept.txt
KEYS
head0=$(git -C split rev-parse HEAD)
tui pass split --shadow "$PG"
expect_eq "tui: V and A exit 0" "$rc" 0
expect_contains "tui: before V the screen says V is there" "$(flat "$T/pass-before.txt")" "V runs the draft on the shadow database first."
expect_not_contains "tui: no Shadow line before V" "$(flat "$T/pass-before.txt")" "Shadow: "
s=$(flat "$T/pass.txt")
expect_contains "tui: the files pane shows the summary" "$s" "Shadow: 8 migrations applied up and down on PostgreSQL"
expect_contains "tui: locks as predicted, round trip ok" "$s" "locks as predicted, round trip ok"
expect_contains "tui: A commits the draft that passed" "$(flat "$T/pass-accept.txt")" "committed 16 files on feature"
expect_eq "tui: one commit" "$(git -C split rev-list --count "$head0"..HEAD)" 1

# The engineer edits the down in $EDITOR and loses UNIQUE (still a
# statically fine down): V fails the draft, A refuses; editing it back
# forgets the result; V again passes.
cat >"$T/editor-unique" <<'SH'
#!/bin/sh
for f; do :; done
if grep -q UNIQUE "$f"; then sed -i 's/CREATE UNIQUE INDEX/CREATE INDEX/' "$f"
else sed -i 's/CREATE INDEX/CREATE UNIQUE INDEX/' "$f"; fi
SH
chmod +x "$T/editor-unique"
unique_repo edit
cat >"$T/edit.keys" <<KEYS
d
j
e
:save-screen $T/edit-edited.txt
V
:save-screen $T/edit-failed.txt
A
:save-screen $T/edit-refused.txt
e
:save-screen $T/edit-fixed.txt
V
:save-screen $T/edit-passed.txt
KEYS
before=$(tree_state edit)
EDITOR="$T/editor-unique" tui edit edit --shadow "$PG"
expect_eq "tui: the edit session exits 0" "$rc" 0
expect_contains "tui: the edited down is statically verified" "$(flat "$T/edit-edited.txt")" "Verified: worst finding"
s=$(flat "$T/edit-failed.txt")
expect_contains "tui: V fails the draft, naming the file and the index" "$s" \
	'FAILED: db/migrations/000002_email_lower.down.sql:1: index "users_email_key" differs after the down script'
expect_contains "tui: the summary says the round trip differs" "$s" "round trip differs in 1"
expect_contains "tui: the status line says it failed on the shadow" "$s" "draft failed on the shadow database"
expect_contains "tui: A refuses the draft" "$(flat "$T/edit-refused.txt")" "a failed draft cannot be accepted"
s=$(flat "$T/edit-fixed.txt")
expect_not_contains "tui: the fixed draft has no stale shadow result" "$s" "Shadow: "
expect_not_contains "tui: nor the old failure" "$s" "FAILED"
expect_contains "tui: V on the fixed draft passes" "$(flat "$T/edit-passed.txt")" "locks as predicted, round trip ok"
expect_eq "tui: nothing was written" "$(tree_state edit)" "$before"

# The DO block rename: the split's index fails on the server.
renamed_repo renamed-tui
printf 'd\nV\n:save-screen %s\nA\n:save-screen %s\n' "$T/renamed.txt" "$T/renamed-accept.txt" >"$T/renamed.keys"
before=$(tree_state renamed-tui)
tui renamed renamed-tui --shadow "$PG"
s=$(flat "$T/renamed.txt")
expect_contains "tui: the statement that fails on the server is named" "$s" \
	'FAILED: db/migrations/000003_email_idx.up.sql:1: fails on the shadow database: column "email" does not exist (shadow-apply-error)'
expect_contains "tui: A refuses it" "$(flat "$T/renamed-accept.txt")" "a failed draft cannot be accepted"
expect_eq "tui: nothing written" "$(tree_state renamed-tui)" "$before"

# The LLM draft with the wrong down, in the workbench.
printf 'L\nV\n:save-screen %s\n' "$T/llm.txt" >"$T/llm.keys"
tui llm wd --shadow "$PG"
expect_contains "tui: the model's wrong down fails on the shadow" "$(flat "$T/llm.txt")" \
	'index "users_email_key" differs after the down script'


# Without --shadow, V says how to configure one.
unique_repo plain
printf 'd\nV\n:save-screen %s\n' "$T/noshadow.txt" >"$T/noshadow.keys"
tui noshadow plain
expect_contains "tui: V without a shadow says how to configure one" "$(flat "$T/noshadow.txt")" \
	"no shadow database: start sluice with --shadow URL"
# On the list, V is for drafts.
printf 'V\n:save-screen %s\n' "$T/list.txt" >"$T/list.keys"
tui list plain --shadow "$PG"
expect_contains "tui: V on the list says it works on a draft" "$(flat "$T/list.txt")" "draft-verify works on a draft"

# --- tmux: the run takes seconds (the history waits 2 s on the server);
# keys keep working meanwhile, and the result arrives by itself.
if ! command -v tmux >/dev/null 2>&1; then
	echo "# SKIP the tmux half: tmux is not installed"
	finish
fi
sock=sluice-dshadow-$$
trap 'tmux -L "$sock" kill-server 2>/dev/null; kill $LLM_PID 2>/dev/null; rm -rf "$T"' EXIT
. "$SLUICE_SRC/tests/tmux-lib.sh"
unique_repo slow
git -C slow checkout -q main
printf -- '-- let the replicas catch up before the next step\nSELECT pg_sleep(2);\n' \
	>slow/db/migrations/000001_init.up.sql.tmp
cat slow/db/migrations/000001_init.up.sql >>slow/db/migrations/000001_init.up.sql.tmp
mv slow/db/migrations/000001_init.up.sql.tmp slow/db/migrations/000001_init.up.sql
commit_all slow "wait for replicas"
git -C slow checkout -q feature && git -C slow rebase -q main
printf 'set -g status off\nset -g escape-time 0\n' >"$T/tmux.conf"
tmx -f "$T/tmux.conf" new-session -d -s w -x 110 -y 40 \
	"cd '$T/slow' && env LC_ALL=C.UTF-8 HOME='$HOME' ESCDELAY=25 '$SLUICE' --shadow '$PG'; \
	  echo \"sluice-exit=\$?\"; exec sleep 120"
check "tmux: the list appears" wait_for "000002"
keys d
check "tmux: the draft is shown" wait_for "Verified: worst finding"
keys V
check "tmux: V says it is running" wait_for "Shadow: running..."
keys '?'
check "tmux: help opens while it runs" wait_for "Help: keys"
expect_contains "tmux: help lists V" "$(screen)" "Draft: run it on the shadow database"
keys q
check "tmux: back on the draft, still running" wait_for "Shadow: running..."
check "tmux: the summary replaces it when done" wait_for "round trip ok" 20
keys A
check "tmux: A asks first" wait_for "Accept: commit 4 of 4 files on feature?"
keys A
check "tmux: A again commits the draft that passed" wait_for "committed 4 files on feature"
keys q
check "tmux: sluice exits 0" wait_for "sluice-exit=0"

finish
