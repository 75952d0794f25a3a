// Thread pools for the test suites. Where the library uses pthreadpool
// (PQNN_USE_PTHREADPOOL=1) these are real pools; in builds without it (WASM, or
// -DPQNN_USE_PTHREADPOOL=OFF) create_pool returns NULL, which the API accepts
// everywhere, and the "pooled" runs execute the same tiles inline.
#pragma once

#include <cstddef>

#include <pqnn.h>

namespace pqnn_test {

// Whether create_pool returns real pools (else NULL, and tiles run inline).
constexpr bool kHavePools = PQNN_USE_PTHREADPOOL != 0;

inline pthreadpool_t create_pool(size_t threads) {
#if PQNN_USE_PTHREADPOOL
  return pthreadpool_create(threads);
#else
  (void) threads;
  return nullptr;
#endif
}

inline void destroy_pool(pthreadpool_t pool) {
#if PQNN_USE_PTHREADPOOL
  if (pool != nullptr) pthreadpool_destroy(pool);
#else
  (void) pool;
#endif
}

}  // namespace pqnn_test
