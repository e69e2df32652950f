-- test: fw=goose
-- test: txn
-- test: up
-- expect: transaction-nested MEDIUM
BEGIN;
CREATE TABLE a (id int);
-- expect: transaction-nested MEDIUM
BEGIN;
CREATE TABLE b (id int);
COMMIT;
