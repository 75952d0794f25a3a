/* Data-movement kernels: strided copy, blocked 2-D transpose, concatenation, constant pad.
 * Contracts: layout-kernels.h. */
#include <string.h>

#include "runtime/nodes/layout-kernels.h"

/* n elements of `size` bytes, `stride` elements apart in x, dense in y. */
static void gather(size_t size, size_t n, size_t stride, const char* x, char* y) {
  if (stride == 1) {
    memcpy(y, x, n * size);
    return;
  }
  switch (size) {
    case 4: {
      uint32_t* y4 = (uint32_t*) (void*) y;
      for (size_t i = 0; i < n; i++) memcpy(&y4[i], x + i * stride * 4, 4);
      break;
    }
    case 2: {
      uint16_t* y2 = (uint16_t*) (void*) y;
      for (size_t i = 0; i < n; i++) memcpy(&y2[i], x + i * stride * 2, 2);
      break;
    }
    default:
      for (size_t i = 0; i < n; i++) y[i] = x[i * stride];
      break;
  }
}

void pqnn_layout_copy(const struct pqnn_layout_geometry* g, size_t start, size_t end,
    const void* x, void* y) {
  const size_t last = g->num_dims - 1, n = g->dims[last], size = g->element_size;
  for (size_t row = start; row < end; row++) {
    size_t offset = g->offset, rest = row;
    for (size_t d = last; d-- > 0;) {
      offset += (rest % g->dims[d]) * g->in_stride[d];
      rest /= g->dims[d];
    }
    gather(size, n, g->in_stride[last], (const char*) x + offset * size,
        (char*) y + row * n * size);
  }
}

#define TRANSPOSE_TILE(type) { \
  const type* xt = (const type*) x; \
  type* yt = (type*) y; \
  for (size_t j0 = 0; j0 < cols; j0 += PQNN_LAYOUT_TILE) { \
    const size_t j1 = j0 + PQNN_LAYOUT_TILE < cols ? j0 + PQNN_LAYOUT_TILE : cols; \
    for (size_t i = i0; i < i1; i++) { \
      const type* xr = xt + b * rows * cols + i; \
      type* yr = yt + (b * rows + i) * cols; \
      for (size_t j = j0; j < j1; j++) yr[j] = xr[j * rows]; \
    } \
  } \
}

/* Few columns (an NCHW -> NHWC input with C <= PQNN_LAYOUT_NARROW_COLS): n output rows of
 * a compile-time `c` columns, each column read from its own input plane (`rows` apart), so
 * the compiler turns the loop into vector loads of the planes and shuffles that interleave
 * them. */
#define INTERLEAVE(type, c) { \
  const type* restrict xr = (const type*) x + b * rows * (c) + i0; \
  type* restrict yr = (type*) y + (b * rows + i0) * (c); \
  for (size_t i = 0; i < n; i++) { \
    for (size_t j = 0; j < (c); j++) yr[i * (c) + j] = xr[j * rows + i]; \
  } \
}
#define INTERLEAVE_COLS(type) \
  switch (cols) { \
    case 2: INTERLEAVE(type, 2) break; \
    case 3: INTERLEAVE(type, 3) break; \
    case 4: INTERLEAVE(type, 4) break; \
    default: TRANSPOSE_TILE(type) break; \
  }

void pqnn_layout_transpose2d(const struct pqnn_layout_geometry* g, size_t start, size_t end,
    const void* x, void* y) {
  const size_t rows = g->rows, cols = g->cols, tile = pqnn_layout_transpose_tile_rows(cols);
  const size_t row_tiles = pqnn_divide_round_up(rows, tile);
  for (size_t t = start; t < end; t++) {
    const size_t b = t / row_tiles, i0 = (t % row_tiles) * tile;
    const size_t i1 = i0 + tile < rows ? i0 + tile : rows;
    if (cols <= PQNN_LAYOUT_NARROW_COLS) {
      const size_t n = i1 - i0;
      switch (g->element_size) {
        case 4: INTERLEAVE_COLS(uint32_t) break;
        case 2: INTERLEAVE_COLS(uint16_t) break;
        default: INTERLEAVE_COLS(uint8_t) break;
      }
      continue;
    }
    switch (g->element_size) {
      case 4: TRANSPOSE_TILE(uint32_t) break;
      case 2: TRANSPOSE_TILE(uint16_t) break;
      default: TRANSPOSE_TILE(uint8_t) break;
    }
  }
}

void pqnn_layout_concatenate(const struct pqnn_layout_geometry* g, size_t start, size_t end,
    const void* const* x, void* y) {
  size_t total = 0;
  for (size_t k = 0; k < g->num_parts; k++) total += g->part[k];
  const size_t size = g->element_size;
  for (size_t o = start; o < end; o++) {
    char* dst = (char*) y + o * total * size;
    for (size_t k = 0; k < g->num_parts; k++) {
      pqnn_layout_copy_run(dst, (const char*) x[k] + o * g->part[k] * size, g->part[k] * size);
      dst += g->part[k] * size;
    }
  }
}

/* n copies of the element pattern at y. */
static void fill(const struct pqnn_layout_geometry* g, size_t n, char* y) {
  switch (g->element_size) {
    case 4: {
      uint32_t v;
      memcpy(&v, g->pad_pattern, 4);
      uint32_t* y4 = (uint32_t*) (void*) y;
      for (size_t i = 0; i < n; i++) y4[i] = v;
      break;
    }
    case 2: {
      uint16_t v;
      memcpy(&v, g->pad_pattern, 2);
      uint16_t* y2 = (uint16_t*) (void*) y;
      for (size_t i = 0; i < n; i++) y2[i] = v;
      break;
    }
    default:
      memset(y, g->pad_pattern[0], n);
      break;
  }
}

void pqnn_layout_pad(const struct pqnn_layout_geometry* g, size_t start, size_t end,
    const void* x, void* y) {
  const size_t last = g->num_dims - 1, n = g->dims[last], size = g->element_size;
  const size_t pre = g->pre[last], in_n = g->in_dims[last];
  for (size_t row = start; row < end; row++) {
    char* dst = (char*) y + row * n * size;
    /* The input row this output row copies, if it is not in the padding. */
    size_t offset = 0, stride = in_n, rest = row;
    bool inside = true;
    for (size_t d = last; d-- > 0;) {
      const size_t i = rest % g->dims[d];
      rest /= g->dims[d];
      if (i < g->pre[d] || i - g->pre[d] >= g->in_dims[d]) {
        inside = false;
        break;
      }
      offset += (i - g->pre[d]) * stride;
      stride *= g->in_dims[d];
    }
    if (!inside) {
      fill(g, n, dst);
      continue;
    }
    fill(g, pre, dst);
    memcpy(dst + pre * size, (const char*) x + offset * size, in_n * size);
    fill(g, n - pre - in_n, dst + (pre + in_n) * size);
  }
}
