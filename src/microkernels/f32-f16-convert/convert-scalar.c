/*
 * Scalar f32 -> f16 conversion (contract: src/microkernels.h, pqnn_convert_ukernel_fn):
 * fp16_ieee_from_fp32_value per element: round to nearest even, overflow to +-Inf,
 * f16 subnormals, NaN -> quiet NaN of the same sign. Reads n floats, writes n uint16_t.
 */
#include <fp16.h>

#include "microkernels.h"

void pqnn_f32_f16_convert_ukernel__scalar(size_t n, const void* x, void* y) {
  const float* in = (const float*) x;
  uint16_t* out = (uint16_t*) y;
  for (size_t i = 0; i < n; i++) {
    out[i] = fp16_ieee_from_fp32_value(in[i]);
  }
}
