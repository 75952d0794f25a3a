#if defined(__linux__)
#define _DEFAULT_SOURCE 1 /* madvise, MADV_HUGEPAGE */
#endif
#include "allocator.h"

#include <pthread.h>
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

#if defined(__linux__) && defined(MADV_HUGEPAGE)
/* Streamed buffers of PQNN_SLAB_MIN bytes or more are carved, 64-byte aligned, one after
 * the other out of slabs: 2 MiB-aligned blocks of whole 2 MiB pages, advised
 * MADV_HUGEPAGE. A buffer that fits in no slab's unused tail gets a new slab of its size
 * rounded up to 2 MiB (so it starts 2 MiB aligned), whose tail the next buffers fill. Space
 * is not reused within a slab; a slab is freed when its last buffer is released. */
struct slab {
  char* base;
  size_t size;
  size_t used;
  size_t live;
  struct slab* next;
};

static pthread_mutex_t slab_mutex = PTHREAD_MUTEX_INITIALIZER;
static struct slab* slabs = NULL;

static void* carve_from_slab(size_t size) {
  const size_t huge = (size_t) 2 << 20;
  const size_t need = (size + PQNN_ALIGNMENT - 1) & ~(size_t) (PQNN_ALIGNMENT - 1);
  const size_t bytes = (need + huge - 1) & ~(huge - 1);
  if (need < size || bytes < need) {
    return NULL;
  }
  void* ptr = NULL;
  pthread_mutex_lock(&slab_mutex);
  struct slab* s = slabs;
  while (s != NULL && s->size - s->used < need) {
    s = s->next;
  }
  if (s == NULL) {
    s = (struct slab*) malloc(sizeof(struct slab));
    char* base = s != NULL ? (char*) aligned_alloc(huge, bytes) : NULL;
    if (base == NULL) {
      free(s);
      s = NULL;
    } else {
      /* Advice only: refused where transparent huge pages are off, and then 4 KiB pages. */
      (void) madvise(base, bytes, MADV_HUGEPAGE);
      *s = (struct slab){.base = base, .size = bytes, .used = 0, .live = 0, .next = slabs};
      slabs = s;
    }
  }
  if (s != NULL) {
    ptr = s->base + s->used;
    s->used += need;
    s->live++;
  }
  pthread_mutex_unlock(&slab_mutex);
  return ptr;
}

/* Releases ptr if a slab holds it (and the slab with its last buffer). */
static bool release_to_slab(void* ptr) {
  bool found = false;
  pthread_mutex_lock(&slab_mutex);
  for (struct slab** link = &slabs; *link != NULL; link = &(*link)->next) {
    struct slab* s = *link;
    if ((char*) ptr >= s->base && (char*) ptr < s->base + s->size) {
      found = true;
      if (--s->live == 0) {
        *link = s->next;
        free(s->base);
        free(s);
      }
      break;
    }
  }
  pthread_mutex_unlock(&slab_mutex);
  return found;
}
#endif

void* pqnn_allocate_streamed(size_t size) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  if (size >= PQNN_SLAB_MIN) {
    if (injected_failure()) {
      return NULL;
    }
    void* ptr = carve_from_slab(size);
    if (ptr != NULL) {
      atomic_fetch_add(&allocation_count, 1);
      atomic_fetch_add(&live_allocations, 1);
    }
    return ptr;
  }
#endif
  return allocate_aligned(size, PQNN_ALIGNMENT);
}

void pqnn_release_streamed(void* ptr) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  if (ptr != NULL && release_to_slab(ptr)) {
    atomic_fetch_sub(&live_allocations, 1);
    return;
  }
#endif
  pqnn_release(ptr);
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
