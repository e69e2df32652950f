-- test: history
CREATE TABLE users (id bigint PRIMARY KEY, email text);
CREATE INDEX idx_users_email ON users (email);
-- test: up
-- expect: drop-index-nonconcurrent MEDIUM
-- expect-lock: ACCESS EXCLUSIVE
DROP INDEX idx_users_email;
DROP INDEX CONCURRENTLY IF EXISTS idx_other;
-- near miss: a table, not an index
DROP TABLE IF EXISTS scratch;
