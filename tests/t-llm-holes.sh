#!/bin/sh
# t-llm-holes.sh - the LLM path's holes closed, against the real HTTP server
# on 127.0.0.1 (tests/httpd/llm_server.py):
#   - the model writes only the migration under review and new migrations
#     after it: a file of a migration the base branch has, or SQL anywhere
#     else, fails the draft itself (exit 1, naming it), even without
#     --commit; nothing is written to --out;
#   - an ignore comment the model adds is taken out and named in the notes;
#     the engineer's own ignore in the original stays;
#   - an answer cut short at the model's output limit (OpenAI
#     finish_reason length, Anthropic stop_reason max_tokens, Ollama
#     done_reason length), even with the stream's end marker after it, is
#     rejected with a one-line message; nothing changes on disk;
#   - the prompt carries the schema of each touched table (columns, types,
#     primary key, foreign keys in and out, indexes, row counts from a stats
#     snapshot), the transaction mode and the existing down file;
#   - on a terminal `sluice draft --llm` streams the answer as it arrives
#     (on stderr; a pipe gets the draft only);
#   - with --commit (and the workbench's L), a dirty migration or a
#     detached HEAD is refused before the model is asked: no request
#     reaches the server.
. "$SLUICE_SRC/tests/lib.sh"
. "$SLUICE_SRC/tests/httpd/lib.sh"
. "$SLUICE_SRC/tests/tmux-lib.sh"
start_llm_server
export SLUICE_TEST_KEY=sk-test-HOLES-2718
requests() { grep -c "\"model\": \"$1\"" "$LLM_LOG"; }

# --- scope ---------------------------------------------------------------------------
for extra in db/migrations/000001_init.up.sql db/migrations/000001_init.down.sql \
	db/migrations/000001_5_backfill.up.sql queries/report.sql; do
	dir=scope-$(echo "$extra" | tr '/.' '__')
	llm_repo "$dir" openai "extra:$extra"
	before=$(tree_state "$dir")
	out=$(cd "$dir" && "$SLUICE" draft --llm --out drafted db/migrations/000002_index.up.sql 2>&1)
	expect_eq "scope $extra: the draft fails (exit 1)" "$?" 1
	case $extra in
	*000001_init*) want="'$extra' is another migration, one the base branch has: the model may write only 'db/migrations/000002_index.up.sql' and new migrations after it" ;;
	*) want="'$extra' is not a new migration after 'db/migrations/000002_index.up.sql' in its directory" ;;
	esac
	expect_contains "scope $extra: names the file and why" "$out" "$want"
	expect_eq "scope $extra: nothing written, --out included" "$(tree_state "$dir")" "$before"
done
llm_repo scope-ok openai "extra:db/migrations/000003_more.up.sql"
out=$(cd scope-ok && "$SLUICE" draft --llm db/migrations/000002_index.up.sql 2>&1)
expect_eq "scope: a new migration after it is fine" "$?" 0

# --- ignore comments -------------------------------------------------------------------
llm_repo ign openai ignore
printf -- '-- sluice:ignore lock-timeout-missing -- reviewed, tiny table\nCREATE INDEX users_email_idx ON users (email);\n' \
	>ign/db/migrations/000002_index.up.sql
commit_all ign "the engineer's ignore"
out=$(cd ign && "$SLUICE" draft --llm db/migrations/000002_index.up.sql 2>&1)
expect_eq "ignore: the draft verifies without it" "$?" 0
expect_not_contains "ignore: the model's comment is gone" "$out" "the model says it is fine
CREATE"
expect_contains "ignore: and named in the notes" "$out" \
	"# note: the model's ignore comment was removed (db/migrations/000002_index.up.sql:2: -- sluice:ignore all -- the model says it is fine)"
expect_contains "ignore: the engineer's own ignore stays" "$out" \
	"-- sluice:ignore lock-timeout-missing -- reviewed, tiny table
CREATE INDEX CONCURRENTLY users_email_idx ON users (email);"

