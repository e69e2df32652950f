/*
 * parallel.h - how many threads to judge with, and a loop run on them.
 *
 * Judging walks the migrations in order (the schema model advances
 * statement by statement), but what needs nothing from the files before
 * it (parsing a script, core/parseahead.c; printing a file's report,
 * core/report.c) runs on every core. The result never depends on how many
 * threads ran: tests/t-speed-identical.sh compares 1 with several.
 */
#ifndef SLUICE_PARALLEL_H
#define SLUICE_PARALLEL_H

#include <stddef.h>

/*
 * SLUICE_THREADS when set (1: everything on the calling thread), else the
 * number of online CPUs; 1 when SLUICE_NO_PARSE_AHEAD is set. At most 16.
 */
int parallel_threads(void);
/*
 * Calls fn(i, data) once for every i < n, on up to `threads` threads, the
 * caller's among them, in no particular order; returns when all are done.
 * fn must touch only what belongs to its i (and what no one writes).
 */
void parallel_for(size_t n, int threads, void (*fn)(size_t i, void *data), void *data);

#endif
