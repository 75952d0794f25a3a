/*
 * AVX512 (F+BW+DQ+VL) f16 -> qd8 row quantization, 32 elements per step (contract:
 * src/microkernels.h, pqnn_qd8_quantize_ukernel_fn): vcvtph2ps widens f16 to f32 exactly,
 * then the f32 arithmetic of qd8-quantize-params.h (bit-exact with the scalar kernels).
 * Pass 1: min/max from 0 and the largest |h| (NaN/Inf iff >= 0x7C00); pass 2: x * inv,
 * round to nearest even, add the zero point, vpmovsdb (saturating). Tails use masked
 * 16-bit loads (zeros) and masked stores: exactly n f16 read, n int8 written.
 */
#include <immintrin.h>
#include <string.h>

#include "microkernels.h"
#include "microkernels/qd8-quantize-params.h"

static inline __m512i quantize16(__m256i h, __m512 vinv, __m512i vzp) {
  return _mm512_add_epi32(_mm512_cvtps_epi32(_mm512_mul_ps(_mm512_cvtph_ps(h), vinv)), vzp);
}

void pqnn_f16_qd8_quantize_ukernel__avx512skx(size_t n, const void* x, int8_t* y,
    struct pqnn_quantization_params* quantization_params) {
  const uint16_t* in = (const uint16_t*) x;
  const __m256i vabs_mask = _mm256_set1_epi16(0x7FFF);
  __m512 vmin0 = _mm512_setzero_ps(), vmax0 = _mm512_setzero_ps();
  __m512 vmin1 = _mm512_setzero_ps(), vmax1 = _mm512_setzero_ps();
  __m256i vabs = _mm256_setzero_si256();
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    const __m256i h0 = _mm256_loadu_si256((const __m256i*) (in + i));
    const __m256i h1 = _mm256_loadu_si256((const __m256i*) (in + i + 16));
    const __m512 v0 = _mm512_cvtph_ps(h0);
    const __m512 v1 = _mm512_cvtph_ps(h1);
    vmin0 = _mm512_min_ps(vmin0, v0);
    vmax0 = _mm512_max_ps(vmax0, v0);
    vmin1 = _mm512_min_ps(vmin1, v1);
    vmax1 = _mm512_max_ps(vmax1, v1);
    vabs = _mm256_max_epu16(vabs, _mm256_and_si256(h0, vabs_mask));
    vabs = _mm256_max_epu16(vabs, _mm256_and_si256(h1, vabs_mask));
  }
  for (; i < n; i += 16) {
    const size_t rem = n - i < 16 ? n - i : 16;
    const __mmask16 vmask = (__mmask16) ((1u << rem) - 1u);
    const __m256i h = _mm256_maskz_loadu_epi16(vmask, in + i);
    const __m512 v = _mm512_cvtph_ps(h);
    vmin0 = _mm512_min_ps(vmin0, v);
    vmax0 = _mm512_max_ps(vmax0, v);
    vabs = _mm256_max_epu16(vabs, _mm256_and_si256(h, vabs_mask));
  }
  vmin0 = _mm512_min_ps(vmin0, vmin1);
  vmax0 = _mm512_max_ps(vmax0, vmax1);
  const float rmin = _mm512_reduce_min_ps(vmin0);
  const float rmax = _mm512_reduce_max_ps(vmax0);
  const bool nonfinite = _mm256_cmpgt_epi16_mask(vabs, _mm256_set1_epi16(0x7BFF)) != 0;

  const float inv = pqnn_qd8_row_params(rmin, rmax, nonfinite, quantization_params);
  if (inv == 0.0f) {
    memset(y, 0, n);
    return;
  }
  const __m512 vinv = _mm512_set1_ps(inv);
  const __m512i vzp = _mm512_set1_epi32(quantization_params->zero_point);
  i = 0;
  for (; i + 32 <= n; i += 32) {
    const __m512i q0 = quantize16(_mm256_loadu_si256((const __m256i*) (in + i)), vinv, vzp);
    const __m512i q1 = quantize16(_mm256_loadu_si256((const __m256i*) (in + i + 16)), vinv, vzp);
    _mm_storeu_si128((__m128i*) (y + i), _mm512_cvtsepi32_epi8(q0));
    _mm_storeu_si128((__m128i*) (y + i + 16), _mm512_cvtsepi32_epi8(q1));
  }
  for (; i < n; i += 16) {
    const size_t rem = n - i < 16 ? n - i : 16;
    const __mmask16 vmask = (__mmask16) ((1u << rem) - 1u);
    const __m512i q = quantize16(_mm256_maskz_loadu_epi16(vmask, in + i), vinv, vzp);
    _mm512_mask_cvtsepi32_storeu_epi8(y + i, vmask, q);
  }
}
