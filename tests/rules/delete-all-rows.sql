-- test: history
CREATE TABLE sessions (id bigint PRIMARY KEY, token text);
-- test: up
-- expect: delete-all-rows HIGH
-- expect-class: DESTRUCTIVE
DELETE FROM sessions;
-- near miss: a WHERE makes it a backfill question, not a wipe
DELETE FROM sessions WHERE token IS NULL AND id IN (SELECT id FROM sessions WHERE token IS NULL LIMIT 1000);
-- near miss: a table created here
CREATE TABLE scratch (id int);
DELETE FROM scratch;
