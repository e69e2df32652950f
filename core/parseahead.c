/*
 * parseahead.c - a bounded, ordered parse-ahead worker (see parseahead.h).
 *
 * One mutex and one condition variable guard two counters: `parsed` (how
 * many scripts the worker has finished) and `taken` (how many the judge has
 * taken). The worker waits while it is WINDOW ahead; the judge waits until
 * the script it needs is parsed. libpg_query keeps its memory per thread,
 * so parsing on the worker is safe while the judge parses PL/pgSQL bodies.
 *
 * The same lock guards the trash: parse trees the judge is done with.
 * Freeing a tree costs about what building it did, so whichever thread
 * would otherwise wait frees it: the worker when the window is full, the
 * judge when the script it needs is not parsed yet. Neither core idles
 * while the other has both jobs.
 */
#include "parseahead.h"
#include "judge.h"
#include "parse.h"
#include "util.h"

#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define WINDOW 64

struct parse_ahead {
	struct script *const *scripts;
	size_t n;
	struct file_report *slots;   /* WINDOW of them, indexed i % WINDOW */
	size_t parsed, taken;
	cJSON **trash;               /* trees to free, handed over by the judge */
	size_t nr_trash, alloc_trash;
	bool stop;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
};



static void free_trees(cJSON **trees, size_t n)
{
	for (size_t i = 0; i < n; i++)
		cJSON_Delete(trees[i]);
	free(trees);
}

/* May script i be parsed now (the window has room)? Under the lock. */
static bool may_parse(const struct parse_ahead *pa, size_t i)
{
	return i < pa->n && i < pa->taken + WINDOW;
}

/* Frees the trash there is, unlocking meanwhile. Under the lock. */
static void empty_trash(struct parse_ahead *pa)
{
	cJSON **trash = pa->trash;
	size_t n = pa->nr_trash;
	pa->trash = NULL;
	pa->nr_trash = pa->alloc_trash = 0;
	pthread_mutex_unlock(&pa->lock);
	free_trees(trash, n);
	pthread_mutex_lock(&pa->lock);
}

/*
 * Parses while the window has room, frees the trash while it has none,
 * until told to stop: after the last script it stays on for the trash.
 */
static void *worker(void *data)
{
	struct parse_ahead *pa = data;
	size_t i = 0;
	pthread_mutex_lock(&pa->lock);
	while (!pa->stop) {
		if (may_parse(pa, i)) {
			pthread_mutex_unlock(&pa->lock);
			struct file_report *slot = &pa->slots[i % WINDOW];
			memset(slot, 0, sizeof(*slot));
			if (!script_refused(pa->scripts[i]))
				parse_script(pa->scripts[i], slot);
			pthread_mutex_lock(&pa->lock);
			pa->parsed = ++i;
			pthread_cond_broadcast(&pa->cond);
		} else if (pa->nr_trash)
			empty_trash(pa);
		else
			pthread_cond_wait(&pa->cond, &pa->lock);
	}
	pthread_mutex_unlock(&pa->lock);
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
	while (pa->parsed <= pa->taken) {
		if (pa->nr_trash)
			empty_trash(pa);
		else
			pthread_cond_wait(&pa->cond, &pa->lock);
	}
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

void parse_ahead_discard(struct parse_ahead *pa, cJSON *const *trees, size_t n)
{
	if (!n)
		return;
	if (!pa) {
		for (size_t i = 0; i < n; i++)
			cJSON_Delete(trees[i]);
		return;
	}
	pthread_mutex_lock(&pa->lock);
	ALLOC_GROW(pa->trash, pa->nr_trash + n, pa->alloc_trash);
	memcpy(pa->trash + pa->nr_trash, trees, n * sizeof(*trees));
	pa->nr_trash += n;
	pthread_cond_broadcast(&pa->cond);
	pthread_mutex_unlock(&pa->lock);
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
	free_trees(pa->trash, pa->nr_trash);
	pthread_mutex_destroy(&pa->lock);
	pthread_cond_destroy(&pa->cond);
	free(pa->slots);
	free(pa);
}
