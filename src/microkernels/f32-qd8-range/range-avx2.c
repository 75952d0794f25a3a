/* f32 -> qd8 range of a row's chunk (contract: src/microkernels.h, pqnn_qd8_range_ukernel_fn):
 * the avx2 kernel's range step (f32-qd8-convert/quantize-avx2.h). */
#include "microkernels/f32-qd8-convert/quantize-avx2.h"

void pqnn_f32_qd8_range_ukernel__avx2(size_t n, const void* x, struct pqnn_qd8_range* range) {
  pqnn_f32_qd8_range_avx2(n, (const float*) x, range);
}
