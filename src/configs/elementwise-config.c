/* Elementwise kernel selection per ISA tier (f32-vunary, f32-vbinary, f32-vmuladd,
 * x32- / x16-vselect):
 * the widest vector the tier has. Every exact operator is bit-exact with the scalar kernel and the
 * transcendental ones share one bound (src/microkernels.h); gelu, erf and log give the
 * scalar kernel's bits on every tier. So the choice is speed only. Measured with
 * bench/kernels/elementwise-kernels (docs/benchmarks.md). */
#include <pthread.h>

#include "configs/config.h"
#include "hardware.h"

static struct pqnn_elementwise_config config;
static pthread_once_t once = PTHREAD_ONCE_INIT;

#define UNARY_SIMD(isa)                                                      \
  config.unary[pqnn_unary_relu] = pqnn_f32_vunary_ukernel_relu__##isa;         \
  config.unary[pqnn_unary_leaky_relu] = pqnn_f32_vunary_ukernel_lrelu__##isa;  \
  config.unary[pqnn_unary_sigmoid] = pqnn_f32_vunary_ukernel_sigmoid__##isa;   \
  config.unary[pqnn_unary_tanh] = pqnn_f32_vunary_ukernel_tanh__##isa;         \
  config.unary[pqnn_unary_hardsigmoid] = pqnn_f32_vunary_ukernel_hsigmoid__##isa; \
  config.unary[pqnn_unary_hardswish] = pqnn_f32_vunary_ukernel_hswish__##isa;  \
  config.unary[pqnn_unary_swish] = pqnn_f32_vunary_ukernel_swish__##isa;       \
  config.unary[pqnn_unary_exp] = pqnn_f32_vunary_ukernel_exp__##isa;           \
  config.unary[pqnn_unary_sqrt] = pqnn_f32_vunary_ukernel_sqrt__##isa;         \
  config.unary[pqnn_unary_square] = pqnn_f32_vunary_ukernel_sqr__##isa;        \
  config.unary[pqnn_unary_abs] = pqnn_f32_vunary_ukernel_abs__##isa;           \
  config.unary[pqnn_unary_negate] = pqnn_f32_vunary_ukernel_neg__##isa;        \
  config.unary[pqnn_unary_log] = pqnn_f32_vunary_ukernel_log__##isa;           \
  config.unary[pqnn_unary_erf] = pqnn_f32_vunary_ukernel_erf__##isa;           \
  config.unary[pqnn_unary_floor] = pqnn_f32_vunary_ukernel_floor__##isa;       \
  config.unary[pqnn_unary_ceil] = pqnn_f32_vunary_ukernel_ceil__##isa;         \
  config.unary[pqnn_unary_round] = pqnn_f32_vunary_ukernel_round__##isa;       \
  config.gelu = pqnn_f32_vunary_ukernel_gelu__##isa;                           \
  config.clamp = pqnn_f32_vunary_ukernel_clamp__##isa;

#define BINARY_FORM(field, prefix, suffix, isa)                                          \
  config.field[pqnn_binary_add] = pqnn_f32_vbinary_minmax_ukernel_##prefix##add##suffix##__##isa; \
  config.field[pqnn_binary_subtract] = pqnn_f32_vbinary_minmax_ukernel_##prefix##sub##suffix##__##isa; \
  config.field[pqnn_binary_multiply] = pqnn_f32_vbinary_minmax_ukernel_##prefix##mul##suffix##__##isa; \
  config.field[pqnn_binary_divide] = pqnn_f32_vbinary_minmax_ukernel_##prefix##div##suffix##__##isa; \
  config.field[pqnn_binary_maximum] = pqnn_f32_vbinary_minmax_ukernel_##prefix##max##suffix##__##isa; \
  config.field[pqnn_binary_minimum] = pqnn_f32_vbinary_minmax_ukernel_##prefix##min##suffix##__##isa; \
  config.field[pqnn_binary_prelu] = pqnn_f32_vbinary_minmax_ukernel_##prefix##prelu##suffix##__##isa; \
  config.field[pqnn_binary_equal] = pqnn_f32_vbinary_minmax_ukernel_##prefix##eq##suffix##__##isa; \
  config.field[pqnn_binary_not_equal] = pqnn_f32_vbinary_minmax_ukernel_##prefix##ne##suffix##__##isa; \
  config.field[pqnn_binary_greater] = pqnn_f32_vbinary_minmax_ukernel_##prefix##gt##suffix##__##isa; \
  config.field[pqnn_binary_greater_equal] = pqnn_f32_vbinary_minmax_ukernel_##prefix##ge##suffix##__##isa; \
  config.field[pqnn_binary_less] = pqnn_f32_vbinary_minmax_ukernel_##prefix##lt##suffix##__##isa; \
  config.field[pqnn_binary_less_equal] = pqnn_f32_vbinary_minmax_ukernel_##prefix##le##suffix##__##isa;

