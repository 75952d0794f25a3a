/*
 * Test-only <immintrin.h> for the "emulated x86" build: the real header first (native
 * SSE..AVX2 on this machine), then SIMDe's portable implementations of the AVX512 and
 * VNNI intrinsics under their native names. Kernel sources for avx512f / avx512skx /
 * avx512vnni / avxvnni are compiled against this header with AVX2 flags only, so their
 * logic (tiles, tails, masks, epilogues) is tested on CPUs that cannot run them natively.
 * Only ever on the include path of the pqnn_emulated test library.
 */
#ifndef PQNN_EMULATION_IMMINTRIN_H_
#define PQNN_EMULATION_IMMINTRIN_H_

#include_next <immintrin.h>

/* Kernel helpers that would use inline asm for an instruction (src/microkernels/
 * x86-int8-dot.h) use the intrinsic instead when this is defined. */
#define PQNN_EMULATED_INTRINSICS 1

#define SIMDE_ENABLE_NATIVE_ALIASES
#include <simde/x86/avx512.h>
#include <simde/x86/f16c.h>
#include <simde/x86/fma.h>

/* Intrinsics SIMDe 0.7.4 lacks, written in terms of ones it has. */

/* SIMDe 0.7.4 declares this alias with the masked variant's four arguments. */
#undef _mm512_madd_epi16
#define _mm512_madd_epi16(a, b) simde_mm512_madd_epi16((a), (b))

/* SIMDe 0.7.4 has the 128-bit-block shuffle but no native alias for it. */
#undef _mm512_shuffle_f32x4
#define _mm512_shuffle_f32x4(a, b, imm) simde_mm512_shuffle_f32x4((a), (b), (imm))

/* AVX-VNNI spells the 256-bit VNNI dot products with an _avx_ infix. */
#undef _mm256_dpbusd_avx_epi32
#define _mm256_dpbusd_avx_epi32(src, a, b) simde_mm256_dpbusd_epi32((src), (a), (b))
#undef _mm_dpbusd_avx_epi32
#define _mm_dpbusd_avx_epi32(src, a, b) simde_mm_dpbusd_epi32((src), (a), (b))

/* The rest are element-wise, with x86 semantics: masked loads and stores touch only the
 * selected elements (so AddressSanitizer still sees any over-read), conversions round
 * half to even and give 0x80000000 out of range, reductions follow GCC's order. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#define PQNN_EMU_TO(arr, v) memcpy((arr), &(v), sizeof(v))
#define PQNN_EMU_FROM(v, arr) memcpy(&(v), (arr), sizeof(v))

static inline int32_t pqnn_emu_cvt_rne(float x) {
  if (!(x >= -2147483648.0f && x < 2147483648.0f)) return INT32_MIN;
  return (int32_t) nearbyintf(x);
}

static inline simde__m512 pqnn_emu_mm512_cvtph_ps(simde__m256i h) {
  uint16_t in[16];
  float out[16];
  PQNN_EMU_TO(in, h);
  for (int i = 0; i < 16; i++) {
    simde__m128i one = simde_mm_cvtsi32_si128(in[i]);
    out[i] = simde_mm_cvtss_f32(simde_mm_cvtph_ps(one));
  }
  simde__m512 r;
  PQNN_EMU_FROM(r, out);
  return r;
}
#undef _mm512_cvtph_ps
#define _mm512_cvtph_ps(h) pqnn_emu_mm512_cvtph_ps(h)

/* Only round-to-nearest-even (what pqnn kernels use) is emulated. */
static inline simde__m256i pqnn_emu_mm512_cvtps_ph(simde__m512 v) {
  float in[16];
  uint16_t out[16];
  PQNN_EMU_TO(in, v);
  for (int i = 0; i < 16; i++) {
    simde__m128i h = simde_mm_cvtps_ph(simde_mm_set_ss(in[i]), 0);
    out[i] = (uint16_t) simde_mm_extract_epi16(h, 0);
  }
  simde__m256i r;
  PQNN_EMU_FROM(r, out);
  return r;
}
#undef _mm512_cvtps_ph
#define _mm512_cvtps_ph(v, rounding) pqnn_emu_mm512_cvtps_ph(v)

static inline simde__m512 pqnn_emu_mm512_cvtepi32_ps(simde__m512i a) {
  int32_t in[16];
  float out[16];
  PQNN_EMU_TO(in, a);
  for (int i = 0; i < 16; i++) out[i] = (float) in[i];
  simde__m512 r;
  PQNN_EMU_FROM(r, out);
  return r;
}
#undef _mm512_cvtepi32_ps
#define _mm512_cvtepi32_ps(a) pqnn_emu_mm512_cvtepi32_ps(a)

