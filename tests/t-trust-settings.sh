#!/bin/sh
# t-trust-settings.sh - a repository's committed .sluice is written by whoever
# wrote the branch: it may set policy only. Where sluice connects, which
# secret it sends and what it runs come from the user's own git config, the
# environment or the command line. And a branch is judged by its base's
# .sluice, not by the one it brings: what it changes is a policy-changed
# finding.
. "$SLUICE_SRC/tests/lib.sh"
. "$SLUICE_SRC/tests/httpd/lib.sh"
start_llm_server

SECRET=AKIA-fake-aws-secret-7731
export FAKE_AWS_SECRET_ACCESS_KEY=$SECRET
export SLUICE_TEST_KEY=sk-users-own-key-0042

# --- the LLM endpoint and key ---------------------------------------------
llm_repo r openai ok
cd r
# The user's own git config has no LLM: the branch brings one, with a key.
for k in provider url model keyEnv timeout; do git config --unset "sluice.llm.$k"; done
echo "top secret key file" >"$T/keyfile"
printf '[sluice "llm"]\n\turl = http://127.0.0.1:%s/v1\n\tmodel = ok\n\tkeyEnv = FAKE_AWS_SECRET_ACCESS_KEY\n\tkeyFile = %s\n' \
	"$LLM_PORT" "$T/keyfile" >.sluice
commit_all . "a .sluice that sends the user's secret elsewhere"
out=$("$SLUICE" draft --llm db/migrations/000002_index.up.sql 2>&1)
rc=$?
expect_eq "llm settings in .sluice: not used (no model of the user's: exit 1)" "$rc" 1
expect_contains "... the warning names sluice.llm.url" "$out" ".sluice: 'sluice.llm.url' is ignored"
expect_contains "... and sluice.llm.keyenv" "$out" "'sluice.llm.keyenv' is ignored"
expect_contains "... and sluice.llm.keyfile" "$out" "'sluice.llm.keyfile' is ignored"
expect_contains "... and says where such a key belongs" "$out" "set it in your own git config"
expect_eq "... the server never got a request" "$(wc -l <"$LLM_LOG" | tr -d ' ')" 0
expect_not_contains "... nor the secret" "$(cat "$LLM_LOG")" "$SECRET"
# The same keys in the user's own git config are used: the test can see a key arrive.
git config sluice.llm.url "http://127.0.0.1:$LLM_PORT/v1"
git config sluice.llm.model ok
git config sluice.llm.keyEnv SLUICE_TEST_KEY
out=$("$SLUICE" draft --llm db/migrations/000002_index.up.sql 2>&1)
expect_contains "the user's own llm settings work" "$out" "# verified:"
expect_contains "... the user's key is sent" "$(cat "$LLM_LOG")" "\"auth\": \"Bearer $SLUICE_TEST_KEY\""
expect_not_contains "... never the one .sluice names" "$(cat "$LLM_LOG")" "$SECRET"
expect_not_contains "... nor the key file's" "$(cat "$LLM_LOG")" "top secret key file"
cd "$T"

# --- the database and PGPASSWORD -------------------------------------------
# A PostgreSQL look-alike that asks for a cleartext password and logs it.
cat >pgsink.py <<'EOF'
import socket, struct, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0)); s.listen(8)
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
while True:
    c, _ = s.accept()
    with open(sys.argv[2], "a") as log:
        log.write("connection\n")
        try:
            c.settimeout(3)
            n = struct.unpack("!I", c.recv(4))[0]
            first = c.recv(n - 4)
            if first[:4] == struct.pack("!I", 80877103):   # SSLRequest: no
                c.sendall(b"N")
                n = struct.unpack("!I", c.recv(4))[0]
                c.recv(n - 4)
            c.sendall(b"R" + struct.pack("!II", 8, 3))     # cleartext password
            log.write("password: %r\n" % c.recv(200))
        except Exception as e:
            log.write("error: %s\n" % e)
    c.close()
EOF
python3 pgsink.py pgsink-port pgsink.log &
SINK_PID=$!
trap 'kill $LLM_PID $SINK_PID 2>/dev/null; rm -rf "$T"' EXIT
for _i in $(seq 1 100); do [ -s pgsink-port ] && break; sleep 0.05; done
SINK=$(cat pgsink-port)
: >pgsink.log
export PGPASSWORD=pg-fake-secret-5150
new_repo d
mkdir -p d/migrations
echo 'CREATE TABLE a (id int);' >d/migrations/1_a.sql
commit_all d history
git -C d checkout -q -b feature
echo 'CREATE INDEX a_id ON a (id);' >d/migrations/2_idx.sql
printf '[sluice "db"]\n\turl = postgresql://ci@127.0.0.1:%s/prod\n' "$SINK" >d/.sluice
commit_all d "a .sluice that points sluice.db.url at another server"
out=$(cd d && "$SLUICE" check 2>&1)
expect_contains "db.url in .sluice: the warning names it" "$out" ".sluice: 'sluice.db.url' is ignored"
out=$(cd d && "$SLUICE" drift 2>&1)
expect_contains "drift: no database of the user's, none from .sluice" "$out" "no database to compare"
sleep 0.3
expect_eq "... the server never got a connection" "$(cat pgsink.log)" ""
# The sink works: the user's own DATABASE_URL reaches it, and PGPASSWORD with it.
(cd d && DATABASE_URL="postgresql://ci@127.0.0.1:$SINK/prod" "$SLUICE" check >/dev/null 2>&1)
sleep 0.3
expect_contains "the user's own DATABASE_URL is used (the sink sees the password)" \
	"$(cat pgsink.log)" "$PGPASSWORD"
