/*
 * Canonical form of an add2 / binary broadcast geometry (contract: node-kernels.h,
 * pqnn_add2_shape_simplify): dims of size 1 dropped, neighbouring dims merged where both
 * operands walk them as one (a same-shape pair becomes one long row, a scalar operand a
 * stride-0 row, a per-channel operand rows of the channel count), and a long single row cut
 * into rows again so that the runtime can split the work over threads.
 */
#include "runtime/node-kernels.h"

/* A long innermost dim under fewer than kFewRows rows is cut into rows of a divisor of its
 * length in [kMinRow, kMaxRow] (none: left whole). */
enum { kMinRow = 1024, kMaxRow = 8192, kFewRows = 16 };

void pqnn_add2_shape_simplify(struct pqnn_add2_shape* s) {
  size_t shape[4], as[4], bs[4];
  size_t k = 0;  /* merged dims, innermost first */
  for (size_t d = 4; d-- > 0;) {
    if (s->shape[d] == 0) return;  /* empty: nothing to run, left as given */
    if (s->shape[d] == 1) continue;
    if (k != 0 && s->a_stride[d] == as[k - 1] * shape[k - 1] &&
        s->b_stride[d] == bs[k - 1] * shape[k - 1]) {
      shape[k - 1] *= s->shape[d];
      continue;
    }
    shape[k] = s->shape[d];
    as[k] = s->a_stride[d];
    bs[k] = s->b_stride[d];
    k++;
  }
  /* Few long rows: the innermost dim cut into rows of a divisor of its length. */
  size_t rows = 1;
  for (size_t j = 1; j < k; j++) rows *= shape[j];
  if (k != 0 && k < 4 && rows < kFewRows && shape[0] >= 2 * kMinRow) {
    const size_t n = shape[0];
    for (size_t c = kMaxRow; c >= kMinRow; c--) {
      if (n % c != 0 || n / c < 2) continue;
      for (size_t j = k; j-- > 0;) {
        shape[j + 1] = shape[j];
        as[j + 1] = as[j];
        bs[j + 1] = bs[j];
      }
      shape[1] = n / c;
      as[1] = as[0] * c;
      bs[1] = bs[0] * c;
      shape[0] = c;
      k++;
      break;
    }
  }
  for (size_t d = 0; d < 4; d++) {
    const size_t j = 3 - d;  /* output dim d holds merged dim j when j < k */
    s->shape[d] = j < k ? shape[j] : 1;
    s->a_stride[d] = j < k ? as[j] : 0;
    s->b_stride[d] = j < k ? bs[j] : 0;
  }
}
