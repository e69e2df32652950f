/*
 * stats.c - reading a statistics snapshot into the schema model (see
 * stats.h). Taking one needs a database: core/db_stats.c.
 */
#include "stats.h"
#include "judge.h"
#include "schema.h"
#include "settings.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* A snapshot lists every table of a database: a few MB at most. */
#define MAX_SNAPSHOT (64u << 20)

static int line_of(const char *text, const char *at)
{
	int line = 1;
	for (const char *p = text; p < at && *p; p++)
		line += *p == '\n';
	return line;
}

/* "taken_at": "2026-12-04T02:00:00Z" (UTC) -> time_t; -1 when malformed. */
static time_t parse_utc(const char *s)
{
	struct tm tm;
	memset(&tm, 0, sizeof(tm));
	char *end = s ? strptime(s, "%Y-%m-%dT%H:%M:%S", &tm) : NULL;
	if (!end || (*end && strcmp(end, "Z")))
		return -1;
	return timegm(&tm);
}

/* The field's number into *out; false with a message when it is missing or not one. */
static bool number_field(const cJSON *o, const char *key, bool required, double *out,
			 const char *path, size_t i, struct strbuf *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	if (!v && !required)
		return true;
	/* Bounded, so that no conversion to an integer overflows (1e15: a petabyte of rows). */
	if (!cJSON_IsNumber(v) || !(v->valuedouble >= -1 && v->valuedouble <= 1e15)) {
		strbuf_addf(err, "'%s': tables[%zu]: \"%s\" %s", path, i, key,
			    v ? "is not a number from -1 to 1e15" : "is missing");
		return false;
	}
	*out = v->valuedouble;
	return true;
}

static bool check_table(const cJSON *t, const char *path, size_t i, struct strbuf *err)
{
	static const char *const numbers[] = { "heap_bytes", "index_bytes", "inserts_per_s",
					       "updates_per_s", "deletes_per_s" };
	double d;
	if (!cJSON_IsObject(t)) {
		strbuf_addf(err, "'%s': tables[%zu] is not an object", path, i);
		return false;
	}
	for (const char *const *k = (const char *const[]){ "schema", "name", NULL }; *k; k++)
		if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(t, *k))) {
			strbuf_addf(err, "'%s': tables[%zu]: \"%s\" is not a string", path, i, *k);
			return false;
		}
	if (!number_field(t, "rows", true, &d, path, i, err))
		return false;
	for (size_t k = 0; k < ARRAY_SIZE(numbers); k++)
		if (!number_field(t, numbers[k], false, &d, path, i, err))
			return false;
	const cJSON *ix = cJSON_GetObjectItemCaseSensitive(t, "indexes");
	if (ix && !cJSON_IsArray(ix)) {
		strbuf_addf(err, "'%s': tables[%zu]: \"indexes\" is not an array", path, i);
		return false;
	}
	return true;
}

static bool check_snapshot(const cJSON *root, const char *path, struct strbuf *err)
{
	const cJSON *fmt = cJSON_GetObjectItemCaseSensitive(root, "sluice_stats");
	if (!cJSON_IsObject(root) || !cJSON_IsNumber(fmt)) {
		strbuf_addf(err, "'%s' is not a sluice statistics snapshot (no \"sluice_stats\" "
			    "format number; make one with 'sluice stats --db URL -o %s')", path, path);
		return false;
	}
	if (fmt->valuedouble > STATS_FORMAT || fmt->valuedouble < 1) {
		strbuf_addf(err, "'%s' is a snapshot in format %g, and this sluice reads format %d: "
			    "update sluice, or take the snapshot again with this one", path,
			    fmt->valuedouble, STATS_FORMAT);
		return false;
	}
	const cJSON *at = cJSON_GetObjectItemCaseSensitive(root, "taken_at");
	if (!cJSON_IsString(at) || parse_utc(at->valuestring) < 0) {
		strbuf_addf(err, "'%s': \"taken_at\" is not a UTC time like \"2026-01-31T02:00:00Z\"",
			    path);
		return false;
	}
	const cJSON *tables = cJSON_GetObjectItemCaseSensitive(root, "tables"), *t;
	if (!cJSON_IsArray(tables)) {
		strbuf_addf(err, "'%s': \"tables\" is not an array", path);
		return false;
	}
	size_t i = 0;
	cJSON_ArrayForEach(t, tables)
		if (!check_table(t, path, i++, err))
			return false;
	return true;
}

