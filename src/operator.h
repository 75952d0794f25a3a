/*
 * The internal operator object shared by every operator type, and the generic GEMM-based
 * operator core (fully connected and convolution in every datatype) that the public
 * datatype faces (src/operators/operators-<datatype>.c) call.
 *
 * A face validates its own parameters (scales, zero points, bounds), fills a
 * struct pqnn_gemm_op_spec (config, element sizes, microkernel params, packing callbacks)
 * and calls pqnn_create_fully_connected / pqnn_create_convolution2d; reshape and setup are
 * generic. Run dispatches on the compute descriptor prepared at reshape
 * (src/operators/paths.h).
 */
#ifndef PQNN_OPERATOR_H_
#define PQNN_OPERATOR_H_

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <pqnn.h>

#include "common.h"
#include "configs/config.h"
#include "params.h"
#include "threadpool.h"

enum pqnn_operator_type {
  pqnn_operator_type_invalid = 0,
  pqnn_operator_type_fully_connected_nc_f32,
  pqnn_operator_type_fully_connected_nc_f16,
  pqnn_operator_type_fully_connected_nc_qs8,
  pqnn_operator_type_fully_connected_nc_qs8_qc8w,
  pqnn_operator_type_fully_connected_nc_qd8_f32_qc8w,
  pqnn_operator_type_fully_connected_nc_qd8_f16_qc8w,
  pqnn_operator_type_fully_connected_nc_qd8_f32_qc4w,
  pqnn_operator_type_fully_connected_nc_qd8_f16_qc4w,
  pqnn_operator_type_fully_connected_nc_qd8_f32_qb4w,
  pqnn_operator_type_fully_connected_nc_qd8_f16_qb4w,
  pqnn_operator_type_convolution_nhwc_f32,
  pqnn_operator_type_convolution_nhwc_f16,
  pqnn_operator_type_convolution_nhwc_qs8,
  pqnn_operator_type_convolution_nhwc_qs8_qc8w,
  pqnn_operator_type_convolution_nhwc_qd8_f32_qc8w,
  pqnn_operator_type_convolution_nhwc_qd8_f16_qc8w,
  pqnn_operator_type_deconvolution_nhwc_f32,
  pqnn_operator_type_deconvolution_nhwc_f16,
  pqnn_operator_type_deconvolution_nhwc_qd8_f32_qc8w,
  pqnn_operator_type_deconvolution_nhwc_qd8_f16_qc8w,
  pqnn_operator_type_convert_nc_f32_qd8,
  pqnn_operator_type_convert_nc_f16_qd8,
  pqnn_operator_type_convert_nc_f32_f16,
  pqnn_operator_type_convert_nc_f16_f32,
};

PQNN_INTERNAL const char* pqnn_operator_type_string(enum pqnn_operator_type type);

enum pqnn_operator_state {
  pqnn_operator_state_created = 0,  /* reshape needed */
  pqnn_operator_state_reshaped,     /* setup needed */
  pqnn_operator_state_ready,        /* run allowed */
};

/* How a GEMM-based operator computes (chosen at create). */
enum pqnn_gemm_path {
  pqnn_gemm_path_gemm,    /* fully connected; 1x1 stride-1 unpadded convolution */
  pqnn_gemm_path_igemm,   /* any convolution, through an indirection buffer */
  pqnn_gemm_path_dwconv,  /* depthwise convolution (multiplier 1) */
  pqnn_gemm_path_patch,   /* one group of few input channels: K = taps * channels */
  pqnn_gemm_path_winograd,  /* f32 3x3 stride 1, one group: F(4x4, 3x3) tiles as 36 GEMMs */
};

/* Packs GEMM weights (see src/packing.h for the geometry); `spec_context` is the
 * datatype wrapper's (bias, scales, zero points). */
typedef void (*pqnn_pack_gemm_fn)(const void* spec_context, size_t groups, size_t nc,
    size_t ks, size_t kc, size_t nr, size_t kr, bool transposed, const void* kernel,
    void* packed);
typedef void (*pqnn_pack_dwconv_fn)(const void* spec_context, size_t channels, size_t taps,
    size_t ct, const void* kernel, void* packed);

struct pqnn_gemm_op_spec {
  enum pqnn_operator_type type;
  const struct pqnn_gemm_config* gemm_config;      /* required */
  const struct pqnn_dwconv_config* dwconv_config;  /* NULL: depthwise runs as grouped IGEMM */
  size_t input_element_size;
  size_t output_element_size;
  size_t kernel_element_size;   /* of the caller's kernel array (f32 for FP32_STATIC_WEIGHTS) */
  size_t packed_element_size;   /* of one packed weight */
  size_t packed_prefix_size;    /* bytes per output channel before the K data */
  size_t packed_suffix_size;    /* bytes per output channel after it */
  /* When set (4-bit weights), the packed size instead of the prefix/element/suffix formula;
   * 0 on overflow. */
  size_t (*packed_gemm_size)(const void* context, size_t nc, size_t kc, size_t nr, size_t kr);
  size_t dwconv_prefix_size;
  size_t dwconv_suffix_size;
  bool dwconv_tap_pairs;        /* dwconv weights as int16 tap pairs (qd8: taps rounded up to even) */
  bool dynamic_quantization;    /* qd8: dqgemm / dqigemm kernels with run-time params */
  bool winograd;                /* f32: the Winograd path is allowed; spec_context is the bias */
  uint8_t zero_byte;            /* padding byte pattern (qs8: the input zero point) */
  union pqnn_ukernel_params params;
  pqnn_pack_gemm_fn pack_gemm;
  pqnn_pack_dwconv_fn pack_dwconv;
  const void* spec_context;
};

