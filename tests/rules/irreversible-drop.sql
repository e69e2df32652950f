-- test: history
CREATE TABLE users (id bigint PRIMARY KEY, legacy_code varchar(12), email text);
CREATE TABLE old_logs (id bigint PRIMARY KEY);
-- test: up
-- expect: irreversible-drop LOW
ALTER TABLE users DROP COLUMN legacy_code;
-- expect: irreversible-drop LOW
DROP TABLE old_logs;
-- near miss: a table created in this migration holds nothing yet
CREATE TABLE scratch (id int, tmp text);
ALTER TABLE scratch DROP COLUMN tmp;
DROP TABLE scratch;
-- near miss: a table the history does not know (IF EXISTS cleanup)
DROP TABLE IF EXISTS never_was;
