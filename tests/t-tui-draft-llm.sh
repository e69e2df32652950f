#!/bin/sh
# t-tui-draft-llm.sh - LLM drafts in the workbench, against the real test
# server on 127.0.0.1 (tests/httpd/llm_server.py):
#   - scripted: each of the three APIs streams a draft into the draft
#     screen, which is parsed and verified before it is shown;
#   - tmux: while a slow answer streams, keys keep working (help opens and
#     closes, the byte count keeps growing); Esc cancels and nothing is
#     written; a second draft is accepted with A and read back with git;
#     a 500 is a failed draft whose message never shows the key.
. "$SLUICE_SRC/tests/lib.sh"
. "$SLUICE_SRC/tests/httpd/lib.sh"

export TERM=xterm-256color LC_ALL=C.UTF-8 SLUICE_TEST_KEY=sk-test-secret-4242
unset NO_COLOR
start_llm_server

# --- Scripted: the script waits for the stream, then saves the screen.
# draft_in_tui NAME PROVIDER MODEL: a repository for the model, then L on its
# second migration, the screen saved to $T/NAME.txt, then A, saved to
# $T/NAME-accept.txt; rc and before (the repository's state) are set.
draft_in_tui() {
	rm -rf "$1"
	llm_repo "$1" "$2" "$3"
	before=$(tree_state "$1")
	printf 'j\nL\n:save-screen %s\nA\nA\n:save-screen %s\n' "$T/$1.txt" "$T/$1-accept.txt" >"$T/$1.keys"
	COLUMNS=120 LINES=30 SLUICE_SCRIPT="$T/$1.keys" "$SLUICE" -C "$1" --all \
		>"$T/$1.out" 2>"$T/$1.err"
	rc=$?
}
for api in openai anthropic ollama; do
	draft_in_tui "r-$api" "$api" ok
	expect_eq "$api: the scripted draft exits 0" "$rc" 0
	s=$(cat "$T/r-$api.txt")
	expect_contains "$api: the answer becomes a draft of files" "$s" "[x] change 000002_index.up.sql"
	expect_contains "$api: the draft is verified before it is shown" "$s" "Verified: worst finding HIGH before"
	expect_contains "$api: the diff shows the model's fix" "$s" "+CREATE INDEX CONCURRENTLY users_email_idx"
	expect_contains "$api: the title names the model" "$s" "$api ok"
	expect_contains "$api: A commits it" "$(cat "$T/r-$api-accept.txt")" "committed 2 files on main"
done
expect_eq "three requests reached the server" "$(wc -l <"$LLM_LOG" | tr -d ' ')" 3

# --- Scripted, every fault: a failed draft with the reason, on screen and in
# the status line, the key nowhere, and the repository as it was.
tui_fault() { # MODEL WANT
	draft_in_tui "f-$1" openai "$1"
	expect_eq "$1: the workbench exits 0" "$rc" 0
	s=$(cat "$T/f-$1.txt")
	expect_contains "$1: the draft is shown as failed" "$s" "FAILED: "
	expect_contains "$1: with why" "$s" "$2"
	expect_contains "$1: A refuses it" "$(cat "$T/f-$1-accept.txt")" "a failed draft cannot be accepted"
	expect_not_contains "$1: the key is never shown" "$s$(cat "$T/f-$1.err")" "$SLUICE_TEST_KEY"
	expect_eq "$1: nothing on disk changed" "$(tree_state "f-$1")" "$before"
}
tui_fault 401 "rejected the key (HTTP 401)"
expect_contains "401: the answer pane says nothing came" "$(cat "$T/f-401.txt")" "The model sent no answer."
tui_fault badjson "invalid JSON in the answer"
tui_fault cut "stopped half way"
tui_fault huge "larger than 4 MB"
tui_fault timeout "(timeout)"
tui_fault unparsable "does not parse"
tui_fault nofence "fence"
tui_fault same "no safer than the original"
: >"$LLM_LOG"

if ! command -v tmux >/dev/null 2>&1; then
	echo "# SKIP the tmux half: tmux is not installed"
	finish
fi

# --- tmux: keys while streaming, Esc, accept, a fault.
sock=sluice-llm-$$
trap 'tmux -L "$sock" kill-server 2>/dev/null; kill $LLM_PID 2>/dev/null; rm -rf "$T"' EXIT
. "$SLUICE_SRC/tests/tmux-lib.sh"
received() { screen | sed -n 's/.*Receiving the answer: \([0-9]*\) bytes.*/\1/p' | head -1; }

llm_repo r openai slow
git -C r config sluice.llm.timeout 30
: >"$LLM_LOG"
before=$(tree_state r)
printf 'set -g status off\nset -g escape-time 0\n' >"$T/tmux.conf"
tmx -f "$T/tmux.conf" new-session -d -s w -x 120 -y 30 \
	"cd '$T/r' && env LC_ALL=C.UTF-8 HOME='$HOME' ESCDELAY=25 SLUICE_TEST_KEY=$SLUICE_TEST_KEY \
	  '$SLUICE' --all; echo \"sluice-exit=\$?\"; exec sleep 120"
check "the list appears" wait_for "000002"
keys j L
check "L starts streaming into the draft screen" wait_for "Receiving the answer"
expect_contains "the title names the provider and model" "$(screen)" "asking openai slow"
n1=$(received)
keys '?'
check "help opens while the answer streams" wait_for "Help: keys"
keys q
check "q closes help; the draft is still streaming" wait_for "Receiving the answer"
sleep 0.8
n2=$(received)
check "the answer kept arriving meanwhile ($n1 then $n2 bytes)" test "${n2:-0}" -gt "${n1:-0}"
keys Escape
check "Esc cancels the stream" wait_for "FAILED: llm: cancelled"
expect_contains "the status line says nothing was written" "$(screen)" "nothing was written"
expect_eq "a cancelled draft leaves the repository as it was" "$(tree_state r)" "$before"
keys Escape
check "Esc again closes the draft screen" wait_for "SEVERITY"

keys L
check "a second draft streams to the end and is verified" wait_for "Verified: worst finding HIGH before" 20
# The accept rescans, which reads the settings again: the next draft gets a 500.
git -C r config sluice.llm.model 500
keys A
check "A asks first" wait_for "Accept: commit 2 of 2 files on main?"
keys A
check "A again commits the draft" wait_for "committed 2 files on main"
expect_contains "the commit message names the model" "$(git -C r log -1 --format=%B)" "openai slow"
expect_contains "the commit message names the migration" "$(git -C r log -1 --format=%B)" \
	"for db/migrations/000002_index.up.sql"
expect_contains "the committed migration is the model's fix" \
	"$(git -C r show HEAD:db/migrations/000002_index.up.sql)" "CREATE INDEX CONCURRENTLY"
expect_eq "the work tree is clean after the commit" "$(git -C r status --porcelain)" ""

sleep 1   # the rescan after the commit settles
keys L
check "a 500 from the endpoint is a failed draft" wait_for "FAILED: " 10
expect_not_contains "the key never reaches the screen" "$(screen)" "sk-test-secret"
keys Escape
wait_for "SEVERITY" >/dev/null
keys Q
check "sluice exits 0 (no leak, no error)" wait_for "sluice-exit=0"
expect_eq "the server saw three requests (cancelled, accepted, 500)" "$(wc -l <"$LLM_LOG" | tr -d ' ')" 3
expect_not_contains "the key is sent only as a header, never logged by us" "$(screen)" "4242"

finish
