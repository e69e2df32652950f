-- test: history
CREATE TABLE users (id bigint PRIMARY KEY, email text);
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint);
-- test: up
-- near miss: CREATE TABLE and a table created here take no lock anyone waits for
-- expect-lock: none
CREATE TABLE invoices (id bigint PRIMARY KEY, total numeric);
-- near miss: nor does CREATE TABLE IF NOT EXISTS of a table that exists
-- expect-lock: none
CREATE TABLE IF NOT EXISTS users (id bigint PRIMARY KEY, email text);
-- its foreign key locks the table it references: SHARE ROW EXCLUSIVE, never ACCESS EXCLUSIVE
-- expect-lock: SHARE ROW EXCLUSIVE
CREATE TABLE payments (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id));
ALTER TABLE invoices ADD COLUMN note text;
CREATE INDEX idx_invoices_total ON invoices (total);
-- near miss: no conflicting lock (SHARE UPDATE EXCLUSIVE, ROW EXCLUSIVE)
CREATE INDEX CONCURRENTLY idx_orders_user ON orders (user_id);
UPDATE users SET email = lower(email) WHERE id = 1;
-- expect: lock-timeout-missing MEDIUM
ALTER TABLE users ADD COLUMN nickname text;
-- near miss: reported once per file, not on every statement
ALTER TABLE orders ADD COLUMN note text;
