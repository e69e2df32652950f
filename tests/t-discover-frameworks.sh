#!/bin/sh
# t-discover-frameworks.sh - frameworks as they really run (each cited in
# core/discover/discover_layout.c / core/discover/discover.c): gobuffalo/pop is not
# golang-migrate (every migration in a transaction, downs optional, .fizz
# beside); Synapse delta trees (<db>/delta/<ver>/NN_x.sql and .sql.postgres)
# are found and ordered by version across databases; directories sort in
# natural order; files in a migration folder that the tool never runs
# (views.sql, schema.sql, a seed) are left out unless named.
. "$SLUICE_SRC/tests/lib.sh"
. "$SLUICE_SRC/tests/discover-lib.sh"

# --- pop: a .fizz in the directory, or pop's database.yml
new_repo p
cd p
mkdir migrations
echo 'create_table("users") { t.Column("id", "uuid", {primary: true}) }' >migrations/20240101000000_users.up.fizz
echo 'CREATE TABLE accounts (id bigint PRIMARY KEY, email text);' >migrations/20240102000000_accounts.up.sql
feature_branch .
echo 'CREATE INDEX CONCURRENTLY accounts_email ON accounts (email);' >migrations/20240103000000_idx.up.sql
echo 'ALTER TABLE accounts ADD COLUMN name text;' >migrations/20240104000000_name.up.sql
echo 'CREATE TABLE accounts (id bigint PRIMARY KEY, email text, name text);' >migrations/schema.sql
commit_all . pop
expect_eq "pop: every migration in a transaction, downs optional, its schema.sql dump left out" "$(judged)" \
"migrations/20240103000000_idx.up.sql pop up txn
migrations/20240104000000_name.up.sql pop up txn"
expect_eq "pop runs even a one-statement file in a transaction: CONCURRENTLY fails" \
	"$(rule_findings concurrently-in-transaction | cut -d'|' -f1,2)" "migrations/20240103000000_idx.up.sql|HIGH"
expect_eq "pop: no down-missing where the repository writes no downs" "$(rule_findings down-missing)" ""
# without the .fizz (and no database.yml) the same names are golang-migrate
git rm -q migrations/20240101000000_users.up.fizz && git commit -qm "no fizz"
expect_contains "no .fizz: golang-migrate, one statement outside a transaction" "$(judged)" \
	"migrations/20240103000000_idx.up.sql golang-migrate up notxn"
printf 'development:\n  dialect: postgres\n  database: app\n' >database.yml
commit_all . "pop config"
expect_contains "pop's database.yml: pop again" "$(judged)" "migrations/20240103000000_idx.up.sql pop up txn"
printf 'development:\n  adapter: postgresql\n' >database.yml
commit_all . "rails config"
expect_contains "Rails' database.yml is not pop's" "$(judged)" "migrations/20240103000000_idx.up.sql golang-migrate up notxn"
expect_eq "schema.sql beside golang-migrate files is left out too" "$(judged | grep -c schema.sql)" 0
expect_contains "... unless named on the command line" "$(judged migrations/schema.sql)" "migrations/schema.sql plain up"
cd ..

# --- Synapse: versions 9 < 10 < 72, common and main interleaved by file name
new_repo s
cd s
S=synapse/storage/schema
mkdir -p $S/main/delta/9 $S/main/delta/10 $S/common/delta/10 $S/state/delta/72 $S/main/full_schemas/72
echo 'CREATE TABLE rooms (room_id text PRIMARY KEY, creator text);' >$S/main/full_schemas/72/full.sql.postgres
echo 'CREATE TABLE rooms (room_id text PRIMARY KEY, creator text);' >$S/main/delta/9/01_rooms.sql
feature_branch .
echo 'CREATE TABLE events (event_id text PRIMARY KEY, room_id text);' >$S/main/delta/10/02_events.sql
# rooms is on the base branch: indexing it is judged (events is new on the branch)
echo 'CREATE INDEX rooms_creator ON rooms (creator);' >$S/main/delta/10/03_events_room.sql.postgres
echo 'CREATE INDEX rooms_creator ON rooms (creator);' >$S/main/delta/10/03_events_room.sql.sqlite
echo 'CREATE TABLE schema_hints (k text);' >$S/common/delta/10/01_hints.sql
echo 'ALTER TABLE rooms ADD COLUMN state_group bigint;' >$S/state/delta/72/01_state.sql
echo 'def run_upgrade(cur, engine, config): pass' >$S/main/delta/10/04_py.py
commit_all . deltas
expect_eq "synapse: delta/<v> in numeric order, file names sorted across databases, one transaction" "$(judged)" \
"$S/common/delta/10/01_hints.sql synapse up txn
$S/main/delta/10/02_events.sql synapse up txn
$S/main/delta/10/03_events_room.sql.postgres synapse up txn
$S/state/delta/72/01_state.sql synapse up txn"
expect_contains "the .sql.postgres delta is judged as SQL" "$(rule_findings create-index-nonconcurrent)" \
	"$S/main/delta/10/03_events_room.sql.postgres|"
expect_eq "synapse has no downs: no down-missing" "$(rule_findings down-missing)" ""
cd ..

# --- natural order of directories; a views.sql among versioned files left out
mkdir -p nat/migrations/v1.2 nat/migrations/v1.10 nat/migrations/v1.9
echo 'CREATE TABLE a (id int PRIMARY KEY);' >nat/migrations/v1.2/001_a.sql
echo 'CREATE TABLE b (id int PRIMARY KEY);' >nat/migrations/v1.9/001_b.sql
echo 'CREATE TABLE c (id int PRIMARY KEY);' >nat/migrations/v1.10/001_c.sql
echo 'CREATE VIEW v AS SELECT id FROM a;' >nat/migrations/v1.10/views.sql
expect_eq "v1.2 < v1.9 < v1.10, views.sql left out" "$(judged nat | cut -d' ' -f1)" \
"nat/migrations/v1.2/001_a.sql
nat/migrations/v1.9/001_b.sql
nat/migrations/v1.10/001_c.sql"
finish
