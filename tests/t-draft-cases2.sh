#!/bin/sh
# t-draft-cases2.sh - the rest of issue 14's must-show cases (t-draft-cases.sh
# has int -> bigint, varchar widening, rename column, the 20,000-row
# backfills; t-draft-removal.sh drop column and drop table). Each one is
# drafted and verified on the shadow with seeded rows and the
# application's own statements replayed after every step, then applied file
# by file (as golang-migrate sends them) to a database holding real rows,
# checked there, and rolled back with the drafted downs to the exact schema:
#   - text -> int with USING (a conversion that cleans the text);
#   - int -> bigint on a foreign key column (key and index carried);
#   - rename table with a grant and a view on it;
#   - create index, add unique, add foreign key, add CHECK, set not null;
#   - a migration mixing four (index, foreign key, NOT NULL, volatile default);
#   - 200,000-row backfills on a uuid key and on sparse bigint keys (rows made
#     by generate_series in the database), stopped and resumed.
. "$SLUICE_SRC/tests/lib.sh"
. "$SLUICE_SRC/tests/db-lib.sh"
. "$SLUICE_SRC/tests/draft-lib.sh"

q() { command psql -X -q -At -v ON_ERROR_STOP=1 "$PG dbname=$1" -c "$2" 2>&1; }

# apply_all URL FILE...: apply_files in one psql session (one -c per file:
# each file is still one query, as golang-migrate sends it), stopping at the
# first that fails; the server's message when one does.
apply_all() {
	_url=$1
	shift
	_n=$#
	for _f; do
		set -- "$@" -c "$(cat "$_f")"
	done
	shift "$_n"
	command psql -X -q -v ON_ERROR_STOP=1 "$_url" "$@" >/dev/null 2>"$T/apply.err" || cat "$T/apply.err"
}

