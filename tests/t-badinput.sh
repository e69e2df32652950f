#!/bin/sh
# t-badinput.sh - input sluice must survive: SQL that does not parse, a
# binary file, a non-UTF-8 file, a 50 MB file, terminal escapes in the
# SQL, a missing path, an empty directory and a repository without
# migrations. Each gets a clear message naming the file (and line), an exit
# code from the documented set, and never a crash or a sanitizer report
# (which would exit 98, 99 or with a signal).
. "$SLUICE_SRC/tests/lib.sh"

# no_crash DESC: the last expect_exit's command ended by itself, cleanly.
no_crash() {
	case "$_rc" in
	0|1|2) ok "$1" ;;
	*) not_ok "$1"; diag "exit $_rc"; diag "$(tail -20 "$T/.err")" ;;
	esac
}

# --- SQL that does not parse: file:line, the parser's words, the rest judged
cat >base.sql <<'EOF'
CREATE TABLE accounts (id bigint PRIMARY KEY, email text);
EOF
mkdir bad && cp base.sql bad/001_base.up.sql
cat >bad/002_typo.up.sql <<'EOF'
-- a typo on line 2, then a real problem on line 4
ALTER TABLEX accounts ADD COLUMN name text;

CREATE INDEX accounts_email ON accounts (email);
EOF
expect_exit "invalid SQL: exit 1 (the CREATE INDEX after it is HIGH)" 1 "$SLUICE" check bad
out=$(cat "$T/.out")
expect_contains "invalid SQL: file:line and the parser's message" "$out" \
	'bad/002_typo.up.sql:2: MEDIUM [parse-error] does not parse with PostgreSQL 15'"'"'s grammar: syntax error at or near "TABLEX"; not judged'
expect_contains "invalid SQL: the statement after it is still judged" "$out" \
	"bad/002_typo.up.sql:4: HIGH [create-index-nonconcurrent]"
"$SLUICE" check --format json bad >bad.json 2>/dev/null
expect_eq "invalid SQL: json keeps the parser's message on the statement" \
	"$(json_get '[s["parse_error"] for s in d["files"][1]["statements"] if "parse_error" in s]' <bad.json)" \
	"['syntax error at or near \"TABLEX\"']"

# An unterminated dollar quote swallows the rest of the file: one error, no crash.
printf 'CREATE FUNCTION f() RETURNS int AS $$ SELECT 1;\nCREATE TABLE x (id int);\n' >dollar.sql
expect_exit "unterminated dollar quote: exit 0 (not judged is MEDIUM)" 0 "$SLUICE" check dollar.sql
expect_contains "unterminated dollar quote: says so with file:line" "$(cat "$T/.out")" \
	"dollar.sql:1: MEDIUM [parse-error] does not parse with PostgreSQL 15's grammar: unterminated dollar-quoted string"

# 20,000 nested parentheses: the parser gives up, sluice reports it.
python3 -c "print('SELECT ' + '(' * 20000 + '1' + ')' * 20000 + ';')" >deep.sql
expect_exit "deeply nested expression: reported, not a crash" 0 "$SLUICE" check deep.sql
expect_contains "deeply nested expression: parse-error at line 1" "$(cat "$T/.out")" "deep.sql:1: MEDIUM [parse-error]"

# --- terminal escapes in the SQL are shown escaped -------------------------
printf 'CREATE TABLE t (a int) \033[31mRED;\nCOMMENT ON TABLE t IS '"'"'\033]0;pwned\007'"'"';\n' >esc.sql
expect_exit "escape sequences: judged (a MEDIUM parse-error: exit 0)" 0 "$SLUICE" check esc.sql
if grep -q "$(printf '\033')" "$T/.out"; then not_ok "escape sequences: no ESC byte reaches the terminal"
else ok "escape sequences: no ESC byte reaches the terminal"; fi
expect_contains "escape sequences: shown as \\x1b" "$(cat "$T/.out")" 'at or near "\x1b"'

# --- a binary file -------------------------------------------------------
printf 'CREATE TABLE t (id int);\n\0\0\001\002\377\376' >blob.sql
head -c 4096 "$SLUICE" >>blob.sql
expect_exit "binary file: exit 2" 2 "$SLUICE" check blob.sql
no_crash "binary file: no crash"
expect_contains "binary file: message names it" "$(cat "$T/.err")" "blob.sql"
expect_contains "binary file: message says why" "$(cat "$T/.err")" "binary file"
# near miss: a binary file next to a good one does not stop the good one
expect_exit "binary file beside a good one: the good one is judged" 2 "$SLUICE" check blob.sql base.sql
expect_contains "binary file beside a good one: good one listed" "$(cat "$T/.out")" "base.sql (plain, up)"
expect_exit "binary file does not hide a HIGH finding elsewhere (exit 1)" 1 "$SLUICE" check blob.sql bad