/* The output epilogue of a fully connected or convolution operator with f32 or f16 output
 * (src/operators/epilogue.c): a residual add and / or a unary activation, applied to each
 * output tile right after the kernel wrote it (after the operator's own bounds).
 * Residual: output = clamp(op(input) + residual, min, max), bound by
 * pqnn_setup_residual_add after each setup (residual.c); data NULL: none.
 * Activation: output = f(output) with a tier's f32-vunary kernel, before or after the
 * residual add, bound once after create (pqnn_set_output_activation); NULL: none.
 * Affine: output = clamp(output * scale + shift) per channel, last, by the DWCONV kernel
 * of a 1x1 depthwise operator (its packed weights and bounds), bound once after create
 * (pqnn_set_output_affine); NULL: none. */
/* A caller's epilogue step (pqnn_set_output_tail): `pixels` rows of `columns` elements at
 * c, c_stride bytes apart, of output pixels [pixel, pixel + pixels) (batch included) and
 * channels [channel, channel + columns). */
typedef void (*pqnn_epilogue_tail_fn)(const void* context, void* c, size_t c_stride,
    size_t pixel, size_t channel, size_t pixels, size_t columns);
struct pqnn_epilogue {
  const char* data;             /* the residual */
  size_t pixel_stride;          /* bytes between residual pixels (rows of FC) */
  size_t image_pixels;          /* output pixels per image (FC: 1) */
  size_t element_size;          /* the output's: 4 (f32) or 2 (f16) */
  struct pqnn_f32_elementwise_params params;  /* bounds after the add */
  pqnn_vbinary_ukernel_fn add;  /* the tier's f32-vbinary add */
  pqnn_vunary_ukernel_fn activation;  /* y = f(x) elementwise */
  struct pqnn_f32_elementwise_params activation_params;
  bool activation_first;        /* op -> activation -> add; else op -> add -> activation */
  pqnn_convert_ukernel_fn f16_f32, f32_f16;  /* f16: widen, compute in f32, round once */
  pqnn_dwconv_ukernel_fn affine;  /* the 1x1 depthwise operator's kernel */
  const char* affine_weights;   /* its packed weights: tiles of [ct bias][ct scale] */
  size_t affine_tile;           /* ct, channels per tile */
  size_t affine_tile_bytes;     /* bytes of one tile */
  union pqnn_ukernel_params affine_params;  /* its bounds */
  /* The one-pass kernels reproducing act + affine and the affine alone (f32 outputs whose
   * activation and affine kernels have one, src/configs/epilogue-config.c), or NULL. */
  pqnn_vunary_affine_ukernel_fn affine_act, affine_only;
  /* The op's depthwise row kernel with this activation and / or affine in its registers
   * (f32, no residual: src/configs/epilogue-config.c), the row kernel it replaces, and its
   * epilogue argument (pointing into this struct), or NULL. */
  pqnn_dwconv_row_epi_ukernel_fn row_fused;
  pqnn_dwconv_row_ukernel_fn row_plain;
  struct pqnn_dwconv_row_epilogue row_epilogue;
  /* A last step bound by the runtime (pqnn_set_output_tail): called on each tile after
   * everything above with the tile, its first pixel and first channel; NULL: none. */
  pqnn_epilogue_tail_fn tail;
  const void* tail_context;
  /* The very last step, bound by the runtime (pqnn_set_output_range): each f32 tile's
   * range merged into its image's slot (src/operators/output-range.h); NULL: none. */
  struct pqnn_output_ranges* range;
};

/* Compute descriptors prepared at reshape. */
/* The column tail of a GEMM / IGEMM on the narrow tile (src/operators/gemm-tail.c): the
 * columns [n, N) of every group run its kernel (column_tail's, of the main tile's MR) on
 * panels of nr columns, the first at w_offset bytes from the group's packed weights, then
 * w_panel_stride apart; the columns before n run the main tile. n is N without a tail. */
struct pqnn_gemm_tail {
  size_t n;
  size_t nr;
  size_t w_offset;
  size_t w_panel_stride;
  size_t cn_stride;        /* nr output elements in bytes */
  /* the kernel of the path and datatype; the others NULL */
  pqnn_gemm_ukernel_fn gemm;
  pqnn_dqgemm_ukernel_fn dqgemm;
  pqnn_igemm_ukernel_fn igemm;
  pqnn_dqigemm_ukernel_fn dqigemm;
};

struct pqnn_gemm_context {
  size_t kc;               /* bytes of one A row (group_input_channels elements) */
  const void* a;
  size_t a_stride;         /* bytes between A rows */
  size_t ga_stride;        /* bytes between groups in an A row */
  const void* packed_w;
  size_t w_panel_stride;   /* bytes of one NR-column panel */
  size_t gw_stride;        /* bytes of one group's packed weights */
  void* c;
  size_t cm_stride;
  size_t cn_stride;
  size_t gc_stride;
  size_t nr;
  size_t c_element_size;
  const struct pqnn_quantization_params* quantization_params;  /* qd8: per row */
  pqnn_gemm_ukernel_fn gemm;
  pqnn_dqgemm_ukernel_fn dqgemm;
  struct pqnn_gemm_tail tail;
  union pqnn_ukernel_params params;
  const struct pqnn_epilogue* epilogue;  /* bound at run: NULL without one */
};

