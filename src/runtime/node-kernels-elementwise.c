/*
 * Elementwise binary and unary node kernels, f32 and f16 (contracts:
 * node-kernels-elementwise.h). One f32 block function per operator family; the binary
 * kernels (add2's f32 / f16 kernels among them) walk the broadcast shape with
 * pqnn_add2_walk and stage strided or broadcast operands into block-local arrays, the f16 kernels widen each block, run the same f32 block and round once.
 * Full blocks pass the constant PQNN_NODE_BLOCK so the simple loops are vectorized.
 */
#include <math.h>
#include <stdbool.h>
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
  const struct pqnn_convert_config* cc;  /* f16 only */
  const struct pqnn_add2_shape* s;
  const void* a;
  const void* b;
  void* y;
  float min, max;
};

/* Per operator: the block callbacks of pqnn_add2_walk, f32 and f16. The operands are
 * staged in block-local arrays (which nothing else can alias, so the loops vectorize; the
 * full-block branch has the constant trip count PQNN_NODE_BLOCK), the result is computed
 * into ta and stored (f16: rounded) once. */
#define BINARY_OP(name, expr) \
  static inline void name##_compute(size_t n, float* ta, const float* tb, float min, float max) { \
    for (size_t j = 0; j < n; j++) { \
      const float u = ta[j], v = tb[j]; \
      ta[j] = clamp1(expr, min, max); \
    } \
  } \
  static void name##_f32(void* ctx, size_t a_offset, size_t b_offset, size_t y_offset, size_t n) { \
    const struct binary_context* c = (const struct binary_context*) ctx; \
    float ta[kBlock], tb[kBlock]; \
    load_strided_f32(n, (const float*) c->a + a_offset, c->s->a_stride[3], ta); \
    load_strided_f32(n, (const float*) c->b + b_offset, c->s->b_stride[3], tb); \
    if (n == kBlock) { \
      name##_compute(kBlock, ta, tb, c->min, c->max); \
    } else { \
      name##_compute(n, ta, tb, c->min, c->max); \
    } \
    memcpy((float*) c->y + y_offset, ta, n * sizeof(float)); \
  } \
  static void name##_f16(void* ctx, size_t a_offset, size_t b_offset, size_t y_offset, size_t n) { \
    const struct binary_context* c = (const struct binary_context*) ctx; \
    float ta[kBlock], tb[kBlock]; \
    load_strided_f16(c->cc, n, (const uint16_t*) c->a + a_offset, c->s->a_stride[3], ta); \
    load_strided_f16(c->cc, n, (const uint16_t*) c->b + b_offset, c->s->b_stride[3], tb); \
    if (n == kBlock) { \
      name##_compute(kBlock, ta, tb, c->min, c->max); \
    } else { \
      name##_compute(n, ta, tb, c->min, c->max); \
    } \
    c->cc->f32_f16(n, ta, (uint16_t*) c->y + y_offset); \
  }

BINARY_OP(add, u + v)
BINARY_OP(subtract, u - v)
BINARY_OP(multiply, u * v)
BINARY_OP(divide, u / v)
/* NaN-propagating: a NaN u is kept by the test, a NaN v fails it and is taken. */
BINARY_OP(maximum, (u > v || u != u) ? u : v)
BINARY_OP(minimum, (u < v || u != u) ? u : v)

/* The walk callback of `op` (f16: the f16 one). */
static pqnn_add2_block_fn binary_block(enum pqnn_binary_operator op, bool f16) {
  switch (op) {
    case pqnn_binary_add: return f16 ? add_f16 : add_f32;
    case pqnn_binary_subtract: return f16 ? subtract_f16 : subtract_f32;
    case pqnn_binary_multiply: return f16 ? multiply_f16 : multiply_f32;
    case pqnn_binary_divide: return f16 ? divide_f16 : divide_f32;
    case pqnn_binary_maximum: return f16 ? maximum_f16 : maximum_f32;
    default: return f16 ? minimum_f16 : minimum_f32;
  }
}

void pqnn_node_f32_binary(enum pqnn_binary_operator op, const struct pqnn_add2_shape* s,
    size_t row_start, size_t row_end, const float* a, const float* b, float* y, float min, float max) {
  struct binary_context c = {NULL, s, a, b, y, min, max};
  pqnn_add2_walk(s, row_start, row_end, binary_block(op, false), &c);
}

