#!/bin/sh
# t-runbook-steps.sh - the runbook written from the split that will ship
# (core/draft/runbook_steps.c), on the real test server:
#   - one section per step of the split, in order, each with its lock and
#     duration (table sizes from a stats snapshot), the exact command
#     (golang-migrate `goto N`, never `up 1`) inside a lock_timeout retry
#     loop, the dirty-version recovery (`force N-1`), what to watch, the
#     checks after (convalidated, indisvalid, attnotnull), VACUUM (ANALYZE)
#     after a backfill, the rollback from that step;
#   - data checks before: NULLs before a NOT NULL, orphans before a foreign
#     key, duplicates before a unique index, values that do not cast before
#     a type change, rows a CHECK refuses;
#   - the code to deploy first and the backup of a removal, from the step;
#   - under sluice.runbookDir (docs/runbooks/ by default), never among the
#     migrations;
#   - every SQL check of the runbook runs as written on a database holding
#     the history and rows, and finds what it looks for.
. "$SLUICE_SRC/tests/lib.sh"
. "$SLUICE_SRC/tests/db-lib.sh"

q() { command psql -X -q -At -v ON_ERROR_STOP=1 "$PG dbname=$1" -c "$2" 2>&1; }

new_repo r
mkdir -p r/db/migrations r/app
cat >r/db/migrations/000001_init.up.sql <<'SQL'
CREATE TABLE orgs (id bigserial PRIMARY KEY, name text);
CREATE TABLE users (id bigserial PRIMARY KEY, email text, org_id bigint, code text, nick text);
SQL
printf 'DROP TABLE users;\nDROP TABLE orgs;\n' >r/db/migrations/000001_init.down.sql
printf 'package app\nconst q = `SELECT nick FROM users WHERE id = $1`\n' >r/app/a.go
cat >r/stats.json <<'EOF'
{"sluice_stats": 1, "taken_at": "2026-01-31T02:00:00Z",
 "tables": [{"schema": "public", "name": "users", "rows": 2000000, "heap_bytes": 400000000}]}
EOF
git -C r config sluice.stats stats.json
commit_all r "history"
cat >r/db/migrations/000002_tighten.up.sql <<'SQL'
ALTER TABLE users ALTER COLUMN email SET NOT NULL;
ALTER TABLE users ADD CONSTRAINT users_org_fk FOREIGN KEY (org_id) REFERENCES orgs (id);
CREATE UNIQUE INDEX users_email_key ON users (email);
ALTER TABLE users ADD CONSTRAINT users_code_len CHECK (length(code) < 20);
UPDATE users SET code = 'none' WHERE code IS NULL;
ALTER TABLE users DROP COLUMN nick;
SQL
out=$(cd r && "$SLUICE" draft --runbook db/migrations/000002_tighten.up.sql 2>&1)
expect_eq "runbook: exit 0" "$?" 0
expect_contains "under docs/runbooks/" "$out" "==> docs/runbooks/000002_tighten.md <=="
expect_contains "step 1, and what it does" "$out" "### Step 1: \`db/migrations/000002_tighten.up.sql\`"
expect_contains "a later step" "$out" "### Step 3: \`db/migrations/000004_set_users_email_not_null.up.sql\`"
expect_contains "goto its version, in a lock_timeout retry loop" "$out" \
	"for i in 1 2 3 4 5; do
    PGOPTIONS='-c lock_timeout=2s' migrate -path db/migrations -database \"\$DATABASE_URL\" goto 4 && break"
expect_not_contains "never up 1" "$out" " up 1"
expect_contains "dirty version: force the one before" "$out" \
	"so the schema is still at version 3: \`migrate -path db/migrations -database \"\$DATABASE_URL\" force 3\`"
