-- test: history
CREATE TABLE users (id bigint PRIMARY KEY, email text, name text);
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint);
ALTER TABLE orders ADD CONSTRAINT orders_user_positive CHECK (user_id > 0);
ALTER TABLE users ADD CONSTRAINT users_email_nn CHECK (email IS NOT NULL);
CREATE FUNCTION fill_nickname() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
-- test: up
SET lock_timeout = '2s';
BEGIN;
ALTER TABLE users ADD COLUMN nickname text;
-- near miss: another table
ALTER TABLE orders ADD COLUMN note text;
-- near miss: instant catalog changes stacked in one transaction are fine
ALTER TABLE users ALTER COLUMN name SET DEFAULT '';
-- the index build scans users while ADD COLUMN's ACCESS EXCLUSIVE is held
-- expect: ddl-stacked-in-transaction MEDIUM
CREATE INDEX users_name_idx ON users (name);
-- near miss: once per table and transaction
ALTER TABLE users ADD COLUMN bio text;
COMMIT;
-- near miss: sluice's own draft, ADD COLUMN then the trigger that fills it
BEGIN;
ALTER TABLE users ADD COLUMN email_lower text;
CREATE TRIGGER users_fill_nickname BEFORE INSERT OR UPDATE ON users FOR EACH ROW EXECUTE FUNCTION fill_nickname();
COMMIT;
-- near miss: sluice's own draft, SET NOT NULL proven by a validated CHECK, then DROP CONSTRAINT
BEGIN;
ALTER TABLE users ALTER COLUMN email SET NOT NULL;
ALTER TABLE users DROP CONSTRAINT users_email_nn;
COMMIT;
-- SET NOT NULL with no CHECK to prove it scans orders, and the lock stays for the next one
BEGIN;
ALTER TABLE orders ALTER COLUMN user_id SET NOT NULL;
-- expect: ddl-stacked-in-transaction MEDIUM
ALTER TABLE orders DROP CONSTRAINT orders_user_positive;
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
