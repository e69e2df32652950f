#!/bin/sh
# t-discover-flyway.sh - Flyway (V/U/R, versions compared as numbers,
# repeatables after versioned, per-script .conf) and sqitch (plan order,
# deploy paired with revert, verify not a migration, no wrapping transaction).
. "$SLUICE_SRC/tests/lib.sh"
. "$SLUICE_SRC/tests/discover-lib.sh"

new_repo r
cd r
m=src/main/resources/db/migration
mkdir -p $m
echo 'CREATE TABLE accounts (id bigint PRIMARY KEY);' >$m/V1__accounts.sql
feature_branch .
echo 'ALTER TABLE accounts ADD COLUMN a int;' >$m/V1.10__a.sql
echo 'ALTER TABLE accounts DROP COLUMN a;' >$m/U1.10__a.sql
echo "ALTER TABLE accounts ADD COLUMN b int;" >$m/V1_9__b.sql
echo 'CREATE OR REPLACE VIEW active AS SELECT id FROM accounts;' >$m/R__active_view.sql
commit_all . "flyway work"
echo 'CREATE INDEX CONCURRENTLY accounts_a ON accounts (a);' >$m/V2__idx.sql
echo 'executeInTransaction=false' >$m/V2__idx.sql.conf
git add $m/V2__idx.sql        # staged; the .conf untracked
echo 'ALTER TABLE accounts ADD COLUMN c int;' >$m/V1_11__c.sql   # untracked, _ as dot
out=$(judged)
expect_eq "flyway order: 1_9 < 1.10 < 1.11 < 2, R__ last; U paired with V" "$out" \
"$m/V1_9__b.sql flyway up txn
$m/V1.10__a.sql flyway up txn
$m/U1.10__a.sql flyway down txn
$m/V1_11__c.sql flyway up txn
$m/V2__idx.sql flyway up notxn
$m/R__active_view.sql flyway repeatable txn"
expect_not_contains "V1 from main is history" "$out" "V1__accounts"

# sqitch: the plan decides the order, not the names
new_repo ../s
cd ../s
mkdir -p db/deploy db/revert db/verify
cat >db/sqitch.plan <<'PLAN'
%syntax-version=1.0.0
%project=shop

zebra 2024-01-01T00:00:00Z Dev <dev@example.com> # first, despite its name
@v1.0 2024-01-01T00:00:01Z Dev <dev@example.com> # a tag
apple [zebra] 2024-01-02T00:00:00Z Dev <dev@example.com> # second
mango [apple] 2024-01-03T00:00:00Z Dev <dev@example.com> # third
PLAN
for c in zebra; do
	printf 'BEGIN;\nCREATE TABLE %s (id int);\nCOMMIT;\n' $c >db/deploy/$c.sql
	printf 'BEGIN;\nDROP TABLE %s;\nCOMMIT;\n' $c >db/revert/$c.sql
	printf 'SELECT id FROM %s WHERE false;\n' $c >db/verify/$c.sql
done
feature_branch .
for c in apple mango; do
	printf 'BEGIN;\nCREATE TABLE %s (id int);\nCOMMIT;\n' $c >db/deploy/$c.sql
	printf 'BEGIN;\nDROP TABLE %s;\nCOMMIT;\n' $c >db/revert/$c.sql
	printf 'SELECT id FROM %s WHERE false;\n' $c >db/verify/$c.sql
done
git add db/deploy/apple.sql db/revert/apple.sql && git commit -q -m apple
out=$(judged)
expect_eq "sqitch: plan order, deploy paired with revert, no wrapping transaction" "$out" \
"db/deploy/apple.sql sqitch up notxn
db/revert/apple.sql sqitch down notxn
db/deploy/mango.sql sqitch up notxn
db/revert/mango.sql sqitch down notxn"
expect_not_contains "verify scripts are not migrations" "$out" "verify"
expect_not_contains "zebra is history" "$out" "zebra"
# without sqitch.plan, deploy/ is just a directory
mkdir -p other/deploy && echo 'CREATE TABLE x (id int);' >other/deploy/x.sql
expect_not_contains "deploy/ without a plan is not sqitch" "$(judged)" "other/deploy"
finish
