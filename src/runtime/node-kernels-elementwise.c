/*
 * Elementwise binary and unary node kernels, f32 and f16 (contracts:
 * node-kernels-elementwise.h). One f32 block function per operator family; the binary
 * kernels (add2's f32 / f16 kernels among them) walk the broadcast shape with
 * pqnn_add2_walk and stage strided or broadcast operands into block-local arrays, the f16 kernels widen each block, run the same f32 block and round once.
 * Full blocks pass the constant PQNN_NODE_BLOCK so the simple loops are vectorized.
 */
#include <math.h>
#include <string.h>

#include <fp16.h>

#include "configs/config.h"
#include "runtime/node-kernels-blocks.h"
#include "runtime/node-kernels-elementwise.h"

enum { kBlock = PQNN_NODE_BLOCK };

/* ---- binary: y = clamp(a OP b); a, b are block-local, y may be the output ---- */

static inline float clamp1(float v, float min, float max) {
  v = v < min ? min : v;
  return v > max ? max : v;
}

#define BINARY_LOOP(expr) \
  for (size_t j = 0; j < n; j++) { \
    const float u = a[j], v = b[j]; \
    y[j] = clamp1(expr, min, max); \
  }

static inline void binary_block(enum pqnn_binary_operator op, size_t n, const float* a,
    const float* b, float* y, float min, float max) {
  switch (op) {
    case pqnn_binary_add: BINARY_LOOP(u + v) break;
    case pqnn_binary_subtract: BINARY_LOOP(u - v) break;
    case pqnn_binary_multiply: BINARY_LOOP(u * v) break;
    case pqnn_binary_divide: BINARY_LOOP(u / v) break;
    /* NaN-propagating: a NaN u is kept by the test, a NaN v fails it and is taken. */
    case pqnn_binary_maximum: BINARY_LOOP((u > v || u != u) ? u : v) break;
    case pqnn_binary_minimum: BINARY_LOOP((u < v || u != u) ? u : v) break;
    default: break;
  }
}

static inline void binary_any(enum pqnn_binary_operator op, size_t n, const float* a,
    const float* b, float* y, float min, float max) {
  if (n == kBlock) {
    binary_block(op, kBlock, a, b, y, min, max);
  } else {
    binary_block(op, n, a, b, y, min, max);
  }
}

/* t[0..n) = p[j * stride] (n <= PQNN_NODE_BLOCK): a copy, a broadcast or a gather; the f16
 * variant widens to f32 with the convert kernels (exact). */
static inline void load_strided_f32(size_t n, const float* p, size_t stride, float* t) {
  if (stride == 1) {
    memcpy(t, p, n * sizeof(float));
  } else if (stride == 0) {
    pqnn_node_fill_block(n, *p, t);
  } else {
    for (size_t j = 0; j < n; j++) t[j] = p[j * stride];
  }
}

static inline void load_strided_f16(const struct pqnn_convert_config* cc, size_t n,
    const uint16_t* p, size_t stride, float* t) {
  if (stride == 1) {
    cc->f16_f32(n, p, t);
  } else if (stride == 0) {
    pqnn_node_fill_block(n, fp16_ieee_to_fp32_value(*p), t);
  } else {
    uint16_t h[kBlock];
    for (size_t j = 0; j < n; j++) h[j] = p[j * stride];
    cc->f16_f32(n, h, t);
  }
}

struct binary_context {
  enum pqnn_binary_operator op;
  const struct pqnn_convert_config* cc;  /* f16 only */
  const struct pqnn_add2_shape* s;
  const void* a;
  const void* b;
  void* y;
  float min, max;
};

static void binary_f32_block(void* ctx, size_t a_offset, size_t b_offset, size_t y_offset, size_t n) {
  const struct binary_context* c = (const struct binary_context*) ctx;
  float ta[kBlock], tb[kBlock];
  load_strided_f32(n, (const float*) c->a + a_offset, c->s->a_stride[3], ta);
  load_strided_f32(n, (const float*) c->b + b_offset, c->s->b_stride[3], tb);
  binary_any(c->op, n, ta, tb, (float*) c->y + y_offset, c->min, c->max);
}

static void binary_f16_block(void* ctx, size_t a_offset, size_t b_offset, size_t y_offset, size_t n) {
  const struct binary_context* c = (const struct binary_context*) ctx;
  float ta[kBlock], tb[kBlock];
  load_strided_f16(c->cc, n, (const uint16_t*) c->a + a_offset, c->s->a_stride[3], ta);
  load_strided_f16(c->cc, n, (const uint16_t*) c->b + b_offset, c->s->b_stride[3], tb);
  binary_any(c->op, n, ta, tb, ta, c->min, c->max);
  c->cc->f32_f16(n, ta, (uint16_t*) c->y + y_offset);
}

