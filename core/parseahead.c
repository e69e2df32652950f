/*
 * parseahead.c - a bounded, ordered parse-ahead worker (see parseahead.h).
 *
 * One mutex and one condition variable guard two counters: `parsed` (how
 * many scripts the worker has finished) and `taken` (how many the judge has
 * taken). The worker waits while it is WINDOW ahead; the judge waits until
 * the script it needs is parsed. libpg_query keeps its memory per thread,
 * so parsing on the worker is safe while the judge parses PL/pgSQL bodies.
 */
#include "parseahead.h"
#include "judge.h"
#include "parse.h"
#include "util.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define WINDOW 64

struct parse_ahead {
	struct script *const *scripts;
	size_t n;
	struct file_report *slots;   /* WINDOW of them, indexed i % WINDOW */
	size_t parsed, taken;
	bool stop;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
};

_Thread_local struct parse_ahead *current_parse_ahead;


static void *worker(void *data)
{
	struct parse_ahead *pa = data;
	for (size_t i = 0; i < pa->n; i++) {
		pthread_mutex_lock(&pa->lock);
		while (!pa->stop && i >= pa->taken + WINDOW)
			pthread_cond_wait(&pa->cond, &pa->lock);
		bool stop = pa->stop;
		pthread_mutex_unlock(&pa->lock);
		if (stop)
			break;
		struct file_report *slot = &pa->slots[i % WINDOW];
		memset(slot, 0, sizeof(*slot));
		if (!script_refused(pa->scripts[i]))
			parse_script(pa->scripts[i], slot);
		pthread_mutex_lock(&pa->lock);
		pa->parsed = i + 1;
		pthread_cond_broadcast(&pa->cond);
		pthread_mutex_unlock(&pa->lock);
	}
	return NULL;
}

struct parse_ahead *parse_ahead_start(struct script *const *scripts, size_t n)
{
	struct parse_ahead *pa = xcalloc(1, sizeof(*pa));
	pa->scripts = scripts;
	pa->n = n;
	pa->slots = xcalloc(WINDOW, sizeof(*pa->slots));
	pthread_mutex_init(&pa->lock, NULL);
	pthread_cond_init(&pa->cond, NULL);
	if (pthread_create(&pa->thread, NULL, worker, pa)) {
		pthread_mutex_destroy(&pa->lock);
		pthread_cond_destroy(&pa->cond);
		free(pa->slots);
		free(pa);
		return NULL;
	}
	return pa;
}

bool parse_ahead_take(struct parse_ahead *pa, const struct script *sc, struct file_report *fr)
{
	if (!pa || pa->taken >= pa->n || pa->scripts[pa->taken] != sc)
		return false;
	pthread_mutex_lock(&pa->lock);
	while (pa->parsed <= pa->taken)
		pthread_cond_wait(&pa->cond, &pa->lock);
	struct file_report *slot = &pa->slots[pa->taken % WINDOW];
	fr->stmts = slot->stmts;
	fr->nr_stmts = slot->nr_stmts;
	fr->alloc_stmts = slot->alloc_stmts;
	memset(slot, 0, sizeof(*slot));
	pa->taken++;
	pthread_cond_broadcast(&pa->cond);
	pthread_mutex_unlock(&pa->lock);
	return true;
}

void parse_ahead_finish(struct parse_ahead *pa)
{
	if (!pa)
		return;
	pthread_mutex_lock(&pa->lock);
	pa->stop = true;
	pthread_cond_broadcast(&pa->cond);
	pthread_mutex_unlock(&pa->lock);
	pthread_join(pa->thread, NULL);
	/* Whatever was parsed and never taken. */
	for (size_t i = pa->taken; i < pa->parsed; i++)
		file_report_release(&pa->slots[i % WINDOW]);
	pthread_mutex_destroy(&pa->lock);
	pthread_cond_destroy(&pa->cond);
	free(pa->slots);
	free(pa);
}
