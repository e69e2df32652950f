#!/bin/sh
# t-draft-cases.sh - issue 14's cases, each drafted, run on the shadow with
# seeded rows (sluice.verifyRows), then applied file by file to a scratch
# database on the test server holding real rows (20,000, sparse keys) the
# way golang-migrate runs them, rolled back with the drafted downs to the
# exact schema it started from, and applied again:
#   - int -> bigint on a serial primary key two foreign keys point at, a
#     view on it: the key, the sequence (bigint, OWNED BY), NOT NULL, the
#     default and the foreign keys are on the new column; ids past 2^31
#     insert; ON DELETE CASCADE still cascades;
#   - varchar(50) -> varchar(100) and varchar -> text: no split, the reason;
#   - rename column with an index, a default and a CHECK on it: all three
#     exist on the new name;
#   - a backfill on a uuid key and on sparse bigint keys: every row done,
#     progress recorded per job, a stopped run resumes.
. "$SLUICE_SRC/tests/lib.sh"
. "$SLUICE_SRC/tests/db-lib.sh"
. "$SLUICE_SRC/tests/draft-lib.sh"

q() { command psql -X -q -At -v ON_ERROR_STOP=1 "$PG dbname=$1" -c "$2" 2>&1; }

# cases_repo DIR HISTORY CHANGE
cases_repo() {
	rm -rf "$1" && mkdir -p "$1/db/migrations" && (
		cd "$1/db/migrations" && printf '%s\n' "$2" >000001_init.up.sql &&
		printf 'SELECT 1;\n' >000001_init.down.sql && printf '%s\n' "$3" >000002_change.up.sql
	)
}

# --- int -> bigint on accounts.id ---------------------------------------------
cases_repo big "CREATE TABLE accounts (id serial PRIMARY KEY, name text NOT NULL);
CREATE TABLE invoices (id bigserial PRIMARY KEY, account_id int NOT NULL REFERENCES accounts (id), total int);
CREATE TABLE payments (id bigserial PRIMARY KEY, account_id int REFERENCES accounts ON DELETE CASCADE);
CREATE INDEX invoices_account_id_idx ON invoices (account_id);
CREATE INDEX payments_account_id_idx ON payments (account_id);
CREATE VIEW account_names AS SELECT id, name FROM accounts;" \
	"ALTER TABLE accounts ALTER COLUMN id TYPE bigint;"
out=$(cd big && "$SLUICE" draft --shadow "$PG" db/migrations/000002_change.up.sql 2>&1)
expect_eq "int->bigint: verified on the shadow" "$?" 0
expect_contains "int->bigint: the shadow ran on seeded rows" "$out" "3 tables seeded with 1000 rows"
expect_contains "int->bigint: round trip ok there" "$out" "round trip ok"
for want in "CREATE UNIQUE INDEX CONCURRENTLY accounts_pkey_new ON accounts USING btree (id_new);" \
	"ALTER TABLE accounts ADD CONSTRAINT accounts_pkey PRIMARY KEY USING INDEX accounts_pkey_new;" \
	"ALTER TABLE invoices ADD CONSTRAINT invoices_account_id_fkey_new FOREIGN KEY (account_id) REFERENCES accounts (id_new) NOT VALID;" \
	"ALTER TABLE payments VALIDATE CONSTRAINT payments_account_id_fkey_new;" \
	"ALTER SEQUENCE accounts_id_seq AS bigint;" "ALTER SEQUENCE accounts_id_seq OWNED BY accounts.id;" \
	"ALTER TABLE accounts ALTER COLUMN id SET DEFAULT nextval('accounts_id_seq'::regclass);" \
	"CREATE VIEW account_names AS SELECT id, name FROM accounts;"; do
	expect_contains "int->bigint: has '$want'" "$out" "$want"
done
(cd big && "$SLUICE" draft --out . db/migrations/000002_change.up.sql >/dev/null 2>&1)

scratch_db bigdb draft_big
apply_files "$PG dbname=$bigdb" big/db/migrations/000001_init.up.sql
q "$bigdb" "INSERT INTO accounts (id, name) SELECT g * 37, 'a' || g FROM generate_series(1, 20000) g;
SELECT setval('accounts_id_seq', 2147483000);
INSERT INTO invoices (account_id, total) SELECT (g % 20000 + 1) * 37, g FROM generate_series(1, 20000) g;
INSERT INTO payments (account_id) SELECT (g % 20000 + 1) * 37 FROM generate_series(1, 5000) g" >/dev/null
before=$(schema_of "$PG dbname=$bigdb")
expect_eq "int->bigint: every drafted up applies on 20,000 rows" \
	"$(apply_files "$PG dbname=$bigdb" $(drafted_ups big))" ""
