#!/bin/sh
# t-rollback.sh - down migrations judged against their ups, through the CLI.
#
# The per-rule files in tests/rules/ hold one migration each; here several
# real layouts sit side by side so that the near misses that need a whole
# directory are covered: renames followed on both sides, constraints that
# go with a dropped column, replaced indexes, forward-only frameworks.
. "$SLUICE_SRC/tests/lib.sh"

mkdir -p gm
cat >gm/000001_base.up.sql <<'EOF2'
CREATE TABLE agent_stats (id bigint PRIMARY KEY, payload jsonb, email text);
CREATE INDEX idx_email ON agent_stats (email);
EOF2
echo 'DROP TABLE agent_stats;' >gm/000001_base.down.sql
# renames on both sides, a constraint on a column the down drops, a replaced index
cat >gm/000002_rename.up.sql <<'EOF2'
CREATE TYPE new_kind AS ENUM ('a', 'b');
ALTER TYPE new_kind RENAME TO kind;
ALTER TABLE agent_stats RENAME TO workspace_stats;
ALTER TABLE workspace_stats ADD COLUMN rx bigint;
ALTER TABLE workspace_stats ADD CONSTRAINT rx_positive CHECK (rx >= 0);
DROP INDEX idx_email;
CREATE UNIQUE INDEX idx_email ON workspace_stats (email);
EOF2
cat >gm/000002_rename.down.sql <<'EOF2'
ALTER TABLE workspace_stats RENAME TO agent_stats;
ALTER TABLE agent_stats DROP COLUMN rx;
DROP TYPE kind;
EOF2
# a down that forgets the function and the trigger
cat >gm/000003_trigger.up.sql <<'EOF2'
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER stats_touch BEFORE UPDATE ON workspace_stats FOR EACH ROW EXECUTE FUNCTION touch();
ALTER TABLE workspace_stats ADD COLUMN seen timestamptz;
EOF2
echo 'ALTER TABLE workspace_stats DROP COLUMN seen;' >gm/000003_trigger.down.sql
# a function the up replaces and the down restores (CREATE OR REPLACE both ways)
cat >gm/000007_replace.up.sql <<'EOF2'
CREATE OR REPLACE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.id := NEW.id; RETURN NEW; END $$;
EOF2
cat >gm/000007_replace.down.sql <<'EOF2'
CREATE OR REPLACE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
EOF2
# a down that drops the trigger (DROP TRIGGER t ON tbl) and a materialized view
cat >gm/000008_mview.up.sql <<'EOF2'
CREATE TRIGGER stats_touch2 BEFORE UPDATE ON workspace_stats FOR EACH ROW EXECUTE FUNCTION touch();
CREATE MATERIALIZED VIEW stats_mv AS SELECT id FROM workspace_stats;
CREATE UNIQUE INDEX stats_mv_id ON stats_mv (id);
EOF2
cat >gm/000008_mview.down.sql <<'EOF2'
DROP MATERIALIZED VIEW stats_mv;
DROP TRIGGER IF EXISTS stats_touch2 ON workspace_stats;
EOF2
# no down at all
echo 'CREATE TABLE audit (id bigint PRIMARY KEY);' >gm/000004_audit.up.sql

"$SLUICE" check --format json gm >gm.json 2>gm.err
rc=$?
check "golang-migrate directory judged (rc=$rc)" test "$rc" -le 1
rules_of() { jq -r ".files[] | select(.path | endswith(\"$1\")) | .findings[] | .rule" gm.json; }
msg_of() { jq -r ".files[] | select(.path | endswith(\"$1\")) | .findings[] | select(.rule == \"$2\") | .message, .fix" gm.json; }

expect_not_contains "renames followed, constraint goes with its column, index replaced" \
	"$(rules_of 000002_rename.up.sql)" "down-incomplete"
m=$(msg_of 000003_trigger.up.sql down-incomplete)
expect_contains "a forgotten function is named" "$m" "function 'touch'"
expect_contains "a forgotten trigger is named with its table" "$m" "trigger 'stats_touch' on 'workspace_stats'"
expect_not_contains "what the down does drop is not named" "$m" "seen"
expect_contains "the fix holds the DROP statements" "$m" "DROP TRIGGER stats_touch ON workspace_stats"
expect_eq "a down that restores a replaced function undoes it" \
	"$(jq -r '.files[] | select(.path | endswith("000007_replace.up.sql")) | [.direction, (.findings | map(.rule) | index("down-incomplete"))] | map(tostring) | join(" ")' gm.json)" "up null"
