/* The compute paths of the operators. Each path's file holds its reshape-time preparation
 * (context, tiling, indirection) next to its run-time tile function, so the two sides of
 * one compute descriptor are read together:
 *   gemm-path.c    fully connected and 1x1 stride-1 unpadded convolution
 *   igemm-path.c   any convolution, through an indirection buffer
 *   dwconv-path.c  depthwise convolution (multiplier 1)
 *   deconv-path.c  transposed convolution: per output row, GEMMs of input rows
 *   patch-path.c   int8 convolution of few input channels (the stem), patches as K rows
 *   winograd-path.c  f32 3x3 stride-1 convolution as F(4x4, 3x3) transforms and 36 GEMMs
 *   convert-nc.c   row conversions (its run function is declared here as well)
 * pqnn_run_operator (src/operator-run.c) checks the operator and calls the run function of
 * the compute chosen at reshape. */
#ifndef PQNN_OPERATORS_PATHS_H_
#define PQNN_OPERATORS_PATHS_H_

#include "indirection.h"
#include "operator.h"

/* GEMM over m rows of A (every group). */
PQNN_INTERNAL void pqnn_prepare_gemm(pqnn_operator_t op, size_t m, pthreadpool_t threadpool);
/* The config whose GEMM (igemm false) or IGEMM (igemm true: convolutions on the IGEMM path,
 * qd8's 1x1 ones included, which take it for their one quantization entry per image) kernels
 * a layer with N output channels and a reduction of K (taps x input channels) runs:
 * config->narrow when it has such kernels of the datatype (gemm / igemm, or dqgemm /
 * dqigemm for dynamic quantization) and computes at most half the padded columns config's
 * tile would (the narrow tiles are less efficient per column
 * than the main ones, so the PATCH path's 3/4 rule would take them at N = 96 against
 * 4x64c4, where they lose) or, where config says narrow_fewer_columns, at least 10% fewer
 * padded columns (not N = 1000: 1008 against 1024, where a batch-1 classifier ran 1.6x
 * slower on 1x16 than on 1x32); for qd8 convolutions on the IGEMM path (dqigemm, 1x1 and
 * kxk) wherever it computes fewer padded columns (N = 48, 96, 144 against 4x64c4:
 * measurements in the function); else config. When that picks config->narrow and
 * config->narrow->narrow has the kernels and computes fewer padded columns, or as many from
 * K = 32 on (qd8 avx512vnni: 8x24c8 under 7x16c4 for N = 24, 72, ..., and N = 48, 96, ...
 * from K = 32), that one. K only chooses between those two tiles. */
PQNN_INTERNAL const struct pqnn_gemm_config* pqnn_narrow_gemm_config(
    const struct pqnn_gemm_config* config, size_t n, size_t k, bool dynamic_quantization,
    bool igemm);
/* The config whose MR kernels a GEMM / IGEMM of m rows runs: config->other_mr when it
 * computes fewer padded rows (round_up(m, mr)), else config (also on a tie and for m <= 1,
 * where the mr = 1 kernel runs). */
PQNN_INTERNAL const struct pqnn_gemm_config* pqnn_rows_gemm_config(
    const struct pqnn_gemm_config* config, size_t m);
/* The config a GEMM-path layer of m rows runs: config->tall (config.h) when it has the GEMM
 * kernels (dq: qd8 ones) and m >= 4 x its MR and round_up(m, tall MR) <= 17/16 x
 * round_up(m, MR), else config. */
PQNN_INTERNAL const struct pqnn_gemm_config* pqnn_tall_gemm_config(
    const struct pqnn_gemm_config* config, size_t m, bool dynamic_quantization);
PQNN_INTERNAL void pqnn_run_gemm(const struct pqnn_operator* op, pthreadpool_t threadpool);
/* The kernel calls of one GEMM tile: rows [m, m + m_size) (a and c point at row m, c at
 * the group's first column; w at the group's packed weights), columns [n, n + n_size) (n a
 * multiple of the nc tile): the main tile up to ctx->tail.n, the tail kernel from there. */
PQNN_INTERNAL void pqnn_gemm_tile(const struct pqnn_gemm_context* ctx, const char* a,
    const char* w, char* c, size_t m, size_t m_size, size_t n, size_t n_size);

