-- test: history
CREATE TABLE users (id bigint PRIMARY KEY, email text, name text);
-- test: up
-- expect: create-index-nonconcurrent HIGH
-- expect-lock: SHARE
-- expect-class: BLOCKING
CREATE INDEX idx_users_email ON users (email);

-- near miss: concurrently
-- expect-lock: SHARE UPDATE EXCLUSIVE
CREATE INDEX CONCURRENTLY idx_users_name ON users (name);

-- near miss: a table created in this migration
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint);
CREATE INDEX idx_orders_user ON orders (user_id);

-- expect: create-index-nonconcurrent HIGH
CREATE UNIQUE INDEX idx_users_email_u ON public.users (lower(email));

-- CREATE TABLE IF NOT EXISTS of a table the history has creates nothing
CREATE TABLE IF NOT EXISTS users (id bigint PRIMARY KEY);
-- expect: create-index-nonconcurrent HIGH
CREATE INDEX idx_users_name2 ON users (name);
