-- test: history
CREATE TABLE users (id bigint PRIMARY KEY, email text, name text);
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint);
-- test: up
SET lock_timeout = '2s';
BEGIN;
ALTER TABLE users ADD COLUMN nickname text;
-- near miss: another table
ALTER TABLE orders ADD COLUMN note text;
-- expect: ddl-stacked-in-transaction MEDIUM
ALTER TABLE users ALTER COLUMN name SET DEFAULT '';
-- near miss: only the second statement is news
ALTER TABLE users ADD COLUMN bio text;
COMMIT;
-- near miss: a new transaction starts over
BEGIN;
ALTER TABLE users DROP COLUMN bio;
COMMIT;
-- near miss: outside a transaction each statement commits on its own
ALTER TABLE orders ADD COLUMN a int;
ALTER TABLE orders ADD COLUMN b int;
-- near miss: a table created in the transaction
BEGIN;
CREATE TABLE tags (id int);
ALTER TABLE tags ADD COLUMN name text;
ALTER TABLE tags ADD COLUMN slug text;
COMMIT;
