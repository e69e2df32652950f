#!/bin/sh
# t-draft-runbook.sh - the Markdown runbook: every section present, locks
# and estimates per statement (per GB without statistics), the split's
# steps in order, the exact rollback SQL, signals and abort criteria; a
# destructive migration makes the backup a requirement.
. "$SLUICE_SRC/tests/lib.sh"
. "$SLUICE_SRC/tests/draft-lib.sh"

draft_repo rb "CREATE INDEX users_age_idx ON users (age);
ALTER TABLE users ADD CONSTRAINT users_org_fk FOREIGN KEY (org_id) REFERENCES orgs (id);"
out=$(cd rb && "$SLUICE" draft --runbook db/migrations/000002_change.up.sql 2>&1)
expect_eq "runbook: exit 0" "$?" 0
expect_contains "runbook: under docs/runbooks/, not among the migrations" "$out" "==> docs/runbooks/000002_change.md <=="
for section in "# Runbook: db/migrations/000002_change.up.sql" "## Pre-flight checks" \
	"## Execution window" "## Lock and timing estimate" "## Rollout, step by step" \
	"## Rollback" "## Signals to watch" "## Abort criteria"; do
	expect_contains "runbook: section '$section'" "$out" "$section"
done
expect_contains "runbook: findings listed" "$out" "line 1, HIGH create-index-nonconcurrent"
expect_contains "runbook: lock per statement" "$out" "| 1 | \`CREATE INDEX users_age_idx ON users (age)\` | SHARE | writes | scan | HIGH |"
expect_contains "runbook: estimate per GB without statistics" "$out" "per GB (no statistics"
expect_contains "runbook: long transactions checked first" "$out" "FROM pg_stat_activity"
expect_contains "runbook: waiting locks watched" "$out" "wait_event_type = 'Lock'"
expect_contains "runbook: replication lag watched" "$out" "replay_lag FROM pg_stat_replication"
expect_contains "runbook: abort criterion" "$out" "pg_cancel_backend"
expect_contains "runbook: the split's steps in order" "$out" "1. \`db/migrations/000002_change.up.sql\`: build index 'users_age_idx' CONCURRENTLY"
expect_contains "runbook: the FK's validate step" "$out" "\`db/migrations/000005_validate_users_org_fk.up.sql\`: VALIDATE"
expect_contains "runbook: exact rollback SQL" "$out" "ALTER TABLE users DROP CONSTRAINT IF EXISTS users_org_fk;
DROP INDEX IF EXISTS users_age_idx;"
expect_contains "runbook: how to apply one step: goto its version" "$out" "migrate -path db/migrations -database \"\$DATABASE_URL\" goto 2"
expect_not_contains "runbook: never up 1" "$out" "up 1"
expect_contains "runbook: backfill signal absent without a backfill" "$out" "Index builds"
expect_not_contains "runbook: no progress table without a backfill" "$out" "sluice_backfill_progress"

draft_repo destroy "ALTER TABLE users DROP COLUMN nick;"
out=$(cd destroy && "$SLUICE" draft --runbook db/migrations/000002_change.up.sql 2>&1)
expect_contains "destructive: backup required" "$out" "(required: this migration destroys data; see Rollback)"
expect_contains "destructive: data-loss block in the rollback" "$out" "DROP COLUMN users.nick text: every value"
expect_contains "destructive: metadata only estimate" "$out" "metadata only: milliseconds once the lock is granted"

draft_repo fill "ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid();"
out=$(cd fill && "$SLUICE" draft --runbook db/migrations/000002_change.up.sql 2>&1)
expect_contains "backfill: progress watched" "$out" "SELECT * FROM sluice_backfill_progress;"
expect_contains "backfill: outside a transaction said" "$out" "(outside a transaction)"
(cd fill && "$SLUICE" draft --runbook --out out db/migrations/000002_change.up.sql >/dev/null 2>&1)
check "--out writes the runbook" test -s fill/out/docs/runbooks/000002_change.md
finish