struct pqnn_igemm_context {
  size_t kc;
  size_t ks_bytes;         /* taps * mr * sizeof(void*) */
  size_t mr;
  const void** indirection;
  size_t a_offset;         /* input base + image offset is added per task */
  size_t ba_stride;        /* bytes between images of the input */
  size_t ga_stride;
  const void* zero;
  const void* packed_w;
  size_t w_panel_stride;
  size_t gw_stride;
  void* c;
  size_t cm_stride;
  size_t cn_stride;
  size_t bc_stride;        /* bytes between images of the output */
  size_t gc_stride;
  size_t nr;
  size_t c_element_size;
  const struct pqnn_quantization_params* quantization_params;  /* qd8: this image's */
  pqnn_igemm_ukernel_fn igemm;
  pqnn_dqigemm_ukernel_fn dqigemm;
  struct pqnn_gemm_tail tail;
  union pqnn_ukernel_params params;
  const struct pqnn_epilogue* epilogue;  /* bound at run: NULL without one */
};

struct pqnn_dwconv_context {
  size_t channels;
  size_t kernel_size;
  size_t output_width;
  const void** indirection;
  size_t indirection_row_stride;  /* bytes of pointers per output row */
  size_t input_stride;            /* bytes of pointers per output pixel */
  size_t a_offset;
  size_t ba_stride;
  const void* zero;
  const void* packed_w;
  void* output;
  size_t output_row_stride;
  size_t output_batch_stride;
  size_t output_increment;
  pqnn_dwconv_ukernel_fn ukernel;
  union pqnn_ukernel_params params;
  /* Row kernel (NULL: every pixel through ukernel): output columns [row_x_begin,
   * row_x_end) have every tap inside the input row; rows[ky] is input row
   * y * stride_height + ky * dilation_height - padding_top (or the zero row) at column
   * row_x_begin * stride_width - padding_left. Where row_edges.left == row_x_begin and
   * row_edges.right == output_width - row_x_end the row kernel computes the border
   * columns too (at most PQNN_DWCONV_ROW_EDGES a side); else ukernel does them. */
  pqnn_dwconv_row_ukernel_fn row;
  size_t row_x_begin, row_x_end;
  struct pqnn_dwconv_row_edges row_edges;
  size_t input_height, input_row_stride, padding_top;
  size_t row_column_offset;       /* bytes of column row_x_begin * sw - pl in its row */
  size_t row_input_step;          /* stride_width pixels, bytes */
  size_t row_tap_stride;          /* dilation_width pixels, bytes */
  size_t row_pixel_bytes;         /* input pixel stride, bytes (4 KiB aliasing: config.h) */
  size_t out_pixel_bytes;
  uint32_t kernel_height, stride_height, dilation_height;
  const struct pqnn_epilogue* epilogue;  /* bound at run: NULL without one */
};

/* One part of a Winograd convolution's input read in place of a channel concatenation
 * (pqnn_setup_winograd_input_parts): its channels follow the parts before it. Input pixel
 * (image b, row y, column x) of the convolution reads, for this part, the source pixel
 * (b, rows[y], columns[x]) of a height x width map (rows / columns NULL: y / x, the map
 * then being the convolution's input size), pixel_stride floats apart. */
struct pqnn_winograd_part {
  const float* data;          /* image 0's first pixel */
  size_t channels;
  size_t pixel_stride;        /* floats */
  size_t height, width;       /* the source map */
  const size_t* rows;         /* per input row its source row (a nearest resize), or NULL */
  const size_t* columns;      /* per input column its source column, or NULL */
  /* A step on the part's pixels before the transform reads them (NULL: none; only on a
   * part without rows / columns and of pixel_stride = channels, on an operator that
   * reserved stepped rows): `count` consecutive pixels of one input row, the first being
   * input pixel `pixel` ((b * height + y) * width + x), read from the map at `x` and
   * written to `y` (channels floats each, contiguous). Input pixels outside the image
   * stay zeros (the convolution's padding is of the stepped values). */
  void (*pixel_step)(const void* context, const float* x, float* y, size_t pixel,
      size_t count);
  const void* step_context;
};

/* The Winograd path (src/operators/winograd-path.c); sizes in floats unless named bytes. */
struct pqnn_winograd_context {
  const float* x;
  float* y;
  const void* packed_w;
  size_t point_stride;        /* bytes of one of the 36 packed weight groups */
  size_t cin, cout;
  size_t input_height, input_width, output_height, output_width;
  size_t padding_top, padding_left;
  size_t x_pixel_stride, y_pixel_stride;
  size_t tiles_height, tiles_width, tiles;  /* tiles per column / row, in all images */
  size_t block_tiles, blocks, tasks;
  size_t mr, nr;
  pqnn_gemm_ukernel_fn gemm;
  const float* zero;          /* max(cin, cout) zeros: input outside the image; no bias */
  const float* bias;          /* cout */
  const float* direct_w;      /* the kernel, OHWI: tiles whose transforms overflow */
  pqnn_winograd_input_ukernel_fn input;
  pqnn_winograd_input_ukernel_fn narrow_input;  /* parts of fewer channels than a vector */
  size_t channel_tile;        /* the input kernel's vector (narrow_input below it) */
  pqnn_winograd_output_ukernel_fn output;
  float output_min, output_max;
  /* The input, bound at run: the parts (op->winograd_parts), or one part, x itself. */
  const struct pqnn_winograd_part* parts;
  size_t num_parts;
  struct pqnn_winograd_part whole;
  const struct pqnn_epilogue* epilogue;  /* bound at run: NULL without one */
  char* workspace;            /* one slot per task */
  size_t slot_bytes, m_offset, scratch_offset, discard_offset, stage_offset;
  size_t rows_offset;         /* a stepped part's last rows: their keys (one cache line),
                                 then the rows of input_width x cin floats (0: none
                                 reserved; winograd-path.c) */
};

