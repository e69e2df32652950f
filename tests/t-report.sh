#!/bin/sh
# t-report.sh - the reporters: SARIF, GitHub annotations, Markdown, text,
# and the exit codes of --fail-on and --format.
#
# One fixture (a base migration, then one with risky indexes, an ignored
# finding and SQL holding '|', '%', ',' and ':') is judged in every format;
# each format is checked against the JSON report of the same run, so the
# assertions hold whatever rules are added later.
. "$SLUICE_SRC/tests/lib.sh"

mkdir -p migrations
cat >migrations/001_base.up.sql <<'EOF'
CREATE TABLE users (
    id bigserial PRIMARY KEY,
    email text NOT NULL
);
CREATE TABLE orders (
    id bigserial PRIMARY KEY,
    user_id bigint NOT NULL REFERENCES users (id),
    note text
);
EOF
printf 'DROP TABLE orders;\nDROP TABLE users;\n' >migrations/001_base.down.sql
cat >migrations/002_risky.up.sql <<'EOF'
-- Index the orders by user.
CREATE INDEX orders_user ON orders (user_id);

-- sluice:ignore create-index-nonconcurrent -- reviewed: orders is tiny in every region
CREATE INDEX orders_note ON orders (note)
  WHERE note <> 'a|b';

CREATE INDEX orders_note2 ON orders (note) WHERE note <> '50%, really: yes';
EOF
printf 'DROP INDEX orders_note2;\nDROP INDEX orders_note;\nDROP INDEX orders_user;\n' \
	>migrations/002_risky.down.sql

"$SLUICE" check --format json migrations >report.json 2>err.json
expect_eq "json: exit 1 on a HIGH finding" "$?" 1

# --- SARIF -------------------------------------------------------------
"$SLUICE" check --format sarif migrations >report.sarif 2>err.sarif
expect_eq "sarif: same exit code as json" "$?" 1
out=$(python3 - report.sarif report.json <<'EOF'
import json, sys
sarif = json.load(open(sys.argv[1]))
rep = json.load(open(sys.argv[2]))
problems = []
def need(cond, what):
    if not cond:
        problems.append(what)
need(sarif.get("version") == "2.1.0", "version 2.1.0")
need("sarif-2.1.0" in sarif.get("$schema", ""), "$schema names 2.1.0")
run = sarif["runs"][0]
drv = run["tool"]["driver"]
for k in ("name", "informationUri", "version", "rules"):
    need(k in drv, "driver." + k)
ids = [r["id"] for r in drv["rules"]]
need(len(ids) == len(set(ids)), "rule ids unique")
need("create-index-nonconcurrent" in ids, "catalogue in rules[]")
for r in drv["rules"]:
    for k in ("shortDescription", "fullDescription", "help"):
        need(r.get(k, {}).get("text"), r["id"] + " " + k)
    need(r["defaultConfiguration"]["level"] in ("error", "warning", "note"), r["id"] + " level")
level = {"BLOCKER": "error", "HIGH": "error", "MEDIUM": "warning", "LOW": "note"}
want = []
for f in rep["files"]:
    for s in f["statements"]:
        for x in s["findings"]:
            want.append((f["path"], s["line"], s["end_line"], x["rule"], level[x["severity"]],
                         x.get("ignore_reason")))
    for x in f["findings"]:
        want.append((f["path"], x.get("line", 1), x.get("line", 1), x["rule"],
                     level[x["severity"]], x.get("ignore_reason")))
got = []
for res in run["results"]:
    loc = res["locations"][0]["physicalLocation"]
    need(res["message"]["text"], "message.text")
    need(ids[res["ruleIndex"]] == res["ruleId"], "ruleIndex points at ruleId")
    sup = res.get("suppressions")
    got.append((loc["artifactLocation"]["uri"], loc["region"]["startLine"],
                loc["region"]["endLine"], res["ruleId"], res["level"],
                sup[0]["justification"] if sup else None))
need(sorted(got) == sorted(want), "results match json: %r != %r" % (sorted(got), sorted(want)))
need(any(g[5] == "reviewed: orders is tiny in every region" for g in got),
     "ignored finding is a suppression with its justification")
need(any(g[3] == "create-index-nonconcurrent" and g[1] == 2 and g[4] == "error" for g in got),
     "HIGH create-index at line 2 is an error")
need(any(g[1] == 5 and g[2] == 6 for g in got), "multi-line statement: startLine 5, endLine 6")
need(run["invocations"][0]["executionSuccessful"] is True, "executionSuccessful")
print("\n".join(problems) if problems else "ok")
EOF
)
expect_eq "sarif: structure, levels and lines match the json" "$out" ok

