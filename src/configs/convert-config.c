/* Conversion kernel selection per ISA tier (f32/f16 -> qd8 row quantization, f32 <-> f16).
 * Every kernel of a column is bit-exact with the scalar one (test/microkernels/convert-test.cc),
 * so the choice is speed only: the widest vector the tier has. F16C comes with the avx2
 * tier (src/hardware.h), so the sse2 tier uses the SSE2 bit-manipulation f16 converters
 * and the scalar f16 -> qd8 kernel.
 * Measured with bench/convert-kernels (AMD EPYC, AVX2 host without AVX512, taskset -c 1,
 * CPU time, medians of 5, n = 4096, Gelem/s):
 *   f32->qd8: scalar 0.45, sse2 3.3, avx2 7.0      f16->qd8: scalar 0.23, avx2 6.9
 *   f32->f16: scalar 0.47, sse2 1.28, f16c 10.5    f16->f32: scalar 0.76, sse2 1.71, f16c 10.5
 * so each tier takes its widest kernel. The avx512skx kernels could not be run on that host
 * (selected as the natural one-zmm widening of the avx2 ones).
 * aarch64: the neon qd8 quantizers serve every Arm tier (f16 is widened with fcvtl, which
 * is baseline aarch64, so no fp16-arithmetic variant is needed: the qd8 math is f32).
 * aarch64 neon tier: FCVTN / FCVTL converters (baseline Armv8-A; bit-exact with scalar up to
 * NaN payloads, which the tests allow).
 * f32_qd8_range / f32_qd8_apply (the quantize kernel's two steps, for a long row such as a
 * convolution's whole image split in chunks across the pool's threads, convert-nc.c): the
 * tier's own (scalar on a scalar-only CPU: split over threads it is still faster than one
 * task). The neon and wasmsimd tiers have none yet: they set NULL, so their rows are not
 * split (the scalar steps over two threads would be slower than their one-task kernel).
 * f32_qd8_rows (many short rows per call, the per-row fixed cost shared: a fully connected
 * layer's input over the pixels; convert-nc.c has the measurements): avx512skx and avx2;
 * NULL elsewhere (one row per call). */
#include <pthread.h>

#include "configs/config.h"
#include "hardware.h"

static struct pqnn_convert_config config;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void init_config(void) {
  config = (struct pqnn_convert_config) {
    .f32_qd8 = pqnn_f32_qd8_quantize_ukernel__scalar,
    .f16_qd8 = pqnn_f16_qd8_quantize_ukernel__scalar,
    .f32_qd8_range = pqnn_f32_qd8_range_ukernel__scalar,
    .f32_qd8_apply = pqnn_f32_qd8_apply_ukernel__scalar,
    .f32_f16 = pqnn_f32_f16_convert_ukernel__scalar,
    .f16_f32 = pqnn_f16_f32_convert_ukernel__scalar,
  };
#if defined(__x86_64__) || defined(_M_X64)
  if (pqnn_isa_enabled(pqnn_isa_avx512)) {
    config.f32_qd8 = pqnn_f32_qd8_quantize_ukernel__avx512skx;
    config.f32_qd8_range = pqnn_f32_qd8_range_ukernel__avx512skx;
    config.f32_qd8_apply = pqnn_f32_qd8_apply_ukernel__avx512skx;
    config.f32_qd8_rows = pqnn_f32_qd8_rows_ukernel__avx512skx;
    config.f16_qd8 = pqnn_f16_qd8_quantize_ukernel__avx512skx;
    config.f32_f16 = pqnn_f32_f16_convert_ukernel__avx512skx;
    config.f16_f32 = pqnn_f16_f32_convert_ukernel__avx512skx;
  } else if (pqnn_isa_enabled(pqnn_isa_avx2)) {
    config.f32_qd8 = pqnn_f32_qd8_quantize_ukernel__avx2;
    config.f32_qd8_range = pqnn_f32_qd8_range_ukernel__avx2;
    config.f32_qd8_apply = pqnn_f32_qd8_apply_ukernel__avx2;
    config.f32_qd8_rows = pqnn_f32_qd8_rows_ukernel__avx2;
    config.f16_qd8 = pqnn_f16_qd8_quantize_ukernel__avx2;
    config.f32_f16 = pqnn_f32_f16_convert_ukernel__f16c;
    config.f16_f32 = pqnn_f16_f32_convert_ukernel__f16c;
  } else if (pqnn_isa_enabled(pqnn_isa_sse2)) {
    config.f32_qd8 = pqnn_f32_qd8_quantize_ukernel__sse2;
    config.f32_qd8_range = pqnn_f32_qd8_range_ukernel__sse2;
    config.f32_qd8_apply = pqnn_f32_qd8_apply_ukernel__sse2;
    config.f32_f16 = pqnn_f32_f16_convert_ukernel__sse2;
    config.f16_f32 = pqnn_f16_f32_convert_ukernel__sse2;
  }
#elif defined(__aarch64__)
  if (pqnn_isa_enabled(pqnn_isa_neon)) {
    config.f32_qd8 = pqnn_f32_qd8_quantize_ukernel__neon;
    config.f32_qd8_range = NULL;  /* no split rows: see above */
    config.f32_qd8_apply = NULL;
    config.f16_qd8 = pqnn_f16_qd8_quantize_ukernel__neon;
    config.f32_f16 = pqnn_f32_f16_convert_ukernel__neon;
    config.f16_f32 = pqnn_f16_f32_convert_ukernel__neon;
  }
#elif defined(__wasm_simd128__)
  if (pqnn_isa_enabled(pqnn_isa_wasmsimd)) {
    config.f32_qd8 = pqnn_f32_qd8_quantize_ukernel__wasmsimd;
    config.f32_qd8_range = NULL;  /* no split rows: see above */
    config.f32_qd8_apply = NULL;
    config.f16_qd8 = pqnn_f16_qd8_quantize_ukernel__wasmsimd;
    config.f32_f16 = pqnn_f32_f16_convert_ukernel__wasmsimd;
    config.f16_f32 = pqnn_f16_f32_convert_ukernel__wasmsimd;
  }
#endif
}

const struct pqnn_convert_config* pqnn_get_convert_config(void) {
  pthread_once(&once, init_config);
  return &config;
}