/* Deconvolution: output rows (tall: input rows) in tiles of rows_per_tile (deconv-path.c). */
struct pqnn_deconv_context {
  const void* x;
  void* y;
  const struct pqnn_quantization_params* quantization_params;  /* qd8: one per input pixel */
  size_t batch, input_height, input_width, output_height, output_width;
  size_t x_pixel_bytes, y_pixel_bytes;  /* bytes between pixels */
  size_t kc;                  /* bytes of one group's input channels */
  size_t groups, goc;         /* groups, output channels per group */
  size_t nc;                  /* columns per GEMM: goc, or kw * goc (wide) */
  size_t y_element_size;
  size_t tap_stride;          /* bytes of one (group, tap)'s packed weights */
  const void* packed_w;
  uint32_t kernel_height, kernel_width, stride_height, stride_width;
  uint32_t dilation_height, dilation_width, padding_top, padding_left;
  size_t mr;
  size_t cn_stride;
  pqnn_gemm_ukernel_fn gemm;
  pqnn_dqgemm_ukernel_fn dqgemm;
  pqnn_f32_tgemm_ukernel_fn tgemm;  /* tall f32 of few columns: pixel-lane GEMM, or NULL */
  size_t tgemm_mr;
  union pqnn_ukernel_params params;  /* direct: the bounds; accumulating: none */
  const float* bias;          /* f32, groups * goc */
  const void* bias_pixel;     /* clamp(bias) of one output pixel, output type */
  float output_min, output_max;
  pqnn_convert_ukernel_fn f16_f32, f32_f16;  /* f16 output: column widening, row rounding */
  bool direct, wide, tall;
  char* workspace;            /* accumulating / tall path: one slot per row tile */
  size_t slot_bytes;
  size_t chunk;               /* input pixels per column GEMM */
  size_t rows_per_tile;
  const struct pqnn_epilogue* epilogue;  /* bound at run (an activation only): NULL without */
};

/* Patch path (src/operators/patch-path.c): each output pixel's kh x kw x C patch is
 * gathered into one contiguous K row (int8: K = taps * C, zero-extended to kc, a multiple
 * of KR) and run through the IGEMM kernel as a single tap, or (f16 / f32, row_taps) its kh
 * kernel rows are the kernel's taps, pointed at in the input. */
struct pqnn_patch_context {
  size_t kc;               /* bytes of one gathered row: round_up(taps * C, KR) elements */
  size_t k;                /* bytes of taps * C elements */
  size_t mr;
  size_t channels;         /* bytes of C elements (one tap) */
  size_t run;              /* bytes of one kernel row: kw * C elements */
  bool row_taps;           /* f16 / f32: kernel rows as kh IGEMM taps (else one gathered row) */
  size_t pixel_stride;     /* bytes between input pixels */
  size_t input_height, input_width, output_width;
  size_t padding_top, padding_left;
  uint32_t kernel_height, kernel_width;
  uint32_t stride_height, stride_width;
  uint32_t dilation_height, dilation_width;
  uint8_t zero_byte;       /* qs8: the input zero point (qd8: each image's, at run) */
  bool contiguous;         /* undilated, dense pixels: a kernel row's taps are one run */
  size_t interior_begin, interior_end;  /* output columns whose kernel rows are all runs */
  size_t ba_stride;        /* bytes between input images */
  const void* input;
  const void* packed_w;
  size_t w_panel_stride;
  void* c;
  size_t cm_stride;
  size_t cn_stride;
  size_t bc_stride;
  size_t nr;
  size_t c_element_size;
  const struct pqnn_quantization_params* quantization_params;  /* qd8: one per image */
  pqnn_igemm_ukernel_fn igemm;
  pqnn_dqigemm_ukernel_fn dqigemm;
  union pqnn_ukernel_params params;
  const struct pqnn_epilogue* epilogue;  /* bound at run: NULL without one */
};

struct pqnn_convert_context {
  size_t channels;
  const void* x;
  size_t x_stride;     /* bytes */
  void* y;
  size_t y_stride;     /* bytes */
  struct pqnn_quantization_params* quantization_params;
  pqnn_qd8_quantize_ukernel_fn quantize;
  pqnn_convert_ukernel_fn convert;
  /* f32 -> qd8 only: the quantize kernel's two steps, for rows split in chunks (NULL: rows
   * are never split). */
  pqnn_qd8_range_ukernel_fn range;
  pqnn_qd8_apply_ukernel_fn apply;
  /* f32 -> qd8 only: the quantize kernel of many rows per call (NULL: none on this tier). */
  pqnn_qd8_rows_ukernel_fn rows;
  size_t rows_count;   /* run time: the rows of a many-rows run */
};

enum pqnn_compute_type {
  pqnn_compute_none = 0,
  pqnn_compute_gemm,       /* 3D: groups x N tiles x M tiles */
  pqnn_compute_igemm,      /* per image (qd8) or all images: 3D (batch*groups) x N x M */
  pqnn_compute_dwconv,     /* 2D: batch x output rows */
  pqnn_compute_convert,    /* 1D: rows */
  pqnn_compute_deconv,     /* 1D: tiles of output rows */
  pqnn_compute_patch,      /* 3D: images x N tiles x M tiles */
  pqnn_compute_winograd,   /* 1D: tasks, each a range of blocks of tiles */
};

struct pqnn_operator {
  enum pqnn_operator_type type;
  enum pqnn_operator_state state;
  uint32_t flags;

