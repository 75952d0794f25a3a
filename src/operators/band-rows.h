/* Row ranges of prepared (reshaped and set up) operators, for the runtime's band executor
 * (src/runtime/runtime-band.c): a 1x1 convolution on the GEMM path computes any range of
 * its rows (pixels) from and to buffers the caller names, and a depthwise convolution on
 * the DWCONV path with a row kernel computes one output row from the kernel rows' input
 * rows wherever they lie, and a direct deconvolution (deconv-path.c) any input rows of an
 * image into output rows wherever the caller puts them. Each row is computed by the same
 * kernels with the same arithmetic as the operator's own run (the epilogue included, at
 * the row's pixel index), so the bits do not depend on how a layer is split into rows. */
#ifndef PQNN_OPERATORS_BAND_ROWS_H_
#define PQNN_OPERATORS_BAND_ROWS_H_

#include "operator.h"

/* Whether pqnn_gemm_rows can run op: f32, one group, the GEMM path, no dynamic
 * quantization. */
PQNN_INTERNAL bool pqnn_gemm_rows_fit(const struct pqnn_operator* op);
/* Rows [pixel, pixel + rows) of op: A row i at a + i * (input pixel stride bytes), C row i at
 * c + i * (output pixel stride bytes); `pixel` is the first row's global index (image *
 * pixels per image + pixel in the image), which the epilogue's residual follows. */
PQNN_INTERNAL void pqnn_gemm_rows(const struct pqnn_operator* op, const void* a, void* c,
    size_t pixel, size_t rows);

/* Whether pqnn_qd8_gemm_rows can run op: a qd8 fully connected operator over pixels (its
 * input quantized per row: the GEMM path), one group, f32 output. */
PQNN_INTERNAL bool pqnn_qd8_gemm_rows_fit(const struct pqnn_operator* op);
/* Rows [pixel, pixel + rows) of such an op, as pqnn_gemm_rows, with row i's quantization
 * params at params[i]. */
PQNN_INTERNAL void pqnn_qd8_gemm_rows(const struct pqnn_operator* op, const void* a,
    const struct pqnn_quantization_params* params, void* c, size_t pixel, size_t rows);

/* Whether pqnn_qd8_convert_rows can run op: an f32 -> qd8 convert of rows of `channels`
 * contiguous floats (an image row) into as many int8. */
PQNN_INTERNAL bool pqnn_qd8_convert_rows_fit(const struct pqnn_operator* op, size_t channels);
/* Quantizes `rows` rows of op (x row i at x + i * channels floats, y row i at y + i *
 * channels int8) with the operator's own row kernel, so the bits match its run's, and gives
 * each row's params to its row_pixels pixels: params[i * row_pixels .. + row_pixels). */
PQNN_INTERNAL void pqnn_qd8_convert_rows(const struct pqnn_operator* op, const float* x,
    int8_t* y, struct pqnn_quantization_params* params, size_t rows, size_t row_pixels);
/* Repeats the params entry of each of `rows` rows (params[0 .. rows)) for its row_pixels
 * pixels: params[r] -> params[r * row_pixels .. + row_pixels), in place, from the last row
 * down. */
PQNN_INTERNAL void pqnn_repeat_row_params(struct pqnn_quantization_params* params,
    size_t rows, size_t row_pixels);

/* The vertical geometry of a depthwise convolution that pqnn_dwconv_row can run: f32, the
 * DWCONV path with a row kernel that takes the border columns too (no per-pixel
 * indirection, which addresses the input image as a whole). */
struct pqnn_dwconv_rows {
  size_t kernel_height, stride_height, dilation_height, padding_top;
  size_t input_height, input_row_bytes;    /* an input row: input_width pixels */
  size_t output_height, output_width, output_row_bytes;
  size_t input_pixel_bytes, output_pixel_bytes;  /* for pqnn_dwconv_row_aliases */
};
/* Fills *rows and returns true when op fits. */
PQNN_INTERNAL bool pqnn_dwconv_rows_fit(const struct pqnn_operator* op,
    struct pqnn_dwconv_rows* rows);
/* One output row of op: input[ky] is the start of input row y * stride + ky * dilation -
 * padding_top, or NULL where that row is padding; output is the start of the output row;
 * `pixel` is its first pixel's global index (image * output pixels + y * output_width). */
PQNN_INTERNAL void pqnn_dwconv_row(const struct pqnn_operator* op, const void* const* input,
    void* output, size_t pixel);

/* The row geometry of a deconvolution that pqnn_deconv_rows can run: the direct path
 * (kernel == stride, no dilation) with no vertical crop or output padding, so input row iy
 * of an image writes exactly output rows iy * output_rows .. + output_rows (deconv-path.c). */
struct pqnn_deconv_rows {
  size_t input_height, input_width, input_row_bytes;
  size_t output_rows;         /* output rows per input row: the vertical stride (== kernel) */
  size_t output_row_bytes;
  size_t slot_bytes;          /* a row buffer the caller provides per task (tall path), or 0 */
  bool quantized;             /* qd8: the input's params are read per input pixel */
};
/* Fills *rows and returns true when op fits. */
PQNN_INTERNAL bool pqnn_deconv_rows_fit(const struct pqnn_operator* op,
    struct pqnn_deconv_rows* rows);
/* Input rows [iy, iy + rows) of one image of op: input row r at x + r * input_row_bytes,
 * its output rows from y + r * output_rows * output_row_bytes; `pixel` is input row iy's
 * first pixel's global index (image * input pixels + iy * input_width); slot: slot_bytes
 * of the caller's (one per concurrent caller), or NULL when slot_bytes is 0. Same kernels,
 * same order per row (the fused activation included) as the operator's run. */
PQNN_INTERNAL void pqnn_deconv_rows(const struct pqnn_operator* op, const void* x, void* y,
    size_t pixel, size_t rows, void* slot);

#endif  /* PQNN_OPERATORS_BAND_ROWS_H_ */
