/*
 * SSE2 f32 -> qd8 row steps, shared by the quantize kernel (both steps on one row) and the
 * range / apply kernels (the steps apart, for rows split in chunks). Arithmetic:
 * qd8-quantize-params.h, bit-exact with the scalar kernel. Range, 8 floats per step:
 * minps/maxps from 0 plus a NaN/Inf flag ((bits & 0x7FFFFFFF) > 0x7F7FFFFF); apply, 16
 * floats per step: mulps by inv, cvtps2dq (round to nearest even), add the zero point,
 * saturating packs to int8 (= clamp to [-128, 127]). Tails of n % 4 floats go through a
 * zero-padded stack copy (zeros leave min(0, ...) / max(0, ...) unchanged); int8 tails are
 * stored from a stack copy: exactly n floats read, n int8 written. Include only from sse2
 * files.
 */
#ifndef PQNN_F32_QD8_QUANTIZE_SSE2_H_
#define PQNN_F32_QD8_QUANTIZE_SSE2_H_

#include <emmintrin.h>
#include <string.h>

#include "microkernels.h"
#include "microkernels/qd8-quantize-params.h"

static inline void pqnn_f32_qd8_range_sse2(size_t n, const float* in,
    struct pqnn_qd8_range* range) {
  const __m128i vabs_mask = _mm_set1_epi32(0x7FFFFFFF);
  const __m128i vfinite_max = _mm_set1_epi32(0x7F7FFFFF);
  __m128 vmin0 = _mm_setzero_ps(), vmax0 = _mm_setzero_ps();
  __m128 vmin1 = _mm_setzero_ps(), vmax1 = _mm_setzero_ps();
  __m128i vbad = _mm_setzero_si128();
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m128 v0 = _mm_loadu_ps(in + i);
    const __m128 v1 = _mm_loadu_ps(in + i + 4);
    vmin0 = _mm_min_ps(vmin0, v0);
    vmax0 = _mm_max_ps(vmax0, v0);
    vmin1 = _mm_min_ps(vmin1, v1);
    vmax1 = _mm_max_ps(vmax1, v1);
    vbad = _mm_or_si128(vbad, _mm_cmpgt_epi32(_mm_and_si128(_mm_castps_si128(v0), vabs_mask), vfinite_max));
    vbad = _mm_or_si128(vbad, _mm_cmpgt_epi32(_mm_and_si128(_mm_castps_si128(v1), vabs_mask), vfinite_max));
  }
  for (; i < n; i += 4) {
    __m128 v;
    if (i + 4 <= n) {
      v = _mm_loadu_ps(in + i);
    } else {
      float tmp[4] = {0.0f, 0.0f, 0.0f, 0.0f};
      memcpy(tmp, in + i, (n - i) * sizeof(float));
      v = _mm_loadu_ps(tmp);
    }
    vmin0 = _mm_min_ps(vmin0, v);
    vmax0 = _mm_max_ps(vmax0, v);
    vbad = _mm_or_si128(vbad, _mm_cmpgt_epi32(_mm_and_si128(_mm_castps_si128(v), vabs_mask), vfinite_max));
  }
  vmin0 = _mm_min_ps(vmin0, vmin1);
  vmax0 = _mm_max_ps(vmax0, vmax1);
  vmin0 = _mm_min_ps(vmin0, _mm_movehl_ps(vmin0, vmin0));
  vmax0 = _mm_max_ps(vmax0, _mm_movehl_ps(vmax0, vmax0));
  vmin0 = _mm_min_ss(vmin0, _mm_shuffle_ps(vmin0, vmin0, 1));
  vmax0 = _mm_max_ss(vmax0, _mm_shuffle_ps(vmax0, vmax0, 1));
  range->min = _mm_cvtss_f32(vmin0);
  range->max = _mm_cvtss_f32(vmax0);
  range->nonfinite = _mm_movemask_epi8(vbad) != 0;
}

static inline __m128i pqnn_f32_qd8_quantize16_sse2(const float* p, __m128 vinv, __m128i vzp) {
  const __m128i q0 = _mm_add_epi32(_mm_cvtps_epi32(_mm_mul_ps(_mm_loadu_ps(p), vinv)), vzp);
  const __m128i q1 = _mm_add_epi32(_mm_cvtps_epi32(_mm_mul_ps(_mm_loadu_ps(p + 4), vinv)), vzp);
  const __m128i q2 = _mm_add_epi32(_mm_cvtps_epi32(_mm_mul_ps(_mm_loadu_ps(p + 8), vinv)), vzp);
  const __m128i q3 = _mm_add_epi32(_mm_cvtps_epi32(_mm_mul_ps(_mm_loadu_ps(p + 12), vinv)), vzp);
  return _mm_packs_epi16(_mm_packs_epi32(q0, q1), _mm_packs_epi32(q2, q3));
}

static inline void pqnn_f32_qd8_apply_sse2(size_t n, const float* in, int8_t* y, float inv,
    int32_t zero_point) {
  const __m128 vinv = _mm_set1_ps(inv);
  const __m128i vzp = _mm_set1_epi32(zero_point);
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    _mm_storeu_si128((__m128i*) (y + i), pqnn_f32_qd8_quantize16_sse2(in + i, vinv, vzp));
  }
  if (i < n) {
    const size_t rem = n - i;
    float tmp[16] = {0};
    memcpy(tmp, in + i, rem * sizeof(float));
    int8_t out[16];
    _mm_storeu_si128((__m128i*) out, pqnn_f32_qd8_quantize16_sse2(tmp, vinv, vzp));
    memcpy(y + i, out, rem);
  }
}

#endif  /* PQNN_F32_QD8_QUANTIZE_SSE2_H_ */
