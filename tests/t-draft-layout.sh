#!/bin/sh
# t-draft-layout.sh - split drafts are named, numbered and marked the way
# each framework expects: goose NO TRANSACTION and StatementBegin/End,
# dbmate transaction:false, Flyway V/U files and .conf, diesel dated
# directories with metadata.toml, timestamps continued from the highest id.
# Each is re-judged by sluice and verified.
. "$SLUICE_SRC/tests/lib.sh"

mkdir -p goose/db dbmate/db/migrations flyway/sql ts/migrations sqlx/migrations \
	diesel/migrations/2024-01-01-000000_init diesel/migrations/2024-01-01-000001_risky
INIT='CREATE TABLE users (id bigserial PRIMARY KEY, email text, nick text);'
printf -- '-- +goose Up\n%s\n-- +goose Down\nDROP TABLE users;\n' "$INIT" >goose/db/00001_init.sql
printf -- '-- +goose Up\nCREATE INDEX users_email_idx ON users (email);\nALTER TABLE users ADD COLUMN flag uuid DEFAULT gen_random_uuid();\n-- +goose Down\nDROP INDEX users_email_idx;\n' \
	>goose/db/00002_risky.sql
printf -- '-- migrate:up\n%s\n-- migrate:down\nDROP TABLE users;\n' "$INIT" >dbmate/db/migrations/20240101120000_init.sql
printf -- '-- migrate:up\nCREATE INDEX users_email_idx ON users (email);\n-- migrate:down\nDROP INDEX users_email_idx;\n' \
	>dbmate/db/migrations/20240102120000_risky.sql
printf '%s\n' "$INIT" >flyway/sql/V1__init.sql
printf 'CREATE INDEX users_email_idx ON users (email);\nALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);\n' \
	>flyway/sql/V2__risky.sql
printf '%s\n' "$INIT" >diesel/migrations/2024-01-01-000000_init/up.sql
printf 'DROP TABLE users;\n' >diesel/migrations/2024-01-01-000000_init/down.sql
printf 'CREATE INDEX users_email_idx ON users (email);\nALTER TABLE users ALTER COLUMN email SET NOT NULL;\n' \
	>diesel/migrations/2024-01-01-000001_risky/up.sql
printf 'DROP INDEX users_email_idx;\n' >diesel/migrations/2024-01-01-000001_risky/down.sql
printf '%s\n' "$INIT" >ts/migrations/20240101120000_init.up.sql
printf 'CREATE INDEX users_email_idx ON users (email);\nALTER TABLE users ALTER COLUMN nick SET NOT NULL;\n' \
	>ts/migrations/20240301090000_risky.up.sql
printf '%s\n' "$INIT" >ts/migrations/20240201000000_middle.up.sql

draft() { # DIR FILE
	(cd "$1" && "$SLUICE" draft "$2" 2>&1)
}

out=$(draft goose db/00002_risky.sql)
expect_contains "goose: verified" "$out" "# verified:"
expect_contains "goose: the original becomes NO TRANSACTION" "$out" \
	"==> db/00002_risky.sql <==  -- build index"
expect_contains "goose: NO TRANSACTION marker" "$out" "-- +goose NO TRANSACTION
-- +goose Up
CREATE INDEX CONCURRENTLY users_email_idx ON users (email);"
expect_contains "goose: next number, five digits" "$out" "==> db/00003_add_users_flag.sql <=="
expect_contains "goose: DO block wrapped" "$out" "-- +goose StatementBegin
DO \$sluice\$"
expect_contains "goose: down section in the same file" "$out" "-- +goose Down
DROP INDEX CONCURRENTLY IF EXISTS users_email_idx;"

out=$(draft dbmate db/migrations/20240102120000_risky.sql)
expect_contains "dbmate: verified" "$out" "# verified:"
expect_contains "dbmate: transaction:false" "$out" "-- migrate:up transaction:false
CREATE INDEX CONCURRENTLY users_email_idx ON users (email);"

out=$(draft flyway sql/V2__risky.sql)
expect_contains "flyway: verified" "$out" "# verified:"
expect_contains "flyway: undo file" "$out" "==> sql/U2__risky.sql <=="
expect_contains "flyway: .conf outside a transaction" "$out" "==> sql/V2__risky.sql.conf <==  -- run this migration outside a transaction
executeInTransaction=false"
expect_contains "flyway: V3__ next" "$out" "==> sql/V3__index_users_email_key.sql <=="
expect_contains "flyway: V4__ after" "$out" "==> sql/V4__add_users_email_key.sql <=="

out=$(draft diesel migrations/2024-01-01-000001_risky/up.sql)
expect_contains "diesel: verified" "$out" "# verified:"
expect_contains "diesel: metadata.toml" "$out" "==> migrations/2024-01-01-000001_risky/metadata.toml <==  -- run this migration outside a transaction
run_in_transaction = false"
expect_contains "diesel: dated directory" "$out" \
	"==> migrations/2024-01-01-000002_check_users_email_not_null/up.sql <=="
expect_contains "diesel: down.sql beside it" "$out" \
	"==> migrations/2024-01-01-000002_check_users_email_not_null/down.sql <=="

out=$(draft ts migrations/20240301090000_risky.up.sql)
expect_contains "timestamps: verified" "$out" "# verified:"
expect_contains "timestamps: continue from the highest id" "$out" \
	"==> migrations/20240301090001_check_users_nick_not_null.up.sql <=="
expect_not_contains "timestamps: not numbered from the middle one" "$out" "20240201000001"

# The same drafts written with --out land in the layout, nothing else.
(cd flyway && "$SLUICE" draft --out ../flyway-out sql/V2__risky.sql >/dev/null 2>&1)
expect_eq "--out: flyway files written" "$(cd flyway-out && find . -type f | sort | tr '\n' ' ')" \
	"./sql/U2__risky.sql ./sql/U3__index_users_email_key.sql ./sql/U4__add_users_email_key.sql ./sql/V2__risky.sql ./sql/V2__risky.sql.conf ./sql/V3__index_users_email_key.sql ./sql/V3__index_users_email_key.sql.conf ./sql/V4__add_users_email_key.sql "
finish