static inline simde__m512i pqnn_emu_mm512_cvtps_epi32(simde__m512 a) {
  float in[16];
  int32_t out[16];
  PQNN_EMU_TO(in, a);
  for (int i = 0; i < 16; i++) out[i] = pqnn_emu_cvt_rne(in[i]);
  simde__m512i r;
  PQNN_EMU_FROM(r, out);
  return r;
}
#undef _mm512_cvtps_epi32
#define _mm512_cvtps_epi32(a) pqnn_emu_mm512_cvtps_epi32(a)
/* Only _MM_FROUND_TO_NEAREST_INT (| _MM_FROUND_NO_EXC) is emulated. */
#undef _mm512_cvt_roundps_epi32
#define _mm512_cvt_roundps_epi32(a, rounding) pqnn_emu_mm512_cvtps_epi32(a)

/* SIMDe 0.7's _mm512_test_epi16_mask builds the 32-lane mask as `!!(a & b) << i` on int:
 * undefined for lane 31, and the sanitizer build stops there (the avx512skx x16-vselect
 * kernel). The same mask from unsigned shifts. */
static inline uint32_t pqnn_emu_mm512_test_epi16_mask(simde__m512i a, simde__m512i b) {
  uint16_t x[32], y[32];
  PQNN_EMU_TO(x, a);
  PQNN_EMU_TO(y, b);
  uint32_t k = 0;
  for (int i = 0; i < 32; i++) k |= (uint32_t) ((x[i] & y[i]) != 0) << i;
  return k;
}
#undef _mm512_test_epi16_mask
#define _mm512_test_epi16_mask(a, b) pqnn_emu_mm512_test_epi16_mask((a), (b))

static inline simde__m512i pqnn_emu_mm512_cvtepi16_epi32(simde__m256i a) {
  int16_t in[16];
  int32_t out[16];
  PQNN_EMU_TO(in, a);
  for (int i = 0; i < 16; i++) out[i] = in[i];
  simde__m512i r;
  PQNN_EMU_FROM(r, out);
  return r;
}
#undef _mm512_cvtepi16_epi32
#define _mm512_cvtepi16_epi32(a) pqnn_emu_mm512_cvtepi16_epi32(a)

static inline simde__m512 pqnn_emu_mm512_maskz_loadu_ps(uint16_t k, const void* p) {
  float out[16];
  for (int i = 0; i < 16; i++) out[i] = (k >> i) & 1 ? ((const float*) p)[i] : 0.0f;
  simde__m512 r;
  PQNN_EMU_FROM(r, out);
  return r;
}
#undef _mm512_maskz_loadu_ps
#define _mm512_maskz_loadu_ps(k, p) pqnn_emu_mm512_maskz_loadu_ps((uint16_t) (k), (p))

static inline void pqnn_emu_mm512_mask_storeu_ps(void* p, uint16_t k, simde__m512 a) {
  float in[16];
  PQNN_EMU_TO(in, a);
  for (int i = 0; i < 16; i++) if ((k >> i) & 1) ((float*) p)[i] = in[i];
}
#undef _mm512_mask_storeu_ps
#define _mm512_mask_storeu_ps(p, k, a) pqnn_emu_mm512_mask_storeu_ps((p), (uint16_t) (k), (a))

static inline simde__m256i pqnn_emu_mm256_maskz_loadu_epi16(uint16_t k, const void* p) {
  int16_t out[16];
  for (int i = 0; i < 16; i++) out[i] = (k >> i) & 1 ? ((const int16_t*) p)[i] : 0;
  simde__m256i r;
  PQNN_EMU_FROM(r, out);
  return r;
}
#undef _mm256_maskz_loadu_epi16
#define _mm256_maskz_loadu_epi16(k, p) pqnn_emu_mm256_maskz_loadu_epi16((uint16_t) (k), (p))

static inline simde__m256i pqnn_emu_mm256_maskz_loadu_epi8(uint32_t k, const void* p) {
  int8_t out[32];
  for (int i = 0; i < 32; i++) out[i] = (k >> i) & 1 ? ((const int8_t*) p)[i] : 0;
  simde__m256i r;
  PQNN_EMU_FROM(r, out);
  return r;
}
#undef _mm256_maskz_loadu_epi8
#define _mm256_maskz_loadu_epi8(k, p) pqnn_emu_mm256_maskz_loadu_epi8((uint32_t) (k), (p))