#define BINARY(isa)                 \
  BINARY_FORM(vv, , , isa)          \
  BINARY_FORM(vc, , c, isa)         \
  BINARY_FORM(rvc, r, c, isa)

static void init_config(void) {
  UNARY_SIMD(scalar)
  BINARY(scalar)
  config.muladd = pqnn_f32_vmuladd_minmax_ukernel_u1__scalar;
  config.select_x32 = pqnn_x32_vselect_ukernel_u1__scalar;
  config.select_x16 = pqnn_x16_vselect_ukernel_u1__scalar;
  config.name = "scalar";
#if defined(__x86_64__) || defined(_M_X64)
  if (pqnn_isa_enabled(pqnn_isa_avx512)) {
    UNARY_SIMD(avx512skx)
    BINARY(avx512skx)
    config.muladd = pqnn_f32_vmuladd_minmax_ukernel_u16__avx512skx;
    config.select_x32 = pqnn_x32_vselect_ukernel_u16__avx512skx;
    config.select_x16 = pqnn_x16_vselect_ukernel_u32__avx512skx;
    config.name = "avx512skx";
  } else if (pqnn_isa_enabled(pqnn_isa_avx2)) {
    UNARY_SIMD(avx2)
    BINARY(avx2)
    config.muladd = pqnn_f32_vmuladd_minmax_ukernel_u8__avx2;
    config.select_x32 = pqnn_x32_vselect_ukernel_u8__avx2;
    config.select_x16 = pqnn_x16_vselect_ukernel_u16__avx2;
    config.name = "avx2";
  } else if (pqnn_isa_enabled(pqnn_isa_sse2)) {
    UNARY_SIMD(sse2)
    BINARY(sse2)
    config.muladd = pqnn_f32_vmuladd_minmax_ukernel_u4__sse2;
    config.select_x32 = pqnn_x32_vselect_ukernel_u4__sse2;
    config.select_x16 = pqnn_x16_vselect_ukernel_u8__sse2;
    config.name = "sse2";
  }
#elif defined(__aarch64__)
  if (pqnn_isa_enabled(pqnn_isa_neon)) {
    UNARY_SIMD(neon)
    BINARY(neon)
    config.muladd = pqnn_f32_vmuladd_minmax_ukernel_u4__neon;
    config.select_x32 = pqnn_x32_vselect_ukernel_u4__neon;
    config.select_x16 = pqnn_x16_vselect_ukernel_u8__neon;
    config.name = "neon";
  }
#elif defined(__wasm_simd128__)
  if (pqnn_isa_enabled(pqnn_isa_wasmsimd)) {
    UNARY_SIMD(wasmsimd)
    BINARY(wasmsimd)
    config.muladd = pqnn_f32_vmuladd_minmax_ukernel_u4__wasmsimd;
    config.select_x32 = pqnn_x32_vselect_ukernel_u4__wasmsimd;
    config.select_x16 = pqnn_x16_vselect_ukernel_u8__wasmsimd;
    config.name = "wasmsimd";
  }
#endif
}

const struct pqnn_elementwise_config* pqnn_get_elementwise_config(void) {
  pthread_once(&once, init_config);
  return &config;
}
