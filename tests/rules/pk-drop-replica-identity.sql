-- test: history
CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);
CREATE TABLE orders (id bigint, CONSTRAINT orders_pk PRIMARY KEY (id));
CREATE TABLE items (id bigint PRIMARY KEY);
CREATE TABLE accounts (id bigint PRIMARY KEY);
CREATE UNIQUE INDEX items_id_idx ON items (id);
-- test: up
-- expect: pk-drop-replica-identity LOW
ALTER TABLE users DROP CONSTRAINT users_pkey;
-- near miss: another constraint
ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);
ALTER TABLE users DROP CONSTRAINT users_email_key;
-- near miss: REPLICA IDENTITY moved to another index first
ALTER TABLE items REPLICA IDENTITY USING INDEX items_id_idx;
ALTER TABLE items DROP CONSTRAINT items_pkey;
-- near miss: a table created here has no subscribers yet
CREATE TABLE fresh (id bigint PRIMARY KEY);
ALTER TABLE fresh DROP CONSTRAINT fresh_pkey;
-- expect: pk-drop-replica-identity LOW
ALTER TABLE orders DROP CONSTRAINT orders_pk;
-- with a publication, the table may well be published: HIGH
CREATE PUBLICATION everything FOR ALL TABLES;
-- expect: pk-drop-replica-identity HIGH
ALTER TABLE accounts DROP CONSTRAINT accounts_pkey;
