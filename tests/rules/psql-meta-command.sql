-- test: history
CREATE TABLE users (id bigint PRIMARY KEY, email text);
-- test: up
-- expect: psql-meta-command LOW
\set ON_ERROR_STOP on
-- the statement after a meta-command is judged on its own (it was swallowed)
-- expect: drop-table HIGH
DROP TABLE users;
-- expect: psql-meta-command LOW
\i other/file.sql
-- near miss: a backslash inside a string is no meta-command
SELECT E'a\\b', 'c\d';
