/* f32 -> qd8 quantization of a row's chunk with the row's params (contract:
 * src/microkernels.h, pqnn_qd8_apply_ukernel_fn): the scalar kernel's apply step
 * (f32-qd8-convert/quantize-scalar.h). */
#include "microkernels/f32-qd8-convert/quantize-scalar.h"

void pqnn_f32_qd8_apply_ukernel__scalar(size_t n, const void* x, int8_t* y, float inv,
    int32_t zero_point) {
  pqnn_f32_qd8_apply_scalar(n, (const float*) x, y, inv, zero_point);
}