expect_contains "a VALIDATE's scan timed from the table's size" "$out" "(2.0M rows"
expect_contains "NULLs before NOT NULL" "$out" "SELECT count(*) FROM users WHERE email IS NULL;"
expect_contains "orphans before the foreign key" "$out" \
	"SELECT count(*) FROM users c WHERE c.org_id IS NOT NULL AND NOT EXISTS (SELECT FROM orgs p WHERE p.id = c.org_id);"
expect_contains "duplicates before the unique index" "$out" \
	"SELECT email, count(*) FROM users GROUP BY email HAVING count(*) > 1 LIMIT 10;"
expect_contains "rows the CHECK refuses" "$out" "SELECT count(*) FROM users WHERE NOT (length(code) < 20);"
expect_contains "after VALIDATE: convalidated" "$out" \
	"\`SELECT convalidated FROM pg_constraint WHERE conname = 'users_org_fk';\` is true."
expect_contains "after the index: indisvalid" "$out" \
	"\`SELECT indisvalid FROM pg_index WHERE indexrelid = 'users_email_key'::regclass;\` is true"
expect_contains "after SET NOT NULL: attnotnull" "$out" "AND attname = 'email';\` is true."
expect_contains "the index build watched" "$out" "FROM pg_stat_progress_create_index;"
expect_contains "the backfill watched, with replica lag" "$out" "\`SELECT * FROM sluice_backfill_progress;\`"
expect_contains "VACUUM (ANALYZE) after the backfill" "$out" "\`VACUUM (ANALYZE) users;\`"
expect_contains "the code to deploy before the drop" "$out" "- [ ] Code deploy first: the code at app/a.go:2 must no longer need the old schema"
expect_contains "the backup before the drop" "$out" \
	"- [ ] Back up, outside the database: \`\\copy (SELECT id, nick FROM users) TO 'users_nick.csv' CSV HEADER\`"
expect_contains "the rollback from a step" "$out" \
	"\`migrate -path db/migrations -database \"\$DATABASE_URL\" goto 3\` runs this down"
expect_contains "WAL and disk headroom" "$out" "WAL and disk:"

git -C r config sluice.runbookDir ops/runbooks
out=$(cd r && "$SLUICE" draft --runbook --out out db/migrations/000002_tighten.up.sql 2>&1)
check "sluice.runbookDir: written there" test -s r/out/ops/runbooks/000002_tighten.md
check "... not among the migrations" test ! -e r/out/db/migrations/000002_tighten.runbook.md

# Every SQL check in the steps runs as written, on the history with rows
# that break each rule once: each check finds its one row.
scratch_db rdb runbook
command psql -X -q -v ON_ERROR_STOP=1 "$PG dbname=$rdb" -f r/db/migrations/000001_init.up.sql >/dev/null
q "$rdb" "INSERT INTO orgs (name) SELECT 'o' || g FROM generate_series(1, 10) g;
INSERT INTO users (email, org_id, code) SELECT 'u' || g, 1 + g % 10, 'c' FROM generate_series(1, 1000) g;
INSERT INTO users (email, org_id, code) VALUES (NULL, 1, 'c'), ('u1', 999, 'cccccccccccccccccccccccccc')" >/dev/null
sed -n '/^## Steps/,/^## Rollback$/p' r/out/ops/runbooks/000002_tighten.md |
	awk '/^  ```sql$/ { on = 1; next } /^  ```$/ { on = 0; print "--"; next } on { sub(/^  /, ""); print }' \
	>"$T/checks.sql"
expect_eq "the steps hold the data checks (NOT VALID and VALIDATE steps both)" "$(grep -c -- '^--$' "$T/checks.sql")" 8
i=0
while IFS= read -r line; do
	[ "$line" = -- ] && continue
	i=$((i + 1))
	res=$(q "$rdb" "$line")
	case $line in
	*"GROUP BY email"*) expect_eq "check $i runs, finds the duplicate" "$res" "u1|2" ;;
	*) expect_eq "check $i runs, finds its row: $line" "$res" 1 ;;
	esac
done <"$T/checks.sql"

finish
