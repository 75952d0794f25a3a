/*
 * Scalar f16 -> f32 conversion (contract: src/microkernels.h, pqnn_convert_ukernel_fn):
 * fp16_ieee_to_fp32_value per element (exact; NaN stays NaN). Reads n uint16_t, writes
 * n floats.
 */
#include <fp16.h>

#include "microkernels.h"

void pqnn_f16_f32_convert_ukernel__scalar(size_t n, const void* x, void* y) {
  const uint16_t* in = (const uint16_t*) x;
  float* out = (float*) y;
  for (size_t i = 0; i < n; i++) {
    out[i] = fp16_ieee_to_fp32_value(in[i]);
  }
}
