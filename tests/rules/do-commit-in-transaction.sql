-- test: history
CREATE TABLE users (id bigint PRIMARY KEY, plan text);
-- test: up
-- near miss: outside a transaction, COMMIT in a DO block works (PostgreSQL 11+)
DO $$
BEGIN
  FOR i IN 0..9 LOOP
    UPDATE users SET plan = 'free' WHERE id BETWEEN i * 1000 AND i * 1000 + 999 AND plan IS NULL;
    COMMIT;
  END LOOP;
END $$;
BEGIN;
-- expect: do-commit-in-transaction HIGH
DO $$
BEGIN
  UPDATE users SET plan = 'free' WHERE id BETWEEN 1 AND 1000 AND plan IS NULL;
  COMMIT;
END $$;
COMMIT;
