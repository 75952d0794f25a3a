/* Per-family kernel configurations: the kernels and tiles chosen for the ISA tier that
 * src/hardware.c selected. Only this layer names ISAs; operators take what it gives.
 * Each getter returns NULL when no kernel of the family can serve (never for a family
 * with a scalar kernel). Getters are thread-safe and compute the config once. */
#ifndef PQNN_CONFIG_H_
#define PQNN_CONFIG_H_

#include <stdint.h>

#include "common.h"
#include "microkernels.h"

struct pqnn_gemm_config {
  const char* name;     /* e.g. "f32 6x16 avx2_fma", for logs and benches */
  uint32_t mr, nr, kr;
  /* Activation offset the kernels add (128 for u8 x s8 VNNI kernels), folded into the
   * packed per-channel terms at pack time. */
  int32_t input_offset;
  /* [0]: an mr = 1 kernel for single-row (batch 1) GEMMs, or NULL; [1]: the MR kernel. */
  pqnn_gemm_ukernel_fn gemm[2];
  pqnn_igemm_ukernel_fn igemm[2];
  pqnn_dqgemm_ukernel_fn dqgemm[2];
  pqnn_dqigemm_ukernel_fn dqigemm[2];
  /* Kernels of another NR, in practice a narrower one (f32 avx2 has the wider 4x24 beside
   * 6x16, for N = 18, 24, 72, ...), of the same ISA and KR-compatible input_offset, or
   * NULL; its mr = 1 slots may be NULL (the paths then run single rows on the MR kernels).
   * The PATCH
   * convolution path (few input channels) takes its igemm / dqigemm when the layer's N is
   * narrow enough that the main tile would compute mostly padding columns
   * (pqnn_patch_config in src/operators/patch-path.c); 1x1 convolutions take its gemm
   * kernels on the GEMM path (qs8 avx512vnni) or its igemm / dqigemm ones on the IGEMM
   * path (qd8 avx512vnni) where they are set and N needs at most half the main tile's
   * padded columns (qd8 on the IGEMM path: fewer padded columns; pqnn_narrow_gemm_config in
   * src/operators/gemm-path.c); so do fully connected operators (the runtime's 1x1
   * convolutions), IGEMM convolutions and the deconvolution's GEMMs. */
  const struct pqnn_gemm_config* narrow;
  /* Whether the narrow tile is taken wherever it pads at least 10% fewer columns than the
   * main one (N % NR in 1 .. NR / 2, N up to 160: f32 avx512f 7x16 against 7x32, measured
   * there), not only where it pads at most half as many. */
  bool narrow_fewer_columns;
  /* The column tail (pqnn_gemm_tail_config in src/operators/gemm-tail.c), or NULL: a GEMM /
   * IGEMM that keeps this tile runs its last N % NR columns, where they pad fewer columns at
   * the narrower NR, on column_tail[0] (MR kernels of this config's MR, an mr = 1 kernel
   * where this config has one) and, in tiles of other_mr's MR, on column_tail[1] (same NR
   * and KR). f32 avx512f: 7x16 and 8x16 under 7x32 / 8x32 (8x16 only there: as the narrow
   * tile of whole layers of 8-row M it ran 5-18% slower than 7x16; f32-gemm-config.c). */
  const struct pqnn_gemm_config* column_tail[2];
  /* Kernels of another MR with the same NR, KR and packed weights (gemm and igemm of every
   * datatype the main kernels have), or NULL: the GEMM and IGEMM paths run them when they
   * compute fewer padded rows for the layer's M (pqnn_rows_gemm_config in
   * src/operators/gemm-path.c). */
  const struct pqnn_gemm_config* other_mr;
  /* GEMM kernels of a taller MR with the same NR, KR and packed weights, or NULL: the GEMM
   * path (fully connected, 1x1 convolutions) runs them for M of at least 4 x its MR where
   * they pad at most 1/16 more rows (pqnn_tall_gemm_config in src/operators/gemm-path.c):
   * each weight panel read from L2 serves more rows. int8 avx512vnni on Intel: 6x64c4 under
   * 4x64c4 (src/configs/qs8-gemm-config.c has the measurements). */
  const struct pqnn_gemm_config* tall;
  /* qd8 configs: true where dynamic quantization runs convolutions as qd8 whatever their
   * reduction (narrow 1x1 layers; not stems): their input is quantized once per image and
   * this tier's int8 kernels beat f32 there (src/runtime/runtime-passes.c). */
  bool drq_small_convs;
};

