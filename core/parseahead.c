/*
 * parseahead.c - bounded, ordered parse-ahead workers (see parseahead.h).
 *
 * One mutex guards the counters: `claimed` (the
 * next script a worker may take up), `taken` (how many the judge has
 * taken) and, per slot, the index of the script parsed into it plus one
 * (`done`). Workers claim scripts in order and parse them in any order,
 * at most WINDOW ahead of the judge so memory stays bounded; the judge,
 * until the script it needs is done, claims and parses the next ones too,
 * and sleeps only when the window is full. Slot i % WINDOW belongs to
 * script i from its claim until the judge takes it, so no two threads
 * ever write one. libpg_query keeps its memory per thread, so parsing on
 * the workers is safe while the judge parses PL/pgSQL bodies.
 *
 * The same lock guards the trash: parse trees the judge is done with.
 * Freeing a tree costs about what building it did, so whichever thread
 * would otherwise wait frees it: a worker when the window is full, the
 * judge when the script it needs is not parsed yet and none is left to
 * parse. No core idles while there is either job.
 */
#include "parseahead.h"
#include "heap.h"
#include "judge.h"
#include "parse.h"
#include "parallel.h"
#include "util.h"

#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define WINDOW 64
#define MAX_WORKERS 16
/*
 * Trees: about a window's worth of statements. Whichever thread sees this
 * many waiting frees them before parsing more: when both were always busy
 * parsing, the trash was emptied only at the end, and peak RSS on 5,000
 * files swung between 91 and 150 MB from run to run.
 */
#define TRASH_BATCH 1024

struct parse_ahead {
	struct script *const *scripts;
	const bool *judged;          /* per script, or NULL: all */
	size_t n;
	struct file_report *slots;   /* WINDOW of them, indexed i % WINDOW */
	size_t *done;                /* per slot: 1 + the index of the script parsed into it */
	size_t claimed, taken;
	cJSON **trash;               /* trees to free, handed over by the judge */
	size_t nr_trash, alloc_trash;
	bool stop;
	size_t nr_threads;
	pthread_t threads[MAX_WORKERS];
	pthread_mutex_t lock;
	/* Each side is woken only when it waits and has cause: a wake-up per
	 * script for every thread cost more than the parsing it handed out. */
	pthread_cond_t ready;        /* the judge waits here for its script */
	pthread_cond_t room;         /* idle workers wait here for room or trash */
	bool judge_waits;
	size_t idle;                 /* workers waiting on `room` */
};

static void free_trees(cJSON **trees, size_t n)
{
	for (size_t i = 0; i < n; i++)
		cJSON_Delete(trees[i]);
	free(trees);
}

