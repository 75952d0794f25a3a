/*
 * AVX512 (F+BW+DQ+VL) f32 -> f16 conversion, 32 elements per step (contract:
 * src/microkernels.h, pqnn_convert_ukernel_fn): vcvtps2ph with round to nearest even
 * (overflow -> +-Inf, subnormals, NaN -> quiet NaN). Tails use masked loads and masked
 * 16-bit stores: exactly n floats read, n f16 written.
 */
#include <immintrin.h>

#include "microkernels.h"

void pqnn_f32_f16_convert_ukernel__avx512skx(size_t n, const void* x, void* y) {
  const float* in = (const float*) x;
  uint16_t* out = (uint16_t*) y;
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    const __m256i h0 = _mm512_cvtps_ph(_mm512_loadu_ps(in + i), _MM_FROUND_TO_NEAREST_INT);
    const __m256i h1 = _mm512_cvtps_ph(_mm512_loadu_ps(in + i + 16), _MM_FROUND_TO_NEAREST_INT);
    _mm256_storeu_si256((__m256i*) (out + i), h0);
    _mm256_storeu_si256((__m256i*) (out + i + 16), h1);
  }
  for (; i < n; i += 16) {
    const size_t rem = n - i < 16 ? n - i : 16;
    const __mmask16 vmask = (__mmask16) ((1u << rem) - 1u);
    const __m256i h = _mm512_cvtps_ph(_mm512_maskz_loadu_ps(vmask, in + i), _MM_FROUND_TO_NEAREST_INT);
    _mm256_mask_storeu_epi16(out + i, vmask, h);
  }
}