static inline simde__m512i pqnn_emu_mm512_maskz_loadu_epi8(uint64_t k, const void* p) {
  int8_t out[64];
  for (int i = 0; i < 64; i++) out[i] = (k >> i) & 1 ? ((const int8_t*) p)[i] : 0;
  simde__m512i r;
  PQNN_EMU_FROM(r, out);
  return r;
}
#undef _mm512_maskz_loadu_epi8
#define _mm512_maskz_loadu_epi8(k, p) pqnn_emu_mm512_maskz_loadu_epi8((uint64_t) (k), (p))

static inline void pqnn_emu_mm512_mask_storeu_epi8(void* p, uint64_t k, simde__m512i a) {
  int8_t in[64];
  PQNN_EMU_TO(in, a);
  for (int i = 0; i < 64; i++) if ((k >> i) & 1) ((int8_t*) p)[i] = in[i];
}
#undef _mm512_mask_storeu_epi8
#define _mm512_mask_storeu_epi8(p, k, a) pqnn_emu_mm512_mask_storeu_epi8((p), (uint64_t) (k), (a))

static inline void pqnn_emu_mm256_mask_storeu_epi8(void* p, uint32_t k, simde__m256i a) {
  int8_t in[32];
  PQNN_EMU_TO(in, a);
  for (int i = 0; i < 32; i++) if ((k >> i) & 1) ((int8_t*) p)[i] = in[i];
}
#undef _mm256_mask_storeu_epi8
#define _mm256_mask_storeu_epi8(p, k, a) pqnn_emu_mm256_mask_storeu_epi8((p), (uint32_t) (k), (a))

static inline void pqnn_emu_mm256_mask_storeu_ps(void* p, uint8_t k, simde__m256 a) {
  float in[8];
  PQNN_EMU_TO(in, a);
  for (int i = 0; i < 8; i++) if ((k >> i) & 1) ((float*) p)[i] = in[i];
}
#undef _mm256_mask_storeu_ps
#define _mm256_mask_storeu_ps(p, k, a) pqnn_emu_mm256_mask_storeu_ps((p), (uint8_t) (k), (a))

static inline void pqnn_emu_mm256_mask_storeu_epi16(void* p, uint16_t k, simde__m256i a) {
  int16_t in[16];
  PQNN_EMU_TO(in, a);
  for (int i = 0; i < 16; i++) if ((k >> i) & 1) ((int16_t*) p)[i] = in[i];
}
#undef _mm256_mask_storeu_epi16
#define _mm256_mask_storeu_epi16(p, k, a) pqnn_emu_mm256_mask_storeu_epi16((p), (uint16_t) (k), (a))

static inline void pqnn_emu_mm_mask_storeu_epi8(void* p, uint16_t k, simde__m128i a) {
  int8_t in[16];
  PQNN_EMU_TO(in, a);
  for (int i = 0; i < 16; i++) if ((k >> i) & 1) ((int8_t*) p)[i] = in[i];
}
#undef _mm_mask_storeu_epi8
#define _mm_mask_storeu_epi8(p, k, a) pqnn_emu_mm_mask_storeu_epi8((p), (uint16_t) (k), (a))

static inline void pqnn_emu_mm512_mask_cvtsepi32_storeu_epi8(void* p, uint16_t k, simde__m512i a) {
  int32_t in[16];
  PQNN_EMU_TO(in, a);
  for (int i = 0; i < 16; i++) {
    if ((k >> i) & 1) {
      const int32_t v = in[i] < -128 ? -128 : in[i] > 127 ? 127 : in[i];
      ((int8_t*) p)[i] = (int8_t) v;
    }
  }
}
#undef _mm512_mask_cvtsepi32_storeu_epi8
#define _mm512_mask_cvtsepi32_storeu_epi8(p, k, a) \
  pqnn_emu_mm512_mask_cvtsepi32_storeu_epi8((p), (uint16_t) (k), (a))

static inline uint16_t pqnn_emu_mm256_cmpgt_epi16_mask(simde__m256i a, simde__m256i b) {
  int16_t x[16], y[16];
  PQNN_EMU_TO(x, a);
  PQNN_EMU_TO(y, b);
  uint16_t k = 0;
  for (int i = 0; i < 16; i++) k |= (uint16_t) ((x[i] > y[i]) << i);
  return k;
}
#undef _mm256_cmpgt_epi16_mask
#define _mm256_cmpgt_epi16_mask(a, b) pqnn_emu_mm256_cmpgt_epi16_mask((a), (b))

static inline unsigned pqnn_emu_mm512_reduce_max_epu32(simde__m512i a) {
  uint32_t in[16];
  PQNN_EMU_TO(in, a);
  uint32_t m = in[0];
  for (int i = 1; i < 16; i++) m = in[i] > m ? in[i] : m;
  return m;
}
#undef _mm512_reduce_max_epu32
#define _mm512_reduce_max_epu32(a) pqnn_emu_mm512_reduce_max_epu32(a)

