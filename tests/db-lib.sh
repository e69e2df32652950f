# tests/db-lib.sh - scratch databases on the test server (tests/pg.sh).
#
#   . "$SLUICE_SRC/tests/db-lib.sh"  after lib.sh: a TAP skip and exit 0 when
#                                    there is no server; sets PG
#   scratch_db VAR PREFIX            creates the database PREFIX_<pid>, names
#                                    it in $VAR; every one is dropped at exit
#   db_cleanup                       drops them (for a test's own EXIT trap)
#   psql ...                         psql that stops at the first error
#   stats_tables URL                 tables 'small' (2,000 rows) and 'big'
#                                    (200,000 rows), analysed
#   drifted_goose URL                a schema drifted from the users/orders
#                                    history: a hand-made index, one missing,
#                                    a changed column type, and goose's table
#                                    recording versions 1, 2 and 5
sh "$SLUICE_SRC/tests/pg.sh" need || exit 0
PG=$SLUICE_TEST_PG
_scratch_dbs=""

psql() { command psql -X -q -v ON_ERROR_STOP=1 "$@"; }

db_cleanup() {
	for _db in $_scratch_dbs; do
		command psql -X -q "$PG" -c "DROP DATABASE IF EXISTS $_db WITH (FORCE)" >/dev/null 2>&1
	done
}

scratch_db() {
	_db="$2_$$"
	psql "$PG" -c "CREATE DATABASE $_db" || { echo "not ok 1 - cannot create $_db"; echo "1..1"; exit 1; }
	_scratch_dbs="$_scratch_dbs $_db"
	eval "$1=\$_db"
	trap 'db_cleanup; rm -rf "$T"' EXIT
}

stats_tables() {
	psql "$1" -c "CREATE TABLE small AS SELECT g AS id, md5(g::text) AS v FROM generate_series(1, 2000) g" \
		-c "CREATE TABLE big AS SELECT g AS id, md5(g::text) AS v FROM generate_series(1, 200000) g" \
		-c "ANALYZE small" -c "ANALYZE big"
}

drifted_goose() {
	psql "$1" \
		-c "CREATE TABLE users (id bigint PRIMARY KEY, email varchar(50) NOT NULL, name text, score int DEFAULT 0)" \
		-c "CREATE INDEX users_name_idx ON users (name)" \
		-c "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id))" \
		-c "CREATE TABLE goose_db_version (id serial PRIMARY KEY, version_id bigint NOT NULL, is_applied boolean NOT NULL, tstamp timestamp DEFAULT now())" \
		-c "INSERT INTO goose_db_version (version_id, is_applied) VALUES (0, true), (1, true), (2, true), (5, true)"
}
