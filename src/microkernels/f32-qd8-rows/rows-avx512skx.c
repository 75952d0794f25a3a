/*
 * AVX512 (F+BW+DQ+VL) f32 -> qd8 quantization of many short rows (contract:
 * src/microkernels.h, pqnn_qd8_rows_ukernel_fn): each row gives exactly the bits of the
 * avx512skx quantize kernel (the same range and apply steps, quantize-avx512skx.h), but the
 * per-row fixed cost is shared by 16 rows at a time. The one-row kernel reduces its min /
 * max vectors across lanes (a chain of shuffles) and computes the params with scalar
 * divisions, about 45 cycles a row before its apply can start; here the 16 rows' min / max
 * vectors are reduced together (15 shuffle-and-min steps for 16 rows, each row's result in
 * its own lane) and the params computed for 16 rows at once: the scalar formula of
 * qd8-quantize-params.h lane by lane (IEEE division and products rounded alike; the zero
 * point rounded to nearest even by vcvtps2dq as lrintf does), the special rows (NaN or
 * infinity, all zero, a range overflowing float, a range too tiny for 255 / range) by
 * masks. Rows of a partial group: the missing lanes hold a zero row and are not written.
 */
#include <string.h>

#include "microkernels/f32-qd8-convert/quantize-avx512skx.h"

/* 16 vectors -> one whose lane r is the min (max) of v[r]'s lanes. Min and max are exact
 * and, without NaN, independent of the order (a NaN row's range is not used). */
#define REDUCE16(op, v, out)                                                              \
  do {                                                                                    \
    __m512 t8[8], t4[4], t2[2];                                                           \
    for (int j = 0; j < 8; j++) {  /* per 128-bit lane: a0^a2 b0^b2 a1^a3 b1^b3 */        \
      t8[j] = op(_mm512_unpacklo_ps(v[2 * j], v[2 * j + 1]),                              \
          _mm512_unpackhi_ps(v[2 * j], v[2 * j + 1]));                                    \
    }                                                                                     \
    for (int j = 0; j < 4; j++) {  /* per 128-bit lane: rows 4j..4j+3, one partial each */ \
      const __m512d a = _mm512_castps_pd(t8[2 * j]), b = _mm512_castps_pd(t8[2 * j + 1]); \
      t4[j] = op(_mm512_castpd_ps(_mm512_unpacklo_pd(a, b)),                              \
          _mm512_castpd_ps(_mm512_unpackhi_pd(a, b)));                                    \
    }                                                                                     \
    for (int j = 0; j < 2; j++) {  /* 128-bit lanes: (L0^L1, L2^L3) of two vectors */       \
      t2[j] = op(_mm512_shuffle_f32x4(t4[2 * j], t4[2 * j + 1], _MM_SHUFFLE(2, 0, 2, 0)), \
          _mm512_shuffle_f32x4(t4[2 * j], t4[2 * j + 1], _MM_SHUFFLE(3, 1, 3, 1)));       \
    }                                                                                     \
    out = op(_mm512_shuffle_f32x4(t2[0], t2[1], _MM_SHUFFLE(2, 0, 2, 0)),                 \
        _mm512_shuffle_f32x4(t2[0], t2[1], _MM_SHUFFLE(3, 1, 3, 1)));                     \
  } while (0)

/* pqnn_qd8_row_params for 16 rows (lane r: row r): rmin <= 0 <= rmax, nonfinite rows in
 * the mask. Writes each lane's zero point and scale, and the reciprocal to quantize with
 * (0: the row is written as zeros). */
