/* f16 GEMM / IGEMM kernel selection per ISA tier (f16 storage, f32 accumulation).
 *
 * scalar tier: 4x4 scalar (1x4 for single rows).
 * avx2 / avxvnni tiers: F16C + FMA kernels 6x16 (1x16 for single rows).
 * avx512 / avx512vnni tiers: AVX512 + F16C kernels 8x32 (1x32 for single rows).
 * aarch64 neonfp16arith / neondot tiers: 4x16 neonfp16arith (1x16), f16 widened to f32
 *   (FCVTL), f32 FMA, f16 clamp; neon tier: scalar. Not measured (docs/arm.md).
 *
 * Measurements (bench/kernels/f16-gemm-kernels.cc, taskset -c 1, medians of 5, GFLOP/s by CPU time;
 * AMD Zen 5 VM whose hypervisor exposes AVX2/FMA/F16C but not AVX512, shared by ~6 busy
 * builds, so +-15% noise; register-only AVX2 FMA peak measured at 97 GFLOP/s):
 *                 256x1024x1024   64x768x3072   1x4096x4096   (M x N x K)
 *   1x16 avx2          23.7           23.6          8.8-10.5
 *   4x16 avx2          73.2           69.7           6.9
 *   6x16 avx2          50-62          49-60          7.9      (medians of two disturbed runs)
 *   best of 3x5 runs:  4x16 71-78, 6x16 72-77 (256x1024x1024); 4x16 72-74, 6x16 70-77
 *                      (64x768x3072): about 78% of the 97 GFLOP/s AVX2 FMA peak.
 *   8x8 / 12x8 avx2 (tried, not kept): 47.0 / 49.1 at 256x1024x1024 (one broadcast load
 *   per FMA costs more than the B-panel vcvtph2ps they save).
 * 6x16 and 4x16 are within noise; 6x16 keeps 12 independent accumulator chains (4x16 only
 * 8, the minimum for 2 FMA pipes x 4 cycles) and converts the B panel once per 12 FMAs.
 * The 1-row kernels serve batch 1, which is bound by weight bandwidth.
 * AVX512: this machine cannot run AVX512, so the avx512skx tiles are NOT measured; 8x32
 * (16 accumulators, 2 B-panel conversions per 16 FMAs, 256 rows = 32 whole tiles) is chosen
 * by that reasoning. The kernels' logic was verified with the kernel tests over a scalar
 * emulation of their intrinsics (the emulated test build, docs/architecture.md); re-measure on real AVX512.
 */
#include <pthread.h>

#include "configs/config.h"
#include "hardware.h"

static struct pqnn_gemm_config config;
static pthread_once_t once = PTHREAD_ONCE_INIT;

/* A config row names its kernels once, by tile and ISA; mr / nr / kr come from the
 * kernel list (src/microkernels/declarations.h). */
#define F16_KERNEL(KIND, TILE, ISA) pqnn_f16_##KIND##_minmax_ukernel_##TILE##__##ISA
#define F16_CONFIG(TILE1, TILE, ISA)                                                        \
  (struct pqnn_gemm_config) {                                                               \
    .name = "f16 " #TILE " " #ISA, .mr = F16_KERNEL(gemm, TILE, ISA##_mr),                  \
    .nr = F16_KERNEL(gemm, TILE, ISA##_nr), .kr = F16_KERNEL(gemm, TILE, ISA##_kr),         \
    .gemm = {F16_KERNEL(gemm, TILE1, ISA), F16_KERNEL(gemm, TILE, ISA)},                    \
    .igemm = {F16_KERNEL(igemm, TILE1, ISA), F16_KERNEL(igemm, TILE, ISA)},                 \
  }

static void init_config(void) {
  config = F16_CONFIG(1x4, 4x4, scalar);
#if defined(__x86_64__) || defined(_M_X64)
  if (pqnn_isa_enabled(pqnn_isa_avx512)) {
    config = F16_CONFIG(1x32, 8x32, avx512skx);
  } else if (pqnn_isa_enabled(pqnn_isa_avx2)) {
    config = F16_CONFIG(1x16, 6x16, avx2);
  }
#elif defined(__aarch64__)
  /* Without FP16 arithmetic (plain neon tier) the scalar kernels above stay. */
  if (pqnn_isa_enabled(pqnn_isa_neonfp16arith)) {
    config = F16_CONFIG(1x16, 4x16, neonfp16arith);
  }
#elif defined(__wasm_simd128__)
  /* f16 widened to f32 by SIMD bit manipulation (no half-precision WASM instructions). */
  if (pqnn_isa_enabled(pqnn_isa_wasmsimd)) {
    config = F16_CONFIG(1x8, 4x8, wasmsimd);
  }
#endif
}

const struct pqnn_gemm_config* pqnn_get_f16_gemm_config(void) {
  pthread_once(&once, init_config);
  return &config;
}
