/*
 * parallel.c - the thread count and parallel_for() (see parallel.h).
 */
#include "parallel.h"
#include "heap.h"

#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#define MAX_THREADS 16
/* Items a thread takes at a time: few enough to share out a short loop. */
#define CHUNK 4

int parallel_threads(void)
{
	const char *env = getenv("SLUICE_THREADS");
	long n = env && *env ? strtol(env, NULL, 10) : sysconf(_SC_NPROCESSORS_ONLN);
	if (getenv("SLUICE_NO_PARSE_AHEAD"))
		return 1;
	return n < 1 ? 1 : n > MAX_THREADS ? MAX_THREADS : (int)n;
}

struct loop {
	size_t n, next;               /* next: the first item not yet taken (atomic) */
	void (*fn)(size_t i, void *data);
	void *data;
};

static void run_loop(struct loop *l)
{
	for (;;) {
		size_t b = __atomic_fetch_add(&l->next, CHUNK, __ATOMIC_RELAXED);
		if (b >= l->n)
			return;
		for (size_t i = b; i < b + CHUNK && i < l->n; i++)
			l->fn(i, l->data);
	}
}

static void *loop_thread(void *arg)
{
	heap_for_thread();
	run_loop(arg);
	return NULL;
}

void parallel_for(size_t n, int threads, void (*fn)(size_t i, void *data), void *data)
{
	struct loop l = { n, 0, fn, data };
	pthread_t t[MAX_THREADS];
	int started = 0;
	if (threads > MAX_THREADS)
		threads = MAX_THREADS;
	/* A thread per CHUNK items at most: a short loop is not worth one. */
	while (started + 1 < threads && (size_t)(started + 1) * CHUNK < n &&
	       !pthread_create(&t[started], NULL, loop_thread, &l))
		started++;
	run_loop(&l);
	for (int i = 0; i < started; i++)
		pthread_join(t[i], NULL);
}