static inline void params16(__m512 rmin, __m512 rmax, __mmask16 nonfinite, __m512i* zp_out,
    __m512* scale_out, __m512* inv_out) {
  const __m512 inf = _mm512_set1_ps(INFINITY);
  nonfinite = (__mmask16) (nonfinite |
      _mm512_cmp_ps_mask(rmin, _mm512_set1_ps(-INFINITY), _CMP_EQ_OQ) |
      _mm512_cmp_ps_mask(rmax, inf, _CMP_EQ_OQ));
  const __mmask16 equal = _mm512_cmp_ps_mask(rmin, rmax, _CMP_EQ_OQ);
  const __m512 range = _mm512_sub_ps(rmax, rmin);
  const __mmask16 huge = _mm512_cmp_ps_mask(range, inf, _CMP_EQ_OQ);
  const __m512 half_range = _mm512_sub_ps(_mm512_mul_ps(rmax, _mm512_set1_ps(0.5f)),
      _mm512_mul_ps(rmin, _mm512_set1_ps(0.5f)));
  __m512 scale = _mm512_div_ps(range, _mm512_set1_ps(255.0f));
  __m512 inv = _mm512_div_ps(_mm512_set1_ps(255.0f), range);
  scale = _mm512_mask_div_ps(scale, huge, half_range, _mm512_set1_ps(127.5f));
  inv = _mm512_mask_div_ps(inv, huge, _mm512_set1_ps(127.5f), half_range);
  const __mmask16 tiny = (__mmask16) (~huge & _mm512_cmp_ps_mask(inv, inf, _CMP_EQ_OQ));
  const __m512 min_scaled = _mm512_mul_ps(rmin, inv);
  const __m512 max_scaled = _mm512_mul_ps(rmax, inv);
  const __m512 low_error = _mm512_add_ps(_mm512_set1_ps(-128.0f), min_scaled);
  const __m512 high_error = _mm512_add_ps(_mm512_set1_ps(127.0f), max_scaled);
  const __mmask16 from_min = _mm512_cmp_ps_mask(_mm512_add_ps(low_error, high_error),
      _mm512_setzero_ps(), _CMP_GT_OQ);
  const __m512 zp_f = _mm512_mask_blend_ps(from_min,
      _mm512_sub_ps(_mm512_set1_ps(127.0f), max_scaled),
      _mm512_sub_ps(_mm512_set1_ps(-128.0f), min_scaled));
  __m512i zp = _mm512_cvtps_epi32(zp_f);
  zp = _mm512_min_epi32(_mm512_max_epi32(zp, _mm512_set1_epi32(-128)), _mm512_set1_epi32(127));
  const __mmask16 zero = (__mmask16) (nonfinite | equal | tiny);
  *zp_out = _mm512_maskz_mov_epi32((__mmask16) ~zero, zp);
  scale = _mm512_mask_mov_ps(scale, (__mmask16) (equal | tiny), _mm512_set1_ps(1.0f));
  *scale_out = _mm512_mask_mov_ps(scale, nonfinite, _mm512_set1_ps(NAN));
  *inv_out = _mm512_maskz_mov_ps((__mmask16) ~zero, inv);
}

void pqnn_f32_qd8_rows_ukernel__avx512skx(size_t rows, size_t n, const void* x,
    size_t x_stride, int8_t* y, size_t y_stride,
    struct pqnn_quantization_params* quantization_params) {
  const char* xr = (const char*) x;
  for (size_t r0 = 0; r0 < rows; r0 += 16) {
    const size_t group = rows - r0 < 16 ? rows - r0 : 16;
    __m512 vmin[16], vmax[16];
    __mmask16 nan = 0;
    for (size_t r = 0; r < 16; r++) {
      if (r < group) {
        bool row_nan;
        const float* row = (const float*) (xr + (r0 + r) * x_stride);
        pqnn_f32_qd8_range_vectors_avx512skx(n, row, &vmin[r], &vmax[r], &row_nan);
        nan = (__mmask16) (nan | ((unsigned) row_nan << r));
      } else {
        vmin[r] = vmax[r] = _mm512_setzero_ps();
      }
    }
    __m512 rmin, rmax;
    REDUCE16(_mm512_min_ps, vmin, rmin);
    REDUCE16(_mm512_max_ps, vmax, rmax);
    __m512i vzp;
    __m512 vscale, vinv;
    params16(rmin, rmax, nan, &vzp, &vscale, &vinv);
    int32_t zps[16];
    float scales[16], invs[16];
    _mm512_storeu_si512((void*) zps, vzp);
    _mm512_storeu_ps(scales, vscale);
    _mm512_storeu_ps(invs, vinv);
    for (size_t r = 0; r < group; r++) {
      struct pqnn_quantization_params* qp = &quantization_params[r0 + r];
      qp->zero_point = zps[r];
      qp->scale = scales[r];
      int8_t* yr = y + (r0 + r) * y_stride;
      if (invs[r] == 0.0f) {
        memset(yr, 0, n);
      } else {
        pqnn_f32_qd8_apply_avx512skx(n, (const float*) (xr + (r0 + r) * x_stride), yr,
            invs[r], zps[r]);
      }
    }
  }
}
