/* f32 Winograd transform selection per ISA tier (f32-winograd-input / -output): the
 * widest vector the tier has. Every tier gives the scalar kernel's bits (src/microkernels.h),
 * so the choice is speed only: on det's 160x160 96 -> 24 layer the input and output
 * transforms at the SSE2 baseline took as long as the 36 GEMMs (docs/architecture.md,
 * "Winograd"). */
#include <pthread.h>

#include "configs/config.h"
#include "hardware.h"

static struct pqnn_winograd_config config;
static pthread_once_t once = PTHREAD_ONCE_INIT;

#define WINOGRAD(tile, isa)                                                     \
  config.input = pqnn_f32_winograd_input_ukernel_##tile##__##isa;               \
  config.output = pqnn_f32_winograd_output_minmax_ukernel_##tile##__##isa;      \
  config.name = #isa;

static void init_config(void) {
  WINOGRAD(c1, scalar)
#if defined(__x86_64__) || defined(_M_X64)
  if (pqnn_isa_enabled(pqnn_isa_avx512)) {
    WINOGRAD(c16, avx512f)
  } else if (pqnn_isa_enabled(pqnn_isa_avx2)) {
    WINOGRAD(c8, avx2)
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
