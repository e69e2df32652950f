#!/bin/sh
# t-splitter.sh - what psql runs besides SQL, split as psql splits it: a
# meta-command ends at its line (it used to swallow the next statement
# into a parse error, so a DROP DATABASE after \set passed --fail-on
# BLOCKER), an unterminated /* is an error at its line (it silently hid
# the rest of the file), COPY ... FROM stdin data rows are skipped to \.
# (they were judged as SQL).
. "$SLUICE_SRC/tests/lib.sh"
. "$SLUICE_SRC/tests/discover-lib.sh"

findings() {
	"$SLUICE" check --format json "$@" 2>/dev/null | python3 -c '
import json, sys
for f in json.load(sys.stdin)["files"]:
    for s in f["statements"]:
        for x in s["findings"]:
            print(s["line"], x["rule"], x["severity"])
    for x in f["findings"]:
        print(x.get("line", 0), x["rule"], x["severity"])'
}

mkdir -p m
printf '\\set ON_ERROR_STOP on\nDROP DATABASE prod;\n' >m/1_meta.sql
expect_exit "a DROP DATABASE after \\set fails --fail-on BLOCKER" 1 "$SLUICE" check --fail-on BLOCKER m/1_meta.sql
out=$(findings m/1_meta.sql)
expect_contains "... judged at its own line" "$out" "2 drop-database BLOCKER"
expect_contains "... the meta-command reported as what it is, at its line" "$out" "1 psql-meta-command LOW"
expect_not_contains "... and no parse error" "$out" "parse-error"
printf 'CREATE TABLE a (id int);\n\\connect other\n\\i more.sql\nDROP TABLE users;\n' >m/2_meta.sql
out=$(findings m/2_meta.sql)
expect_contains "\\connect: a line of its own" "$out" "2 psql-meta-command LOW"
expect_contains "\\i: a line of its own" "$out" "3 psql-meta-command LOW"
expect_contains "... and the statement after both judged" "$out" "4 drop-table HIGH"
"$SLUICE" check m/2_meta.sql >"$T/o" 2>/dev/null
expect_contains "\\i: the message says the included file is not judged here" "$(cat "$T/o")" \
	"runs another file, which sluice has not judged here"

# unterminated block comment: PostgreSQL rejects the rest, and so does sluice
printf 'CREATE TABLE b (id int);\n/* start of a comment\nDROP TABLE b;\n' >m/3_open.sql
out=$(findings m/3_open.sql)
expect_contains "an unterminated /* is a parse error at its line" "$out" "2 parse-error HIGH"
expect_exit "... which fails the check" 1 "$SLUICE" check m/3_open.sql
expect_contains "... saying why" "$(cat "$T/.out")" "unterminated /* comment"

# COPY FROM stdin: the data is not SQL
cat >m/4_copy.sql <<'SQL'
CREATE TABLE c (id int, name text);
COPY c (id, name) FROM stdin;
1	DROP TABLE c;
2	ALTER TABLE c ADD COLUMN x int NOT NULL;
\.
ALTER TABLE c ADD COLUMN y int;
SQL
out=$(findings m/4_copy.sql)
expect_not_contains "COPY data rows are not judged as SQL" "$out" "drop-table"
expect_not_contains "... nor give parse errors" "$out" "parse-error"
expect_eq "... the statements around them are" \
	"$(stmt_lines m/4_copy.sql up m/4_copy.sql)" "1 2 6"
# \copy ... from stdin carries data the same way; a table named stdin does not
printf 'CREATE TABLE d (id int);\n\\copy d from stdin\nDROP TABLE d;\n\\.\nSELECT * FROM "stdin";\n' >m/5_copy.sql
out=$(findings m/5_copy.sql)
expect_not_contains "\\copy from stdin: its data is skipped too" "$out" "drop-table"
expect_eq "... and what follows is judged" "$(stmt_lines m/5_copy.sql up m/5_copy.sql)" "1 2 5"
printf 'COPY stdin_copy FROM STDIN WITH (FORMAT csv);\n1,2\n' >m/6_copy.sql
expect_eq "COPY data with no \\. runs to the end of the file" "$(stmt_lines m/6_copy.sql up m/6_copy.sql)" "1"
finish
