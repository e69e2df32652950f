-- test: history
CREATE TABLE users (id bigint PRIMARY KEY);
CREATE TABLE legacy_events (id bigint PRIMARY KEY);
CREATE TABLE audit (id bigint PRIMARY KEY);
-- test: branch
CREATE TABLE invites (id bigint PRIMARY KEY);
-- test: up
-- expect: drop-table HIGH
-- expect-class: DESTRUCTIVE
-- expect-lock: ACCESS EXCLUSIVE
DROP TABLE legacy_events;

-- expect: drop-table HIGH
DROP TABLE IF EXISTS public.audit CASCADE;

-- near miss: a table created earlier in this migration
CREATE TABLE tmp_import (id bigint PRIMARY KEY);
DROP TABLE tmp_import;

-- near misses: other objects
DROP INDEX CONCURRENTLY IF EXISTS users_email_idx;
DROP VIEW IF EXISTS user_summary;

-- near miss: a table created earlier on this branch holds nothing yet
DROP TABLE invites;
-- test: down
-- near miss: a down migration drops what its up created
DROP TABLE users;
