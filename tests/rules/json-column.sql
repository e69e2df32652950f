-- test: history
CREATE TABLE users (id bigint PRIMARY KEY);
-- test: up
-- expect: json-column LOW
ALTER TABLE users ADD COLUMN settings json;
-- expect: json-column LOW
CREATE TABLE events (id bigint PRIMARY KEY, payload json NOT NULL, tags json[]);
-- near miss: jsonb
ALTER TABLE users ADD COLUMN prefs jsonb;
CREATE TABLE audits (id bigint PRIMARY KEY, body jsonb, note text);
-- near miss: a column named json is not of type json
ALTER TABLE users ADD COLUMN json text;
