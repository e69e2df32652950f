-- test: fw=dbmate
-- test: up
-- expect-file: down-empty MEDIUM
CREATE TABLE orders (id bigint PRIMARY KEY);
-- test: down
-- nothing to see here
/* really */
