-- test: history
CREATE TABLE users (id bigint PRIMARY KEY, email text, name text);
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint);
CREATE INDEX idx_users_email ON users (email);
-- test: up
SET lock_timeout = '2s';
BEGIN;
ALTER TABLE users ADD COLUMN plan text;
-- near miss: cheap statements on the locked table itself
COMMENT ON COLUMN users.plan IS 'billing plan';
ALTER TABLE users ALTER COLUMN plan SET DEFAULT 'free';
-- expect: work-after-access-exclusive MEDIUM
UPDATE users SET plan = 'free' WHERE plan IS NULL;
-- near miss: once per transaction, the first is the news
ALTER TABLE orders ADD COLUMN note text;
COMMIT;
-- near miss: after COMMIT the lock is gone
UPDATE orders SET note = 'x' WHERE id = 1;
BEGIN;
ALTER TABLE users ADD COLUMN tier text;
-- expect: work-after-access-exclusive MEDIUM
CREATE INDEX idx_orders_user ON orders (user_id);
COMMIT;
-- near miss: instant catalog changes on two tables: nothing holds the lock long
BEGIN;
ALTER TABLE users ADD COLUMN region text;
ALTER TABLE orders ADD COLUMN region text;
COMMIT;
-- ... but after a rewrite the wait for orders keeps users blocked longer still
BEGIN;
ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid();
-- expect: work-after-access-exclusive MEDIUM
ALTER TABLE orders ADD COLUMN zone text;
COMMIT;
-- near miss: a targeted write and a seed row are instant
BEGIN;
ALTER TABLE users ADD COLUMN locale text;
UPDATE users SET locale = 'en' WHERE id = 1;
INSERT INTO orders (id, user_id) VALUES (1, 1);
COMMIT;
-- a SELECT over a table runs as long as the table is big
BEGIN;
ALTER TABLE users ADD COLUMN seen boolean;
-- expect: work-after-access-exclusive MEDIUM
SELECT count(*) FROM orders;
COMMIT;
-- near miss: CREATE TABLE IF NOT EXISTS of a table that exists locks nothing, even after a rewrite
BEGIN;
ALTER TABLE users ADD COLUMN tok2 uuid DEFAULT gen_random_uuid();
CREATE TABLE IF NOT EXISTS orders (id bigint PRIMARY KEY, user_id bigint);
COMMIT;
-- a new table's foreign key waits for SHARE ROW EXCLUSIVE on the table it references
BEGIN;
ALTER TABLE users ADD COLUMN tok3 uuid DEFAULT gen_random_uuid();
-- expect: work-after-access-exclusive MEDIUM
-- expect-lock: SHARE ROW EXCLUSIVE
CREATE TABLE refunds (id bigint PRIMARY KEY, order_id bigint REFERENCES orders (id));
COMMIT;
-- near miss: ACCESS EXCLUSIVE on a table created here holds nobody up
BEGIN;
CREATE TABLE tags (id int);
ALTER TABLE tags ADD COLUMN name text;
INSERT INTO tags SELECT id, email FROM users;
COMMIT;
-- near miss: DROP INDEX names the index, not a table held
BEGIN;
DROP INDEX idx_users_email;
ALTER TABLE orders ADD COLUMN y int;
COMMIT;
