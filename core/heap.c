/*
 * heap.c - the heap of a batch run, in huge pages (see heap.h).
 */
#include "heap.h"

#include <malloc.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#define HEAP_RESERVE ((size_t)64 << 20)
#define HUGE_PAGE ((uintptr_t)2 << 20)
/*
 * What a heap grows by at a time. A thread's arena is a 64 MiB mapping
 * that glibc makes writable as it grows, by what each malloc needs; the
 * kernel backs a 2 MiB range with a huge page only when all of it is
 * writable, so an arena grown page by page got none. glibc makes an
 * arena's first `top pad` bytes writable when it creates it: with the pad
 * at 64 MiB, that is all of it (address space only: nothing is touched).
 */
#define GROW_PAD ((int)HEAP_RESERVE)
/* glibc's HEAP_MAX_SIZE on 64-bit: a thread arena's mapping, aligned to it. */
#define ARENA_HEAP ((uintptr_t)64 << 20)

static bool batch;

/* Under a sanitizer malloc is the sanitizer's: there are no glibc arenas to advise. */
#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define SLUICE_SANITIZED 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SLUICE_SANITIZED 1
#endif
#ifdef SLUICE_SANITIZED
static const bool sanitized = true;
#else
static const bool sanitized = false;
#endif

/*
 * Kept for the run: see below. Reachable, so no leak to LeakSanitizer;
 * volatile, or the compiler drops a malloc whose block nothing reads.
 */
static void *volatile head;

void heap_for_batch(void)
{
	batch = true;
	mallopt(M_TRIM_THRESHOLD, (int)(HEAP_RESERVE * 4));
	mallopt(M_MMAP_THRESHOLD, (int)(HEAP_RESERVE / 2));
	mallopt(M_TOP_PAD, (int)HEAP_RESERVE);
	/*
	 * One byte more than the top of the heap holds: sbrk() by that and
	 * the pad. The new top's header is written just past the old break,
	 * below the first huge page; a page touched before the advice would
	 * keep its 2 MiB range in small pages.
	 */
	uintptr_t lo = (uintptr_t)sbrk(0) + 4096;
	void *volatile p = malloc(mallinfo2().keepcost + 1);    /* volatile: not optimised away */
	uintptr_t top = (uintptr_t)p - 2 * sizeof(size_t);     /* its chunk: where the top starts */
	free(p);
	uintptr_t hi = (uintptr_t)sbrk(0) & ~(HUGE_PAGE - 1);
	mallopt(M_TOP_PAD, GROW_PAD);
	lo = (lo + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
	if (hi <= lo)
		return;
	madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
	/*
	 * The heap below the first huge page is small pages: up to 2 MiB,
	 * 1 MiB on average, a fault per 4 KiB of what discovery reads. One
	 * block, kept for the run and never touched, takes it from the top,
	 * so that the run's data starts at the first huge page.
	 */
	if (p && lo > top + HUGE_PAGE / 64 && lo - top < 2 * HUGE_PAGE)
		head = malloc(lo - top - sizeof(size_t));
}

/*
 * The thread arenas seen so far, and a block kept for the run in each (as
 * `head` is). A thread that ends leaves its arena to the next one started:
 * the 20 threads that read 5,000 files share one, which must be set up once
 * (a kept block per thread took 2 MiB of huge page each).
 */
#define MAX_ARENAS 64
static struct {
	uintptr_t base;
	void *kept;
} arenas[MAX_ARENAS];
static size_t nr_arenas;
static pthread_mutex_t arenas_lock = PTHREAD_MUTEX_INITIALIZER;

/* Records the arena at `base`; false when it was already, or there is no room. */
static bool first_sight(uintptr_t base)
{
	bool first = nr_arenas < MAX_ARENAS;
	for (size_t i = 0; first && i < nr_arenas; i++)
		first = arenas[i].base != base;
	if (first)
		arenas[nr_arenas++].base = base;
	return first;
}

void heap_for_thread(void)
{
	extern char end;        /* the end of the program's data: the break starts above */
	if (!batch || sanitized)
		return;
	/* The thread's first malloc gives it an arena of its own (glibc allows 8 a CPU). */
	void *volatile p = malloc(1);
	uintptr_t a = (uintptr_t)p;
	if (!p || (a >= (uintptr_t)&end && a < (uintptr_t)sbrk(0))) {
		free(p);
		return;         /* the main arena: there was no other to be had */
	}
	uintptr_t base = a & ~(ARENA_HEAP - 1);
	pthread_mutex_lock(&arenas_lock);
	if (first_sight(base)) {
		madvise((void *)base, ARENA_HEAP, MADV_HUGEPAGE);
		/*
		 * The arena's first 2 MiB were touched before the advice (glibc's
		 * bookkeeping at its start) and stay small pages: a block kept
		 * for the run and never touched takes the rest of them, as in
		 * heap_for_batch().
		 */
		if (base + HUGE_PAGE > a + 256)
			arenas[nr_arenas - 1].kept = malloc(base + HUGE_PAGE - a - 256);
	}
	pthread_mutex_unlock(&arenas_lock);
	free(p);
}
