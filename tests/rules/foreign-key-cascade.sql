-- test: history
CREATE TABLE users (id bigint PRIMARY KEY);
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint);
CREATE INDEX orders_user_id_idx ON orders (user_id);
-- test: up
-- expect: foreign-key-cascade MEDIUM
ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE NOT VALID;

-- on a table created here the cascade is part of the reviewed design: LOW
-- expect: foreign-key-cascade LOW
CREATE TABLE carts (id bigint PRIMARY KEY, user_id bigint REFERENCES users ON DELETE CASCADE);
CREATE INDEX carts_user_id_idx ON carts (user_id);

-- expect: foreign-key-cascade LOW
CREATE TABLE notes (id bigint PRIMARY KEY, order_id bigint,
	FOREIGN KEY (order_id) REFERENCES orders (id) ON DELETE CASCADE);
CREATE INDEX notes_order_id_idx ON notes (order_id);

-- near misses: RESTRICT, SET NULL, ON UPDATE CASCADE
CREATE TABLE lines (id bigint PRIMARY KEY, order_id bigint REFERENCES orders ON DELETE RESTRICT);
CREATE INDEX lines_order_id_idx ON lines (order_id);
CREATE TABLE gifts (id bigint PRIMARY KEY, user_id bigint REFERENCES users ON DELETE SET NULL ON UPDATE CASCADE);
CREATE INDEX gifts_user_id_idx ON gifts (user_id);
