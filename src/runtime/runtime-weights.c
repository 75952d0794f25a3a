/* Identical packed weights shared between fully connected and convolution operators,
 * each operator as soon as the planner created it (before anything binds its
 * packed_weights pointer; at most one extra copy exists at a time): an unrolled recurrent
 * layer's per-step products by one R (an imported LSTM / GRU: one FC node a step), a
 * detection head shared by the levels of a feature pyramid, tied weights, then read one
 * copy instead of one each, which also keeps it in cache from step to step. Operators are
 * compared by their packed bytes (the FC and convolution creates zero-fill the buffer
 * before packing), so filter, bias, datatype, path and tile all have to agree; the later
 * operator releases its buffer and reads the earlier one's (operator.h:
 * packed_weights_shared). Nothing writes packed weights after creation. Each new
 * operator's key is compared with the earlier ones' (a few thousand FC nodes at most in an
 * unrolled model: microseconds each). */
#include <string.h>

#include "allocator.h"
#include "operator.h"
#include "runtime/runtime-passes.h"

/* A key of the buffer: its size and up to 64 of its 64-bit words spread over it (equal
 * buffers have equal keys; equal keys are confirmed byte for byte). */
static uint64_t weights_key(const struct pqnn_operator* op) {
  const size_t size = op->packed_weights_size;
  uint64_t h = UINT64_C(1469598103934665603) ^ size;
  const size_t words = size / sizeof(uint64_t);
  const size_t step = words > 64 ? words / 64 : 1;
  for (size_t i = 0; i < words; i += step) {
    uint64_t w;
    memcpy(&w, (const char*) op->packed_weights + i * sizeof(w), sizeof(w));
    h = (h ^ w) * UINT64_C(1099511628211);
  }
  return h;
}

static bool same_weights(const struct pqnn_operator* a, const struct pqnn_operator* b) {
  return a->packed_weights_size == b->packed_weights_size &&
      memcmp(a->packed_weights, b->packed_weights, a->packed_weights_size) == 0;
}

void pqnn_rt_share_packed_weights(struct pqnn_runtime* rt, uint32_t i) {
  struct pqnn_rt_op* op = &rt->ops[i];
  if (op->op == NULL || op->op->packed_weights_size == 0) return;
  op->weights_key = weights_key(op->op);
  for (uint32_t j = 0; j < i; j++) {
    const struct pqnn_rt_op* other = &rt->ops[j];
    if (other->op == NULL || other->op->packed_weights_size == 0 ||
        other->op->packed_weights_shared || other->weights_key != op->weights_key ||
        !same_weights(other->op, op->op)) {
      continue;
    }
    pqnn_release_streamed(op->op->packed_weights);
    op->op->packed_weights = other->op->packed_weights;
    op->op->packed_weights_shared = true;
    return;
  }
}
