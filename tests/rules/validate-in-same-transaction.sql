-- test: history
CREATE TABLE users (id bigint PRIMARY KEY, email text, age int);
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint);
-- test: up
BEGIN;
ALTER TABLE users ADD CONSTRAINT users_age_pos CHECK (age > 0) NOT VALID;
-- expect: validate-in-same-transaction HIGH
ALTER TABLE users VALIDATE CONSTRAINT users_age_pos;
ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;
-- expect: validate-in-same-transaction HIGH
ALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk;
COMMIT;
-- near miss: added NOT VALID in the transaction above, validated in its own
ALTER TABLE users ADD CONSTRAINT users_email_nn CHECK (email IS NOT NULL) NOT VALID;
ALTER TABLE users VALIDATE CONSTRAINT users_email_nn;
BEGIN;
ALTER TABLE users ADD CONSTRAINT users_id_pos CHECK (id > 0) NOT VALID;
COMMIT;
BEGIN;
ALTER TABLE users VALIDATE CONSTRAINT users_id_pos;
COMMIT;
-- near miss: another constraint's name
BEGIN;
ALTER TABLE users ADD CONSTRAINT users_a CHECK (age < 200) NOT VALID;
ALTER TABLE users VALIDATE CONSTRAINT users_age_pos;
COMMIT;
