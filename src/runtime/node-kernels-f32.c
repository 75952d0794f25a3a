/*
 * f32 node kernels: broadcast add2, global average / max pooling, softmax (its row kernels;
 * clamp: the clamp microkernel, node-kernels-elementwise.c).
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

/* Sums of [start, start + n) channels of `pixels` rows, channels apart, in double. */
static void sum_pixels_f64(size_t n, size_t pixels, size_t channels, const float* x,
    double* acc) {
  for (size_t j = 0; j < n; j++) acc[j] = 0.0;
  for (size_t p = 0; p < pixels; p++) {
    const float* row = x + p * channels;
    for (size_t j = 0; j < n; j++) acc[j] += (double) row[j];
  }
}

void pqnn_node_f32_global_average_pooling_f64(size_t n_start, size_t n_end, size_t pixels,
    size_t channels, const float* x, float* y, float min, float max) {
  const double scale = pixels != 0 ? 1.0 / (double) pixels : 0.0;
  double acc[kBlock];
  float mean[kBlock];
  for (size_t n = n_start; n < n_end; n++) {
    const size_t xn = n * pixels * channels;
    const size_t yn = n * channels;
    for (size_t c = 0; c < channels; c += kBlock) {
      const size_t nb = pqnn_node_block_size(channels, c);
      if (nb == kBlock) {
        sum_pixels_f64(kBlock, pixels, channels, x + xn + c, acc);
      } else {
        sum_pixels_f64(nb, pixels, channels, x + xn + c, acc);
      }
      for (size_t j = 0; j < nb; j++) mean[j] = (float) (acc[j] * scale);
      pqnn_node_clamp_block(nb, mean, y + yn + c, min, max);
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

/* Per row, the tier's softmax row kernels (src/configs/softmax-config.c): m = max (rmax),
 * y = exp(x - m) with their sum s (expsum; y may equal x), then y *= 1 / s (the elementwise
 * mulc, exact). Before, the max and the sum were C passes over 64-element blocks around
 * whole-row subc and exp calls: five passes over the row where these are three. */
void pqnn_node_f32_softmax(size_t row_start, size_t row_end, size_t channels, const float* x, float* y) {
  static const struct pqnn_f32_elementwise_params params = {-INFINITY, INFINITY, 0.0f, 0.0f};
  const struct pqnn_softmax_config* sc = pqnn_get_softmax_config();
  const pqnn_vbinary_ukernel_fn mulc = pqnn_get_elementwise_config()->vc[pqnn_binary_multiply];
  for (size_t r = row_start; r < row_end && channels != 0; r++) {
    const float* xr = x + r * channels;
    float* yr = y + r * channels;
    float m, sum;
    sc->rmax(channels, xr, &m);
    sc->expsum(channels, xr, m, yr, &sum);
    const float inv = 1.0f / sum;
    mulc(channels, yr, &inv, yr, &params);
  }
}
