/*
 * Elementwise binary and unary node kernels, f32 and f16 (contracts:
 * node-kernels-elementwise.h), on the f32-vunary / f32-vbinary microkernels of the tier
 * (pqnn_get_elementwise_config()). The binary kernels walk the rows of the broadcast shape:
 * a row whose operands are contiguous or broadcast (stride 1 or 0: same shape, per-channel
 * and scalar operands) goes to the vector-vector or vector-scalar kernel whole; a strided
 * operand is gathered into a block first. The f16 kernels widen each block with the convert
 * kernels (exact), run the same f32 kernel and round once.
 */
#include <math.h>
#include <string.h>

#include <fp16.h>

#include "configs/config.h"
#include "runtime/node-kernels-blocks.h"
#include "runtime/node-kernels-elementwise.h"

/* f16 staging block: large enough that the per-call overhead of the kernels is small. */
enum { kBlock = 4 * PQNN_NODE_BLOCK };

/* ---- binary ---- */

struct binary_kernels {
  pqnn_vbinary_ukernel_fn vv, vc, rvc;
  struct pqnn_f32_elementwise_params p;
};

static struct binary_kernels binary_kernels(enum pqnn_binary_operator op, float min, float max) {
  const struct pqnn_elementwise_config* ec = pqnn_get_elementwise_config();
  return (struct binary_kernels) {ec->vv[op], ec->vc[op], ec->rvc[op], {min, max, 0.0f, 0.0f}};
}

/* y[0..n) = clamp(a[j * sa] OP b[j * sb]) for operands already in f32. */
static void binary_f32_run(const struct binary_kernels* k, size_t n, const float* a, size_t sa,
    const float* b, size_t sb, float* y) {
  if (sa == 1 && sb == 1) {
    k->vv(n, a, b, y, &k->p);
  } else if (sa == 1 && sb == 0) {
    k->vc(n, a, b, y, &k->p);
  } else if (sa == 0 && sb == 1) {
    k->rvc(n, b, a, y, &k->p);
  } else {
    /* Strided (or both broadcast): gathered into blocks. */
    float ta[kBlock], tb[kBlock];
    for (size_t i = 0; i < n; i += kBlock) {
      const size_t nb = n - i < kBlock ? n - i : kBlock;
      for (size_t j = 0; j < nb; j++) ta[j] = a[(i + j) * sa];
      for (size_t j = 0; j < nb; j++) tb[j] = b[(i + j) * sb];
      k->vv(nb, ta, tb, y + i, &k->p);
    }
  }
}

/* Offsets of the first element of a row of s in a and b. */
static inline void row_offsets(const struct pqnn_add2_shape* s, size_t row, size_t* ao, size_t* bo) {
  const size_t i2 = row % s->shape[2];
  const size_t i01 = row / s->shape[2];
  const size_t i1 = i01 % s->shape[1];
  const size_t i0 = i01 / s->shape[1];
  *ao = i0 * s->a_stride[0] + i1 * s->a_stride[1] + i2 * s->a_stride[2];
  *bo = i0 * s->b_stride[0] + i1 * s->b_stride[1] + i2 * s->b_stride[2];
}

void pqnn_node_f32_binary(enum pqnn_binary_operator op, const struct pqnn_add2_shape* s,
    size_t row_start, size_t row_end, const float* a, const float* b, float* y, float min, float max) {
  const struct binary_kernels k = binary_kernels(op, min, max);
  const size_t n = s->shape[3], sa = s->a_stride[3], sb = s->b_stride[3];
  for (size_t row = row_start; row < row_end; row++) {
    size_t ao, bo;
    row_offsets(s, row, &ao, &bo);
    binary_f32_run(&k, n, a + ao, sa, b + bo, sb, y + row * n);
  }
}

