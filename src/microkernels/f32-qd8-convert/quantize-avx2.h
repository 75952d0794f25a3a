/*
 * AVX2 f32 -> qd8 row steps, shared by the quantize kernel (both steps on one row) and the
 * range / apply kernels (the steps apart, for rows split in chunks). Arithmetic:
 * qd8-quantize-params.h, bit-exact with the scalar kernel (explicit mul then cvtps2dq, no
 * FMA). Range, 16 floats per step: min/max from 0 and the largest |x| bit pattern (NaN/Inf
 * iff >= 0x7F800000). Apply, 32 floats per step: x * inv, round to nearest even, add the
 * zero point, saturating packs to int8 (= clamp to [-128, 127]). Float tails use
 * vmaskmovps (masked lanes read as 0, which leaves the range unchanged); int8 tails are
 * stored from a stack copy: exactly n floats read, n int8 written. Include only from avx2
 * files.
 */
#ifndef PQNN_F32_QD8_QUANTIZE_AVX2_H_
#define PQNN_F32_QD8_QUANTIZE_AVX2_H_

#include <immintrin.h>
#include <string.h>

#include "microkernels.h"
#include "microkernels/qd8-quantize-params.h"

static const int32_t pqnn_f32_qd8_mask_table_avx2[16] = {
    -1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};

static inline __m256 pqnn_f32_qd8_tail_avx2(const float* p, size_t rem) {
  const __m256i vmask =
      _mm256_loadu_si256((const __m256i*) (pqnn_f32_qd8_mask_table_avx2 + 8 - rem));
  return _mm256_maskload_ps(p, vmask);
}

/* The range step before its reduction across lanes: per lane min / max with 0 and the
 * largest |x| bit pattern (the many-rows kernel reduces 8 rows' vectors together). */
static inline void pqnn_f32_qd8_range_vectors_avx2(size_t n, const float* in,
    __m256* min_out, __m256* max_out, __m256i* abs_out) {
  const __m256i vabs_mask = _mm256_set1_epi32(0x7FFFFFFF);
  __m256 vmin0 = _mm256_setzero_ps(), vmax0 = _mm256_setzero_ps();
  __m256 vmin1 = _mm256_setzero_ps(), vmax1 = _mm256_setzero_ps();
  __m256i vabs0 = _mm256_setzero_si256(), vabs1 = _mm256_setzero_si256();
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m256 v0 = _mm256_loadu_ps(in + i);
    const __m256 v1 = _mm256_loadu_ps(in + i + 8);
    vmin0 = _mm256_min_ps(vmin0, v0);
    vmax0 = _mm256_max_ps(vmax0, v0);
    vmin1 = _mm256_min_ps(vmin1, v1);
    vmax1 = _mm256_max_ps(vmax1, v1);
    vabs0 = _mm256_max_epi32(vabs0, _mm256_and_si256(_mm256_castps_si256(v0), vabs_mask));
    vabs1 = _mm256_max_epi32(vabs1, _mm256_and_si256(_mm256_castps_si256(v1), vabs_mask));
  }
  for (; i < n; i += 8) {
    const __m256 v = pqnn_f32_qd8_tail_avx2(in + i, n - i < 8 ? n - i : 8);
    vmin0 = _mm256_min_ps(vmin0, v);
    vmax0 = _mm256_max_ps(vmax0, v);
    vabs0 = _mm256_max_epi32(vabs0, _mm256_and_si256(_mm256_castps_si256(v), vabs_mask));
  }
  *min_out = _mm256_min_ps(vmin0, vmin1);
  *max_out = _mm256_max_ps(vmax0, vmax1);
  *abs_out = _mm256_max_epi32(vabs0, vabs1);
}

static inline void pqnn_f32_qd8_range_avx2(size_t n, const float* in,
    struct pqnn_qd8_range* range) {
  __m256 vmin0, vmax0;
  __m256i vabs0;
  pqnn_f32_qd8_range_vectors_avx2(n, in, &vmin0, &vmax0, &vabs0);
  __m128 vmin = _mm_min_ps(_mm256_castps256_ps128(vmin0), _mm256_extractf128_ps(vmin0, 1));
  __m128 vmax = _mm_max_ps(_mm256_castps256_ps128(vmax0), _mm256_extractf128_ps(vmax0, 1));
  __m128i vabs = _mm_max_epi32(_mm256_castsi256_si128(vabs0), _mm256_extracti128_si256(vabs0, 1));
  vmin = _mm_min_ps(vmin, _mm_movehl_ps(vmin, vmin));
  vmax = _mm_max_ps(vmax, _mm_movehl_ps(vmax, vmax));
  vabs = _mm_max_epi32(vabs, _mm_unpackhi_epi64(vabs, vabs));
  vmin = _mm_min_ss(vmin, _mm_movehdup_ps(vmin));
  vmax = _mm_max_ss(vmax, _mm_movehdup_ps(vmax));
  vabs = _mm_max_epi32(vabs, _mm_shuffle_epi32(vabs, 1));
  range->min = _mm_cvtss_f32(vmin);
  range->max = _mm_cvtss_f32(vmax);
  range->nonfinite = (uint32_t) _mm_cvtsi128_si32(vabs) >= PQNN_F32_INF_BITS;
}

static inline __m256i pqnn_f32_qd8_quantize8_avx2(__m256 v, __m256 vinv, __m256i vzp) {
  return _mm256_add_epi32(_mm256_cvtps_epi32(_mm256_mul_ps(v, vinv)), vzp);
}

static inline void pqnn_f32_qd8_apply_avx2(size_t n, const float* in, int8_t* y, float inv,
    int32_t zero_point) {
  const __m256 vinv = _mm256_set1_ps(inv);
  const __m256i vzp = _mm256_set1_epi32(zero_point);
  const __m256i vperm = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    const __m256i q0 = pqnn_f32_qd8_quantize8_avx2(_mm256_loadu_ps(in + i), vinv, vzp);
    const __m256i q1 = pqnn_f32_qd8_quantize8_avx2(_mm256_loadu_ps(in + i + 8), vinv, vzp);
    const __m256i q2 = pqnn_f32_qd8_quantize8_avx2(_mm256_loadu_ps(in + i + 16), vinv, vzp);
    const __m256i q3 = pqnn_f32_qd8_quantize8_avx2(_mm256_loadu_ps(in + i + 24), vinv, vzp);
    __m256i q = _mm256_packs_epi16(_mm256_packs_epi32(q0, q1), _mm256_packs_epi32(q2, q3));
    q = _mm256_permutevar8x32_epi32(q, vperm);
    _mm256_storeu_si256((__m256i*) (y + i), q);
  }
  for (; i < n; i += 8) {
    const size_t rem = n - i < 8 ? n - i : 8;
    const __m256i q = pqnn_f32_qd8_quantize8_avx2(pqnn_f32_qd8_tail_avx2(in + i, rem), vinv, vzp);
    const __m128i q16 = _mm_packs_epi32(_mm256_castsi256_si128(q), _mm256_extracti128_si256(q, 1));
    const __m128i q8 = _mm_packs_epi16(q16, q16);
    if (rem == 8) {
      _mm_storel_epi64((__m128i*) (y + i), q8);
    } else {
      int8_t out[16];
      _mm_storeu_si128((__m128i*) out, q8);
      memcpy(y + i, out, rem);
    }
  }
}

#endif  /* PQNN_F32_QD8_QUANTIZE_AVX2_H_ */
