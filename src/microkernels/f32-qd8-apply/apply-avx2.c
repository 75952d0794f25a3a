/* f32 -> qd8 quantization of a row's chunk with the row's params (contract:
 * src/microkernels.h, pqnn_qd8_apply_ukernel_fn): the avx2 kernel's apply step
 * (f32-qd8-convert/quantize-avx2.h). */
#include "microkernels/f32-qd8-convert/quantize-avx2.h"

void pqnn_f32_qd8_apply_ukernel__avx2(size_t n, const void* x, int8_t* y, float inv,
    int32_t zero_point) {
  pqnn_f32_qd8_apply_avx2(n, (const float*) x, y, inv, zero_point);
}
