CREATE TABLE t (a int);
/* unterminated
DROP TABLE t;
