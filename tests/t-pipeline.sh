#!/bin/sh
# t-pipeline.sh - one judging pipeline, one ignore grammar (issues 11, 16).
#
# Every finding goes through the same ignore matching whatever raised it:
# an ignore suppresses the cross-check's app-references-dropped exactly as
# it suppresses the static drop-column (exact rule ids, comma lists,
# file-wide ignores, the reason kept), and a near miss suppresses nothing.
# Atlas's and eugene's comments map to our rules. Judged through the CLI in
# a real repository, read back as JSON.
. "$SLUICE_SRC/tests/xref-lib.sh"

xref_repo 'CREATE TABLE users (id bigint PRIMARY KEY, email text, legacy text, nick text);'
mkdir -p r/app
cat >r/app/store.go <<'GO'
package app

const lookup = `SELECT id, email, legacy, nick FROM users WHERE id = $1`
GO
commit_all r "app"

# rows RULE: "line ignored reason" of each finding of RULE in 002's up script
rows() {
	xref_py 'for f in d["files"]:
    if not f["path"].endswith("002_change.up.sql"): continue
    for s in f["statements"]:
        for x in s["findings"]:
            if x["rule"] == sys.argv[1]:
                print(s["line"], x.get("ignored", False), x.get("ignore_reason", "-"))' "$1"
}
verdict() { xref_py 'print(d["summary"]["verdict"])' x; }
unused() {
	xref_py 'print(" ".join(x["message"] for f in d["files"] for x in f["findings"] if x["rule"] == "unused-ignore"))' x
}

# The near miss: a rule id that merely starts with the real one.
xref_migrate '-- sluice:ignore app-references-dropped-NOT-THIS-RULE
ALTER TABLE users DROP COLUMN email;'
xref_check
expect_eq "a near-miss id does not suppress the cross-check's BLOCKER" \
	"$(rows app-references-dropped)" "2 False -"
expect_eq "... so the verdict stays BLOCK" "$(verdict)" "BLOCK"
expect_contains "... and the near miss is reported unused" "$(unused)" \
	"ignore of 'app-references-dropped-NOT-THIS-RULE' matched no finding"
expect_eq "... and does not suppress the static drop-column either" \
	"$(rows drop-column)" "2 False -"

# An exact id in a comma list: both findings ignored the same way, with the reason.
xref_migrate '-- sluice:ignore drop-column, app-references-dropped -- the app stops reading it in v2
ALTER TABLE users DROP COLUMN email;'
xref_check
expect_eq "the cross-check finding is ignored, its reason kept" \
	"$(rows app-references-dropped)" "2 True the app stops reading it in v2"
expect_eq "... exactly as the static one" "$(rows drop-column)" "2 True the app stops reading it in v2"
expect_eq "... the compat row says ignored" \
	"$(xref_py 'print([r.get("ignored", False) for r in rows])' x)" "[True]"
expect_eq "... no unused-ignore" "$(unused)" ""
expect_eq "... and the verdict is no longer BLOCK" "$(verdict)" "SAFE WITH MODIFICATIONS"

# A file-wide ignore covers the cross-check's finding on any statement.
xref_migrate '-- sluice:ignore-file app-references-dropped -- dropped behind a feature flag
ALTER TABLE users ADD COLUMN x int;
ALTER TABLE users DROP COLUMN legacy;'
xref_check
expect_eq "a file-wide ignore suppresses the cross-check finding" \
	"$(rows app-references-dropped)" "3 True dropped behind a feature flag"
expect_eq "... and only the rule it names" "$(rows drop-column)" "3 False -"

# The text report shows the ignored BLOCKER as such in the compat table.
xref_check text
expect_contains "the text report's compat row says ignored" "$(cat "$T/out.text")" "no (BLOCKER, ignored)"

# Other linters' comments, with the reason on the next comment line.
xref_migrate '-- atlas:nolint DS103
-- the column was unused for a year
ALTER TABLE users DROP COLUMN nick;
-- eugene: ignore E2, E9
-- backfilled in 001
ALTER TABLE users ALTER COLUMN legacy SET NOT NULL;
-- atlas:nolint BC102 -- renamed with a view in front
ALTER TABLE users RENAME COLUMN email TO mail;'
xref_check
expect_eq "atlas:nolint DS103 is drop-column, the next line its reason" \
	"$(rows drop-column)" "3 True the column was unused for a year"
expect_eq "... not the cross-check's rule, which Atlas has no code for" \
	"$(rows app-references-dropped)" "3 False -"
expect_eq "eugene: ignore E2 is set-not-null" "$(rows set-not-null)" "6 True backfilled in 001"
expect_eq "atlas BC102 covers rename-column and the app break of the rename" \
	"$(rows rename-column; rows app-references-renamed)" "8 True renamed with a view in front
8 True renamed with a view in front"
expect_eq "other linters' codes with nothing to match are not reported unused" "$(unused)" ""

# Bare atlas:nolint and eugene: ignore mean every rule of the statement.
xref_migrate '-- atlas:nolint
ALTER TABLE users DROP COLUMN nick;'
xref_check
expect_eq "a bare atlas:nolint ignores every finding of its statement" \
	"$(xref_py 'print(sorted(set(x.get("ignored", False) for f in d["files"] if f["path"].endswith("002_change.up.sql") for s in f["statements"] for x in s["findings"])))' x)" \
	"[True]"

# A draft's verification and `sluice check` agree: the example's rename,
# which the Go code still reads (BLOCKER only the cross-check sees).
sh "$SLUICE_SRC/examples/make-example.sh" ex >/dev/null 2>&1
mig=migrations/000009_rename_orders_total.up.sql
sev_of() {   # sev_of JSON PATH...: the worst severity `sluice check` gave those files
	python3 -c '
import json, sys
order = ["NONE", "LOW", "MEDIUM", "HIGH", "BLOCKER"]
d = json.load(open(sys.argv[1]))
sevs = [f["severity"] for f in d["files"] if f["path"] in sys.argv[2:] and f["direction"] != "down"]
print(max(sevs, key=order.index) if sevs else "absent")' "$@"
}
(cd ex && "$SLUICE" check --format json) >check-before.json 2>/dev/null
(cd ex && "$SLUICE" draft "$mig") >draft.txt 2>&1
verified=$(sed -n 's/^# verified: worst finding \([A-Z]*\) before, \([A-Z]*\) after$/\1 \2/p' draft.txt)
expect_eq "the draft's 'before' is what sluice check says of the original" \
	"${verified% *}" "$(sev_of check-before.json "$mig")"
expect_eq "... which is the cross-check's BLOCKER" "${verified% *}" "BLOCKER"
ups=$(sed -n 's/^==> \(.*\.up\.sql\) <==.*/\1/p' draft.txt)
check "the draft has several up files" test "$(echo "$ups" | wc -l)" -ge 2
check "the draft is accepted into the repository" sh -c "cd ex && '$SLUICE' draft --commit '$mig' >/dev/null 2>&1"
(cd ex && "$SLUICE" check --format json) >check-after.json 2>/dev/null
expect_eq "sluice check on the accepted draft gives its files the severity verification did" \
	"$(sev_of check-after.json $ups)" "${verified#* }"

finish
