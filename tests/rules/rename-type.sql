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

-- near misses: the enum swap inside one migration keeps the name valid throughout
CREATE TYPE new_status AS ENUM ('a', 'b');
ALTER TYPE new_status RENAME TO status;
ALTER TYPE level RENAME TO old_level;
CREATE TYPE level AS ENUM ('low', 'high');
