/*
 * db_stats.c - taking a statistics snapshot from a live database (see
 * stats.h): catalogue queries only, on the read-only connection. No data
 * and no query text leave the server: sizes, estimated row counts and the
 * write counters of pg_stat_user_tables.
 */
#include "db.h"
#include "stats.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

/*
 * reltuples is the planner's estimate, kept by VACUUM and ANALYZE (-1
 * before the first one since PostgreSQL 14, 0 before that). n_live_tup is
 * the statistics collector's running count, which lags and can even count
 * twice (CREATE TABLE AS then ANALYZE), so it only stands in when the
 * table was never analysed.
 */
static const char tables_sql[] =
	"SELECT c.oid, n.nspname, c.relname,"
	"       CASE WHEN c.reltuples > 0 THEN c.reltuples::bigint ELSE COALESCE(s.n_live_tup, 0) END,"
	"       pg_table_size(c.oid), pg_indexes_size(c.oid),"
	"       COALESCE(s.n_tup_ins, 0), COALESCE(s.n_tup_upd, 0), COALESCE(s.n_tup_del, 0)"
	"  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
	"  LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid"
	" WHERE c.relkind IN ('r', 'p', 'm')"
	"   AND n.nspname NOT IN ('pg_catalog', 'information_schema')"
	"   AND n.nspname NOT LIKE 'pg_toast%'"
	" ORDER BY c.oid";

static const char indexes_sql[] =
	"SELECT i.indrelid, c.relname, pg_relation_size(c.oid), i.indisvalid"
	"  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
	"  JOIN pg_namespace n ON n.oid = c.relnamespace"
	" WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')"
	"   AND n.nspname NOT LIKE 'pg_toast%'"
	" ORDER BY i.indrelid, c.relname";

/* The time, the server's version and the seconds the write counters cover. */
static const char header_sql[] =
	"SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
	"       current_setting('server_version'),"
	"       GREATEST(1, EXTRACT(epoch FROM now() - COALESCE("
	"           (SELECT stats_reset FROM pg_stat_database WHERE datname = current_database()),"
	"           pg_postmaster_start_time())))";

static double cell(struct pg_result *r, int row, int col)
{
	return strtod(db_value(r, row, col), NULL);
}

static double rate(double count, double seconds)
{
	/* Three decimals: enough for "hot", and stable in a committed file. */
	return (double)(long long)(count / seconds * 1000 + 0.5) / 1000;
}

static cJSON *table_json(struct pg_result *t, int i, double seconds)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "schema", db_value(t, i, 1));
	cJSON_AddStringToObject(o, "name", db_value(t, i, 2));
	cJSON_AddNumberToObject(o, "rows", cell(t, i, 3));
	cJSON_AddNumberToObject(o, "heap_bytes", cell(t, i, 4));
	cJSON_AddNumberToObject(o, "index_bytes", cell(t, i, 5));
	cJSON_AddNumberToObject(o, "inserts_per_s", rate(cell(t, i, 6), seconds));
	cJSON_AddNumberToObject(o, "updates_per_s", rate(cell(t, i, 7), seconds));
	cJSON_AddNumberToObject(o, "deletes_per_s", rate(cell(t, i, 8), seconds));
	return o;
}

static cJSON *index_json(struct pg_result *x, int k)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "name", db_value(x, k, 1));
	cJSON_AddNumberToObject(o, "bytes", cell(x, k, 2));
	cJSON_AddBoolToObject(o, "valid", !strcmp(db_value(x, k, 3), "t"));
	return o;
}

/* Both results are ordered by the table's oid: one merge walk pairs them. */
static void add_tables(cJSON *arr, struct pg_result *t, struct pg_result *x, double seconds)
{
	int k = 0, nx = db_rows(x);
	for (int i = 0; i < db_rows(t); i++) {
		cJSON *o = table_json(t, i, seconds);
		cJSON *ix = cJSON_AddArrayToObject(o, "indexes");
		double oid = cell(t, i, 0);
		while (k < nx && cell(x, k, 0) < oid)
			k++;
		for (; k < nx && cell(x, k, 0) == oid; k++)
			cJSON_AddItemToArray(ix, index_json(x, k));
		cJSON_AddItemToArray(arr, o);
	}
}

cJSON *stats_take(struct db *db)
{
	struct pg_result *h = NULL, *t = NULL, *x = NULL;
	cJSON *root = NULL;
	if (!(h = db_query(db, header_sql, 0, NULL)) || !(t = db_query(db, tables_sql, 0, NULL)) ||
	    !(x = db_query(db, indexes_sql, 0, NULL)))
		goto out;
	root = cJSON_CreateObject();
	cJSON_AddNumberToObject(root, "sluice_stats", STATS_FORMAT);
	cJSON_AddStringToObject(root, "taken_at", db_value(h, 0, 0));
	cJSON_AddStringToObject(root, "server_version", db_value(h, 0, 1));
	add_tables(cJSON_AddArrayToObject(root, "tables"), t, x, cell(h, 0, 2));
out:
	db_free(h);
	db_free(t);
	db_free(x);
	return root;
}
