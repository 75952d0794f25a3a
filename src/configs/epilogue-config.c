/* The one-pass output epilogue kernels (f32-vunary-affine, issue 14) and the kernel pairs
 * each reproduces: the affine's 1x1 DWCONV kernel (the one pqnn_dwconv_config_select
 * gives a 1-tap depthwise operator on the tier: 1p32c avx512f, 1p16c avx2_fma, anyp8c
 * sse2 / neonfma / wasmsimd, anyp2c scalar) and the tier's f32-vunary kernel of the
 * activation (src/configs/elementwise-config.c). The epilogue (src/operators/epilogue.c)
 * binds a fused kernel only when both of its kernels are the ones bound, so whatever
 * tiers the two configs chose, a fused epilogue gives the two-pass bits; any other pair
 * (another activation, f16, a kernel of another tier) keeps the two passes.
 * The depthwise row kernels with the epilogue in their registers (f32-dwconv-row-epi, the
 * second table) are paired the same way: with the row kernel they replace, the affine's
 * 1x1 DWCONV kernel and tile and the activation's f32-vunary kernel of the tier.
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

#if defined(__x86_64__) || defined(_M_X64)
#define ROW(TILE, ISA) pqnn_f32_dwconv_row_minmax_ukernel_##TILE##__##ISA
#define EPI(TILE, E, ISA) pqnn_f32_dwconv_row_epi_ukernel_##TILE##_##E##__##ISA
#define ROW_EPI(TILE, ISA, AFFINE, ACT_ISA)                                                \
  {ROW(TILE, ISA), DW(AFFINE), DW(AFFINE##_channel_tile), NULL, EPI(TILE, affine, ISA)},  \
  {ROW(TILE, ISA), DW(AFFINE), DW(AFFINE##_channel_tile),                                 \
   pqnn_f32_vunary_ukernel_clamp__##ACT_ISA, EPI(TILE, clamp_affine, ISA)},               \
  {ROW(TILE, ISA), DW(AFFINE), DW(AFFINE##_channel_tile),                                 \
   pqnn_f32_vunary_ukernel_hswish__##ACT_ISA, EPI(TILE, hswish_affine, ISA)},             \
  {ROW(TILE, ISA), NULL, 0, pqnn_f32_vunary_ukernel_hswish__##ACT_ISA, EPI(TILE, hswish, ISA)}

/* 3x3 only: 5x5 ones (scripts/kernels/f32_dwconv_row.py makes them) measured slower than
 * the row kernel + one-pass epilogue on most det / rec 5x5 shapes, and at best at parity
 * with their bounds as memory operands (docs/benchmarks.md). */
static const struct pqnn_dwconv_row_epilogue_kernel kRowKernels[] = {
  ROW_EPI(9p16c, avx2_fma, 1p16c__avx2_fma, avx2),
  ROW_EPI(9p32c, avx512f, 1p32c__avx512f, avx512skx),
};

const struct pqnn_dwconv_row_epilogue_kernel* pqnn_dwconv_row_epilogue_kernels(size_t* count) {
  *count = sizeof(kRowKernels) / sizeof(kRowKernels[0]);
  return kRowKernels;
}

pqnn_dwconv_row_epi_ukernel_fn pqnn_dwconv_row_epilogue_kernel(pqnn_dwconv_row_ukernel_fn row,
    pqnn_dwconv_ukernel_fn affine, size_t affine_tile, pqnn_vunary_ukernel_fn activation) {
  if (row == NULL || (affine == NULL && activation == NULL)) return NULL;
  for (size_t i = 0; i < sizeof(kRowKernels) / sizeof(kRowKernels[0]); i++) {
    const struct pqnn_dwconv_row_epilogue_kernel* k = &kRowKernels[i];
    if (k->row == row && k->affine == affine && k->tile == (affine != NULL ? affine_tile : 0) &&
        k->activation == activation) {
      return k->fused;
    }
  }
  return NULL;
}
#else  /* no row kernels on this architecture */
const struct pqnn_dwconv_row_epilogue_kernel* pqnn_dwconv_row_epilogue_kernels(size_t* count) {
  *count = 0;
  return NULL;
}

pqnn_dwconv_row_epi_ukernel_fn pqnn_dwconv_row_epilogue_kernel(pqnn_dwconv_row_ukernel_fn row,
    pqnn_dwconv_ukernel_fn affine, size_t affine_tile, pqnn_vunary_ukernel_fn activation) {
  (void) row;
  (void) affine;
  (void) affine_tile;
  (void) activation;
  return NULL;
}
#endif

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
