/*
 * AVX2 f32 -> qd8 quantization of many short rows (contract: src/microkernels.h,
 * pqnn_qd8_rows_ukernel_fn): each row gives exactly the bits of the avx2 quantize kernel
 * (its range and apply steps, quantize-avx2.h), 8 rows at a time sharing the per-row fixed
 * cost: the 8 rows' min / max / largest-|x| vectors reduced together (each row's result
 * in its own lane) and the params of qd8-quantize-params.h computed for the 8 lanes at once
 * (the same IEEE operations; the zero point rounded to nearest even by vcvtps2dq as lrintf
 * does; NaN / Inf, all-zero, overflowing and tiny ranges by blends). Rows of a partial
 * group: the missing lanes hold a zero row and are not written.
 */
#include <string.h>

#include "microkernels/f32-qd8-convert/quantize-avx2.h"

/* 8 vectors -> one whose lane r is the reduction of v[r]'s lanes (op on floats). */
#define REDUCE8(op, v, out)                                                               \
  do {                                                                                    \
    __m256 t4[4], t2[2];                                                                  \
    for (int j = 0; j < 4; j++) {  /* per 128-bit lane: a0^a2 b0^b2 a1^a3 b1^b3 */        \
      t4[j] = op(_mm256_unpacklo_ps(v[2 * j], v[2 * j + 1]),                              \
          _mm256_unpackhi_ps(v[2 * j], v[2 * j + 1]));                                    \
    }                                                                                     \
    for (int j = 0; j < 2; j++) {  /* per 128-bit lane: rows 4j..4j+3 */                  \
      const __m256d a = _mm256_castps_pd(t4[2 * j]), b = _mm256_castps_pd(t4[2 * j + 1]); \
      t2[j] = op(_mm256_castpd_ps(_mm256_unpacklo_pd(a, b)),                              \
          _mm256_castpd_ps(_mm256_unpackhi_pd(a, b)));                                    \
    }                                                                                     \
    out = op(_mm256_permute2f128_ps(t2[0], t2[1], 0x20),                                  \
        _mm256_permute2f128_ps(t2[0], t2[1], 0x31));                                      \
  } while (0)

static inline __m256 max_epi32_as_ps(__m256 a, __m256 b) {
  return _mm256_castsi256_ps(_mm256_max_epi32(_mm256_castps_si256(a), _mm256_castps_si256(b)));
}

/* pqnn_qd8_row_params for 8 rows (lane r: row r); nonfinite: all-ones lanes. */
static inline void params8(__m256 rmin, __m256 rmax, __m256 nonfinite, __m256i* zp_out,
    __m256* scale_out, __m256* inv_out) {
  const __m256 inf = _mm256_set1_ps(INFINITY);
  const __m256 equal = _mm256_cmp_ps(rmin, rmax, _CMP_EQ_OQ);
  const __m256 range = _mm256_sub_ps(rmax, rmin);
  const __m256 huge = _mm256_cmp_ps(range, inf, _CMP_EQ_OQ);
  const __m256 half_range = _mm256_sub_ps(_mm256_mul_ps(rmax, _mm256_set1_ps(0.5f)),
      _mm256_mul_ps(rmin, _mm256_set1_ps(0.5f)));
  const __m256 scale_normal = _mm256_div_ps(range, _mm256_set1_ps(255.0f));
  const __m256 inv_normal = _mm256_div_ps(_mm256_set1_ps(255.0f), range);
  const __m256 scale_huge = _mm256_div_ps(half_range, _mm256_set1_ps(127.5f));
  const __m256 inv_huge = _mm256_div_ps(_mm256_set1_ps(127.5f), half_range);
  __m256 scale = _mm256_blendv_ps(scale_normal, scale_huge, huge);
  const __m256 inv = _mm256_blendv_ps(inv_normal, inv_huge, huge);
  const __m256 tiny = _mm256_andnot_ps(huge, _mm256_cmp_ps(inv, inf, _CMP_EQ_OQ));
  const __m256 min_scaled = _mm256_mul_ps(rmin, inv);
  const __m256 max_scaled = _mm256_mul_ps(rmax, inv);
  const __m256 low_error = _mm256_add_ps(_mm256_set1_ps(-128.0f), min_scaled);
  const __m256 high_error = _mm256_add_ps(_mm256_set1_ps(127.0f), max_scaled);
  const __m256 from_min = _mm256_cmp_ps(_mm256_add_ps(low_error, high_error),
      _mm256_setzero_ps(), _CMP_GT_OQ);
  const __m256 zp_f = _mm256_blendv_ps(_mm256_sub_ps(_mm256_set1_ps(127.0f), max_scaled),
      _mm256_sub_ps(_mm256_set1_ps(-128.0f), min_scaled), from_min);
  __m256i zp = _mm256_cvtps_epi32(zp_f);
  zp = _mm256_min_epi32(_mm256_max_epi32(zp, _mm256_set1_epi32(-128)), _mm256_set1_epi32(127));
  const __m256 zero = _mm256_or_ps(nonfinite, _mm256_or_ps(equal, tiny));
  *zp_out = _mm256_andnot_si256(_mm256_castps_si256(zero), zp);
  scale = _mm256_blendv_ps(scale, _mm256_set1_ps(1.0f), _mm256_or_ps(equal, tiny));
  *scale_out = _mm256_blendv_ps(scale, _mm256_set1_ps(NAN), nonfinite);
  *inv_out = _mm256_andnot_ps(zero, inv);
}

