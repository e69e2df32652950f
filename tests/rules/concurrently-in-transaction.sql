-- test: history
CREATE TABLE users (id bigint PRIMARY KEY, email text, name text);
-- test: up
CREATE INDEX CONCURRENTLY idx_a ON users (email);
BEGIN;
-- expect: concurrently-in-transaction HIGH
CREATE INDEX CONCURRENTLY idx_b ON users (name);
-- expect: concurrently-in-transaction HIGH
DROP INDEX CONCURRENTLY idx_a;
COMMIT;
DROP INDEX CONCURRENTLY idx_b;
