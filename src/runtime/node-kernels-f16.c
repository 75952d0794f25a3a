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

/* Softmax on widened blocks of kSoftmaxBlock elements through the f32 row kernels (rmax,
 * expsum: src/configs/softmax-config.c): the max of the block maxima; the sum of the block
 * sums, in block order; then each block's exponentials again (the same bits: y may equal x),
 * scaled by 1 / s (the elementwise mulc) and rounded once. */
enum { kSoftmaxBlock = 256 };

void pqnn_node_f16_softmax(size_t row_start, size_t row_end, size_t channels, const uint16_t* x, uint16_t* y) {
  static const struct pqnn_f32_elementwise_params params = {-INFINITY, INFINITY, 0.0f, 0.0f};
  const struct pqnn_convert_config* cc = pqnn_get_convert_config();
  const struct pqnn_softmax_config* sc = pqnn_get_softmax_config();
  const pqnn_vbinary_ukernel_fn mulc = pqnn_get_elementwise_config()->vc[pqnn_binary_multiply];
  float t[kSoftmaxBlock];
  for (size_t r = row_start; r < row_end && channels != 0; r++) {
    const uint16_t* xr = x + r * channels;
    uint16_t* yr = y + r * channels;
    float m = -INFINITY;
    for (size_t i = 0; i < channels; i += kSoftmaxBlock) {
      const size_t nb = channels - i < kSoftmaxBlock ? channels - i : kSoftmaxBlock;
      float mb;
      cc->f16_f32(nb, xr + i, t);
      sc->rmax(nb, t, &mb);
      m = mb > m ? mb : m;
    }
    float sum = 0.0f;
    for (size_t i = 0; i < channels; i += kSoftmaxBlock) {
      const size_t nb = channels - i < kSoftmaxBlock ? channels - i : kSoftmaxBlock;
      float sb;
      cc->f16_f32(nb, xr + i, t);
      sc->expsum(nb, t, m, t, &sb);
      sum += sb;
    }
    const float inv = 1.0f / sum;
    for (size_t i = 0; i < channels; i += kSoftmaxBlock) {
      const size_t nb = channels - i < kSoftmaxBlock ? channels - i : kSoftmaxBlock;
      float sb;
      cc->f16_f32(nb, xr + i, t);
      sc->expsum(nb, t, m, t, &sb);
      mulc(nb, t, &inv, t, &params);
      cc->f32_f16(nb, t, yr + i);
    }
  }
}
