/* f32 GEMM / IGEMM kernel selection per ISA tier: gemm[1] / igemm[1] is the MR-row kernel,
 * gemm[0] / igemm[0] an mr = 1 kernel of the same NR for single-row (batch 1) GEMMs.
 * Higher tiers without f32 kernels of their own (avxvnni, avx512vnni) use the best f32
 * kernels of the tiers they include.
 *
 * Measurements (bench/f32-gemm-kernels, single thread, taskset -c 1, CPU time because the
 * 2-core development host was shared with ~5 builds; AMD EPYC Zen 3 under KVM, AVX2 only;
 * register-resident FMA peak: bench/peak fma_loop 97.4 GFLOP/s):
 *   AVX2, GFLOP/s (median of 3), M x N x K:
 *                64x768x3072  256x1024x64  256x1024x256  256x1024x1024  1024^3  1x4096^2
 *     6x16           64.8         84.7         85.6          88.9        84.4     5.0
 *     4x24           82.9         87.2         91.2          84.8        71.4     6.6
 *     1x16           20.6         32.0         25.5          24.0        22.3     7.1
 *   An earlier run with more interference: 4x16 28-80, 5x16 38-69 GFLOP/s (fewer
 *   accumulators / rows: below 6x16 and 4x24 on every shape). Interleaved best-of-6 CPU
 *   times: 64x768x3072 6x16 4.35 ms (69.5 GFLOP/s) vs 4x24 4.31 ms (70.1); 1024^3 6x16
 *   24.1 ms (89.0, 91% of peak) vs 4x24 23.6 ms (91.1). 6x16 and 4x24 tie within the
 *   noise; 6x16 is chosen (NR = 16 wastes less on N tails, 6-row M tiles). Software
 *   prefetch of the weights gave nothing measurable (scripts/kernels/f32_gemm.py).
 *   SSE2: 4x8 (12 xmm of 16 live: 8 accumulators, 2 weights, 1 broadcast); not tuned.
 *   AVX512F, first chosen without an AVX512 host: 8x32 by the register and
 *   load budget on a core with two full-width 512-bit FMA pipes (Zen 5): 16 accumulators
 *   cover 2 pipes x 4 cycles of FMA latency; per k, 16 FMAs (8 cycles) against 2 weight
 *   loads + 8 broadcasts, and 128 weight bytes per 8 cycles (7x32: per 7). Measured since:
 *   below.
 *   AVX512F at narrow N (Zen 5, bench/f32-gemm-kernels, taskset -c 1, CPU ms, machine
 *   shared at load ~10; PaddleOCR det's 3x3 96 -> 24 as direct K = 864 and as Winograd
 *   K = 96):   M x N x K    8x32    7x32    7x16
 *             1024x24x864   0.516   0.507   0.723
 *             1024x24x96    0.058   0.057   0.078
 *             1024x40x96    0.122   0.115   0.118
 *             1024x56x96    0.116   0.112   0.158
 *   A 16-wide tile does not pay at N = 24 (two 16-column panels are as many columns as
 *   one masked 32-column one, at one FMA per broadcast instead of two) and only ties at
 *   N = 40; 7x32 and 8x32 tie. So no tile is chosen by N; a narrower N needs a new kernel
 *   shape (more rows per broadcast), not one of these.
 *   AVX512F MR by M (Zen 5, bench/f32-convolution MobileNet 1x1 layers, taskset -c 1, us of
 *   CPU time, 2 interleaved runs, machine at load ~2):  8x32 -> 7x32
 *     mnv1_pw_7x7_1024to1024    1041 / 1025 -> 894 / 889  (M = 49: 8 rows pad 56)
 *     mnv2_expand_7x7_160to960   150 / 150  -> 131 / 132
 *     mnv1_pw_14x14_512to512     917 / 910  -> 888 / 894  (M = 196: 200)
 *     mnv1_pw1_112x112_32to64    553 / 571  -> 486 / 499  (K = 32)
 *     mnv1_conv0 3x3 s2 3->32    226 / 228  -> 214 / 215  (IGEMM)
 *     28x28 .. 56x56 layers      within 1.5%, 7x32 never slower
 *   so 7x32 is the main tile and 8x32 its other_mr config, taken where it pads fewer rows
 *   (M = 8, 64, 1024: a batch-8 FC would run two 7-row tiles over the whole weights).
 *   MobileNet v1 / v2 f32 end to end (pqnn-demo, 1T CPU ms, 3 interleaved rounds): 11.53-11.62
 *   / 7.25-7.30 -> 11.03-11.27 / 6.83-6.97.
 *   Off MobileNet, base (8x32) -> 7x32 build, 3 interleaved runs, load ~9, us CPU: FC b8 ..
 *   b1024 unchanged (8x32 by the rule); Winograd (the path takes config's MR, blocks are
 *   multiples of it) resnet_28x28_128x128 715 -> 645, det_160x160_96x24 6442 -> 6667
 *   (+3.5%: 7 rows share each weight load at N = 24), det_80x80_96x24 +1-2%.
 *   AVX512F narrow (1x1 convolutions of N <= 16, pqnn_narrow_gemm_config): 7x16 against the
 *   masked 7x32, mnv2_project_112x112_32to16 251-254 -> 172-179 us (1.45x); N = 24 keeps 32
 *   (see the table above).
 *   AVX512F narrow wherever it pads fewer columns (narrow_fewer_columns; also fully
 *   connected, IGEMM and deconvolution GEMMs): bench/f32-gemm-kernels, taskset -c 1, CPU ms,
 *   3 runs each, machine at load ~2-4 (December 2026), 7x16 / 7x32:
 *     M x N x K:  1024x48x32 0.027-0.028 / 0.038-0.039   1024x48x48 0.041-0.043 / 0.056-0.057
 *                 1024x48x64 0.055 / 0.074-0.075           1024x48x96 0.082-0.083 / 0.111
 *                 1024x48x192 0.164-0.169 / 0.221          1024x80x32 0.046-0.047 / 0.058
 *                 1024x80x96 0.137-0.139 / 0.167           1024x144x24 0.063-0.065 / 0.073-0.074
 *                 1024x144x96 0.247-0.250 / 0.278
 *   (the N = 40 tie in the table above was measured at load ~10). Only where it saves at
 *   least 10% of the padded columns: MobileNet's batch-1 classifier (N = 1000, 1008 against
 *   1024 columns) ran 45-47 -> 71-73 us on 1x16 (bench/f32-fully-connected).
 *   AVX512F column tail (column_tail: N % 32 in 1..16 past a full panel, on 7x16 / 8x16 in
 *   tiles of 7x32 / 8x32; the table above: 7x16 costs per column what 7x32 does, 1024x48x96
 *   0.082 ms for 48 columns against 0.111 for 64): bench/f32-fully-connected, taskset -c 1,
 *   CPU us, 3 interleaved rounds, load ~13: 960x240 -> 240 (PaddleOCR rec, 8x32 + 8x16)
 *   1031-1040 -> 967-989, 400x384 -> 360 (det) 1026-1031 -> 983-994, 480x480 -> 480 (no
 *   tail) 1926-1953 / 1935-1963, batch-1 1024 -> 1000 (8 columns on 1x16) 44.3-44.5 /
 *   44.2-44.4. 8x16 is no narrow tile of its own (other_mr of 7x16): whole layers of 8-row
 *   M ran 5-18% slower on it than on 7x16 (bench/f32-convolution, det 640x640 3 -> 16 stem
 *   1149-1229 -> 1379-1482 us, 160x160 32 -> 48 714-726 -> 797-802 us).
 *   AVX2 at N = 24 (Zen 3, December 2026; bench/f32-gemm-kernels of an all-kernels build,
 *   taskset -c 1, GFLOP/s of the useful columns, median of 3): 6x16 computes 32 columns,
 *   4x24 the 24:          M x N x K    6x16   4x24   (4x16   5x16)
 *                        1024x24x96    48.4   70.9    45.2   39.5
 *                        1024x24x864   46.9   79.2    39.7   44.1
 *                          32x24x96    44.0   73.8    33.6   38.2
 *                        1024x48x96    73.8   75.5    67.1   77.1
 *   so 4x24 is the narrow config (narrow_fewer_columns: N = 18, 24, 72, ...; it is wider
 *   than the main tile, not narrower). det's Winograd 3x3 96 -> 24 layers
 *   (bench/f32-convolution f32_conv3x3, wall us, 3 interleaved rounds on a VM whose
 *   memory-bound runs swing +-20%): 160x160 9552-11023 -> 7938-8357, 80x80 2223-2571 ->
 *   1735-1981, 40x40 445-836 -> 424-479, 20x20 144-177 -> 109-129.
 *   aarch64 (neon tier): 4x16 neonfma, NOT measured (no Arm hardware; tests run under
 *   qemu): chosen by its inner loop, 0.34 instructions per MAC (docs/arm.md), with 6x8
 *   (0.33) as the alternative to measure on a real core.
 */