# Debian's jsonschema belongs to /usr/bin/python3 (./dev test installs it):
# without it this check fails rather than skips.
if /usr/bin/python3 -c 'import jsonschema' 2>/dev/null; then
	out=$(/usr/bin/python3 - report.sarif "$SLUICE_SRC/tests/data/sarif-2.1.0-required.json" <<'EOF'
import json, sys, jsonschema
doc = json.load(open(sys.argv[1])); schema = json.load(open(sys.argv[2]))
errs = sorted(jsonschema.Draft7Validator(schema).iter_errors(doc), key=str)
print("\n".join(e.message for e in errs[:5]) if errs else "ok")
# near miss: the schema must reject a result whose startLine is 0
doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
print("rejects" if list(jsonschema.Draft7Validator(schema).iter_errors(doc)) else "accepts")
EOF
)
	expect_eq "sarif: validates against the 2.1.0 required-fields schema" "$out" "ok
rejects"
else
	not_ok "sarif: jsonschema is not installed for /usr/bin/python3 (apt-get install python3-jsonschema)"
fi

# An unreadable file is a notification and makes the run unsuccessful.
printf 'CREATE TABLE t (id int);\0\0\0' >bin.sql
"$SLUICE" check --format sarif bin.sql >bin.sarif 2>/dev/null
out=$(python3 -c 'import json,sys; r=json.load(open("bin.sarif"))["runs"][0]["invocations"][0]; print(r["executionSuccessful"], len(r["toolExecutionNotifications"]))')
expect_eq "sarif: a binary file is a failed-execution notification" "$out" "False 1"

# --- GitHub annotations ------------------------------------------------
"$SLUICE" check --format github migrations >report.gh 2>/dev/null
expect_eq "github: exit 1" "$?" 1
out=$(python3 - report.gh report.json <<'EOF'
import json, re, sys
lines = open(sys.argv[1]).read().splitlines()
rep = json.load(open(sys.argv[2]))
cmd = {"BLOCKER": "error", "HIGH": "error", "MEDIUM": "warning", "LOW": "notice"}
want = sorted((cmd[x["severity"]], f["path"], s["line"], s["end_line"], x["rule"])
              for f in rep["files"] for s in f["statements"] for x in s["findings"]
              if not x.get("ignored"))
pat = re.compile(r"^::(error|warning|notice) file=([^,:]*),line=(\d+),endLine=(\d+),title=([^,:]*)::(.*)$")
got, bad = [], []
for l in lines:
    if not l.startswith("::"):
        continue
    m = pat.match(l)
    if not m:
        bad.append(l); continue
    dec = lambda v: v.replace("%0A", "\n").replace("%0D", "\r").replace("%3A", ":").replace("%2C", ",").replace("%25", "%")
    if "\n" in m.group(6) or "\r" in m.group(6):
        bad.append(l)
    got.append((m.group(1), dec(m.group(2)), int(m.group(3)), int(m.group(4)), dec(m.group(5)).split(" ")[0]))
print("ok" if not bad and sorted(got) == want else "bad=%r got=%r want=%r" % (bad, sorted(got), want))
EOF
)
expect_eq "github: every annotation parses and matches the json (ignored left out)" "$out" ok
expect_contains "github: last line is the verdict" "$(tail -1 report.gh)" "verdict: SAFE WITH MODIFICATIONS"

# Properties escape ',' and ':'; the message escapes '%' and newlines.
printf 'CREATE TABLE t (id int);\nCREATE INDEX t_id ON t (id);\nALTER TABLE t ADD COLUMN x int;\n' >base.sql
mkdir odd && printf 'CREATE TABLE o (n text);\n' >odd/001_o.up.sql && \
	printf "CREATE INDEX o_n ON o (n) WHERE n <> '100%%';\n" >odd/002_a,b:c.up.sql
"$SLUICE" check --format github odd >odd.gh 2>/dev/null
expect_contains "github: ',' and ':' in a file property are encoded" "$(cat odd.gh)" "file=odd/002_a%2Cb%3Ac.up.sql,line=1,"
expect_contains "github: newline in the message is %0A" "$(cat odd.gh)" "%0AFix: "
expect_not_contains "github: no raw ',' in the property list" "$(grep '^::' odd.gh | sed 's/::.*::.*//')" "a,b"