/* The column tail (src/operators/gemm-tail.c): the config whose kernels compute the last
 * N % NR columns of a GEMM (igemm false) or IGEMM that runs config's tile
 * (config->column_tail[0]), or NULL for none: where config has one, N > NR, NR is a
 * multiple of the tail's NR, the tail pads fewer columns there (round_up(N % NR, its NR) <
 * NR) and column_tail[0] / [1] have the kernels of every tile config / its other_mr run
 * (their MR, mr = 1 where config has one). */
PQNN_INTERNAL const struct pqnn_gemm_config* pqnn_gemm_tail_config(
    const struct pqnn_gemm_config* config, size_t n, bool dynamic_quantization, bool igemm);
/* After op->packed_weights holds the weights packed for spec->gemm_config (packed_size
 * bytes, `groups` groups of nc columns, ks x kc, the layout of src/packing.h), moves the
 * columns from round_down(nc, NR) into panels for `tail` (NULL: none) where the last main
 * panel was, and sets op->tail_config, tail_n and tail_panel_stride. */
PQNN_INTERNAL enum pqnn_status pqnn_pack_gemm_tail(const char* function, pqnn_operator_t op,
    const struct pqnn_gemm_op_spec* spec, const struct pqnn_gemm_config* tail, size_t groups,
    size_t nc, size_t ks, size_t kc, bool transposed, const void* kernel, size_t packed_size);
/* The tail of a GEMM (igemm false) or IGEMM context whose tiles run the rows config `rows`
 * (its mr = 1 kernel where mr1): tail->n = N without one. */
PQNN_INTERNAL void pqnn_prepare_gemm_tail(const struct pqnn_operator* op,
    const struct pqnn_gemm_config* rows, bool mr1, bool igemm, struct pqnn_gemm_tail* tail);

/* IGEMM: builds the indirection buffer for `geometry` (op's batch and sizes already set). */
PQNN_INTERNAL enum pqnn_status pqnn_prepare_igemm(const char* function, pqnn_operator_t op,
    const struct pqnn_conv_geometry* geometry, pthreadpool_t threadpool);
PQNN_INTERNAL void pqnn_run_igemm(const struct pqnn_operator* op, pthreadpool_t threadpool);

/* DWCONV: builds the indirection buffer for `geometry` (op's batch and sizes already set). */
PQNN_INTERNAL enum pqnn_status pqnn_prepare_dwconv(const char* function, pqnn_operator_t op,
    const struct pqnn_conv_geometry* geometry);
PQNN_INTERNAL void pqnn_run_dwconv(const struct pqnn_operator* op, pthreadpool_t threadpool);
/* The row kernel's columns of one output row (dwconv-path.c), with the epilogue in the
 * kernel's registers where e has a row kernel for it: returns whether it ran there. */
PQNN_INTERNAL bool pqnn_dwconv_row_pixels(const struct pqnn_dwconv_context* ctx,
    const void** rows, const void* weights, char* output_row, const struct pqnn_epilogue* e);

/* Deconvolution: context, row tiles and the accumulating path's workspace (op's sizes set). */
PQNN_INTERNAL enum pqnn_status pqnn_prepare_deconv(const char* function, pqnn_operator_t op,
    pthreadpool_t threadpool);
PQNN_INTERNAL void pqnn_run_deconv(const struct pqnn_operator* op, pthreadpool_t threadpool);

/* Patch path: int8, f16 or f32 (element_size 1, 2, 4), groups == 1, channels <= 4,
 * kernel_height <= 16, a kernel row of at most 32 elements (kernel_width * channels),
 * taps * channels <= PQNN_PATCH_MAX_K. */
#define PQNN_PATCH_MAX_CHANNELS 4
#define PQNN_PATCH_MAX_KERNEL_HEIGHT 16
#define PQNN_PATCH_MAX_K 196
PQNN_INTERNAL bool pqnn_patch_path_fits(size_t groups, size_t channels, size_t kernel_height,
    size_t taps, size_t element_size, const struct pqnn_gemm_config* config);
/* The config whose IGEMM kernels the path runs for N output channels: config->narrow
 * when it computes at most 3/4 of the (padded) columns that config's tile would. */
PQNN_INTERNAL const struct pqnn_gemm_config* pqnn_patch_config(
    const struct pqnn_gemm_config* config, size_t n, bool dynamic_quantization);
