-- test: history
CREATE TYPE mood AS ENUM ('sad', 'ok');
CREATE DOMAIN email AS text;
-- test: up
-- expect: rename-type MEDIUM
ALTER TYPE mood RENAME TO feeling;

-- expect: rename-type MEDIUM
ALTER DOMAIN email RENAME TO email_address;

-- near misses: a value rename, a table rename
ALTER TYPE feeling RENAME VALUE 'ok' TO 'fine';
ALTER TABLE people RENAME TO persons;
