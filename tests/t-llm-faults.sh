#!/bin/sh
# t-llm-faults.sh - every fault of an LLM endpoint, for each of the three
# APIs: a clear one-line message, exit 1, and nothing on disk changed
# (git status, HEAD and every file's hash compared before and after).
. "$SLUICE_SRC/tests/lib.sh"
. "$SLUICE_SRC/tests/httpd/lib.sh"
start_llm_server
KEY=sk-test-SECRET-0042
export SLUICE_TEST_KEY=$KEY

fault() { # API MODEL EXPECTED-MESSAGE
	api=$1 model=$2 want=$3
	dir="$api-$model"
	[ -d "$dir" ] || llm_repo "$dir" "$api" "$model"
	before=$(tree_state "$dir")
	out=$(cd "$dir" && "$SLUICE" draft --llm --out drafted db/migrations/000002_index.up.sql 2>&1)
	rc=$?
	expect_eq "$api $model: exit 1" "$rc" 1
	expect_contains "$api $model: message" "$out" "$want"
	expect_eq "$api $model: one line" "$(printf '%s\n' "$out" | wc -l | tr -d ' ')" 1
	expect_not_contains "$api $model: key not in the message" "$out" "$KEY"
	expect_eq "$api $model: nothing on disk changed" "$(tree_state "$dir")" "$before"
}

for api in openai anthropic ollama; do
	fault "$api" 401 "rejected the key (HTTP 401): check sluice.llm.keyEnv"
	fault "$api" 500 "server error from http://127.0.0.1:$LLM_PORT"
	fault "$api" badjson "invalid JSON in the answer"
	fault "$api" cut "stopped half way"
	fault "$api" huge "is larger than 4 MB; stopped reading it"
done
# The server echoed the key in its 500 body: sluice shows it scrubbed.
out=$(cd openai-500 && "$SLUICE" draft --llm db/migrations/000002_index.up.sql 2>&1)
expect_contains "500 body's key is scrubbed" "$out" "(saw Bearer [key])"

# Timeout (sluice.llm.timeout is 3 s in these repositories) and refused.
t0=$(date +%s)
fault openai timeout "within 3 s (timeout)"
t1=$(date +%s)
check "the timeout is honoured (under 10 s)" test $((t1 - t0)) -lt 10
port=$(free_port)
llm_repo anthropic-refused anthropic ok
git -C anthropic-refused config sluice.llm.url "http://127.0.0.1:$port"
fault anthropic refused "connection refused"

# 429 with Retry-After, each API: waited and retried, then the draft arrives.
for api in openai anthropic ollama; do
	llm_repo "r429-$api" "$api" 429
	t0=$(date +%s)
	out=$(cd "r429-$api" && "$SLUICE" draft --llm db/migrations/000002_index.up.sql 2>&1)
	t1=$(date +%s)
	expect_contains "$api 429 then ok: draft verified" "$out" "# verified:"
	check "$api 429: waited about Retry-After (1 s)" test $((t1 - t0)) -ge 1
done
expect_eq "429: each API's first request refused, the retry served (2 per API)" \
	"$(grep -c '"model": "429"' "$LLM_LOG")" 6
# Always 429: retries are bounded (1 request + 2 retries), then a message.
fault openai 429always "rate limited by http://127.0.0.1:$LLM_PORT"
expect_eq "429always: bounded at 3 requests" "$(grep -c '"model": "429always"' "$LLM_LOG")" 3
finish
