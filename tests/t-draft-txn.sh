#!/bin/sh
# t-draft-txn.sh - sluice's own drafts stack instant catalog changes in one
# transaction (ADD COLUMN then CREATE TRIGGER; SET NOT NULL proven by a
# CHECK then DROP CONSTRAINT): ddl-stacked-in-transaction and
# work-after-access-exclusive must not fire on them, so `sluice draft` does
# not reject them as "no safer". Near miss: the same locks held through a
# backfill or a scan still raise both rules.
. "$SLUICE_SRC/tests/lib.sh"
. "$SLUICE_SRC/tests/draft-lib.sh"

# txn_rules DIR: "file:line rule" per finding of the two transaction rules
txn_rules() {
	"$SLUICE" check --format json "$1" 2>/dev/null | python3 -c '
import json, sys
for f in json.load(sys.stdin)["files"]:
    for s in f["statements"]:
        for x in s["findings"]:
            if x["rule"] in ("ddl-stacked-in-transaction", "work-after-access-exclusive"):
                print("%s:%d %s" % (f["path"], s["line"], x["rule"]))'
}

shape() { # NAME SQL WANT (a line of the draft that makes the shape)
	draft_repo "$1" "$2"
	out=$(cd "$1" && "$SLUICE" draft db/migrations/000002_change.up.sql 2>&1)
	expect_eq "$1: draft exits 0 (verified, not 'no safer')" "$?" 0
	expect_contains "$1: the draft has the shape" "$out" "$3"
	(cd "$1" && "$SLUICE" draft --out . db/migrations/000002_change.up.sql >/dev/null 2>&1)
	expect_eq "$1: the written draft raises neither transaction rule" "$(txn_rules "$1/db/migrations")" ""
}

shape type-change "ALTER TABLE users ALTER COLUMN age TYPE bigint;" "CREATE TRIGGER"
shape rename-column "ALTER TABLE users RENAME COLUMN nick TO handle;" "CREATE TRIGGER"
shape set-not-null "ALTER TABLE users ALTER COLUMN age SET NOT NULL;" "DROP CONSTRAINT"

# near miss: a hand-written migration holding the locks through slow work
mkdir -p slow/db/migrations
cp set-not-null/db/migrations/000001_init.up.sql slow/db/migrations/
cat >slow/db/migrations/000002_slow.up.sql <<'EOF'
SET lock_timeout = '2s';
ALTER TABLE users ADD COLUMN status text;
CREATE TRIGGER users_status BEFORE INSERT ON users FOR EACH ROW EXECUTE FUNCTION suppress_redundant_updates_trigger();
UPDATE users SET status = 'active' WHERE status IS NULL;
ALTER TABLE users ALTER COLUMN status SET NOT NULL;
EOF
out=$(txn_rules slow/db/migrations)
expect_contains "near miss: the backfill under ADD COLUMN's lock is work after ACCESS EXCLUSIVE" \
	"$out" "000002_slow.up.sql:4 work-after-access-exclusive"
expect_contains "near miss: SET NOT NULL's scan stacked on the same table" \
	"$out" "000002_slow.up.sql:5 ddl-stacked-in-transaction"

finish
