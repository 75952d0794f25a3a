#include "threadpool.h"

/* ThreadSanitizer builds: Debian's pthreadpool is not instrumented, so TSan cannot see the
 * happens-before edges it provides (a task starts after pthreadpool_parallelize_* was
 * called; the call returns after every task finished) and reports the caller's writes of
 * an operator's compute context against the workers' reads. Each pool call is routed
 * through a trampoline that states exactly those two edges with TSan's annotations. */
#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define PQNN_TSAN_ANNOTATIONS 1
#endif
#endif
#if defined(__SANITIZE_THREAD__)
#define PQNN_TSAN_ANNOTATIONS 1
#endif

#if PQNN_USE_PTHREADPOOL && defined(PQNN_TSAN_ANNOTATIONS)
void __tsan_acquire(void* addr);
void __tsan_release(void* addr);

struct tsan_handoff {
  void* context;
  union {
    pqnn_task_1d_fn task_1d;
    pqnn_task_2d_tile_2d_fn task_2d_tile_2d;
    pqnn_task_3d_tile_2d_fn task_3d_tile_2d;
  } task;
  char started;   /* sync address: caller -> tasks */
  char finished;  /* sync address: tasks -> caller */
};

static void tsan_task_1d(void* h, size_t i) {
  struct tsan_handoff* handoff = h;
  __tsan_acquire(&handoff->started);
  handoff->task.task_1d(handoff->context, i);
  __tsan_release(&handoff->finished);
}

static void tsan_task_2d_tile_2d(void* h, size_t i, size_t j, size_t ti, size_t tj) {
  struct tsan_handoff* handoff = h;
  __tsan_acquire(&handoff->started);
  handoff->task.task_2d_tile_2d(handoff->context, i, j, ti, tj);
  __tsan_release(&handoff->finished);
}

static void tsan_task_3d_tile_2d(void* h, size_t i, size_t j, size_t k, size_t tj, size_t tk) {
  struct tsan_handoff* handoff = h;
  __tsan_acquire(&handoff->started);
  handoff->task.task_3d_tile_2d(handoff->context, i, j, k, tj, tk);
  __tsan_release(&handoff->finished);
}

#define TSAN_WRAP(KIND, TASK, CONTEXT)                         \
  struct tsan_handoff handoff = {.context = (CONTEXT)};        \
  handoff.task.task_##KIND = (TASK);                           \
  __tsan_release(&handoff.started);                            \
  TASK = tsan_task_##KIND;                                     \
  CONTEXT = &handoff
#define TSAN_JOIN() __tsan_acquire(&handoff.finished)
#else
#define TSAN_WRAP(KIND, TASK, CONTEXT) (void) 0
#define TSAN_JOIN() (void) 0
#endif

size_t pqnn_threadpool_threads(pthreadpool_t threadpool) {
#if PQNN_USE_PTHREADPOOL
  return threadpool != NULL ? pthreadpool_get_threads_count(threadpool) : 1;
#else
  (void) threadpool;
  return 1;
#endif
}

/* Whether a call with this many tasks goes to the pool: not for one task (a squeeze-excite
 * FC on a pooled vector, a small elementwise op, a per-image convert), which would only wake
 * the workers (tens of microseconds on a busy machine) to have one of them run it; about a
 * third of the pool calls of the PaddleOCR models' inferences were such. */
#if PQNN_USE_PTHREADPOOL
static bool use_pool(pthreadpool_t threadpool, size_t tasks) {
  return tasks > 1 && threadpool != NULL && pthreadpool_get_threads_count(threadpool) > 1;
}
#endif

void pqnn_parallelize_1d(pthreadpool_t threadpool, pqnn_task_1d_fn task, void* context,
    size_t range) {
#if PQNN_USE_PTHREADPOOL
  if (use_pool(threadpool, range)) {
    TSAN_WRAP(1d, task, context);
    pthreadpool_parallelize_1d(threadpool, task, context, range, 0);
    TSAN_JOIN();
    return;
  }
#else
  (void) threadpool;
#endif
  for (size_t i = 0; i < range; i++) {
    task(context, i);
  }
}

void pqnn_parallelize_2d_tile_2d(pthreadpool_t threadpool, pqnn_task_2d_tile_2d_fn task,
    void* context, size_t range_i, size_t range_j, size_t tile_i, size_t tile_j) {
#if PQNN_USE_PTHREADPOOL
  if (tile_i != 0 && tile_j != 0 && use_pool(threadpool,
          pqnn_divide_round_up(range_i, tile_i) * pqnn_divide_round_up(range_j, tile_j))) {
    TSAN_WRAP(2d_tile_2d, task, context);
    pthreadpool_parallelize_2d_tile_2d(threadpool, task, context, range_i, range_j, tile_i,
        tile_j, 0);
    TSAN_JOIN();
    return;
  }
#else
  (void) threadpool;
#endif
  for (size_t i = 0; i < range_i; i += tile_i) {
    for (size_t j = 0; j < range_j; j += tile_j) {
      task(context, i, j, pqnn_min_sz(tile_i, range_i - i), pqnn_min_sz(tile_j, range_j - j));
    }
  }
}

void pqnn_parallelize_3d_tile_2d(pthreadpool_t threadpool, pqnn_task_3d_tile_2d_fn task,
    void* context, size_t range_i, size_t range_j, size_t range_k, size_t tile_j,
    size_t tile_k) {
#if PQNN_USE_PTHREADPOOL
  if (tile_j != 0 && tile_k != 0 && use_pool(threadpool,
          range_i * pqnn_divide_round_up(range_j, tile_j) * pqnn_divide_round_up(range_k, tile_k))) {
    TSAN_WRAP(3d_tile_2d, task, context);
    pthreadpool_parallelize_3d_tile_2d(threadpool, task, context, range_i, range_j, range_k,
        tile_j, tile_k, 0);
    TSAN_JOIN();
    return;
  }
#else
  (void) threadpool;
#endif
  for (size_t i = 0; i < range_i; i++) {
    for (size_t j = 0; j < range_j; j += tile_j) {
      for (size_t k = 0; k < range_k; k += tile_k) {
        task(context, i, j, k, pqnn_min_sz(tile_j, range_j - j), pqnn_min_sz(tile_k, range_k - k));
      }
    }
  }
}
