-- test: history
CREATE TABLE users (id bigint PRIMARY KEY);
CREATE TABLE sessions (id bigint PRIMARY KEY);
-- test: up
-- expect: truncate-table HIGH
-- expect-class: DESTRUCTIVE
-- expect-lock: ACCESS EXCLUSIVE
TRUNCATE sessions;

-- squawk-ignore ban-truncate-cascade -- checked: nothing references users
-- expect-ignored: truncate-table
TRUNCATE TABLE users CASCADE;

-- expect: truncate-table BLOCKER
TRUNCATE users, sessions CASCADE;

-- near miss: a table created in this migration
CREATE TABLE staging (id bigint PRIMARY KEY);
TRUNCATE staging;
