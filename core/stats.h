/*
 * stats.h - table sizes without production credentials.
 *
 * `sluice stats --db URL` writes a snapshot of a live database's
 * catalogue statistics (core/db/db_stats.c): per table its estimated rows,
 * heap and index bytes and write rates, per index its size and validity.
 * No data, no query text. `sluice check --stats FILE` (or sluice.stats,
 * e.g. a committed .sluice/stats.json refreshed by a nightly job) loads it
 * into the schema model, and severities scale exactly as with --db.
 * Tables absent from the snapshot stay unknown, not small.
 *
 * The format ("sluice_stats": 1):
 *   { "sluice_stats": 1, "taken_at": "2026-12-04T02:00:00Z",
 *     "server_version": "15.8",
 *     "tables": [ { "schema": "public", "name": "orders", "rows": 23000000,
 *                   "heap_bytes": N, "index_bytes": N, "inserts_per_s": x,
 *                   "updates_per_s": x, "deletes_per_s": x,
 *                   "indexes": [ { "name": "orders_pkey", "bytes": N,
 *                                  "valid": true } ] } ] }
 */
#ifndef SLUICE_STATS_H
#define SLUICE_STATS_H

#include <time.h>
#include "util.h"

struct config;
struct judge_opts;
struct schema;
struct cJSON;

#define STATS_FORMAT 1

struct db;
/* Takes a snapshot from a live database (core/db/db_stats.c); NULL with the message in db->err. */
struct cJSON *stats_take(struct db *db);

/*
 * Reads and checks a snapshot. Returns the tree (cJSON_Delete it), or NULL
 * with a message naming the file in *err: unreadable, not JSON (with the
 * line), a newer format, a field of the wrong type.
 */
struct cJSON *stats_read(const char *path, struct strbuf *err);
/* Its tables into the schema model: rows, bytes, write rates. */
void stats_apply(const struct cJSON *snap, struct schema *s);
/* When it was taken (0 when unknown). */
time_t stats_taken_at(const struct cJSON *snap);

/*
 * The size settings into the judge's options: sluice.smallTableRows,
 * sluice.largeTableRows, sluice.blockerSeconds, sluice.hotWritesPerSecond.
 * -1 (message printed) for a value that is not a number.
 */
int stats_settings(const struct config *c, struct judge_opts *o);

/*
 * Loads `path` (or, when NULL, sluice.stats relative to `top`, the
 * repository's work tree or NULL) into `s`, warning when it is older than
 * sluice.statsMaxAge days (30). 0 when loaded or nothing to load, -1 with
 * the message in *err.
 */
int stats_load(const struct config *c, const char *path, const char *top, struct schema *s,
	       struct strbuf *err);

#endif
