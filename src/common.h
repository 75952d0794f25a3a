/* Small helpers shared by every layer of the library. */
#ifndef PQNN_COMMON_H_
#define PQNN_COMMON_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PQNN_INTERNAL __attribute__((visibility("hidden")))
#define PQNN_LIKELY(x) __builtin_expect(!!(x), 1)
#define PQNN_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define PQNN_NOINLINE __attribute__((noinline))
#define PQNN_ALIGNMENT 64
#define PQNN_COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

static inline size_t pqnn_min_sz(size_t a, size_t b) { return a < b ? a : b; }
static inline size_t pqnn_max_sz(size_t a, size_t b) { return a > b ? a : b; }
static inline size_t pqnn_divide_round_up(size_t n, size_t q) { return (n + q - 1) / q; }
static inline size_t pqnn_round_up(size_t n, size_t q) { return pqnn_divide_round_up(n, q) * q; }
static inline size_t pqnn_round_down(size_t n, size_t q) { return n - n % q; }

/* Overflow-checked size arithmetic: returns false when the result does not fit size_t. */
static inline bool pqnn_mul_sz(size_t a, size_t b, size_t* out) {
  return !__builtin_mul_overflow(a, b, out);
}
static inline bool pqnn_add_sz(size_t a, size_t b, size_t* out) {
  return !__builtin_add_overflow(a, b, out);
}
/* Elements spanned by `rows` rows of `cols` elements `stride` apart: (rows-1)*stride+cols.
 * Returns false on overflow. rows == 0 spans 0. */
static inline bool pqnn_span_sz(size_t rows, size_t cols, size_t stride, size_t* out) {
  if (rows == 0) { *out = 0; return true; }
  size_t t;
  return pqnn_mul_sz(rows - 1, stride, &t) && pqnn_add_sz(t, cols, out);
}

#endif  /* PQNN_COMMON_H_ */
