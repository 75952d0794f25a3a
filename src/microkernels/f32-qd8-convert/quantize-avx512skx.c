/*
 * AVX512 (F+BW+DQ+VL) f32 -> qd8 row quantization, 32 floats per step (contract:
 * src/microkernels.h, pqnn_qd8_quantize_ukernel_fn; arithmetic: qd8-quantize-params.h,
 * bit-exact with the scalar kernel: explicit mul then vcvtps2dq, no FMA). Pass 1:
 * min/max from 0 and the largest |x| bit pattern (NaN/Inf iff >= 0x7F800000); pass 2:
 * x * inv, round to nearest even, add the zero point, vpmovsdb (saturates = clamp to
 * [-128, 127]). Tails use masked loads (masked lanes read as 0) and masked stores:
 * exactly n floats read, n int8 written.
 */
#include <immintrin.h>
#include <string.h>

#include "microkernels.h"
#include "microkernels/qd8-quantize-params.h"

static inline __m512i quantize16(__m512 v, __m512 vinv, __m512i vzp) {
  return _mm512_add_epi32(_mm512_cvtps_epi32(_mm512_mul_ps(v, vinv)), vzp);
}

void pqnn_f32_qd8_quantize_ukernel__avx512skx(size_t n, const void* x, int8_t* y,
    struct pqnn_quantization_params* quantization_params) {
  const float* in = (const float*) x;
  const __m512i vabs_mask = _mm512_set1_epi32(0x7FFFFFFF);
  __m512 vmin0 = _mm512_setzero_ps(), vmax0 = _mm512_setzero_ps();
  __m512 vmin1 = _mm512_setzero_ps(), vmax1 = _mm512_setzero_ps();
  __m512i vabs0 = _mm512_setzero_si512(), vabs1 = _mm512_setzero_si512();
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    const __m512 v0 = _mm512_loadu_ps(in + i);
    const __m512 v1 = _mm512_loadu_ps(in + i + 16);
    vmin0 = _mm512_min_ps(vmin0, v0);
    vmax0 = _mm512_max_ps(vmax0, v0);
    vmin1 = _mm512_min_ps(vmin1, v1);
    vmax1 = _mm512_max_ps(vmax1, v1);
    vabs0 = _mm512_max_epu32(vabs0, _mm512_and_si512(_mm512_castps_si512(v0), vabs_mask));
    vabs1 = _mm512_max_epu32(vabs1, _mm512_and_si512(_mm512_castps_si512(v1), vabs_mask));
  }
  for (; i < n; i += 16) {
    const size_t rem = n - i < 16 ? n - i : 16;
    const __mmask16 vmask = (__mmask16) ((1u << rem) - 1u);
    const __m512 v = _mm512_maskz_loadu_ps(vmask, in + i);
    vmin0 = _mm512_min_ps(vmin0, v);
    vmax0 = _mm512_max_ps(vmax0, v);
    vabs0 = _mm512_max_epu32(vabs0, _mm512_and_si512(_mm512_castps_si512(v), vabs_mask));
  }
  vmin0 = _mm512_min_ps(vmin0, vmin1);
  vmax0 = _mm512_max_ps(vmax0, vmax1);
  vabs0 = _mm512_max_epu32(vabs0, vabs1);
  const float rmin = _mm512_reduce_min_ps(vmin0);
  const float rmax = _mm512_reduce_max_ps(vmax0);
  const bool nonfinite = _mm512_reduce_max_epu32(vabs0) >= PQNN_F32_INF_BITS;

  const float inv = pqnn_qd8_row_params(rmin, rmax, nonfinite, quantization_params);
  if (inv == 0.0f) {
    memset(y, 0, n);
    return;
  }
  const __m512 vinv = _mm512_set1_ps(inv);
  const __m512i vzp = _mm512_set1_epi32(quantization_params->zero_point);
  i = 0;
  for (; i + 32 <= n; i += 32) {
    const __m512i q0 = quantize16(_mm512_loadu_ps(in + i), vinv, vzp);
    const __m512i q1 = quantize16(_mm512_loadu_ps(in + i + 16), vinv, vzp);
    _mm_storeu_si128((__m128i*) (y + i), _mm512_cvtsepi32_epi8(q0));
    _mm_storeu_si128((__m128i*) (y + i + 16), _mm512_cvtsepi32_epi8(q1));
  }
  for (; i < n; i += 16) {
    const size_t rem = n - i < 16 ? n - i : 16;
    const __mmask16 vmask = (__mmask16) ((1u << rem) - 1u);
    const __m512i q = quantize16(_mm512_maskz_loadu_ps(vmask, in + i), vinv, vzp);
    _mm512_mask_cvtsepi32_storeu_epi8(y + i, vmask, q);
  }
}
