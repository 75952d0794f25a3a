/* qd8 x 4-bit weight GEMM kernel selection per ISA tier (qc4w and qb4w share the kernels
 * and the packed layout, src/microkernels.h "qb4w"), f32 and f16 output:
 * avx512vnni 4x32c8 + 1x32c8 (vpdpbusd on nibbles unpacked in registers); avxvnni 4x8c8 +
 * 1x8c8 (the same on ymm with the VEX vpdpbusd); avx512skx 4x32c8 + 1x32c8 (vpshufb table,
 * zmm vpmaddubsw); avx2 3x8c8 + 1x8c8 (the same on ymm); sse2 3x4c8 + 1x4c8 (nibbles to
 * int16, pmaddwd); neondot 4x8c8 + 1x8c8 (sdot on the nibbles times 16); neon 3x8c8 + 1x8c8
 * (vmull_s8 / vpadalq_s16); wasmsimd 3x4c8 + 1x4c8 (i32x4.dot_i16x8_s); scalar 4x4c8 + 1x4c8.
 * NR 32 (not 64 as qc8w) on zmm: an MR-row tile keeps MR x NR/16 int32 block accumulators
 * and as many f32 accumulators, 16 of each at 4x32, within the 32 zmm. Measured against the
 * kernels they replaced (decode bench, qb4w block 32, weight GB/s; docs/qd8-4bit.md):
 * avx512skx / avx2 1.10x at batch 1, 1.87x at batch 8, 1.53x at batch 64; sse2 / scalar
 * 11.5x at batch 1.
 * Batch-1 decode speed: docs/qd8-4bit.md. */
#include <pthread.h>

#include "configs/config.h"
#include "hardware.h"

static struct pqnn_gemm_config f32_config, f16_config;
static pthread_once_t f32_once = PTHREAD_ONCE_INIT, f16_once = PTHREAD_ONCE_INIT;

#define QB4W_KERNEL(DT, TILE, ISA) pqnn_qd8_##DT##_qb4w_gemm_minmax_ukernel_##TILE##__##ISA
#define QB4W_CONFIG(DT, TILE1, TILE, ISA)                                              \
  (struct pqnn_gemm_config) {                                                          \
    .name = "qd8_" #DT "_qb4w " #TILE " " #ISA, .mr = QB4W_KERNEL(DT, TILE, ISA##_mr), \
    .nr = QB4W_KERNEL(DT, TILE, ISA##_nr), .kr = QB4W_KERNEL(DT, TILE, ISA##_kr),      \
    .input_offset = QB4W_KERNEL(DT, TILE, ISA##_input_offset),                         \
    .dqgemm = {QB4W_KERNEL(DT, TILE1, ISA), QB4W_KERNEL(DT, TILE, ISA)},               \
  }

static void init_f32_config(void) {
#if defined(__x86_64__) || defined(_M_X64)
  if (pqnn_isa_enabled(pqnn_isa_avx512vnni)) {
    f32_config = QB4W_CONFIG(f32, 1x32c8, 4x32c8, avx512vnni);
  } else if (pqnn_isa_enabled(pqnn_isa_avxvnni)) {
    f32_config = QB4W_CONFIG(f32, 1x8c8, 4x8c8, avxvnni);
  } else if (pqnn_isa_enabled(pqnn_isa_avx512)) {
    f32_config = QB4W_CONFIG(f32, 1x32c8, 4x32c8, avx512skx);
  } else if (pqnn_isa_enabled(pqnn_isa_avx2)) {
    f32_config = QB4W_CONFIG(f32, 1x8c8, 3x8c8, avx2);
  } else if (pqnn_isa_enabled(pqnn_isa_sse2)) {
    f32_config = QB4W_CONFIG(f32, 1x4c8, 3x4c8, sse2);
  } else
#elif defined(__aarch64__)
  if (pqnn_isa_enabled(pqnn_isa_neondot)) {
    f32_config = QB4W_CONFIG(f32, 1x8c8, 4x8c8, neondot);
  } else if (pqnn_isa_enabled(pqnn_isa_neon)) {
    f32_config = QB4W_CONFIG(f32, 1x8c8, 3x8c8, neon);
  } else
#elif defined(__wasm_simd128__)
  if (pqnn_isa_enabled(pqnn_isa_wasmsimd)) {
    f32_config = QB4W_CONFIG(f32, 1x4c8, 3x4c8, wasmsimd);
  } else
#endif
  {
    f32_config = QB4W_CONFIG(f32, 1x4c8, 4x4c8, scalar);
  }
}

static void init_f16_config(void) {
#if defined(__x86_64__) || defined(_M_X64)
  if (pqnn_isa_enabled(pqnn_isa_avx512vnni)) {
    f16_config = QB4W_CONFIG(f16, 1x32c8, 4x32c8, avx512vnni);
  } else if (pqnn_isa_enabled(pqnn_isa_avxvnni)) {
    f16_config = QB4W_CONFIG(f16, 1x8c8, 4x8c8, avxvnni);
  } else if (pqnn_isa_enabled(pqnn_isa_avx512)) {
    f16_config = QB4W_CONFIG(f16, 1x32c8, 4x32c8, avx512skx);
  } else if (pqnn_isa_enabled(pqnn_isa_avx2)) {
    f16_config = QB4W_CONFIG(f16, 1x8c8, 3x8c8, avx2);
  } else if (pqnn_isa_enabled(pqnn_isa_sse2)) {
    f16_config = QB4W_CONFIG(f16, 1x4c8, 3x4c8, sse2);
  } else
#elif defined(__aarch64__)
  if (pqnn_isa_enabled(pqnn_isa_neondot)) {
    f16_config = QB4W_CONFIG(f16, 1x8c8, 4x8c8, neondot);
  } else if (pqnn_isa_enabled(pqnn_isa_neon)) {
    f16_config = QB4W_CONFIG(f16, 1x8c8, 3x8c8, neon);
  } else
#elif defined(__wasm_simd128__)
  if (pqnn_isa_enabled(pqnn_isa_wasmsimd)) {
    f16_config = QB4W_CONFIG(f16, 1x4c8, 3x4c8, wasmsimd);
  } else
#endif
  {
    f16_config = QB4W_CONFIG(f16, 1x4c8, 4x4c8, scalar);
  }
}

const struct pqnn_gemm_config* pqnn_get_qd8_f32_qb4w_gemm_config(void) {
  pthread_once(&f32_once, init_f32_config);
  return &f32_config;
}

const struct pqnn_gemm_config* pqnn_get_qd8_f16_qb4w_gemm_config(void) {
  pthread_once(&f16_once, init_f16_config);
  return &f16_config;
}
