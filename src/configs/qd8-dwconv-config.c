/* qd8 x qc8w -> f32 depthwise-convolution kernel selection per ISA tier: a 9-tap (3x3) and
 * a 25-tap (5x5) kernel plus the any-taps kernel, the channel tiles of the qs8 dwconv
 * kernels (scalar 1, sse2 8, avx2 16, avx512 32), taps in int16 pairs through pmaddwd
 * (scripts/kernels/qd8_dwconv.py), and an f32 epilogue (weight-sum zero-point correction,
 * input scale x kernel scale, bias, clamp). Without these, qd8 depthwise ran as grouped
 * IGEMM (0.46 GOP/s on 3x3 56x56x128, issue 13). With AVX512-VNNI the taps go in int8
 * quads through vpdpbusd instead (64 channels, scripts/kernels/dwconv_dpbusd.py).
 * Measurements: docs/qd8-performance.md ("Depthwise").
 * aarch64: 8c neon for every Arm tier (neon, neonfp16arith, neondot: sdot would need the
 * int8 quad layout and 4-tap input transposes, as vpdpbusd does), the int16 pairs
 * de-interleaved by ld2 and accumulated with smlal / smlal2: per tap and 16 channels 2
 * ldr d + 2 sxtl + 1 ld2 + 4 smlal = 9 instructions (no spills; scripts/kernels/qd8_dwconv.py).
 * wasm: 8c wasmsimd, the sse2 shape with i32x4.dot_i16x8_s as pmaddwd. x86 avxvnni: the
 * avx2 kernels (the avxvnni tier implies avx2; no dot-product dwconv for ymm yet).
 * drq_depthwise (DRQ takes stride-1 depthwise layers the f32 operator runs per pixel): x86
 * measured (src/runtime/runtime-passes.c, depthwise_runs_qd8: 14x14x512 f32 53 -> qd8 33
 * us incl. its convert on Zen 5). Not measured on Arm or WASM hardware; by instruction
 * counts of the 3x3 full-tile loops per 8 channels and output pixel (docs/arm.md,
 * docs/wasm.md): aarch64 (gcc 12) f32 9p8c neonfma 62 against qd8 9p8c neon 67 plus the
 * convert's 26 (8 input floats: range loop 14 per 8, quantize loop 24 per 16): f32 wins by
 * 1.5x, so aarch64 leaves depthwise layers f32 under DRQ (every Arm tier; the scalar tier
 * too); wasm (emcc -O2, without local.get/set/tee) f32 9p8c 145 against qd8 9p8c 92 plus
 * the convert's 42 (21 + 21 per 8 floats): qd8 ahead by 8%, so wasm keeps the x86 rule
 * (a close call: worth timing in an engine). */
#include <pthread.h>

#include "configs/config.h"
#include "hardware.h"

static struct pqnn_dwconv_config config;
static pthread_once_t once = PTHREAD_ONCE_INIT;

#define KERNELS(ct, isa)                                                                     \
  (struct pqnn_dwconv_config) {                                                              \
    .kernels = {                                                                             \
      {pqnn_qd8_f32_qc8w_dwconv_minmax_ukernel_9p##ct##c__##isa, ct, 9, "qd8 9p" #ct "c " #isa},    \
      {pqnn_qd8_f32_qc8w_dwconv_minmax_ukernel_25p##ct##c__##isa, ct, 25, "qd8 25p" #ct "c " #isa}, \
      {pqnn_qd8_f32_qc8w_dwconv_minmax_ukernel_anyp##ct##c__##isa, ct, 0, "qd8 anyp" #ct "c " #isa}, \
    },                                                                                       \
    .count = 3,                                                                              \
  }

/* The vpdpbusd kernels: taps in int8 quads, 64 channels (scripts/kernels/dwconv_dpbusd.py). */
#define KERNELS_C4(ct, isa)                                                                  \
  (struct pqnn_dwconv_config) {                                                              \
    .kernels = {                                                                             \
      {pqnn_qd8_f32_qc8w_dwconv_minmax_ukernel_9p##ct##c4__##isa, ct, 9, "qd8 9p" #ct "c4 " #isa},    \
      {pqnn_qd8_f32_qc8w_dwconv_minmax_ukernel_25p##ct##c4__##isa, ct, 25, "qd8 25p" #ct "c4 " #isa}, \
      {pqnn_qd8_f32_qc8w_dwconv_minmax_ukernel_anyp##ct##c4__##isa, ct, 0, "qd8 anyp" #ct "c4 " #isa}, \
    },                                                                                       \
    .count = 3,                                                                              \
    .rows = {pqnn_qd8_f32_qc8w_dwconv_row_minmax_ukernel_9p##ct##c4__##isa,                  \
             NULL, NULL},                                                                    \
    .rows_without_edges = true,                                                              \
    .tap_group = 4,                                                                          \
    .input_offset = 128,                                                                     \
  }

static void init_config(void) {
  config = KERNELS(1, scalar);
#if defined(__x86_64__) || defined(_M_X64)
  if (pqnn_isa_enabled(pqnn_isa_avx512vnni)) {
    config = KERNELS_C4(64, avx512vnni);
  } else if (pqnn_isa_enabled(pqnn_isa_avx512)) {
    config = KERNELS(32, avx512skx);
  } else if (pqnn_isa_enabled(pqnn_isa_avx2)) {
    config = KERNELS(16, avx2);
  } else if (pqnn_isa_enabled(pqnn_isa_sse2)) {
    config = KERNELS(8, sse2);
  }
#elif defined(__aarch64__)
  if (pqnn_isa_enabled(pqnn_isa_neon)) {
    config = KERNELS(8, neon);
  }
#elif defined(__wasm_simd128__)
  if (pqnn_isa_enabled(pqnn_isa_wasmsimd)) {
    config = KERNELS(8, wasmsimd);
  }
#endif
#if defined(__aarch64__)
  config.drq_depthwise = false;
#else
  config.drq_depthwise = true;
#endif
}

const struct pqnn_dwconv_config* pqnn_get_qd8_f32_qc8w_dwconv_config(void) {
  pthread_once(&once, init_config);
  return &config;
}
