/* f32 pixel-lane GEMM selection (f32-tgemm): avx512f 16x8 on avx512 tiers, avx2-fma 8x4 (at
 * most 4 columns) on avx2, sse2 4x4 on sse2; Arm and WASM have none yet (NULL: the
 * deconvolution keeps its GEMM tiles). On PaddleOCR det's 320x320 24 -> 1 2x2 upsampling it computes the 4 tap columns
 * across 16 (8) pixel lanes instead of on 4 of the 16 column lanes of the 7x16 (6x16)
 * GEMM (docs/architecture.md, "Deconvolution"). */
#include <pthread.h>
#include <stddef.h>

#include "configs/config.h"
#include "hardware.h"

#if defined(__x86_64__) || defined(_M_X64)
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
#endif
}

const struct pqnn_tgemm_config* pqnn_get_f32_tgemm_config(void) {
  pthread_once(&once, init_config);
  return selected;
}
