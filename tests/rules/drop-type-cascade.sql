-- test: history
CREATE TYPE mood AS ENUM ('sad', 'ok');
CREATE DOMAIN email AS text;
CREATE TYPE old_level AS ENUM ('low', 'high');
CREATE TABLE people (id bigint PRIMARY KEY, mood mood, moods mood[], contact email);
-- test: up
-- expect: drop-type-cascade BLOCKER
-- expect-class: DESTRUCTIVE
DROP TYPE mood CASCADE;

-- expect: drop-type-cascade BLOCKER
DROP DOMAIN IF EXISTS email CASCADE;

-- no column the history knows uses it (the enum swap moved them off): verify
-- expect: drop-type-cascade MEDIUM
DROP TYPE old_level CASCADE;

-- near miss: without CASCADE PostgreSQL refuses while anything uses the type
DROP TYPE IF EXISTS old_status;
