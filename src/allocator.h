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
PQNN_INTERNAL void pqnn_release(void* ptr);

/* Testing hook: the next `count` allocations succeed, the one after fails, then all
 * succeed again. count < 0 disables injection. Returns the allocations made so far. */
PQNN_INTERNAL void pqnn_testing_fail_allocation_after(long count);
PQNN_INTERNAL unsigned long pqnn_testing_allocation_count(void);
/* Testing hook: allocations made and not yet released (leak checks in plain builds). */
PQNN_INTERNAL long pqnn_testing_live_allocations(void);

#endif  /* PQNN_ALLOCATOR_H_ */
