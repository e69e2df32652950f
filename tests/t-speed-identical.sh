#!/bin/sh
# t-speed-identical.sh - judging on several threads changes nothing.
#
# `sluice check` parses scripts on worker threads (core/parseahead.c; an
# up's rules read its down as the workers parsed it) and prints the JSON
# report file by file on every core (core/report.c). With SLUICE_THREADS=1
# everything runs on one thread; with 2 and 3 (more workers than this
# machine may have cores) the output must be the same, byte for byte, in
# every format, on a generated set of ups and downs with the awkward cases
# among them: a statement that does not parse, a binary down (refused, so
# its up parses it itself), bytes that are not UTF-8, DO blocks, an ignore,
# files too big to read (discovery reads on every core too).
# Then on the real corpus's largest directory (lemmy: triggers, PL/pgSQL,
# a down for every up), when the corpus is there.
. "$SLUICE_SRC/tests/lib.sh"

sh "$SLUICE_SRC/bench/gen-migrations.sh" 400 m >/dev/null 2>&1
check "the generator wrote 400 files" test "$(ls m | wc -l)" -ge 400
# Downs: for every third up, dropping what it created (or not all of it).
for f in m/*.up.sql; do
	n=${f#m/}; n=${n%%_*}
	[ $((1${n} % 3)) = 0 ] || continue
	grep -o 'CREATE TABLE t[0-9]*' "$f" | sed 's/CREATE TABLE/DROP TABLE/; s/$/;/' >"${f%.up.sql}.down.sql"
	[ $((1${n} % 2)) = 0 ] && echo "ALTER TABLE t1 DROP COLUMN IF EXISTS name;" >>"${f%.up.sql}.down.sql"
done
printf 'CREATE TABLEX broken (id int);\nSELECT 1;\n' >m/000150_zz_broken.up.sql
printf 'CREATE TABLE bin2 (id int);\n' >m/000151_zz_binary.up.sql
printf 'DROP TABLE bin2;\0\001\002' >m/000151_zz_binary.down.sql
printf 'DO $$ BEGIN UPDATE t1 SET name = 1; COMMIT; END $$;\n' >m/000152_zz_do.up.sql
printf -- "-- caf\351\nALTER TABLE t2 ADD COLUMN \"caf\351\" text;\n" >m/000153_zz_latin1.up.sql
printf -- '-- sluice:ignore add-column-default reason: tested\nALTER TABLE t3 ADD COLUMN x int DEFAULT random();\n' >m/000154_zz_ignored.up.sql
# Files discovery refuses, in the first and in a later batch of its reads
# on several threads (core/discover/discover.c): each is named, in order.
truncate -s 65M m/000100_zz_big.up.sql
truncate -s 65M m/000399_zz_big.up.sql
check "downs among the ups" test "$(ls m/*.down.sql | wc -l)" -ge 100

for fmt in json text sarif markdown; do
	for t in 1 2 3; do
		SLUICE_THREADS=$t "$SLUICE" check --format "$fmt" --color never m >"$fmt.$t" 2>"$fmt.$t.err"
		echo $? >"$fmt.$t.rc"
	done
	for t in 2 3; do
		check "$fmt: $t threads print what 1 prints" cmp -s "$fmt.1" "$fmt.$t"
		check "$fmt: $t threads say what 1 says on stderr" cmp -s "$fmt.1.err" "$fmt.$t.err"
		expect_eq "$fmt: $t threads exit as 1" "$(cat "$fmt.$t.rc")" "$(cat "$fmt.1.rc")"
	done
done
files=$(json_get 'len(d["files"])' <json.1)
expect_eq "every file but the binary and the big ones is in the report" "$files" "$(($(ls m/*.sql | wc -l) - 3))"
expect_contains "a big file in discovery's first batch is named" "$(cat json.1.err)" '000100_zz_big.up.sql'
expect_contains "a big file in a later batch is named" "$(cat json.1.err)" '000399_zz_big.up.sql'
expect_contains "the broken statement is reported" "$(cat json.1)" '"parse_error":'
expect_contains "the binary down is refused with its name" "$(cat json.1.err)" '000151_zz_binary.down.sql'
expect_contains "a down that leaves things behind is found" "$(cat json.1)" 'the down migration does not undo'
expect_contains "bytes that are not UTF-8 are U+FFFD in JSON" "$(cat json.1)" "caf$(printf '\357\277\275')"

CORPUS="$SLUICE_SRC/../shared/corpus"
if [ -d "$CORPUS/LemmyNet__lemmy/migrations" ]; then
	SLUICE_THREADS=1 "$SLUICE" check --format json "$CORPUS/LemmyNet__lemmy/migrations" >lemmy.1 2>/dev/null
	SLUICE_THREADS=2 "$SLUICE" check --format json "$CORPUS/LemmyNet__lemmy/migrations" >lemmy.2 2>/dev/null
	check "lemmy (684 real files): 2 threads print what 1 prints" cmp -s lemmy.1 lemmy.2
	check "lemmy: all 684 files judged" test "$(json_get 'len(d["files"])' <lemmy.1)" = 684
else
	ok "skipped: no corpus at $CORPUS # SKIP"
fi
finish
