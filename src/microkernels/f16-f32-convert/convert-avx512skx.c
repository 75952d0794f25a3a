/*
 * AVX512 (F+BW+DQ+VL) f16 -> f32 conversion, 32 elements per step (contract:
 * src/microkernels.h, pqnn_convert_ukernel_fn): vcvtph2ps (exact). Tails use masked
 * 16-bit loads and masked float stores: exactly n f16 read, n floats written.
 */
#include <immintrin.h>

#include "microkernels.h"

void pqnn_f16_f32_convert_ukernel__avx512skx(size_t n, const void* x, void* y) {
  const uint16_t* in = (const uint16_t*) x;
  float* out = (float*) y;
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    const __m512 v0 = _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i*) (in + i)));
    const __m512 v1 = _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i*) (in + i + 16)));
    _mm512_storeu_ps(out + i, v0);
    _mm512_storeu_ps(out + i + 16, v1);
  }
  for (; i < n; i += 16) {
    const size_t rem = n - i < 16 ? n - i : 16;
    const __mmask16 vmask = (__mmask16) ((1u << rem) - 1u);
    const __m512 v = _mm512_cvtph_ps(_mm256_maskz_loadu_epi16(vmask, in + i));
    _mm512_mask_storeu_ps(out + i, vmask, v);
  }
}
