-- test: history
CREATE TABLE users (id bigint PRIMARY KEY, email text);
CREATE TABLE posts (id bigint PRIMARY KEY);
-- test: up
-- expect: rename-table HIGH
-- expect-lock: ACCESS EXCLUSIVE
ALTER TABLE users RENAME TO accounts;

-- expect: rename-table HIGH
ALTER TABLE IF EXISTS public.posts RENAME TO articles;

-- near misses: a column rename is another rule; a table created here; an index
ALTER TABLE accounts RENAME COLUMN email TO email_address;
CREATE TABLE drafts (id bigint PRIMARY KEY);
ALTER TABLE drafts RENAME TO draft_posts;
ALTER INDEX users_pkey RENAME TO accounts_pkey;