cJSON *stats_read(const char *path, struct strbuf *err)
{
	struct strbuf text = STRBUF_INIT;
	if (strbuf_read_file(&text, path, MAX_SNAPSHOT) < 0) {
		strbuf_addf(err, "cannot read statistics snapshot '%s': %s", path, strerror(errno));
		strbuf_release(&text);
		return NULL;
	}
	const char *end = NULL;
	cJSON *root = cJSON_ParseWithLengthOpts(text.buf, text.len, &end, false);
	if (!root) {
		strbuf_addf(err, "'%s':%d: not valid JSON (a sluice statistics snapshot is "
			    "written by 'sluice stats')", path,
			    line_of(text.buf, end ? end : text.buf));
	} else if (!check_snapshot(root, path, err)) {
		cJSON_Delete(root);
		root = NULL;
	}
	strbuf_release(&text);
	return root;
}

static double num(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsNumber(v) && v->valuedouble > 0 ? v->valuedouble : 0;
}

void stats_apply(const cJSON *snap, struct schema *s)
{
	const cJSON *t;
	cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(snap, "tables")) {
		const char *sch = cJSON_GetObjectItemCaseSensitive(t, "schema")->valuestring;
		const char *name = cJSON_GetObjectItemCaseSensitive(t, "name")->valuestring;
		/* The schema model's names: unqualified in public, as the history writes them. */
		char *key = strcmp(sch, "public") ? xstrfmt("%s.%s", sch, name) : xstrdup(name);
		double rows = cJSON_GetObjectItemCaseSensitive(t, "rows")->valuedouble;
		schema_set_stats(s, key, (long long)rows,
				 (long long)(num(t, "heap_bytes") + num(t, "index_bytes")));
		if (cJSON_GetObjectItemCaseSensitive(t, "inserts_per_s"))
			schema_set_write_rate(s, key, num(t, "inserts_per_s") + num(t, "updates_per_s") +
						      num(t, "deletes_per_s"));
		free(key);
	}
}

time_t stats_taken_at(const cJSON *snap)
{
	const cJSON *at = cJSON_GetObjectItemCaseSensitive(snap, "taken_at");
	time_t t = cJSON_IsString(at) ? parse_utc(at->valuestring) : -1;
	return t < 0 ? 0 : t;
}

/* A setting that must be a non-negative number; false (message in err) otherwise. */
static bool number_setting(const struct config *c, const char *key, const char *name, double *out,
			   struct strbuf *err)
{
	const char *v = config_get(c, key);
	char *end;
	if (!v)
		return true;
	errno = 0;
	double d = strtod(v, &end);
	if (!*v || *end || errno || !(d >= 0 && d <= 1e15)) {   /* not NaN, not huge */
		strbuf_addf(err, "%s (%s): '%s' is not a non-negative number", name,
			    config_origin(c, key), v);
		return false;
	}
	*out = d;
	return true;
}

int stats_settings(const struct config *c, struct judge_opts *o)
{
	static const struct {
		const char *key, *name;
	} keys[] = {
		{ "sluice.smalltablerows", "sluice.smallTableRows" },
		{ "sluice.largetablerows", "sluice.largeTableRows" },
		{ "sluice.blockerseconds", "sluice.blockerSeconds" },
		{ "sluice.hotwritespersecond", "sluice.hotWritesPerSecond" },
	};
	double v[] = { (double)o->small_rows, (double)o->large_rows, o->blocker_seconds,
		       o->hot_writes };
	struct strbuf err = STRBUF_INIT;
	int ret = 0;
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		if (!number_setting(c, keys[i].key, keys[i].name, &v[i], &err)) {
			ret = error("%s", err.buf);
			strbuf_reset(&err);
		}
	o->small_rows = (long long)v[0];
	o->large_rows = (long long)v[1];
	o->blocker_seconds = v[2];
	o->hot_writes = v[3];
	strbuf_release(&err);
	return ret;
}

int stats_load(const struct config *c, const char *path, const char *top, struct schema *s,
	       struct strbuf *err)
{
	double max_days = 30;
	char *owned = NULL;
	if (!path && (path = config_get(c, "sluice.stats")) && path[0] != '/' && top)
		path = owned = xstrfmt("%s%s%s", top, ends_with(top, "/") ? "" : "/", path);
	if (!path)
		return 0;
	if (!number_setting(c, "sluice.statsmaxage", "sluice.statsMaxAge", &max_days, err)) {
		free(owned);
		return -1;
	}
	cJSON *snap = stats_read(path, err);
	if (!snap) {
		free(owned);
		return -1;
	}
	stats_apply(snap, s);
	double age = difftime(time(NULL), stats_taken_at(snap)) / 86400;
	if (age > max_days)
		warning("the statistics snapshot '%s' was taken %.0f days ago (sluice.statsMaxAge is "
			"%g): table sizes may have grown since; take a new one with 'sluice stats'",
			path, age, max_days);
	cJSON_Delete(snap);
	free(owned);
	return 0;
}
