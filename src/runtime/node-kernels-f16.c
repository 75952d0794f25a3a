/*
 * f16 node kernels: each block of PQNN_NODE_BLOCK half-precision elements is widened to f32 with
 * the library's convert kernel (exact), computed with the same f32 block math as the f32 kernels
 * (node-kernels-blocks.h), and rounded back to f16 once (round to nearest even). Contracts:
 * node-kernels.h. The staging buffers are read completely before a block is written, so the
 * in-place cases (y == x) are safe.
 */
#include <math.h>
#include <string.h>

#include <fp16.h>

#include "configs/config.h"
#include "runtime/node-kernels-blocks.h"
#include "runtime/node-kernels-elementwise.h"
#include "runtime/node-kernels.h"

enum { kBlock = PQNN_NODE_BLOCK };

/* add2 is the binary add kernel (one walk and one strided loader for every binary op). */
void pqnn_node_f16_add2(const struct pqnn_add2_shape* s, size_t row_start, size_t row_end,
    const uint16_t* a, const uint16_t* b, uint16_t* y, float min, float max) {
  pqnn_node_f16_binary(pqnn_binary_add, s, row_start, row_end, a, b, y, min, max);
}

void pqnn_node_f16_global_average_pooling(size_t n_start, size_t n_end, size_t pixels, size_t channels,
    const uint16_t* x, uint16_t* y, float min, float max) {
  const struct pqnn_convert_config* cc = pqnn_get_convert_config();
  const float scale = pixels != 0 ? 1.0f / (float) pixels : 0.0f;
  float acc[kBlock];
  float t[kBlock];
  for (size_t n = n_start; n < n_end; n++) {
    /* Offsets, not pointers: x and y may be NULL when there is nothing to read or write. */
    const size_t xn = n * pixels * channels;
    const size_t yn = n * channels;
    for (size_t c = 0; c < channels; c += kBlock) {
      const size_t nb = pqnn_node_block_size(channels, c);
      pqnn_node_fill_block(nb, 0.0f, acc);
      for (size_t p = 0; p < pixels; p++) {
        cc->f16_f32(nb, x + xn + p * channels + c, t);
        if (nb == kBlock) {
          pqnn_node_add_block(kBlock, t, acc);
        } else {
          pqnn_node_add_block(nb, t, acc);
        }
      }
      pqnn_node_scale_clamp_block(nb, acc, scale, t, min, max);
      cc->f32_f16(nb, t, y + yn + c);
    }
  }
}

void pqnn_node_f16_max_pooling(const struct pqnn_pool_geometry* g, size_t oy_start, size_t oy_end,
    const uint16_t* x, uint16_t* y, float min, float max) {
  const struct pqnn_convert_config* cc = pqnn_get_convert_config();
  const size_t channels = g->channels;
  float acc[kBlock];
  float t[kBlock];
  for (size_t oy = oy_start; oy < oy_end; oy++) {
    size_t ky0, ky1;
    pqnn_pool_taps(oy, g->stride_height, g->dilation_height, g->pad_top, g->pool_height, g->input_height, &ky0, &ky1);
    for (size_t ox = 0; ox < g->output_width; ox++) {
      size_t kx0, kx1;
      pqnn_pool_taps(ox, g->stride_width, g->dilation_width, g->pad_left, g->pool_width, g->input_width, &kx0, &kx1);
      const size_t out = (oy * g->output_width + ox) * channels;
      for (size_t c = 0; c < channels; c += kBlock) {
        const size_t nb = pqnn_node_block_size(channels, c);
        pqnn_node_fill_block(nb, -INFINITY, acc);
        for (size_t ky = ky0; ky < ky1; ky++) {
          const size_t iy = oy * g->stride_height + ky * g->dilation_height - g->pad_top;
          for (size_t kx = kx0; kx < kx1; kx++) {
            const size_t ix = ox * g->stride_width + kx * g->dilation_width - g->pad_left;
            cc->f16_f32(nb, x + (iy * g->input_width + ix) * channels + c, t);
            pqnn_node_max_block(nb, t, acc);
          }
        }
        pqnn_node_clamp_block(nb, acc, acc, min, max);
        cc->f32_f16(nb, acc, y + out + c);
      }
    }
  }
}

/* t = exp(widened x - m) for one block (the exp kernel of the tier, as in f32). */
static inline void exp_block(const struct pqnn_convert_config* cc,
    const struct pqnn_elementwise_config* ec, size_t n, const uint16_t* x, float m, float* t) {
  static const struct pqnn_f32_elementwise_params params = {-INFINITY, INFINITY, 0.0f, 0.0f};
  cc->f16_f32(n, x, t);
  for (size_t j = 0; j < n; j++) {
    t[j] -= m;
  }
  ec->unary[pqnn_unary_exp](n, t, t, &params);
}

void pqnn_node_f16_softmax(size_t row_start, size_t row_end, size_t channels, const uint16_t* x, uint16_t* y) {
  const struct pqnn_convert_config* cc = pqnn_get_convert_config();
  const struct pqnn_elementwise_config* ec = pqnn_get_elementwise_config();
  float t[kBlock];
  float lanes[kBlock];
  for (size_t r = row_start; r < row_end && channels != 0; r++) {
    const uint16_t* xr = x + r * channels;
    uint16_t* yr = y + r * channels;
    /* Max, NaN ignored (a NaN then poisons the sum). */
    pqnn_node_fill_block(kBlock, -INFINITY, lanes);
    for (size_t i = 0; i < channels; i += kBlock) {
      const size_t nb = pqnn_node_block_size(channels, i);
      cc->f16_f32(nb, xr + i, t);
      for (size_t j = 0; j < nb; j++) {
        lanes[j] = t[j] > lanes[j] ? t[j] : lanes[j];
      }
    }
    float m = lanes[0];
    for (size_t j = 1; j < kBlock; j++) {
      m = lanes[j] > m ? lanes[j] : m;
    }
    /* Sum of the exponentials. */
    pqnn_node_fill_block(kBlock, 0.0f, lanes);
    for (size_t i = 0; i < channels; i += kBlock) {
      const size_t nb = pqnn_node_block_size(channels, i);
      exp_block(cc, ec, nb, xr + i, m, t);
      pqnn_node_add_block(nb, t, lanes);
    }
    float sum = 0.0f;
    for (size_t j = 0; j < kBlock; j++) {
      sum += lanes[j];
    }
    const float inv = 1.0f / sum;
    /* Recomputed exponentials, scaled and rounded once. */
    for (size_t i = 0; i < channels; i += kBlock) {
      const size_t nb = pqnn_node_block_size(channels, i);
      exp_block(cc, ec, nb, xr + i, m, t);
      pqnn_node_scale_clamp_block(nb, t, inv, t, -INFINITY, INFINITY);
      cc->f32_f16(nb, t, yr + i);
    }
  }
}
