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
BEGIN;
ALTER TABLE users ADD COLUMN region text;
-- expect: work-after-access-exclusive MEDIUM
ALTER TABLE orders ADD COLUMN region text;
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
