/* f32 Winograd transform selection per ISA tier (f32-winograd-input / -output): the
 * widest vector the tier has. Every tier gives the scalar kernel's bits (src/microkernels.h),
 * so the choice is speed only (docs/architecture.md, "Winograd"). Lines of fewer channels
 * than the vector take the SSE2 kernel (whole 4-channel vectors): the masked tail of the
 * wide kernels made 56x56 4 -> 4 0.68x and 8 -> 8 0.90x the SSE2 transforms. */
#include <pthread.h>

#include "configs/config.h"
#include "hardware.h"

static struct pqnn_winograd_config config;
#if defined(__x86_64__) || defined(_M_X64)
static struct pqnn_gemm_config pair_gemm;  /* avx512f: 12x24 */
#endif
static pthread_once_t once = PTHREAD_ONCE_INIT;

#define WINOGRAD(tile, isa)                                                     \
  config.input = pqnn_f32_winograd_input_ukernel_##tile##__##isa;               \
  config.output = pqnn_f32_winograd_output_minmax_ukernel_##tile##__##isa;      \
  config.channel_tile = pqnn_f32_winograd_input_ukernel_##tile##__##isa##_channel_tile; \
  config.narrow_input = config.input;                                           \
  config.narrow_output = config.output;                                         \
  config.name = #isa;
#define NARROW(tile, isa)                                                       \
  config.narrow_input = pqnn_f32_winograd_input_ukernel_##tile##__##isa;        \
  config.narrow_output = pqnn_f32_winograd_output_minmax_ukernel_##tile##__##isa;

static void init_config(void) {
  WINOGRAD(c1, scalar)
#if defined(__x86_64__) || defined(_M_X64)
  if (pqnn_isa_enabled(pqnn_isa_avx512)) {
    WINOGRAD(c16, avx512f)
    NARROW(c4, sse2)
    /* N = 24 (PaddleOCR det's 96 -> 24): 3 FMAs per row pair and k against 7x32's 4 */
    pair_gemm = (struct pqnn_gemm_config) {
      .name = "f32 12x24 avx512f",
      .mr = pqnn_f32_gemm_minmax_ukernel_12x24__avx512f_mr,
      .nr = pqnn_f32_gemm_minmax_ukernel_12x24__avx512f_nr,
      .kr = pqnn_f32_gemm_minmax_ukernel_12x24__avx512f_kr,
      .gemm = {pqnn_f32_gemm_minmax_ukernel_12x24__avx512f,
               pqnn_f32_gemm_minmax_ukernel_12x24__avx512f},
    };
    config.pair_gemm = &pair_gemm;
  } else if (pqnn_isa_enabled(pqnn_isa_avx2)) {
    WINOGRAD(c8, avx2)
    NARROW(c4, sse2)
  } else if (pqnn_isa_enabled(pqnn_isa_sse2)) {
    WINOGRAD(c4, sse2)
  }
#elif defined(__aarch64__)
  if (pqnn_isa_enabled(pqnn_isa_neon)) {
    WINOGRAD(c4, neon)
  }
#elif defined(__wasm_simd128__)
  if (pqnn_isa_enabled(pqnn_isa_wasmsimd)) {
    WINOGRAD(c4, wasmsimd)
  }
#endif
}

const struct pqnn_winograd_config* pqnn_get_f32_winograd_config(void) {
  pthread_once(&once, init_config);
  return &config;
}
