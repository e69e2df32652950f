#!/bin/sh
# t-parseahead.sh - parsing on a second thread changes nothing in the result.
#
# check_judge() parses scripts on a worker thread, in apply order, ahead of
# the judge (core/parseahead.c). The judged output must be byte-identical to
# parsing inline, including for binary, oversized and unparsable files that
# the worker must skip or fail exactly as the judge does.
. "$SLUICE_SRC/tests/lib.sh"

sh "$SLUICE_SRC/bench/gen-migrations.sh" 300 m >/dev/null 2>&1
n=$(ls m | wc -l)
check "the generator wrote 300 files" test "$n" -ge 300
# The awkward ones, placed among the others in apply order.
printf 'CREATE TABLEX broken (id int);\nSELECT 1;\n' >m/000150_zz_broken.up.sql
printf 'CREATE TABLE bin (id int);\0\001\002' >m/000151_zz_binary.up.sql
printf 'DO $$ BEGIN UPDATE users SET a = 1; END $$;\n' >m/000152_zz_do.up.sql

"$SLUICE" check --format json m >ahead.json 2>ahead.err
rc1=$?
SLUICE_NO_PARSE_AHEAD=1 "$SLUICE" check --format json m >inline.json 2>inline.err
rc2=$?
expect_eq "same exit code with and without the worker" "$rc1" "$rc2"
check "same JSON with and without the worker" cmp -s ahead.json inline.json
check "same messages with and without the worker" cmp -s ahead.err inline.err
expect_contains "the broken file is still reported on its line" "$(cat ahead.json)" '"parse_error":'
expect_contains "the binary file is refused with its name" "$(cat ahead.err)" '000151_zz_binary.up.sql'
files=$(json_get 'len(d["files"])' <ahead.json)
expect_eq "every readable file is in the report" "$files" 302
finish
