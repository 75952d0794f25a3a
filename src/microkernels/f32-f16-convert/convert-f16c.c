/*
 * F16C (with AVX) f32 -> f16 conversion, 16 elements per step (contract:
 * src/microkernels.h, pqnn_convert_ukernel_fn): vcvtps2ph with round to nearest even
 * (overflow -> +-Inf, f16 subnormals, NaN -> quiet NaN keeping the sign). Float tails
 * load with vmaskmovps; f16 tails are stored from a stack copy: exactly n floats read,
 * n f16 written.
 */
#include <immintrin.h>
#include <string.h>

#include "microkernels.h"

static const int32_t mask_table[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};

void pqnn_f32_f16_convert_ukernel__f16c(size_t n, const void* x, void* y) {
  const float* in = (const float*) x;
  uint16_t* out = (uint16_t*) y;
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m128i h0 = _mm256_cvtps_ph(_mm256_loadu_ps(in + i), _MM_FROUND_TO_NEAREST_INT);
    const __m128i h1 = _mm256_cvtps_ph(_mm256_loadu_ps(in + i + 8), _MM_FROUND_TO_NEAREST_INT);
    _mm_storeu_si128((__m128i*) (out + i), h0);
    _mm_storeu_si128((__m128i*) (out + i + 8), h1);
  }
  for (; i < n; i += 8) {
    const size_t rem = n - i < 8 ? n - i : 8;
    const __m256i vmask = _mm256_loadu_si256((const __m256i*) (mask_table + 8 - rem));
    const __m128i h = _mm256_cvtps_ph(_mm256_maskload_ps(in + i, vmask), _MM_FROUND_TO_NEAREST_INT);
    if (rem == 8) {
      _mm_storeu_si128((__m128i*) (out + i), h);
    } else {
      uint16_t res[8];
      _mm_storeu_si128((__m128i*) res, h);
      memcpy(out + i, res, rem * sizeof(uint16_t));
    }
  }
}
