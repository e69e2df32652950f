#!/bin/sh
# t-db-locks.sh - the static lock table against a real server: every
# statement kind below is applied on the shadow database, one migration
# each, and the lock sluice predicts must be the strongest lock the server
# actually took (pg_locks, traced by `check --shadow`). A new statement
# kind added to core/locks.c belongs here too. (DROP INDEX CONCURRENTLY is
# not here: on a table this small it ends before the tracer's poll sees it.)
. "$SLUICE_SRC/tests/lib.sh"
sh "$SLUICE_SRC/tests/pg.sh" need || exit 0

mkdir db
n=1
add() { printf '%s\n' "$1" >"$(printf 'db/%03d_step.up.sql' $n)"; n=$((n + 1)); }
add "CREATE TABLE users (id bigint PRIMARY KEY, email text, name text, org_id bigint);
CREATE TABLE orgs (id bigint PRIMARY KEY);
CREATE TABLE logs (id bigint, at timestamptz);
CREATE MATERIALIZED VIEW mv AS SELECT id FROM users WITH DATA;
CREATE TABLE part (id bigint, d date) PARTITION BY RANGE (d);
CREATE TABLE part_2026 (id bigint, d date);
CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS \$\$BEGIN RETURN NEW; END\$\$;"
add "CREATE UNIQUE INDEX mv_id ON mv (id);"
add "CREATE INDEX users_email_idx ON users (email);"
add "CREATE INDEX CONCURRENTLY users_name_idx ON users (name);"
add "ALTER TABLE users ADD COLUMN nick text;"
add "ALTER TABLE users ALTER COLUMN nick SET DEFAULT 'x';"
add "ALTER TABLE users ADD CONSTRAINT users_org_fk FOREIGN KEY (org_id) REFERENCES orgs (id) NOT VALID;"
add "ALTER TABLE users VALIDATE CONSTRAINT users_org_fk;"
add "ALTER TABLE users ADD CONSTRAINT users_email_chk CHECK (email <> '') NOT VALID;"
add "ALTER TABLE users ALTER COLUMN email SET STATISTICS 500;"
add "ALTER TABLE users SET (fillfactor = 90);"
add "ALTER TABLE users ALTER COLUMN name SET NOT NULL;"
add "CREATE TRIGGER t BEFORE INSERT ON users FOR EACH ROW EXECUTE FUNCTION f();"
add "ALTER TABLE users DISABLE TRIGGER t;"
add "SELECT id FROM users WHERE id = 1 FOR UPDATE;"
add "SELECT id FROM users WHERE id = 1;"
add "CREATE RULE r AS ON INSERT TO logs DO INSTEAD NOTHING;"
add "COMMENT ON TABLE users IS 'people';"
add "UPDATE users SET nick = 'y' WHERE id = 1;"
add "DELETE FROM logs WHERE id = 1;"
add "INSERT INTO logs VALUES (1, now());"
add "LOCK TABLE logs IN SHARE MODE;"
add "ALTER INDEX users_email_idx RENAME TO users_email_idx2;"
add "ALTER TABLE users RENAME COLUMN nick TO nickname;"
add "REINDEX INDEX users_email_idx2;"
add "REINDEX TABLE users;"
add "REFRESH MATERIALIZED VIEW mv;"
add "CREATE POLICY p ON users USING (true);"
add "ALTER TABLE users ENABLE ROW LEVEL SECURITY;"
add "CLUSTER users USING users_pkey;"
add "TRUNCATE logs;"
add "DROP INDEX users_email_idx2;"
add "ALTER TABLE users DROP COLUMN nickname;"
add "ALTER TABLE part ATTACH PARTITION part_2026 FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');"
add "ALTER TABLE part DETACH PARTITION part_2026;"
add "ALTER TABLE users ALTER COLUMN email TYPE varchar(200);"
add "ALTER TABLE orgs ADD COLUMN created timestamptz DEFAULT now();"
add "ANALYZE users;"
add "ALTER TABLE users OWNER TO CURRENT_USER;"
add "CREATE STATISTICS st ON email, name FROM users;"
add "ALTER TABLE users REPLICA IDENTITY FULL;"
add "ALTER TABLE users ALTER COLUMN name DROP NOT NULL;"
add "ALTER TABLE users DROP CONSTRAINT users_email_chk;"
add "DROP TABLE logs;"

"$SLUICE" check --format json --shadow "$SLUICE_TEST_PG" db >out.json 2>err.txt
check "check --shadow ran (exit 0 or 1)" test $? -le 1
python3 - out.json <<'PY' >result.txt
import json, sys
d = json.load(open(sys.argv[1]))
traced = 0
for f in d["files"]:
    for s in f["statements"]:
        t = s.get("traced_lock")
        if t is None or s["sql"].startswith("CREATE TABLE") or s["sql"].startswith("CREATE FUNCTION") \
                or s["sql"].startswith("CREATE MATERIALIZED"):
            continue
        traced += 1
        print("%s %s | predicted %s | traced %s" % ("same" if s["lock"] == t else "DIFF",
              s["sql"].splitlines()[0][:70], s["lock"], t))
print("traced", traced)
PY
expect_eq "every statement after the set-up was traced" "$(tail -1 result.txt)" "traced $((n - 2))"
diffs=$(grep '^DIFF' result.txt)
expect_eq "every predicted lock is the lock the server took" "$diffs" ""
expect_contains "SELECT ... FOR UPDATE: ROW SHARE" "$(cat result.txt)" "FOR UPDATE | predicted ROW SHARE"
expect_contains "REINDEX: ACCESS EXCLUSIVE on the index" "$(cat result.txt)" "REINDEX INDEX users_email_idx2 | predicted ACCESS EXCLUSIVE"
expect_contains "REINDEX TABLE: SHARE on the table" "$(cat result.txt)" "REINDEX TABLE users | predicted SHARE |"
expect_contains "CREATE INDEX CONCURRENTLY: SHARE UPDATE EXCLUSIVE" "$(cat result.txt)" \
	"CONCURRENTLY users_name_idx ON users (name) | predicted SHARE UPDATE EXCLUSIVE"
expect_not_contains "no lock-mismatch finding" "$(cat out.json)" '"lock-mismatch"'
finish
