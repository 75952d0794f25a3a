/* Geometry of the data-movement ops (concatenate, split, slice, pad, transpose, resize),
 * set by their reshape (src/runtime/nodes/layout-executors.c) from the tensor shapes and
 * read by their kernels (layout-kernels.h). Dims are in elements; the element size in bytes
 * is `element_size`. */
#ifndef PQNN_RUNTIME_NODES_LAYOUT_GEOMETRY_H_
#define PQNN_RUNTIME_NODES_LAYOUT_GEOMETRY_H_

#include <stddef.h>
#include <stdint.h>

#include <pqnn.h>

#define PQNN_LAYOUT_MAX_DIMS PQNN_MAX_TENSOR_DIMS

struct pqnn_layout_geometry {
  size_t element_size;
  /* Strided copy (slice, split, transpose; pad's interior): the output is dense
   * [dims[0]]...[dims[num_dims-1]]; output element (i0, ...) reads the input at
   * offset + sum(i_d * in_stride[d]) elements. Dims merged where possible. */
  size_t num_dims;
  size_t dims[PQNN_LAYOUT_MAX_DIMS];
  size_t in_stride[PQNN_LAYOUT_MAX_DIMS];
  size_t offset;
  /* Batched 2-D transpose fast path (transpose2d): y[b][i][j] = x[b][j][i], y is
   * [batch][rows][cols]; 0 batch means not this path. */
  size_t batch, rows, cols;
  /* Concatenate: outer blocks, and per input its contiguous chunk per block. Parts whose
   * bit is set in resized_parts are nearest resizes folded into the concat
   * (runtime-pass-concat.c): resize_op[k] is the resize op, which the concat runs; blocks
   * are then output rows of out_width pixels (out_height rows per image). */
  size_t outer;
  size_t num_parts;
  size_t part[PQNN_MAX_CONCAT_INPUTS];
  uint32_t resized_parts;
  uint32_t resize_op[PQNN_MAX_CONCAT_INPUTS];
  /* Pad: output dims (unmerged), pre paddings and input dims; the pad pattern (one element). */
  size_t pre[PQNN_LAYOUT_MAX_DIMS], in_dims[PQNN_LAYOUT_MAX_DIMS];
  uint8_t pad_pattern[4];
  /* Resize: NHWC sizes and per output row / column the source indices and weights are
   * computed on the fly from these. */
  size_t in_height, in_width, out_height, out_width, channels;
  float height_scale, width_scale;   /* as used for the coordinate transform */
};

#endif  /* PQNN_RUNTIME_NODES_LAYOUT_GEOMETRY_H_ */