void pqnn_node_f32_binary(enum pqnn_binary_operator op, const struct pqnn_add2_shape* s,
    size_t row_start, size_t row_end, const float* a, const float* b, float* y, float min, float max) {
  struct binary_context c = {op, NULL, s, a, b, y, min, max};
  pqnn_add2_walk(s, row_start, row_end, binary_f32_block, &c);
}

void pqnn_node_f16_binary(enum pqnn_binary_operator op, const struct pqnn_add2_shape* s,
    size_t row_start, size_t row_end, const uint16_t* a, const uint16_t* b, uint16_t* y, float min,
    float max) {
  struct binary_context c = {op, pqnn_get_convert_config(), s, a, b, y, min, max};
  pqnn_add2_walk(s, row_start, row_end, binary_f16_block, &c);
}

/* ---- unary: t = OP(t) in place on a block-local array ---- */

/* 1 / (1 + exp(-v)) without overflow: with e = exp(-|v|) <= 1, e / (1 + e) for v < 0. */
static inline float sigmoid(float v) {
  const float e = expf(-fabsf(v));
  const float r = 1.0f / (1.0f + e);
  return v < 0.0f ? e * r : r;
}

#define UNARY_LOOP(expr) \
  for (size_t j = 0; j < n; j++) { \
    const float v = t[j]; \
    t[j] = (expr); \
  }

static inline void unary_block(enum pqnn_unary_operator op, const struct pqnn_unary_params* p,
    size_t n, float* t) {
  const float alpha = p->alpha, beta = p->beta;
  switch (op) {
    case pqnn_unary_relu: UNARY_LOOP(v < 0.0f ? 0.0f : v) break;
    case pqnn_unary_leaky_relu: UNARY_LOOP(v < 0.0f ? alpha * v : v) break;
    case pqnn_unary_sigmoid: UNARY_LOOP(sigmoid(v)) break;
    case pqnn_unary_tanh: UNARY_LOOP(tanhf(v)) break;
    case pqnn_unary_hardsigmoid: UNARY_LOOP(clamp1(alpha * v + beta, 0.0f, 1.0f)) break;
    case pqnn_unary_hardswish: UNARY_LOOP(v * clamp1(v + 3.0f, 0.0f, 6.0f) / 6.0f) break;
    case pqnn_unary_swish: UNARY_LOOP(v * sigmoid(v)) break;
    case pqnn_unary_exp: UNARY_LOOP(expf(v)) break;
    case pqnn_unary_log: UNARY_LOOP(logf(v)) break;
    case pqnn_unary_sqrt: UNARY_LOOP(sqrtf(v)) break;
    case pqnn_unary_square: UNARY_LOOP(v * v) break;
    case pqnn_unary_abs: UNARY_LOOP(fabsf(v)) break;
    case pqnn_unary_negate: UNARY_LOOP(-v) break;
    case pqnn_unary_erf: UNARY_LOOP(erff(v)) break;
    default: break;
  }
}

void pqnn_node_f32_unary(enum pqnn_unary_operator op, const struct pqnn_unary_params* p,
    size_t n, const float* x, float* y) {
  float t[kBlock];
  for (size_t i = 0; i < n; i += kBlock) {
    const size_t nb = pqnn_node_block_size(n, i);
    memcpy(t, x + i, nb * sizeof(float));
    if (nb == kBlock) {
      unary_block(op, p, kBlock, t);
    } else {
      unary_block(op, p, nb, t);
    }
    memcpy(y + i, t, nb * sizeof(float));
  }
}

void pqnn_node_f16_unary(enum pqnn_unary_operator op, const struct pqnn_unary_params* p,
    size_t n, const uint16_t* x, uint16_t* y) {
  const struct pqnn_convert_config* cc = pqnn_get_convert_config();
  float t[kBlock];
  for (size_t i = 0; i < n; i += kBlock) {
    const size_t nb = pqnn_node_block_size(n, i);
    cc->f16_f32(nb, x + i, t);
    if (nb == kBlock) {
      unary_block(op, p, kBlock, t);
    } else {
      unary_block(op, p, nb, t);
    }
    cc->f32_f16(nb, t, y + i);
  }
}
