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
/* For large, long-lived, streamed buffers (packed weights): from PQNN_HUGE_PAGE_MIN bytes
 * on Linux, 2 MiB aligned and madvise(MADV_HUGEPAGE)d, so that a batch-1 GEMV streams
 * them through 2 MiB pages (one core reads 4 KiB pages at about 60% of the rate: the TLB and
 * the hardware prefetchers stop at every page; docs/qd8-4bit.md); otherwise (and where the
 * advice is refused) as pqnn_allocate. Released by pqnn_release. */
#define PQNN_HUGE_PAGE_MIN ((size_t) 4 << 20)
PQNN_INTERNAL void* pqnn_allocate_streamed(size_t size);
PQNN_INTERNAL void pqnn_release(void* ptr);

/* Testing hook: the next `count` allocations succeed, the one after fails, then all
 * succeed again. count < 0 disables injection. Returns the allocations made so far. */
PQNN_INTERNAL void pqnn_testing_fail_allocation_after(long count);
PQNN_INTERNAL unsigned long pqnn_testing_allocation_count(void);
/* Testing hook: allocations made and not yet released (leak checks in plain builds). */
PQNN_INTERNAL long pqnn_testing_live_allocations(void);

#endif  /* PQNN_ALLOCATOR_H_ */