/* GCC's order: halves, then quarters, then pairs, each with the native (SSE/AVX) op, so
 * NaN propagation matches real hardware. */
#define PQNN_EMU_REDUCE_PS(name, op256, op128)                                   \
  static inline float name(simde__m512 a) {                                       \
    __m256 t[2];                                                                  \
    memcpy(t, &a, sizeof(t));                                                     \
    const __m256 t3 = op256(t[1], t[0]);                                          \
    const __m128 t6 = op128(_mm256_extractf128_ps(t3, 1), _mm256_castps256_ps128(t3)); \
    const __m128 t8 = op128(t6, _mm_shuffle_ps(t6, t6, _MM_SHUFFLE(1, 0, 3, 2))); \
    const __m128 t10 = op128(t8, _mm_shuffle_ps(t8, t8, _MM_SHUFFLE(0, 1, 0, 1))); \
    return _mm_cvtss_f32(t10);                                                    \
  }
PQNN_EMU_REDUCE_PS(pqnn_emu_mm512_reduce_max_ps, _mm256_max_ps, _mm_max_ps)
PQNN_EMU_REDUCE_PS(pqnn_emu_mm512_reduce_min_ps, _mm256_min_ps, _mm_min_ps)
#undef _mm512_reduce_max_ps
#define _mm512_reduce_max_ps(a) pqnn_emu_mm512_reduce_max_ps(a)
#undef _mm512_reduce_min_ps
#define _mm512_reduce_min_ps(a) pqnn_emu_mm512_reduce_min_ps(a)

/* The qs8 add and global-average-pooling kernels (qs8-vadd, qs8-vaddc, qs8-gavgpool). */
static inline simde__m512i pqnn_emu_mm512_sra_epi32(simde__m512i a, simde__m128i count) {
  int32_t v[16];
  uint64_t c;
  PQNN_EMU_TO(v, a);
  memcpy(&c, &count, sizeof(c));
  for (int i = 0; i < 16; i++) v[i] = c > 31 ? (v[i] < 0 ? -1 : 0) : (int32_t) (v[i] >> c);
  simde__m512i r;
  PQNN_EMU_FROM(r, v);
  return r;
}
#undef _mm512_sra_epi32
#define _mm512_sra_epi32(a, count) pqnn_emu_mm512_sra_epi32((a), (count))

static inline simde__m512i pqnn_emu_mm512_cvtepi8_epi32(simde__m128i a) {
  int8_t in[16];
  int32_t out[16];
  PQNN_EMU_TO(in, a);
  for (int i = 0; i < 16; i++) out[i] = in[i];
  simde__m512i r;
  PQNN_EMU_FROM(r, out);
  return r;
}
#undef _mm512_cvtepi8_epi32
#define _mm512_cvtepi8_epi32(a) pqnn_emu_mm512_cvtepi8_epi32(a)

static inline simde__m128i pqnn_emu_mm_maskz_loadu_epi8(uint16_t k, const void* p) {
  int8_t out[16];
  for (int i = 0; i < 16; i++) out[i] = (k >> i) & 1 ? ((const int8_t*) p)[i] : 0;
  simde__m128i r;
  PQNN_EMU_FROM(r, out);
  return r;
}
#undef _mm_maskz_loadu_epi8
#define _mm_maskz_loadu_epi8(k, p) pqnn_emu_mm_maskz_loadu_epi8((uint16_t) (k), (p))

static inline void pqnn_emu_mm512_mask_cvtsepi16_storeu_epi8(void* p, uint32_t k, simde__m512i a) {
  int16_t in[32];
  PQNN_EMU_TO(in, a);
  for (int i = 0; i < 32; i++) {
    if ((k >> i) & 1) {
      const int16_t v = in[i] < -128 ? -128 : in[i] > 127 ? 127 : in[i];
      ((int8_t*) p)[i] = (int8_t) v;
    }
  }
}
#undef _mm512_mask_cvtsepi16_storeu_epi8
#define _mm512_mask_cvtsepi16_storeu_epi8(p, k, a) \
  pqnn_emu_mm512_mask_cvtsepi16_storeu_epi8((p), (uint32_t) (k), (a))

#undef _cvtu32_mask16
#define _cvtu32_mask16(x) ((uint16_t) (x))
#undef _cvtu32_mask32
#define _cvtu32_mask32(x) ((uint32_t) (x))

#endif  /* PQNN_EMULATION_IMMINTRIN_H_ */
