/* qs8_qc8w GEMM / IGEMM kernel selection per ISA tier (avx512vnni > avx512 (skx) > avxvnni
 * > avx2 > sse2 > scalar); each tier is taken only when pqnn_isa_enabled() says its ISA is
 * usable (AVX-VNNI is a separate CPUID bit, absent on AVX512-VNNI parts like Ice Lake).
 *
 * Tile choice (bench/int8-gemm-kernels, taskset -c 1, --benchmark_min_time=0.2, medians
 * of 5, CPU-time GOP/s, on this project's AMD EPYC (Zen 3) dev box, AVX2 only; the
 * measured vpmaddwd peak is 125 GOP/s; M x N x K):
 *              256x1024x1024  64x768x3072  1x4096x4096  256x1024x256  64x1024x1024
 *   1x8c8 avx2      65.5          63.2         22.9          56.5          78.1
 *   2x8c8 avx2      97.9          97.1         19.4          90.0          80.8
 *   3x8c8 avx2      90.8          86.0         19.3          78.4          86.0
 *   1x4c8 sse2 ~27, 3x4c8 sse2 ~45-49 (M > 1);  scalar 1x4 3.5, 2x4 3.8, 4x4 5.4.
 *   -> avx2 2x8c8 (3x8c8 runs out of the 16 ymm registers), 1x8c8 for M = 1 (the
 *      1x4096x4096 GEMV is bound by streaming 16 MiB of weights); sse2 3x4c8; scalar 4x4.
 * No AVX512 or AVX-VNNI machine was available to measure; those tiles are chosen by port
 * pressure: vpdpbusd needs the activations as uint8 (a vpxord per broadcast row), so
 * wide-N tiles amortize it: 4x64c4 spends 4 xors + 4 broadcasts per 16 vpdpbusd (7x16c4:
 * 7 per 7). avx512 skx: 4x16c8 (16 zmm accumulators). avxvnni (first): 5x16c4, 10 ymm accumulators,
 * because one vpdpbusd per accumulator per k makes the K loop latency-bound below
 * latency x 2 pipes accumulators: a ymm vpdpbusd loop on Zen 5 (EVEX form, this CPU has no
 * AVX-VNNI; 4 / 8 / 10 / 12 independent accumulators: 3.67 / 6.85 / 6.99 / 7.33 per ns) and
 * llvm-mca-16 -mcpu=alderlake on the kernels' loops (scripts/analysis/mca-inner-loops.py:
 * 4x16c4 5.08 cycles per 8 vpdpbusd, 79% of 2 per cycle; 5x16c4 5.09 per 10, 98%).
 * Measured since on a Zen 5 with AVX512-VNNI (bench/operators/int8-fc-peak, thread CPU
 * time, % of the vpdpbusd peak of the same process; docs/qd8-performance.md): 4x64c4
 * avx512vnni, gcc 12 / clang 14: 8x1024x1024 95.6-96.0 / 95.0-96.4%, 64x768x3072
 * 93.7-94.8 / 93.7-95.0%, 256x1024x1024 95.3-95.7 / 95.4-95.9%, 1024^3 92.1-92.7 /
 * 91.5-93.6%; avx512 skx 4x16c8 91-95% of the
 * zmm vpmaddwd+vpaddd peak (256x1024x1024).
 * Intel Xeon with AVX512-VNNI and AVX-VNNI (2026-12-06, same bench, medians of 5, gcc 12 /
 * clang 14, after the GEMM kernels stopped XORing A in the K loop: x86-int8-dot.h):
 *   % of the zmm vpdpbusd peak   8x1024x1024  64x768x3072  256x1024x1024  1024^3
 *   qs8 4x64c4 avx512vnni          64.9/62.8    61.4/58.9    66.6/65.2      62.0/62.6
 *   qs8 6x64c4 avx512vnni (CAND)   47.9/51.1    67.1/67.9    73.7/75.5      70.3/70.1
 *   -> 4x64c4 as the tile, and on Intel 6x64c4 as its tall tile (config.h: the GEMM path
 *      of fully connected and 1x1 layers at M >= 24 where it pads at most 1/16 more rows,
 *      pqnn_tall_gemm_config): 6x64c4 wins at M >= 64 but loses 19-26% at M = 8 (6 + 2 rows
 *      do 12 rows of work). Release build, % of the zmm peak, medians of 3 interleaved
 *      rounds, 4x64c4 -> with the tall tile: qs8 1024^3 69.8 -> 79.8, 256x1024x1024 73.1 ->
 *      79.5, 64x768x3072 68.0 -> 71.8; qd8 incl. convert 63.5 -> 70.9, 64.9 -> 71.4, 59.7 ->
 *      65.5; MobileNet v1 / v2 qs8 end to end level within the noise (pqnn-demo, 3 rounds).
 *      Not on AMD: Zen 5 ran 4x64c4 at 92-96% and has not run 6x64c4; the IGEMM keeps
 *      4x64c4 (its 6x64c4 unmeasured). avxvnni
 *      (PQNN_ISA=avxvnni) 5x16c4 qs8 74-78% of the ymm {vex} vpdpbusd peak (447 GOP/s) at
 *      M >= 64, 61-63% at M = 8; bench/int8-gemm-kernels 256x1024x1024: 5x16c4 341/361,
 *      4x16c4 321/301 GOP/s -> 5x16c4 stayed then. Since (same day, later; Release gcc 12,
 *      taskset -c 0, 2 rounds): 3x32c4 keeps A in 3 broadcast registers and every weight
 *      vector in one register for 3 vpdpbusd (12 accumulators, 16 ymm exactly, no stack
 *      under gcc 12 or clang 14), 12 vpdpbusd per 3 broadcasts + 4 loads against 5x16c4's
 *      10 per 5 + 2: kernels 256x1024x1024 / 64x768x3072 / 64x1024x1024 % of the ymm peak
 *      5x16c4 81.8-83.4 / 80.0-80.2 / 81.6-82.6, 3x32c4 86.8-87.2 / 81.9-82.0 / 85.2-85.4
 *      (6x16c4: 53-54%, gcc 12 spills 12 of its operands a step). The operator
 *      (int8-fc-peak, PQNN_ISA=avxvnni) 5x16c4 -> 3x32c4: qd8 incl. convert 8x1024x1024
 *      64.6-65.1 -> 76.0-76.1%, 64x768x3072 77.2-77.8 -> 78.1-78.2, 256x1024x1024
 *      78.2-78.3 -> 82.2, 1024^3 76.7-76.8 -> 80.5-81.0; qs8 67.3-67.6 -> 76.6-76.7,
 *      78.5-80.6 -> 80.1-80.2, 81.8-82.6 -> 85.4, 82.7-84.1 -> 84.8; end to end (pqnn-demo
 *      --back-to-back, 3 rounds) MobileNet v1 qd8 / qs8 1.03x / 1.03x, v2 1.02x / 1.00x,
 *      MLP b128 qd8 1.03x -> 3x32c4 (1x32c4 for single rows) for GEMM and IGEMM.
 *      docs/qd8-performance.md has all of it.
 * VNNI configs set input_offset = 128 (folded into the packed bias at create).
 *
 * aarch64 (neondot > neon > scalar; qemu speed means nothing, so tiles are chosen by the
 * 32-q-register budget and instruction counts per MAC of the inner loops, docs/arm.md):
 *   neondot 4x16c4: 16 int32x4 accumulators + 4 A d-registers + 2-4 weight q-registers in
 *     flight (~24 of 32); per 8 k 4 A loads + 8 weight loads feed 32 sdot (512 MAC). 6x16
 *     would need 24 accumulators + 6 A + weights = 32+ (spills); 1x16c4 for M = 1.
 *   neon 2x8c16: per column an int32x4 of partial sums: 16 accumulators + 2 A + weight and
 *     int16-product temporaries (~24); per 16 k 16 x (smull + smlal2 + sadalp) for 256 MAC.
 *     3x8c16 needs 24 accumulators + 3 A + >= 4 temporaries (spills); 1x8c16 for M = 1.
 *   Both read int8 activations: input_offset 0. */
