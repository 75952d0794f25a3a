/* qs8 elementwise add and global average pooling kernels per ISA tier. Every kernel of a
 * family is bit-exact with the scalar one (test/microkernels/qs8-elementwise-test.cc), so the choice is speed only: the widest vector the tier has
 * (avx512vnni adds nothing to these: they take the avx512skx kernels).
 * Measured with bench/runtime/node-kernels (PQNN_ISA=<tier>, taskset -c 1, CPU time, medians of
 * 3, AMD Zen 5), add2 56x56x24 dense / with a per-channel b (rows of 24: the kernels' tails),
 * Gelem/s, and gavgpool 7x7x1024, us:
 *   scalar 0.61 / 0.52, 42.7    sse2 6.1 / 1.19, 4.8    avx2 10.6 / 1.25, 2.5
 *   avx512skx 11.9 / 4.5, 1.46
 * (the float node code these kernels replaced: 0.41 / 0.41 Gelem/s and 6.6 us). */
#include <pthread.h>

#include "configs/config.h"
#include "hardware.h"

static struct pqnn_qs8_elementwise_config config;
static pthread_once_t once = PTHREAD_ONCE_INIT;

#define QS8_ELEMENTWISE(vadd_tile, pool_tile, isa_)                                   \
  (struct pqnn_qs8_elementwise_config) {                                              \
    .vadd = pqnn_qs8_vadd_minmax_ukernel_##vadd_tile##__##isa_,                       \
    .vaddc = pqnn_qs8_vaddc_minmax_ukernel_##vadd_tile##__##isa_,                     \
    .gavgpool = pqnn_qs8_gavgpool_minmax_fp32_ukernel_##pool_tile##__##isa_,          \
    .isa = #isa_,                                                                     \
  }

static void init_config(void) {
  config = QS8_ELEMENTWISE(u1, c1, scalar);
#if defined(__x86_64__) || defined(_M_X64)
  if (pqnn_isa_enabled(pqnn_isa_avx512)) {
    config = QS8_ELEMENTWISE(u32, c32, avx512skx);
  } else if (pqnn_isa_enabled(pqnn_isa_avx2)) {
    config = QS8_ELEMENTWISE(u16, c16, avx2);
  } else if (pqnn_isa_enabled(pqnn_isa_sse2)) {
    config = QS8_ELEMENTWISE(u16, c8, sse2);
  }
#elif defined(__aarch64__)
  if (pqnn_isa_enabled(pqnn_isa_neon)) {
    config = QS8_ELEMENTWISE(u16, c16, neon);
  }
#elif defined(__wasm_simd128__)
  if (pqnn_isa_enabled(pqnn_isa_wasmsimd)) {
    config = QS8_ELEMENTWISE(u16, c16, wasmsimd);
  }
#endif
}

const struct pqnn_qs8_elementwise_config* pqnn_get_qs8_elementwise_config(void) {
  pthread_once(&once, init_config);
  return &config;
}
