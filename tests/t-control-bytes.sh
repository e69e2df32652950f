#!/bin/sh
# t-control-bytes.sh - file names and SQL from the repository never reach the
# terminal as control bytes: a file named "2_\033[2J....sql" or an identifier
# holding an escape sequence is shown as \x1b in stderr messages, the text
# and GitHub reports and the draft's headers; drafted file names keep none of
# it (nor a '/' out of the directory).
. "$SLUICE_SRC/tests/lib.sh"

esc=$(printf '\033')
new_repo r
cd r
mkdir -p db/migrations
echo 'CREATE TABLE t (id bigint PRIMARY KEY);' >db/migrations/1_t.up.sql
commit_all . "history"
git checkout -q -b feature
clear_name=$(printf 'db/migrations/2_\033[2J\033[31mred.up.sql')
printf 'SELECT 1;\0\n' >"$clear_name"
printf 'ALTER TABLE t ADD COLUMN "a\033[31mb" int NOT NULL DEFAULT (random() * 10)::int;\n' >db/migrations/3_col.up.sql
printf 'ALTER TABLE t ADD COLUMN "x/../../../../pwned" int NOT NULL DEFAULT (random() * 10)::int;\n' >db/migrations/4_slash.up.sql
printf 'SELEC 1;\n' >"$(printf 'db/migrations/5_\033]0;title\007.up.sql')"

"$SLUICE" check >"$T/out" 2>"$T/err"
expect_contains "stderr names the file with its escapes shown" "$(cat "$T/err")" \
	'db/migrations/2_\x1b[2J\x1b[31mred.up.sql:1: binary file'
expect_not_contains "stderr carries no ESC byte" "$(cat "$T/err")" "$esc"
expect_contains "the text report shows the identifier escaped" "$(cat "$T/out")" 'a\x1b[31mb'
expect_contains "... and the other file name" "$(cat "$T/out")" '5_\x1b]0;title\x07.up.sql'
expect_not_contains "the text report carries no ESC byte" "$(cat "$T/out")" "$esc"
out=$("$SLUICE" check --format github 2>&1)
expect_contains "GitHub annotations show the escape" "$out" 'a\x1b[31mb'
expect_not_contains "GitHub annotations carry no ESC byte" "$out" "$esc"
"$SLUICE" draft "$(printf 'db/migrations/5_\033]0;title\007.up.sql')" >/dev/null 2>"$T/err"
expect_contains "a draft error names the file escaped" "$(cat "$T/err")" '5_\x1b]0;title\x07.up.sql'
expect_not_contains "... with no ESC byte" "$(cat "$T/err")" "$esc"

out=$("$SLUICE" draft db/migrations/3_col.up.sql 2>&1)
expect_contains "draft headers show the identifier escaped" "$out" "add 'a\\x1b[31mb' nullable"
expect_contains "the SQL written to a pipe is kept exactly" "$out" "ADD COLUMN \"a${esc}[31mb\" int;"
expect_contains "drafted file names keep letters, digits and _ only" "$out" \
	"==> db/migrations/6_backfill_t_a__31mb.up.sql <=="
"$SLUICE" draft --out "$T/drafted" db/migrations/4_slash.up.sql >/dev/null 2>&1
expect_eq "a '/' in an identifier makes no directory" \
	"$(cd "$T/drafted" && find . -type f | grep -c /pwned)" 0
check "nothing written outside --out" test ! -e "$T/pwned.up.sql"
expect_contains "the drafted name flattens it" "$(cd "$T/drafted" && find . -type f)" \
	"6_backfill_t_x_____________pwned.up.sql"
# Accepting the draft: the commit message names the identifier escaped.
git add -A && git commit -q -m "risky"
git rm -q --cached "$clear_name" && rm -f "$clear_name" && git commit -q -m "drop the binary file"
"$SLUICE" draft --commit db/migrations/3_col.up.sql >/dev/null 2>"$T/err"
expect_eq "the draft with an escape in it commits" "$?" 0
msg=$(git log -1 --format=%B)
expect_contains "the commit message shows the identifier escaped" "$msg" 'a\x1b[31mb'
expect_not_contains "the commit message carries no ESC byte" "$msg" "$esc"
finish