#include <pthread.h>

#include "configs/config.h"
#include "hardware.h"

static struct pqnn_gemm_config config;
#if defined(__x86_64__) || defined(_M_X64)
static struct pqnn_gemm_config narrow_config;  /* the PATCH path's narrow tile (config.h) */
static struct pqnn_gemm_config tall_config;  /* avx512vnni on Intel: 6x64c4 (config.h) */
#endif
static pthread_once_t once = PTHREAD_ONCE_INIT;

/* A config row names its kernels once, by tile and ISA; mr / nr / kr / input_offset come
 * from the kernel list (src/microkernels/declarations.h). */
#define QS8_KERNEL(KIND, TILE, ISA) pqnn_qs8_qc8w_##KIND##_minmax_fp32_ukernel_##TILE##__##ISA
/* The narrow tile (config.h) of the PATCH convolution path (IGEMM kernels) and of 1x1
 * convolutions with few output channels on the GEMM path (GEMM kernels). */
#define QS8_NARROW_CONFIG(TILE1, TILE, ISA)                                                 \
  (struct pqnn_gemm_config) {                                                               \
    .name = "qs8_qc8w " #TILE " " #ISA, .mr = QS8_KERNEL(igemm, TILE, ISA##_mr),            \
    .nr = QS8_KERNEL(igemm, TILE, ISA##_nr), .kr = QS8_KERNEL(igemm, TILE, ISA##_kr),       \
    .input_offset = QS8_KERNEL(igemm, TILE, ISA##_input_offset),                            \
    .gemm = {QS8_KERNEL(gemm, TILE1, ISA), QS8_KERNEL(gemm, TILE, ISA)},                    \
    .igemm = {QS8_KERNEL(igemm, TILE1, ISA), QS8_KERNEL(igemm, TILE, ISA)},                 \
  }
/* The GEMM part of a row (name, tile, GEMM kernels); a tall tile (config.h) is that alone. */
#define QS8_GEMM_FIELDS(TILE1, TILE, ISA)                                                   \
    .name = "qs8_qc8w " #TILE " " #ISA, .mr = QS8_KERNEL(gemm, TILE, ISA##_mr),             \
    .nr = QS8_KERNEL(gemm, TILE, ISA##_nr), .kr = QS8_KERNEL(gemm, TILE, ISA##_kr),         \
    .input_offset = QS8_KERNEL(gemm, TILE, ISA##_input_offset),                             \
    .gemm = {QS8_KERNEL(gemm, TILE1, ISA), QS8_KERNEL(gemm, TILE, ISA)}
#define QS8_TALL_CONFIG(TILE1, TILE, ISA)                                                   \
  (struct pqnn_gemm_config) {QS8_GEMM_FIELDS(TILE1, TILE, ISA)}
#define QS8_CONFIG(TILE1, TILE, ISA)                                                        \
  (struct pqnn_gemm_config) {                                                               \
    QS8_GEMM_FIELDS(TILE1, TILE, ISA),                                                      \
    .igemm = {QS8_KERNEL(igemm, TILE1, ISA), QS8_KERNEL(igemm, TILE, ISA)},                 \
  }

static void init_config(void) {
#if defined(__x86_64__) || defined(_M_X64)
  if (pqnn_isa_enabled(pqnn_isa_avx512vnni)) {
    config = QS8_CONFIG(1x64c4, 4x64c4, avx512vnni);
    /* Stems (3 -> 8..32 channels) and 1x1 convolutions to at most 32 channels (MobileNet
     * v2's projections to 16, 24 and 32): 7x16c4 computes no or fewer padding columns. */
    narrow_config = QS8_NARROW_CONFIG(1x16c4, 7x16c4, avx512vnni);
    config.narrow = &narrow_config;
    if (pqnn_hardware.intel) {
      /* Fully connected and 1x1 layers of M >= 24: 6x64c4 (measurements above). */
      tall_config = QS8_TALL_CONFIG(1x64c4, 6x64c4, avx512vnni);
      config.tall = &tall_config;
    }
  } else if (pqnn_isa_enabled(pqnn_isa_avx512)) {
    config = QS8_CONFIG(1x16c8, 4x16c8, avx512skx);
  } else if (pqnn_isa_enabled(pqnn_isa_avxvnni)) {
    config = QS8_CONFIG(1x32c4, 3x32c4, avxvnni);
  } else if (pqnn_isa_enabled(pqnn_isa_avx2)) {
    config = QS8_CONFIG(1x8c8, 2x8c8, avx2);
  } else if (pqnn_isa_enabled(pqnn_isa_sse2)) {
    config = QS8_CONFIG(1x4c8, 3x4c8, sse2);
  } else
#elif defined(__aarch64__)
  if (pqnn_isa_enabled(pqnn_isa_neondot)) {
    config = QS8_CONFIG(1x16c4, 4x16c4, neondot);
  } else if (pqnn_isa_enabled(pqnn_isa_neon)) {
    config = QS8_CONFIG(1x8c16, 2x8c16, neon);
  } else
#elif defined(__wasm_simd128__)
  /* i16x8 extend + i32x4.dot_i16x8_s; 3 rows x 4 columns = 12 accumulators. */
  if (pqnn_isa_enabled(pqnn_isa_wasmsimd)) {
    config = QS8_CONFIG(1x4c8, 3x4c8, wasmsimd);
  } else
#endif
  {
    config = QS8_CONFIG(1x4, 4x4, scalar);
  }
}

const struct pqnn_gemm_config* pqnn_get_qs8_qc8w_gemm_config(void) {
  pthread_once(&once, init_config);
  return &config;
}
