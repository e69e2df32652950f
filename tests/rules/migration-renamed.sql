-- Discovery in a git repository reports this rule: git's rename detection
-- against the merge-base says which applied migration a file was
-- (tests/t-discover-renamed.sh shows it). Judged alone, a file has no old
-- name, so nothing here may fire it.
-- test: fw=golang-migrate
-- test: history
CREATE TABLE users (id bigint PRIMARY KEY);
-- test: up
-- near miss: a new migration, not a renamed one
CREATE TABLE orders (id bigint PRIMARY KEY);
-- test: down
-- near miss: down scripts are not judged for it either
DROP TABLE orders;
