-- test: up
-- expect: transaction-unbalanced MEDIUM
COMMIT;
CREATE TABLE a (id int);
-- near miss: a balanced pair
BEGIN;
CREATE TABLE b (id int);
COMMIT;
-- near miss: ROLLBACK closes it too
BEGIN;
CREATE TABLE c (id int);
ROLLBACK;
-- expect-file: transaction-unbalanced MEDIUM
BEGIN;
CREATE TABLE d (id int);
