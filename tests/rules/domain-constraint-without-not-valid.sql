-- test: history
CREATE DOMAIN price AS numeric;
-- test: up
-- expect: domain-constraint-without-not-valid HIGH
ALTER DOMAIN price ADD CONSTRAINT price_positive CHECK (VALUE >= 0);

-- near misses: NOT VALID, then VALIDATE; other domain changes
ALTER DOMAIN price ADD CONSTRAINT price_small CHECK (VALUE < 1000000) NOT VALID;
ALTER DOMAIN price VALIDATE CONSTRAINT price_small;
ALTER DOMAIN price SET DEFAULT 0;
