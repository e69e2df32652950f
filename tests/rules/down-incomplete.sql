-- test: fw=golang-migrate
-- test: history
CREATE TABLE users (id bigint PRIMARY KEY, email text);
-- test: up
-- expect-file: down-incomplete MEDIUM
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint);
CREATE INDEX idx_orders_user ON orders (user_id);
ALTER TABLE users ADD COLUMN nickname text, ADD CONSTRAINT users_email_key UNIQUE (email);
CREATE INDEX idx_users_nick ON users (nickname);
CREATE TYPE mood AS ENUM ('ok', 'sad');
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER users_touch BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch();
-- test: down
-- the table's index goes with the table; the rest is named
DROP TABLE orders;
ALTER TABLE users DROP CONSTRAINT users_email_key;
DROP INDEX idx_users_nick;
DROP TYPE mood;
