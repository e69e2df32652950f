#!/bin/sh
# gen-migrations.sh N DIR - writes N migration files of 2-8 typical
# statements each into DIR (golang-migrate names, up scripts only), for
# timing `sluice check`.
#
# The mix follows real histories: mostly CREATE TABLE and ADD COLUMN,
# indexes with and without CONCURRENTLY, foreign keys with and without
# NOT VALID, backfills, drops and comments, each statement about a table an
# earlier file created, so the schema model has work to do. The output is
# the same on every machine: the random choices come from a Park-Miller
# generator in awk (exact in doubles), not from awk's rand().
set -eu
n=${1:?usage: gen-migrations.sh N DIR}
dir=${2:?usage: gen-migrations.sh N DIR}
mkdir -p "$dir"
awk -v n="$n" -v dir="$dir" '
function rnd(k) { seed = (seed * 16807) % 2147483647; return seed % k }
function tbl() { return "t" (1 + rnd(tables)) }
function out(s) { printf "%s;\n\n", s > file }
function stmt(   t, c, k, r) {
	r = rnd(100)
	if (r < 22 || tables < 3) {
		tables++
		out("CREATE TABLE t" tables " (\n    id bigserial PRIMARY KEY,\n    name text NOT NULL,\n" \
		    "    ref_id bigint,\n    amount_cents bigint NOT NULL DEFAULT 0,\n" \
		    "    created_at timestamptz NOT NULL DEFAULT now()\n)")
	} else if (r < 42) {
		t = tbl(); cols++
		k = rnd(3)
		if (k == 0) out("ALTER TABLE " t " ADD COLUMN c" cols " text")
		else if (k == 1) out("ALTER TABLE " t " ADD COLUMN c" cols " integer NOT NULL DEFAULT 0")
		else out("ALTER TABLE " t " ADD COLUMN c" cols " boolean")
	} else if (r < 56) {
		t = tbl(); idx++
		out("CREATE INDEX " (rnd(2) ? "CONCURRENTLY " : "") t "_i" idx " ON " t " (" (rnd(2) ? "created_at" : "ref_id") ")")
	} else if (r < 64) {
		t = tbl(); fks++
		out("ALTER TABLE " t " ADD CONSTRAINT " t "_fk" fks " FOREIGN KEY (ref_id) REFERENCES " tbl() " (id)" (rnd(2) ? " NOT VALID" : ""))
	} else if (r < 74) {
		t = tbl()
		out("UPDATE " t " SET name = lower(name) WHERE id BETWEEN " rnd(1000) * 1000 " AND " (rnd(1000) + 1) * 1000)
	} else if (r < 80) {
		out("ALTER TABLE " tbl() " ALTER COLUMN name SET DEFAULT '\''unnamed'\''")
	} else if (r < 86) {
		out("COMMENT ON TABLE " tbl() " IS '\''owned by the billing team'\''")
	} else if (r < 90) {
		out("DROP INDEX IF EXISTS " tbl() "_i" (1 + rnd(idx + 1)))
	} else if (r < 94) {
		t = tbl()
		out("INSERT INTO " t " (name, amount_cents) VALUES ('\''seed'\'', " rnd(10000) ")")
	} else if (r < 97) {
		out("ALTER TABLE " tbl() " DROP COLUMN IF EXISTS c" (1 + rnd(cols + 1)))
	} else {
		t = tbl()
		out("ALTER TABLE " t " ADD CONSTRAINT " t "_amount_check" (++chk) " CHECK (amount_cents >= 0) NOT VALID")
	}
}
BEGIN {
	seed = 42
	for (i = 1; i <= n; i++) {
		file = sprintf("%s/%06d_change_%d.up.sql", dir, i, i)
		m = 2 + rnd(7)
		for (j = 0; j < m; j++)
			stmt()
		close(file)
	}
}'
