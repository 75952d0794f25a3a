#if defined(__linux__)
#define _DEFAULT_SOURCE 1 /* madvise, MADV_HUGEPAGE */
#endif
#include "allocator.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#if defined(__linux__)
#include <sys/mman.h>
#endif

static atomic_long fail_countdown = -1;
static atomic_ulong allocation_count = 0;
static atomic_long live_allocations = 0;

void pqnn_testing_fail_allocation_after(long count) {
  atomic_store(&fail_countdown, count);
}

unsigned long pqnn_testing_allocation_count(void) {
  return atomic_load(&allocation_count);
}

static bool injected_failure(void) {
  long c = atomic_load(&fail_countdown);
  while (c >= 0) {
    if (atomic_compare_exchange_weak(&fail_countdown, &c, c - 1)) {
      return c == 0;
    }
  }
  return false;
}

static void* allocate_aligned(size_t size, size_t alignment) {
  if (size == 0) {
    size = 1;
  }
  if (injected_failure()) {
    return NULL;
  }
  const size_t rounded = (size + alignment - 1) & ~(size_t) (alignment - 1);
  if (rounded < size) {
    return NULL;
  }
  void* ptr = aligned_alloc(alignment, rounded);
  if (ptr != NULL) {
    atomic_fetch_add(&allocation_count, 1);
    atomic_fetch_add(&live_allocations, 1);
  }
  return ptr;
}

void* pqnn_allocate(size_t size) {
  return allocate_aligned(size, PQNN_ALIGNMENT);
}

void* pqnn_allocate_streamed(size_t size) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  if (size >= PQNN_HUGE_PAGE_MIN) {
    const size_t huge = (size_t) 2 << 20;
    void* ptr = allocate_aligned(size, huge);
    if (ptr != NULL) {
      /* Advice only: refused where transparent huge pages are off, and then 4 KiB pages. */
      (void) madvise(ptr, (size + huge - 1) & ~(huge - 1), MADV_HUGEPAGE);
    }
    return ptr;
  }
#endif
  return allocate_aligned(size, PQNN_ALIGNMENT);
}

void* pqnn_allocate_zero(size_t size) {
  void* ptr = pqnn_allocate(size);
  if (ptr != NULL) {
    memset(ptr, 0, size == 0 ? 1 : size);
  }
  return ptr;
}

void pqnn_release(void* ptr) {
  if (ptr != NULL) {
    atomic_fetch_sub(&live_allocations, 1);
  }
  free(ptr);
}

long pqnn_testing_live_allocations(void) {
  return atomic_load(&live_allocations);
}
