-- test: up
-- expect: drop-schema BLOCKER
-- expect-class: DESTRUCTIVE
DROP SCHEMA reporting CASCADE;

-- expect: drop-schema HIGH
DROP SCHEMA IF EXISTS old_stuff;

-- near misses: creating a schema, dropping a table or type
CREATE SCHEMA analytics;
DROP TYPE IF EXISTS mood;
