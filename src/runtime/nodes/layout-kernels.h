/* Kernels of the data-movement nodes (plain C11, memcpy-based; no per-ISA files: they move
 * bytes, and memcpy and the compiler's vectorized copies are what a per-ISA kernel would
 * be). Each works on a [start, end) range of its unit (rows, tiles, blocks) so the runtime
 * can split it over its pool; the geometry (layout-geometry.h) is set by the executor's
 * reshape and never lets a kernel read or write outside its tensors. Element sizes are 1, 2
 * or 4 bytes. Nothing here converts values except bilinear resize, whose f16 variant widens
 * blocks to f32 with the library's exact converts, computes as the f32 kernel does, and
 * rounds once (RNE); NaN propagates through every kernel. */
#ifndef PQNN_RUNTIME_NODES_LAYOUT_KERNELS_H_
#define PQNN_RUNTIME_NODES_LAYOUT_KERNELS_H_

#include "common.h"
#include "runtime/nodes/layout-geometry.h"

#include <string.h>

/* bytes from s to d (short runs: a pixel, a concat part): 32-byte pieces the compiler inlines
 * as vector moves, then the rest (a libc memcpy call per piece of a few dozen bytes cost
 * more than the copy). */
static inline void pqnn_layout_copy_run(char* restrict d, const char* restrict s, size_t bytes) {
  for (; bytes >= 32; bytes -= 32, d += 32, s += 32) memcpy(d, s, 32);
  if (bytes != 0) memcpy(d, s, bytes);
}

/* Strided copy of output rows [start, end) (a row: all but the last dim). */
PQNN_INTERNAL void pqnn_layout_copy(const struct pqnn_layout_geometry* g, size_t start,
    size_t end, const void* x, void* y);
/* Rows of tiles [start, end) of a batched transpose: tile t covers output rows
 * [(t % row_tiles) * tile, ...) of batch t / row_tiles, tile being
 * pqnn_layout_transpose_tile_rows(cols): PQNN_LAYOUT_TILE rows (read in
 * PQNN_LAYOUT_TILE-column blocks), or for at most PQNN_LAYOUT_NARROW_COLS columns (an
 * NCHW -> NHWC input with few channels) PQNN_LAYOUT_NARROW_TILE rows, whose columns are
 * interleaved from their planes by vectorized loops. */
#define PQNN_LAYOUT_TILE 16
#define PQNN_LAYOUT_NARROW_COLS 4
#define PQNN_LAYOUT_NARROW_TILE 1024
static inline size_t pqnn_layout_transpose_tile_rows(size_t cols) {
  return cols <= PQNN_LAYOUT_NARROW_COLS ? PQNN_LAYOUT_NARROW_TILE : PQNN_LAYOUT_TILE;
}
PQNN_INTERNAL void pqnn_layout_transpose2d(const struct pqnn_layout_geometry* g, size_t start,
    size_t end, const void* x, void* y);
/* Outer blocks [start, end) of a concatenation: block o of y is input k's block o for each
 * k in turn (part[k] elements each). */
PQNN_INTERNAL void pqnn_layout_concatenate(const struct pqnn_layout_geometry* g, size_t start,
    size_t end, const void* const* x, void* y);
/* Output rows [start, end) of a constant pad (dims = output dims, unmerged). */
PQNN_INTERNAL void pqnn_layout_pad(const struct pqnn_layout_geometry* g, size_t start,
    size_t end, const void* x, void* y);
/* A nearest resize run by a concatenation: its geometry (in_height ... width_scale) and
 * coordinate rule. */
struct pqnn_layout_nearest_source {
  const struct pqnn_layout_geometry* geometry;
  enum pqnn_resize_coordinates coordinates;
  enum pqnn_resize_nearest_rounding rounding;
};
/* Output rows [start, end) (image n, row oy; out_height x out_width pixels per image) of a
 * channel concatenation whose parts in g->resized_parts read their input through the
 * nearest source indices of resized[k] (which the concat's output size matches). */
PQNN_INTERNAL void pqnn_layout_concatenate_resized(const struct pqnn_layout_geometry* g,
    const struct pqnn_layout_nearest_source* resized, size_t start, size_t end,
    const void* const* x, void* y);
/* Output rows [start, end) (image n, output row oy) of an NHWC resize. */
/* The source index along one axis of output index o of a nearest resize from in to out
 * (ONNX coordinates and rounding, clamped to [0, in - 1]). */
PQNN_INTERNAL size_t pqnn_layout_nearest_index(enum pqnn_resize_coordinates coordinates,
    enum pqnn_resize_nearest_rounding rounding, size_t o, size_t in, size_t out, float scale);
PQNN_INTERNAL void pqnn_layout_resize_nearest(const struct pqnn_layout_geometry* g,
    enum pqnn_resize_coordinates coordinates, enum pqnn_resize_nearest_rounding rounding,
    size_t start, size_t end, const void* x, void* y);
PQNN_INTERNAL void pqnn_layout_f32_resize_bilinear(const struct pqnn_layout_geometry* g,
    enum pqnn_resize_coordinates coordinates, size_t start, size_t end, const float* x,
    float* y);
PQNN_INTERNAL void pqnn_layout_f16_resize_bilinear(const struct pqnn_layout_geometry* g,
    enum pqnn_resize_coordinates coordinates, size_t start, size_t end, const uint16_t* x,
    uint16_t* y);
/* The source coordinate of output index o (ONNX coordinate_transformation_mode, in float). */
PQNN_INTERNAL float pqnn_layout_source_coordinate(enum pqnn_resize_coordinates coordinates,
    size_t o, size_t in, size_t out, float scale);

#endif  /* PQNN_RUNTIME_NODES_LAYOUT_KERNELS_H_ */
