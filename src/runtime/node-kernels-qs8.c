/*
 * qs8 node kernels: broadcast add2 and global average pooling through the qs8 microkernels
 * (pqnn_get_qs8_elementwise_config: qs8-vadd / qs8-vaddc / qs8-gavgpool, contracts in
 * src/microkernels.h), and the f32 <-> qs8 boundary converts, whose arithmetic is in float,
 * rounded to nearest even with saturation exactly as written in node-kernels.h (so a float
 * reference is bit-exact). Gathered blocks are staged in local arrays, which makes the in-place
 * cases (y == x, y == non-broadcast a or b) safe.
 */
#include <stdbool.h>
#include <string.h>

#include "configs/config.h"
#include "qs8-params.h"
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

/* Whether an input's strides are the dense output strides (dims of size 1 may have any). */
static bool dense(const struct pqnn_add2_shape* s, const size_t stride[4]) {
  size_t expected = 1;
  for (int d = 3; d >= 0; d--) {
    if (s->shape[d] != 1 && stride[d] != expected) {
      return false;
    }
    expected *= s->shape[d];
  }
  return true;
}

/* add2 through the qs8 vadd kernels (integer contract: src/microkernels.h VADD): a row at a
 * time when both inputs are contiguous or broadcast along the last dim, else through gathered
 * blocks. */
void pqnn_node_qs8_add2(const struct pqnn_add2_shape* s, size_t row_start, size_t row_end,
    const int8_t* a, int32_t a_zero_point, float a_scale, const int8_t* b, int32_t b_zero_point, float b_scale,
    int8_t* y, int32_t y_zero_point, float y_scale, int8_t qmin, int8_t qmax) {
  const struct pqnn_qs8_elementwise_config* k = pqnn_get_qs8_elementwise_config();
  struct pqnn_qs8_add_params p;   /* a first */
  struct pqnn_qs8_add_params pt;  /* b first (broadcast a: b + a) */
  pqnn_init_qs8_add_params(&p, a_zero_point, a_scale, b_zero_point, b_scale, y_zero_point, y_scale, qmin, qmax);
  pqnn_init_qs8_add_params(&pt, b_zero_point, b_scale, a_zero_point, a_scale, y_zero_point, y_scale, qmin, qmax);
  const size_t n = s->shape[3];
  const size_t sa = s->a_stride[3];
  const size_t sb = s->b_stride[3];
  if (row_start < row_end && dense(s, s->a_stride) && dense(s, s->b_stride)) {
    /* Same shape, both dense: the rows are one contiguous run. */
    const size_t offset = row_start * n;
    k->vadd((row_end - row_start) * n, a + offset, b + offset, y + offset, &p);
    return;
  }
  for (size_t row = row_start; row < row_end; row++) {
    const size_t i2 = row % s->shape[2];
    const size_t i01 = row / s->shape[2];
    const size_t i1 = i01 % s->shape[1];
    const size_t i0 = i01 / s->shape[1];
    /* Offsets, not pointers: an input with nothing to read may be NULL. */
    const size_t ao = i0 * s->a_stride[0] + i1 * s->a_stride[1] + i2 * s->a_stride[2];
    const size_t bo = i0 * s->b_stride[0] + i1 * s->b_stride[1] + i2 * s->b_stride[2];
    const size_t yo = row * n;
    if (n == 0) {
      continue;
    } else if (sa == 1 && sb == 1) {
      k->vadd(n, a + ao, b + bo, y + yo, &p);
    } else if (sa == 1 && sb == 0) {
      k->vaddc(n, a + ao, b + bo, y + yo, &p);
    } else if (sa == 0 && sb == 1) {
      k->vaddc(n, b + bo, a + ao, y + yo, &pt);
    } else {
      int8_t ta[kBlock];
      int8_t tb[kBlock];
      for (size_t i = 0; i < n; i += kBlock) {
        const size_t nb = pqnn_node_block_size(n, i);
        load_strided(nb, a + ao + i * sa, sa, ta);
        load_strided(nb, b + bo + i * sb, sb, tb);
        k->vadd(nb, ta, tb, y + yo + i, &p);
      }
    }
  }
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
  if (channels == 0) {
    return;
  }
  if (pixels != 0 && pixels <= PQNN_QS8_GAVGPOOL_MAX_PIXELS) {
    /* The kernel's int32 sums are exact: the same result as the int64 path below. */
    const struct pqnn_qs8_elementwise_config* k = pqnn_get_qs8_elementwise_config();
    struct pqnn_qs8_gavgpool_params p;
    pqnn_init_qs8_gavgpool_params(&p, pixels, x_zero_point, x_scale, y_zero_point, y_scale, qmin, qmax);
    for (size_t n = n_start; n < n_end; n++) {
      k->gavgpool(pixels, channels, x + n * pixels * channels, channels, y + n * channels, &p);
    }
    return;
  }
  /* No pixels (the zero point), or more than an int32 sum holds: int64 sums of int32 chunks. */
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
