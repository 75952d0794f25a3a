/* f32 depthwise-convolution kernel selection per ISA tier: up to three kernels, the
 * specialized 3x3 (9 taps) and 5x5 (25 taps) kernels first, the generic any-taps kernel
 * (taps = 0) last. Operators pick with pqnn_dwconv_config_select(config, kernel_size) and
 * pack weights with that kernel's channel_tile (pqnn_pack_f32_dwconv).
 *
 * Measurements that chose the tiles: bench/f32-dwconv-kernels (whole MobileNet v2 3x3
 * depthwise layers 112x112x32 .. 7x7x960 and 5x5 layers 28x28x240, 14x14x480), AMD EPYC
 * (Zen, AVX2), `taskset -c 1 ... --benchmark_min_time=0.1 --benchmark_repetitions=5
 * --benchmark_report_aggregates_only=true`, medians in GFLOP/s of CPU time, ranges over
 * the layers. The 2-core machine was shared (load average 6-10, wall time 2-10x CPU time),
 * so differences under ~15% are noise; two full runs (R1 before, R2 after the two-chain
 * change of the generic and SSE2 fixed-tap kernels):
 *   scalar  9p2c  R1 8.2-8.7  R2 6.9-8.4  vs 9p1c  R1 3.3-5.1  R2 3.3-4.7
 *           25p2c R1 6.1-6.8  R2 6.9-7.0  vs 25p1c R1 3.2      R2 3.6-3.7
 *           anyp2c R2 3.0-3.8 vs anyp1c R2 2.4-3.2                     -> 2c
 *   sse2    9p8c  R1 10.3-15.9 R2 13.0-16.8 vs 9p4c R1 10.4-15.6 R2 14.3-17.2  (tie) -> 8c
 *           25p4c R1 11.5-13.4 R2 12.1-14.1 vs 25p8c R1 9.0-10.0 R2 7.6-11.3       -> 4c
 *           anyp8c R2 7.8-15.2 vs anyp4c R2 6.3-11.0                               -> 8c
 *   avx2    9p16c R1 19.6-35.3 R2 18.0-32.7 vs 9p8c R1 18.3-23.8 R2 19.6-35.6      -> 16c
 *           25p16c R1 20.3-21.5 R2 18.4-20.5 vs 25p8c R1 17.5-18.5 R2 17.1-20.4    -> 16c
 *           anyp16c R2 13.6-29.0 vs anyp8c R2 14.0-22.6 (R1.5, anyp only: 19.3-29.1
 *           vs 13.4-24.3)                                                         -> 16c
 * Later A/B (interleaved, two rounds): 25-tap kernels with two accumulator chains
 *   avx2 25p16c 21.3/22.6 and 17.0/19.6 vs one chain 18.8/20.0 and 16.0/17.3 (k5 28x28x240 /
 *   14x14x480); scalar 25p2c 8.1/8.2 and 7.4/6.2 vs 6.9/7.1 and 7.0/5.6 -> two chains.
 * avx512: no AVX512 machine was available (kernels checked only by running the tester on
 * them compiled against a scalar stand-in for the intrinsics); 32c, two 16-lane vectors
 * per tile, by analogy with AVX2, where two vectors per tile (16c) matched or beat one.
 * Re-measure on AVX512 hardware.
 * Row kernels (f32-dwconv-row, src/operators/dwconv-path.c): AVX512 and AVX2 pair their
 * 3x3 and 5x5 kernels with the row kernel of the same tile (the tile is the per-pixel
 * kernel's; a row kernel walks single vectors, so a 16-channel layer wastes nothing in a
 * 32c tile). bench/operators/f32-depthwise (every depthwise shape of the PaddleOCR det /
 * rec / cls models and MobileNet v1/v2, row vs per-pixel in one process), AMD Zen 5,
 * `taskset -c 1`, GFLOP/s of thread CPU time, medians of 5, shared machine (load 7-12 on
 * 2 cores), row / per-pixel:
 *   avx512f 3x3 8-32 ch (det 320x320, rec, cls, mnv1 112x112): 1.30-2.51x (det 16 ch
 *           320x320 18.2 -> 38.8); 48-192 ch 1.04-1.63x; 384 / 960 ch 1.31 / 1.57x;
 *           5x5 (det, rec, cls; 32-480 ch, s1 and s2) 1.73-2.65x. An earlier run had
 *           256 / 512 / 1024 ch s1 and 128 ch s1x2 at 0.64-0.90x: 4 KiB aliasing of the
 *           output with the input (configs/config.h, pqnn_dwconv_row_aliases), which
 *           the path now checks per run; off it (the bench places the output as the
 *           runtime's arena does; load ~9, us of CPU time) mnv1 128x56x56 177 -> 88,
 *           128 s2 46 -> 34, 256x28x28 81 -> 49, 256 s2 21 -> 20, 512x14x14 51 -> 44,
 *           512 s2 14 -> 15, 1024x7x7 33 -> 29 (per-pixel -> row).
 *   avx2    (whole 16c tiles a 64-byte line per pixel) 3x3 8-32 ch 1.25-4.42x, 48-192 ch
 *           1.01-1.51x, 384 / 960 ch 1.21 / 1.44x, 5x5 1.18-1.79x. Before the line
 *           loop, 3x3 s2 at 64-96 ch was 0.72-0.73x (each 64-byte line fetched twice).
 *   Intel Xeon (AVX512, L1D 48 KiB, L2 2 MiB; same bench, 2 interleaved rounds, medians,
 *   GFLOP/s, loaded machine): the avx512 9p32c row kernel walking each vector along the
 *   whole row ran below the per-pixel kernel on the large maps (mnv1 128x56x56 34.7 vs
 *   43.3, 64x112x112 s2 15.5 vs 21.7, det 96x80x80 37.4 vs 41.6, rec 128x12x160 s1x2
 *   32.1 vs 45.9): every input line fetched from L2 / L3 once per channel vector at a
 *   channels * 4 byte stride. It now walks the interior in strips of 8 pixels, all
 *   channel vectors of a strip before the next (f32_dwconv_row.py STRIP); row kernel
 *   against main's: mnv1 128x56x56 1.30x (s2 1.34x), 64x112x112 s2 1.32x, 32x112x112
 *   1.14x, mnv2 96x112x112 s2 1.19x, 192x28x28 1.19x, det 32x320x320 s2 1.33x, 96x80x80
 *   1.26x (s2 1.28x), 48x160x160 1.12x, rec 64-128 ch 1.18-1.53x; the 14x14 / 7x7 layers
 *   (one strip, as before) 0.97-1.06x; rec 16-32 ch and cls 24 ch 0.90-0.95x, the 1x1
 *   layers (unchanged code, a control) 0.86-0.97x in the same rounds. Row / per-pixel is
 *   now 0.85-0.98x only on stride-2 layers of 64-512 channels (mnv1 256x28x28 s2 0.85x,
 *   512x14x14 s2 0.91x, mnv2 192x28x28 s2 0.90x, 64x112x112 s2 0.95x) and 1.0-3.1x
 *   elsewhere; the pairing stays one rule (every 3x3 / 5x5 layer takes its row kernel:
 *   the runtime's row bands and the in-register epilogue need it). 5x5 and the avx2
 *   kernels keep the whole-row walk (strips lost there: f32_dwconv_row.py).
 * 1x1 (1 tap: a per-channel scale and bias, e.g. an ONNX Mul by a per-channel constant
 * after a hardswish in PaddleOCR rec): the 1p kernel (no tap loop, no second accumulator)
 * against the generic anyp kernel, bench/operators/f32-depthwise rec_*_1x1, avx512f, Zen 5,
 * `taskset -c 1`, CPU ns, medians of 3, two rounds, load ~9: 16x24x160 10.0 -> 6.8 us,
 * 32x24x160 17.5 -> 12.7, 64x24x160 32.4 -> 24.4, 128x12x160 30.2 -> 23.9, 240x12x80
 * 28.2 -> 23.1, 480x6x80 26.0 -> 22.8, 480x3x80 13.4 -> 9.9 (1.14-1.47x; the larger maps
 * stream from L3); avx2 1p16c (PQNN_ISA=avx2, same machine) 11.9 -> 7.3, 21.5 -> 14.8,
 * 39.3 -> 28.0, 36.3 -> 28.2, 33.4 -> 24.8, 32.5 -> 25.0, 14.5 -> 11.7 (1.24-1.63x). Its
 * row kernel (f32_dwconv_row.py's template at 1 tap, tried and not kept)
 * walked one channel vector along a row: 16 channels 5.2 us (1.3x the 1p kernel), 32
 * channels 12.0 (1.06x), but 64-480 channels 0.54-0.94x (strided walks of 256+ byte
 * steps), so 1x1 layers have no row kernel.
 * aarch64 neon tier: 8c neonfma (two 4-lane vectors per tile, two accumulator chains, by
 * analogy with the x86 results); not measured (no Arm hardware, tests under qemu).
 */
