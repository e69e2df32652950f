-- Reported by the app-code cross-check inside a repository only
-- (tests/t-xref-*.sh); with no application to read it never fires.
-- test: history
CREATE TABLE users (id bigint PRIMARY KEY, email text);
-- test: up
-- near miss: no application code to read
ALTER TABLE users ADD COLUMN tenant_id bigint NOT NULL;
-- near miss: no application code to read
ALTER TABLE users ALTER COLUMN email SET NOT NULL;
