#!/bin/sh
# t-flyway-transactions.sh - Flyway as it really runs (flyway/flyway:
# ParserSqlScript.java, PostgreSQLParser.java; see core/discover/discover_layout.c):
# a file whose statements include CREATE/DROP INDEX CONCURRENTLY, VACUUM,
# ALTER SYSTEM, REINDEX SCHEMA|DATABASE|SYSTEM, CREATE/DROP DATABASE|
# TABLESPACE|SUBSCRIPTION or DISCARD ALL runs outside a transaction; a file
# mixing them with transactional statements is refused unless flyway.mixed
# is true (flyway.conf or flyway.toml), and then runs outside a transaction.
. "$SLUICE_SRC/tests/lib.sh"
. "$SLUICE_SRC/tests/discover-lib.sh"

new_repo r
cd r
m=db/migration
mkdir -p $m
echo 'CREATE TABLE accounts (id bigint PRIMARY KEY, email text, name text);' >$m/V1__accounts.sql
feature_branch .
printf -- '-- alone: Flyway runs it outside a transaction\nCREATE INDEX CONCURRENTLY accounts_email ON accounts (email);\n' >$m/V2__idx.sql
echo 'VACUUM ANALYZE accounts;' >$m/V3__vacuum.sql
printf 'ALTER TABLE accounts ADD COLUMN age int;\n\nCREATE UNIQUE INDEX CONCURRENTLY accounts_name ON accounts (name);\nDROP INDEX CONCURRENTLY accounts_email;\n' >$m/V4__mixed.sql
# REINDEX TABLE is not on Flyway's list: it stays in the transaction
echo 'REINDEX TABLE CONCURRENTLY accounts;' >$m/V5__reindex.sql
echo 'CREATE INDEX accounts_age ON accounts (age);' >$m/V6__plain.sql
commit_all . work

expect_eq "which files Flyway wraps in a transaction" "$(judged)" \
"$m/V2__idx.sql flyway up notxn
$m/V3__vacuum.sql flyway up notxn
$m/V4__mixed.sql flyway up notxn
$m/V5__reindex.sql flyway up txn
$m/V6__plain.sql flyway up txn"
expect_eq "CREATE INDEX CONCURRENTLY alone is safe: no concurrently-in-transaction" \
	"$(rule_findings concurrently-in-transaction | grep -c V2__)" 0
expect_eq "VACUUM alone: no vacuum-in-transaction" "$(rule_findings vacuum-in-transaction)" ""
expect_eq "the mixed file: one finding, at its first non-transactional statement" \
	"$(rule_findings flyway-mixed-transaction | cut -d'|' -f1,2)" "$m/V4__mixed.sql|HIGH"
expect_contains "... saying Flyway refuses it" "$(rule_findings flyway-mixed-transaction)" \
	"Flyway refuses this file"
expect_contains "... on line 3" "$("$SLUICE" check 2>&1)" "$m/V4__mixed.sql:3: HIGH [flyway-mixed-transaction]"
expect_eq "... and no second finding for the same CONCURRENTLY" \
	"$(rule_findings concurrently-in-transaction | grep -c V4__)" 0
expect_contains "REINDEX TABLE CONCURRENTLY in Flyway's transaction: PostgreSQL rejects it" \
	"$(rule_findings concurrently-in-transaction)" "$m/V5__reindex.sql|HIGH"
expect_eq "a file with no non-transactional statement is not mixed" \
	"$(rule_findings flyway-mixed-transaction | grep -c V6__)" 0

# flyway.mixed=true: the file runs outside a transaction, statement by statement
printf 'flyway.url=jdbc:postgresql://db/app\nflyway.mixed=true\n' >flyway.conf
expect_eq "flyway.conf flyway.mixed=true: MEDIUM, the file runs without a transaction" \
	"$(rule_findings flyway-mixed-transaction | cut -d'|' -f1,2)" "$m/V4__mixed.sql|MEDIUM"
expect_contains "... saying what that costs" "$(rule_findings flyway-mixed-transaction)" \
	"the earlier ones stay applied"
rm flyway.conf
printf '[flyway]\nmixed = true\n' >flyway.toml
expect_eq "flyway.toml mixed = true: the same" \
	"$(rule_findings flyway-mixed-transaction | cut -d'|' -f1,2)" "$m/V4__mixed.sql|MEDIUM"
printf '[flyway]\nmixed = false\n' >flyway.toml
expect_eq "mixed = false: refused" \
	"$(rule_findings flyway-mixed-transaction | cut -d'|' -f2)" "HIGH"
rm flyway.toml

# The script's own .conf wins: executeInTransaction=true keeps CONCURRENTLY in a transaction
echo 'executeInTransaction=true' >$m/V2__idx.sql.conf
expect_contains "V2__idx.sql.conf executeInTransaction=true: PostgreSQL rejects CONCURRENTLY" \
	"$(rule_findings concurrently-in-transaction)" "$m/V2__idx.sql|HIGH"
echo 'executeInTransaction=false' >$m/V4__mixed.sql.conf
expect_eq "V4__mixed.sql.conf executeInTransaction=false: not refused" \
	"$(rule_findings flyway-mixed-transaction)" ""
finish
