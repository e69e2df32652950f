CREATE TABLE ok_before (id int);
-- expect: parse-error MEDIUM
CREATE TABLEX broken (id int);
-- near miss: statements after an error still parse
CREATE TABLE ok_after (id int);
-- valid PostgreSQL 16-18 that PostgreSQL 15's grammar cannot read: not judged, MEDIUM
-- (tests/t-parse-honesty.sh checks the messages)
-- expect: parse-error MEDIUM
ALTER TABLE ok_after ADD CONSTRAINT ok_after_id_nn NOT NULL id NOT VALID;
-- expect: parse-error MEDIUM
CREATE TABLE gen (a int, b int GENERATED ALWAYS AS (a * 2) VIRTUAL);
