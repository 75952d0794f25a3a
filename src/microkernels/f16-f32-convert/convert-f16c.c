/*
 * F16C (with AVX) f16 -> f32 conversion, 16 elements per step (contract:
 * src/microkernels.h, pqnn_convert_ukernel_fn): vcvtph2ps (exact). f16 tails load from a
 * zero-padded stack copy; float tails store with vmaskmovps: exactly n f16 read, n floats
 * written.
 */
#include <immintrin.h>
#include <string.h>

#include "microkernels.h"

static const int32_t mask_table[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};

void pqnn_f16_f32_convert_ukernel__f16c(size_t n, const void* x, void* y) {
  const uint16_t* in = (const uint16_t*) x;
  float* out = (float*) y;
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m256 v0 = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i*) (in + i)));
    const __m256 v1 = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i*) (in + i + 8)));
    _mm256_storeu_ps(out + i, v0);
    _mm256_storeu_ps(out + i + 8, v1);
  }
  for (; i < n; i += 8) {
    const size_t rem = n - i < 8 ? n - i : 8;
    __m128i h;
    if (rem == 8) {
      h = _mm_loadu_si128((const __m128i*) (in + i));
    } else {
      uint16_t tmp[8] = {0};
      memcpy(tmp, in + i, rem * sizeof(uint16_t));
      h = _mm_loadu_si128((const __m128i*) tmp);
    }
    const __m256i vmask = _mm256_loadu_si256((const __m256i*) (mask_table + 8 - rem));
    _mm256_maskstore_ps(out + i, vmask, _mm256_cvtph_ps(h));
  }
}
