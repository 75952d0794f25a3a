/* Softmax row kernel selection per ISA tier (f32-rmax, f32-expsum): the widest vector the
 * tier has, with four accumulators per step (four independent max / sum chains; expsum's
 * four exp polynomials in flight). avx512skx expsum u64 against u16 / u32 (candidates),
 * bench/kernels/softmax-kernels, rows of 6625, CPU time, medians of 3, loaded machine: 5.96 /
 * 6.06 / 6.08 Gelem/s (the table exp is bound by its FP operations, not by the chains), so
 * the u64 tile stays with rmax's (docs/benchmarks.md). avx2 expsum (8-entry table exp) u16
 * against u32: 4.17-4.27 / 4.14 Gelem/s at 6625, 4.13-4.28 / 4.00-4.11 at 1000 (taskset -c 1,
 * 3 rounds): two exps in flight are as fast, and 16 ymm hold them without gcc 12 spilling
 * (u32: 14 stack operands per step), so u16. */
#include <pthread.h>

#include "configs/config.h"
#include "hardware.h"

static struct pqnn_softmax_config config;
static pthread_once_t once = PTHREAD_ONCE_INIT;

#define SELECT(rmax_tile, expsum_tile, isa)                       \
  config.rmax = pqnn_f32_rmax_ukernel_##rmax_tile##__##isa;       \
  config.expsum = pqnn_f32_expsum_ukernel_##expsum_tile##__##isa; \
  config.name = #isa;

static void init_config(void) {
  SELECT(u4, u4, scalar)
#if defined(__x86_64__) || defined(_M_X64)
  if (pqnn_isa_enabled(pqnn_isa_avx512)) {
    SELECT(u64, u64, avx512skx)
  } else if (pqnn_isa_enabled(pqnn_isa_avx2)) {
    SELECT(u32, u16, avx2)
  } else if (pqnn_isa_enabled(pqnn_isa_sse2)) {
    SELECT(u16, u16, sse2)
  }
#elif defined(__aarch64__)
  if (pqnn_isa_enabled(pqnn_isa_neon)) {
    SELECT(u16, u16, neon)
  }
#elif defined(__wasm_simd128__)
  if (pqnn_isa_enabled(pqnn_isa_wasmsimd)) {
    SELECT(u16, u16, wasmsimd)
  }
#endif
}

const struct pqnn_softmax_config* pqnn_get_softmax_config(void) {
  pthread_once(&once, init_config);
  return &config;
}