#include <pthread.h>

#include "configs/config.h"
#include "hardware.h"

static struct pqnn_gemm_config config;
#if defined(__x86_64__) || defined(_M_X64)
static struct pqnn_gemm_config other_mr_config;  /* avx512f: 8x32 */
static struct pqnn_gemm_config narrow_config;    /* avx512f: 7x16; avx2: 4x24 */
static struct pqnn_gemm_config tail_other_mr_config;  /* avx512f: 8x16 */
#endif
static pthread_once_t once = PTHREAD_ONCE_INIT;

/* A config row names its kernels once, by tile and ISA; mr / nr / kr come from the
 * kernel list (src/microkernels/declarations.h). */
#define F32_KERNEL(KIND, TILE, ISA) pqnn_f32_##KIND##_minmax_ukernel_##TILE##__##ISA
#define F32_CONFIG(TILE1, TILE, ISA)                                                        \
  (struct pqnn_gemm_config) {                                                               \
    .name = "f32 " #TILE " " #ISA, .mr = F32_KERNEL(gemm, TILE, ISA##_mr),                  \
    .nr = F32_KERNEL(gemm, TILE, ISA##_nr), .kr = F32_KERNEL(gemm, TILE, ISA##_kr),         \
    .gemm = {F32_KERNEL(gemm, TILE1, ISA), F32_KERNEL(gemm, TILE, ISA)},                    \
    .igemm = {F32_KERNEL(igemm, TILE1, ISA), F32_KERNEL(igemm, TILE, ISA)},                 \
  }

static void init_config(void) {
  config = F32_CONFIG(1x4, 4x4, scalar);
#if defined(__x86_64__) || defined(_M_X64)
  if (pqnn_isa_enabled(pqnn_isa_avx512)) {
    /* 7x32 first (7 divides every MobileNet feature map: 7x7 .. 112x112), 8x32 where it
     * computes fewer padded rows (M = 8, 64, 1024, ...): same NR and packing. */
    config = F32_CONFIG(1x32, 7x32, avx512f);
    other_mr_config = F32_CONFIG(1x32, 8x32, avx512f);
    config.other_mr = &other_mr_config;
    /* 1x1 convolutions of N <= 16 (MobileNet v2's 112x112 32 -> 16): half the FMAs. */
    narrow_config = F32_CONFIG(1x16, 7x16, avx512f);
    config.narrow = &narrow_config;
    /* and wherever it pads >= 10% fewer columns (N % 32 in 1..16 up to 160: det's 48,
     * MobileNet v2's 144) */
    config.narrow_fewer_columns = true;
    /* elsewhere the column tail of N % 32 in 1..16 on 7x16 / 8x16 (rec's N = 240: 7 x 32
     * + 16, det's N = 360: 11 x 32 + 8) */
    tail_other_mr_config = F32_CONFIG(1x16, 8x16, avx512f);
    config.column_tail[0] = &narrow_config;
    config.column_tail[1] = &tail_other_mr_config;
  } else if (pqnn_isa_enabled(pqnn_isa_avx2)) {
    config = F32_CONFIG(1x16, 6x16, avx2_fma);
    /* 4x24 wherever it pads at least 10% fewer columns (N = 18, 24, 72, ...; the Winograd
     * GEMMs of det's 3x3 96 -> 24 layers, pqnn_winograd_gemm_config): at N = 24 6x16
     * computes 32 columns, 4x24 the 24 (measurements above, "AVX2 at N = 24"). Single rows
     * (batch 1, one output pixel) run the 4x24 kernel too: there is no 1x24, so no mr = 1
     * kernel either (an IGEMM mr = 1 kernel reads one indirection pointer per tap). */
    narrow_config = F32_CONFIG(4x24, 4x24, avx2_fma);
    narrow_config.gemm[0] = NULL;
    narrow_config.igemm[0] = NULL;
    config.narrow = &narrow_config;
    config.narrow_fewer_columns = true;
  } else if (pqnn_isa_enabled(pqnn_isa_sse2)) {
    config = F32_CONFIG(1x8, 4x8, sse2);
  }
#elif defined(__aarch64__)
  if (pqnn_isa_enabled(pqnn_isa_neon)) {
    config = F32_CONFIG(1x16, 4x16, neonfma);
  }
#elif defined(__wasm_simd128__)
  /* WASM SIMD128 (mul + add, no FMA): 4x8, 8 accumulators + 2 weights + 1 splat fit the
   * 16 xmm / 32 NEON registers engines map v128 to. See docs/wasm.md. */
  if (pqnn_isa_enabled(pqnn_isa_wasmsimd)) {
    config = F32_CONFIG(1x8, 4x8, wasmsimd);
  }
#endif
}

const struct pqnn_gemm_config* pqnn_get_f32_gemm_config(void) {
  pthread_once(&once, init_config);
  return &config;
}
