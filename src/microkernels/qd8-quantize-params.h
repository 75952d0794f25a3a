/*
 * Shared scalar step of every f32/f16 -> qd8 row-quantization kernel: from the row's
 * range to {zero_point, scale} and the reciprocal the kernels multiply by. Kept in one
 * inline function so that every ISA computes the same bits (the library is built with
 * -ffp-contract=off, so no FMA is formed here even in AVX2/AVX512 files).
 *
 * Formula (include/pqnn.h, API.md "Dynamic quantization"), float arithmetic as written:
 *   rmin = min(0, min x); rmax = max(0, max x)
 *   rmin == rmax: scale = 1, zero_point = 0, data 0
 *   else scale = (rmax - rmin) / 255; inv = 255 / (rmax - rmin)
 *        zero_point = rne(-128 - rmin * inv) if (-128 + rmin * inv) + (127 + rmax * inv) > 0
 *                     else rne(127 - rmax * inv), clamped to [-128, 127]
 *   q = clamp(rne(x * inv) + zero_point, -128, 127)
 * Rows with NaN or +-Inf: scale = NaN, zero_point = 0, data 0.
 * Two cases where the literal formula is not finite, handled as follows:
 *   - huge range: rmax - rmin overflows to +Inf (e.g. -3e38 and 3e38). We evaluate the
 *     same quantities on halved operands, h = rmax * 0.5 - rmin * 0.5 (exact halving for
 *     such magnitudes), scale = h / 127.5, inv = 127.5 / h: the values the formula gives
 *     with an unbounded exponent range (halving commutes with rounding), all finite.
 *   - tiny range: 255 / (rmax - rmin) overflows to +Inf (range < 255 / FLT_MAX, about
 *     7.5e-37: rows of denormals or tiny normals). The row is quantized as all zero
 *     (scale = 1, zero_point = 0, data 0); the absolute error is below 7.5e-37.
 */
#ifndef PQNN_QD8_QUANTIZE_PARAMS_H_
#define PQNN_QD8_QUANTIZE_PARAMS_H_

#include <math.h>
#include <stdbool.h>
#include <stdint.h>

#include <pqnn.h>

#include "microkernels.h"

/* Fills *qp from the row's range and returns the reciprocal scale to quantize with, or
 * 0.0f when the row's data must be written as zeros (all-zero, tiny-range or non-finite
 * rows). rmin <= 0 <= rmax are min(0, min x) and max(0, max x); nonfinite says whether
 * the row held a NaN or an infinity (rmin/rmax are then ignored). */
static inline float pqnn_qd8_row_params(float rmin, float rmax, bool nonfinite,
    struct pqnn_quantization_params* qp) {
  if (nonfinite) {
    qp->zero_point = 0;
    qp->scale = NAN;
    return 0.0f;
  }
  if (rmin == rmax) {
    qp->zero_point = 0;
    qp->scale = 1.0f;
    return 0.0f;
  }
  float range = rmax - rmin;
  float scale, inv;
  if (range == INFINITY) {
    const float half_range = rmax * 0.5f - rmin * 0.5f;
    scale = half_range / 127.5f;
    inv = 127.5f / half_range;
  } else {
    scale = range / 255.0f;
    inv = 255.0f / range;
    if (inv == INFINITY) {
      qp->zero_point = 0;
      qp->scale = 1.0f;
      return 0.0f;
    }
  }
  const float min_scaled = rmin * inv;
  const float max_scaled = rmax * inv;
  const float low_error = -128.0f + min_scaled;
  const float high_error = 127.0f + max_scaled;
  const float zp_f = (low_error + high_error > 0.0f) ? (-128.0f - min_scaled) : (127.0f - max_scaled);
  long zp = lrintf(zp_f);
  zp = zp < -128 ? -128 : zp;
  zp = zp > 127 ? 127 : zp;
  qp->zero_point = (int32_t) zp;
  qp->scale = scale;
  return inv;
}

/* The params of a row from its range (struct pqnn_qd8_range, src/microkernels.h: one
 * kernel's range of the whole row, or the min / max / or of its chunks' ranges). */
static inline float pqnn_qd8_range_params(const struct pqnn_qd8_range* range,
    struct pqnn_quantization_params* qp) {
  return pqnn_qd8_row_params(range->min, range->max, range->nonfinite, qp);
}

/* Round to nearest even for |v| <= 2^22 (every value the kernels round: |x * inv| is at
 * most about 255): adding and subtracting 1.5 * 2^23 rounds in the FPU's default mode,
 * without a libm call. */
static inline int32_t pqnn_qd8_rne_small(float v) {
  const float magic = 12582912.0f;
  return (int32_t) ((v + magic) - magic);
}

/* Bit pattern test: |x| >= +Inf (NaN or infinity). */
#define PQNN_F32_ABS_MASK 0x7FFFFFFFu
#define PQNN_F32_INF_BITS 0x7F800000u

#endif  /* PQNN_QD8_QUANTIZE_PARAMS_H_ */
