#!/bin/sh
# t-rules-pgversion.sh - the DDL judgments that change with --pg-version.
#
# tests/rules/<rule>.sql judges one PostgreSQL version per file; this runs
# the same migration through `sluice check --pg-version N` for several N, so
# each version boundary is shown from both sides: SET NOT NULL proven by a
# validated CHECK (12), constant defaults without a rewrite (11), ALTER TYPE
# ... ADD VALUE in a transaction (12), timestamp -> timestamptz under a UTC
# session (12), autovacuum storage parameters under SHARE UPDATE EXCLUSIVE
# (10; 9.6 really, but sluice counts majors).
. "$SLUICE_SRC/tests/lib.sh"

mkdir db
cat >db/001_base.sql <<'EOF'
CREATE TABLE users (id bigint PRIMARY KEY, email text, seen timestamp);
CREATE TYPE mood AS ENUM ('sad', 'ok');
ALTER TABLE users ADD CONSTRAINT users_email_nn CHECK (email IS NOT NULL) NOT VALID;
ALTER TABLE users VALIDATE CONSTRAINT users_email_nn;
EOF
cat >db/002_change.sql <<'EOF'
ALTER TABLE users ALTER COLUMN email SET NOT NULL;
ALTER TABLE users ADD COLUMN active boolean NOT NULL DEFAULT true;
SET TIME ZONE 'UTC';
ALTER TABLE users ALTER COLUMN seen TYPE timestamptz;
ALTER TABLE users SET (autovacuum_vacuum_scale_factor = 0.01);
BEGIN;
ALTER TYPE mood ADD VALUE 'happy';
COMMIT;
EOF

# rules V LINE: the rule ids found on line LINE of 002 when judged for V.
rules() {
	"$SLUICE" check --format json --pg-version "$1" db 2>/dev/null | python3 -c '
import json, sys
d = json.load(sys.stdin)
for f in d["files"]:
    if f["path"].endswith("002_change.sql"):
        for s in f["statements"]:
            if s["line"] == int(sys.argv[1]):
                print(" ".join(sorted(x["rule"] for x in s["findings"])), s["lock"])' "$2"
}

expect_contains "PG 11: SET NOT NULL scans despite the validated CHECK" "$(rules 11 1)" "set-not-null"
expect_not_contains "PG 12: the validated CHECK spares the scan" "$(rules 12 1)" "set-not-null"

expect_contains "PG 10: a constant DEFAULT rewrites" "$(rules 10 2)" "add-column-default-before-pg11"
expect_not_contains "PG 11: a constant DEFAULT is stored once" "$(rules 11 2)" "add-column-default"

expect_contains "PG 11: timestamp -> timestamptz rewrites even in UTC" "$(rules 11 4)" "alter-column-type"
expect_not_contains "PG 12: in a UTC session it does not" "$(rules 12 4)" "alter-column-type"

expect_contains "PG 9: storage parameters take ACCESS EXCLUSIVE" "$(rules 9 5)" "ACCESS EXCLUSIVE"
expect_contains "PG 10: autovacuum parameters take SHARE UPDATE EXCLUSIVE" "$(rules 10 5)" \
	"SHARE UPDATE EXCLUSIVE"

expect_contains "PG 11: ADD VALUE inside BEGIN fails" "$(rules 11 7)" "enum-add-value-in-transaction"
expect_not_contains "PG 12: ADD VALUE inside BEGIN is allowed" "$(rules 12 7)" \
	"enum-add-value-in-transaction"

finish
