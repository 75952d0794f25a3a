/*
 * Scalar f32 -> qd8 row steps, shared by the quantize kernel (both steps on one row) and the
 * range / apply kernels (the steps apart, for rows split in chunks). Arithmetic:
 * qd8-quantize-params.h. Range: min(0, min x), max(0, max x) and a NaN/Inf flag (|x| bits
 * >= 0x7F800000); apply: q = clamp(rne(x * inv) + zero_point, -128, 127). Reads exactly n
 * floats, writes exactly n int8.
 */
#ifndef PQNN_F32_QD8_QUANTIZE_SCALAR_H_
#define PQNN_F32_QD8_QUANTIZE_SCALAR_H_

#include <string.h>

#include "microkernels.h"
#include "microkernels/qd8-quantize-params.h"

static inline void pqnn_f32_qd8_range_scalar(size_t n, const float* in,
    struct pqnn_qd8_range* range) {
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
  range->min = vmin;
  range->max = vmax;
  range->nonfinite = vabs_max >= PQNN_F32_INF_BITS;
}

static inline void pqnn_f32_qd8_apply_scalar(size_t n, const float* in, int8_t* y, float inv,
    int32_t zero_point) {
  for (size_t i = 0; i < n; i++) {
    int32_t q = pqnn_qd8_rne_small(in[i] * inv) + zero_point;
    q = q < -128 ? -128 : q;
    q = q > 127 ? 127 : q;
    y[i] = (int8_t) q;
  }
}

#endif  /* PQNN_F32_QD8_QUANTIZE_SCALAR_H_ */
