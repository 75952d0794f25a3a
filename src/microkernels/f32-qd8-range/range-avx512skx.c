/* f32 -> qd8 range of a row's chunk (contract: src/microkernels.h, pqnn_qd8_range_ukernel_fn):
 * the avx512skx kernel's range step (f32-qd8-convert/quantize-avx512skx.h). */
#include "microkernels/f32-qd8-convert/quantize-avx512skx.h"

void pqnn_f32_qd8_range_ukernel__avx512skx(size_t n, const void* x, struct pqnn_qd8_range* range) {
  pqnn_f32_qd8_range_avx512skx(n, (const float*) x, range);
}