  /* Geometry common to FC and conv (FC: groups = 1, kernel 1x1). */
  size_t groups;
  size_t group_input_channels;
  size_t group_output_channels;
  size_t input_pixel_stride;    /* elements */
  size_t output_pixel_stride;   /* elements */
  uint32_t padding_top, padding_right, padding_bottom, padding_left;
  uint32_t kernel_height, kernel_width;
  uint32_t stride_height, stride_width;
  uint32_t dilation_height, dilation_width;

  /* Sizes from the last reshape. */
  size_t batch_size;
  size_t input_height, input_width;
  size_t output_height, output_width;

  /* What create chose. */
  struct pqnn_gemm_op_spec spec;  /* copied; spec_context not used after create */
  enum pqnn_gemm_path path;
  const struct pqnn_gemm_config* gemm_config;
  struct pqnn_dwconv_kernel dwconv_kernel;
  pqnn_dwconv_row_ukernel_fn dwconv_row;  /* its row kernel, or NULL (dwconv-path.c) */
  bool dwconv_row_edges;  /* the row kernel takes border pixels (pqnn_dwconv_row_edges) */
  void* packed_weights;
  /* Fully connected and convolution: the bytes at packed_weights (0 elsewhere), for the
   * runtime's sharing of identical packed weights (runtime-weights.c); shared: another
   * operator's buffer, not released by this one. */
  size_t packed_weights_size;
  bool packed_weights_shared;
  size_t packed_group_stride;
  size_t packed_panel_stride;
  /* The column tail on the narrow tile, or NULL (src/operators/gemm-tail.c): the columns
   * from tail_n (a multiple of gemm_config's NR) are packed for its NR, tail_panel_stride
   * bytes a panel, where the last main panel would be. */
  const struct pqnn_gemm_config* tail_config;
  size_t tail_n;
  size_t tail_panel_stride;
  void* zero_buffer;
  size_t zero_buffer_size;
  /* qd8 convolution: a run fills zero_buffer with each image's zero point, so runs of one
   * operator started by several threads at once take turns on this lock (allocated and
   * initialized at create; NULL for every other operator). */
  pthread_mutex_t* padding_lock;

  /* Reshape-time buffers and tiling. */
  const void** indirection;
  size_t indirection_size;      /* bytes allocated */
  size_t indirection_mr;        /* MR the buffer was built for */
  size_t indirection_height, indirection_width;  /* input size it was built for */
  bool use_mr1;                 /* single-row kernel chosen */
  size_t mc_tile, nc_tile;

  /* Convert operators. */
  size_t channels;

  /* Deconvolution (deconvolution-nhwc.c): the f32 bias (zeros when absent), clamp(bias) of
   * one output pixel in the output type, the bounds, whether stride == kernel lets every
   * output be written once by a GEMM (direct path), the reshape-time output padding and
   * the accumulating path's workspace (grown only when needed). */
  float* deconv_bias;
  void* deconv_bias_pixel;
  float output_min, output_max;
  bool deconv_direct;
  bool deconv_wide;             /* direct, packed per kernel row as kw * goc columns */
  bool deconv_tall;             /* wide, packed as one group of kh * kw * goc columns */
  /* Tall f32 whose kh * kw * goc columns fit the tier's pixel-lane GEMM (f32-tgemm):
   * packed for it (its NR, kr 1), the kernel writes the output rows itself; else NULL. */
  const struct pqnn_tgemm_config* deconv_tgemm;
  uint32_t adjustment_height, adjustment_width;
  void* workspace;
  size_t workspace_size;
  float* f32_bias;              /* Winograd: the bias its output transform adds */
  bool winograd_stepped_rows;   /* Winograd: reshape reserves the rows of a stepped input
                                   part (pqnn_reserve_winograd_stepped_rows) */

  /* Setup pointers. */
  const void* input;
  void* output;
  const struct pqnn_quantization_params* quantization_params;      /* qd8 consumers */
  struct pqnn_quantization_params* output_quantization_params;     /* qd8 producers */
  struct pqnn_epilogue epilogue;  /* residual: cleared by every setup; activation: kept */
  /* Winograd: the input read as parts (a concatenation's, pqnn_setup_winograd_input_parts),
   * the caller's memory; cleared by every setup (0 parts: the input pointer). */
  const struct pqnn_winograd_part* winograd_parts;
  size_t num_winograd_parts;

  enum pqnn_compute_type compute;
  union {
    struct pqnn_gemm_context gemm;
    struct pqnn_igemm_context igemm;
    struct pqnn_dwconv_context dwconv;
    struct pqnn_patch_context patch;
    struct pqnn_convert_context convert;
    struct pqnn_deconv_context deconv;
    struct pqnn_winograd_context winograd;
  } context;
};

/* --- helpers for the public datatype faces (src/operator-utils.c) --- */

/* The name of the compute path prepared at the last reshape ("gemm", "winograd", ...), ""
 * for NULL or an operator not reshaped. */
PQNN_INTERNAL const char* pqnn_operator_compute_path(const struct pqnn_operator* op);

/* pqnn_status_uninitialized unless pqnn_initialize succeeded. */
PQNN_INTERNAL enum pqnn_status pqnn_check_initialized(const char* function);
/* Checks that `op` is non-NULL and of `type` (invalid_parameter otherwise). */
PQNN_INTERNAL enum pqnn_status pqnn_check_operator(const char* function, pqnn_operator_t op,
    enum pqnn_operator_type type);
/* The first step of every reshape: checks `op` like pqnn_check_operator (a call through
 * another type's function leaves the operator alone), then leaves it needing a successful
 * reshape and setup before it runs again, so that a reshape that fails never leaves the
 * pointers of an earlier setup runnable. */
PQNN_INTERNAL enum pqnn_status pqnn_begin_reshape(const char* function, pqnn_operator_t op,
    enum pqnn_operator_type type);
