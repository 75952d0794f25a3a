/*
 * Scalar f32 -> qd8 row quantization (contract: src/microkernels.h,
 * pqnn_qd8_quantize_ukernel_fn; arithmetic: qd8-quantize-params.h). Pass 1 reads the n
 * floats once for min(0, min x), max(0, max x) and a NaN/Inf flag (|x| bits >= 0x7F800000);
 * pass 2 writes q = clamp(rne(x * inv) + zero_point, -128, 127). Reads exactly n floats,
 * writes exactly n int8 and one params entry.
 */
#include <string.h>

#include "microkernels.h"
#include "microkernels/qd8-quantize-params.h"

void pqnn_f32_qd8_quantize_ukernel__scalar(size_t n, const void* x, int8_t* y,
    struct pqnn_quantization_params* quantization_params) {
  const float* in = (const float*) x;
  float vmin = 0.0f, vmax = 0.0f;
  uint32_t vabs_max = 0;
  for (size_t i = 0; i < n; i++) {
    const float v = in[i];
    uint32_t bits;
    memcpy(&bits, &v, sizeof(bits));
    bits &= PQNN_F32_ABS_MASK;
    vabs_max = bits > vabs_max ? bits : vabs_max;
    vmin = v < vmin ? v : vmin;
    vmax = v > vmax ? v : vmax;
  }
  const float inv = pqnn_qd8_row_params(vmin, vmax, vabs_max >= PQNN_F32_INF_BITS, quantization_params);
  if (inv == 0.0f) {
    memset(y, 0, n);
    return;
  }
  const int32_t zp = quantization_params->zero_point;
  for (size_t i = 0; i < n; i++) {
    int32_t q = pqnn_qd8_rne_small(in[i] * inv) + zp;
    q = q < -128 ? -128 : q;
    q = q > 127 ? 127 : q;
    y[i] = (int8_t) q;
  }
}
