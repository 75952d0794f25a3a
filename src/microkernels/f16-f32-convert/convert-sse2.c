/*
 * SSE2 f16 -> f32 conversion without F16C, 8 elements per step (contract:
 * src/microkernels.h, pqnn_convert_ukernel_fn). Per lane, with e = h & 0x7C00:
 *   normal (e != 0, e != 0x7C00): bits = ((h & 0x7FFF) << 13) + 0x38000000;
 *   Inf/NaN (e == 0x7C00):        bits = ((h & 0x7FFF) << 13) + 0x70000000, NaNs get the
 *                                 quiet bit 0x00400000 (as fp16_ieee_to_fp32_value);
 *   zero/subnormal (e == 0):      value = float(0x3F000000 | m) - 0.5f = m * 2^-24 (exact);
 *   then the sign. Exact; bit-identical with fp16_ieee_to_fp32_value.
 * Tails of n % 8 go through stack copies: exactly n f16 read, n floats written.
 */
#include <emmintrin.h>
#include <string.h>

#include "microkernels.h"

static inline __m128 convert4(__m128i h /* 16-bit values zero-extended to 32 */) {
  const __m128i vnonsign = _mm_and_si128(h, _mm_set1_epi32(0x7FFF));
  const __m128i vsign = _mm_slli_epi32(_mm_and_si128(h, _mm_set1_epi32(0x8000)), 16);
  const __m128i vexp = _mm_and_si128(h, _mm_set1_epi32(0x7C00));
  const __m128i vshift = _mm_slli_epi32(vnonsign, 13);
  const __m128i minf = _mm_cmpeq_epi32(vexp, _mm_set1_epi32(0x7C00));
  const __m128i msub = _mm_cmpeq_epi32(vexp, _mm_setzero_si128());
  /* normal and Inf/NaN: the exponent offset differs */
  const __m128i voffset = _mm_or_si128(_mm_and_si128(minf, _mm_set1_epi32(0x70000000)),
      _mm_andnot_si128(minf, _mm_set1_epi32(0x38000000)));
  __m128i vn = _mm_add_epi32(vshift, voffset);
  const __m128i mnan = _mm_cmpgt_epi32(vnonsign, _mm_set1_epi32(0x7C00));
  vn = _mm_or_si128(vn, _mm_and_si128(mnan, _mm_set1_epi32(0x00400000)));
  /* zero and subnormals */
  const __m128 vhalf = _mm_set1_ps(0.5f);
  const __m128i vs = _mm_castps_si128(_mm_sub_ps(
      _mm_castsi128_ps(_mm_or_si128(vnonsign, _mm_castps_si128(vhalf))), vhalf));
  const __m128i vr = _mm_or_si128(_mm_and_si128(msub, vs), _mm_andnot_si128(msub, vn));
  return _mm_castsi128_ps(_mm_or_si128(vr, vsign));
}

void pqnn_f16_f32_convert_ukernel__sse2(size_t n, const void* x, void* y) {
  const uint16_t* in = (const uint16_t*) x;
  float* out = (float*) y;
  const __m128i vzero = _mm_setzero_si128();
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m128i h = _mm_loadu_si128((const __m128i*) (in + i));
    _mm_storeu_ps(out + i, convert4(_mm_unpacklo_epi16(h, vzero)));
    _mm_storeu_ps(out + i + 4, convert4(_mm_unpackhi_epi16(h, vzero)));
  }
  if (i < n) {
    const size_t rem = n - i;
    uint16_t tmp[8] = {0};
    memcpy(tmp, in + i, rem * sizeof(uint16_t));
    const __m128i h = _mm_loadu_si128((const __m128i*) tmp);
    float res[8];
    _mm_storeu_ps(res, convert4(_mm_unpacklo_epi16(h, vzero)));
    _mm_storeu_ps(res + 4, convert4(_mm_unpackhi_epi16(h, vzero)));
    memcpy(out + i, res, rem * sizeof(float));
  }
}
