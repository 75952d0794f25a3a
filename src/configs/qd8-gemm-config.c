/* qd8 x qc8w GEMM / IGEMM kernel selection per ISA tier (avx512vnni > avx512 (skx) >
 * avxvnni > avx2 > sse2 > scalar), f32 output and f16 output (no sse2 f16 kernels: that
 * tier uses scalar); each tier only when pqnn_isa_enabled() says its ISA is usable.
 *
 * Tile choice (bench/int8-gemm-kernels, taskset -c 1, --benchmark_min_time=0.2, medians
 * of 5, CPU-time GOP/s, AMD EPYC Zen 3 dev box, AVX2 only, vpmaddwd peak 125 GOP/s):
 *   qd8_f32      256x1024x1024  64x768x3072  1x4096x4096  256x1024x256  64x1024x1024
 *   1x8c8 avx2        62.7          60.1         21.7          56.3          67.1
 *   2x8c8 avx2        89.4          85.7         21.8          90.4          89.1
 *   3x8c8 avx2        81.5          78.5         16.8          81.3          83.8
 *   qd8_f16 2x8c8 avx2: 95.3 / 85.5 / 20.7 / 79.3 / 86.7; 3x8c8: 83.2 / 77.5 / - / - / -.
 *   sse2 (qd8_f32) 1x4c8 ~19-27, 3x4c8 ~33-48;  scalar 4x4 ~4-5.4.
 *   -> avx2 2x8c8 + 1x8c8; sse2 3x4c8 + 1x4c8; scalar 4x4 + 1x4.
 * The AVX512 / AVX-VNNI tiles follow qs8-gemm-config.c. Measured on a Zen 5 with
 * AVX512-VNNI (bench/operators/int8-fc-peak, thread CPU time, % of the vpdpbusd peak of
 * the same process; docs/qd8-performance.md): qd8_f32 incl. convert, 4x64c4 avx512vnni,
 * gcc 12 / clang 14: 8x1024x1024 92.3-92.7 / 92.5-93.6%, 64x768x3072 93.0-93.7 /
 * 92.4-92.9%, 256x1024x1024 91.5-91.9 / 91.8-92.1%, 1024^3 85.3-86.1 / 85.2-86.7%. PQNN_ISA=avx512 (4x16c8 skx) 91-93% of the
 * zmm vpmaddwd+vpaddd peak; avx2 2x8c8 68-83% of the ymm one (256x1024x1024). On an
 * Intel Xeon with AVX-VNNI (2026-12-06, gcc 12 / clang 14, the tile comparison in
 * qs8-gemm-config.c): qd8_f32 incl. convert 4x64c4 avx512vnni 8x1024x1024 65.9 / 62.6%,
 * 64x768x3072 54.4 / 52.6%, 256x1024x1024 55.2 / 53.5%, 1024^3 48.4 / 43.6%; avxvnni 5x16c4
 * 280-311 / 271-321 GOP/s (58-69% / 61-72% of the ymm peak, 447), since then 3x32c4 (1x32c4
 * for single rows) at 76-82% incl. convert (qs8-gemm-config.c). VNNI configs set input_offset = 128: the kernels read
 * activations as uint8 and subtract (zero_point + 128) * ksum.
 * drq_small_convs (dynamic quantization takes convolutions of any reduction, narrow 1x1
 * layers included, stems not: src/runtime/runtime-passes.c) on the avx512vnni and avx512
 * tiers, from pqnn-demo on Zen 5 (1 thread, CPU time, qd8 / f32; threshold 64 -> every
 * conv incl. stems -> every conv but stems, the rule taken): avx512vnni MobileNet v1
 * 2.54-2.61x -> 2.84-2.87x -> 2.72-2.74x, v2 1.58-1.59x -> 1.91-1.93x -> 1.86-1.87x;
 * PQNN_ISA=avx512 v1 1.32x -> 1.33x -> 1.35x, v2 1.19x -> 1.25x -> 1.27x; PQNN_ISA=avx2 v1
 * 1.14x -> 1.15x, v2 1.11x -> 1.06x (every conv: worse, so not set there); the other
 * tiers are unmeasured and keep the threshold.
 * aarch64 (neondot > neon > scalar): neondot 4x16c4 + 1x16c4, neon 2x8c16 + 1x8c16 for
 * both outputs, by the register budget explained in qs8-gemm-config.c (the qd8 epilogue
 * adds only per-row scale / zero-point vectors; f16 output via vcvt_f16_f32, baseline on
 * aarch64, so the neon tier has f16-output kernels too). input_offset 0. */
