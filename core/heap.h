/*
 * heap.h - the heap of a batch run, in huge pages.
 *
 * `sluice check` builds and drops some 20 MB of parse trees, statements
 * and report text on a large directory. Every 4 KiB page of it was first
 * touched through a page fault, and on the virtual machines CI and this
 * project run on a fault costs 10-20 us of the process's CPU: ~4,000 of
 * them on lemmy's 684 files were a third of its CPU time. The kernel backs
 * a region marked MADV_HUGEPAGE with 2 MiB pages, one fault each.
 */
#ifndef SLUICE_HEAP_H
#define SLUICE_HEAP_H

/*
 * Call once, before any thread starts: no memory handed back to the
 * kernel before exit, large blocks (report text) from the heap rather than
 * from mmap, the next 64 MiB of heap reserved and advised as huge pages,
 * and the heap grown by whole huge pages. Harmless where there are none
 * (THP "never").
 */
void heap_for_batch(void);

/*
 * Call first thing in every thread of a batch run (nothing otherwise):
 * the thread's own malloc arena, advised as huge pages too. Threads that
 * shared one arena took turns at its lock and pulled its bookkeeping from
 * each other's caches: with a parse worker beside the judge, malloc and
 * free were a quarter of the judge's time and the run was slower than on
 * one thread.
 */
void heap_for_thread(void);

#endif
