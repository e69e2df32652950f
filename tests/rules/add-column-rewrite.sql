-- test: history
CREATE TABLE users (id bigint PRIMARY KEY, email text);
CREATE FUNCTION now_micros() RETURNS bigint AS $$ SELECT (extract(epoch FROM now()) * 1000000)::bigint $$ LANGUAGE sql;
CREATE FUNCTION today_utc() RETURNS date LANGUAGE sql STABLE AS $$ SELECT (now() AT TIME ZONE 'utc')::date $$;
-- test: up
-- expect: add-column-rewrite HIGH
-- expect-lock: ACCESS EXCLUSIVE
-- expect-class: BLOCKING
ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid();

-- expect: add-column-rewrite HIGH
ALTER TABLE users ADD COLUMN seq bigserial;

-- expect: add-column-rewrite HIGH
ALTER TABLE users ADD COLUMN n bigint GENERATED ALWAYS AS IDENTITY;

-- expect: add-column-rewrite HIGH
ALTER TABLE users ADD COLUMN email_lower text GENERATED ALWAYS AS (lower(email)) STORED;

-- a function sluice does not know: verify
-- expect: add-column-rewrite MEDIUM
ALTER TABLE users ADD COLUMN code text DEFAULT make_code();

-- near misses: constant and STABLE defaults are stored once on PG 11+
-- expect-class: SAFE
ALTER TABLE users ADD COLUMN active boolean NOT NULL DEFAULT true;
ALTER TABLE users ADD COLUMN created_at timestamptz NOT NULL DEFAULT now();
ALTER TABLE users ADD COLUMN seen_at timestamptz DEFAULT CURRENT_TIMESTAMP;
ALTER TABLE users ADD COLUMN meta jsonb DEFAULT '{}'::jsonb;
ALTER TABLE users ADD COLUMN note text DEFAULT NULL;
ALTER TABLE users ADD COLUMN plain text;

-- near miss: a table created in this migration
CREATE TABLE orders (id bigint PRIMARY KEY);
ALTER TABLE orders ADD COLUMN token uuid DEFAULT gen_random_uuid();

-- near miss: setting a volatile default on an existing column only affects new rows
ALTER TABLE users ALTER COLUMN email SET DEFAULT gen_random_uuid()::text;

-- functions the history created: VOLATILE unless declared otherwise
-- expect: add-column-rewrite HIGH
ALTER TABLE users ADD COLUMN stamp bigint DEFAULT now_micros();
-- near miss: declared STABLE
ALTER TABLE users ADD COLUMN day date DEFAULT today_utc();
