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

/* A config row names its kernel once, by tile and ISA; taps and channel tile come from
 * the kernel list (src/microkernels/declarations.h). */
#define F16_DW_KERNEL(TILE, ISA) pqnn_f16_dwconv_minmax_ukernel_##TILE##__##ISA
#define F16_DWCONV(TILE, ISA)                                                              \
  {F16_DW_KERNEL(TILE, ISA), F16_DW_KERNEL(TILE, ISA##_channel_tile),                      \
   F16_DW_KERNEL(TILE, ISA##_taps), "f16 " #TILE " " #ISA}

static struct pqnn_dwconv_config config;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void init_config(void) {
  config = (struct pqnn_dwconv_config) {
    .kernels = {
      F16_DWCONV(9p1c, scalar),
      F16_DWCONV(25p1c, scalar),
      F16_DWCONV(anyp1c, scalar),
    },
    .count = 3,
  };
#if defined(__x86_64__) || defined(_M_X64)
  if (pqnn_isa_enabled(pqnn_isa_avx512)) {
    config = (struct pqnn_dwconv_config) {
      .kernels = {
        F16_DWCONV(9p16c, avx512skx),
        F16_DWCONV(25p16c, avx512skx),
        F16_DWCONV(anyp16c, avx512skx),
      },
      .count = 3,
    };
  } else if (pqnn_isa_enabled(pqnn_isa_avx2)) {
    config = (struct pqnn_dwconv_config) {
      .kernels = {
        F16_DWCONV(9p8c, avx2),
        F16_DWCONV(25p8c, avx2),
        F16_DWCONV(anyp8c, avx2),
      },
      .count = 3,
    };
  }
#elif defined(__aarch64__)
  /* Without FP16 arithmetic (plain neon tier) the scalar kernels above stay. */
  if (pqnn_isa_enabled(pqnn_isa_neonfp16arith)) {
    config = (struct pqnn_dwconv_config) {
      .kernels = {
        F16_DWCONV(9p8c, neonfp16arith),
        F16_DWCONV(25p8c, neonfp16arith),
        F16_DWCONV(anyp8c, neonfp16arith),
      },
      .count = 3,
    };
  }
#elif defined(__wasm_simd128__)
  if (pqnn_isa_enabled(pqnn_isa_wasmsimd)) {
    config = (struct pqnn_dwconv_config) {
      .kernels = {
        F16_DWCONV(9p8c, wasmsimd),
        F16_DWCONV(25p8c, wasmsimd),
        F16_DWCONV(anyp8c, wasmsimd),
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
