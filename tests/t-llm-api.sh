#!/bin/sh
# t-llm-api.sh - `sluice draft --llm` against a real HTTP server on 127.0.0.1
# speaking each of the three APIs, streamed: the draft arrives, is re-judged
# and verified; a draft that is no safer, does not parse, has no fence or
# names a file outside the repository fails with why; the key never shows.
. "$SLUICE_SRC/tests/lib.sh"
. "$SLUICE_SRC/tests/httpd/lib.sh"
start_llm_server
KEY=sk-test-SECRET-4711
export SLUICE_TEST_KEY=$KEY

for api in openai anthropic ollama; do
	llm_repo "r-$api" "$api" ok
	cd "r-$api"
	before=$(tree_state .)
	out=$("$SLUICE" draft --llm db/migrations/000002_index.up.sql 2>&1)
	rc=$?
	expect_eq "$api: streamed draft verified (exit 0)" "$rc" 0
	expect_contains "$api: the draft builds the index CONCURRENTLY" "$out" \
		"CREATE INDEX CONCURRENTLY users_email_idx ON users (email);"
	expect_contains "$api: re-judged safer" "$out" "# verified: worst finding HIGH before, NONE after"
	expect_contains "$api: origin names provider and model" "$out" "(llm $api ok)"
	expect_not_contains "$api: the key is never printed" "$out" "$KEY"
	expect_eq "$api: printing a draft changes nothing on disk" "$(tree_state .)" "$before"
	cd "$T"
done

# What reached the server: the right endpoint, streaming asked for, the key sent.
log=$(cat "$LLM_LOG")
expect_contains "openai endpoint" "$log" '"path": "/v1/chat/completions", "api": "openai"'
expect_contains "anthropic endpoint" "$log" '"path": "/v1/messages", "api": "anthropic"'
expect_contains "ollama endpoint" "$log" '"path": "/api/chat", "api": "ollama"'
expect_contains "openai got a bearer key" "$log" "\"auth\": \"Bearer $KEY\""
expect_contains "anthropic got x-api-key" "$log" "\"auth\": \"$KEY\""
check "every request asked for a stream" sh -c "! grep -q '\"stream\": false' '$LLM_LOG'"

# --out writes the verified files, nothing else.
cd r-openai
"$SLUICE" draft --llm --out ../drafted db/migrations/000002_index.up.sql >/dev/null 2>&1
expect_eq "--out wrote the up" "$(cat ../drafted/db/migrations/000002_index.up.sql)" \
	"CREATE INDEX CONCURRENTLY users_email_idx ON users (email);"
check "--out wrote the down" test -f ../drafted/db/migrations/000002_index.down.sql
cd "$T"

# Drafts that must not be accepted: each fails with why, exit 1, disk unchanged.
for case in "same:no safer than the original" "unparsable:does not parse" \
	    "nofence:holds no \`\`\`sql file=PATH fence" "unsafe:unsafe file '../outside.sql'"; do
	model=${case%%:*} want=${case#*:}
	llm_repo "f-$model" openai "$model"
	cd "f-$model"
	before=$(tree_state .)
	out=$("$SLUICE" draft --llm --out drafted db/migrations/000002_index.up.sql 2>&1)
	rc=$?
	expect_eq "$model: failed draft exits 1" "$rc" 1
	expect_contains "$model: says why" "$out" "$want"
	if [ "$model" = same ] || [ "$model" = unparsable ]; then
		expect_contains "$model: shown as FAILED" "$out" "# FAILED:"
	fi
	check "$model: nothing outside --out" test ! -e ../outside.sql
	check "$model: a failed draft is not written to --out" test ! -e drafted
	out=$("$SLUICE" draft --llm --commit db/migrations/000002_index.up.sql 2>&1)
	expect_eq "$model: --commit refuses a failed draft, repository unchanged" "$(tree_state .)" \
		"$before"
	cd "$T"
done

# The prompt carries the app's references (the cross-check of a repository)
# and the repository's conventions, even when run from a subdirectory.
new_repo xr && mkdir -p xr/db/migrations xr/app xr/sub
printf 'CREATE TABLE users (id bigserial PRIMARY KEY, nick text);\n' >xr/db/migrations/000001_init.up.sql
printf 'package app\nconst q = "SELECT nick FROM users WHERE id = $1"\n' >xr/app/users.go
commit_all xr init
git -C xr checkout -q -b feature
printf 'ALTER TABLE users RENAME COLUMN nick TO handle;\n' >xr/db/migrations/000002_rename.up.sql
commit_all xr rename
git -C xr config sluice.llm.provider openai
git -C xr config sluice.llm.url "http://127.0.0.1:$LLM_PORT"
git -C xr config sluice.llm.model refs
git -C xr config sluice.llm.keyEnv SLUICE_TEST_KEY
out=$(cd xr/sub && "$SLUICE" draft --llm ../db/migrations/000002_rename.up.sql 2>&1)
prompt=$(grep '"model": "refs"' "$LLM_LOG")
expect_contains "prompt: the app reference" "$prompt" "app/users.go:2 uses 'nick'"
expect_contains "prompt: the framework" "$prompt" "framework: golang-migrate"
expect_contains "prompt: the next number" "$prompt" "new files start at 3"
expect_contains "the draft that keeps the rename fails" "$out" "# FAILED: no safer than the original"

# A key from a file works the same and is not printed either.
llm_repo kf anthropic ok
printf '%s\n' "$KEY" >"$T/keyfile" && chmod 600 "$T/keyfile"
git -C kf config --unset sluice.llm.keyEnv
git -C kf config sluice.llm.keyFile "$T/keyfile"
out=$(cd kf && env -u SLUICE_TEST_KEY "$SLUICE" draft --llm db/migrations/000002_index.up.sql 2>&1)
expect_contains "keyFile: draft verified" "$out" "# verified:"
expect_not_contains "keyFile: key not printed" "$out" "$KEY"
git -C kf config sluice.llm.keyFile "$T/no-such-key"
out=$(cd kf && "$SLUICE" draft --llm db/migrations/000002_index.up.sql 2>&1)
expect_contains "missing key file: clear message" "$out" "cannot read the key file '$T/no-such-key'"
git -C kf config --unset sluice.llm.keyFile
git -C kf config sluice.llm.keyEnv SLUICE_UNSET_VAR
out=$(cd kf && "$SLUICE" draft --llm db/migrations/000002_index.up.sql 2>&1)
expect_contains "unset key variable: clear message" "$out" "'SLUICE_UNSET_VAR' (sluice.llm.keyEnv) is not set"
git -C kf config --unset sluice.llm.model
out=$(cd kf && "$SLUICE" draft --llm db/migrations/000002_index.up.sql 2>&1)
expect_contains "no model: clear message" "$out" "no model configured: set sluice.llm.model"
finish
