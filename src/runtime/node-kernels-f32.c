/*
 * f32 node kernels: broadcast add2, global average / max pooling, softmax (clamp: the clamp
 * microkernel, node-kernels-elementwise.c).
 * Contracts: node-kernels.h. Every loop runs over blocks of PQNN_NODE_BLOCK elements staged in
 * local arrays (full blocks with a constant trip count, so gcc -O2 vectorizes them too), which
 * also makes the in-place cases (y == x) safe without restrict.
 */
#include <math.h>

#include "configs/config.h"
#include "runtime/node-kernels-blocks.h"
#include "runtime/node-kernels-elementwise.h"
#include "runtime/node-kernels.h"

enum { kBlock = PQNN_NODE_BLOCK };

/* add2 is the binary add kernel (one walk and one strided loader for every binary op). */
void pqnn_node_f32_add2(const struct pqnn_add2_shape* s, size_t row_start, size_t row_end,
    const float* a, const float* b, float* y, float min, float max) {
  pqnn_node_f32_binary(pqnn_binary_add, s, row_start, row_end, a, b, y, min, max);
}

void pqnn_node_f32_global_average_pooling(size_t n_start, size_t n_end, size_t pixels, size_t channels,
    const float* x, float* y, float min, float max) {
  const float scale = pixels != 0 ? 1.0f / (float) pixels : 0.0f;
  float acc[kBlock];
  for (size_t n = n_start; n < n_end; n++) {
    /* Offsets, not pointers: x and y may be NULL when there is nothing to read or write. */
    const size_t xn = n * pixels * channels;
    const size_t yn = n * channels;
    for (size_t c = 0; c < channels; c += kBlock) {
      const size_t nb = pqnn_node_block_size(channels, c);
      if (nb == kBlock) {
        pqnn_node_fill_block(kBlock, 0.0f, acc);
        for (size_t p = 0; p < pixels; p++) {
          pqnn_node_add_block(kBlock, x + xn + p * channels + c, acc);
        }
        pqnn_node_scale_clamp_block(kBlock, acc, scale, y + yn + c, min, max);
      } else {
        pqnn_node_fill_block(nb, 0.0f, acc);
        for (size_t p = 0; p < pixels; p++) {
          pqnn_node_add_block(nb, x + xn + p * channels + c, acc);
        }
        pqnn_node_scale_clamp_block(nb, acc, scale, y + yn + c, min, max);
      }
    }
  }
}

/* Max over the window of output pixel (oy, ox), channels [c, c + nb), into acc. */
static inline void window_max(const struct pqnn_pool_geometry* g, size_t oy, size_t ox, size_t c,
    size_t nb, const float* x, float* acc) {
  size_t ky0, ky1, kx0, kx1;
  pqnn_pool_taps(oy, g->stride_height, g->dilation_height, g->pad_top, g->pool_height, g->input_height, &ky0, &ky1);
  pqnn_pool_taps(ox, g->stride_width, g->dilation_width, g->pad_left, g->pool_width, g->input_width, &kx0, &kx1);
  pqnn_node_fill_block(nb, -INFINITY, acc);
  for (size_t ky = ky0; ky < ky1; ky++) {
    const size_t iy = oy * g->stride_height + ky * g->dilation_height - g->pad_top;
    for (size_t kx = kx0; kx < kx1; kx++) {
      const size_t ix = ox * g->stride_width + kx * g->dilation_width - g->pad_left;
      const float* p = x + (iy * g->input_width + ix) * g->channels + c;
      if (nb == kBlock) {
        pqnn_node_max_block(kBlock, p, acc);
      } else {
        pqnn_node_max_block(nb, p, acc);
      }
    }
  }
}

void pqnn_node_f32_max_pooling(const struct pqnn_pool_geometry* g, size_t oy_start, size_t oy_end,
    const float* x, float* y, float min, float max) {
  const size_t channels = g->channels;
  float acc[kBlock];
  for (size_t oy = oy_start; oy < oy_end; oy++) {
    for (size_t ox = 0; ox < g->output_width; ox++) {
      const size_t out = (oy * g->output_width + ox) * channels;
      for (size_t c = 0; c < channels; c += kBlock) {
        const size_t nb = pqnn_node_block_size(channels, c);
        window_max(g, oy, ox, c, nb, x, acc);
        if (nb == kBlock) {
          pqnn_node_clamp_block(kBlock, acc, y + out + c, min, max);
        } else {
          pqnn_node_clamp_block(nb, acc, y + out + c, min, max);
        }
      }
    }
  }
}

/* Max of a row, NaN ignored (a NaN then poisons the exponentials). */
static float row_max(size_t n, const float* x) {
  float lanes[kBlock];
  pqnn_node_fill_block(kBlock, -INFINITY, lanes);
  size_t i = 0;
  for (; i + kBlock <= n; i += kBlock) {
    for (size_t j = 0; j < kBlock; j++) {
      const float v = x[i + j];
      lanes[j] = v > lanes[j] ? v : lanes[j];
    }
  }
  for (size_t j = 0; i + j < n; j++) {
    const float v = x[i + j];
    lanes[j] = v > lanes[j] ? v : lanes[j];
  }
  float m = lanes[0];
  for (size_t j = 1; j < kBlock; j++) {
    m = lanes[j] > m ? lanes[j] : m;
  }
  return m;
}

/* Per row: the max (C, blocks), then whole-row calls of the tier's kernels: y = x - m (subc,
 * exact: the bits of the C subtraction; y may equal x), exp in place, the partial sums (C,
 * blocks: the contract's order), y *= 1 / s (mulc, exact). On 64-element blocks through a
 * staging copy with the subtraction and scale in C, PaddleOCR rec's 40 x 6625 softmax spent
 * 60% of its time in the exp kernel's per-call setup and tails. */
void pqnn_node_f32_softmax(size_t row_start, size_t row_end, size_t channels, const float* x, float* y) {
  static const struct pqnn_f32_elementwise_params params = {-INFINITY, INFINITY, 0.0f, 0.0f};
  const struct pqnn_elementwise_config* ec = pqnn_get_elementwise_config();
  const pqnn_vbinary_ukernel_fn subc = ec->vc[pqnn_binary_subtract];
  const pqnn_vunary_ukernel_fn exp_row = ec->unary[pqnn_unary_exp];
  const pqnn_vbinary_ukernel_fn mulc = ec->vc[pqnn_binary_multiply];
  float sums[kBlock];
  for (size_t r = row_start; r < row_end && channels != 0; r++) {
    const float* xr = x + r * channels;
    float* yr = y + r * channels;
    const float m = row_max(channels, xr);
    subc(channels, xr, &m, yr, &params);
    exp_row(channels, yr, yr, &params);
    pqnn_node_fill_block(kBlock, 0.0f, sums);
    for (size_t i = 0; i < channels; i += kBlock) {
      const size_t nb = pqnn_node_block_size(channels, i);
      if (nb == kBlock) {
        pqnn_node_add_block(kBlock, yr + i, sums);
      } else {
        pqnn_node_add_block(nb, yr + i, sums);
      }
    }
    float sum = 0.0f;
    for (size_t j = 0; j < kBlock; j++) {
      sum += sums[j];
    }
    const float inv = 1.0f / sum;
    mulc(channels, yr, &inv, yr, &params);
  }
}
