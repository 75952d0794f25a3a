/*
 * Elementwise binary and unary node kernels, f32 and f16 (contracts:
 * node-kernels-elementwise.h), on the f32-vunary / f32-vbinary microkernels of the tier
 * (pqnn_get_elementwise_config()). The binary kernels walk the rows of the broadcast shape
 * (simplified at reshape: pqnn_add2_shape_simplify): a range of rows where each input is dense
 * or one scalar is one kernel call; short rows against a repeated row (a per-channel operand
 * with few channels) run as vector-vector calls on a tile of that row; otherwise a row whose
 * operands are contiguous or broadcast (stride 1 or 0) goes to the vector-vector or
 * vector-scalar kernel whole, and a strided operand is gathered into a block first. The f16 kernels widen each block with the convert
 * kernels (exact), run the same f32 kernel and round once. gelu is the tier's f32-vunary gelu
 * kernel (bit-identical on every tier).
 */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <fp16.h>

#include "configs/config.h"
#include "runtime/node-kernels-blocks.h"
#include "runtime/node-kernels-elementwise.h"

/* f16 staging block: large enough that the per-call overhead of the kernels is small. */
enum { kBlock = 4 * PQNN_NODE_BLOCK };
/* Tile of a repeated short row (binary_f32_tiled). */
enum { kTile = 1024 };

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

/* Whether the rows of an input are one contiguous run (its strides are the dense output
 * strides; dims of size 1 may have any stride). */
static bool dense_rows(const struct pqnn_add2_shape* s, const size_t stride[4]) {
  size_t expected = 1;
  for (size_t d = 4; d-- > 0;) {
    if (s->shape[d] != 1 && stride[d] != expected) return false;
    expected *= s->shape[d];
  }
  return true;
}

/* Whether an input is one element for every row (stride 0 everywhere). */
static bool scalar_rows(const size_t stride[4]) {
  return stride[0] == 0 && stride[1] == 0 && stride[2] == 0 && stride[3] == 0;
}

/* Short rows where one input repeats the same row along dim 2 (a per-channel operand of an
 * NHWC tensor with few channels) and the other's rows are contiguous: the repeated row is
 * copied kTile / n times into a tile, and each run of rows within one dim-2 span is one
 * vector-vector call. */
static void binary_f32_tiled(const struct binary_kernels* k, const struct pqnn_add2_shape* s,
    size_t row_start, size_t row_end, const float* a, const float* b, float* y, bool repeat_a) {
  const size_t n = s->shape[3], per = kTile / n;
  float tile[kTile];
  size_t tile_offset = SIZE_MAX;
  for (size_t row = row_start; row < row_end;) {
    size_t ao, bo;
    row_offsets(s, row, &ao, &bo);
    const size_t left = s->shape[2] - row % s->shape[2];
    size_t m = row_end - row < left ? row_end - row : left;
    m = m < per ? m : per;
    const size_t offset = repeat_a ? ao : bo;
    if (offset != tile_offset) {
      const float* src = (repeat_a ? a : b) + offset;
      for (size_t r = 0; r < per; r++) memcpy(tile + r * n, src, n * sizeof(float));
      tile_offset = offset;
    }
    k->vv(m * n, repeat_a ? tile : a + ao, repeat_a ? b + bo : tile, y + row * n, &k->p);
    row += m;
  }
}

void pqnn_node_f32_binary(enum pqnn_binary_operator op, const struct pqnn_add2_shape* s,
    size_t row_start, size_t row_end, const float* a, const float* b, float* y, float min, float max) {
  const struct binary_kernels k = binary_kernels(op, min, max);
  const size_t n = s->shape[3], sa = s->a_stride[3], sb = s->b_stride[3];
  if (row_start >= row_end || n == 0) return;
  /* Whole rows at once: both inputs dense, or one dense and the other one scalar. */
  const bool da = dense_rows(s, s->a_stride), db = dense_rows(s, s->b_stride);
  if ((da || scalar_rows(s->a_stride)) && (db || scalar_rows(s->b_stride)) && (da || db)) {
    const size_t offset = row_start * n, count = (row_end - row_start) * n;
    binary_f32_run(&k, count, a + (da ? offset : 0), da ? 1 : 0, b + (db ? offset : 0),
        db ? 1 : 0, y + offset);
    return;
  }
  if (2 * n <= kTile && sa == 1 && sb == 1 && s->shape[2] > 1) {
    if (s->a_stride[2] == 0 && s->b_stride[2] == n) {
      binary_f32_tiled(&k, s, row_start, row_end, a, b, y, true);
      return;
    }
    if (s->b_stride[2] == 0 && s->a_stride[2] == n) {
      binary_f32_tiled(&k, s, row_start, row_end, a, b, y, false);
      return;
    }
  }
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

void pqnn_node_f32_residual(size_t n, float* y, const float* r, float min, float max) {
  const struct pqnn_f32_elementwise_params p = {min, max, 0.0f, 0.0f};
  if (n != 0) pqnn_get_elementwise_config()->vv[pqnn_binary_add](n, y, r, y, &p);
}

void pqnn_node_f16_residual(size_t n, uint16_t* y, const uint16_t* r, float min, float max) {
  const struct pqnn_convert_config* cc = pqnn_get_convert_config();
  const struct pqnn_f32_elementwise_params p = {min, max, 0.0f, 0.0f};
  const pqnn_vbinary_ukernel_fn add = pqnn_get_elementwise_config()->vv[pqnn_binary_add];
  float ta[kBlock], tb[kBlock];
  for (size_t i = 0; i < n; i += kBlock) {
    const size_t nb = n - i < kBlock ? n - i : kBlock;
    cc->f16_f32(nb, y + i, ta);
    cc->f16_f32(nb, r + i, tb);
    add(nb, ta, tb, ta, &p);
    cc->f32_f16(nb, ta, y + i);
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

/* ---- gelu: the f32-vunary gelu kernel of the tier (it reads no params) ---- */

static const struct pqnn_f32_elementwise_params kGeluParams = {-INFINITY, INFINITY, 0.0f, 0.0f};

void pqnn_node_f32_gelu(size_t n, const float* x, float* y) {
  if (n != 0) pqnn_get_elementwise_config()->gelu(n, x, y, &kGeluParams);
}

void pqnn_node_f16_gelu(size_t n, const uint16_t* x, uint16_t* y) {
  f16_blocks(pqnn_get_elementwise_config()->gelu, &kGeluParams, n, x, y);
}
