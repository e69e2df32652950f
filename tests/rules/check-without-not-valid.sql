-- test: history
CREATE TABLE orders (id bigint PRIMARY KEY, total numeric, state text);
-- test: branch
CREATE TABLE invites (id bigint PRIMARY KEY, uses int);
-- test: up
-- expect: check-without-not-valid HIGH
-- expect-lock: ACCESS EXCLUSIVE
-- expect-class: BLOCKING
ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total >= 0);

-- expect: check-without-not-valid HIGH
ALTER TABLE orders ADD COLUMN qty int CHECK (qty > 0);

-- near miss: NOT VALID and a later VALIDATE
-- expect-class: SAFE
ALTER TABLE orders ADD CONSTRAINT orders_state_known CHECK (state IN ('new', 'paid')) NOT VALID;
-- expect-lock: SHARE UPDATE EXCLUSIVE
ALTER TABLE orders VALIDATE CONSTRAINT orders_state_known;

-- near miss: a table created in this migration
CREATE TABLE refunds (id bigint PRIMARY KEY, amount numeric);
ALTER TABLE refunds ADD CONSTRAINT refunds_amount_positive CHECK (amount > 0);

-- near miss: created in an earlier BEGIN block of this migration
BEGIN;
CREATE TABLE credits (id bigint PRIMARY KEY, amount numeric);
COMMIT;
BEGIN;
ALTER TABLE credits ADD CONSTRAINT credits_amount_positive CHECK (amount > 0);
COMMIT;

-- near miss: a constraint on a table created earlier on this branch checks no rows
ALTER TABLE invites ADD CONSTRAINT invites_uses_positive CHECK (uses >= 0);
