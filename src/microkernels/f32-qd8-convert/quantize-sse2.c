/*
 * SSE2 f32 -> qd8 row quantization (contract: src/microkernels.h,
 * pqnn_qd8_quantize_ukernel_fn): the range pass, the row's params, the apply pass
 * (quantize-sse2.h; the row is re-read from L1/L2).
 */
#include <string.h>

#include "microkernels/f32-qd8-convert/quantize-sse2.h"

void pqnn_f32_qd8_quantize_ukernel__sse2(size_t n, const void* x, int8_t* y,
    struct pqnn_quantization_params* quantization_params) {
  struct pqnn_qd8_range range;
  pqnn_f32_qd8_range_sse2(n, (const float*) x, &range);
  const float inv = pqnn_qd8_range_params(&range, quantization_params);
  if (inv == 0.0f) {
    memset(y, 0, n);
    return;
  }
  pqnn_f32_qd8_apply_sse2(n, (const float*) x, y, inv, quantization_params->zero_point);
}
