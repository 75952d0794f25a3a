/* qs8 x qc8w depthwise-convolution kernel selection per ISA tier: a 9-tap (3x3) and a
 * 25-tap (5x5) kernel plus the any-taps kernel, one channel tile per ISA (scalar 1,
 * sse2 8, avx2 16, avx512 32 = one vector of int16 products per tile). All are bit-exact
 * with each other (test/microkernels/qs8-dwconv-test.cc), so the choice is speed only.
 * Measurement (bench/qs8-dwconv-kernels, AMD EPYC avx2 host, taskset -c 1, medians of 5,
 * MobileNet v2 3x3 depthwise layers): see the branch report; the avx512 tile could not be
 * measured on this host (no AVX512) and is chosen as the natural one-zmm tile. */
#include <pthread.h>

#include "configs/config.h"
#include "hardware.h"
#include "microkernels/qs8-dwconv-ukernels.h"

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

static void init_config(void) {
  config = KERNELS(1, scalar);
#if defined(__x86_64__) || defined(_M_X64)
  if (pqnn_isa_enabled(pqnn_isa_avx512)) {
    config = KERNELS(32, avx512skx);
  } else if (pqnn_isa_enabled(pqnn_isa_avx2)) {
    config = KERNELS(16, avx2);
  } else if (pqnn_isa_enabled(pqnn_isa_sse2)) {
    config = KERNELS(8, sse2);
  }
#endif
}

const struct pqnn_dwconv_config* pqnn_get_qs8_qc8w_dwconv_config(void) {
  pthread_once(&once, init_config);
  return &config;
}
