-- shadow-apply-error is raised only when a statement fails on the shadow
-- database (sluice verify). Statically it never fires, even on a statement
-- that would fail on a server (the column does not exist). Near misses:
-- test: history
CREATE TABLE users (id bigint PRIMARY KEY);
-- test: up
ALTER TABLE users ADD COLUMN note text;
ALTER TABLE users DROP COLUMN IF EXISTS nonexistent;