/* The first step of every setup: checks `op` like pqnn_check_operator and that it was
 * reshaped (invalid_state otherwise), then leaves it needing a successful setup. */
PQNN_INTERNAL enum pqnn_status pqnn_begin_setup(const char* function, pqnn_operator_t op,
    enum pqnn_operator_type type);
/* Validates f32 output bounds (not NaN, min < max). */
PQNN_INTERNAL enum pqnn_status pqnn_check_output_bounds(const char* function, float output_min,
    float output_max);
/* int8 weights must lie in [-127, 127]. */
PQNN_INTERNAL enum pqnn_status pqnn_check_int8_kernel(const char* function,
    const int8_t* kernel, size_t count);
/* Finite and > 0. */
PQNN_INTERNAL enum pqnn_status pqnn_check_scale(const char* function, const char* name,
    float scale);
PQNN_INTERNAL struct pqnn_operator* pqnn_allocate_operator(void);
/* Makes op->workspace hold at least `bytes` (grown only when needed). */
PQNN_INTERNAL enum pqnn_status pqnn_reserve_workspace(const char* function, pqnn_operator_t op,
    size_t bytes);
/* Makes op->indirection hold at least `count` pointers (grown only when needed). */
PQNN_INTERNAL enum pqnn_status pqnn_reserve_indirection(const char* function,
    pqnn_operator_t op, size_t count);

/* --- the generic cores (fully-connected-nc.c, convolution-nhwc.c) --- */

/* Generic creation. The public faces validate datatype-specific arguments first. */
PQNN_INTERNAL enum pqnn_status pqnn_create_fully_connected(const char* function,
    size_t input_channels, size_t output_channels, size_t input_stride,
    size_t output_stride, const void* kernel, uint32_t flags,
    const struct pqnn_gemm_op_spec* spec, pqnn_operator_t* op_out);
PQNN_INTERNAL enum pqnn_status pqnn_reshape_fully_connected(const char* function,
    pqnn_operator_t op, enum pqnn_operator_type type, size_t batch_size,
    pthreadpool_t threadpool);
PQNN_INTERNAL enum pqnn_status pqnn_setup_gemm_op(const char* function, pqnn_operator_t op,
    enum pqnn_operator_type type, const void* input, void* output,
    const struct pqnn_quantization_params* quantization_params);

/* Binds a residual to a fully connected or convolution operator with f32 or f16 output
 * (not qs8, not deconvolution) right after its setup (invalid_state otherwise): run then
 * writes output = clamp(op(input) + residual, output_min, output_max), the operator's own
 * bounds applied first, as the runtime's add2 node after it would (f16: widened, added in
 * f32 with the tier's f32-vbinary add, rounded once). `residual` is an NHWC tensor of the
 * output's shape and datatype, pixels (FC: rows) `residual_pixel_stride` elements apart
 * (>= the output channels); it must not overlap the output. Every path adds it per output
 * tile while the tile is in L1 (Winograd: after the tile's output transform). A failed
 * call leaves the operator needing a new setup. */
PQNN_INTERNAL enum pqnn_status pqnn_setup_residual_add(pqnn_operator_t op, const void* residual,
    size_t residual_pixel_stride, float output_min, float output_max);
/* Binds a unary activation to a fully connected, convolution or deconvolution operator with
 * f32 or f16 output (not qs8) after create, for the operator's life (reshape and setup keep
 * it): run then writes output = activation(output) per output tile (deconvolution: per
 * output row, once all its taps are in), with the
 * operator's own bounds applied first, and before a bound residual add when
 * `before_residual`, else after it (and its bounds). `activation` is an f32-vunary kernel
 * with its params, applied to each element alone (f16 outputs are widened, computed in
 * f32, rounded once, as the runtime's f16 unary node does); NULL removes it. The operator
 * keeps a copy of *params. Errors: invalid_parameter for NULL op / params (with a kernel)
 * or an operator type without an epilogue. */
PQNN_INTERNAL enum pqnn_status pqnn_set_output_activation(pqnn_operator_t op,
    pqnn_vunary_ukernel_fn activation, const struct pqnn_f32_elementwise_params* params,
    bool before_residual);

/* Binds a per-channel affine to a fully connected, convolution or deconvolution operator
 * with f32 or f16 output after create, for the operator's life: run then writes output =
 * affine(output) per output tile, after everything else of the epilogue (the operator's
 * bounds, a bound activation and residual). `affine` is a created depthwise convolution
 * operator of the same output datatype with a 1x1 kernel, stride 1, no padding and the
 * operator's output channels, run on the DWCONV path: its kernel, packed weights and bounds
 * are applied to each output pixel in place, so the result is that operator's output on
 * the tile bit for bit. `affine` must outlive `op` (op keeps pointers into it); NULL
 * removes it. Errors: invalid_parameter for a NULL op, an operator type without an
 * epilogue, or an `affine` that is not such a depthwise operator. */
PQNN_INTERNAL enum pqnn_status pqnn_set_output_affine(pqnn_operator_t op,
    const struct pqnn_operator* affine);

/* Binds a last epilogue step to a fully connected or convolution operator with f32 or f16
 * output after its setup (a later setup keeps it until bound again): run then calls
 * tail(context, tile, ...) on each output tile after everything else of the epilogue,
 * from the pool's threads (tail must only read shared state); NULL removes it. The runtime
 * runs a folded per-channel multiply there (src/runtime/runtime-ops-scaled.c). Errors:
 * invalid_parameter for a NULL op or an operator type without a residual epilogue. */
PQNN_INTERNAL enum pqnn_status pqnn_set_output_tail(pqnn_operator_t op,
    pqnn_epilogue_tail_fn tail, const void* context);

