#!/bin/sh
# t-plpgsql-valid.sh - plpgsql-unreadable never fires on a body PostgreSQL
# accepts. libpg_query compiles PL/pgSQL without the catalog, so RETURN NEXT;
# in a RETURNS TABLE (or OUT parameter) function and a variable declared
# COLLATE "C" used to be reported as "PostgreSQL will reject it". Each body
# here is first run on the test server (proof that PostgreSQL takes it),
# then judged; a body that really is broken is rejected by both, and sluice
# says "not judged", never that PostgreSQL rejects it.
. "$SLUICE_SRC/tests/lib.sh"
. "$SLUICE_SRC/tests/db-lib.sh"
scratch_db DB plpgsql_valid
URL="$PG"
case "$URL" in
*dbname=*) URL=$(printf '%s' "$URL" | sed "s/dbname=[^ ]*/dbname=$DB/") ;;
*) URL="$URL dbname=$DB" ;;
esac

# The bodies are tests/rules/plpgsql-unreadable.sql's near misses, so the
# unit test and PostgreSQL judge the very same text.
{
	echo 'CREATE TABLE users (id bigint PRIMARY KEY);'
	sed -n '/^-- psql: begin/,/^-- psql: end/p' "$SLUICE_SRC/tests/rules/plpgsql-unreadable.sql"
} >valid.sql
expect_eq "the near misses are there" "$(grep -c '^CREATE FUNCTION\|^DO' valid.sql)" 5

expect_exit "PostgreSQL accepts every body" 0 psql "$URL" -f valid.sql
expect_eq "... and runs them" \
	"$(command psql -X -At "$URL" -c "SELECT string_agg(a || b, ',') FROM pairs()" -c "SELECT collated()")" \
	"$(printf '1x,2x,3x\nbb')"
"$SLUICE" check --format json valid.sql >valid.json 2>"$T/.err"
expect_eq "sluice: no plpgsql-unreadable on any of them" \
	"$(json_get '[x["rule"] for f in d["files"] for s in f["statements"] for x in s["findings"] if x["rule"] == "plpgsql-unreadable"]' <valid.json)" "[]"

# A body PostgreSQL rejects too (an IF without END IF): not judged, not "rejected".
cat >broken.sql <<'SQL'
CREATE FUNCTION broken(OUT a int) LANGUAGE plpgsql AS $$
BEGIN
  IF true THEN a := 1;
END $$;
SQL
expect_exit "PostgreSQL rejects the broken body" 3 psql "$URL" -f broken.sql
"$SLUICE" check broken.sql >broken.out 2>&1
expect_contains "sluice: the broken body is reported on its line" "$(cat broken.out)" \
	"broken.sql:1: MEDIUM [plpgsql-unreadable]"
expect_contains "... as not judged" "$(cat broken.out)" "not judged"
expect_not_contains "... and never as PostgreSQL's verdict" "$(cat broken.out)" "PostgreSQL will reject"
finish
