-- test: history
CREATE TYPE mood AS ENUM ('sad', 'ok');
-- test: up
-- expect: enum-rename-value HIGH
ALTER TYPE mood RENAME VALUE 'ok' TO 'fine';

-- near misses: adding a value; renaming the type is another rule
ALTER TYPE mood ADD VALUE 'happy';
ALTER TYPE mood RENAME TO feeling;
