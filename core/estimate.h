/*
 * estimate.h - how long a statement holds its lock on a table of known
 * size: rows times a per-row cost for the work done under the lock (a
 * scan, a rewrite, an index build, an unbatched update), calibrated on
 * the test server (figures in estimate.c and the README).
 */
#ifndef SLUICE_ESTIMATE_H
#define SLUICE_ESTIMATE_H

#include "util.h"

struct stmt;
struct table_def;

/* Seconds, two significant digits; -1 when the table's row count is unknown. */
double lock_estimate_seconds(const struct stmt *st, const struct table_def *t);

/* "~4 min under ACCESS EXCLUSIVE on orders (23M rows, 9.1 GB)"; nothing when unknown. */
void lock_estimate_describe(struct strbuf *sb, const struct stmt *st, const struct table_def *t);

/* "23M rows, 9.1 GB" (the size left out when unknown). */
void table_size_describe(struct strbuf *sb, const struct table_def *t);

#endif