void pqnn_f32_qd8_rows_ukernel__avx2(size_t rows, size_t n, const void* x, size_t x_stride,
    int8_t* y, size_t y_stride, struct pqnn_quantization_params* quantization_params) {
  const char* xr = (const char*) x;
  for (size_t r0 = 0; r0 < rows; r0 += 8) {
    const size_t group = rows - r0 < 8 ? rows - r0 : 8;
    __m256 vmin[8], vmax[8], vabs[8];
    for (size_t r = 0; r < 8; r++) {
      if (r < group) {
        __m256i a;
        const float* row = (const float*) (xr + (r0 + r) * x_stride);
        pqnn_f32_qd8_range_vectors_avx2(n, row, &vmin[r], &vmax[r], &a);
        vabs[r] = _mm256_castsi256_ps(a);
      } else {
        vmin[r] = vmax[r] = vabs[r] = _mm256_setzero_ps();
      }
    }
    __m256 rmin, rmax, rabs;
    REDUCE8(_mm256_min_ps, vmin, rmin);
    REDUCE8(_mm256_max_ps, vmax, rmax);
    REDUCE8(max_epi32_as_ps, vabs, rabs);
    /* NaN or infinity: a |x| bit pattern >= 0x7F800000 (|x| patterns are non-negative). */
    const __m256 nonfinite = _mm256_castsi256_ps(_mm256_cmpgt_epi32(_mm256_castps_si256(rabs),
        _mm256_set1_epi32((int32_t) PQNN_F32_INF_BITS - 1)));
    __m256i vzp;
    __m256 vscale, vinv;
    params8(rmin, rmax, nonfinite, &vzp, &vscale, &vinv);
    int32_t zps[8];
    float scales[8], invs[8];
    _mm256_storeu_si256((__m256i*) zps, vzp);
    _mm256_storeu_ps(scales, vscale);
    _mm256_storeu_ps(invs, vinv);
    for (size_t r = 0; r < group; r++) {
      struct pqnn_quantization_params* qp = &quantization_params[r0 + r];
      qp->zero_point = zps[r];
      qp->scale = scales[r];
      int8_t* yr = y + (r0 + r) * y_stride;
      if (invs[r] == 0.0f) {
        memset(yr, 0, n);
      } else {
        pqnn_f32_qd8_apply_avx2(n, (const float*) (xr + (r0 + r) * x_stride), yr, invs[r],
            zps[r]);
      }
    }
  }
}
