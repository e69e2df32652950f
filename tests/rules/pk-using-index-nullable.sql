-- test: history
CREATE TABLE users (id bigint, email text, tenant bigint NOT NULL, code text);
CREATE TABLE orders (id bigint NOT NULL, ref text);
CREATE TABLE things (id bigint, CONSTRAINT things_id_nn CHECK (id IS NOT NULL));
-- test: up
CREATE UNIQUE INDEX CONCURRENTLY users_id_idx ON users (id);
-- expect: pk-using-index-nullable HIGH
-- expect-lock: ACCESS EXCLUSIVE
ALTER TABLE users ADD CONSTRAINT users_pkey PRIMARY KEY USING INDEX users_id_idx;
CREATE UNIQUE INDEX CONCURRENTLY users_tenant_code_idx ON users (tenant, code);
-- expect: pk-using-index-nullable HIGH
ALTER TABLE users ADD CONSTRAINT users_tc UNIQUE USING INDEX users_tenant_code_idx,
  ADD CONSTRAINT users_pk2 PRIMARY KEY USING INDEX users_tenant_code_idx;
-- near miss: the column is already NOT NULL
CREATE UNIQUE INDEX CONCURRENTLY orders_id_idx ON orders (id);
ALTER TABLE orders ADD CONSTRAINT orders_pkey PRIMARY KEY USING INDEX orders_id_idx;
-- near miss: UNIQUE USING INDEX sets nothing NOT NULL
CREATE UNIQUE INDEX CONCURRENTLY orders_ref_idx ON orders (ref);
ALTER TABLE orders ADD CONSTRAINT orders_ref_key UNIQUE USING INDEX orders_ref_idx;
-- near miss: a validated CHECK (id IS NOT NULL) lets PostgreSQL 12+ skip the scan
CREATE UNIQUE INDEX CONCURRENTLY things_id_idx ON things (id);
ALTER TABLE things ADD CONSTRAINT things_pkey PRIMARY KEY USING INDEX things_id_idx;
-- near miss: SET NOT NULL first (its own rule says what that costs)
CREATE UNIQUE INDEX CONCURRENTLY users_email_idx ON users (email);
ALTER TABLE users ALTER COLUMN email SET NOT NULL;
ALTER TABLE users ADD CONSTRAINT users_pk3 PRIMARY KEY USING INDEX users_email_idx;
-- near miss: a table created in this migration is empty
CREATE TABLE fresh (id bigint);
CREATE UNIQUE INDEX fresh_id_idx ON fresh (id);
ALTER TABLE fresh ADD CONSTRAINT fresh_pkey PRIMARY KEY USING INDEX fresh_id_idx;