/* t[0..n) = fp32(p[j * stride]) (stride != 0). */
static void widen_strided(const struct pqnn_convert_config* cc, size_t n, const uint16_t* p,
    size_t stride, float* t) {
  if (stride == 1) {
    cc->f16_f32(n, p, t);
  } else {
    uint16_t h[kBlock];
    for (size_t j = 0; j < n; j++) h[j] = p[j * stride];
    cc->f16_f32(n, h, t);
  }
}

void pqnn_node_f16_binary(enum pqnn_binary_operator op, const struct pqnn_add2_shape* s,
    size_t row_start, size_t row_end, const uint16_t* a, const uint16_t* b, uint16_t* y, float min,
    float max) {
  const struct pqnn_convert_config* cc = pqnn_get_convert_config();
  const struct binary_kernels k = binary_kernels(op, min, max);
  const size_t n = s->shape[3], sa = s->a_stride[3], sb = s->b_stride[3];
  float ta[kBlock], tb[kBlock];
  for (size_t row = row_start; row < row_end; row++) {
    size_t ao, bo;
    row_offsets(s, row, &ao, &bo);
    for (size_t i = 0; i < n; i += kBlock) {
      const size_t nb = n - i < kBlock ? n - i : kBlock;
      /* A broadcast operand is one widened scalar (the vector-scalar kernels). */
      if (sa == 0) {
        ta[0] = fp16_ieee_to_fp32_value(a[ao]);
      } else {
        widen_strided(cc, nb, a + ao + i * sa, sa, ta);
      }
      if (sb == 0) {
        tb[0] = fp16_ieee_to_fp32_value(b[bo]);
      } else {
        widen_strided(cc, nb, b + bo + i * sb, sb, tb);
      }
      float* t = sa == 0 && sb != 0 ? tb : ta;
      binary_f32_run(&k, nb, ta, sa == 0 ? 0 : 1, tb, sb == 0 ? 0 : 1, t);
      cc->f32_f16(nb, t, y + row * n + i);
    }
  }
}

/* ---- unary ---- */

static struct pqnn_f32_elementwise_params unary_params(const struct pqnn_unary_params* p) {
  return (struct pqnn_f32_elementwise_params) {-INFINITY, INFINITY, p->alpha, p->beta};
}

void pqnn_node_f32_unary(enum pqnn_unary_operator op, const struct pqnn_unary_params* p,
    size_t n, const float* x, float* y) {
  const struct pqnn_f32_elementwise_params params = unary_params(p);
  if (n != 0) pqnn_get_elementwise_config()->unary[op](n, x, y, &params);
}

/* y = f(x) for f16 x, y through f32 blocks: widened, f in place, rounded once. */
static void f16_blocks(pqnn_vunary_ukernel_fn f, const struct pqnn_f32_elementwise_params* params,
    size_t n, const uint16_t* x, uint16_t* y) {
  const struct pqnn_convert_config* cc = pqnn_get_convert_config();
  float t[kBlock];
  for (size_t i = 0; i < n; i += kBlock) {
    const size_t nb = n - i < kBlock ? n - i : kBlock;
    cc->f16_f32(nb, x + i, t);
    f(nb, t, t, params);
    cc->f32_f16(nb, t, y + i);
  }
}

void pqnn_node_f16_unary(enum pqnn_unary_operator op, const struct pqnn_unary_params* p,
    size_t n, const uint16_t* x, uint16_t* y) {
  const struct pqnn_f32_elementwise_params params = unary_params(p);
  f16_blocks(pqnn_get_elementwise_config()->unary[op], &params, n, x, y);
}

void pqnn_node_f32_clamp(size_t n, const float* x, float* y, float min, float max) {
  const struct pqnn_f32_elementwise_params params = {min, max, 0.0f, 0.0f};
  if (n != 0) pqnn_get_elementwise_config()->clamp(n, x, y, &params);
}

void pqnn_node_f16_clamp(size_t n, const uint16_t* x, uint16_t* y, float min, float max) {
  const struct pqnn_f32_elementwise_params params = {min, max, 0.0f, 0.0f};
  f16_blocks(pqnn_get_elementwise_config()->clamp, &params, n, x, y);
}
