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
 * Call once, before any thread starts: one malloc arena for every thread
 * (a worker's own arena would be mapped without the advice), no memory
 * handed back to the kernel before exit, large blocks (report text) from
 * the heap rather than from mmap, and the next 64 MiB of heap reserved and
 * advised as huge pages. Harmless where there are none (THP "never").
 */
void heap_for_batch(void);

#endif
