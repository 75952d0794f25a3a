/* f32 -> qd8 range of a row's chunk (contract: src/microkernels.h, pqnn_qd8_range_ukernel_fn):
 * the scalar kernel's range step (f32-qd8-convert/quantize-scalar.h). */
#include "microkernels/f32-qd8-convert/quantize-scalar.h"

void pqnn_f32_qd8_range_ukernel__scalar(size_t n, const void* x, struct pqnn_qd8_range* range) {
  pqnn_f32_qd8_range_scalar(n, (const float*) x, range);
}
