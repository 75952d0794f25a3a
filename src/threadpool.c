#include "threadpool.h"

size_t pqnn_threadpool_threads(pthreadpool_t threadpool) {
#if PQNN_USE_PTHREADPOOL
  return threadpool != NULL ? pthreadpool_get_threads_count(threadpool) : 1;
#else
  (void) threadpool;
  return 1;
#endif
}

void pqnn_parallelize_1d(pthreadpool_t threadpool, pqnn_task_1d_fn task, void* context,
    size_t range) {
#if PQNN_USE_PTHREADPOOL
  if (threadpool != NULL && pthreadpool_get_threads_count(threadpool) > 1) {
    pthreadpool_parallelize_1d(threadpool, task, context, range, 0);
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
  if (threadpool != NULL && pthreadpool_get_threads_count(threadpool) > 1) {
    pthreadpool_parallelize_2d_tile_2d(threadpool, task, context, range_i, range_j, tile_i,
        tile_j, 0);
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
  if (threadpool != NULL && pthreadpool_get_threads_count(threadpool) > 1) {
    pthreadpool_parallelize_3d_tile_2d(threadpool, task, context, range_i, range_j, range_k,
        tile_j, tile_k, 0);
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
