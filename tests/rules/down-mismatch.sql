-- down-mismatch is raised only by the shadow database's up/down round trip
-- (sluice verify); statically it never fires, not even on a down script that
-- forgets what the up script did. Near misses:
-- test: history
CREATE TABLE users (id bigint PRIMARY KEY, email text);
-- test: up
ALTER TABLE users ADD COLUMN note text;
CREATE TABLE audit (id bigint);
-- test: down
DROP TABLE audit;
