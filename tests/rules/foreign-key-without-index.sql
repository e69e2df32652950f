-- test: history
CREATE TABLE users (id bigint PRIMARY KEY);
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint, shop_id bigint, region text);
CREATE INDEX orders_shop_region_idx ON orders (region, shop_id);
CREATE TABLE shops (id bigint, region text, PRIMARY KEY (id, region));
-- test: up
-- expect: foreign-key-without-index MEDIUM
ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;

-- expect: foreign-key-without-index MEDIUM
CREATE TABLE carts (id bigint PRIMARY KEY, user_id bigint REFERENCES users);

-- near miss: a composite key covered by an index in another column order
ALTER TABLE orders ADD CONSTRAINT orders_shop_fk FOREIGN KEY (shop_id, region) REFERENCES shops (id, region) NOT VALID;

-- near miss: the index is created later in the same migration
CREATE TABLE payments (id bigint PRIMARY KEY, order_id bigint REFERENCES orders);
CREATE INDEX payments_order_id_idx ON payments (order_id);

-- near miss: the referencing column leads the primary key
CREATE TABLE profiles (user_id bigint PRIMARY KEY REFERENCES users);

-- near miss: leads a composite unique constraint
CREATE TABLE memberships (user_id bigint REFERENCES users, shop_id bigint, UNIQUE (user_id, shop_id));
