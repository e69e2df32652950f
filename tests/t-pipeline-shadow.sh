#!/bin/sh
# t-pipeline-shadow.sh - a finding the shadow database raises goes through
# the same ignores and severity as every other (issues 11, 16): an exact
# ignore suppresses shadow-apply-error with its reason and the file's
# severity drops; a near-miss id suppresses nothing.
. "$SLUICE_SRC/tests/lib.sh"
sh "$SLUICE_SRC/tests/pg.sh" need || exit 0
PG=$SLUICE_TEST_PG

q() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }
# apply_error FILE: "ignored reason" of the shadow-apply-error, and the file's severity
apply_error() {
	q "$1" "' '.join(str(x.get('ignored', False)) + ' ' + x.get('ignore_reason', '-') + ' ' + f['severity'] for f in d['files'] if f['path'].endswith('002_age.up.sql') for s in f['statements'] for x in s['findings'] if x['rule'] == 'shadow-apply-error')"
}

for how in near exact; do
	mkdir $how
	printf 'CREATE TABLE users (id bigint PRIMARY KEY);\n' >$how/001_users.up.sql
	printf 'DROP TABLE users;\n' >$how/001_users.down.sql
	printf 'ALTER TABLE users DROP COLUMN IF EXISTS age;\n' >$how/002_age.down.sql
done
printf -- '-- sluice:ignore shadow-apply-error-NOT-THIS-RULE\nSELECT no_such_function();\n' >near/002_age.up.sql
printf -- '-- sluice:ignore shadow-apply-error -- the function comes with the extension in prod\nSELECT no_such_function();\n' \
	>exact/002_age.up.sql

"$SLUICE" check --format json --fail-on BLOCKER --shadow "$PG" near >near.json 2>/dev/null
expect_eq "a near-miss id does not suppress the shadow's finding" "$(apply_error near.json)" "False - HIGH"
"$SLUICE" check --format json --fail-on BLOCKER --shadow "$PG" exact >exact.json 2>/dev/null
expect_eq "an exact ignore suppresses it, with its reason, and the file's severity drops" \
	"$(apply_error exact.json)" "True the function comes with the extension in prod NONE"
expect_not_contains "... and the ignore is not reported unused" "$(cat exact.json)" "matched no finding"

finish
