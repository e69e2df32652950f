-- test: up
-- expect: drop-database BLOCKER
-- expect-class: DESTRUCTIVE
DROP DATABASE legacy;

-- near misses
CREATE DATABASE scratch;
DROP SCHEMA IF EXISTS legacy;
