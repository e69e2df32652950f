-- test: history
CREATE TABLE users (id bigint PRIMARY KEY, email text);
CREATE INDEX idx_users_email ON users (email);
CREATE TABLE sessions (id bigint PRIMARY KEY, token text);
CREATE INDEX idx_sessions_token ON sessions (token);
CREATE TABLE tokens (id bigint PRIMARY KEY, v text);
CREATE INDEX idx_tokens_v ON tokens (v);
-- test: up
-- expect: drop-index-nonconcurrent MEDIUM
-- expect-lock: ACCESS EXCLUSIVE
DROP INDEX idx_users_email;
DROP INDEX CONCURRENTLY IF EXISTS idx_other;
-- near miss: a table, not an index
DROP TABLE IF EXISTS scratch;

-- near miss: an index dropped just after its table was recreated above
DROP TABLE sessions;
CREATE TABLE sessions (id bigint PRIMARY KEY, token text, user_id bigint);
CREATE INDEX idx_sessions_token ON sessions (token);
DROP INDEX idx_sessions_token;
-- the table of this one still holds its rows
-- expect: drop-index-nonconcurrent MEDIUM
DROP INDEX idx_tokens_v;
