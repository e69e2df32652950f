CREATE TABLE ok_before (id int);
-- expect: parse-error HIGH
CREATE TABLEX broken (id int);
-- near miss: statements after an error still parse
CREATE TABLE ok_after (id int);
