#!/bin/sh
# t-report-gitlab-junit.sh - the reporters for CI systems other than GitHub:
# GitLab Code Quality (--format gitlab) and JUnit XML (--format junit).
#
# Each is validated against a schema (tests/data/gitlab-codequality.json
# with Debian's python3-jsonschema, tests/data/junit.xsd with xmllint) and
# compared with the JSON report of the same run, so the assertions hold
# whatever rules are added later. GitLab's fingerprints must survive a
# second run and a line added above the statement (GitLab matches the base
# pipeline's report to the merge request's by fingerprint).
. "$SLUICE_SRC/tests/lib.sh"

PY=/usr/bin/python3
mkdir -p migrations
cat >migrations/001_base.up.sql <<'EOF'
CREATE TABLE users (id bigserial PRIMARY KEY, email text NOT NULL);
CREATE TABLE orders (id bigserial PRIMARY KEY, user_id bigint NOT NULL REFERENCES users (id), note text);
EOF
printf 'DROP TABLE orders;\nDROP TABLE users;\n' >migrations/001_base.down.sql
cat >migrations/002_risky.up.sql <<'EOF'
CREATE INDEX orders_user ON orders (user_id);
-- sluice:ignore create-index-nonconcurrent -- reviewed: <tiny> & "fine"
CREATE INDEX orders_note ON orders (note) WHERE note <> 'a<b>&"c"';
CREATE INDEX orders_note2 ON orders (note) WHERE note <> 'x';
EOF
printf 'DROP INDEX orders_note2;\nDROP INDEX orders_note;\nDROP INDEX orders_user;\n' \
	>migrations/002_risky.down.sql

"$SLUICE" check --format json migrations >report.json 2>/dev/null
expect_eq "json: exit 1 on a HIGH finding" "$?" 1

# --- GitLab Code Quality -------------------------------------------------
"$SLUICE" check --format gitlab migrations >report.gl 2>gl.err
expect_eq "gitlab: same exit code as json" "$?" 1
check "gitlab: nothing on stderr" test ! -s gl.err

out=$($PY - report.gl "$SLUICE_SRC/tests/data/gitlab-codequality.json" <<'EOF'
import json, sys, jsonschema
doc = json.load(open(sys.argv[1])); schema = json.load(open(sys.argv[2]))
errs = sorted(jsonschema.Draft7Validator(schema).iter_errors(doc), key=str)
print("\n".join(e.message for e in errs[:5]) if errs else "ok")
doc[0]["severity"] = "HIGH"     # near miss: the schema must reject our own severity names
print("rejects" if list(jsonschema.Draft7Validator(schema).iter_errors(doc)) else "accepts")
EOF
)
expect_eq "gitlab: validates against the Code Quality schema (and rejects a wrong severity)" "$out" "ok
rejects"

out=$($PY - report.gl report.json <<'EOF'
import json, sys
gl = json.load(open(sys.argv[1])); rep = json.load(open(sys.argv[2]))
sev = {"BLOCKER": "blocker", "HIGH": "critical", "MEDIUM": "major", "LOW": "minor"}
want = sorted((f["path"], s["line"], x["rule"], sev[x["severity"]])
              for f in rep["files"] for s in f["statements"] for x in s["findings"]
              if not x.get("ignored"))
want += [(f["path"], x.get("line", 1), x["rule"], sev[x["severity"]])
         for f in rep["files"] for x in f["findings"] if not x.get("ignored")]
got = sorted((i["location"]["path"], i["location"]["lines"]["begin"], i["check_name"], i["severity"])
             for i in gl)
problems = []
if got != sorted(want): problems.append("issues differ from json: %r != %r" % (got, sorted(want)))
fps = [i["fingerprint"] for i in gl]
if len(fps) != len(set(fps)): problems.append("fingerprints not unique")
if any(i["check_name"] == "create-index-nonconcurrent" and i["location"]["lines"]["begin"] == 3 for i in gl):
    problems.append("ignored finding reported")
print("\n".join(problems) or "ok")
EOF
)
expect_eq "gitlab: one issue per unsuppressed finding, severities mapped, ignored ones left out" "$out" ok

# Fingerprints: the same on a second run, and when lines are added above.
"$SLUICE" check --format gitlab migrations >again.gl 2>/dev/null
check "gitlab: byte-identical on a second run" cmp -s report.gl again.gl
{ printf -- '-- a comment\n\n-- that moves every line\n'; cat migrations/002_risky.up.sql; } >moved.sql
mv moved.sql migrations/002_risky.up.sql
"$SLUICE" check --format gitlab migrations >moved.gl 2>/dev/null
out=$($PY - report.gl moved.gl <<'EOF'
import json, sys
a = json.load(open(sys.argv[1])); b = json.load(open(sys.argv[2]))
fa = {i["fingerprint"]: i["location"]["lines"]["begin"] for i in a}
fb = {i["fingerprint"]: i["location"]["lines"]["begin"] for i in b}
moved = [k for k in fa if k in fb and fb[k] != fa[k]]
print("same" if set(fa) == set(fb) and moved else "differ: %r %r" % (sorted(fa.items()), sorted(fb.items())))
EOF
)
expect_eq "gitlab: fingerprints survive lines added above (the lines move, the fingerprints do not)" "$out" same

