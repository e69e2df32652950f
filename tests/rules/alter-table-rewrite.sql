-- test: history
CREATE TABLE events (id bigint PRIMARY KEY, payload jsonb);
-- test: up
-- expect: alter-table-rewrite HIGH
-- expect-lock: ACCESS EXCLUSIVE
-- expect-class: BLOCKING
ALTER TABLE events SET TABLESPACE fast_ssd;

-- expect: alter-table-rewrite HIGH
ALTER TABLE events SET UNLOGGED;

-- expect: alter-table-rewrite HIGH
ALTER TABLE events SET LOGGED;

-- an index moves too (and its table's writes wait)
-- expect: alter-table-rewrite HIGH
ALTER INDEX events_pkey SET TABLESPACE fast_ssd;

-- near misses: storage parameters that take SHARE UPDATE EXCLUSIVE, no rewrite
-- expect-lock: SHARE UPDATE EXCLUSIVE
-- expect-class: SAFE
ALTER TABLE events SET (fillfactor = 70, autovacuum_vacuum_scale_factor = 0.01);
-- expect-lock: SHARE UPDATE EXCLUSIVE
ALTER TABLE events SET (toast.autovacuum_enabled = false);
-- other parameters take ACCESS EXCLUSIVE but do not rewrite
-- expect-lock: ACCESS EXCLUSIVE
ALTER TABLE events SET (user_catalog_table = true);
-- expect-lock: SHARE UPDATE EXCLUSIVE
ALTER TABLE events ALTER COLUMN payload SET STATISTICS 500;

-- near miss: a table created in this migration
CREATE TABLE scratch (id bigint PRIMARY KEY);
ALTER TABLE scratch SET UNLOGGED;