#define PQNN_MAX_DWCONV_KERNELS 4
struct pqnn_dwconv_kernel {
  pqnn_dwconv_ukernel_fn ukernel;
  uint32_t channel_tile;
  uint32_t taps;        /* 0: any kernel_size (the generic kernel) */
  const char* name;
};
struct pqnn_dwconv_config {
  /* Specialized tap counts first, the generic kernel (taps == 0) last. */
  struct pqnn_dwconv_kernel kernels[PQNN_MAX_DWCONV_KERNELS];
  uint32_t count;
  /* rows[i]: the row kernel of kernels[i]'s tile and arithmetic (f32 1x1 / 3x3 / 5x5:
   * src/microkernels.h, DWCONV row), or NULL: the DWCONV path then runs every pixel
   * through kernels[i]. */
  pqnn_dwconv_row_ukernel_fn rows[PQNN_MAX_DWCONV_KERNELS];
  /* The row kernels take no border pixels (struct pqnn_dwconv_row_edges stays zero: the
   * int8 row kernels, whose taps outside the row would have to read the zero point). */
  bool rows_without_edges;
  /* int8: taps packed per lane group (0: the family's default layout, tap by tap for qs8,
   * int16 pairs for qd8; 4: int8 tap quads for vpdpbusd, taps rounded up to 4) and the
   * input offset the kernels add (128 with quads). */
  uint32_t tap_group;
  int32_t input_offset;
  /* qd8 only: DRQ may take stride-1 depthwise layers on this tier (its kernels, with the
   * convert DRQ puts in front, beat the f32 per-pixel dwconv kernels: depthwise_runs_qd8,
   * src/runtime/runtime-passes.c; src/configs/qd8-dwconv-config.c says where and why). */
  bool drq_depthwise;
};

/* The best dwconv kernel for kernel_size taps (a specialized one if any, else the generic). */
static inline const struct pqnn_dwconv_kernel* pqnn_dwconv_config_select(
    const struct pqnn_dwconv_config* config, size_t kernel_size) {
  const struct pqnn_dwconv_kernel* generic = NULL;
  for (uint32_t i = 0; i < config->count; i++) {
    if (config->kernels[i].taps == kernel_size) return &config->kernels[i];
    if (config->kernels[i].taps == 0 && generic == NULL) generic = &config->kernels[i];
  }
  return generic;
}

/* The row kernel paired with `kernel` (an element of config->kernels), or NULL. */
static inline pqnn_dwconv_row_ukernel_fn pqnn_dwconv_config_row(
    const struct pqnn_dwconv_config* config, const struct pqnn_dwconv_kernel* kernel) {
  return config->rows[kernel - config->kernels];
}

/* 4 KiB aliasing of the f32 depthwise row kernels. A row kernel walks one channel vector
 * along an output row: per pixel it loads the taps, then stores the output, pixel strides
 * apart. Every load address is input + a multiple of the input pixel bytes, every store
 * output + a multiple of the output pixel bytes; where both are multiples of g >= 1 KiB
 * (256, 512, 1024 f32 channels) and output - input is within a vector of 0 modulo g, the
 * loads of the next pixels share their low 12 address bits with stores still in flight,
 * the core's memory-dependence prediction makes them wait for those stores, and the walk
 * runs at its FMA chain's latency. Zen 5, AVX512, bench/f32-depthwise (4 KiB-aligned
 * input, output at input + d modulo 4 KiB), us of CPU time, row / per-pixel kernel:
 *   256 ch 28x28 s1:  d = 0, 1024, 2048, 3072: 89-116 / 80-86;  d = 64 .. 512: 49-51
 *   512 ch 14x14 s1:  d = 0, 2048: 73-82 / 51-53;  d = 64: 53;  d = 128 .. 1024, 3072: 44
 *   1024 ch 7x7 s1:   d = 0, 64: 41 / 33-37;  d >= 128: 28-30
 *   256 ch 28x28 s2:  d = 0, 1024, 2048: 30-35 / 21;  d = 128 .. 512: 20-21 / 21
 *   512 ch 14x14 s2:  d = 0, 2048: 22-23 / 14;  d = 128 .. 1024: 15-16 / 14-15
 *   128 ch (g = 512, not held aliased) s1: d = 0: 166 / 174, its worst; d = 64 .. 256:
 *   87-92 / 176-182.
 * The DWCONV path (src/operators/dwconv-path.c) checks the bound pointers at every run
 * and falls back to the per-pixel kernel where this holds; the runtime's arena
 * (src/runtime/runtime-arena.c) places a depthwise layer's output PQNN_DWCONV_SKEW bytes
 * off its input modulo 512, where it never holds. */
