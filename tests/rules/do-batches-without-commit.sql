-- test: history
CREATE TABLE users (id bigint PRIMARY KEY, email text, plan text);
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint);
-- test: up
-- an unbatched UPDATE inside a DO block is a backfill like any other
-- expect: backfill-unbatched HIGH
DO $$
BEGIN
  UPDATE users SET plan = 'free';
END $$;
-- expect: do-batches-without-commit HIGH
DO $$
DECLARE n int;
BEGIN
  LOOP
    UPDATE users SET plan = 'free'
     WHERE id IN (SELECT id FROM users WHERE plan IS NULL LIMIT 1000);
    GET DIAGNOSTICS n = ROW_COUNT;
    EXIT WHEN n = 0;
  END LOOP;
END $$;
-- near miss: a loop that COMMITs each batch is the batching the rule asks for
-- expect-lock: ROW EXCLUSIVE
DO $$
DECLARE n int;
BEGIN
  LOOP
    UPDATE users SET plan = 'free' WHERE id IN (SELECT id FROM users WHERE plan IS NULL LIMIT 1000);
    GET DIAGNOSTICS n = ROW_COUNT;
    EXIT WHEN n = 0;
    COMMIT;
  END LOOP;
END $$;
-- DDL inside a DO block locks like DDL outside (EXECUTE of a literal too)
-- expect: lock-timeout-missing MEDIUM
-- expect-lock: ACCESS EXCLUSIVE
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_attribute WHERE attname = 'nickname') THEN
    EXECUTE 'ALTER TABLE users ADD COLUMN nickname text';
  END IF;
END $$;
-- near miss: a loop over a table created here
CREATE TABLE tags (id int, name text);
DO $$
BEGIN
  FOR i IN 1..10 LOOP
    UPDATE tags SET name = 'x' WHERE id BETWEEN i AND i + 100;
  END LOOP;
END $$;
-- near miss: a function's body runs when called, not now
CREATE FUNCTION fix_plans() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  LOOP
    UPDATE users SET plan = 'free' WHERE id IN (SELECT id FROM users WHERE plan IS NULL LIMIT 1000);
    EXIT WHEN NOT FOUND;
  END LOOP;
END $$;
