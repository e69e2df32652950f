#!/bin/sh
# corpus-compare.sh OLD NEW - the findings of two sluice builds on the corpus, file by file.
#
#   bench/corpus-compare.sh /path/to/old/sluice build/sluice [CORPUS]
#
# Runs `sluice check --format json` of both over each repository's migration
# directory of ../shared/corpus (as bench/squawk-bench.sh does) and prints,
# per repository: files, statements, findings, how many files have the same
# findings (rule, severity, line, message) in both, and whether the JSON is
# byte for byte the same. Exit 1 when any file differs. For a change that
# must not change what sluice says (a speed-up), before and after.
set -eu
OLD=${1:?usage: corpus-compare.sh OLD-SLUICE NEW-SLUICE [CORPUS]}
NEW=${2:?usage: corpus-compare.sh OLD-SLUICE NEW-SLUICE [CORPUS]}
src=$(cd "$(dirname "$0")/.." && pwd)
CORPUS=${3:-$src/../shared/corpus}
DIRS="LemmyNet__lemmy/migrations DanielRondonGarcia__coder/coderd/database/migrations
ory__kratos/persistence/sql/migrations/sql ente-io__ente/server/migrations"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "| repository | files | statements | findings | files with the same findings | JSON identical |"
echo "|---|---|---|---|---|---|"
rc=0
for d in $DIRS; do
	n=${d%%/*}
	"$OLD" check --format json "$CORPUS/$d" >"$tmp/old.json" 2>/dev/null || true
	"$NEW" check --format json "$CORPUS/$d" >"$tmp/new.json" 2>/dev/null || true
	/usr/bin/python3 - "$tmp/old.json" "$tmp/new.json" "$n" <<'PY' || rc=1
import json, sys
raw = [open(p, "rb").read() for p in sys.argv[1:3]]
old, new = (json.loads(r) for r in raw)
def findings(d):
    out = {}
    for f in d["files"]:
        fs = [(x["rule"], x["severity"], s["line"], x["message"]) for s in f["statements"] for x in s["findings"]]
        fs += [(x["rule"], x["severity"], x.get("line"), x["message"]) for x in f.get("findings", [])]
        out[f["path"]] = sorted(fs, key=repr)
    return out
a, b = findings(old), findings(new)
same = sum(1 for p in a if a[p] == b.get(p)) if a.keys() == b.keys() else 0
print(f"| {sys.argv[3]} | {len(a)} | {old['summary']['statements']} | {sum(map(len, a.values()))} "
      f"| {same}/{len(a)} | {'yes' if raw[0] == raw[1] else 'no'} |")
sys.exit(0 if same == len(a) and raw[0] == raw[1] else 1)
PY
done
exit $rc
