-- test: history
CREATE TYPE mood AS ENUM ('sad', 'ok');
CREATE DOMAIN email AS text;
-- test: up
-- expect: drop-type-cascade BLOCKER
-- expect-class: DESTRUCTIVE
DROP TYPE mood CASCADE;

-- expect: drop-type-cascade BLOCKER
DROP DOMAIN IF EXISTS email CASCADE;

-- near miss: without CASCADE PostgreSQL refuses while anything uses the type
DROP TYPE IF EXISTS old_status;
