/*
 * estimate.c - the lock-time estimate (see estimate.h).
 *
 * The per-row costs were measured on the test server (PostgreSQL 15,
 * fsync off, a 2-core machine shared with other jobs) on a 1,000,000-row
 * table of (int, int, md5 text, timestamptz), 81 MB, with two indexes:
 *
 *   sequential scan (count with a filter)          0.29 s   0.3 us/row
 *   VALIDATE CONSTRAINT (CHECK), SET NOT NULL      0.21-0.23 s
 *   CREATE INDEX on the text column                4.4 s    4.5 us/row
 *   CREATE INDEX on an int column                  1.6 s
 *   ALTER COLUMN id TYPE bigint (rewrite, 2 idx)   7.8 s    8 us/row
 *   UPDATE of every row (2 indexes)                45 s     45 us/row
 *   VALIDATE CONSTRAINT (FOREIGN KEY, 1,000-row
 *   parent)                                        0.76 s   0.8 us/row
 *   ADD PRIMARY KEY (builds its index)             3.2 s    (index build)
 *   VACUUM FULL (heap and 4 indexes)               13 s     (a rewrite)
 *
 * The conservative figure of each kind is used: an estimate is an order of
 * magnitude, to tell "a blink" from "minutes", not a promise. A production
 * server is faster per row but busier; wider rows cost more.
 */
#include "estimate.h"
#include "model.h"
#include "schema.h"

#include <ctype.h>
#include <math.h>
#include <string.h>

#define US_SCAN     0.3
#define US_INDEX    4.5
#define US_REWRITE  8.0
#define US_UPDATE   45.0
#define US_FK       0.8

static bool kind_is(const struct stmt *st, const char *kind)
{
	return st->kind && !strcmp(st->kind, kind);
}

/* Does the statement's text name `word` (upper case), in any case? */
static bool sql_names(const struct stmt *st, const char *word)
{
	size_t n = strlen(word);
	for (const char *p = st->sql; p && *p; p++) {
		size_t i = 0;
		while (i < n && toupper((unsigned char)p[i]) == word[i])
			i++;
		if (i == n)
			return true;
	}
	return false;
}

/* An ALTER TABLE that builds an index under its lock (the tree may be gone: read the text). */
static bool builds_index(const struct stmt *st)
{
	return kind_is(st, "AlterTableStmt") &&
	       (sql_names(st, "PRIMARY KEY") || sql_names(st, "UNIQUE") || sql_names(st, "EXCLUDE"));
}

static double per_row_us(const struct stmt *st)
{
	if (st->rewrite)
		return US_REWRITE;
	if (kind_is(st, "UpdateStmt") || kind_is(st, "DeleteStmt") || kind_is(st, "DoStmt"))
		return US_UPDATE;
	if (kind_is(st, "IndexStmt") || kind_is(st, "ReindexStmt"))
		return US_INDEX;
	if (builds_index(st))
		return US_INDEX;
	if (st->scan)
		return sql_names(st, "REFERENCES") ? US_FK : US_SCAN;
	return 0;
}

double lock_estimate_seconds(const struct stmt *st, const struct table_def *t)
{
	if (!t || t->rows < 0)
		return -1;
	double secs = (double)t->rows * per_row_us(st) / 1e6;
	if (secs < 0.001)
		return 0.001;   /* catalogue-only: instant once the lock is granted */
	double mag = pow(10, floor(log10(secs)) - 1);
	return round(secs / mag) * mag;
}

static void add_count(struct strbuf *sb, long long n)
{
	if (n >= 1000000000)
		strbuf_addf(sb, "%.1fG", n / 1e9);
	else if (n >= 10000000)
		strbuf_addf(sb, "%lldM", (n + 500000) / 1000000);
	else if (n >= 1000000)
		strbuf_addf(sb, "%.1fM", n / 1e6);
	else if (n >= 10000)
		strbuf_addf(sb, "%lldk", (n + 500) / 1000);
	else
		strbuf_addf(sb, "%lld", n);
}

static void add_bytes(struct strbuf *sb, long long b)
{
	const double mb = 1024.0 * 1024.0;
	if (b >= 1LL << 30)
		strbuf_addf(sb, "%.1f GB", b / (mb * 1024));
	else if (b >= 1LL << 20)
		strbuf_addf(sb, "%.1f MB", b / mb);
	else
		strbuf_addf(sb, "%lld kB", b / 1024);
}

void table_size_describe(struct strbuf *sb, const struct table_def *t)
{
	add_count(sb, t->rows);
	strbuf_addstr(sb, t->rows == 1 ? " row" : " rows");
	if (t->bytes >= 0) {
		strbuf_addstr(sb, ", ");
		add_bytes(sb, t->bytes);
	}
}

static void add_duration(struct strbuf *sb, double secs)
{
	if (secs < 1)
		strbuf_addstr(sb, "<1 s");
	else if (secs < 90)
		strbuf_addf(sb, "%.0f s", secs);
	else if (secs < 90 * 60)
		strbuf_addf(sb, "%.0f min", secs / 60);
	else
		strbuf_addf(sb, "%.1f h", secs / 3600);
}

void lock_estimate_describe(struct strbuf *sb, const struct stmt *st, const struct table_def *t)
{
	double secs = lock_estimate_seconds(st, t);
	struct strbuf n = STRBUF_INIT;
	if (secs < 0)
		return;
	strbuf_addch(sb, '~');
	add_duration(sb, secs);
	strbuf_addf(sb, " under %s on %s (", lock_name(st->lock), printable(&n, t->name));
	table_size_describe(sb, t);
	strbuf_addch(sb, ')');
	strbuf_release(&n);
}