/* Binds the output range step (output-range.h) to a fully connected, convolution or
 * deconvolution operator with f32 output, after its setup (a later setup keeps it until
 * bound again); NULL removes it. Errors: invalid_parameter for a NULL op or an operator
 * without an f32 epilogue. */
struct pqnn_output_ranges;
PQNN_INTERNAL enum pqnn_status pqnn_set_output_range(pqnn_operator_t op,
    struct pqnn_output_ranges* ranges);

/* The geometry arguments shared by every public convolution. */
struct pqnn_conv2d_args {
  uint32_t padding_top, padding_right, padding_bottom, padding_left;
  uint32_t kernel_height, kernel_width;
  uint32_t stride_height, stride_width;
  uint32_t dilation_height, dilation_width;
  uint32_t groups;
  size_t group_input_channels, group_output_channels;
  size_t input_channel_stride, output_channel_stride;
};
/* unsupported_hardware unless the spec's config has the MR GEMM kernel of its kind (dqgemm
 * for qd8, gemm otherwise). */
PQNN_INTERNAL enum pqnn_status pqnn_check_gemm_kernels(const char* function,
    const struct pqnn_gemm_op_spec* spec);
/* Copies the geometry (groups, channels, pixel strides, paddings, kernel, strides,
 * dilations) into the operator (operator-utils.c). */
PQNN_INTERNAL void pqnn_set_conv_geometry(struct pqnn_operator* op,
    const struct pqnn_conv2d_args* args);

/* Builds struct pqnn_conv2d_args from the parameter names of the public conv functions. */
#define PQNN_CONV2D_ARGS                                                                  \
  ((struct pqnn_conv2d_args) {                                                            \
    .padding_top = input_padding_top, .padding_right = input_padding_right,               \
    .padding_bottom = input_padding_bottom, .padding_left = input_padding_left,           \
    .kernel_height = kernel_height, .kernel_width = kernel_width,                         \
    .stride_height = subsampling_height, .stride_width = subsampling_width,               \
    .dilation_height = dilation_height, .dilation_width = dilation_width,                 \
    .groups = groups, .group_input_channels = group_input_channels,                       \
    .group_output_channels = group_output_channels,                                       \
    .input_channel_stride = input_channel_stride,                                         \
    .output_channel_stride = output_channel_stride,                                       \
  })

/* Whether pqnn_create_convolution2d_nhwc_f32 with these arguments and flags takes the
 * Winograd path on this CPU (operators-f32.c; the rule is pqnn_winograd_fits). The
 * runtime's dynamic-quantization pass weighs it against qd8. */
PQNN_INTERNAL bool pqnn_f32_convolution_takes_winograd(const struct pqnn_conv2d_args* args,
    uint32_t flags);
/* After pqnn_setup_convolution2d_nhwc_f32 of an operator on the Winograd path (reshaped):
 * its input is read as `count` parts (1 to PQNN_MAX_CONCAT_INPUTS; a channel concatenation
 * of them, each part's channels after the ones before), not from the input pointer, until
 * the next setup. The channels must sum to the input channels, and a part with rows /
 * columns must have an entry per input row / column that lies inside its height x width
 * map, and a part with a pixel_step has neither; parts and their index arrays stay the
 * caller's and must outlive the runs (winograd-path.c). invalid_parameter for anything
 * else, invalid_state when the operator is not on the Winograd path or not set up. */
PQNN_INTERNAL enum pqnn_status pqnn_setup_winograd_input_parts(pqnn_operator_t op,
    size_t count, const struct pqnn_winograd_part* parts);
/* Before its reshape: the operator's workspace is to hold, per task, the last input rows
 * of a part with a pixel_step, each stepped once (winograd-path.c); without it such a part
 * is refused (invalid_state). */
PQNN_INTERNAL void pqnn_reserve_winograd_stepped_rows(pqnn_operator_t op);
/* Whether a convolution on the IGEMM path of `config` (dynamic quantization: its dqigemm
 * kernels) with n output channels per group runs on config's narrow tile
 * (convolution-nhwc.c; a kxk layer, not the 1x1 rule). The runtime's dynamic-quantization
 * pass weighs it against Winograd. */
PQNN_INTERNAL bool pqnn_convolution_igemm_takes_narrow_tile(const struct pqnn_gemm_config* config,
    size_t n, bool dynamic_quantization);

PQNN_INTERNAL enum pqnn_status pqnn_create_convolution2d(const char* function,
    const struct pqnn_conv2d_args* args, const void* kernel, uint32_t flags,
    const struct pqnn_gemm_op_spec* spec, pqnn_operator_t* op_out);
PQNN_INTERNAL enum pqnn_status pqnn_reshape_convolution2d(const char* function,
    pqnn_operator_t op, enum pqnn_operator_type type, size_t batch_size, size_t input_height,
    size_t input_width, size_t* output_height_out, size_t* output_width_out,
    pthreadpool_t threadpool);

/* Deconvolution core (deconvolution-nhwc.c). The geometry reuses struct pqnn_conv2d_args:
 * paddings crop the output, strides upsample, channel strides are pixel strides. The face
 * packs with spec->pack_gemm over groups * taps weight groups of group_output_channels
 * columns (kernel rearranged to [groups][taps][goc][gic]); its per-channel packed terms
 * (bias on the direct path, qd8 scales) come replicated per tap by pqnn_deconv_replicate.
 * `bias` (f32, or f16 when bias_f16; may be NULL) is the caller's, per output channel. */
