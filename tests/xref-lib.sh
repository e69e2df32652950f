# tests/xref-lib.sh - helpers for the app-code cross-check tests (t-xref-*.sh).
#
#   xref_repo SQL        a repository "r" whose committed history creates SQL
#   xref_migrate SQL     adds the pending migration 002 with SQL
#   xref_check           runs the cross-check in "r"; JSON in $T/out.json
#   xref_refs            "path:line:confidence" per reference, one a line
#   xref_verdict ELEM    "change compatible severity" of ELEM's compat row
#   xref_findings RULE   "severity message" of each finding of RULE
. "$SLUICE_SRC/tests/lib.sh"

xref_repo() {
	new_repo r && mkdir -p r/db/migrations &&
	printf '%s\n' "$1" >r/db/migrations/001_init.up.sql &&
	printf 'DROP TABLE IF EXISTS x;\n' >r/db/migrations/001_init.down.sql
}
xref_migrate() {
	printf '%s\n' "$1" >r/db/migrations/002_change.up.sql &&
	printf 'SELECT 1;\n' >r/db/migrations/002_change.down.sql
}
# `sluice check` in the repository: the uncommitted migration is pending.
xref_check() {
	(cd r && "$SLUICE" check --format "${1:-json}") >"$T/out.${1:-json}" 2>"$T/err"
}
xref_py() {
	python3 -c "
import json, sys
d = json.load(open('$T/out.json'))
stmts = [s for f in d['files'] for s in f['statements']]
rows = [r for f in d['files'] for r in f.get('compat', {}).get('elements', [])]
$1" "$2"
}
xref_refs() {
	xref_py 'for s in stmts:
    for r in s["references"]: print("%s:%d:%d" % (r["path"], r["line"], r["confidence"]))' x | sort -u
}
xref_verdict() {
	xref_py 'for r in rows:
    if r["element"] == sys.argv[1]: print(r["change"], r["compatible"], r["severity"])' "$1"
}
xref_findings() {
	xref_py 'for s in stmts:
    for f in s["findings"]:
        if f["rule"] == sys.argv[1]: print(f["severity"], f["message"])' "$1"
}
# expect_ref DESC REF / expect_no_ref DESC PATTERN: over xref_refs
expect_ref() { expect_contains "$1" "$(xref_refs)" "$2"; }
expect_no_ref() { expect_not_contains "$1" "$(xref_refs)" "$2"; }