PQNN_INTERNAL void pqnn_prepare_patch(pqnn_operator_t op,
    const struct pqnn_conv_geometry* geometry, pthreadpool_t threadpool);
PQNN_INTERNAL void pqnn_run_patch(const struct pqnn_operator* op, pthreadpool_t threadpool);

/* Winograd F(4x4, 3x3): 6x6 input tiles, 4x4 output tiles. */
#define PQNN_WINOGRAD_ALPHA 6
#define PQNN_WINOGRAD_TILE 4
/* Whether a convolution takes the path: the spec allows it (f32), no NO_WINOGRAD flag,
 * 3x3 stride 1 dilation 1, one group, and the cost rule: >= 8 input channels, or no more
 * output channels than input channels (winograd-path.c). */
PQNN_INTERNAL bool pqnn_winograd_fits(const struct pqnn_conv2d_args* a, uint32_t flags,
    const struct pqnn_gemm_op_spec* spec);
/* Bytes of one of the 36 packed weight groups (Cin x Cout). */
/* The f32 GEMM config of the Winograd GEMMs for N output channels: config (the datatype's
 * main one) or the tier's pair tile where it pads fewer columns (winograd-path.c). */
PQNN_INTERNAL const struct pqnn_gemm_config* pqnn_winograd_gemm_config(
    const struct pqnn_gemm_config* config, size_t n);
PQNN_INTERNAL size_t pqnn_winograd_group_size(const struct pqnn_conv2d_args* a,
    const struct pqnn_gemm_op_spec* spec);
/* Transforms and packs the OHWI f32 kernel into op->packed_weights (allocated, 36 groups)
 * and copies the bias into op->f32_bias. */
PQNN_INTERNAL enum pqnn_status pqnn_pack_winograd(const char* function, pqnn_operator_t op,
    const struct pqnn_conv2d_args* a, const struct pqnn_gemm_op_spec* spec,
    const float* kernel);
PQNN_INTERNAL enum pqnn_status pqnn_prepare_winograd(const char* function, pqnn_operator_t op,
    const struct pqnn_conv_geometry* geometry, pthreadpool_t threadpool);
PQNN_INTERNAL void pqnn_run_winograd(const struct pqnn_operator* op, pthreadpool_t threadpool);

PQNN_INTERNAL void pqnn_run_convert(const struct pqnn_operator* op, pthreadpool_t threadpool);
/* Whether an f32 -> qd8 convert operator can run from given ranges (its tier has the range
 * and apply kernels). */
PQNN_INTERNAL bool pqnn_convert_takes_ranges(const struct pqnn_operator* op);
/* Runs such a set-up convert from the range of each of its rows (an image each: ranges[r],
 * merged by the writer of its input, src/operators/output-range.h): the params of each row
 * from its range, then only the apply pass, in chunks over the pool; inv: batch_size floats
 * of scratch. Bit-identical to pqnn_run_convert, whose quantize kernel is range + apply. */
PQNN_INTERNAL void pqnn_run_convert_ranged(const struct pqnn_operator* op,
    const struct pqnn_qd8_range* ranges, float* inv, pthreadpool_t threadpool);

/* Operator types with f32 or f16 output whose paths run an output epilogue (residual.c). */
PQNN_INTERNAL bool pqnn_takes_epilogue(enum pqnn_operator_type type);
/* The output epilogue (epilogue.c; pqnn_set_output_activation, pqnn_setup_residual_add),
 * called by the GEMM, IGEMM, PATCH and DWCONV paths after their kernel wrote a tile, and by
 * the Winograd path after a tile's output transform:
 * `pixels` output pixels (FC: rows) from global output pixel `pixel` (image * image_pixels
 * + pixel in the image) at c, c_stride bytes apart, each from `offset` bytes into the pixel
 * for `columns` elements: c = act(c), then c = clamp(c + residual), or the add first. */
PQNN_INTERNAL void pqnn_apply_epilogue(const struct pqnn_epilogue* e, void* c, size_t c_stride,
    size_t pixel, size_t offset, size_t pixels, size_t columns);
/* What a run binds into its context: &op->epilogue when a residual or an activation is
 * bound, else NULL. */
PQNN_INTERNAL const struct pqnn_epilogue* pqnn_bound_epilogue(const struct pqnn_operator* op);

#endif  /* PQNN_OPERATORS_PATHS_H_ */
