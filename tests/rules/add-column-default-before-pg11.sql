-- test: pg=10
-- test: history
CREATE TABLE users (id bigint PRIMARY KEY, email text);
-- test: up
-- expect: add-column-default-before-pg11 HIGH
-- expect-lock: ACCESS EXCLUSIVE
-- expect-class: BLOCKING
ALTER TABLE users ADD COLUMN active boolean NOT NULL DEFAULT true;

-- expect: add-column-default-before-pg11 HIGH
ALTER TABLE users ADD COLUMN created_at timestamptz DEFAULT now();

-- near misses: no default, DEFAULT NULL; a volatile default is add-column-rewrite's
ALTER TABLE users ADD COLUMN nickname text;
ALTER TABLE users ADD COLUMN note text DEFAULT NULL;
-- expect: add-column-rewrite HIGH
ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid();

-- near miss: a table created in this migration
CREATE TABLE orders (id bigint PRIMARY KEY);
ALTER TABLE orders ADD COLUMN state text DEFAULT 'new';
