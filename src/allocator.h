/* Every allocation of the library goes through these functions, so that tests can
 * inject a failure at any allocation point (pqnn_testing_fail_allocation_after). */
#ifndef PQNN_ALLOCATOR_H_
#define PQNN_ALLOCATOR_H_

#include <stddef.h>

#include "common.h"

/* 64-byte aligned, uninitialized; NULL on failure or size == 0 overflow. */
PQNN_INTERNAL void* pqnn_allocate(size_t size);
/* 64-byte aligned, zero-filled (every page touched now, not at run). */
PQNN_INTERNAL void* pqnn_allocate_zero(size_t size);
/* For large, long-lived, streamed buffers (packed weights): from PQNN_SLAB_MIN bytes on
 * Linux, carved out of shared slabs of whole 2 MiB pages advised MADV_HUGEPAGE
 * (src/allocator.c), so that the GEMMs stream them through 2 MiB pages: one core reads
 * 4 KiB pages at about 60% of the rate (the TLB and the hardware prefetchers stop at every
 * page; docs/qd8-4bit.md), and a network's 1x1 layers read their weights from L3 a few
 * percent slower (docs/benchmarks.md, MobileNet v1). A buffer of 2 MiB or more starts
 * 2 MiB aligned; smaller ones share a slab with their neighbours instead of each padding a
 * page of its own. Otherwise (and where the advice is refused: 4 KiB pages) as
 * pqnn_allocate. Released by pqnn_release_streamed only. */
#define PQNN_SLAB_MIN ((size_t) 512 << 10)
PQNN_INTERNAL void* pqnn_allocate_streamed(size_t size);
/* Releases a pqnn_allocate_streamed buffer (or, as pqnn_release, any other; NULL: no-op). */
PQNN_INTERNAL void pqnn_release_streamed(void* ptr);
PQNN_INTERNAL void pqnn_release(void* ptr);

/* Testing hook: the next `count` allocations succeed, the one after fails, then all
 * succeed again. count < 0 disables injection. Returns the allocations made so far. */
PQNN_INTERNAL void pqnn_testing_fail_allocation_after(long count);
PQNN_INTERNAL unsigned long pqnn_testing_allocation_count(void);
/* Testing hook: allocations made and not yet released (leak checks in plain builds). */
PQNN_INTERNAL long pqnn_testing_live_allocations(void);

#endif  /* PQNN_ALLOCATOR_H_ */
