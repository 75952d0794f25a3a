/*
 * qs8 node kernels: broadcast add2, global average pooling, and the f32 <-> qs8 boundary
 * converts. Arithmetic in float, rounded to nearest even with saturation exactly as written in
 * node-kernels.h (so a float reference is bit-exact). Blocks are staged in local arrays, which
 * makes the in-place cases (y == x, y == non-broadcast a or b) safe.
 */
#include <string.h>

#include "runtime/node-kernels-blocks.h"
#include "runtime/node-kernels.h"

enum { kBlock = PQNN_NODE_BLOCK };

/* t[0..n) = p[j * stride]: a copy, a broadcast or a gather. */
static inline void load_strided(size_t n, const int8_t* p, size_t stride, int8_t* t) {
  if (stride == 1) {
    memcpy(t, p, n);
  } else if (stride == 0) {
    memset(t, *p, n);
  } else {
    for (size_t j = 0; j < n; j++) {
      t[j] = p[j * stride];
    }
  }
}

/* f = (a - za) * ma + (b - zb) * mb. */
static inline void add_block(size_t n, const int8_t* a, int32_t za, float ma, const int8_t* b, int32_t zb,
    float mb, float* f) {
  for (size_t j = 0; j < n; j++) {
    const float fa = (float) ((int32_t) a[j] - za) * ma;
    const float fb = (float) ((int32_t) b[j] - zb) * mb;
    f[j] = fa + fb;
  }
}

struct add2_context {
  const struct pqnn_add2_shape* s;
  const int8_t* a;
  const int8_t* b;
  int8_t* y;
  int32_t a_zero_point, b_zero_point, y_zero_point;
  float a_multiplier, b_multiplier, lo, hi;
};

static void add2_block(void* ctx, size_t a_offset, size_t b_offset, size_t y_offset, size_t n) {
  const struct add2_context* c = (const struct add2_context*) ctx;
  int8_t ta[kBlock];
  int8_t tb[kBlock];
  float f[kBlock];
  load_strided(n, c->a + a_offset, c->s->a_stride[3], ta);
  load_strided(n, c->b + b_offset, c->s->b_stride[3], tb);
  if (n == kBlock) {
    add_block(kBlock, ta, c->a_zero_point, c->a_multiplier, tb, c->b_zero_point, c->b_multiplier, f);
    pqnn_node_qs8_round_block(kBlock, f, c->y + y_offset, c->lo, c->hi, c->y_zero_point);
  } else {
    add_block(n, ta, c->a_zero_point, c->a_multiplier, tb, c->b_zero_point, c->b_multiplier, f);
    pqnn_node_qs8_round_block(n, f, c->y + y_offset, c->lo, c->hi, c->y_zero_point);
  }
}

void pqnn_node_qs8_add2(const struct pqnn_add2_shape* s, size_t row_start, size_t row_end,
    const int8_t* a, int32_t a_zero_point, float a_scale, const int8_t* b, int32_t b_zero_point, float b_scale,
    int8_t* y, int32_t y_zero_point, float y_scale, int8_t qmin, int8_t qmax) {
  struct add2_context c = {
    .s = s, .a = a, .b = b, .y = y,
    .a_zero_point = a_zero_point, .b_zero_point = b_zero_point, .y_zero_point = y_zero_point,
    .a_multiplier = a_scale / y_scale, .b_multiplier = b_scale / y_scale,
    .lo = (float) qmin - (float) y_zero_point, .hi = (float) qmax - (float) y_zero_point,
  };
  pqnn_add2_walk(s, row_start, row_end, add2_block, &c);
}

/* acc += x (int32 lanes). */
static inline void accumulate_block(size_t n, const int8_t* x, int32_t* acc) {
  for (size_t j = 0; j < n; j++) {
    acc[j] += (int32_t) x[j];
  }
}

/* Pixels summed in int32 before flushing to int64: 2^23 * 128 < 2^31. */
#define PQNN_GAVGPOOL_CHUNK ((size_t) 1 << 23)

void pqnn_node_qs8_global_average_pooling(size_t n_start, size_t n_end, size_t pixels, size_t channels,
    const int8_t* x, int32_t x_zero_point, float x_scale, int8_t* y, int32_t y_zero_point, float y_scale,
    int8_t qmin, int8_t qmax) {
  const float m = pixels != 0 ? x_scale / (y_scale * (float) pixels) : 0.0f;
  const int64_t bias = (int64_t) pixels * (int64_t) x_zero_point;
  const float lo = (float) qmin - (float) y_zero_point;
  const float hi = (float) qmax - (float) y_zero_point;
  int32_t acc[kBlock];
  int64_t total[kBlock];
  float f[kBlock];
  for (size_t n = n_start; n < n_end; n++) {
    /* Offsets, not pointers: x and y may be NULL when there is nothing to read or write. */
    const size_t xn = n * pixels * channels;
    const size_t yn = n * channels;
    for (size_t c = 0; c < channels; c += kBlock) {
      const size_t nb = pqnn_node_block_size(channels, c);
      memset(total, 0, sizeof(total));
      for (size_t p0 = 0; p0 < pixels; p0 += PQNN_GAVGPOOL_CHUNK) {
        const size_t p1 = pixels - p0 < PQNN_GAVGPOOL_CHUNK ? pixels : p0 + PQNN_GAVGPOOL_CHUNK;
        memset(acc, 0, sizeof(acc));
        for (size_t p = p0; p < p1; p++) {
          if (nb == kBlock) {
            accumulate_block(kBlock, x + xn + p * channels + c, acc);
          } else {
            accumulate_block(nb, x + xn + p * channels + c, acc);
          }
        }
        for (size_t j = 0; j < nb; j++) {
          total[j] += acc[j];
        }
      }
      for (size_t j = 0; j < nb; j++) {
        f[j] = (float) (total[j] - bias) * m;
      }
      pqnn_node_qs8_round_block(nb, f, y + yn + c, lo, hi, y_zero_point);
    }
  }
}

static inline void quantize_block(size_t n, const float* x, float scale, float* f) {
  for (size_t j = 0; j < n; j++) {
    f[j] = x[j] / scale;
  }
}

void pqnn_node_f32_qs8_quantize(size_t n, const float* x, int8_t* y, int32_t zero_point, float scale) {
  const float lo = -128.0f - (float) zero_point;
  const float hi = 127.0f - (float) zero_point;
  float f[kBlock];
  for (size_t i = 0; i < n; i += kBlock) {
    const size_t nb = pqnn_node_block_size(n, i);
    if (nb == kBlock) {
      quantize_block(kBlock, x + i, scale, f);
      pqnn_node_qs8_round_block(kBlock, f, y + i, lo, hi, zero_point);
    } else {
      quantize_block(nb, x + i, scale, f);
      pqnn_node_qs8_round_block(nb, f, y + i, lo, hi, zero_point);
    }
  }
}

static inline void dequantize_block(size_t n, const int8_t* x, int32_t zero_point, float scale, float* y) {
  for (size_t j = 0; j < n; j++) {
    y[j] = (float) ((int32_t) x[j] - zero_point) * scale;
  }
}

void pqnn_node_qs8_f32_dequantize(size_t n, const int8_t* x, float* y, int32_t zero_point, float scale) {
  float t[kBlock];
  for (size_t i = 0; i < n; i += kBlock) {
    const size_t nb = pqnn_node_block_size(n, i);
    if (nb == kBlock) {
      dequantize_block(kBlock, x + i, zero_point, scale, t);
    } else {
      dequantize_block(nb, x + i, zero_point, scale, t);
    }
    memcpy(y + i, t, nb * sizeof(float));
  }
}
