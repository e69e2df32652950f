-- test: history
CREATE TABLE events (id bigint PRIMARY KEY, at timestamptz);
CREATE INDEX events_at_idx ON events (at);
-- test: up
-- expect: vacuum-full-or-cluster HIGH
-- expect-lock: ACCESS EXCLUSIVE
-- expect-class: BLOCKING
VACUUM FULL events;

-- expect: vacuum-full-or-cluster HIGH
VACUUM (FULL, ANALYZE) events;

-- expect: vacuum-full-or-cluster HIGH
CLUSTER events USING events_at_idx;

-- near misses: plain VACUUM and ANALYZE take SHARE UPDATE EXCLUSIVE
-- expect-lock: SHARE UPDATE EXCLUSIVE
VACUUM ANALYZE events;
ANALYZE events;

-- near miss: a table created in this migration
CREATE TABLE scratch (id bigint PRIMARY KEY);
VACUUM FULL scratch;
