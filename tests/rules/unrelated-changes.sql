-- test: history
CREATE TABLE users (id bigint PRIMARY KEY, email text);
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id));
CREATE TABLE audit (id bigint PRIMARY KEY);
CREATE INDEX some_index ON audit (id);
-- test: up
-- expect-file: unrelated-changes LOW
SET lock_timeout = '2s';
ALTER TABLE users ADD COLUMN nickname text;
ALTER TABLE audit ADD COLUMN at timestamptz;
-- orders and users are joined by a foreign key from the history: one change
ALTER TABLE orders ADD COLUMN note text;
-- DROP INDEX names an index, not a table
DROP INDEX some_index;