#include <pthread.h>

#include "configs/config.h"
#include "hardware.h"

/* A config row names its kernel once, by tile and ISA; taps and channel tile come from
 * the kernel list (src/microkernels/declarations.h). */
#define F32_DW_KERNEL(TILE, ISA) pqnn_f32_dwconv_minmax_ukernel_##TILE##__##ISA
#define F32_DWCONV(TILE, ISA)                                                              \
  {F32_DW_KERNEL(TILE, ISA), F32_DW_KERNEL(TILE, ISA##_channel_tile),                      \
   F32_DW_KERNEL(TILE, ISA##_taps), "f32 " #TILE " " #ISA}

/* The row kernel of a tile (its taps and channel tile are those of the DWCONV kernel of
 * the same name, which packs the weights it reads). */
#define F32_DW_ROW(TILE, ISA) pqnn_f32_dwconv_row_minmax_ukernel_##TILE##__##ISA

static struct pqnn_dwconv_config config;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void init_config(void) {
#if defined(__x86_64__)
  if (pqnn_isa_enabled(pqnn_isa_avx512)) {
    config = (struct pqnn_dwconv_config) {
      .kernels = {
        F32_DWCONV(9p32c, avx512f),
        F32_DWCONV(25p32c, avx512f),
        F32_DWCONV(1p32c, avx512f),
        F32_DWCONV(anyp32c, avx512f),
      },
      .count = 4,
      .rows = {F32_DW_ROW(9p32c, avx512f), F32_DW_ROW(25p32c, avx512f), NULL, NULL},
    };
    return;
  }
  if (pqnn_isa_enabled(pqnn_isa_avx2)) {
    config = (struct pqnn_dwconv_config) {
      .kernels = {
        F32_DWCONV(9p16c, avx2_fma),
        F32_DWCONV(25p16c, avx2_fma),
        F32_DWCONV(1p16c, avx2_fma),
        F32_DWCONV(anyp16c, avx2_fma),
      },
      .count = 4,
      .rows = {F32_DW_ROW(9p16c, avx2_fma), F32_DW_ROW(25p16c, avx2_fma), NULL, NULL},
    };
    return;
  }
  if (pqnn_isa_enabled(pqnn_isa_sse2)) {
    config = (struct pqnn_dwconv_config) {
      .kernels = {
        F32_DWCONV(9p8c, sse2),
        F32_DWCONV(25p4c, sse2),
        F32_DWCONV(anyp8c, sse2),
      },
      .count = 3,
    };
    return;
  }
#elif defined(__aarch64__)
  if (pqnn_isa_enabled(pqnn_isa_neon)) {
    config = (struct pqnn_dwconv_config) {
      .kernels = {
        F32_DWCONV(9p8c, neonfma),
        F32_DWCONV(25p8c, neonfma),
        F32_DWCONV(anyp8c, neonfma),
      },
      .count = 3,
    };
    return;
  }
#elif defined(__wasm_simd128__)
  if (pqnn_isa_enabled(pqnn_isa_wasmsimd)) {
    config = (struct pqnn_dwconv_config) {
      .kernels = {
        F32_DWCONV(9p8c, wasmsimd),
        F32_DWCONV(25p8c, wasmsimd),
        F32_DWCONV(anyp8c, wasmsimd),
      },
      .count = 3,
    };
    return;
  }
#endif
  config = (struct pqnn_dwconv_config) {
    .kernels = {
      F32_DWCONV(9p2c, scalar),
      F32_DWCONV(25p2c, scalar),
      F32_DWCONV(anyp2c, scalar),
    },
    .count = 3,
  };
}

const struct pqnn_dwconv_config* pqnn_get_f32_dwconv_config(void) {
  pthread_once(&once, init_config);
  return &config;
}
