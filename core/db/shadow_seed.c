/*
 * shadow_seed.c - generated rows for the shadow's tables (see db.h).
 *
 * The work is one DO block run on the scratch database: it reads the
 * catalogue there (which is the truth, whatever the history's SQL looked
 * like), orders the tables so that a parent is seeded before the tables
 * that reference it, and builds one INSERT ... SELECT ... FROM
 * generate_series per table. Its verdict per table lands in a temporary
 * table that the C side reads back.
 */
#include "db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* %d: the row count. Every '%' PL/pgSQL needs is written '%%'. */
static const char seed_block[] =
"DO $sluice_seed$\n"
"DECLARE\n"
"    n CONSTANT int := %d;\n"
"    pending oid[];\n"
"    tbl oid;\n"
"    progress bool;\n"
"    c record;\n"
"    fk record;\n"
"    pk int2[];\n"
"    cols text; vals text; nulls text; expr text; ovr text; q text;\n"
"    ok bool;\n"
"BEGIN\n"
"    CREATE TEMP TABLE IF NOT EXISTS sluice_seeded (rel text, seeded bool, why text);\n"
"    pending := ARRAY(SELECT k.oid FROM pg_class k JOIN pg_namespace s ON s.oid = k.relnamespace\n"
"        WHERE k.relkind IN ('r', 'p') AND NOT k.relispartition\n"
"          AND s.nspname NOT IN ('pg_catalog', 'information_schema')\n"
"          AND s.nspname NOT LIKE 'pg_%%' ORDER BY k.oid);\n"
"    LOOP\n"
"        progress := false;\n"
"        FOREACH tbl IN ARRAY pending LOOP\n"
"            -- a parent still waiting: later\n"
"            CONTINUE WHEN EXISTS (SELECT FROM pg_constraint f WHERE f.conrelid = tbl\n"
"                AND f.contype = 'f' AND f.confrelid <> tbl AND f.confrelid = ANY (pending));\n"
"            pending := array_remove(pending, tbl);\n"
"            progress := true;\n"
"            SELECT conkey INTO pk FROM pg_constraint WHERE conrelid = tbl AND contype = 'p';\n"
"            cols := ''; vals := ''; nulls := ''; ovr := '';\n"
"            FOR c IN SELECT a.attnum, a.attname, a.attnotnull, a.atthasdef, a.attidentity,\n"
"                    a.attgenerated, format_type(a.atttypid, a.atttypmod) AS ty, t.typname,\n"
"                    t.typcategory, t.typtype\n"
"                FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid\n"
"                WHERE a.attrelid = tbl AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum\n"
"            LOOP\n"
"                CONTINUE WHEN c.attgenerated <> '';\n"
"                SELECT f.confrelid, r.attname AS refcol INTO fk FROM pg_constraint f\n"
"                    JOIN pg_attribute r ON r.attrelid = f.confrelid AND r.attnum = f.confkey[1]\n"
"                    WHERE f.conrelid = tbl AND f.contype = 'f' AND f.conkey = ARRAY[c.attnum] LIMIT 1;\n"
"                IF NOT FOUND AND c.attname LIKE '%%\\_id' THEN\n"
"                    -- org_id and no foreign key (yet): the keys of orgs, as a later one will want\n"
"                    SELECT k.oid AS confrelid, r.attname AS refcol INTO fk FROM pg_class k\n"
"                        JOIN pg_constraint p ON p.conrelid = k.oid AND p.contype = 'p'\n"
"                            AND cardinality(p.conkey) = 1\n"
"                        JOIN pg_attribute r ON r.attrelid = k.oid AND r.attnum = p.conkey[1]\n"
"                        WHERE k.relkind IN ('r', 'p') AND k.oid <> tbl AND k.relname IN\n"
"                            (left(c.attname, -3), left(c.attname, -3) || 's', left(c.attname, -3) || 'es')\n"
"                        LIMIT 1;\n"
"                END IF;\n"
"                expr := NULL;\n"
"                IF FOUND THEN\n"
"                    IF fk.confrelid = tbl THEN\n"
"                        expr := 'NULL';\n"
"                    ELSE\n"
"                        expr := format('(SELECT %%1$I FROM %%2$s ORDER BY %%1$I OFFSET (g %%%% '\n"
"                            '(SELECT greatest(count(*), 1) FROM %%2$s)) LIMIT 1)', fk.refcol,\n"
"                            fk.confrelid::regclass);\n"
"                    END IF;\n"
"                ELSIF c.typcategory = 'N' AND pk = ARRAY[c.attnum] AND c.typname IN ('int2', 'int4', 'int8') THEN\n"
"                    -- sparse keys, as an old busy table has them\n"
"                    expr := CASE c.typname WHEN 'int2' THEN '(g * 7)' ELSE '(g * 37)' END;\n"
"                    IF c.attidentity = 'a' THEN ovr := ' OVERRIDING SYSTEM VALUE'; END IF;\n"
"                ELSIF c.atthasdef OR c.attidentity <> '' THEN\n"
"                    CONTINUE;\n"
"                ELSIF c.typname = 'uuid' THEN\n"
"                    expr := format('md5(%%L || g)::uuid', tbl::regclass::text);\n"
"                ELSIF c.typname = 'bool' THEN\n"
"                    expr := '(g %% 2 = 0)';\n"
"                ELSIF c.typcategory = 'N' THEN\n"
"                    expr := format('(CASE WHEN %%L THEN g ELSE g %%%% 100 + 1 END)::%%s',\n"
"                        pk @> ARRAY[c.attnum], c.ty);\n"
"                ELSIF c.typcategory = 'S' THEN\n"
"                    expr := format('(''v'' || g)::%%s', c.ty);\n"
"                ELSIF c.typname IN ('timestamp', 'timestamptz') THEN\n"
"                    expr := format('(timestamp ''2024-01-01'' + g * interval ''1 minute'')::%%s', c.ty);\n"
"                ELSIF c.typname = 'date' THEN\n"
"                    expr := '(date ''2024-01-01'' + g)';\n"
"                ELSIF c.typname IN ('time', 'timetz') THEN\n"
"                    expr := format('(time ''00:00'' + g * interval ''1 second'')::%%s', c.ty);\n"
"                ELSIF c.typname = 'interval' THEN\n"
"                    expr := '(g * interval ''1 second'')';\n"
"                ELSIF c.typtype = 'e' THEN\n"
"                    expr := format('(enum_range(NULL::%%1$s))[1 + g %%%% cardinality(enum_range(NULL::%%1$s))]', c.ty);\n"
"                ELSIF c.typname IN ('json', 'jsonb') THEN\n"
"                    expr := format('jsonb_build_object(''n'', g)::%%s', c.ty);\n"
"                ELSIF c.typname = 'bytea' THEN\n"
"                    expr := 'decode(md5(g::text), ''hex'')';\n"
"                ELSIF c.typname IN ('inet', 'cidr') THEN\n"
"                    expr := format('(''10.'' || (g / 65536) %%%% 256 || ''.'' || (g / 256) %%%% 256 || ''.'' || g %%%% 256)::%%s', c.ty);\n"
"                ELSIF c.typcategory = 'A' THEN\n"
"                    expr := format('''{}''::%%s', c.ty);\n"
"                ELSIF NOT c.attnotnull THEN\n"
"                    expr := 'NULL';\n"
"                END IF;\n"
"                IF expr IS NULL THEN\n"
"                    expr := format('NULL::%%s', c.ty);  -- a type sluice cannot make: NOT NULL will say so\n"
"                END IF;\n"
"                cols := cols || CASE WHEN cols = '' THEN '' ELSE ', ' END || quote_ident(c.attname);\n"
"                vals := vals || CASE WHEN vals = '' THEN '' ELSE ', ' END || expr;\n"
"                nulls := nulls || CASE WHEN nulls = '' THEN '' ELSE ', ' END ||\n"
"                    CASE WHEN c.attnotnull OR pk @> ARRAY[c.attnum] OR fk.confrelid IS NOT NULL\n"
"                         THEN expr ELSE 'NULL' END;\n"
"            END LOOP;\n"
"            ok := false;\n"
"            -- all values; then, when a CHECK or UNIQUE refuses them, nullable columns NULL\n"
"            FOREACH q IN ARRAY ARRAY[vals, nulls] LOOP\n"
"                BEGIN\n"
"                    IF cols = '' THEN\n"
"                        EXECUTE format('INSERT INTO %%s SELECT FROM generate_series(1, %%s) g', tbl::regclass, n);\n"
"                    ELSE\n"
"                        EXECUTE format('INSERT INTO %%s (%%s)%%s SELECT %%s FROM generate_series(1, %%s) g',\n"
"                            tbl::regclass, cols, ovr, q, n);\n"
"                    END IF;\n"
"                    ok := true;\n"
"                    EXIT;\n"
"                EXCEPTION WHEN others THEN\n"
"                    IF q = nulls THEN\n"
"                        INSERT INTO sluice_seeded VALUES (tbl::regclass::text, false, SQLERRM);\n"
"                    END IF;\n"
"                END;\n"
"            END LOOP;\n"
"            IF ok THEN\n"
"                INSERT INTO sluice_seeded VALUES (tbl::regclass::text, true, NULL);\n"
"                -- the next INSERT of the application gets a key after the seeded ones\n"
"                FOR c IN SELECT a.attname, pg_get_serial_sequence(tbl::regclass::text, a.attname) AS s\n"
"                    FROM pg_attribute a WHERE a.attrelid = tbl AND a.attnum > 0 AND NOT a.attisdropped\n"
"                LOOP\n"
"                    IF c.s IS NOT NULL THEN\n"
"                        EXECUTE format('SELECT setval(%%L, (SELECT coalesce(max(%%I), 0) + 1 FROM %%s), false)',\n"
"                            c.s, c.attname, tbl::regclass);\n"
"                    END IF;\n"
"                END LOOP;\n"
"                EXECUTE format('ANALYZE %%s', tbl::regclass);\n"
"            END IF;\n"
"        END LOOP;\n"
"        EXIT WHEN NOT progress OR cardinality(pending) = 0;\n"
"    END LOOP;\n"
"    FOREACH tbl IN ARRAY pending LOOP\n"
"        INSERT INTO sluice_seeded VALUES (tbl::regclass::text, false, 'foreign keys in a cycle');\n"
"    END LOOP;\n"
"END\n"
"$sluice_seed$";

int shadow_seed(struct shadow *sh, int rows, struct seed_result *out)
{
	char sql[sizeof(seed_block) + 16];
	memset(out, 0, sizeof(*out));
	strbuf_init(&out->skipped, 0);
	if (rows <= 0)
		return 0;
	snprintf(sql, sizeof(sql), seed_block, rows);
	if (db_exec(sh->db, sql) < 0)
		return -1;
	struct pg_result *res = db_query(sh->db, "SELECT rel, seeded, coalesce(why, '') FROM sluice_seeded "
					 "ORDER BY rel", 0, NULL);
	if (!res)
		return -1;
	for (int i = 0; i < db_rows(res); i++) {
		if (!strcmp(db_value(res, i, 1), "t")) {
			out->tables++;
			continue;
		}
		out->empty++;
		strbuf_addf(&out->skipped, "%s%s (%s)", out->skipped.len ? ", " : "", db_value(res, i, 0),
			    db_value(res, i, 2));
	}
	db_free(res);
	return db_exec(sh->db, "DROP TABLE IF EXISTS sluice_seeded");
}

void seed_result_release(struct seed_result *r)
{
	strbuf_release(&r->skipped);
}
