/* Scalar emulation of the few AVX512 intrinsics the generated f16 avx512skx kernels use,
 * to run their logic on a CPU without AVX512 (verification only). */
#pragma once
#include <stdint.h>
#include <string.h>
#include <fp16.h>
typedef struct { float f[16]; } __m512;
typedef struct { uint16_t h[16]; } __m256i;
typedef uint16_t __mmask16;
#define _MM_FROUND_TO_NEAREST_INT 0
#define _MM_FROUND_NO_EXC 8
static inline __m256i _mm256_loadu_si256(const __m256i* p) { __m256i r; memcpy(&r, p, 32); return r; }
static inline void _mm256_storeu_si256(__m256i* p, __m256i v) { memcpy(p, &v, 32); }
static inline __m256i _mm256_maskz_loadu_epi16(__mmask16 m, const void* p) {
  __m256i r; const uint16_t* s = (const uint16_t*) p;
  for (int i = 0; i < 16; i++) { if (m >> i & 1) memcpy(&r.h[i], s + i, 2); else r.h[i] = 0; }
  return r; }
static inline void _mm256_mask_storeu_epi16(void* p, __mmask16 m, __m256i v) {
  uint16_t* d = (uint16_t*) p;
  for (int i = 0; i < 16; i++) if (m >> i & 1) memcpy(d + i, &v.h[i], 2); }
static inline __m512 _mm512_cvtph_ps(__m256i v) { __m512 r; for (int i = 0; i < 16; i++) r.f[i] = fp16_ieee_to_fp32_value(v.h[i]); return r; }
static inline __m256i _mm512_cvtps_ph(__m512 v, int imm) { (void) imm; __m256i r; for (int i = 0; i < 16; i++) r.h[i] = fp16_ieee_from_fp32_value(v.f[i]); return r; }
static inline __m512 _mm512_set1_ps(float x) { __m512 r; for (int i = 0; i < 16; i++) r.f[i] = x; return r; }
static inline __m512 _mm512_fmadd_ps(__m512 a, __m512 b, __m512 c) { __m512 r; for (int i = 0; i < 16; i++) r.f[i] = __builtin_fmaf(a.f[i], b.f[i], c.f[i]); return r; }
static inline __m512 _mm512_max_ps(__m512 a, __m512 b) { __m512 r; for (int i = 0; i < 16; i++) r.f[i] = a.f[i] > b.f[i] ? a.f[i] : b.f[i]; return r; }
static inline __m512 _mm512_min_ps(__m512 a, __m512 b) { __m512 r; for (int i = 0; i < 16; i++) r.f[i] = a.f[i] < b.f[i] ? a.f[i] : b.f[i]; return r; }
static inline void _mm512_store_ps(float* p, __m512 v) { memcpy(p, &v, 64); }
