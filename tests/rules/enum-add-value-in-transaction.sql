-- test: pg=11
-- test: history
CREATE TYPE mood AS ENUM ('sad', 'ok');
-- test: up
-- near miss: on its own, outside a transaction
ALTER TYPE mood ADD VALUE 'happy';
BEGIN;
-- expect: enum-add-value-in-transaction HIGH
ALTER TYPE mood ADD VALUE IF NOT EXISTS 'ecstatic' AFTER 'happy';
-- near miss: renaming a value is another rule
ALTER TYPE mood RENAME VALUE 'ok' TO 'fine';
COMMIT;
