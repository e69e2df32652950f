-- test: up
-- expect: plpgsql-unreadable MEDIUM
DO $$
BEGIN
  IF true THEN
    RAISE NOTICE 'no END IF';
END $$;
-- expect: plpgsql-unreadable MEDIUM
CREATE FUNCTION broken() RETURNS void LANGUAGE plpgsql AS $$ BEGIN SELEC 1; END $$;
-- near miss: valid bodies, %ROWTYPE and all
CREATE TABLE users (id bigint PRIMARY KEY);
CREATE FUNCTION ok() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE r users%ROWTYPE;
BEGIN
  SELECT * INTO r FROM users WHERE id = NEW.id;
  RETURN NEW;
END $$;
DO $$ BEGIN PERFORM 1; END $$;
-- near miss: SQL-language bodies are not PL/pgSQL
CREATE FUNCTION one() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;
DO LANGUAGE plpgsql $$ BEGIN NULL; END $$;
-- Bodies PostgreSQL 15 accepts that libpg_query alone does not: tests/t-plpgsql-valid.sh
-- runs the lines between "psql: begin" and "psql: end" on the test server.
-- psql: begin
-- near miss: RETURN NEXT; with no expression in a RETURNS TABLE function
CREATE FUNCTION pairs() RETURNS TABLE (a int, b text) LANGUAGE plpgsql AS $$
BEGIN
  a := 1; b := 'x';
  RETURN NEXT;
  FOR i IN 2..3 LOOP
    a := i;
    RETURN NEXT;
  END LOOP;
  RETURN;
END $$;
-- near miss: ... with OUT parameters, and RETURN; with INOUT
CREATE FUNCTION outs(OUT a int, OUT b int) RETURNS SETOF record LANGUAGE plpgsql AS $$
BEGIN
  a := 1; b := 2;
  RETURN NEXT;
END $$;
CREATE FUNCTION one_out(INOUT a int) LANGUAGE plpgsql AS $$
BEGIN
  a := a + 1;
  RETURN;
END $$;
-- near miss: variables declared with a collation
CREATE FUNCTION collated() RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  x text COLLATE "C" := 'b';
  y varchar(20) COLLATE pg_catalog."default";
BEGIN
  y := x;
  RETURN x || y;
END $$;
DO $$
DECLARE z text COLLATE "C";
BEGIN
  z := 'a';
  PERFORM count(*) FROM users;
END $$;
-- psql: end
-- expect: plpgsql-unreadable MEDIUM
CREATE FUNCTION still_broken(OUT a int) LANGUAGE plpgsql AS $$ BEGIN IF true THEN a := 1; END $$;