# --- a non-UTF-8 file ------------------------------------------------------
printf 'CREATE TABLE t (id int);\nCREATE TABLE caf\351 (id int);\nCREATE TABLE u (id int);\n' >latin1.sql
expect_exit "latin-1 file: judged (MEDIUM is under the default threshold)" 0 "$SLUICE" check latin1.sql
out=$(cat "$T/.out")
expect_contains "latin-1 file: not-utf8 at the line of the bad byte" "$out" \
	"latin1.sql:2: MEDIUM [not-utf8] file is not valid UTF-8 (first bad byte at offset 41)"
expect_contains "latin-1 file: statements after the bad byte are judged" "$out" "CREATE TABLE u (id int)"
"$SLUICE" check --format json latin1.sql >latin1.json 2>/dev/null
check "latin-1 file: the JSON is still valid JSON" python3 -c 'import json; json.load(open("latin1.json"))'
"$SLUICE" check --format sarif latin1.sql >latin1.sarif 2>/dev/null
check "latin-1 file: the SARIF is still valid JSON" python3 -c 'import json; json.load(open("latin1.sarif"))'

# --- a 50 MB file -------------------------------------------------------------
python3 - <<'EOF'
with open("huge.sql", "w") as f:
    f.write("CREATE TABLE big (id bigint PRIMARY KEY, a text, b int);\n")
    n = 0
    while f.tell() < 50 * 1024 * 1024:
        f.write("INSERT INTO big (id, a, b) VALUES (%d, 'row %d, some text to fill it', %d);\n" % (n, n, n % 97))
        n += 1
EOF
start=$(date +%s)
expect_exit "50 MB file: refused with exit 2" 2 "$SLUICE" check huge.sql
no_crash "50 MB file: no crash"
secs=$(($(date +%s) - start))
check "50 MB file: answered within 5 s (took ${secs}s)" test "$secs" -le 5
expect_contains "50 MB file: the message says why" "$(cat "$T/.err")" \
	"'huge.sql' is 50.0 MB, over the 10 MB sluice judges"
# near miss: a 1 MB file of the same kind is judged, not refused
head -c 1000000 huge.sql | sed '$d' >one-mb.sql
expect_exit "1 MB file: judged" 0 "$SLUICE" check --format json one-mb.sql
expect_eq "1 MB file: every statement is there" "$(json_get 'd["summary"]["statements"]' <"$T/.out")" \
	"$(grep -c ';$' one-mb.sql)"

# --- a missing path -----------------------------------------------------------
expect_exit "missing path: exit 2" 2 "$SLUICE" check no/such/file.sql
expect_contains "missing path: message names it" "$(cat "$T/.err")" "no/such/file.sql"
expect_exit "missing path beside a good one: still exit 2" 2 "$SLUICE" check base.sql missing.sql
expect_contains "missing path beside a good one: the good one is judged" "$(cat "$T/.out")" "base.sql (plain, up)"

# --- nothing to judge -------------------------------------------------------------
mkdir empty
expect_exit "empty directory: exit 0" 0 "$SLUICE" check empty
expect_contains "empty directory: says nothing was found there" "$(cat "$T/.err")" \
	"no migration files found in the given paths ('empty')"
mkdir notes && echo "hello" >notes/README.md
expect_exit "directory without SQL: exit 0" 0 "$SLUICE" check notes
expect_contains "directory without SQL: says so" "$(cat "$T/.err")" "no migration files found"

new_repo app
echo 'package main' >app/main.go
commit_all app "app without migrations"
(cd app && "$SLUICE" check) >"$T/.out" 2>"$T/.err"
_rc=$?
no_crash "repository without migrations: no crash"
expect_contains "repository without migrations: a clear message" "$(cat "$T/.err")" "no migration"

mkdir plain
(cd plain && "$SLUICE" check) >"$T/.out" 2>"$T/.err"
_rc=$?
expect_eq "not a repository, no paths: exit 2" "$_rc" 2
check "not a repository, no paths: a message" test -s "$T/.err"

finish
