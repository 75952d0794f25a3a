/*
 * SSE2 f32 -> f16 conversion without F16C, 8 elements per step (contract:
 * src/microkernels.h, pqnn_convert_ukernel_fn). Bit manipulation per lane, with a = |x| bits:
 *   normal f16 range (a >= 0x38800000): a' = min(a, 0x47800000); h = (a' + 0xFFF +
 *     ((a' >> 13) & 1) - 0x38000000) >> 13  (round to nearest even on the dropped 13 bits;
 *     the carry moves into the exponent, anything >= 65520 ends at 0x7C00 = Inf);
 *   below 2^-14 (f16 subnormals and zero): |x| + 0.5f rounds to a multiple of 2^-24 with
 *     the FPU's nearest-even rounding; its bits minus those of 0.5f are the f16 bits;
 *   NaN (a > 0x7F800000): 0x7E00 | (mantissa >> 13), a quiet NaN as vcvtps2ph gives;
 *   then the sign. Bit-exact with fp16_ieee_from_fp32_value except NaN payloads.
 * Tails of n % 8 go through stack copies: exactly n floats read, n f16 written.
 */
#include <emmintrin.h>
#include <string.h>

#include "microkernels.h"

static inline __m128i convert4(__m128 v) {
  const __m128i vw = _mm_castps_si128(v);
  const __m128i vabs = _mm_and_si128(vw, _mm_set1_epi32(0x7FFFFFFF));
  const __m128i vsign = _mm_and_si128(_mm_srli_epi32(vw, 16), _mm_set1_epi32(0x8000));
  /* normal path */
  const __m128i vbig = _mm_set1_epi32(0x47800000);
  const __m128i mbig = _mm_cmpgt_epi32(vabs, vbig);
  __m128i vn = _mm_or_si128(_mm_and_si128(mbig, vbig), _mm_andnot_si128(mbig, vabs));
  const __m128i vodd = _mm_and_si128(_mm_srli_epi32(vn, 13), _mm_set1_epi32(1));
  vn = _mm_add_epi32(vn, _mm_set1_epi32(0xFFF - 0x38000000));
  vn = _mm_srli_epi32(_mm_add_epi32(vn, vodd), 13);
  /* subnormal path */
  const __m128 vhalf = _mm_set1_ps(0.5f);
  const __m128i vs = _mm_sub_epi32(_mm_castps_si128(_mm_add_ps(_mm_castsi128_ps(vabs), vhalf)),
      _mm_castps_si128(vhalf));
  const __m128i msub = _mm_cmplt_epi32(vabs, _mm_set1_epi32(0x38800000));
  __m128i vr = _mm_or_si128(_mm_and_si128(msub, vs), _mm_andnot_si128(msub, vn));
  /* NaN */
  const __m128i mnan = _mm_cmpgt_epi32(vabs, _mm_set1_epi32(0x7F800000));
  const __m128i vnan = _mm_or_si128(_mm_and_si128(_mm_srli_epi32(vabs, 13), _mm_set1_epi32(0x3FF)),
      _mm_set1_epi32(0x7E00));
  vr = _mm_or_si128(_mm_and_si128(mnan, vnan), _mm_andnot_si128(mnan, vr));
  vr = _mm_or_si128(vr, vsign);
  /* sign-extend from 16 bits so that the signed saturating pack is exact */
  return _mm_srai_epi32(_mm_slli_epi32(vr, 16), 16);
}

void pqnn_f32_f16_convert_ukernel__sse2(size_t n, const void* x, void* y) {
  const float* in = (const float*) x;
  uint16_t* out = (uint16_t*) y;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m128i h0 = convert4(_mm_loadu_ps(in + i));
    const __m128i h1 = convert4(_mm_loadu_ps(in + i + 4));
    _mm_storeu_si128((__m128i*) (out + i), _mm_packs_epi32(h0, h1));
  }
  if (i < n) {
    const size_t rem = n - i;
    float tmp[8] = {0};
    memcpy(tmp, in + i, rem * sizeof(float));
    const __m128i h0 = convert4(_mm_loadu_ps(tmp));
    const __m128i h1 = convert4(_mm_loadu_ps(tmp + 4));
    uint16_t res[8];
    _mm_storeu_si128((__m128i*) res, _mm_packs_epi32(h0, h1));
    memcpy(out + i, res, rem * sizeof(uint16_t));
  }
}