cat >"$T/history.sql" <<'SQL'
CREATE TABLE users (id bigserial PRIMARY KEY, email text NOT NULL, name text);
CREATE TABLE orders (id bigserial PRIMARY KEY, user_id bigint, total numeric, created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE items (id bigserial PRIMARY KEY, order_id bigint, qty text);
CREATE TABLE customers (id bigserial PRIMARY KEY, name text, active boolean NOT NULL DEFAULT true);
GRANT SELECT ON customers TO PUBLIC;
CREATE VIEW active_customers AS SELECT id, name FROM customers WHERE active;
CREATE TABLE payments (id bigserial PRIMARY KEY, order_id int NOT NULL REFERENCES orders (id), amount numeric);
CREATE INDEX payments_order_id_idx ON payments (order_id);
SQL
cat >"$T/app.go" <<'EOF'
package app

const newOrder = `INSERT INTO orders (user_id, total) VALUES ($1, $2)`

const userOrders = `SELECT id, total FROM orders WHERE user_id = $1 ORDER BY created_at DESC`

const newUser = `INSERT INTO users (email, name) VALUES ($1, $2)`

const addItem = `INSERT INTO items (order_id, qty) VALUES ($1, $2)`

const listCustomers = `SELECT id, name FROM customers WHERE active`

const pay = `INSERT INTO payments (order_id, amount) VALUES ($1, $2)`
EOF
rows="INSERT INTO users (email, name) SELECT 'u' || g || '@x', 'n' || g FROM generate_series(1, 5000) g;
INSERT INTO orders (user_id, total) SELECT 1 + g % 5000, g FROM generate_series(1, 5000) g;
INSERT INTO items (order_id, qty) SELECT g, g || ' pcs' FROM generate_series(1, 5000) g;
INSERT INTO customers (name, active) SELECT 'c' || g, g % 2 = 0 FROM generate_series(1, 5000) g;
INSERT INTO payments (order_id, amount) SELECT 1 + g % 5000, g FROM generate_series(1, 5000) g;"

# case_up NAME CHANGE REPLAYED: drafted and verified on the shadow, written;
# then $db holds the history and 5,000 rows per table, $before its schema,
# and every drafted up is applied.
scratch_db db cases
case_up() {
	new_repo "$1" && mkdir -p "$1/db/migrations" "$1/app"
	cp "$T/history.sql" "$1/db/migrations/000001_init.up.sql"
	printf 'SELECT 1;\n' >"$1/db/migrations/000001_init.down.sql"
	cp "$T/app.go" "$1/app/db.go"
	commit_all "$1" "history and app"
	printf '%s\n' "$2" >"$1/db/migrations/000002_change.up.sql"
	out=$(cd "$1" && "$SLUICE" draft --shadow "$PG" --out . db/migrations/000002_change.up.sql 2>&1)
	expect_eq "$1: drafted, verified on the shadow, written" "$?" 0
	expect_contains "$1: on seeded rows, the app's statements replayed after each step" "$out" \
		"5 tables seeded with 1000 rows, locks as predicted, round trip ok, $3 app statement"
	out="$out
$(cat "$1"/db/migrations/0*_*.sql)"
	q "$db" "DROP SCHEMA public CASCADE; CREATE SCHEMA public; $(cat "$1/db/migrations/000001_init.up.sql") $rows" >/dev/null
	before=$(schema_of "$PG dbname=$db")
	expect_eq "$1: every drafted up applies on 5,000 rows a table" \
		"$(apply_all "$PG dbname=$db" $(drafted_ups "$1"))" ""
}

# case_down NAME: the drafted downs, back to the exact schema.
case_down() {
	expect_eq "$1: every drafted down applies" "$(apply_all "$PG dbname=$db" $(drafted_downs "$1"))" ""
	expect_eq "$1: the downs restore the schema exactly" "$(schema_of "$PG dbname=$db")" "$before"
}

# --- text -> int with USING -----------------------------------------------------------------
case_up usingint "ALTER TABLE items ALTER COLUMN qty TYPE int USING NULLIF(regexp_replace(qty, '\\D', '', 'g'), '')::int;" 1
expect_contains "usingint: the engineer's conversion in the trigger" "$out" \
	"NEW.qty_new := (NULLIF(regexp_replace(NEW.qty, '\\D', '', 'g'), '')::int)::int;"
expect_contains "usingint: and in the backfill" "$out" \
	"UPDATE items SET qty_new = (NULLIF(regexp_replace(qty, '\\D', '', 'g'), '')::int)::int WHERE (id) > (l_1)"
expect_contains "usingint: how to count the values it refuses (t-draft-cases3.sh runs it)" "$out" \
	"PERFORM (NULLIF(regexp_replace(qty, '\\D', '', 'g'), '')::int)::int FROM items WHERE ctid = r.ctid;"
expect_eq "usingint: qty is an integer, every row converted" \
	"$(q "$db" "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'items'::regclass AND attname = 'qty';
	   SELECT count(*) FILTER (WHERE qty = id) FROM items")" "integer
5000"
expect_eq "usingint: old code's text still converts on insert" \
	"$(q "$db" "INSERT INTO items (order_id, qty) VALUES (1, '7') RETURNING qty")" 7
q "$db" "DELETE FROM items WHERE id > 5000" >/dev/null
case_down usingint

# --- int -> bigint on a foreign key column ---------------------------------------------------------
case_up fkcol "ALTER TABLE payments ALTER COLUMN order_id TYPE bigint;" 1
expect_contains "fkcol: the foreign key built on the new column, NOT VALID then VALIDATE" "$out" \
	"ALTER TABLE payments VALIDATE CONSTRAINT payments_order_id_fkey_new;"
expect_contains "fkcol: its index built CONCURRENTLY on the new column" "$out" \
	"CREATE INDEX CONCURRENTLY payments_order_id_idx_new ON payments USING btree (order_id_new);"
expect_eq "fkcol: bigint, NOT NULL, the foreign key and the index on it" \
	"$(q "$db" "SELECT format_type(atttypid, atttypmod) || ' ' || attnotnull FROM pg_attribute WHERE attrelid = 'payments'::regclass AND attname = 'order_id';
	   SELECT conname || ' ' || convalidated FROM pg_constraint WHERE conrelid = 'payments'::regclass AND contype = 'f';
	   SELECT indexdef FROM pg_indexes WHERE indexname = 'payments_order_id_idx'")" "bigint true
payments_order_id_fkey true
CREATE INDEX payments_order_id_idx ON public.payments USING btree (order_id)"
expect_contains "fkcol: an orphan is still refused" "$(q "$db" "INSERT INTO payments (order_id) VALUES (999999)")" \
	'violates foreign key constraint "payments_order_id_fkey"'
expect_eq "fkcol: every drafted down applies" "$(apply_all "$PG dbname=$db" $(drafted_downs fkcol))" ""
q "$db" "ALTER TABLE payments DROP COLUMN IF EXISTS order_id_new" >/dev/null
expect_eq "fkcol: the downs restore the schema exactly" "$(schema_of "$PG dbname=$db")" "$before"

# --- rename table with a grant and a view ------------------------------------------------------
case_up rentable "ALTER TABLE customers RENAME TO clients;" 1
expect_contains "rentable: the old name stays as a view, with the table's grant" "$out" \
	"ALTER TABLE customers RENAME TO clients;
CREATE VIEW customers AS SELECT * FROM clients;
GRANT SELECT ON customers TO PUBLIC;"
expect_eq "rentable: the view has the grant" \
	"$(q "$db" "SELECT string_agg(grantee || ':' || privilege_type, ',') FROM information_schema.role_table_grants WHERE table_name = 'customers' AND grantee = 'PUBLIC'")" \
	"PUBLIC:SELECT"
expect_eq "rentable: the dependent view reads the renamed table" \
	"$(q "$db" "SELECT count(*) FROM active_customers; SELECT string_agg(DISTINCT table_name, ',') FROM information_schema.view_table_usage WHERE view_name = 'active_customers'")" \
	"2500
clients"
expect_eq "rentable: old code writes through the old name" \
	"$(q "$db" "INSERT INTO customers (name) VALUES ('old code') RETURNING (SELECT count(*) FROM clients WHERE name = 'old code')")" 0
q "$db" "DELETE FROM clients WHERE name = 'old code'" >/dev/null
case_down rentable

# --- create index ------------------------------------------------------------------------------
case_up index "CREATE INDEX orders_created_idx ON orders (created_at);" 2
expect_contains "index: CONCURRENTLY" "$out" "CREATE INDEX CONCURRENTLY orders_created_idx ON orders (created_at);"
expect_eq "index: valid" "$(q "$db" "SELECT indisvalid FROM pg_index WHERE indexrelid = 'orders_created_idx'::regclass")" t
case_down index

# --- add unique ---------------------------------------------------------------------------------
case_up unique "ALTER TABLE users ADD CONSTRAINT users_email_uniq UNIQUE (email);" 1
expect_contains "unique: the index first, CONCURRENTLY" "$out" "CREATE UNIQUE INDEX CONCURRENTLY users_email_uniq ON users (email);"
expect_contains "unique: then attached" "$out" "ALTER TABLE users ADD CONSTRAINT users_email_uniq UNIQUE USING INDEX users_email_uniq;"
expect_contains "unique: its down builds the index the step found" "$out" \
	"ALTER TABLE users DROP CONSTRAINT users_email_uniq;
CREATE UNIQUE INDEX users_email_uniq ON users (email);"
expect_contains "unique: a duplicate is refused" "$(q "$db" "INSERT INTO users (email) VALUES ('u1@x')")" \
	'duplicate key value violates unique constraint "users_email_uniq"'
case_down unique

# --- add foreign key ------------------------------------------------------------------------------
case_up fk "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);" 2
expect_contains "fk: NOT VALID first" "$out" \
	"ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;"
expect_eq "fk: validated" "$(q "$db" "SELECT convalidated FROM pg_constraint WHERE conname = 'orders_user_fk'")" t
expect_contains "fk: an orphan is refused" "$(q "$db" "INSERT INTO orders (user_id) VALUES (999999)")" \
	'violates foreign key constraint "orders_user_fk"'
case_down fk

# --- add CHECK -------------------------------------------------------------------------------------
case_up check "ALTER TABLE orders ADD CONSTRAINT orders_total_pos CHECK (total >= 0);" 2
expect_eq "check: validated" "$(q "$db" "SELECT convalidated FROM pg_constraint WHERE conname = 'orders_total_pos'")" t
expect_contains "check: a negative total is refused" "$(q "$db" "INSERT INTO orders (total) VALUES (-1)")" \
	'violates check constraint "orders_total_pos"'
case_down check

# --- set not null ----------------------------------------------------------------------------------
case_up notnull "ALTER TABLE orders ALTER COLUMN user_id SET NOT NULL;" 2
expect_contains "notnull: a validated check, then SET NOT NULL" "$out" \
	"ALTER TABLE orders ALTER COLUMN user_id SET NOT NULL;"
expect_eq "notnull: attnotnull, the helper check gone" \
	"$(q "$db" "SELECT attnotnull FROM pg_attribute WHERE attrelid = 'orders'::regclass AND attname = 'user_id';
	   SELECT count(*) FROM pg_constraint WHERE conname = 'orders_user_id_not_null'")" "t
0"
case_down notnull

# --- a migration mixing four ------------------------------------------------------------------------
case_up mixed "CREATE INDEX orders_created_idx ON orders (created_at);
ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);
ALTER TABLE orders ALTER COLUMN user_id SET NOT NULL;
ALTER TABLE users ADD COLUMN token text DEFAULT md5(random()::text);" 3
expect_eq "mixed: index valid, key validated, NOT NULL, every token filled" \
	"$(q "$db" "SELECT indisvalid FROM pg_index WHERE indexrelid = 'orders_created_idx'::regclass;
	   SELECT convalidated FROM pg_constraint WHERE conname = 'orders_user_fk';
	   SELECT attnotnull FROM pg_attribute WHERE attrelid = 'orders'::regclass AND attname = 'user_id';
	   SELECT count(*) FILTER (WHERE token IS NULL) FROM users")" "t
