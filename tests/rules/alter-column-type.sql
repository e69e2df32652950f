-- test: history
CREATE TABLE users (id integer PRIMARY KEY, email varchar(100), code varchar(10),
	price numeric(10,2), cost numeric(10,2), flags varbit(8), net cidr, seen timestamp, bio text,
	last_login timestamp, expires timestamptz(3), published timestamp, updated timestamp,
	created timestamp);
-- test: up
-- expect: alter-column-type HIGH
-- expect-lock: ACCESS EXCLUSIVE
-- expect-class: BLOCKING
ALTER TABLE users ALTER COLUMN id TYPE bigint;

-- narrowing a varchar checks and rewrites
-- expect: alter-column-type HIGH
ALTER TABLE users ALTER COLUMN code TYPE varchar(5);

-- a scale change rewrites
-- expect: alter-column-type HIGH
ALTER TABLE users ALTER COLUMN cost TYPE numeric(12,3);

-- USING always rewrites
-- expect: alter-column-type HIGH
ALTER TABLE users ALTER COLUMN bio TYPE text USING trim(bio);

-- timestamp to timestamptz is only free with TimeZone UTC: not shown safe
-- expect: alter-column-type HIGH
ALTER TABLE users ALTER COLUMN seen TYPE timestamptz;

-- a column the history does not know: verify
-- expect: alter-column-type HIGH
ALTER TABLE accounts ALTER COLUMN balance TYPE numeric(20,2);

-- squawk's name for it works in an ignore
-- squawk-ignore changing-column-type
-- expect-ignored: alter-column-type
ALTER TABLE users ALTER COLUMN bio TYPE varchar(20);

-- near misses: binary-coercible changes skip the rewrite
-- expect-class: SAFE
ALTER TABLE users ALTER COLUMN email TYPE varchar(200);
ALTER TABLE users ALTER COLUMN email TYPE text;
ALTER TABLE users ALTER COLUMN price TYPE numeric(14,2);
ALTER TABLE users ALTER COLUMN price TYPE numeric;
ALTER TABLE users ALTER COLUMN flags TYPE varbit(16);
ALTER TABLE users ALTER COLUMN net TYPE inet;
ALTER TABLE users ALTER COLUMN code TYPE character varying;

-- near miss: a table created in this migration
CREATE TABLE orders (id integer PRIMARY KEY);
ALTER TABLE orders ALTER COLUMN id TYPE bigint;

-- near miss: with the session TimeZone set to UTC, PostgreSQL 12+ keeps the stored values
SET TIME ZONE 'UTC';
-- expect-class: SAFE
ALTER TABLE users ALTER COLUMN last_login TYPE timestamptz;
-- but a precision change still rewrites
-- expect: alter-column-type HIGH
ALTER TABLE users ALTER COLUMN expires TYPE timestamp(0);
-- near miss: a USING that only names the column, or casts it to the new type, is the
-- conversion PostgreSQL makes anyway (ATColumnChangeRequiresRewrite): free in UTC too
-- expect-class: SAFE
ALTER TABLE users ALTER COLUMN published TYPE timestamptz USING published;
-- expect-class: SAFE
ALTER TABLE users ALTER COLUMN updated TYPE timestamptz USING updated::timestamptz;
-- a USING that computes something rewrites every row
-- expect: alter-column-type HIGH
ALTER TABLE users ALTER COLUMN created TYPE timestamptz USING created AT TIME ZONE 'Europe/Paris';
