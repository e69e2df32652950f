#!/bin/sh
# t-llm-secrets.sh - the LLM key stays where it is: a key file others can
# read is refused (as ssh refuses such a private key), a password in
# sluice.llm.url is "***" in every message, and while a key is in memory
# the process dumps no core.
. "$SLUICE_SRC/tests/lib.sh"
. "$SLUICE_SRC/tests/httpd/lib.sh"
start_llm_server
KEY=sk-test-FILEKEY-3141
draft() { (cd "$1" && env -u SLUICE_TEST_KEY "$SLUICE" draft --llm db/migrations/000002_index.up.sql 2>&1); }

# --- keyFile mode -------------------------------------------------------
llm_repo kf openai ok
git -C kf config --unset sluice.llm.keyEnv
printf '%s\n' "$KEY" >"$T/keyfile"
git -C kf config sluice.llm.keyFile "$T/keyfile"
for mode in 644 640 604 660; do
	chmod $mode "$T/keyfile"
	out=$(draft kf)
	expect_contains "keyFile mode 0$mode: refused, naming the mode" "$out" \
		"is readable by group or others (mode 0$mode): chmod 600 it"
done
expect_eq "... no request was sent" "$(wc -l <"$LLM_LOG" | tr -d ' ')" 0
chmod 600 "$T/keyfile"
out=$(draft kf)
expect_contains "keyFile mode 0600: used" "$out" "# verified:"
expect_contains "... the key went to the server" "$(cat "$LLM_LOG")" "Bearer $KEY"

# --- credentials in the URL ---------------------------------------------
PW=urlpass-2718
export SLUICE_TEST_KEY=sk-test-ENVKEY-1618
llm_repo u openai 500
git -C u config sluice.llm.url "http://bob:$PW@127.0.0.1:$LLM_PORT/v1"
out=$(cd u && "$SLUICE" draft --llm db/migrations/000002_index.up.sql 2>&1)
expect_contains "url credentials: the message names the server, masked" "$out" \
	"server error from http://bob:***@127.0.0.1:$LLM_PORT"
expect_not_contains "... the password is not shown" "$out" "$PW"
port=$(free_port)
git -C u config sluice.llm.url "http://bob:$PW@127.0.0.1:$port"
out=$(cd u && "$SLUICE" draft --llm db/migrations/000002_index.up.sql 2>&1)
expect_contains "refused: masked too" "$out" "cannot connect to http://bob:***@127.0.0.1:$port"
expect_not_contains "... the password is not shown" "$out" "$PW"

# --- no core file while a key is in memory -------------------------------
llm_repo c openai slow
cd c
ulimit -c unlimited 2>/dev/null
"$SLUICE" draft --llm db/migrations/000002_index.up.sql >/dev/null 2>&1 &
pid=$!
for _i in $(seq 1 100); do grep -q '"model": "slow"' "$LLM_LOG" && break; sleep 0.05; done
expect_contains "the core size limit is 0 while the key is in memory" \
	"$(grep 'Max core file size' /proc/$pid/limits)" "Max core file size        0                    0"
kill -SEGV $pid
wait $pid
check "a crash leaves no core file (it would hold the key)" \
	sh -c "! ls core* 2>/dev/null | grep -q ."
finish