expect_eq "int->bigint: id is bigint, NOT NULL, the primary key" \
	"$(q "$bigdb" "SELECT format_type(a.atttypid, a.atttypmod) || ' ' || a.attnotnull || ' ' ||
	   (SELECT count(*) FROM pg_constraint WHERE conrelid = 'accounts'::regclass AND contype = 'p' AND conkey = ARRAY[a.attnum])
	   FROM pg_attribute a WHERE attrelid = 'accounts'::regclass AND attname = 'id'")" "bigint true 1"
expect_eq "int->bigint: both foreign keys reference it, validated" \
	"$(q "$bigdb" "SELECT string_agg(conname || ':' || convalidated, ' ' ORDER BY conname) FROM pg_constraint
	   WHERE confrelid = 'accounts'::regclass AND confkey = ARRAY[(SELECT attnum FROM pg_attribute
	   WHERE attrelid = 'accounts'::regclass AND attname = 'id')]")" \
	"invoices_account_id_fkey:true payments_account_id_fkey:true"
expect_eq "int->bigint: the sequence is the new column's, bigint" \
	"$(q "$bigdb" "SELECT pg_get_serial_sequence('accounts', 'id') || ' ' || data_type FROM information_schema.sequences WHERE sequence_name = 'accounts_id_seq'")" \
	"public.accounts_id_seq bigint"
expect_eq "int->bigint: no backfilled row left behind" \
	"$(q "$bigdb" "SELECT count(*) FROM accounts WHERE id IS DISTINCT FROM id_old")" 0
expect_eq "int->bigint: the next 1,000 inserts go past 2^31" \
	"$(q "$bigdb" "INSERT INTO accounts (name) SELECT 'n' || g FROM generate_series(1, 1000) g; SELECT max(id) > 2147483647 FROM accounts")" "t"
expect_eq "int->bigint: the view reads the new column" \
	"$(q "$bigdb" "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'account_names'::regclass AND attname = 'id'")" "bigint"
expect_eq "int->bigint: ON DELETE CASCADE still cascades" \
	"$(q "$bigdb" "DELETE FROM invoices WHERE account_id = 37; DELETE FROM accounts WHERE id = 37; SELECT count(*) FROM payments WHERE account_id = 37")" 0
q "$bigdb" "DELETE FROM accounts WHERE id > 2147483647; SELECT setval('accounts_id_seq', 2147483000)" >/dev/null
expect_eq "int->bigint: every drafted down applies" "$(apply_files "$PG dbname=$bigdb" $(drafted_downs big))" ""
q "$bigdb" "ALTER TABLE accounts DROP COLUMN IF EXISTS id_new" >/dev/null
expect_eq "int->bigint: the downs restore the schema exactly" "$(schema_of "$PG dbname=$bigdb")" "$before"

# --- varchar widening: no split -------------------------------------------------
cases_repo wide "CREATE TABLE users (id bigserial PRIMARY KEY, email varchar(50) NOT NULL, bio varchar(20));" \
	"ALTER TABLE users ALTER COLUMN email TYPE varchar(100);
ALTER TABLE users ALTER COLUMN bio TYPE text;"
out=$(cd wide && "$SLUICE" draft db/migrations/000002_change.up.sql 2>&1)
expect_eq "widening: exit 0, an answer" "$?" 0
expect_contains "widening: no split, and why" "$out" \
	"no split needed: users.email varchar(50) -> varchar(100) is binary-coercible: no rewrite, no scan"
# varchar -> text has no finding of its own (its lock_timeout hazard is
# reported once, on line 1), so it is not a statement to rewrite: kept.
expect_not_contains "widening: varchar -> text kept, no rewrite attempted" "$out" "line 2: no built-in rewrite"
expect_not_contains "widening: no swap drafted" "$out" "email_new"
check "widening: nothing written" test ! -e wide/db/migrations/000003_backfill_users_email_new.up.sql

# --- rename column with an index, a default and a CHECK -----------------------------
cases_repo ren "CREATE TABLE users (id bigserial PRIMARY KEY, email text NOT NULL DEFAULT '' CHECK (email = lower(email)));
CREATE INDEX users_email_idx ON users (email) WHERE email <> '';" \
	"ALTER TABLE users RENAME COLUMN email TO email_address;"
out=$(cd ren && "$SLUICE" draft --shadow "$PG" db/migrations/000002_change.up.sql 2>&1)
expect_eq "rename: verified on the shadow with rows" "$?" 0
expect_contains "rename: seeded, round trip ok" "$out" "1 table seeded with 1000 rows, locks as predicted, round trip ok"
(cd ren && "$SLUICE" draft --out . db/migrations/000002_change.up.sql >/dev/null 2>&1)
scratch_db rendb draft_ren
apply_files "$PG dbname=$rendb" ren/db/migrations/000001_init.up.sql
q "$rendb" "INSERT INTO users (id, email) SELECT g * 37, 'u' || g || '@example.com' FROM generate_series(1, 20000) g" >/dev/null
before=$(schema_of "$PG dbname=$rendb")
expect_eq "rename: every drafted up applies on 20,000 rows" "$(apply_files "$PG dbname=$rendb" $(drafted_ups ren))" ""
expect_eq "rename: the index, the CHECK and the default are on the new name" \
	"$(q "$rendb" "SELECT (SELECT indexdef FROM pg_indexes WHERE indexname = 'users_email_address_idx') || ' | ' ||
	   (SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'users_email_address_check') || ' | ' ||
	   (SELECT pg_get_expr(adbin, adrelid) FROM pg_attrdef d JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum WHERE a.attname = 'email_address')")" \
	"CREATE INDEX users_email_address_idx ON public.users USING btree (email_address) WHERE (email_address <> ''::text) | CHECK ((email_address = lower(email_address))) | ''::text"
