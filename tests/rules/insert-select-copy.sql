-- test: history
CREATE TABLE users (id bigint PRIMARY KEY, email text);
CREATE TABLE countries (code text PRIMARY KEY);
-- test: rows countries=250
-- test: up
CREATE TABLE users_v2 (id bigint PRIMARY KEY, email text);
-- expect: insert-select-copy MEDIUM
INSERT INTO users_v2 (id, email) SELECT id, email FROM users;
-- near miss: batched copy
INSERT INTO users_v2 (id, email) SELECT id, email FROM users WHERE id > 0 ORDER BY id LIMIT 5000;
-- near miss: a small source table
CREATE TABLE countries_v2 (code text);
INSERT INTO countries_v2 SELECT code FROM countries;
-- near miss: values, and a select with no table
INSERT INTO users_v2 VALUES (1, 'a');
INSERT INTO users_v2 SELECT 2, 'b';
-- near miss: copying from a table created here
INSERT INTO countries_v2 SELECT email FROM users_v2;
