/* The one place that talks to pthreadpool. Without pthreadpool (PQNN_USE_PTHREADPOOL=0,
 * e.g. WASM) or with a NULL pool, the same tiles run inline in the caller's thread, in
 * the same order, so results never depend on the threading. */
#ifndef PQNN_THREADPOOL_H_
#define PQNN_THREADPOOL_H_

#include <stddef.h>

#include <pqnn.h>

#include "common.h"

typedef void (*pqnn_task_1d_fn)(void* context, size_t i);
typedef void (*pqnn_task_2d_tile_2d_fn)(void* context, size_t i, size_t j, size_t tile_i,
    size_t tile_j);
typedef void (*pqnn_task_3d_tile_2d_fn)(void* context, size_t i, size_t j, size_t k,
    size_t tile_j, size_t tile_k);

PQNN_INTERNAL size_t pqnn_threadpool_threads(pthreadpool_t threadpool);
PQNN_INTERNAL void pqnn_parallelize_1d(pthreadpool_t threadpool, pqnn_task_1d_fn task,
    void* context, size_t range);
PQNN_INTERNAL void pqnn_parallelize_2d_tile_2d(pthreadpool_t threadpool,
    pqnn_task_2d_tile_2d_fn task, void* context, size_t range_i, size_t range_j,
    size_t tile_i, size_t tile_j);
PQNN_INTERNAL void pqnn_parallelize_3d_tile_2d(pthreadpool_t threadpool,
    pqnn_task_3d_tile_2d_fn task, void* context, size_t range_i, size_t range_j,
    size_t range_k, size_t tile_j, size_t tile_k);

#endif  /* PQNN_THREADPOOL_H_ */