enum { PQNN_DWCONV_ALIAS_BAND = 128, PQNN_DWCONV_SKEW = 256 };

/* |(a - b) mod granule| as a distance from 0 (granule a power of two). */
static inline size_t pqnn_mod_distance(uintptr_t a, uintptr_t b, size_t granule) {
  const size_t d = (size_t) (a - b) & (granule - 1);
  return d < granule - d ? d : granule - d;
}

/* Whether pqnn_dwconv_row_aliases can hold for some pointers: both pixel steps a multiple
 * of 1 KiB. */
static inline bool pqnn_dwconv_row_may_alias(size_t input_pixel_bytes,
    size_t output_pixel_bytes) {
  return input_pixel_bytes % 1024 == 0 && output_pixel_bytes % 1024 == 0;
}

static inline bool pqnn_dwconv_row_aliases(const void* input, const void* output,
    size_t input_pixel_bytes, size_t output_pixel_bytes) {
  if (!pqnn_dwconv_row_may_alias(input_pixel_bytes, output_pixel_bytes)) return false;
  size_t g = 4096;  /* the largest of 4096, 2048, 1024 dividing both steps */
  while (input_pixel_bytes % g != 0 || output_pixel_bytes % g != 0) g /= 2;
  return pqnn_mod_distance((uintptr_t) output, (uintptr_t) input, g) < PQNN_DWCONV_ALIAS_BAND;
}

/* The DRQ planner's depthwise decision (src/runtime/runtime-passes.c): whether the f32 row
 * kernels surely take a layer whose input advances input_step bytes per output pixel.
 * Where the step is a multiple of 1 KiB they run only when the buffers do not alias
 * (above), which the planner does not know, and qd8 beat even the row kernel there
 * (14x14x512: qd8 33 us against f32 row 44, per-pixel 53). */
static inline bool pqnn_dwconv_row_step_fits(size_t input_step) {
  return input_step % 1024 != 0;
}

PQNN_INTERNAL const struct pqnn_gemm_config* pqnn_get_f32_gemm_config(void);
PQNN_INTERNAL const struct pqnn_dwconv_config* pqnn_get_f32_dwconv_config(void);
PQNN_INTERNAL const struct pqnn_gemm_config* pqnn_get_f16_gemm_config(void);
PQNN_INTERNAL const struct pqnn_dwconv_config* pqnn_get_f16_dwconv_config(void);
/* qs8 and qs8_qc8w share kernels: per-tensor scales are packed per channel. */
PQNN_INTERNAL const struct pqnn_gemm_config* pqnn_get_qs8_qc8w_gemm_config(void);
PQNN_INTERNAL const struct pqnn_dwconv_config* pqnn_get_qs8_qc8w_dwconv_config(void);
/* qd8 activations x qc8w weights, f32 output (dqgemm / dqigemm) and f16 output. */
PQNN_INTERNAL const struct pqnn_gemm_config* pqnn_get_qd8_f32_qc8w_gemm_config(void);
PQNN_INTERNAL const struct pqnn_gemm_config* pqnn_get_qd8_f16_qc8w_gemm_config(void);
PQNN_INTERNAL const struct pqnn_dwconv_config* pqnn_get_qd8_f32_qc8w_dwconv_config(void);
/* qd8 activations x 4-bit weights (qc4w and qb4w share them): dqgemm only (FC). */
PQNN_INTERNAL const struct pqnn_gemm_config* pqnn_get_qd8_f32_qb4w_gemm_config(void);
PQNN_INTERNAL const struct pqnn_gemm_config* pqnn_get_qd8_f16_qb4w_gemm_config(void);

