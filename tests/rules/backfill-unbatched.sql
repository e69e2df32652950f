-- test: history
CREATE TABLE users (id bigint PRIMARY KEY, email text, status text, plan text, org_id bigint);
CREATE TABLE events (id bigint PRIMARY KEY, kind text);
CREATE TABLE small (id int PRIMARY KEY, v text);
-- test: rows small=40
-- test: up
-- expect: backfill-unbatched HIGH
-- expect-lock: ROW EXCLUSIVE
UPDATE users SET plan = 'free';
-- expect: backfill-unbatched HIGH
UPDATE users SET plan = 'free' WHERE status = 'trial';
-- idempotent but one transaction over every NULL row
-- expect: backfill-unbatched HIGH
UPDATE users SET plan = 'free' WHERE plan IS NULL;
-- expect: backfill-unbatched HIGH
DELETE FROM events WHERE kind = 'debug';
-- batched but a re-run redoes every batch
-- expect: backfill-unbatched MEDIUM
UPDATE users SET plan = 'free' WHERE id BETWEEN 1 AND 10000;
-- an OR can widen the WHERE: the IS NULL on one side is no guard
-- expect: backfill-unbatched HIGH
UPDATE users SET plan = 'free' WHERE plan IS NULL OR status = 'x';
-- a small table: brief
-- expect: backfill-unbatched LOW
UPDATE small SET v = 'x';

-- near miss: batched and idempotent (LIMITed subquery with IS NULL)
UPDATE users SET plan = 'free' WHERE id IN (SELECT id FROM users WHERE plan IS NULL ORDER BY id LIMIT 5000);
-- near miss: keyed range plus idempotent WHERE
UPDATE users SET plan = 'free' WHERE id > 1000 AND id <= 2000 AND plan IS DISTINCT FROM 'free';
-- near miss: ctid batches that skip finished rows
UPDATE users SET plan = 'free' WHERE ctid = ANY (ARRAY(SELECT ctid FROM users WHERE plan IS NULL LIMIT 1000));
-- near miss: a batched range with a progress table
UPDATE users SET plan = 'free' FROM backfill_progress p WHERE users.id BETWEEN p.last_id AND p.last_id + 1000;
-- near miss: a targeted fix of one row
UPDATE users SET email = 'x@example.com' WHERE id = 42;
DELETE FROM events WHERE id IN (1, 2, 3);
-- near miss: a table created in this migration is empty
CREATE TABLE drafts (id bigint PRIMARY KEY, body text);
UPDATE drafts SET body = '';
-- near miss: not a backfill at all
INSERT INTO events (id, kind) VALUES (1, 'a');
