-- app-statement-fails is raised only by the shadow (sluice verify, a
-- draft's --shadow/--verify), when a statement of the application's own
-- code that ran before a migration errors after it (tests/t-verify-replay.sh).
-- Statically it never fires, even on a rename that breaks every query of
-- the old name: that is app-references-renamed's, with the code in hand.
-- Near misses:
-- test: history
CREATE TABLE users (id bigint PRIMARY KEY, nick text);
-- test: up
ALTER TABLE users ADD COLUMN note text;
ALTER TABLE users ALTER COLUMN nick SET DEFAULT 'x';
