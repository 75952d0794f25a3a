/* qs8 x qc8w depthwise-convolution kernel selection per ISA tier: a 9-tap (3x3) and a
 * 25-tap (5x5) kernel plus the any-taps kernel, one channel tile per ISA (scalar 1,
 * sse2 8, avx2 16, avx512 32 = one vector of int16 products per tile). All are bit-exact
 * with each other (test/microkernels/qs8-dwconv-test.cc), so the choice is speed only.
 * Measured with bench/qs8-dwconv-kernels (AMD EPYC, AVX2 host without AVX512, taskset -c 1,
 * CPU time, medians of 5, GOP/s over the 10 MobileNet v2 3x3 depthwise layers, min..max):
 *   9p1c scalar 2.8..3.5   anyp1c scalar 1.6..2.0
 *   9p8c sse2   8.8..12.2  anyp8c sse2   7.1..10.0
 *   9p16c avx2 16.2..22.6  anyp16c avx2 15.5..21.6
 * The specialized 9-tap kernels win by 5-50%, so they come first. On AVX2 the 16c tile is
 * bound by the sign-extension shuffles (port 5: 7 per 2 taps x 16 channels), which a wider
 * channel tile does not reduce. The avx512skx tile could not be measured on this host (no
 * AVX512); 32c is the one-zmm-of-int16 tile, the same shape as the measured avx2 one.
 * aarch64: 16c neon for every Arm tier (sdot has no use here: one product per channel and
 * tap). 16 channels = one q register of int8 per tap; per tap pair smull + smlal and
 * smull2 + smlal2 (int16) then 4 saddw into 4 int32x4 accumulators: 12 instructions with
 * the 4 loads per 32 MAC; 4 accumulators + 4 inputs + 2 products leave most of the 32
 * registers free, so 32c would also fit, but 16c already wastes less on channel tails. */
#include <pthread.h>

#include "configs/config.h"
#include "hardware.h"

static struct pqnn_dwconv_config config;
static pthread_once_t once = PTHREAD_ONCE_INIT;

#define KERNELS(ct, isa)                                                                     \
  (struct pqnn_dwconv_config) {                                                              \
    .kernels = {                                                                             \
      {pqnn_qs8_qc8w_dwconv_minmax_fp32_ukernel_9p##ct##c__##isa, ct, 9, "qs8 9p" #ct "c " #isa},    \
      {pqnn_qs8_qc8w_dwconv_minmax_fp32_ukernel_25p##ct##c__##isa, ct, 25, "qs8 25p" #ct "c " #isa}, \
      {pqnn_qs8_qc8w_dwconv_minmax_fp32_ukernel_anyp##ct##c__##isa, ct, 0, "qs8 anyp" #ct "c " #isa}, \
    },                                                                                       \
    .count = 3,                                                                              \
  }

/* The vpdpbusd kernels: taps in quads, 64 channels (scripts/kernels/dwconv_dpbusd.py). */
#define KERNELS_C4(ct, isa)                                                                  \
  (struct pqnn_dwconv_config) {                                                              \
    .kernels = {                                                                             \
      {pqnn_qs8_qc8w_dwconv_minmax_fp32_ukernel_9p##ct##c4__##isa, ct, 9, "qs8 9p" #ct "c4 " #isa},    \
      {pqnn_qs8_qc8w_dwconv_minmax_fp32_ukernel_25p##ct##c4__##isa, ct, 25, "qs8 25p" #ct "c4 " #isa}, \
      {pqnn_qs8_qc8w_dwconv_minmax_fp32_ukernel_anyp##ct##c4__##isa, ct, 0, "qs8 anyp" #ct "c4 " #isa}, \
    },                                                                                       \
    .count = 3,                                                                              \
    .rows = {pqnn_qs8_qc8w_dwconv_row_minmax_fp32_ukernel_9p##ct##c4__##isa,                 \
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
    config = KERNELS(16, neon);
  }
#elif defined(__wasm_simd128__)
  if (pqnn_isa_enabled(pqnn_isa_wasmsimd)) {
    config = KERNELS(8, wasmsimd);
  }
#endif
}

const struct pqnn_dwconv_config* pqnn_get_qs8_qc8w_dwconv_config(void) {
  pthread_once(&once, init_config);
  return &config;
}
