-- test: history
CREATE SCHEMA reporting;
CREATE TABLE reporting.daily (day date PRIMARY KEY, total bigint);
CREATE SCHEMA r;
CREATE FUNCTION r.touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
-- test: up
-- a table the migrations made in it: its data goes
-- expect: drop-schema BLOCKER
-- expect-class: DESTRUCTIVE
DROP SCHEMA reporting CASCADE;

-- no table the migrations made (functions, views, triggers rebuilt by the
-- app): a review, not a proof of data lost
-- expect: drop-schema HIGH
DROP SCHEMA r CASCADE;

-- expect: drop-schema HIGH
DROP SCHEMA IF EXISTS old_stuff;

-- near misses: creating a schema, dropping a table or type
CREATE SCHEMA analytics;
DROP TYPE IF EXISTS mood;
