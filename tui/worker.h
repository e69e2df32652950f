/*
 * worker.h - slow work on a thread of its own, its result taken on the
 * main thread.
 *
 * Scanning a repository, computing drift and running a draft on the shadow
 * database each take from a fraction of a second to many, and may wait on
 * a server that never answers; the workbench must keep taking keys. Each
 * is a struct worker: run() on the thread, then the thread writes a byte
 * to a pipe the event loop watches, and finished() takes the result on the
 * main thread after the join. The job passed to worker_start() belongs to
 * the thread until finished() is called with it, so nothing is locked.
 */
#ifndef SLUICE_TUI_WORKER_H
#define SLUICE_TUI_WORKER_H

#include <pthread.h>
#include <stdbool.h>

struct worker {
	const char *name;              /* "scan", "drift": for messages */
	void (*run)(void *job);        /* on the worker thread */
	void (*finished)(void *job);   /* on the main thread, once the thread is joined */
	/* Private. */
	void *job;
	pthread_t thread;
	int pipe[2];
	bool busy;
};

#define WORKER_INIT(n, r, f) { .name = (n), .run = (r), .finished = (f), .pipe = { -1, -1 } }

/* Starts run(job) on a new thread; dies if no thread can be made. The worker must be idle. */
void worker_start(struct worker *w, void *job);
bool worker_busy(const struct worker *w);
/* Blocks until the running job has finished (and finished() ran); at once when idle. */
void worker_wait(struct worker *w);
/* Waits, then gives the pipe back. */
void worker_release(struct worker *w);

#endif
