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

#define SIMDE_ENABLE_NATIVE_ALIASES
#include <simde/x86/avx512.h>
#include <simde/x86/f16c.h>
#include <simde/x86/fma.h>

/* Intrinsics SIMDe 0.7.4 lacks, written in terms of ones it has. */

/* AVX-VNNI spells the 256-bit VNNI dot products with an _avx_ infix. */
#undef _mm256_dpbusd_avx_epi32
#define _mm256_dpbusd_avx_epi32(src, a, b) simde_mm256_dpbusd_epi32((src), (a), (b))
#undef _mm_dpbusd_avx_epi32
#define _mm_dpbusd_avx_epi32(src, a, b) simde_mm_dpbusd_epi32((src), (a), (b))

/* 512-bit half <-> single conversions as two 256-bit F16C halves. */
static inline simde__m512 pqnn_emu_mm512_cvtph_ps(simde__m256i h) {
  simde__m512 r;
  r = simde_mm512_castps256_ps512(simde_mm256_cvtph_ps(simde_mm256_castsi256_si128(h)));
  r = simde_mm512_insertf32x8(r, simde_mm256_cvtph_ps(simde_mm256_extracti128_si256(h, 1)), 1);
  return r;
}
#undef _mm512_cvtph_ps
#define _mm512_cvtph_ps(h) pqnn_emu_mm512_cvtph_ps(h)

static inline simde__m256i pqnn_emu_mm512_cvtps_ph(simde__m512 v) {
  const simde__m128i lo = simde_mm256_cvtps_ph(simde_mm512_castps512_ps256(v), 0);
  const simde__m128i hi = simde_mm256_cvtps_ph(simde_mm512_extractf32x8_ps(v, 1), 0);
  return simde_mm256_inserti128_si256(simde_mm256_castsi128_si256(lo), hi, 1);
}
/* Only round-to-nearest-even (rounding argument 0, _MM_FROUND_TO_NEAREST_INT) is emulated. */
#undef _mm512_cvtps_ph
#define _mm512_cvtps_ph(v, rounding) pqnn_emu_mm512_cvtps_ph(v)

#endif  /* PQNN_EMULATION_IMMINTRIN_H_ */