# --- cut short at the output limit --------------------------------------------------------
for api in "openai:finish_reason: length" "anthropic:stop_reason: max_tokens" "ollama:done_reason: length"; do
	name=${api%%:*} why=${api#*:}
	llm_repo "len-$name" "$name" length
	before=$(tree_state "len-$name")
	out=$(cd "len-$name" && "$SLUICE" draft --llm --out drafted db/migrations/000002_index.up.sql 2>&1)
	expect_eq "$name length: rejected (exit 1)" "$?" 1
	expect_contains "$name length: says it was cut short, and by what" "$out" \
		"was cut short at the model's output limit ($why): not used"
	expect_eq "$name length: one line" "$(printf '%s\n' "$out" | wc -l | tr -d ' ')" 1
	expect_eq "$name length: nothing on disk changed" "$(tree_state "len-$name")" "$before"
done

# --- what the prompt carries -----------------------------------------------------------------
llm_repo pr openai prompt
cat >pr/db/migrations/000001_init.up.sql <<'SQL'
CREATE TABLE orgs (id bigserial PRIMARY KEY, name text);
CREATE TABLE users (id bigserial PRIMARY KEY, email text NOT NULL, org_id bigint REFERENCES orgs (id));
CREATE TABLE orders (id bigserial PRIMARY KEY, user_id bigint NOT NULL REFERENCES users (id));
CREATE UNIQUE INDEX users_org_email_idx ON users (org_id, email);
SQL
cat >pr/stats.json <<'EOF'
{"sluice_stats": 1, "taken_at": "2026-01-31T02:00:00Z",
 "tables": [{"schema": "public", "name": "users", "rows": 1234567, "heap_bytes": 104857600}]}
EOF
git -C pr config sluice.stats stats.json
commit_all pr "schema"
(cd pr && "$SLUICE" draft --llm db/migrations/000002_index.up.sql >/dev/null 2>&1)
prompt=$(grep '"model": "prompt"' "$LLM_LOG" | json_get 'd["prompt"]')
for want in "- table users (1234567 rows, 104857600 bytes):" "  - id bigserial NOT NULL (filled per row" \
	"  - email text NOT NULL" "  - primary key users_pkey (id)" \
	"  - unique index users_org_email_idx (org_id, email)" \
	"  - constraint users_org_id_fkey FOREIGN KEY (org_id) REFERENCES orgs (id)" \
	"  - referenced by orders.orders_user_id_fkey (user_id)" \
	"Transaction mode: the framework runs this migration outside a transaction (each statement commits on its own)." \
	"Its existing down migration db/migrations/000002_index.down.sql:
\`\`\`sql
DROP INDEX users_email_idx;"; do
	expect_contains "prompt: '$(echo "$want" | head -1)'" "$prompt" "$want"
done
expect_not_contains "prompt: an untouched table is not described" "$prompt" "- table orders"

# --- streaming to the terminal ---------------------------------------------------------------
llm_repo st openai ok
sock=sluice-llm-holes-$$
tmx new-session -d -s w -x 150 -y 40 \
	"cd '$T/st' && '$SLUICE' draft --llm db/migrations/000002_index.up.sql >'$T/st.out'; echo DONE; sleep 60"
wait_for DONE 30
expect_contains "stream: on a terminal (stderr), said and streamed" "$(screen)" "# asking openai ok; the answer as it streams:
Here is a safer version."
tmx kill-server
expect_contains "stream: stdout is the draft" "$(cat "$T/st.out")" "# verified: worst finding HIGH before, NONE after"
expect_not_contains "stream: and only the draft" "$(cat "$T/st.out")" "the answer as it streams"
out=$(cd st && "$SLUICE" draft --llm db/migrations/000002_index.up.sql 2>&1)
expect_not_contains "stream: a pipe gets the draft only" "$out" "Here is a safer version."

# --- the commit's checks before the model is asked --------------------------------------------
llm_repo dirty openai precheck
echo "-- my edit" >>dirty/db/migrations/000002_index.up.sql
n=$(requests precheck)
out=$(cd dirty && "$SLUICE" draft --llm --commit db/migrations/000002_index.up.sql 2>&1)
expect_eq "dirty: refused (exit 2)" "$?" 2
expect_contains "dirty: says why" "$out" "'db/migrations/000002_index.up.sql' has uncommitted changes"
expect_eq "dirty: the model was never asked" "$(requests precheck)" "$n"
git -C dirty checkout -q -- db/migrations/000002_index.up.sql
git -C dirty checkout -q --detach
out=$(cd dirty && "$SLUICE" draft --llm --commit db/migrations/000002_index.up.sql 2>&1)
expect_eq "detached: refused (exit 2)" "$?" 2
expect_contains "detached: says why" "$out" "HEAD is detached"
expect_eq "detached: the model was never asked" "$(requests precheck)" "$n"
git -C dirty checkout -q main
out=$(cd dirty && "$SLUICE" draft --llm --commit db/migrations/000002_index.up.sql 2>&1)
expect_contains "clean, on the branch: asked and committed" "$out" "committed 2 files"
expect_eq "... one request" "$(requests precheck)" $((n + 1))

# The workbench's L makes the same checks before it asks (scripted keys).
llm_repo tui openai tuicheck
echo "-- my edit" >>tui/db/migrations/000002_index.up.sql
printf 'j\nL\n:save-screen %s\n' "$T/tui.txt" >"$T/tui.keys"
COLUMNS=120 LINES=30 TERM=xterm-256color SLUICE_SCRIPT="$T/tui.keys" "$SLUICE" -C tui --all >/dev/null 2>"$T/tui.err"
expect_contains "workbench: L on a dirty migration says why" "$(cat "$T/tui.txt")" "has uncommitted changes"
expect_eq "workbench: the model was never asked" "$(requests tuicheck)" 0

finish
