-- test: history
CREATE TABLE users (id bigint PRIMARY KEY, email text, legacy text, old_flag boolean);
-- test: branch
CREATE TABLE invites (id bigint PRIMARY KEY, code text, note text);
-- test: up
-- expect: drop-column HIGH
-- expect-class: DESTRUCTIVE
-- expect-lock: ACCESS EXCLUSIVE
ALTER TABLE users DROP COLUMN legacy;

-- expect: drop-column HIGH
ALTER TABLE users DROP COLUMN IF EXISTS old_flag CASCADE;

-- squawk's name for it works in an ignore
-- squawk-ignore ban-drop-column -- nothing has read it since v2
-- expect-ignored: drop-column
ALTER TABLE users DROP COLUMN email;

-- near miss: a column of a table created in this migration
CREATE TABLE drafts (id bigint PRIMARY KEY, scratch text);
ALTER TABLE drafts DROP COLUMN scratch;

-- near miss: dropping a default or a constraint keeps the data
ALTER TABLE users ALTER COLUMN email DROP DEFAULT;

-- near miss: a column of a table created earlier on this branch holds no data
ALTER TABLE invites DROP COLUMN note;
-- test: down
-- near miss: down migrations undo their up, dropping what it added
ALTER TABLE users DROP COLUMN email;
