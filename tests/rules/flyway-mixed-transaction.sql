-- test: fw=flyway
-- Discovery (core/discover/discover_layout.c) decides which Flyway files mix statements
-- Flyway runs outside a transaction with transactional ones; the findings are
-- tested on real repositories in tests/t-flyway-transactions.sh. Here, with no
-- such decision from discovery, nothing fires.
-- test: history
CREATE TABLE accounts (id bigint PRIMARY KEY, email text);
-- test: up
-- near miss: a Flyway file discovery did not mark as mixed
ALTER TABLE accounts ADD COLUMN age int;
CREATE INDEX CONCURRENTLY accounts_email ON accounts (email);
