/*
 * AVX512 (F+BW+DQ+VL) f32 -> qd8 row steps, shared by the quantize kernel (both steps on
 * one row) and the range / apply kernels (the steps apart, for rows split in chunks).
 * Arithmetic: qd8-quantize-params.h, bit-exact with the scalar kernel (explicit mul then
 * vcvtps2dq, no FMA). Range: min/max from 0, and an OR of vcmpunordps masks: the row is
 * nonfinite iff some x is NaN or, with no NaN, min / max is -Inf / +Inf (the max of |x| bit
 * patterns that this replaced made gcc 12 copy its accumulator every step; the quantize
 * kernel ran 1.4-1.6x faster with this, bench/convert-kernels; four accumulator pairs and
 * 64 floats a step, or an FMA of x * 0 for the NaN test, measured 5-10% slower on Intel).
 * Apply, 64 floats per step: x * inv, round to nearest even, two in-lane packs with signed
 * saturation (int16, where the zero point is added with saturation: |x * inv| <= ~255, so
 * saturating in int16 first changes nothing), a vpermd back to memory order and one 64-byte
 * store: 7 port-0/5 uops per 32 floats where two vpmovsdb (2 port-5 uops each on Intel)
 * took 10. On the Intel Xeon (2026-12-06) the apply step ran 1.45x faster from L1 (30 against
 * 21 G floats/s) and 1.1x from L2; Zen 5 had measured the packs no faster. Tails, 16 floats
 * a step: masked loads (masked lanes read as 0), vpmovsdb masked stores: exactly n floats
 * read, n int8 written. Include only from avx512skx files.
 */
#ifndef PQNN_F32_QD8_QUANTIZE_AVX512SKX_H_
#define PQNN_F32_QD8_QUANTIZE_AVX512SKX_H_

#include <immintrin.h>

#include "microkernels.h"
#include "microkernels/qd8-quantize-params.h"

/* The range step before its reduction across lanes: per lane min / max with 0, and
 * whether the row holds a NaN (the many-rows kernel reduces 16 rows' vectors together). */
static inline void pqnn_f32_qd8_range_vectors_avx512skx(size_t n, const float* in,
    __m512* min_out, __m512* max_out, bool* nan_out) {
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
  *min_out = _mm512_min_ps(vmin0, vmin1);
  *max_out = _mm512_max_ps(vmax0, vmax1);
  *nan_out = (vnan0 | vnan1) != 0;
}

static inline void pqnn_f32_qd8_range_avx512skx(size_t n, const float* in,
    struct pqnn_qd8_range* range) {
  __m512 vmin, vmax;
  bool nan;
  pqnn_f32_qd8_range_vectors_avx512skx(n, in, &vmin, &vmax, &nan);
  range->min = _mm512_reduce_min_ps(vmin);
  range->max = _mm512_reduce_max_ps(vmax);
  range->nonfinite = nan || range->min == -INFINITY || range->max == INFINITY;
}

static inline __m512i pqnn_f32_qd8_quantize16_avx512skx(__m512 v, __m512 vinv) {
  return _mm512_cvtps_epi32(_mm512_mul_ps(v, vinv));
}

static inline void pqnn_f32_qd8_apply_avx512skx(size_t n, const float* in, int8_t* y, float inv,
    int32_t zero_point) {
  const __m512 vinv = _mm512_set1_ps(inv);
  const __m512i vzp = _mm512_set1_epi32(zero_point);
  const __m512i vzp16 = _mm512_set1_epi16((int16_t) zero_point);
  /* After the two in-lane packs, 128-bit lane l holds the dwords q0[l] q1[l] q2[l] q3[l] (4
   * int8 each); output dword j is q(j / 4)[j % 4], at dword 4 * (j % 4) + j / 4. */
  const __m512i vorder = _mm512_set_epi32(15, 11, 7, 3, 14, 10, 6, 2, 13, 9, 5, 1, 12, 8, 4, 0);
  size_t i = 0;
  for (; i + 64 <= n; i += 64) {
    const __m512i q0 = pqnn_f32_qd8_quantize16_avx512skx(_mm512_loadu_ps(in + i), vinv);
    const __m512i q1 = pqnn_f32_qd8_quantize16_avx512skx(_mm512_loadu_ps(in + i + 16), vinv);
    const __m512i q2 = pqnn_f32_qd8_quantize16_avx512skx(_mm512_loadu_ps(in + i + 32), vinv);
    const __m512i q3 = pqnn_f32_qd8_quantize16_avx512skx(_mm512_loadu_ps(in + i + 48), vinv);
    const __m512i q01 = _mm512_adds_epi16(_mm512_packs_epi32(q0, q1), vzp16);
    const __m512i q23 = _mm512_adds_epi16(_mm512_packs_epi32(q2, q3), vzp16);
    const __m512i q = _mm512_permutexvar_epi32(vorder, _mm512_packs_epi16(q01, q23));
    _mm512_storeu_si512((void*) (y + i), q);
  }
  for (; i < n; i += 16) {
    const size_t rem = n - i < 16 ? n - i : 16;
    const __mmask16 vmask = (__mmask16) ((1u << rem) - 1u);
    const __m512i q = _mm512_add_epi32(
        pqnn_f32_qd8_quantize16_avx512skx(_mm512_maskz_loadu_ps(vmask, in + i), vinv), vzp);
    _mm512_mask_cvtsepi32_storeu_epi8(y + i, vmask, q);
  }
}

#endif  /* PQNN_F32_QD8_QUANTIZE_AVX512SKX_H_ */
