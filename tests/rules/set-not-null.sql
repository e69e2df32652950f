-- test: history
CREATE TABLE users (id bigint PRIMARY KEY, email text, name text, phone text NOT NULL, city text,
	nick text);
ALTER TABLE users ADD CONSTRAINT users_name_nn CHECK (name IS NOT NULL) NOT VALID;
ALTER TABLE users VALIDATE CONSTRAINT users_name_nn;
ALTER TABLE users ADD CONSTRAINT users_city_nn CHECK (city IS NOT NULL) NOT VALID;
-- test: up
-- expect: set-not-null HIGH
-- expect-lock: ACCESS EXCLUSIVE
-- expect-class: BLOCKING
ALTER TABLE users ALTER COLUMN email SET NOT NULL;

-- a CHECK that was never validated proves nothing
-- expect: set-not-null HIGH
ALTER TABLE users ALTER COLUMN city SET NOT NULL;

-- near miss: a validated CHECK (name IS NOT NULL) lets PostgreSQL 12+ skip the scan
-- expect-class: SAFE
ALTER TABLE users ALTER COLUMN name SET NOT NULL;

-- squawk's name for it works in an ignore
-- squawk-ignore adding-not-nullable-field
-- expect-ignored: set-not-null
ALTER TABLE users ALTER COLUMN nick SET NOT NULL;

-- near miss: already NOT NULL
ALTER TABLE users ALTER COLUMN phone SET NOT NULL;

-- near miss: the whole recipe in one migration, then SET NOT NULL
ALTER TABLE users ADD COLUMN zip text;
ALTER TABLE users ADD CONSTRAINT users_zip_nn CHECK (zip IS NOT NULL) NOT VALID;
ALTER TABLE users VALIDATE CONSTRAINT users_zip_nn;
ALTER TABLE users ALTER COLUMN zip SET NOT NULL;

-- near miss: a table created in this migration
CREATE TABLE orders (id bigint PRIMARY KEY, ref text);
ALTER TABLE orders ALTER COLUMN ref SET NOT NULL;

-- near miss: created in an earlier BEGIN block of this migration
BEGIN;
CREATE TABLE invoices (id bigint PRIMARY KEY, number text);
COMMIT;
BEGIN;
ALTER TABLE invoices ALTER COLUMN number SET NOT NULL;
COMMIT;
