/* f32 pixel-lane GEMM selection (f32-tgemm): avx512f 16x8 on avx512 tiers, avx2-fma 8x4 (at
 * most 4 columns) on avx2, sse2 4x4 on sse2, neonfma 8x4 on aarch64 (neon tier), wasmsimd
 * 4x4 on WASM SIMD; NULL elsewhere (scalar tiers: the deconvolution keeps its GEMM tiles).
 * The Arm and WASM kernels are tested under qemu / node only, not timed. On PaddleOCR
 * det's 320x320 24 -> 1 2x2 upsampling it computes the 4 tap columns across 16 (8) pixel
 * lanes instead of on 4 of the 16 column lanes of the 7x16 (6x16) GEMM
 * (docs/architecture.md, "Deconvolution"). */
#include <pthread.h>
#include <stddef.h>

#include "configs/config.h"
#include "hardware.h"

#if defined(__x86_64__) || defined(_M_X64) || defined(__aarch64__) || defined(__wasm_simd128__)
static struct pqnn_tgemm_config config;
#endif
static const struct pqnn_tgemm_config* selected;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void init_config(void) {
#if defined(__x86_64__) || defined(_M_X64)
  if (pqnn_isa_enabled(pqnn_isa_avx512)) {
    config = (struct pqnn_tgemm_config) {
      .ukernel = pqnn_f32_tgemm_minmax_ukernel_16x8__avx512f,
      .mr = pqnn_f32_tgemm_minmax_ukernel_16x8__avx512f_mr,
      .nr = pqnn_f32_tgemm_minmax_ukernel_16x8__avx512f_nr,
    };
    selected = &config;
  } else if (pqnn_isa_enabled(pqnn_isa_avx2)) {
    config = (struct pqnn_tgemm_config) {
      .ukernel = pqnn_f32_tgemm_minmax_ukernel_8x4__avx2_fma,
      .mr = pqnn_f32_tgemm_minmax_ukernel_8x4__avx2_fma_mr,
      .nr = pqnn_f32_tgemm_minmax_ukernel_8x4__avx2_fma_nr,
    };
    selected = &config;
  } else if (pqnn_isa_enabled(pqnn_isa_sse2)) {
    config = (struct pqnn_tgemm_config) {
      .ukernel = pqnn_f32_tgemm_minmax_ukernel_4x4__sse2,
      .mr = pqnn_f32_tgemm_minmax_ukernel_4x4__sse2_mr,
      .nr = pqnn_f32_tgemm_minmax_ukernel_4x4__sse2_nr,
    };
    selected = &config;
  }
#elif defined(__aarch64__)
  if (pqnn_isa_enabled(pqnn_isa_neon)) {
    config = (struct pqnn_tgemm_config) {
      .ukernel = pqnn_f32_tgemm_minmax_ukernel_8x4__neonfma,
      .mr = pqnn_f32_tgemm_minmax_ukernel_8x4__neonfma_mr,
      .nr = pqnn_f32_tgemm_minmax_ukernel_8x4__neonfma_nr,
    };
    selected = &config;
  }
#elif defined(__wasm_simd128__)
  if (pqnn_isa_enabled(pqnn_isa_wasmsimd)) {
    config = (struct pqnn_tgemm_config) {
      .ukernel = pqnn_f32_tgemm_minmax_ukernel_4x4__wasmsimd,
      .mr = pqnn_f32_tgemm_minmax_ukernel_4x4__wasmsimd_mr,
      .nr = pqnn_f32_tgemm_minmax_ukernel_4x4__wasmsimd_nr,
    };
    selected = &config;
  }
#endif
}

const struct pqnn_tgemm_config* pqnn_get_f32_tgemm_config(void) {
  pthread_once(&once, init_config);
  return selected;
}
