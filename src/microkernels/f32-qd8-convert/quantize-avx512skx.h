/*
 * AVX512 (F+BW+DQ+VL) f32 -> qd8 row steps, shared by the quantize kernel (both steps on
 * one row) and the range / apply kernels (the steps apart, for rows split in chunks).
 * Arithmetic: qd8-quantize-params.h, bit-exact with the scalar kernel (explicit mul then
 * vcvtps2dq, no FMA). Range: min/max from 0, and an OR of vcmpunordps masks: the row is
 * nonfinite iff some x is NaN or, with no NaN, min / max is -Inf / +Inf (the max of |x| bit
 * patterns that this replaced made gcc 12 copy its accumulator every step; the quantize
 * kernel ran 1.4-1.6x faster with this, bench/convert-kernels). Apply, 32 floats per step:
 * x * inv, round to nearest even, add the zero point, vpmovsdb (saturates = clamp to [-128, 127]; two in-lane packs and a permute
 * measured no faster on Zen 5). Tails use masked loads (masked lanes read as 0) and
 * masked stores: exactly n floats read, n int8 written. Include only from avx512skx files.
 */
#ifndef PQNN_F32_QD8_QUANTIZE_AVX512SKX_H_
#define PQNN_F32_QD8_QUANTIZE_AVX512SKX_H_

#include <immintrin.h>

#include "microkernels.h"
#include "microkernels/qd8-quantize-params.h"

static inline void pqnn_f32_qd8_range_avx512skx(size_t n, const float* in,
    struct pqnn_qd8_range* range) {
  __m512 vmin0 = _mm512_setzero_ps(), vmax0 = _mm512_setzero_ps();
  __m512 vmin1 = _mm512_setzero_ps(), vmax1 = _mm512_setzero_ps();
  __mmask16 vnan0 = 0, vnan1 = 0;
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    const __m512 v0 = _mm512_loadu_ps(in + i);
    const __m512 v1 = _mm512_loadu_ps(in + i + 16);
    vmin0 = _mm512_min_ps(vmin0, v0);
    vmax0 = _mm512_max_ps(vmax0, v0);
    vmin1 = _mm512_min_ps(vmin1, v1);
    vmax1 = _mm512_max_ps(vmax1, v1);
    vnan0 = (__mmask16) (vnan0 | _mm512_cmp_ps_mask(v0, v0, _CMP_UNORD_Q));
    vnan1 = (__mmask16) (vnan1 | _mm512_cmp_ps_mask(v1, v1, _CMP_UNORD_Q));
  }
  for (; i < n; i += 16) {
    const size_t rem = n - i < 16 ? n - i : 16;
    const __mmask16 vmask = (__mmask16) ((1u << rem) - 1u);
    const __m512 v = _mm512_maskz_loadu_ps(vmask, in + i);
    vmin0 = _mm512_min_ps(vmin0, v);
    vmax0 = _mm512_max_ps(vmax0, v);
    vnan0 = (__mmask16) (vnan0 | _mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q));
  }
  range->min = _mm512_reduce_min_ps(_mm512_min_ps(vmin0, vmin1));
  range->max = _mm512_reduce_max_ps(_mm512_max_ps(vmax0, vmax1));
  range->nonfinite = (vnan0 | vnan1) != 0 || range->min == -INFINITY ||
      range->max == INFINITY;
}

static inline __m512i pqnn_f32_qd8_quantize16_avx512skx(__m512 v, __m512 vinv, __m512i vzp) {
  return _mm512_add_epi32(_mm512_cvtps_epi32(_mm512_mul_ps(v, vinv)), vzp);
}

static inline void pqnn_f32_qd8_apply_avx512skx(size_t n, const float* in, int8_t* y, float inv,
    int32_t zero_point) {
  const __m512 vinv = _mm512_set1_ps(inv);
  const __m512i vzp = _mm512_set1_epi32(zero_point);
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    const __m512i q0 = pqnn_f32_qd8_quantize16_avx512skx(_mm512_loadu_ps(in + i), vinv, vzp);
    const __m512i q1 = pqnn_f32_qd8_quantize16_avx512skx(_mm512_loadu_ps(in + i + 16), vinv, vzp);
    _mm_storeu_si128((__m128i*) (y + i), _mm512_cvtsepi32_epi8(q0));
    _mm_storeu_si128((__m128i*) (y + i + 16), _mm512_cvtsepi32_epi8(q1));
  }
  for (; i < n; i += 16) {
    const size_t rem = n - i < 16 ? n - i : 16;
    const __mmask16 vmask = (__mmask16) ((1u << rem) - 1u);
    const __m512i q = pqnn_f32_qd8_quantize16_avx512skx(_mm512_maskz_loadu_ps(vmask, in + i), vinv, vzp);
    _mm512_mask_cvtsepi32_storeu_epi8(y + i, vmask, q);
  }
}

#endif  /* PQNN_F32_QD8_QUANTIZE_AVX512SKX_H_ */
