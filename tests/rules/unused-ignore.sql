-- test: history
CREATE TABLE users (id bigint PRIMARY KEY, email text);
-- test: up
-- expect-file: unused-ignore LOW
-- sluice:ignore create-index-nonconcurrent -- nothing to ignore here
CREATE INDEX CONCURRENTLY idx_a ON users (email);
-- near miss: a used ignore is not reported
-- expect-ignored: create-index-nonconcurrent
-- sluice:ignore create-index-nonconcurrent -- tiny lookup table
CREATE INDEX idx_b ON users (email);