#include <pthread.h>

#include "configs/config.h"
#include "hardware.h"

static struct pqnn_gemm_config f32_config, f16_config;
#if defined(__x86_64__) || defined(_M_X64)
static struct pqnn_gemm_config f32_narrow, f16_narrow;  /* the narrow tiles (config.h) */
static struct pqnn_gemm_config f32_c8;  /* the narrow tile's own narrow one (c8) */
static struct pqnn_gemm_config f32_tall, f16_tall;  /* the tall tiles (config.h) */
#endif
static pthread_once_t f32_once = PTHREAD_ONCE_INIT, f16_once = PTHREAD_ONCE_INIT;

/* A config row names its kernels once, by tile and ISA; mr / nr / kr / input_offset come
 * from the kernel list (src/microkernels/declarations.h). */
#define QD8_KERNEL(DT, KIND, TILE, ISA) pqnn_qd8_##DT##_qc8w_##KIND##_minmax_ukernel_##TILE##__##ISA
/* IGEMM kernels (avx512vnni qd8_f32: GEMM kernels too, below): the narrow tile (config.h)
 * of the PATCH convolution path and of 1x1 convolutions with few output channels, which
 * under qd8 take the IGEMM path (one quantization entry per image; pqnn_narrow_gemm_config),
 * or, quantized per image row, the GEMM path: MobileNet v2's projections to
 * 16-32 channels computed 2-4x their columns in 4x64c4 (bench/qd8-convolution, thread CPU
 * time, Zen 5, 4x64c4 -> 7x16c4 without the convert: 112x112 32->16 147 -> 55 us, 28x28
 * 192->32 44 -> 24 us; MobileNet v2 qd8 end to end 4.13-4.15 -> 3.79-3.82 ms,
 * docs/qd8-performance.md).
 * The narrow tile's own narrow one, avx512vnni qd8_f32 only: 8x24c8, the c8 layout (each
 * zmm 8 columns x 8 k, scripts/kernels/int8_c8.py) wherever it pads fewer columns than
 * 7x16c4 (N = 24, 72, ...), or as many from K = 32 (N = 48, 96, ...; below, its lane-pair
 * epilogue outweighs its K loop: pqnn_narrow_gemm_config). It replaced 8x24c4, a c4 tile
 * whose zmm held 8 columns of two rows: its pair vectors took two broadcasts and a XOR on
 * ports 0 / 5 per 3 vpdpbusd (at most 50% of the peak). bench/int8-gemm-kernels conv3x3,
 * Intel Xeon (2026-12-06), 1 thread, % of the same process's vpdpbusd peak:
 * M x N x C (3x3)      6400x24x96 6400x96x96 3136x64x64 3136x64x40 784x128x128 196x256x256
 *   8x24c4 (pairs)        50.0       49.1       43.6       42.4       43.4        47.8
 *   8x24c8 (all XOR)      61.0       58.5       51.4       50.3       54.7        59.5
 *   8x24c8 (all flip)     55.9       66.5       60.7       47.3       63.6        70.2
 *   8x24c8 (flip from two column tiles, as committed)
 *                         61.0       63.8       59.9       53.7       61.1        69.8
 *   7x16c4                34.8       50.1       47.9       27.1       52.6        55.9
 *   4x64c4                23.3       44.3       60.6       64.6       71.4        74.7
 * (the flip on one column tile copies 8 rows x 9 taps for 24 columns only; at kc 16 flip and
 * XOR tie). bench/qd8-convolution qd8_conv3x3 (with the convert), thread CPU time, us, 2
 * interleaved rounds, 8x24c4 -> 8x24c8: det 160x160 96 -> 24 3725 / 3578 -> 3076 / 3123,
 * 80x80 96 -> 24 823 / 807 -> 704 / 699, 20x20 43.6 -> 36.6; 7x16c4 -> 8x24c8 (N = 48 and
 * 96 now take it): 80x80 96 -> 48 1503 / 1496 -> 1163 / 1157, 96 -> 96 2719 / 2718 -> 2090 /
 * 2076, 24 -> 96 877 / 871 -> 581 / 580, 40x40 128 -> 48 451 / 454 -> 347 / 348. PaddleOCR
 * det qd8 (pqnn-run, 1 thread): its two 160x160 96 -> 24 layers 2.60-2.68 -> 2.17-2.26 ms.
 * The 1x1 layers of N = 24 take it by the same rule on the IGEMM path (the qd8 1x1
 * layers quantized per image row run as FC on the GEMM path: 7x16c4 there). qd8 1x1
 * IGEMM layers also run in row bands with their depthwise (src/operators/band-rows.c). */
