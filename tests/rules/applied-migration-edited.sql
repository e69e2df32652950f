-- Discovery in a git repository reports this rule: it needs the base
-- branch to know that a migration existed there and was edited
-- (tests/t-history-edited.sh shows it, for golang-migrate, Flyway and
-- sqlx). Judged alone a file has no history, so nothing here may fire it.
-- test: fw=golang-migrate
-- test: history
CREATE TABLE users (id bigint PRIMARY KEY);
-- test: up
-- near miss: a new migration, not an edited one
ALTER TABLE users ADD COLUMN name text;
