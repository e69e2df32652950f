-- test: history
CREATE TABLE users (id bigint, email text, slot tsrange);
CREATE TABLE tags (id bigint, name text);
-- test: up
-- expect: add-constraint-builds-index HIGH
-- expect-lock: ACCESS EXCLUSIVE
-- expect-class: BLOCKING
ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);

-- expect: add-constraint-builds-index HIGH
ALTER TABLE users ADD PRIMARY KEY (id);

-- squawk's adding-serial-primary-key-field maps here
-- expect-ignored: add-constraint-builds-index
-- squawk-ignore adding-serial-primary-key-field
ALTER TABLE tags ADD COLUMN tag_id bigserial PRIMARY KEY;

-- expect: add-constraint-builds-index HIGH
ALTER TABLE users ADD CONSTRAINT users_no_overlap EXCLUDE USING gist (slot WITH &&);

-- near miss: adopt an index built concurrently
CREATE UNIQUE INDEX CONCURRENTLY tags_name_idx ON tags (name);
ALTER TABLE tags ADD CONSTRAINT tags_name_key UNIQUE USING INDEX tags_name_idx;

-- near miss: a table created in this migration
CREATE TABLE sessions (id bigint, token text);
ALTER TABLE sessions ADD PRIMARY KEY (id);
ALTER TABLE sessions ADD CONSTRAINT sessions_token_key UNIQUE (token);

-- near miss: created in an earlier BEGIN block of this migration
BEGIN;
CREATE TABLE coupons (id bigint, code text);
COMMIT;
BEGIN;
ALTER TABLE coupons ADD PRIMARY KEY (id);
ALTER TABLE coupons ADD CONSTRAINT coupons_code_key UNIQUE (code);
-- and a plain CREATE INDEX on it blocks nothing either (no create-index finding)
-- expect-class: SAFE
CREATE INDEX coupons_code_idx ON coupons (lower(code));
COMMIT;