#define QD8_NARROW_CONFIG(DT, TILE1, TILE, ISA)                                             \
  (struct pqnn_gemm_config) {                                                               \
    .name = "qd8_" #DT "_qc8w " #TILE " " #ISA,                                             \
    .mr = QD8_KERNEL(DT, igemm, TILE, ISA##_mr), .nr = QD8_KERNEL(DT, igemm, TILE, ISA##_nr), \
    .kr = QD8_KERNEL(DT, igemm, TILE, ISA##_kr),                                            \
    .input_offset = QD8_KERNEL(DT, igemm, TILE, ISA##_input_offset),                        \
    .dqigemm = {QD8_KERNEL(DT, igemm, TILE1, ISA), QD8_KERNEL(DT, igemm, TILE, ISA)},       \
  }
/* The GEMM part of a row (name, tile, GEMM kernels); a tall tile (config.h) is that alone. */
#define QD8_GEMM_FIELDS(DT, TILE1, TILE, ISA)                                               \
    .name = "qd8_" #DT "_qc8w " #TILE " " #ISA, .mr = QD8_KERNEL(DT, gemm, TILE, ISA##_mr), \
    .nr = QD8_KERNEL(DT, gemm, TILE, ISA##_nr), .kr = QD8_KERNEL(DT, gemm, TILE, ISA##_kr), \
    .input_offset = QD8_KERNEL(DT, gemm, TILE, ISA##_input_offset),                         \
    .dqgemm = {QD8_KERNEL(DT, gemm, TILE1, ISA), QD8_KERNEL(DT, gemm, TILE, ISA)}
#define QD8_TALL_CONFIG(DT, TILE1, TILE, ISA)                                               \
  (struct pqnn_gemm_config) {QD8_GEMM_FIELDS(DT, TILE1, TILE, ISA)}
#define QD8_CONFIG(DT, TILE1, TILE, ISA)                                                    \
  (struct pqnn_gemm_config) {                                                               \
    QD8_GEMM_FIELDS(DT, TILE1, TILE, ISA),                                                  \
    .dqigemm = {QD8_KERNEL(DT, igemm, TILE1, ISA), QD8_KERNEL(DT, igemm, TILE, ISA)},       \
  }

static void init_f32_config(void) {
#if defined(__x86_64__) || defined(_M_X64)
  if (pqnn_isa_enabled(pqnn_isa_avx512vnni)) {
    f32_config = QD8_CONFIG(f32, 1x64c4, 4x64c4, avx512vnni);
    f32_config.drq_small_convs = true;
    /* Stems (3 -> 8..32 channels): 7x16c4 computes no padding columns there. */
    f32_narrow = QD8_NARROW_CONFIG(f32, 1x16c4, 7x16c4, avx512vnni);
    /* Its GEMM kernels too: the projections DRQ quantizes per image row run as fully
     * connected operators over the pixels (runtime-passes.c), which ran MobileNet v2's
     * 28x28 192 -> 32 on 6x64c4 (0.038 ms) instead of 7x16c4 (0.029 ms; pqnn-demo
     * --profile-nodes, Intel Xeon, 1 thread), and so do qd8 FC layers of few outputs
     * (PaddleOCR det qd8, 96 -> 24 over the pixels: 27.0 -> 26.6 ms per inference,
     * pqnn-run, 1 thread, 2 alternating rounds). */
    f32_narrow.dqgemm[0] = QD8_KERNEL(f32, gemm, 1x16c4, avx512vnni);
    f32_narrow.dqgemm[1] = QD8_KERNEL(f32, gemm, 7x16c4, avx512vnni);
    f32_config.narrow = &f32_narrow;
    f32_c8 = QD8_NARROW_CONFIG(f32, 8x24c8, 8x24c8, avx512vnni);
    f32_c8.dqigemm[0] = NULL;  /* no mr = 1 kernel: single pixels run the MR one */
    f32_narrow.narrow = &f32_c8;
    if (pqnn_hardware.intel) {
      /* Fully connected and 1x1 layers of M >= 24: 6x64c4 (qs8-gemm-config.c). */
      f32_tall = QD8_TALL_CONFIG(f32, 1x64c4, 6x64c4, avx512vnni);
      f32_config.tall = &f32_tall;
    }
  } else if (pqnn_isa_enabled(pqnn_isa_avx512)) {
    f32_config = QD8_CONFIG(f32, 1x16c8, 4x16c8, avx512skx);
    f32_config.drq_small_convs = true;
  } else if (pqnn_isa_enabled(pqnn_isa_avxvnni)) {
    f32_config = QD8_CONFIG(f32, 1x32c4, 3x32c4, avxvnni);
  } else if (pqnn_isa_enabled(pqnn_isa_avx2)) {
    f32_config = QD8_CONFIG(f32, 1x8c8, 2x8c8, avx2);
  } else if (pqnn_isa_enabled(pqnn_isa_sse2)) {
    f32_config = QD8_CONFIG(f32, 1x4c8, 3x4c8, sse2);
  } else
#elif defined(__aarch64__)
  if (pqnn_isa_enabled(pqnn_isa_neondot)) {
    f32_config = QD8_CONFIG(f32, 1x16c4, 4x16c4, neondot);
  } else if (pqnn_isa_enabled(pqnn_isa_neon)) {
    f32_config = QD8_CONFIG(f32, 1x8c16, 2x8c16, neon);
  } else
#elif defined(__wasm_simd128__)
  if (pqnn_isa_enabled(pqnn_isa_wasmsimd)) {
    f32_config = QD8_CONFIG(f32, 1x4c8, 3x4c8, wasmsimd);
  } else
#endif
  {
    f32_config = QD8_CONFIG(f32, 1x4, 4x4, scalar);
  }
}

static void init_f16_config(void) {
#if defined(__x86_64__) || defined(_M_X64)
  if (pqnn_isa_enabled(pqnn_isa_avx512vnni)) {
    f16_config = QD8_CONFIG(f16, 1x64c4, 4x64c4, avx512vnni);
    f16_config.drq_small_convs = true;
    f16_narrow = QD8_NARROW_CONFIG(f16, 1x16c4, 7x16c4, avx512vnni);
    f16_config.narrow = &f16_narrow;
    if (pqnn_hardware.intel) {
      f16_tall = QD8_TALL_CONFIG(f16, 1x64c4, 6x64c4, avx512vnni);
      f16_config.tall = &f16_tall;
    }
  } else if (pqnn_isa_enabled(pqnn_isa_avx512)) {
    f16_config = QD8_CONFIG(f16, 1x16c8, 4x16c8, avx512skx);
    f16_config.drq_small_convs = true;
  } else if (pqnn_isa_enabled(pqnn_isa_avxvnni)) {
    f16_config = QD8_CONFIG(f16, 1x32c4, 3x32c4, avxvnni);
  } else if (pqnn_isa_enabled(pqnn_isa_avx2)) {
    f16_config = QD8_CONFIG(f16, 1x8c8, 2x8c8, avx2);
  } else
#elif defined(__aarch64__)
  if (pqnn_isa_enabled(pqnn_isa_neondot)) {
    f16_config = QD8_CONFIG(f16, 1x16c4, 4x16c4, neondot);
  } else if (pqnn_isa_enabled(pqnn_isa_neon)) {
    f16_config = QD8_CONFIG(f16, 1x8c16, 2x8c16, neon);
  } else
#elif defined(__wasm_simd128__)
  if (pqnn_isa_enabled(pqnn_isa_wasmsimd)) {
    f16_config = QD8_CONFIG(f16, 1x4c8, 3x4c8, wasmsimd);
  } else
#endif
  {
    f16_config = QD8_CONFIG(f16, 1x4, 4x4, scalar);
  }
}

const struct pqnn_gemm_config* pqnn_get_qd8_f32_qc8w_gemm_config(void) {
  pthread_once(&f32_once, init_f32_config);
  return &f32_config;
}

const struct pqnn_gemm_config* pqnn_get_qd8_f16_qc8w_gemm_config(void) {
  pthread_once(&f16_once, init_f16_config);
  return &f16_config;
}
