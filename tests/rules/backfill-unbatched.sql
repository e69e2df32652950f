-- test: history
CREATE TABLE users (id bigint PRIMARY KEY, email text, status text, plan text, org_id bigint);
CREATE TABLE events (id bigint PRIMARY KEY, kind text);
CREATE TABLE small (id int PRIMARY KEY, v text);
CREATE TABLE memberships (org_id bigint, user_id bigint, role text, UNIQUE (org_id, user_id));
CREATE TABLE settings (key text PRIMARY KEY, value text);
CREATE TABLE roles (id int, name text);
INSERT INTO roles (id, name) VALUES (1, 'admin'), (2, 'member');
CREATE TABLE archive (id int, name text);
INSERT INTO archive SELECT id, email FROM users;
CREATE TABLE flags (id int PRIMARY KEY, on_ boolean);
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

-- Targeted writes (issue 11): a WHERE that pins a whole key by equality.
-- near miss: both columns of the composite unique key
UPDATE memberships SET role = 'owner' WHERE org_id = 1 AND user_id = 2;
-- near miss: IN a list of constants counts as equality
DELETE FROM memberships WHERE org_id IN (1, 2) AND user_id = 3;
-- near miss: a primary key not named id
UPDATE settings SET value = 'dark' WHERE key = 'theme';
-- the leading column of a composite unique key is not a key: every member of org 1
-- expect: backfill-unbatched HIGH
UPDATE memberships SET role = 'member' WHERE org_id = 1;
-- a column named like a key that the model knows is not one
-- expect: backfill-unbatched HIGH
UPDATE users SET plan = 'team' WHERE org_id = 7;
-- a pattern pins nothing
-- expect: backfill-unbatched HIGH
UPDATE settings SET value = '' WHERE key LIKE 'theme%';
-- near miss: a seeded lookup table holds the rows the history inserted
UPDATE roles SET name = 'owner' WHERE name = 'admin';
DELETE FROM roles WHERE name = 'member';
-- a table filled by INSERT ... SELECT holds rows nobody counted
-- expect: backfill-unbatched HIGH
UPDATE archive SET name = lower(name) WHERE name <> lower(name);
-- a loop of targeted writes is one backfill, told once on the first
-- expect: backfill-unbatched MEDIUM
UPDATE flags SET on_ = true WHERE id = 1;
UPDATE flags SET on_ = true WHERE id = 2;
UPDATE flags SET on_ = true WHERE id = 3;
UPDATE flags SET on_ = true WHERE id = 4;
UPDATE flags SET on_ = true WHERE id = 5;
UPDATE flags SET on_ = true WHERE id = 6;
UPDATE flags SET on_ = true WHERE id = 7;
UPDATE flags SET on_ = true WHERE id = 8;
UPDATE flags SET on_ = true WHERE id = 9;
UPDATE flags SET on_ = true WHERE id = 10;
UPDATE flags SET on_ = true WHERE id = 11;
UPDATE flags SET on_ = true WHERE id = 12;
UPDATE flags SET on_ = true WHERE id = 13;
UPDATE flags SET on_ = true WHERE id = 14;
UPDATE flags SET on_ = true WHERE id = 15;
UPDATE flags SET on_ = true WHERE id = 16;
UPDATE flags SET on_ = true WHERE id = 17;
UPDATE flags SET on_ = true WHERE id = 18;
UPDATE flags SET on_ = true WHERE id = 19;
UPDATE flags SET on_ = true WHERE id = 20;
-- near miss: a write to the system catalogues touches a few objects' rows, not a backfill
UPDATE pg_index SET indisready = false WHERE indrelid = (SELECT oid FROM pg_class WHERE relname = 'users');
-- expect: backfill-unbatched HIGH
UPDATE pg_stuff_archive.entries SET done = true WHERE done IS NULL;
