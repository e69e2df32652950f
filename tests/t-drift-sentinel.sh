#!/bin/sh
# t-drift-sentinel.sh - what a scheduled drift check needs: `sluice drift
# --format markdown` (an issue body) and JSON with a fingerprint per
# difference and one for the report, stable across runs and across a change
# elsewhere in the drift; exit codes 0 / 1 / 2; and the README's workflow
# (examples/drift-sentinel.yml) is valid YAML that runs what was tested.
. "$SLUICE_SRC/tests/lib.sh"
. "$SLUICE_SRC/tests/db-lib.sh"
scratch_db OK_DB sluice_sentinel_ok
scratch_db BAD_DB sluice_sentinel_bad
PY=/usr/bin/python3

mkdir repo
printf 'CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, name text, score int DEFAULT 0);\n' >repo/000001_users.up.sql
printf 'CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id));\nCREATE INDEX orders_user_idx ON orders (user_id);\n' >repo/000002_orders.up.sql
psql "$PG dbname=$OK_DB" -c "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, name text, score int DEFAULT 0)" \
	-c "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id))" \
	-c "CREATE INDEX orders_user_idx ON orders (user_id)"
drifted_goose "$PG dbname=$BAD_DB"

drift() { "$SLUICE" drift --shadow "$PG" "$@" repo; }

drift --format markdown --db "$PG dbname=$OK_DB" >ok.md 2>ok.err
expect_eq "no drift: exit 0" "$?" 0
expect_contains "no drift: the body says so" "$(cat ok.md)" "no schema drift"

drift --format json --db "$PG dbname=$BAD_DB" >one.json 2>/dev/null
expect_eq "drift: exit 1" "$?" 1
drift --format json --db "$PG dbname=$BAD_DB" >two.json 2>/dev/null
fps() { $PY -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["fingerprint"], " ".join(sorted(i["fingerprint"] for i in d["drift"])))' "$1"; }
check "json: every difference has a fingerprint" $PY -c '
import json, re; d = json.load(open("one.json"))
assert d["drift"] and all(re.fullmatch("[0-9a-f]{32}", i["fingerprint"]) for i in d["drift"])
assert len({i["fingerprint"] for i in d["drift"]}) == len(d["drift"])'
expect_eq "json: fingerprints are the same on a second run" "$(fps two.json)" "$(fps one.json)"

# Another drift appears: the old differences keep their fingerprints, the
# report's changes (so the workflow updates the issue).
psql "$PG dbname=$BAD_DB" -c "CREATE INDEX users_score_idx ON users (score)"
drift --format json --db "$PG dbname=$BAD_DB" >three.json 2>/dev/null
out=$($PY -c '
import json
a = json.load(open("one.json")); b = json.load(open("three.json"))
fa = {i["fingerprint"] for i in a["drift"]}; fb = {i["fingerprint"] for i in b["drift"]}
new = [i["object"] for i in b["drift"] if i["fingerprint"] not in fa]
print(fa < fb, new, a["fingerprint"] != b["fingerprint"])')
expect_eq "a new difference: old fingerprints kept, one new, the report's changes" "$out" "True ['users_score_idx'] True"

drift --format markdown --db "$PG dbname=$BAD_DB" >bad.md 2>/dev/null
expect_eq "markdown: exit 1 on drift" "$?" 1
fp=$($PY -c 'import json; print(json.load(open("three.json"))["fingerprint"])')
expect_eq "markdown: the report's fingerprint on its first line" "$(head -1 bad.md)" "<!-- sluice-drift: $fp -->"
out=$($PY -c '
import json
d = json.load(open("three.json")); md = open("bad.md").read()
print(all(("`%s`" % i["fingerprint"][:12]) in md and i["object"] in md for i in d["drift"]))')
expect_eq "markdown: every difference in the table with its fingerprint" "$out" True
n=$($PY -c 'import json; print(len(json.load(open("three.json"))["drift"]))')
expect_contains "markdown: the count in the heading" "$(sed -n 2p bad.md)" "$n schema differences"
check "markdown: more than one difference counted" test "$n" -gt 1

drift --format markdown --db "host=127.0.0.1 port=1 user=u password=pw-secret dbname=x" >unreach.md 2>unreach.err
expect_eq "unreachable database: exit 2 (the workflow fails the job)" "$?" 2
expect_not_contains "unreachable database: the password is not shown" "$(cat unreach.err)" "pw-secret"
expect_exit "an unknown format: exit 2" 2 "$SLUICE" drift --format sarif --db "$PG dbname=$OK_DB" repo

out=$($PY - "$SLUICE_SRC/examples/drift-sentinel.yml" <<'PYEOF'
import sys, yaml
w = yaml.safe_load(open(sys.argv[1]))
on = w.get("on", w.get(True))          # YAML 1.1 reads a bare `on` as true
cron = on["schedule"][0]["cron"]
assert len(cron.split()) == 5, cron
job = w["jobs"]["drift"]
runs = "\n".join(s.get("run", "") for s in job["steps"])
assert "sluice drift --format markdown" in runs
assert "sluice-drift:" in runs and "gh issue close" in runs and "gh issue create" in runs
assert w["permissions"]["issues"] == "write"
assert "secrets.DATABASE_URL" in str(job["steps"])
print("ok")
PYEOF
)
expect_eq "the workflow is valid YAML: a cron schedule, the tested command, open/update/close" "$out" ok
check "README shows the same workflow file" grep -q "examples/drift-sentinel.yml" "$SLUICE_SRC/README.md"
finish
