-- test: history
CREATE TABLE events (id bigint, at date NOT NULL) PARTITION BY RANGE (at);
CREATE TABLE events_2024 (id bigint, at date NOT NULL);
CREATE TABLE events_2025 (id bigint, at date NOT NULL,
  CONSTRAINT events_2025_bounds CHECK (at >= '2025-01-01' AND at < '2026-01-01'));
CREATE TABLE events_2023 (id bigint, at date NOT NULL);
-- test: up
-- expect: attach-partition-unproven MEDIUM
ALTER TABLE events ATTACH PARTITION events_2024 FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
-- near miss: a validated CHECK proves the bounds, so the scan is skipped
ALTER TABLE events ATTACH PARTITION events_2025 FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
-- near miss: the CHECK added NOT VALID and validated first
ALTER TABLE events_2023 ADD CONSTRAINT b23 CHECK (at >= '2023-01-01' AND at < '2024-01-01') NOT VALID;
ALTER TABLE events_2023 VALIDATE CONSTRAINT b23;
ALTER TABLE events_2023 ADD CONSTRAINT b23v CHECK (at >= '2023-01-01' AND at < '2024-01-01');
ALTER TABLE events ATTACH PARTITION events_2023 FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');
-- near miss: a partition created in this migration is empty
CREATE TABLE events_2026 (id bigint, at date NOT NULL);
ALTER TABLE events ATTACH PARTITION events_2026 FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
-- near miss: DETACH is another rule
ALTER TABLE events DETACH PARTITION events_2024 CONCURRENTLY;
