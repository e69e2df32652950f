#!/bin/sh
# t-ignores.sh - ignore comments with reasons, squawk's names, unused ignores.
#
# Issue 7: "-- sluice:ignore <rule> -- <reason>" carries the reason into
# every report; "-- squawk-ignore <name>" maps squawk's rule names to ours
# (one squawk name may cover several of our rules); an ignore that matched
# nothing is itself a finding. Judged through the CLI, read back as JSON.
. "$SLUICE_SRC/tests/lib.sh"

mkdir -p m
cat >m/001_base.up.sql <<'EOF2'
CREATE TABLE users (id bigint PRIMARY KEY, email text, plan text);
EOF2
echo 'DROP TABLE users;' >m/001_base.down.sql
cat >m/002_fix.up.sql <<'EOF2'
-- sluice:ignore backfill-unbatched -- users has 300 rows in every region
UPDATE users SET plan = 'free' WHERE plan IS NULL;
-- squawk-ignore require-timeout-settings
ALTER TABLE users ADD COLUMN nickname text;
BEGIN;
-- squawk-ignore transaction-nesting
BEGIN;
COMMIT;
-- sluice:ignore delete-all-rows -- nothing to see here
DELETE FROM users WHERE id = 1;
-- squawk-ignore ban-drop-column
ALTER TABLE users DROP COLUMN email;
COMMIT;
EOF2
printf 'ALTER TABLE users ADD COLUMN email text;\nALTER TABLE users DROP COLUMN nickname;\n' \
	>m/002_fix.down.sql

"$SLUICE" check --format json m >r.json 2>err.txt
rc=$?
check "check exits 0 or 1 (rc=$rc)" test "$rc" -le 1
up='.files[] | select(.path | endswith("002_fix.up.sql"))'
finding() { jq -r "$up | .statements[] | select(.line == $1) | .findings[] | select(.rule == \"$2\") | $3" r.json; }

expect_eq "the reason is carried into the finding" \
	"$(finding 2 backfill-unbatched .ignore_reason)" "users has 300 rows in every region"
expect_eq "an ignored finding is still reported, marked ignored" \
	"$(finding 2 backfill-unbatched .ignored)" "true"
expect_eq "squawk's require-timeout-settings maps to lock-timeout-missing" \
	"$(finding 4 lock-timeout-missing .ignored)" "true"
expect_eq "squawk's transaction-nesting covers a nested BEGIN" \
	"$(finding 7 transaction-nested .ignored)" "true"
expect_eq "squawk's ban-drop-column covers every drop-column rule" \
	"$(jq -r "[$up | .statements[] | select(.line == 12) | .findings[] | select(.ignored != true) | .rule] | length" r.json)" 0
expect_eq "... and there are two of them there (drop-column, irreversible-drop)" \
	"$(jq -r "[$up | .statements[] | select(.line == 12) | .findings[] | select(.ignored == true) | .rule] | sort | join(\",\")" r.json)" \
	"drop-column,irreversible-drop"
file_findings=$(jq -r "$up | .findings[] | \"\(.line) \(.rule) \(.message)\"" r.json)
expect_contains "an ignore that matched nothing is reported, at its line" \
	"$file_findings" "9 unused-ignore ignore of 'delete-all-rows' matched no finding"
expect_not_contains "a used ignore is not reported as unused" "$file_findings" \
	"ignore of 'backfill-unbatched'"
expect_not_contains "one squawk name over several rules is unused only if all are" \
	"$file_findings" "ignore of 'transaction-unbalanced'"

# The text report shows the reason too.
text=$("$SLUICE" check m 2>&1)
expect_contains "text report shows the reason" "$text" "(ignored: users has 300 rows in every region)"

# A file-wide ignore covers every statement; with no reason it still counts.
cat >m/003_more.up.sql <<'EOF2'
-- sluice:ignore-file lock-timeout-missing, backfill-unbatched
UPDATE users SET plan = 'pro';
EOF2
echo 'SELECT 1;' >m/003_more.down.sql
"$SLUICE" check --format json m >r3.json 2>/dev/null
expect_eq "ignore-file suppresses the finding" \
	"$(jq -r '.files[] | select(.path | endswith("003_more.up.sql")) | .statements[0].findings[] | select(.rule == "backfill-unbatched") | .ignored' r3.json)" "true"
expect_contains "ignore-file of a rule that never fires is unused" \
	"$(jq -r '.files[] | select(.path | endswith("003_more.up.sql")) | .findings[] | .message' r3.json)" \
	"ignore of 'lock-timeout-missing' matched no finding"
finish
