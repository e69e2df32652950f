-- test: history
CREATE TABLE users (id bigint PRIMARY KEY, email text);
-- test: up
-- expect: reindex-nonconcurrent HIGH
REINDEX TABLE users;
REINDEX TABLE CONCURRENTLY users;
