-- test: history
CREATE TABLE users (id bigint PRIMARY KEY, email text, name text);
-- test: up
-- expect: concurrent-index-if-not-exists MEDIUM
CREATE INDEX CONCURRENTLY IF NOT EXISTS users_email_idx ON users (email);
-- near miss: without IF NOT EXISTS a leftover INVALID index makes it fail loudly
CREATE INDEX CONCURRENTLY users_name_idx ON users (name);
-- near miss: the fix, dropping a leftover first
DROP INDEX CONCURRENTLY IF EXISTS users_name2_idx;
CREATE INDEX CONCURRENTLY users_name2_idx ON users (name);