/* Whether the selected tier runs f16 inference faster than f32 (it has f16 arithmetic):
 * what PQNN_FLAG_FP16_INFERENCE follows (fp16-inference-config.c). */
PQNN_INTERNAL bool pqnn_fp16_inference_is_faster(void);

/* Elementwise and row conversions. */
struct pqnn_convert_config {
  pqnn_qd8_quantize_ukernel_fn f32_qd8;
  pqnn_qd8_quantize_ukernel_fn f16_qd8;
  /* f32_qd8 in two steps, for rows split in chunks across threads (NULL: rows are not
   * split on this tier). */
  pqnn_qd8_range_ukernel_fn f32_qd8_range;
  pqnn_qd8_apply_ukernel_fn f32_qd8_apply;
  /* f32_qd8 for many rows at once (NULL: one row per call on this tier). */
  pqnn_qd8_rows_ukernel_fn f32_qd8_rows;
  pqnn_convert_ukernel_fn f32_f16;
  pqnn_convert_ukernel_fn f16_f32;
};
PQNN_INTERNAL const struct pqnn_convert_config* pqnn_get_convert_config(void);

/* qs8 elementwise add (same shape, broadcast scalar) and global average pooling: the int8
 * nodes of whole qs8 graphs. */
struct pqnn_qs8_elementwise_config {
  pqnn_vadd_ukernel_fn vadd;
  pqnn_vadd_ukernel_fn vaddc;
  pqnn_gavgpool_ukernel_fn gavgpool;
  const char* isa;  /* for benches and logs */
};
PQNN_INTERNAL const struct pqnn_qs8_elementwise_config* pqnn_get_qs8_elementwise_config(void);

/* f32 elementwise kernels (f32-vunary, f32-vbinary), indexed by pqnn_unary_operator /
 * pqnn_binary_operator (entry 0, invalid, is NULL). vv: y = a OP b; vc: y = a OP b[0];
 * rvc: y = b[0] OP a. Never NULL otherwise (scalar kernels serve every tier). */
#define PQNN_UNARY_OPERATOR_COUNT (pqnn_unary_round + 1)
#define PQNN_BINARY_OPERATOR_COUNT (pqnn_binary_less_equal + 1)
struct pqnn_elementwise_config {
  const char* name;  /* the ISA suffix of the kernels, for benches and logs */
  pqnn_vunary_ukernel_fn unary[PQNN_UNARY_OPERATOR_COUNT];
  pqnn_vunary_ukernel_fn clamp;  /* y = clamp(x, min, max) */
  pqnn_vunary_ukernel_fn gelu;   /* the gelu node (pqnn_define_gelu; params unused) */
  pqnn_vbinary_ukernel_fn vv[PQNN_BINARY_OPERATOR_COUNT];
  pqnn_vbinary_ukernel_fn vc[PQNN_BINARY_OPERATOR_COUNT];
  pqnn_vbinary_ukernel_fn rvc[PQNN_BINARY_OPERATOR_COUNT];
  pqnn_vmuladd_ukernel_fn muladd;      /* vv multiply then adds, one pass (f32-vmuladd) */
  pqnn_vselect_ukernel_fn select_x32;  /* the select node, f32 (x32-vselect) */
  pqnn_vselect_ukernel_fn select_x16;  /* the select node, f16 (x16-vselect) */
};
PQNN_INTERNAL const struct pqnn_elementwise_config* pqnn_get_elementwise_config(void);

/* The one-pass output epilogue (src/configs/epilogue-config.c): `fused` gives the bits of
 * `activation` (an f32-vunary kernel; NULL: none) then the 1x1 depthwise kernel `affine`
 * (its weights packed in tiles of `tile` channels). */
struct pqnn_epilogue_kernel {
  pqnn_dwconv_ukernel_fn affine;
  size_t tile;
  pqnn_vunary_ukernel_fn activation;
  pqnn_vunary_affine_ukernel_fn fused;
};
/* Every row of this architecture (tests walk them). */
PQNN_INTERNAL const struct pqnn_epilogue_kernel* pqnn_epilogue_kernels(size_t* count);
/* The fused kernel of (affine, its channel tile, activation), or NULL: none reproduces
 * that pair. */