# Two identical statements in one file get two fingerprints.
printf 'CREATE TABLE t (id bigint PRIMARY KEY, a int);\n' >dup-base.sql
mkdir -p dup && cp dup-base.sql dup/001_t.up.sql
printf 'UPDATE t SET a = 1;\nUPDATE t SET a = 1;\n' >dup/002_u.up.sql
"$SLUICE" check --format gitlab dup >dup.gl 2>/dev/null
out=$($PY -c '
import json, sys
gl = [i for i in json.load(open("dup.gl")) if i["check_name"] == "backfill-unbatched"]
print(len(gl), len({i["fingerprint"] for i in gl}))')
expect_eq "gitlab: identical statements get distinct fingerprints" "$out" "2 2"

# A file that cannot be judged is an issue, never an empty (clean) report.
printf 'CREATE TABLE t (id int);\0\0\0' >bin.sql
"$SLUICE" check --format gitlab bin.sql >bin.gl 2>/dev/null
expect_eq "gitlab: a binary file exits 2" "$?" 2
out=$($PY -c 'import json; d=json.load(open("bin.gl")); print(len(d), d[0]["check_name"], d[0]["severity"], d[0]["location"]["path"])')
expect_eq "gitlab: a file not judged is a critical not-judged issue on that path" "$out" "1 not-judged critical bin.sql"

# --- JUnit ------------------------------------------------------------------
git checkout -q 2>/dev/null   # (not a repository: nothing)
"$SLUICE" check --format junit migrations >report.xml 2>junit.err
expect_eq "junit: same exit code as json" "$?" 1
out=$(xmllint --noout --schema "$SLUICE_SRC/tests/data/junit.xsd" report.xml 2>&1)
expect_eq "junit: validates against the JUnit schema" "$out" "report.xml validates"
sed 's/<testcase classname="sluice.migrations" name="[^"]*"/<testcase classname="x"/' report.xml >broken.xml
out=$(xmllint --noout --schema "$SLUICE_SRC/tests/data/junit.xsd" broken.xml 2>&1)
expect_contains "junit: the schema rejects a test case without a name (near miss)" "$out" "fails to validate"

"$SLUICE" check --format json migrations >report2.json 2>/dev/null
for sev in HIGH MEDIUM; do
	"$SLUICE" check --format junit --fail-on $sev migrations >fail-$sev.xml 2>/dev/null
	out=$($PY - fail-$sev.xml report2.json $sev <<'EOF'
import json, sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot(); rep = json.load(open(sys.argv[2]))
rank = {"LOW": 1, "MEDIUM": 2, "HIGH": 3, "BLOCKER": 4}; th = rank[sys.argv[3]]
want = {}
for f in rep["files"]:
    fs = [x for s in f["statements"] for x in s["findings"]] + f["findings"]
    want[f["path"]] = sorted(x["rule"] for x in fs if not x.get("ignored") and rank[x["severity"]] >= th)
got = {tc.get("name"): sorted(fl.get("message").split(":")[0] for fl in tc.findall("failure"))
       for tc in root.iter("testcase")}
suite = root.find("testsuite")
problems = []
if got != want: problems.append("failures differ: %r != %r" % (got, want))
if int(suite.get("tests")) != len(rep["files"]): problems.append("tests count")
if int(suite.get("failures")) != sum(len(v) for v in want.values()): problems.append("failures count")
print("\n".join(problems) or "ok")
EOF
)
	expect_eq "junit --fail-on $sev: a test case per file, a failure per finding at or above $sev" "$out" ok
done
out=$($PY -c '
import xml.etree.ElementTree as ET
r = ET.parse("report.xml").getroot()
outs = "".join(e.text or "" for e in r.iter("system-out"))
print("ignored: reviewed: <tiny> & \"fine\"" in outs)')
expect_eq "junit: an ignored finding is in system-out with its reason, escaped" "$out" True

printf 'CREATE TABLE "a\001b" (id int);\n' >ctl.sql
printf '\377\376bad utf8 -- \nCREATE TABLE t (id int);\n' >latin.sql
"$SLUICE" check --format junit ctl.sql latin.sql >ctl.xml 2>/dev/null
out=$(xmllint --noout --schema "$SLUICE_SRC/tests/data/junit.xsd" ctl.xml 2>&1)
expect_eq "junit: control bytes and bad UTF-8 still make valid XML" "$out" "ctl.xml validates"

"$SLUICE" check --format junit bin.sql >bin.xml 2>/dev/null
expect_eq "junit: a binary file exits 2" "$?" 2
out=$($PY -c '
import xml.etree.ElementTree as ET
r = ET.parse("bin.xml").getroot(); s = r.find("testsuite")
print(s.get("errors"), [e.get("type") for e in r.iter("error")])')
expect_eq "junit: a file not judged is an error, not a pass" "$out" "1 ['not-judged']"

finish
