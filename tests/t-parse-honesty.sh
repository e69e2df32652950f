#!/bin/sh
# t-parse-honesty.sh - a statement sluice's parser (PostgreSQL 15's grammar,
# Debian 12's libpg_query) cannot read is *not judged*: MEDIUM by default
# (sluice.unparsedSeverity changes it), with the command and table its first
# words give, a hint when a word names newer syntax, file:line, and never a
# claim that the SQL is invalid.
. "$SLUICE_SRC/tests/lib.sh"
. "$SLUICE_SRC/tests/discover-lib.sh"

new_repo r
cd r
mkdir migrations
cat >migrations/001_base.sql <<'SQL'
CREATE TABLE users (id bigint PRIMARY KEY, email text);
SQL
commit_all . base
feature_branch .
cat >migrations/002_newer.sql <<'SQL'
-- PostgreSQL 18
ALTER TABLE users ADD CONSTRAINT users_email_nn NOT NULL email NOT VALID;
CREATE TABLE gen (a int, b int GENERATED ALWAYS AS (a * 2) VIRTUAL);
-- PostgreSQL 17
MERGE INTO users u USING (SELECT 1 AS id) s ON u.id = s.id
  WHEN MATCHED THEN UPDATE SET email = 'x' RETURNING *;
SELECT * FROM JSON_TABLE('[1]', '$[*]' COLUMNS (x int PATH '$')) AS jt;
-- PostgreSQL 16
INSERT INTO users SELECT * FROM (SELECT 2, 'y');
ALTER TABLEX users ADD COLUMN name text;
CREATE INDEX users_email ON users (email);
SQL
commit_all . newer

"$SLUICE" check migrations >out.txt 2>&1
expect_exit "exit 1: from the CREATE INDEX (HIGH); the unparsed ones are MEDIUM" 1 \
	"$SLUICE" check migrations
out=$(cat out.txt)
expect_contains "NOT NULL ... NOT VALID: not judged, its command and table, PostgreSQL 18" "$out" \
	"migrations/002_newer.sql:2: MEDIUM [parse-error] does not parse with PostgreSQL 15's grammar: syntax error at or near \"NOT\"; not judged (ALTER TABLE on 'users'; NOT NULL constraints NOT VALID are PostgreSQL 18, newer than sluice's parser)"
expect_contains "virtual generated column" "$out" \
	"002_newer.sql:3: MEDIUM [parse-error] does not parse with PostgreSQL 15's grammar: syntax error at or near \"VIRTUAL\"; not judged (CREATE TABLE on 'gen'; virtual generated columns are PostgreSQL 18"
expect_contains "MERGE ... RETURNING" "$out" \
	"002_newer.sql:5: MEDIUM [parse-error] does not parse with PostgreSQL 15's grammar: syntax error at or near \"RETURNING\" (line 6); not judged (MERGE on 'users'; MERGE ... RETURNING is PostgreSQL 17"
expect_contains "JSON_TABLE" "$out" "002_newer.sql:7: MEDIUM [parse-error]"
expect_contains "... names JSON_TABLE" "$out" "(SELECT; JSON_TABLE is PostgreSQL 17, newer than sluice's parser)"
expect_contains "subquery without alias" "$out" \
	"002_newer.sql:9: MEDIUM [parse-error] does not parse with PostgreSQL 15's grammar: subquery in FROM must have an alias; not judged (INSERT on 'users'; a subquery in FROM without an alias is PostgreSQL 16"
expect_contains "a typo: the parser's message, no version guessed" "$out" \
	"002_newer.sql:10: MEDIUM [parse-error] does not parse with PostgreSQL 15's grammar: syntax error at or near \"TABLEX\"; not judged (ALTER; it may be valid newer PostgreSQL syntax)"
expect_contains "the statement after them is still judged" "$out" \
	"002_newer.sql:11: HIGH [create-index-nonconcurrent]"
expect_not_contains "no message calls the SQL invalid" "$out" "invalid"

# Not judged is said as such in every format: never "SAFE" and "none".
expect_contains "text: an unparsed statement's row says NOT JUDGED, not SAFE" "$out" \
	"MEDIUM   NOT JUDGED  not judged             ALTER TABLEX users ADD COLUMN name text"
expect_contains "text: the verdict line counts them" "$out" "; 6 statements not judged (they do not parse)"
"$SLUICE" check --format json migrations >out.json 2>/dev/null
expect_eq "json: their class and lock" \
	"$(json_get 'sorted(set((s["class"], s["lock"]) for f in d["files"] for s in f["statements"] if s["kind"] == "unparsed"))' <out.json)" \
	"[('NOT JUDGED', 'not judged')]"
expect_eq "json: a parsed statement keeps its class" \
	"$(json_get '[s["class"] for f in d["files"] for s in f["statements"] if s["line"] == 11]' <out.json)" "['BLOCKING']"
expect_eq "json: summary.unparsed" "$(json_get 'd["summary"]["unparsed"]' <out.json)" 6
md=$("$SLUICE" check --format markdown migrations 2>/dev/null)
expect_contains "markdown: the statement table says so" "$md" "| NOT JUDGED | not judged | MEDIUM |"
expect_contains "markdown: and the counts line" "$md" "6 statements not judged (they do not parse)."
expect_contains "github: the closing line" "$("$SLUICE" check --format github migrations 2>/dev/null)" \
	"6 statements not judged (they do not parse)"
expect_eq "sarif: the parse-error results' class" \
	"$("$SLUICE" check --format sarif migrations 2>/dev/null | json_get 'sorted(set(r["properties"].get("class") for r in d["runs"][0]["results"] if r["ruleId"] == "parse-error"))')" "['NOT JUDGED']"

# sluice.unparsedSeverity moves them, and is checked
printf '[sluice]\n\tunparsedSeverity = HIGH\n' >.sluice
"$SLUICE" check migrations >out2.txt 2>&1
expect_contains "sluice.unparsedSeverity = HIGH" "$(cat out2.txt)" "002_newer.sql:2: HIGH [parse-error]"
printf '[sluice]\n\tunparsedSeverity = LOW\n' >.sluice
"$SLUICE" check migrations >out3.txt 2>&1
expect_contains "sluice.unparsedSeverity = LOW" "$(cat out3.txt)" "002_newer.sql:10: LOW [parse-error]"
printf '[sluice]\n\tunparsedSeverity = LOUD\n' >.sluice
expect_exit "a bad unparsedSeverity is refused" 2 "$SLUICE" check migrations
expect_contains "... naming the key and where it is" "$(cat "$T/.err")" \
	"sluice.unparsedSeverity (.sluice): 'LOUD'"
finish