PQNN_INTERNAL pqnn_vunary_affine_ukernel_fn pqnn_epilogue_fused_kernel(
    pqnn_dwconv_ukernel_fn affine,
    size_t affine_tile, pqnn_vunary_ukernel_fn activation);
/* The depthwise row kernels with the epilogue in registers (f32-dwconv-row-epi): the row
 * kernel each replaces and the epilogue kernels whose bits it reproduces (the 1x1 DWCONV
 * kernel of the affine with its channel tile, or NULL and 0 without an affine; the
 * f32-vunary kernel of the activation, or NULL without one). */
struct pqnn_dwconv_row_epilogue_kernel {
  pqnn_dwconv_row_ukernel_fn row;
  pqnn_dwconv_ukernel_fn affine;
  size_t tile;
  pqnn_vunary_ukernel_fn activation;
  pqnn_dwconv_row_epi_ukernel_fn fused;
};
/* Every row of this architecture (tests walk them). */
PQNN_INTERNAL const struct pqnn_dwconv_row_epilogue_kernel* pqnn_dwconv_row_epilogue_kernels(
    size_t* count);
/* The row kernel of `row` with that epilogue (affine and its tile, activation) in its
 * registers, or NULL: none reproduces it. */
PQNN_INTERNAL pqnn_dwconv_row_epi_ukernel_fn pqnn_dwconv_row_epilogue_kernel(
    pqnn_dwconv_row_ukernel_fn row, pqnn_dwconv_ukernel_fn affine, size_t affine_tile,
    pqnn_vunary_ukernel_fn activation);
/* Softmax row kernels (f32-rmax, f32-expsum): the widest vector the tier has; the node
 * then scales the row by the elementwise config's mulc. Never NULL (scalar kernels serve every
 * tier). Measured in src/configs/softmax-config.c. */
struct pqnn_softmax_config {
  pqnn_rmax_ukernel_fn rmax;
  pqnn_expsum_ukernel_fn expsum;
  const char* name;  /* the ISA suffix of the kernels, for benches and logs */
};
PQNN_INTERNAL const struct pqnn_softmax_config* pqnn_get_softmax_config(void);

/* f32 Winograd F(4x4, 3x3) transform lines (f32-winograd-input / -output): the widest
 * vector the tier has; every tier gives the scalar kernel's bits, so the choice is speed
 * only. Never NULL (scalar kernels serve every tier). */
struct pqnn_winograd_config {
  pqnn_winograd_input_ukernel_fn input;
  pqnn_winograd_output_ukernel_fn output;
  uint32_t channel_tile;
  /* Kernels of a narrower vector for lines of fewer than channel_tile channels (whole
   * vectors instead of one masked tail), or the same kernels. */
  pqnn_winograd_input_ukernel_fn narrow_input;
  pqnn_winograd_output_ukernel_fn narrow_output;
  /* An f32 GEMM config of the same tier whose NR is 8 more than a multiple of its vector
   * (avx512f 12x24: the last 8 columns of two rows share one vector), or NULL: the
   * Winograd GEMMs take it where it pads fewer columns than the f32 main tile
   * (pqnn_winograd_gemm_config, src/operators/winograd-path.c). */
  const struct pqnn_gemm_config* pair_gemm;
  const char* name;  /* the ISA suffix of the kernels, for benches and logs */
};
PQNN_INTERNAL const struct pqnn_winograd_config* pqnn_get_f32_winograd_config(void);

/* f32 pixel-lane GEMM (f32-tgemm) of the tier for GEMMs of at most nr columns (the
 * transposed convolution's taps, src/operators/deconv-path.c), or NULL where the tier has
 * no SIMD kernel of the family (the GEMM tiles serve those). */
struct pqnn_tgemm_config {
  pqnn_f32_tgemm_ukernel_fn ukernel;
  uint32_t mr;  /* pixels per call */
  uint32_t nr;  /* packed columns (the GEMM packing's NR), the most a call computes */
};
PQNN_INTERNAL const struct pqnn_tgemm_config* pqnn_get_f32_tgemm_config(void);

#endif  /* PQNN_CONFIG_H_ */
