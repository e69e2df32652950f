-- lock-mismatch is raised only by the shadow database (sluice verify), when
-- the lock a statement really takes differs from the prediction; statically
-- it never fires. These near misses are the statements the shadow tests
-- trace (tests/t-db-shadow.sh): the judge alone must stay silent on them.
-- test: history
CREATE TABLE users (id bigint PRIMARY KEY, email text);
-- test: up
CREATE INDEX users_email_idx ON users (email);
CREATE INDEX CONCURRENTLY users_id_email_idx ON users (id, email);
ALTER TABLE users ADD COLUMN note text;