# --- Markdown ----------------------------------------------------------
"$SLUICE" check --format markdown migrations >report.md 2>/dev/null
expect_eq "markdown: exit 1" "$?" 1
expect_eq "markdown: heading carries the verdict" "$(head -1 report.md)" "## ⚠️ sluice: SAFE WITH MODIFICATIONS"
out=$(python3 - report.md <<'EOF'
import re, sys
md = open(sys.argv[1]).read()
lines = md.splitlines()
def cells(l):
    # split on '|' not preceded by a backslash
    return [c.strip() for c in re.split(r"(?<!\\)\|", l)[1:-1]]
problems = []
hdr = "| line | statement | class | lock | severity | fix |"
tables = [i for i, l in enumerate(lines) if l == hdr]
if len(tables) != 4: problems.append("4 file tables, got %d" % len(tables))
for i in tables:
    j = i + 2
    while j < len(lines) and lines[j].startswith("|"):
        if len(cells(lines[j])) != 6: problems.append("row has %d cells: %s" % (len(cells(lines[j])), lines[j]))
        j += 1
    if j == i + 2: problems.append("empty table")
cat = [l for l in lines if re.match(r"^\| (lock contention|concurrent write hazards|missing rollback path|data loss|replication lag|constraint validation|index dependencies|foreign key implications) \|", l)]
if len(cat) != 8: problems.append("8 category rows, got %d" % len(cat))
for l in cat:
    if cells(l)[1] not in ("PASS", "FLAG", "BLOCK"): problems.append("state: " + l)
if not any("lock contention | FLAG | `migrations/002_risky.up.sql:2`" in l for l in cat): problems.append("lock contention FLAG with file:line")
if not any("'a\\|b'" in l for l in lines): problems.append("pipe in SQL escaped")
if not any(l.startswith("| 5 | `CREATE INDEX orders_note ON orders (note) WHERE") for l in lines): problems.append("newline in statement folded")
print("\n".join(problems) or "ok")
EOF
)
expect_eq "markdown: category table and one 6-column table per file, '|' escaped" "$out" ok
expect_contains "markdown: findings with fix" "$(cat report.md)" "**Fix:** "
expect_contains "markdown: ignored finding with its reason" \
	"$(sed -n '/^### Ignored findings/,/^<details>/p' report.md)" "_ignored:_ reviewed: orders is tiny in every region"
expect_contains "markdown: collapsed counts" "$(cat report.md)" "<details><summary>Counts</summary>"
expect_contains "markdown: counts table" "$(sed -n '/<details>/,/<\/details>/p' report.md)" "| HIGH | 2 |"

printf 'CREATE TABLE t (id int);\n' >safe.sql
"$SLUICE" check --format markdown safe.sql >safe.md 2>/dev/null
expect_eq "markdown: a safe file says SAFE TO SHIP" "$(head -1 safe.md)" "## ✅ sluice: SAFE TO SHIP"

# --- text ---------------------------------------------------------------
"$SLUICE" check migrations >report.txt 2>/dev/null
esc=$(printf '\033')
if grep -q "$esc" report.txt; then not_ok "text: no escape codes when not a tty"; else ok "text: no escape codes when not a tty"; fi
"$SLUICE" check --color always migrations >color.txt 2>/dev/null
check "text: colour with --color always" grep -q "$esc\[" color.txt
NO_COLOR=1 "$SLUICE" check --color always migrations >nc.txt 2>/dev/null
check "text: --color always wins over NO_COLOR" grep -q "$esc\[" nc.txt
expect_contains "text: category table" "$(cat report.txt)" "  lock contention            FLAG   migrations/002_risky.up.sql:2 (create-index-nonconcurrent)"
expect_contains "text: passing category" "$(cat report.txt)" "  data loss                  PASS"
expect_contains "text: verdict" "$(tail -1 report.txt)" "verdict: SAFE WITH MODIFICATIONS"

# --- exit codes -----------------------------------------------------------
worst=$(json_get 'd["summary"]["worst"]' <report.json)
expect_eq "fixture's worst finding is HIGH" "$worst" HIGH
for sev in LOW MEDIUM HIGH BLOCKER; do
	case $sev in BLOCKER) want=0 ;; *) want=1 ;; esac
	expect_exit "--fail-on $sev exits $want" $want "$SLUICE" check --fail-on $sev migrations
done
expect_exit "--fail-on is case-insensitive" 1 "$SLUICE" check --fail-on high migrations
expect_exit "safe file exits 0" 0 "$SLUICE" check safe.sql
expect_exit "--fail-on bogus exits 2" 2 "$SLUICE" check --fail-on CRITICAL migrations
expect_contains "--fail-on bogus says why" "$(cat "$T/.err")" "'CRITICAL' is not one of LOW, MEDIUM, HIGH, BLOCKER"
expect_exit "unknown --format exits 2" 2 "$SLUICE" check --format xml migrations
expect_contains "unknown --format names it and the choices" "$(cat "$T/.err")" "unknown format 'xml': use text, json, sarif, github, markdown, gitlab or junit"
expect_eq "unknown --format prints nothing on stdout" "$(cat "$T/.out")" ""

finish
