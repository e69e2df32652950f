-- test: history
CREATE TABLE events (id bigint, at date NOT NULL) PARTITION BY RANGE (at);
CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
-- test: up
-- expect: detach-partition-nonconcurrent MEDIUM
-- expect-lock: ACCESS EXCLUSIVE
ALTER TABLE events DETACH PARTITION events_2024;
-- near miss: CONCURRENTLY (PostgreSQL 14+)
ALTER TABLE events DETACH PARTITION events_2025 CONCURRENTLY;
-- near miss: ATTACH is another rule
CREATE TABLE events_2026 (id bigint, at date NOT NULL);
ALTER TABLE events ATTACH PARTITION events_2026 FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
