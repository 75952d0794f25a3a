/* f32 GEMM / IGEMM kernel selection per ISA tier. */
#include <pthread.h>

#include "configs/config.h"
#include "hardware.h"

static struct pqnn_gemm_config config;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void init_config(void) {
  config = (struct pqnn_gemm_config) {
    .name = "f32 4x4 scalar", .mr = 4, .nr = 4, .kr = 1,
    .gemm = {pqnn_f32_gemm_minmax_ukernel_1x4__scalar, pqnn_f32_gemm_minmax_ukernel_4x4__scalar},
    .igemm = {pqnn_f32_igemm_minmax_ukernel_1x4__scalar, pqnn_f32_igemm_minmax_ukernel_4x4__scalar},
  };
}

const struct pqnn_gemm_config* pqnn_get_f32_gemm_config(void) {
  pthread_once(&once, init_config);
  return &config;
}
