-- test: history
CREATE TABLE orders (id bigint PRIMARY KEY, total numeric);
CREATE MATERIALIZED VIEW order_totals AS SELECT sum(total) AS s FROM orders;
-- test: up
-- expect: refresh-matview-nonconcurrent HIGH
-- expect-lock: ACCESS EXCLUSIVE
REFRESH MATERIALIZED VIEW order_totals;
-- near miss: CONCURRENTLY lets reads go on
REFRESH MATERIALIZED VIEW CONCURRENTLY order_totals;
-- near miss: WITH NO DATA empties the view without running its query
REFRESH MATERIALIZED VIEW order_totals WITH NO DATA;
-- near miss: a view created in this migration has no readers yet
CREATE MATERIALIZED VIEW order_ids AS SELECT id FROM orders WITH NO DATA;
REFRESH MATERIALIZED VIEW order_ids;