PQNN_INTERNAL enum pqnn_status pqnn_create_deconvolution2d(const char* function,
    const struct pqnn_conv2d_args* args, const void* kernel, const void* bias, bool bias_f16,
    uint32_t flags, const struct pqnn_gemm_op_spec* spec, pqnn_operator_t* op_out);
PQNN_INTERNAL enum pqnn_status pqnn_reshape_deconvolution2d(const char* function,
    pqnn_operator_t op, enum pqnn_operator_type type, size_t batch_size, size_t input_height,
    size_t input_width, uint32_t adjustment_height, uint32_t adjustment_width,
    size_t* output_height_out, size_t* output_width_out, pthreadpool_t threadpool);
/* Whether every output pixel gets exactly one tap (kernel == stride, no dilation gaps): the
 * direct path, whose GEMMs write the output with the bias packed in. */
PQNN_INTERNAL bool pqnn_deconv_direct(const struct pqnn_conv2d_args* args);
/* *out = `values` ([groups][goc] elements of element_size bytes) repeated per tap as
 * [groups][taps][goc] (allocated; NULL when values is NULL or the geometry is empty);
 * invalid_parameter on overflow, out_of_memory. */
PQNN_INTERNAL enum pqnn_status pqnn_deconv_replicate(const char* function,
    const struct pqnn_conv2d_args* args, const void* values, size_t element_size, void** out);

/* Builds struct pqnn_conv2d_args from the parameter names of the public deconv functions. */
#define PQNN_DECONV2D_ARGS                                                                \
  ((struct pqnn_conv2d_args) {                                                            \
    .padding_top = output_padding_top, .padding_right = output_padding_right,             \
    .padding_bottom = output_padding_bottom, .padding_left = output_padding_left,         \
    .kernel_height = kernel_height, .kernel_width = kernel_width,                         \
    .stride_height = stride_height, .stride_width = stride_width,                         \
    .dilation_height = dilation_height, .dilation_width = dilation_width,                 \
    .groups = groups, .group_input_channels = group_input_channels,                       \
    .group_output_channels = group_output_channels,                                       \
    .input_channel_stride = input_pixel_stride,                                           \
    .output_channel_stride = output_pixel_stride,                                         \
  })
#define PQNN_DECONV_RESHAPE(name)                                                               \
  enum pqnn_status pqnn_reshape_deconvolution2d_nhwc_##name(pqnn_operator_t op,                \
      size_t batch_size, size_t input_height, size_t input_width, uint32_t adjustment_height,  \
      uint32_t adjustment_width, size_t* output_height_out, size_t* output_width_out,          \
      pthreadpool_t threadpool) {                                                              \
    return pqnn_reshape_deconvolution2d(__func__, op,                                          \
        pqnn_operator_type_deconvolution_nhwc_##name, batch_size, input_height, input_width,   \
        adjustment_height, adjustment_width, output_height_out, output_width_out, threadpool); \
  }

/* The sizes of a fully connected operator (for the faces that create FC and conv through
 * one helper). */
struct pqnn_fc_args {
  size_t input_channels, output_channels, input_stride, output_stride;
};

/* Elements of the caller's kernel array (0 on overflow) of a fully connected operator
 * (`fc`) or else a convolution (`conv`); sets *output_channels (0 on overflow). */
PQNN_INTERNAL size_t pqnn_kernel_elements(const struct pqnn_fc_args* fc,
    const struct pqnn_conv2d_args* conv, size_t* output_channels);

/* Picks the N and M tiles for a GEMM of m rows (per group/image), n columns and kc bytes
 * of K with `tasks_outside` independent (group, image) slices. */
PQNN_INTERNAL void pqnn_choose_gemm_tiles(size_t m, size_t n, size_t k_bytes_per_column,
    size_t mr, size_t nr, size_t tasks_outside, size_t threads, size_t* mc, size_t* nc);

/* Reshape/setup forwarders of the public faces: each public reshape or setup function is
 * the generic one with its operator type. */
#define PQNN_FC_RESHAPE(name)                                                                   \
  enum pqnn_status pqnn_reshape_fully_connected_nc_##name(pqnn_operator_t op,                  \
      size_t batch_size, pthreadpool_t threadpool) {                                           \
    return pqnn_reshape_fully_connected(__func__, op,                                          \
        pqnn_operator_type_fully_connected_nc_##name, batch_size, threadpool);                 \
  }
#define PQNN_CONV_RESHAPE(name)                                                                 \
  enum pqnn_status pqnn_reshape_convolution2d_nhwc_##name(pqnn_operator_t op,                  \
      size_t batch_size, size_t input_height, size_t input_width, size_t* output_height_out,   \
      size_t* output_width_out, pthreadpool_t threadpool) {                                    \
    return pqnn_reshape_convolution2d(__func__, op, pqnn_operator_type_convolution_nhwc_##name, \
        batch_size, input_height, input_width, output_height_out, output_width_out,            \
        threadpool);                                                                           \
  }
/* The public setup function `function` of an operator of `type` (without, or for qd8
 * with, per-row quantization params). */
#define PQNN_GEMM_OP_SETUP(function, type, in_t, out_t)                                         \
  enum pqnn_status function(pqnn_operator_t op, in_t input, out_t output) {                    \
    return pqnn_setup_gemm_op(__func__, op, type, input, output, NULL);                        \
  }
#define PQNN_GEMM_OP_SETUP_QD8(function, type, out_t)                                           \
  enum pqnn_status function(pqnn_operator_t op, const int8_t* input, out_t output,             \
      const struct pqnn_quantization_params* quantization_params) {                            \
    return pqnn_setup_gemm_op(__func__, op, type, input, output, quantization_params);         \
  }

#endif  /* PQNN_OPERATOR_H_ */
