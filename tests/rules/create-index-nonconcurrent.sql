-- test: history
CREATE TABLE users (id bigint PRIMARY KEY, email text, name text);
-- test: branch
CREATE TABLE invites (id bigint PRIMARY KEY, code text);
DO $$
BEGIN
	CREATE TABLE do_made (id bigint PRIMARY KEY, k text);
END
$$;
-- test: up
-- expect: create-index-nonconcurrent HIGH
-- expect-lock: SHARE
-- expect-class: BLOCKING
CREATE INDEX idx_users_email ON users (email);

-- near miss: concurrently
-- expect-lock: SHARE UPDATE EXCLUSIVE
CREATE INDEX CONCURRENTLY idx_users_name ON users (name);

-- near miss: a table created in this migration
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint);
CREATE INDEX idx_orders_user ON orders (user_id);

-- expect: create-index-nonconcurrent HIGH
CREATE UNIQUE INDEX idx_users_email_u ON public.users (lower(email));

-- CREATE TABLE IF NOT EXISTS of a table the history has creates nothing
CREATE TABLE IF NOT EXISTS users (id bigint PRIMARY KEY);
-- expect: create-index-nonconcurrent HIGH
CREATE INDEX idx_users_name2 ON users (name);

-- near miss: a table an earlier migration of this branch created is empty in production
CREATE INDEX idx_invites_code ON invites (code);
-- near miss: so is one created inside a DO block of the branch
CREATE INDEX idx_do_made_k ON do_made (k);
