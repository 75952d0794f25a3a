/*
 * Shared pieces of the node kernels (src/runtime/node-kernels-*.c): the add2 block walk, the
 * pooling window bounds, the f32 block math and the qs8 rounding step. Contracts: node-kernels.h.
 */
#ifndef PQNN_RUNTIME_NODE_KERNELS_BLOCKS_H_
#define PQNN_RUNTIME_NODE_KERNELS_BLOCKS_H_

#include <stddef.h>
#include <stdint.h>

#include "runtime/node-kernels.h"

/* Visits rows [row_start, row_end) of an add2 shape in blocks of at most PQNN_NODE_BLOCK
 * elements of the last dim: block(ctx, a_offset, b_offset, y_offset, n) with the element offsets
 * of the block's first element in a, b and the dense y (its later elements are s->a_stride[3],
 * s->b_stride[3] and 1 apart). */
typedef void (*pqnn_add2_block_fn)(void* ctx, size_t a_offset, size_t b_offset, size_t y_offset, size_t n);
static inline void pqnn_add2_walk(const struct pqnn_add2_shape* s, size_t row_start, size_t row_end,
    pqnn_add2_block_fn block, void* ctx) {
  const size_t n = s->shape[3];
  for (size_t row = row_start; row < row_end; row++) {
    const size_t i2 = row % s->shape[2];
    const size_t i01 = row / s->shape[2];
    const size_t i1 = i01 % s->shape[1];
    const size_t i0 = i01 / s->shape[1];
    const size_t a_offset = i0 * s->a_stride[0] + i1 * s->a_stride[1] + i2 * s->a_stride[2];
    const size_t b_offset = i0 * s->b_stride[0] + i1 * s->b_stride[1] + i2 * s->b_stride[2];
    for (size_t i = 0; i < n; i += PQNN_NODE_BLOCK) {
      const size_t nb = n - i < PQNN_NODE_BLOCK ? n - i : PQNN_NODE_BLOCK;
      block(ctx, a_offset + i * s->a_stride[3], b_offset + i * s->b_stride[3], row * n + i, nb);
    }
  }
}

/* Elements of the block starting at i of n: min(n - i, PQNN_NODE_BLOCK). */
static inline size_t pqnn_node_block_size(size_t n, size_t i) {
  return n - i < PQNN_NODE_BLOCK ? n - i : PQNN_NODE_BLOCK;
}

/* ---- f32 block math shared by the f32 and f16 kernels (n <= PQNN_NODE_BLOCK; the callers
 * pass the constant PQNN_NODE_BLOCK for full blocks so these loops are vectorized). Pointers
 * may be equal (in place): every element is read before it is written. ---- */

static inline void pqnn_node_clamp_block(size_t n, const float* x, float* y, float min, float max) {
  for (size_t j = 0; j < n; j++) {
    float v = x[j];
    v = v < min ? min : v;
    v = v > max ? max : v;
    y[j] = v;
  }
}

/* acc = max(acc, x), NaN-propagating: a NaN tap makes the lane NaN for good. */
static inline void pqnn_node_max_block(size_t n, const float* x, float* acc) {
  for (size_t j = 0; j < n; j++) {
    const float v = x[j];
    const float a = acc[j];
    acc[j] = (v > a || v != v) ? v : a;
  }
}

static inline void pqnn_node_add_block(size_t n, const float* x, float* acc) {
  for (size_t j = 0; j < n; j++) {
    acc[j] += x[j];
  }
}

static inline void pqnn_node_fill_block(size_t n, float v, float* y) {
  for (size_t j = 0; j < n; j++) {
    y[j] = v;
  }
}

/* y = clamp(x * scale). */
static inline void pqnn_node_scale_clamp_block(size_t n, const float* x, float scale, float* y,
    float min, float max) {
  for (size_t j = 0; j < n; j++) {
    float v = x[j] * scale;
    v = v < min ? min : v;
    v = v > max ? max : v;
    y[j] = v;
  }
}


/* Taps k < pool of a pooling window that fall inside the input along one axis: input index
 * o * stride + k * dilation - pad must be in [0, in). Returns [*k0, *k1) (empty when k0 >= k1).
 * stride and dilation >= 1. */
static inline void pqnn_pool_taps(size_t o, uint32_t stride, uint32_t dilation, size_t pad,
    uint32_t pool, size_t in, size_t* k0, size_t* k1) {
  const size_t start = o * stride;  /* input index + pad of tap 0 */
  size_t first = 0;
  if (start < pad) {
    first = (pad - start + dilation - 1) / dilation;
  }
  size_t last = 0;  /* one past the last tap with start + k * dilation < pad + in */
  if (start < pad + in) {
    last = (pad + in - start + dilation - 1) / dilation;
  }
  *k0 = first;
  *k1 = last < pool ? last : pool;
}

/* The qs8 output step of node-kernels.h: clamp f to [lo, hi] (NaN -> lo), round to nearest
 * even with the 1.5 * 2^23 magic number, add the zero point. Applied to a block. */
static inline void pqnn_node_qs8_round_block(size_t n, const float* f, int8_t* q, float lo, float hi,
    int32_t zero_point) {
  for (size_t j = 0; j < n; j++) {
    float v = f[j];
    v = v >= lo ? v : lo;
    v = v <= hi ? v : hi;
    q[j] = (int8_t) ((int32_t) ((v + 0x1.8p23f) - 0x1.8p23f) + zero_point);
  }
}

#endif  /* PQNN_RUNTIME_NODE_KERNELS_BLOCKS_H_ */
