/*
 * heap.c - the heap of a batch run, in huge pages (see heap.h).
 */
#include "heap.h"

#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#define HEAP_RESERVE ((size_t)64 << 20)
#define HUGE_PAGE ((uintptr_t)2 << 20)

/*
 * Kept for the run: see below. Reachable, so no leak to LeakSanitizer;
 * volatile, or the compiler drops a malloc whose block nothing reads.
 */
static void *volatile head;

void heap_for_batch(void)
{
	mallopt(M_ARENA_MAX, 1);
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
	mallopt(M_TOP_PAD, 128 << 10);   /* glibc's default */
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
