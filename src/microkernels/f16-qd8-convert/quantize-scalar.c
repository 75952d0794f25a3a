/*
 * Scalar f16 -> qd8 row quantization (contract: src/microkernels.h,
 * pqnn_qd8_quantize_ukernel_fn): each f16 (uint16_t) is widened to f32 exactly
 * (fp16_ieee_to_fp32_value), then quantized as the f32 kernel does
 * (qd8-quantize-params.h). Pass 1: min/max and NaN/Inf flag (|h| >= 0x7C00) on the f16
 * bits; pass 2: quantize. Reads exactly n f16, writes n int8 and one params entry.
 */
#include <string.h>

#include <fp16.h>

#include "microkernels.h"
#include "microkernels/qd8-quantize-params.h"

void pqnn_f16_qd8_quantize_ukernel__scalar(size_t n, const void* x, int8_t* y,
    struct pqnn_quantization_params* quantization_params) {
  const uint16_t* in = (const uint16_t*) x;
  float vmin = 0.0f, vmax = 0.0f;
  uint16_t vabs_max = 0;
  for (size_t i = 0; i < n; i++) {
    const uint16_t h = in[i];
    const uint16_t habs = (uint16_t) (h & 0x7FFF);
    vabs_max = habs > vabs_max ? habs : vabs_max;
    const float v = fp16_ieee_to_fp32_value(h);
    vmin = v < vmin ? v : vmin;
    vmax = v > vmax ? v : vmax;
  }
  const float inv = pqnn_qd8_row_params(vmin, vmax, vabs_max >= 0x7C00, quantization_params);
  if (inv == 0.0f) {
    memset(y, 0, n);
    return;
  }
  const int32_t zp = quantization_params->zero_point;
  for (size_t i = 0; i < n; i++) {
    int32_t q = pqnn_qd8_rne_small(fp16_ieee_to_fp32_value(in[i]) * inv) + zp;
    q = q < -128 ? -128 : q;
    q = q > 127 ? 127 : q;
    y[i] = (int8_t) q;
  }
}
