-- test: up
-- expect: table-without-primary-key LOW
CREATE TABLE events (at timestamptz, payload jsonb);

-- near misses: a key declared inline, as a table constraint, or added later in the file
CREATE TABLE users (id bigint PRIMARY KEY);
CREATE TABLE pairs (a bigint, b bigint, PRIMARY KEY (a, b));
CREATE TABLE logs (id bigint NOT NULL, line text);
ALTER TABLE logs ADD PRIMARY KEY (id);

-- near misses: temporary tables, partitions, copies of another table
CREATE TEMP TABLE scratch (x int);
CREATE TABLE events_2024 PARTITION OF measurements FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE users_copy (LIKE users INCLUDING ALL);
