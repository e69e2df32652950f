-- test: history
CREATE TABLE users (id bigint PRIMARY KEY);
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id));
-- test: up
-- expect: disable-trigger-all HIGH
ALTER TABLE orders DISABLE TRIGGER ALL;
BEGIN;
-- expect: disable-trigger-all MEDIUM
ALTER TABLE users DISABLE TRIGGER ALL;
UPDATE users SET id = id;
ALTER TABLE users ENABLE TRIGGER ALL;
COMMIT;
-- near miss: USER and named triggers leave the foreign key triggers alone
ALTER TABLE orders DISABLE TRIGGER USER;
ALTER TABLE orders DISABLE TRIGGER orders_audit;
ALTER TABLE orders ENABLE TRIGGER ALL;
