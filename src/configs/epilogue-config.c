/* The one-pass output epilogue kernels (f32-vunary-affine, issue 14) and the kernel pairs
 * each reproduces: the affine's 1x1 DWCONV kernel (the one pqnn_dwconv_config_select
 * gives a 1-tap depthwise operator on the tier: 1p32c avx512f, 1p16c avx2_fma, anyp8c
 * sse2 / neonfma / wasmsimd, anyp2c scalar) and the tier's f32-vunary kernel of the
 * activation (src/configs/elementwise-config.c). The epilogue (src/operators/epilogue.c)
 * binds a fused kernel only when both of its kernels are the ones bound, so whatever
 * tiers the two configs chose, a fused epilogue gives the two-pass bits; any other pair
 * (another activation, f16, a kernel of another tier) keeps the two passes.
 * Measurements: docs/benchmarks.md, "Output epilogue". */
#include "configs/config.h"

#define DW(AFFINE) pqnn_f32_dwconv_minmax_ukernel_##AFFINE
#define PAIR(AFFINE, ACT, ISA, OP)                                                         \
  {DW(AFFINE), DW(AFFINE##_channel_tile), ACT, pqnn_f32_vunary_affine_ukernel_##OP##__##ISA}
#define ROWS(AFFINE, ACT_ISA, ISA)                                                         \
  PAIR(AFFINE, NULL, ISA, identity),                                                       \
  PAIR(AFFINE, pqnn_f32_vunary_ukernel_relu__##ACT_ISA, ISA, relu),                        \
  PAIR(AFFINE, pqnn_f32_vunary_ukernel_clamp__##ACT_ISA, ISA, clamp),                      \
  PAIR(AFFINE, pqnn_f32_vunary_ukernel_hswish__##ACT_ISA, ISA, hswish),                    \
  PAIR(AFFINE, pqnn_f32_vunary_ukernel_sigmoid__##ACT_ISA, ISA, sigmoid)

static const struct pqnn_epilogue_kernel kKernels[] = {
  ROWS(anyp2c__scalar, scalar, scalar),
#if defined(__x86_64__) || defined(_M_X64)
  ROWS(anyp8c__sse2, sse2, sse2),
  ROWS(1p16c__avx2_fma, avx2, avx2_fma),
  ROWS(1p32c__avx512f, avx512skx, avx512f),
#elif defined(__aarch64__)
  ROWS(anyp8c__neonfma, neon, neonfma),
#elif defined(__wasm_simd128__)
  ROWS(anyp8c__wasmsimd, wasmsimd, wasmsimd),
#endif
};

const struct pqnn_epilogue_kernel* pqnn_epilogue_kernels(size_t* count) {
  *count = sizeof(kKernels) / sizeof(kKernels[0]);
  return kKernels;
}

pqnn_vunary_affine_ukernel_fn pqnn_epilogue_fused_kernel(pqnn_dwconv_ukernel_fn affine,
    size_t affine_tile, pqnn_vunary_ukernel_fn activation) {
  for (size_t i = 0; i < sizeof(kKernels) / sizeof(kKernels[0]); i++) {
    const struct pqnn_epilogue_kernel* k = &kKernels[i];
    if (k->affine == affine && k->tile == affine_tile && k->activation == activation) {
      return k->fused;
    }
  }
  return NULL;
}
