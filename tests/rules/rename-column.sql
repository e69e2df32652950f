-- test: history
CREATE TABLE users (id bigint PRIMARY KEY, email text, name text);
-- test: branch
CREATE TABLE invites (id bigint PRIMARY KEY, code text);
-- test: up
-- expect: rename-column HIGH
-- expect-lock: ACCESS EXCLUSIVE
ALTER TABLE users RENAME COLUMN email TO email_address;

-- expect: rename-column HIGH
ALTER TABLE public.users RENAME name TO full_name;

-- near misses: renaming the table is another rule; a new table is free
ALTER TABLE users RENAME TO members;
CREATE TABLE drafts (id bigint PRIMARY KEY, body text);
ALTER TABLE drafts RENAME COLUMN body TO content;
-- expect-lock: SHARE UPDATE EXCLUSIVE
ALTER INDEX users_pkey RENAME TO members_pkey;

-- near miss: no deployed code knows a table created earlier on this branch
ALTER TABLE invites RENAME COLUMN code TO token;
