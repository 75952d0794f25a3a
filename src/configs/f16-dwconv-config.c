/* f16 depthwise-convolution kernel selection per ISA tier (f16 storage, f32 accumulation).
 * Specialized 9-tap (3x3) and 25-tap (5x5) kernels first, the any-tap kernel last.
 * scalar: 1 channel per step; avx2 / avxvnni: 8 channels (one ymm); avx512 / avx512vnni:
 * 16 channels (one zmm); aarch64 neonfp16arith / neondot: 8 channels (one q register of
 * halves, widened to two f32 vectors), neon: scalar. Each tap needs one input and one weight vcvtph2ps per FMA whatever
 * the channel tile, so one vector per step keeps the code small; no dwconv bench was run
 * (the AVX512 kernels were verified only under an intrinsic emulation: no AVX512 here). */
#include <pthread.h>

#include "configs/config.h"
#include "hardware.h"

static struct pqnn_dwconv_config config;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void init_config(void) {
  config = (struct pqnn_dwconv_config) {
    .kernels = {
      {pqnn_f16_dwconv_minmax_ukernel_9p1c__scalar, 1, 9, "f16 9p1c scalar"},
      {pqnn_f16_dwconv_minmax_ukernel_25p1c__scalar, 1, 25, "f16 25p1c scalar"},
      {pqnn_f16_dwconv_minmax_ukernel_anyp1c__scalar, 1, 0, "f16 anyp1c scalar"},
    },
    .count = 3,
  };
#if defined(__x86_64__) || defined(_M_X64)
  if (pqnn_isa_enabled(pqnn_isa_avx512)) {
    config = (struct pqnn_dwconv_config) {
      .kernels = {
        {pqnn_f16_dwconv_minmax_ukernel_9p16c__avx512skx, 16, 9, "f16 9p16c avx512skx"},
        {pqnn_f16_dwconv_minmax_ukernel_25p16c__avx512skx, 16, 25, "f16 25p16c avx512skx"},
        {pqnn_f16_dwconv_minmax_ukernel_anyp16c__avx512skx, 16, 0, "f16 anyp16c avx512skx"},
      },
      .count = 3,
    };
  } else if (pqnn_isa_enabled(pqnn_isa_avx2)) {
    config = (struct pqnn_dwconv_config) {
      .kernels = {
        {pqnn_f16_dwconv_minmax_ukernel_9p8c__avx2, 8, 9, "f16 9p8c avx2"},
        {pqnn_f16_dwconv_minmax_ukernel_25p8c__avx2, 8, 25, "f16 25p8c avx2"},
        {pqnn_f16_dwconv_minmax_ukernel_anyp8c__avx2, 8, 0, "f16 anyp8c avx2"},
      },
      .count = 3,
    };
  }
#elif defined(__aarch64__)
  /* Without FP16 arithmetic (plain neon tier) the scalar kernels above stay. */
  if (pqnn_isa_enabled(pqnn_isa_neonfp16arith)) {
    config = (struct pqnn_dwconv_config) {
      .kernels = {
        {pqnn_f16_dwconv_minmax_ukernel_9p8c__neonfp16arith, 8, 9, "f16 9p8c neonfp16arith"},
        {pqnn_f16_dwconv_minmax_ukernel_25p8c__neonfp16arith, 8, 25, "f16 25p8c neonfp16arith"},
        {pqnn_f16_dwconv_minmax_ukernel_anyp8c__neonfp16arith, 8, 0, "f16 anyp8c neonfp16arith"},
      },
      .count = 3,
    };
  }
#elif defined(__wasm_simd128__)
  if (pqnn_isa_enabled(pqnn_isa_wasmsimd)) {
    config = (struct pqnn_dwconv_config) {
      .kernels = {
        {pqnn_f16_dwconv_minmax_ukernel_9p8c__wasmsimd, 8, 9, "f16 9p8c wasmsimd"},
        {pqnn_f16_dwconv_minmax_ukernel_25p8c__wasmsimd, 8, 25, "f16 25p8c wasmsimd"},
        {pqnn_f16_dwconv_minmax_ukernel_anyp8c__wasmsimd, 8, 0, "f16 anyp8c wasmsimd"},
      },
      .count = 3,
    };
  }
#endif
}

const struct pqnn_dwconv_config* pqnn_get_f16_dwconv_config(void) {
  pthread_once(&once, init_config);
  return &config;
}