expect_eq "rename: every row copied, NOT NULL carried" \
	"$(q "$rendb" "SELECT count(*) FILTER (WHERE email_address = email) || ' ' || (SELECT attnotnull FROM pg_attribute WHERE attrelid = 'users'::regclass AND attname = 'email_address') FROM users")" "20000 true"
expect_eq "rename: new code writes the new name, old code reads it" \
	"$(q "$rendb" "INSERT INTO users (email_address) VALUES ('new@example.com'); SELECT email FROM users WHERE email_address = 'new@example.com'")" "new@example.com"
q "$rendb" "DELETE FROM users WHERE email = 'new@example.com'" >/dev/null
expect_eq "rename: every drafted down applies" "$(apply_files "$PG dbname=$rendb" $(drafted_downs ren))" ""
expect_eq "rename: the downs restore the schema exactly" "$(schema_of "$PG dbname=$rendb")" "$before"

# --- backfills by keyset: a uuid key and sparse bigint keys ----------------------------
cases_repo fill "CREATE TABLE events (id uuid PRIMARY KEY, kind text);
CREATE TABLE ledger (id bigint PRIMARY KEY, amount numeric);" \
	"UPDATE events SET kind = 'x' WHERE kind IS NULL;
UPDATE ledger SET amount = 0 WHERE amount IS NULL;"
out=$(cd fill && "$SLUICE" draft --shadow "$PG" db/migrations/000002_change.up.sql 2>&1)
expect_eq "backfill: verified on the shadow with rows" "$?" 0
expect_contains "backfill: keyset on the uuid" "$out" "WHERE (id) > (l_1) AND (id) <= (n_1) AND (kind IS NULL)"
expect_not_contains "backfill: no max(id) range walk" "$out" "max(id)"
(cd fill && "$SLUICE" draft --out . db/migrations/000002_change.up.sql >/dev/null 2>&1)
scratch_db filldb draft_fill
apply_files "$PG dbname=$filldb" fill/db/migrations/000001_init.up.sql
q "$filldb" "INSERT INTO events SELECT md5(g::text)::uuid FROM generate_series(1, 20000) g;
INSERT INTO ledger SELECT g::bigint * 1000003 FROM generate_series(1, 20000) g" >/dev/null
ups=$(drafted_ups fill)
first=$(echo "$ups" | head -1)
apply_files "$PG dbname=$filldb" "$first"
# a run stopped after its first batch of the uuid job: the progress row says where
bf=$(echo "$ups" | grep events)
sed 's/EXIT WHEN NOT FOUND;/EXIT WHEN NOT FOUND OR v_walked >= batch_size;/' "$bf" >"$T/stopped.sql"
apply_files "$PG dbname=$filldb" "$T/stopped.sql"
expect_eq "backfill: a stopped run left its last key and row count" \
	"$(q "$filldb" "SELECT rows_done || ' ' || (last_key IS NOT NULL) FROM sluice_backfill_progress WHERE job = 'events.update_line_1'")" "5000 true"
t0=$(date +%s)
expect_eq "backfill: the rest applies, resuming" "$(apply_files "$PG dbname=$filldb" $(echo "$ups" | tail -n +2))" ""
expect_eq "backfill: every uuid row done, counted once" \
	"$(q "$filldb" "SELECT count(*) FILTER (WHERE kind = 'x') || ' ' || (SELECT rows_done FROM sluice_backfill_progress WHERE job = 'events.update_line_1') FROM events")" "20000 20000"
expect_eq "backfill: every sparse bigint row done (ids to 2*10^10, 4 batches)" \
	"$(q "$filldb" "SELECT count(*) FILTER (WHERE amount = 0) FROM ledger")" 20000
check "backfill: 40,000 rows in seconds, not hours of empty ranges" test $(($(date +%s) - t0)) -lt 60
expect_eq "backfill: one progress row per job" \
	"$(q "$filldb" "SELECT count(*) FROM sluice_backfill_progress")" 2
q "$filldb" "INSERT INTO sluice_backfill_progress (job) VALUES ('someone.else')" >/dev/null
apply_files "$PG dbname=$filldb" $(drafted_downs fill)
expect_eq "backfill: the downs remove their own rows, never the table another job uses" \
	"$(q "$filldb" "SELECT string_agg(job, ',') FROM sluice_backfill_progress")" "someone.else"

finish
