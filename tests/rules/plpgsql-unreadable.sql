-- test: up
-- expect: plpgsql-unreadable HIGH
DO $$
BEGIN
  IF true THEN
    RAISE NOTICE 'no END IF';
END $$;
-- expect: plpgsql-unreadable HIGH
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
