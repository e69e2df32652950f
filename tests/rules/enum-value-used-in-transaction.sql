-- test: history
CREATE TYPE mood AS ENUM ('sad', 'ok');
CREATE TABLE people (id bigint PRIMARY KEY, mood mood);
-- test: up
BEGIN;
-- expect: enum-value-used-in-transaction HIGH
ALTER TYPE mood ADD VALUE 'happy';
UPDATE people SET mood = 'happy' WHERE mood = 'ok';
COMMIT;

-- near miss: the value is used only after the COMMIT
BEGIN;
ALTER TYPE mood ADD VALUE 'calm';
COMMIT;
UPDATE people SET mood = 'calm' WHERE mood = 'ok';

-- near miss: outside any transaction
ALTER TYPE mood ADD VALUE 'tired';
UPDATE people SET mood = 'tired' WHERE id = 1;