/* May a worker take up the next script now (the window has room)? Under the lock. */
static bool may_claim(const struct parse_ahead *pa)
{
	return pa->claimed < pa->n && pa->claimed < pa->taken + WINDOW;
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

/* Script i into its slot, and what judging it needs beside the schema. */
static void parse_one(struct parse_ahead *pa, size_t i, struct file_report *slot)
{
	if (script_refused(pa->scripts[i]))
		return;
	parse_script(pa->scripts[i], slot);
	if (!pa->judged || pa->judged[i])
		judge_prepare(slot);
}

/*
 * Claims the next script and parses it into its slot on this thread,
 * unlocking meanwhile; wakes the judge when it waits for this one. Under
 * the lock.
 */
static void parse_next(struct parse_ahead *pa)
{
	size_t i = pa->claimed++;
	struct file_report *slot = &pa->slots[i % WINDOW];
	pthread_mutex_unlock(&pa->lock);
	memset(slot, 0, sizeof(*slot));
	parse_one(pa, i, slot);
	pthread_mutex_lock(&pa->lock);
	pa->done[i % WINDOW] = i + 1;
	if (pa->judge_waits && i == pa->taken)
		pthread_cond_signal(&pa->ready);
}

/*
 * One job, if there is one, for any thread (a worker, or the judge while
 * the script it needs is not ready): a full trash first (see
 * TRASH_BATCH), else the next script while the window has room, else what
 * trash there is. False when there is nothing to do. Under the lock.
 */
static bool do_one_job(struct parse_ahead *pa)
{
	if (pa->nr_trash >= TRASH_BATCH)
		empty_trash(pa);
	else if (may_claim(pa))
		parse_next(pa);
	else if (pa->nr_trash)
		empty_trash(pa);
	else
		return false;
	return true;
}

/* Works until told to stop: after the last script it stays on for the trash. */
static void *worker(void *data)
{
	struct parse_ahead *pa = data;
	pthread_setname_np(pthread_self(), "sluice-parse");
	heap_for_thread();
	pthread_mutex_lock(&pa->lock);
	while (!pa->stop) {
		if (!do_one_job(pa)) {
			pa->idle++;
			pthread_cond_wait(&pa->room, &pa->lock);
			pa->idle--;
		}
	}
	pthread_mutex_unlock(&pa->lock);
	return NULL;
}

static void destroy(struct parse_ahead *pa)
{
	pthread_mutex_destroy(&pa->lock);
	pthread_cond_destroy(&pa->ready);
	pthread_cond_destroy(&pa->room);
	free(pa->slots);
	free(pa->done);
	free(pa);
}

struct parse_ahead *parse_ahead_start(struct script *const *scripts, const bool *judged,
				      size_t n, int threads)
{
	struct parse_ahead *pa = xcalloc(1, sizeof(*pa));
	pa->scripts = scripts;
	pa->judged = judged;
	pa->n = n;
	pa->slots = xcalloc(WINDOW, sizeof(*pa->slots));
	pa->done = xcalloc(WINDOW, sizeof(*pa->done));
	pthread_mutex_init(&pa->lock, NULL);
	pthread_cond_init(&pa->ready, NULL);
	pthread_cond_init(&pa->room, NULL);
	/* The judge is one of the `threads`: it parses too, when it would wait. */
	for (int t = 1; t < threads && t <= MAX_WORKERS; t++) {
		if (pthread_create(&pa->threads[pa->nr_threads], NULL, worker, pa))
			break;
		pa->nr_threads++;
	}
	return pa;
}

/*
 * Wakes the idle workers when there is a batch for them: half a window of
 * room, or a pile of trash; or, when the judge is about to wait, any work.
 * Under the lock.
 */
static void wake_workers(struct parse_ahead *pa, bool judge_waiting)
{
	size_t room = pa->taken + WINDOW - pa->claimed, left = pa->n - pa->claimed;
	size_t batch = left < WINDOW / 2 ? left : WINDOW / 2;
	if (!pa->idle)
		return;
	if ((batch && room >= batch) || pa->nr_trash >= TRASH_BATCH ||
	    (judge_waiting && (may_claim(pa) || pa->nr_trash)))
		pthread_cond_broadcast(&pa->room);
}

/*
 * Is sc the next script to take? Then waits until it is parsed, parsing
 * the next unclaimed script meanwhile rather than sleep (with no worker,
 * that is sc itself): a judge asleep had to be woken, which on a loaded
 * machine took milliseconds when the workers held both cores, and a
 * thread that sleeps gives its core's work to no one. Takes and leaves
 * the lock.
 */
static bool wait_next(struct parse_ahead *pa, const struct script *sc)
{
	if (!pa || pa->taken >= pa->n || pa->scripts[pa->taken] != sc)
		return false;
	pthread_mutex_lock(&pa->lock);
	while (pa->done[pa->taken % WINDOW] != pa->taken + 1) {
		if (!do_one_job(pa)) {
			wake_workers(pa, true);
			pa->judge_waits = true;
			pthread_cond_wait(&pa->ready, &pa->lock);
			pa->judge_waits = false;
		}
	}
	return true;
}

bool parse_ahead_take(struct parse_ahead *pa, const struct script *sc, struct file_report *fr)
{
	if (!wait_next(pa, sc))
		return false;
	struct file_report *slot = &pa->slots[pa->taken % WINDOW];
	fr->stmts = slot->stmts;
	fr->nr_stmts = slot->nr_stmts;
	fr->alloc_stmts = slot->alloc_stmts;
	memset(slot, 0, sizeof(*slot));
	pa->taken++;
	wake_workers(pa, false);
	pthread_mutex_unlock(&pa->lock);
	return true;
}

const struct file_report *parse_ahead_peek(struct parse_ahead *pa, const struct script *sc)
{
	if (!wait_next(pa, sc))
		return NULL;
	/* Script `taken` keeps its slot until taken: no worker writes it meanwhile. */
	const struct file_report *slot = &pa->slots[pa->taken % WINDOW];
	pthread_mutex_unlock(&pa->lock);
	return slot;
}

void parse_ahead_discard(struct parse_ahead *pa, cJSON *const *trees, size_t n)
{
	if (!n)
		return;
	if (!pa || !pa->nr_threads) {
		for (size_t i = 0; i < n; i++)
			cJSON_Delete(trees[i]);
		return;
	}
	pthread_mutex_lock(&pa->lock);
	ALLOC_GROW(pa->trash, pa->nr_trash + n, pa->alloc_trash);
	memcpy(pa->trash + pa->nr_trash, trees, n * sizeof(*trees));
	pa->nr_trash += n;
	wake_workers(pa, false);
	pthread_mutex_unlock(&pa->lock);
}

void parse_ahead_finish(struct parse_ahead *pa)
{
	if (!pa)
		return;
	pthread_mutex_lock(&pa->lock);
	pa->stop = true;
	pthread_cond_broadcast(&pa->room);
	pthread_mutex_unlock(&pa->lock);
	for (size_t t = 0; t < pa->nr_threads; t++)
		pthread_join(pa->threads[t], NULL);
	/* Whatever was parsed and never taken. */
	for (size_t i = pa->taken; i < pa->claimed; i++)
		file_report_release(&pa->slots[i % WINDOW]);
	free_trees(pa->trash, pa->nr_trash);
	destroy(pa);
}