t
t
0"
case_down mixed

# --- 200,000-row backfills: a uuid key and sparse bigint keys ----------------------------------------
new_repo big && mkdir -p big/db/migrations big/app
printf 'CREATE TABLE events (id uuid PRIMARY KEY, kind text);\nCREATE TABLE ledger (id bigint PRIMARY KEY, amount numeric);\n' \
	>big/db/migrations/000001_init.up.sql
printf 'SELECT 1;\n' >big/db/migrations/000001_init.down.sql
printf 'package app\nconst k = `SELECT kind FROM events WHERE id = $1`\nconst a = `UPDATE ledger SET amount = $1 WHERE id = $2`\n' >big/app/db.go
commit_all big "history and app"
printf "UPDATE events SET kind = 'x' WHERE kind IS NULL;\nUPDATE ledger SET amount = 0 WHERE amount IS NULL;\n" \
	>big/db/migrations/000002_change.up.sql
out=$(cd big && "$SLUICE" draft --shadow "$PG" --out . db/migrations/000002_change.up.sql 2>&1)
expect_eq "200k: verified on the shadow, written" "$?" 0
expect_contains "200k: seeded, both app statements replayed" "$out" "2 tables seeded with 1000 rows, locks as predicted, round trip ok, 2 app statements replayed"
bigdb=$db
q "$db" "DROP SCHEMA public CASCADE; CREATE SCHEMA public" >/dev/null
apply_files "$PG dbname=$bigdb" big/db/migrations/000001_init.up.sql
q "$bigdb" "INSERT INTO events SELECT md5(g::text)::uuid FROM generate_series(1, 200000) g;
INSERT INTO ledger SELECT g::bigint * 1000003 FROM generate_series(1, 200000) g" >/dev/null
ups=$(drafted_ups big)
apply_files "$PG dbname=$bigdb" $(echo "$ups" | head -1)
bf=$(echo "$ups" | grep events)
sed 's/EXIT WHEN NOT FOUND;/EXIT WHEN NOT FOUND OR v_walked >= 10 * batch_size;/' "$bf" >"$T/stopped.sql"
apply_files "$PG dbname=$bigdb" "$T/stopped.sql"
expect_eq "200k: a stopped run left its key and count (10 batches)" \
	"$(q "$bigdb" "SELECT rows_done FROM sluice_backfill_progress WHERE job = 'events.update_line_1'")" 50000
t0=$(date +%s)
expect_eq "200k: the rest applies, resuming" "$(apply_all "$PG dbname=$bigdb" $(echo "$ups" | tail -n +2))" ""
took=$(($(date +%s) - t0))
expect_eq "200k: every uuid row and every sparse bigint row done, counted once" \
	"$(q "$bigdb" "SELECT count(*) FILTER (WHERE kind = 'x') FROM events; SELECT count(*) FILTER (WHERE amount = 0) FROM ledger;
	   SELECT string_agg(rows_done::text, ',' ORDER BY job) FROM sluice_backfill_progress")" "200000
200000
200000,200000"
check "200k: 350,000 rows in ${took}s, not hours of empty id ranges" test "$took" -lt 45
diag "200k backfills: ${took}s for 150,000 uuid + 200,000 sparse bigint rows"

finish
