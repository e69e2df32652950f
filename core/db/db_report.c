/*
 * db_report.c - what the live database's statistics add to a report: the
 * row count of each statement's table and an estimate of how long the
 * statement holds its lock (see db.h).
 *
 * The estimate is core/estimate.c's, the one the findings' messages carry.
 */
#include "db.h"
#include "estimate.h"
#include "model.h"
#include "report.h"
#include "schema.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <string.h>

#define MB (1024.0 * 1024.0)

double db_estimate_lock_seconds(const struct stmt *st, const struct table_def *t)
{
	if (!t || st->lock == LOCK_NONE)
		return -1;
	return lock_estimate_seconds(st, t);
}

static const struct table_def *table_of(const struct stmt *st, const struct schema *s)
{
	const struct table_def *t = st->table ? schema_table(s, st->table) : NULL;
	return t && t->rows >= 0 ? t : NULL;
}

void db_annotate_json(cJSON *root, const struct report *r, const struct schema *s)
{
	cJSON *files = cJSON_GetObjectItem(root, "files");
	for (size_t f = 0; f < r->nr && f < (size_t)cJSON_GetArraySize(files); f++) {
		cJSON *sts = cJSON_GetObjectItem(cJSON_GetArrayItem(files, (int)f), "statements");
		const struct file_report *fr = &r->files[f];
		for (size_t k = 0; k < fr->nr_stmts && k < (size_t)cJSON_GetArraySize(sts); k++) {
			cJSON *js = cJSON_GetArrayItem(sts, (int)k);
			const struct table_def *t = table_of(&fr->stmts[k], s);
			double est = db_estimate_lock_seconds(&fr->stmts[k], t);
			if (t)
				cJSON_AddNumberToObject(js, "rows", (double)t->rows);
			else
				cJSON_AddNullToObject(js, "rows");
			if (est >= 0)
				cJSON_AddNumberToObject(js, "estimated_lock_seconds", est);
			else
				cJSON_AddNullToObject(js, "estimated_lock_seconds");
		}
	}
}

static void human_bytes(struct strbuf *sb, long long b)
{
	if (b >= 1 << 30)
		strbuf_addf(sb, "%.1f GB", b / (MB * 1024));
	else if (b >= 1 << 20)
		strbuf_addf(sb, "%.1f MB", b / MB);
	else
		strbuf_addf(sb, "%lld kB", b / 1024);
}

bool db_describe_stats(const struct stmt *st, const struct schema *s, struct strbuf *out)
{
	const struct table_def *t = table_of(st, s);
	struct strbuf n = STRBUF_INIT;
	if (!t)
		return false;
	strbuf_addf(out, "%s has %lld rows (", printable(&n, st->table), t->rows);
	human_bytes(out, t->bytes);
	strbuf_addf(out, "); %s", lock_name(st->lock));
	double est = db_estimate_lock_seconds(st, t);
	if (est >= 0)
		strbuf_addf(out, " held for ~%g s", est);
	strbuf_release(&n);
	return true;
}

void db_print_stats(FILE *out, const struct report *r, const struct schema *s, const char *from)
{
	bool header = false;
	struct strbuf sb = STRBUF_INIT, p = STRBUF_INIT;
	for (size_t f = 0; f < r->nr; f++) {
		const struct file_report *fr = &r->files[f];
		for (size_t k = 0; k < fr->nr_stmts; k++) {
			const struct stmt *st = &fr->stmts[k];
			strbuf_reset(&sb);
			if (!db_describe_stats(st, s, &sb))
				continue;
			if (!header)
				fprintf(out, "\nstatistics from %s:\n", from);
			header = true;
			fprintf(out, "  %s:%d: %s\n", printable(&p, fr->path), st->line, sb.buf);
		}
	}
	strbuf_release(&sb);
	strbuf_release(&p);
}
