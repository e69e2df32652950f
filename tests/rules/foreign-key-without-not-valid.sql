-- test: history
CREATE TABLE users (id bigint PRIMARY KEY);
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint, buyer_id bigint);
CREATE INDEX orders_user_id_idx ON orders (user_id);
CREATE INDEX orders_buyer_id_idx ON orders (buyer_id);
-- test: up
-- expect: foreign-key-without-not-valid HIGH
-- expect-lock: SHARE ROW EXCLUSIVE
-- expect-class: BLOCKING
ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);

-- inline REFERENCES on a new column still validates, under ACCESS EXCLUSIVE
-- expect: foreign-key-without-not-valid HIGH
-- expect-lock: ACCESS EXCLUSIVE
ALTER TABLE orders ADD COLUMN seller_id bigint REFERENCES users (id);
CREATE INDEX CONCURRENTLY orders_seller_id_idx ON orders (seller_id);

-- near miss: NOT VALID, then VALIDATE under SHARE UPDATE EXCLUSIVE
-- expect-lock: SHARE ROW EXCLUSIVE
-- expect-class: SAFE
ALTER TABLE orders ADD CONSTRAINT orders_buyer_fk FOREIGN KEY (buyer_id) REFERENCES users (id) NOT VALID;
-- expect-lock: SHARE UPDATE EXCLUSIVE
ALTER TABLE orders VALIDATE CONSTRAINT orders_buyer_fk;

-- near miss: a table created in this migration, across a BEGIN block
BEGIN;
CREATE TABLE payments (id bigint PRIMARY KEY, order_id bigint);
CREATE INDEX payments_order_id_idx ON payments (order_id);
COMMIT;
ALTER TABLE payments ADD CONSTRAINT payments_order_fk FOREIGN KEY (order_id) REFERENCES orders (id);