expect_eq "DROP TRIGGER ... ON and DROP MATERIALIZED VIEW undo their CREATEs" \
	"$(jq -r '.files[] | select(.path | endswith("000008_mview.up.sql")) | [.direction, (.findings | map(.rule) | index("down-incomplete"))] | map(tostring) | join(" ")' gm.json)" "up null"
m=$(msg_of 000004_audit.up.sql down-missing)
expect_contains "a missing down is reported with what it must drop" "$m" "nothing undoes table 'audit'"
expect_contains "... and the down to write" "$m" "Add a down migration: DROP TABLE audit;"
expect_not_contains "a down is not itself asked for a down" "$(rules_of 000001_base.down.sql)" "down-missing"

# popx (ory) steps: the down named like a step undoes another step of the
# version, so a mismatch between namesakes is not reported.
mkdir -p popx
printf 'CREATE TABLE a (id int);\n' >popx/20200101000000000001_a.postgres.up.sql
printf 'DROP TABLE b;\n' >popx/20200101000000000001_a.postgres.down.sql
printf 'CREATE TABLE b (id int);\n' >popx/20200101000000000002_a.postgres.up.sql
printf 'DROP TABLE a;\n' >popx/20200101000000000002_a.postgres.down.sql
"$SLUICE" check --format json popx >popx.json 2>/dev/null
expect_eq "popx steps: both files judged" "$(jq -r '[.files[] | select(.direction == "up")] | length' popx.json)" 2
expect_not_contains "popx steps: no down-incomplete between namesakes" \
	"$(jq -r '.files[].findings[].rule' popx.json)" "down-incomplete"

# Prisma is forward-only: no downs to ask for.
mkdir -p prisma/migrations/20240101000000_init
echo 'CREATE TABLE "User" (id serial PRIMARY KEY);' >prisma/migrations/20240101000000_init/migration.sql
"$SLUICE" check --format json prisma >p.json 2>p.err
expect_eq "prisma: judged as prisma" "$(jq -r '.files[0].framework' p.json)" "prisma"
expect_not_contains "prisma: no down-missing" "$(jq -r '.files[].findings[].rule' p.json)" "down-missing"

# An empty down (comments only) is reported on the up, at the down's line.
printf 'CREATE TABLE notes (id bigint PRIMARY KEY);\n' >gm/000005_notes.up.sql
printf -- '-- nothing to undo?\n' >gm/000005_notes.down.sql
# ... but a data fix with an empty down is a choice, not a gap.
printf "DELETE FROM notes WHERE id < 0;\n" >gm/000006_cleanup.up.sql
printf -- '-- irreversible data fix\n' >gm/000006_cleanup.down.sql
"$SLUICE" check --format json gm >gm2.json 2>/dev/null
expect_eq "a data-only up with an empty down is not down-empty" \
	"$(jq -r '.files[] | select(.path | endswith("000006_cleanup.up.sql")) | .findings[] | .rule' gm2.json | grep -c down-empty)" 0
expect_eq "an empty down is down-empty" \
	"$(jq -r '.files[] | select(.path | endswith("000005_notes.up.sql")) | .findings[] | .rule' gm2.json | grep -c down-empty)" 1
# unrelated-changes (core/rules/rules_txn.c) on a whole migration: tables joined
# by a foreign key from the history are one change; index names are not tables.
mkdir -p rel
cat >rel/000001_base.up.sql <<'EOF2'
CREATE TABLE users (id bigint PRIMARY KEY);
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id));
CREATE TABLE audit (id bigint PRIMARY KEY);
CREATE INDEX audit_idx ON audit (id);
EOF2
echo 'DROP TABLE audit, orders, users;' >rel/000001_base.down.sql
cat >rel/000002_many.up.sql <<'EOF2'
ALTER TABLE users ADD COLUMN nickname text;
ALTER TABLE audit ADD COLUMN at timestamptz;
ALTER TABLE orders ADD COLUMN note text;
DROP INDEX audit_idx;
EOF2
echo 'SELECT 1;' >rel/000002_many.down.sql
"$SLUICE" check --format json rel >rel.json 2>/dev/null
expect_eq "unrelated-changes groups by foreign key and skips index names" \
	"$(jq -r '.files[] | .findings[] | select(.rule == "unrelated-changes") | .message' rel.json)" \
	"changes 2 unrelated tables ('users', 'audit') in one migration: a failure or a rollback takes all of them together"
finish
