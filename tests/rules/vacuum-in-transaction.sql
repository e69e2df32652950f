-- test: history
CREATE TABLE events (id bigint PRIMARY KEY);
-- test: up
VACUUM ANALYZE events;
BEGIN;
-- expect: vacuum-in-transaction HIGH
VACUUM events;
-- near miss: ANALYZE may run in a transaction
ANALYZE events;
COMMIT;
-- near miss: after COMMIT
VACUUM events;