void pqnn_node_f16_binary(enum pqnn_binary_operator op, const struct pqnn_add2_shape* s,
    size_t row_start, size_t row_end, const uint16_t* a, const uint16_t* b, uint16_t* y, float min,
    float max) {
  struct binary_context c = {pqnn_get_convert_config(), s, a, b, y, min, max};
  pqnn_add2_walk(s, row_start, row_end, binary_block(op, true), &c);
}

/* ---- unary: t = OP(t) in place on a block-local array ---- */

/* 1 / (1 + exp(-v)) without overflow: with e = exp(-|v|) <= 1, e / (1 + e) for v < 0. */
static inline float sigmoid(float v) {
  const float e = expf(-fabsf(v));
  const float r = 1.0f / (1.0f + e);
  return v < 0.0f ? e * r : r;
}

typedef void (*unary_block_fn)(size_t n, float alpha, float beta, float* t);

#define UNARY_BLOCK(name, expr) \
  static void name(size_t n, float alpha, float beta, float* t) { \
    (void) alpha; \
    (void) beta; \
    if (n == kBlock) { \
      for (size_t j = 0; j < kBlock; j++) { \
        const float v = t[j]; \
        t[j] = (expr); \
      } \
    } else { \
      for (size_t j = 0; j < n; j++) { \
        const float v = t[j]; \
        t[j] = (expr); \
      } \
    } \
  }

UNARY_BLOCK(relu_block, v < 0.0f ? 0.0f : v)
UNARY_BLOCK(leaky_relu_block, v < 0.0f ? alpha * v : v)
UNARY_BLOCK(sigmoid_block, sigmoid(v))
UNARY_BLOCK(tanh_block, tanhf(v))
UNARY_BLOCK(hardsigmoid_block, clamp1(alpha * v + beta, 0.0f, 1.0f))
UNARY_BLOCK(hardswish_block, v * clamp1(v + 3.0f, 0.0f, 6.0f) * (1.0f / 6.0f))
UNARY_BLOCK(swish_block, v * sigmoid(v))
UNARY_BLOCK(exp_block, expf(v))
UNARY_BLOCK(log_block, logf(v))
UNARY_BLOCK(sqrt_block, sqrtf(v))
UNARY_BLOCK(square_block, v * v)
UNARY_BLOCK(abs_block, fabsf(v))
UNARY_BLOCK(negate_block, -v)
UNARY_BLOCK(erf_block, erff(v))

static unary_block_fn unary_block(enum pqnn_unary_operator op) {
  switch (op) {
    case pqnn_unary_relu: return relu_block;
    case pqnn_unary_leaky_relu: return leaky_relu_block;
    case pqnn_unary_sigmoid: return sigmoid_block;
    case pqnn_unary_tanh: return tanh_block;
    case pqnn_unary_hardsigmoid: return hardsigmoid_block;
    case pqnn_unary_hardswish: return hardswish_block;
    case pqnn_unary_swish: return swish_block;
    case pqnn_unary_exp: return exp_block;
    case pqnn_unary_log: return log_block;
    case pqnn_unary_sqrt: return sqrt_block;
    case pqnn_unary_square: return square_block;
    case pqnn_unary_abs: return abs_block;
    case pqnn_unary_negate: return negate_block;
    default: return erf_block;
  }
}

void pqnn_node_f32_unary(enum pqnn_unary_operator op, const struct pqnn_unary_params* p,
    size_t n, const float* x, float* y) {
  const unary_block_fn block = unary_block(op);
  for (size_t i = 0; i < n; i += kBlock) {
    /* In place on y: y equals x or does not overlap it. */
    const size_t nb = pqnn_node_block_size(n, i);
    if (y != x) memcpy(y + i, x + i, nb * sizeof(float));
    block(nb, p->alpha, p->beta, y + i);
  }
}

void pqnn_node_f16_unary(enum pqnn_unary_operator op, const struct pqnn_unary_params* p,
    size_t n, const uint16_t* x, uint16_t* y) {
  const struct pqnn_convert_config* cc = pqnn_get_convert_config();
  const unary_block_fn block = unary_block(op);
  float t[kBlock];
  for (size_t i = 0; i < n; i += kBlock) {
    const size_t nb = pqnn_node_block_size(n, i);
    cc->f16_f32(nb, x + i, t);
    block(nb, p->alpha, p->beta, t);
    cc->f32_f16(nb, t, y + i);
  }
}
