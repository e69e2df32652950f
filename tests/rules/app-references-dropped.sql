-- The app-code cross-check reports this rule only inside a repository,
-- from the code that still uses the column (tests/t-xref-*.sh show it).
-- Judged alone, with no application to read, nothing here may fire it.
-- test: history
CREATE TABLE users (id bigint PRIMARY KEY, email text, name text);
-- test: up
-- near miss: no application code to read
ALTER TABLE users DROP COLUMN email;
-- near miss: no application code to read
DROP TABLE users;
