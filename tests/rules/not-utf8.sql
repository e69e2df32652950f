-- expect-file: not-utf8 MEDIUM
CREATE TABLE t (name text DEFAULT 'café');