unset PGPASSWORD

# --- future keys: only listed policy keys are read from .sluice -----------
printf '[sluice]\n\tsqlFrom = touch %s/ran\n\tblockerSeconds = 5\n\tsomeFutureHook = x\n[sluice "django"]\n\tcommand = touch %s/ran\n' \
	"$T" "$T" >d/.sluice
out=$(cd d && "$SLUICE" check --base main 2>&1)
expect_contains "sluice.sqlFrom from .sluice: warned" "$out" "'sluice.sqlfrom' is ignored"
expect_contains "sluice.django.command: warned" "$out" "'sluice.django.command' is ignored"
expect_contains "an unknown key is not trusted either" "$out" "'sluice.somefuturehook' is ignored"
expect_not_contains "a policy key (blockerSeconds) is fine" "$out" "blockerseconds' is ignored"
git -C d checkout -q .sluice

# --- the branch does not set its own policy -------------------------------
new_repo p
mkdir -p p/migrations
echo 'CREATE TABLE a (id int);' >p/migrations/1_a.sql
printf '[sluice]\n\tpgVersion = 15\n' >p/.sluice
commit_all p history
git -C p branch -q old
git -C p checkout -q -b feature
echo 'CREATE INDEX a_id ON a (id);' >p/migrations/2_idx.sql
commit_all p "an index"
cd p
expect_exit "a HIGH finding fails the branch" 1 "$SLUICE" check
expect_not_contains "... and .sluice unchanged: no policy finding" "$(cat "$T/.out")" "policy-changed"
printf '[sluice]\n\tpgVersion = 15\n\tfailOn = BLOCKER\n\tdisable = create-index-nonconcurrent\n' >.sluice
commit_all . "turn my own check green"
expect_exit "failOn = BLOCKER and disable added by the branch: still fails" 1 "$SLUICE" check
out=$(cat "$T/.out")
expect_contains "... the rule it disabled still fires" "$out" "[create-index-nonconcurrent]"
expect_contains "... policy-changed on .sluice, HIGH" "$out" ".sluice:1: HIGH [policy-changed]"
expect_contains "... naming the keys changed" "$out" "(sluice.failOn, sluice.disable)"
expect_contains "... and whose policy judged it" "$out" "judged by the .sluice of main"
json=$("$SLUICE" check --format json 2>/dev/null)
expect_eq "json: the finding is on .sluice" "$(printf '%s' "$json" | json_get \
	'[x["rule"] for f in d["files"] if f["path"] == ".sluice" for x in f["findings"]]')" \
	"['policy-changed']"
expect_eq "json: fail_on is the base's" "$(printf '%s' "$json" | json_get 'd["summary"]["fail_on"]')" HIGH
expect_contains "markdown: not a pass" "$("$SLUICE" check --format markdown 2>/dev/null)" "policy-changed"
# Uncommitted, the same.
git reset -q --hard HEAD~1
printf '[sluice]\n\tfailOn = BLOCKER\n' >.sluice
expect_exit "an uncommitted failOn change: still fails" 1 "$SLUICE" check
expect_contains "... policy-changed" "$(cat "$T/.out")" "[policy-changed]"
# A branch that points sluice.base at itself: still compared with main.
printf '[sluice]\n\tpgVersion = 15\n\tbase = feature\n' >.sluice
out=$("$SLUICE" check --format json 2>/dev/null)
expect_eq "sluice.base = the branch itself: still compared with main" \
	"$(printf '%s' "$out" | json_get 'd["summary"]["base"]')" main
expect_contains "... and the change reported" "$out" "sluice.base"
# Paths mode judges the files named, by the work tree's .sluice.
printf '[sluice]\n\tfailOn = BLOCKER\n\tdisable = create-index-nonconcurrent\n' >.sluice
expect_exit "paths mode: the work tree's .sluice" 0 "$SLUICE" check migrations
git checkout -q .sluice
# The base's .sluice names another base: that one is used.
git checkout -q main
printf '[sluice]\n\tpgVersion = 15\n\tbase = old\n' >.sluice
commit_all . "compare with old"
git branch -qf old main
git checkout -q feature && git merge -q --no-edit main
out=$("$SLUICE" check --format json 2>/dev/null)
expect_eq "the base's own sluice.base is followed" \
	"$(printf '%s' "$out" | json_get 'd["summary"]["base"]')" old
expect_not_contains "... the branch's .sluice is the base's: no finding" "$out" "policy-changed"
finish
