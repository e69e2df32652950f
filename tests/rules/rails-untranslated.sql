-- A Rails migration call sluice cannot translate into SQL (core/discover/rails.c)
-- stands in the translated script as a statement that is not parsed; the
-- findings are tested on real repositories in tests/t-rails.sh. In a SQL
-- file nothing is translated, so nothing fires.
-- near miss: SQL that does not parse is parse-error's, not this rule's
CREATE TABLEX broken (id int);
-- near miss: a plain statement
CREATE TABLE ok_after (id int);
