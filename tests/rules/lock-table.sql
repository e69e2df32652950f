-- test: history
CREATE TABLE accounts (id bigint PRIMARY KEY, balance numeric);
-- test: up
-- LOCK TABLE outside a transaction fails; first in the file, nothing is applied yet
-- expect: lock-table HIGH
LOCK TABLE accounts IN SHARE MODE;
-- after a statement that stays applied: the database is left half-migrated
ALTER TABLE accounts ADD COLUMN note text;
-- expect: lock-table BLOCKER
LOCK TABLE accounts IN SHARE MODE;
BEGIN;
-- expect: lock-table MEDIUM
-- expect-lock: SHARE
LOCK TABLE accounts IN SHARE MODE;
-- expect: lock-table HIGH
-- expect-lock: ACCESS EXCLUSIVE
LOCK accounts;
-- near misses: modes that do not block writes
-- expect-lock: ROW EXCLUSIVE
LOCK TABLE accounts IN ROW EXCLUSIVE MODE;
-- expect-lock: SHARE UPDATE EXCLUSIVE
LOCK TABLE accounts IN SHARE UPDATE EXCLUSIVE MODE;
COMMIT;
-- near miss: a table created in this migration
BEGIN;
CREATE TABLE ledger (id bigint PRIMARY KEY);
LOCK TABLE ledger IN ACCESS EXCLUSIVE MODE;
COMMIT;
