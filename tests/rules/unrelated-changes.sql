-- test: history
CREATE TABLE users (id bigint PRIMARY KEY, email text);
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint);
CREATE TABLE audit (id bigint PRIMARY KEY);
-- test: up
-- expect-file: unrelated-changes LOW
SET lock_timeout = '2s';
ALTER TABLE users ADD COLUMN nickname text;
ALTER TABLE audit ADD COLUMN at timestamptz;
