/* Softmax over any axis: define, shape and datatype rules, f32 / f16 kernel, executor.
 * The tensor is viewed as [outer][n][inner] (n = the axis dim); a tile is one outer index
 * and a block of up to PQNN_NODE_BLOCK inner indices, whose n lines are reduced side by
 * side (contiguous loads), so the work vectorizes along inner (the exponentials on the
 * tier's exp kernel, line by line). The last axis (inner = 1)
 * is the softmax node's job: pqnn_define_softmax_axis defines that node for it. */
#include <math.h>

#include "configs/config.h"
#include "logging.h"
#include "runtime/node-kernels-blocks.h"
#include "runtime/nodes/compute-nodes.h"
#include "runtime/runtime-shared.h"

enum { kBlock = PQNN_NODE_BLOCK };

static enum pqnn_status infer(const char* function, const struct pqnn_node* node,
    const struct pqnn_shape* const* in, struct pqnn_shape* out) {
  if (node->compute.axis >= in[0]->num_dims) {
    pqnn_log_error(function, "axis %zu is not below the input's %zu dims", node->compute.axis,
        in[0]->num_dims);
    return pqnn_status_invalid_parameter;
  }
  *out = *in[0];
  return pqnn_status_success;
}

static enum pqnn_status check(const char* function, const struct pqnn_node* node,
    const struct pqnn_value* const* in, const struct pqnn_value* out) {
  return pqnn_compute_check_float(function, node, in, out, 0);
}

enum pqnn_status pqnn_define_softmax_axis(pqnn_subgraph_t subgraph, size_t axis,
    uint32_t input_id, uint32_t output_id, uint32_t flags) {
  const struct pqnn_value* x = subgraph != NULL ? pqnn_subgraph_value(subgraph, input_id) : NULL;
  if (x != NULL && x->shape.num_dims != 0 && axis == x->shape.num_dims - 1) {
    return pqnn_define_softmax(subgraph, input_id, output_id, flags);
  }
  struct pqnn_node node = {.type = pqnn_node_type_softmax_axis, .num_inputs = 1,
      .inputs = {input_id}, .output = output_id, .output_min = -INFINITY,
      .output_max = INFINITY, .flags = flags, .compute = {.axis = axis}};
  return pqnn_subgraph_define_node(__func__, subgraph, &node, 0);
}

struct softmax_args {
  size_t n, inner, blocks;
  const float* x32; const uint16_t* x16;
  float* y32; uint16_t* y16;
};

/* Tiles [start, end): tile = outer index * blocks + inner block. y may equal x. Per tile: the
 * lanes' maxima m (C, NaN-propagating), then per line t = x - m and exp(t) on the tier's
 * elementwise kernels (f32-vbinary sub, f32-vunary exp: the softmax node's exp bound) summed
 * in s per lane; f32 stores the exponentials and scales them in place by 1 / s (vbinary mul),
 * f16 recomputes them from the input (y may equal x) and rounds once. */
static void softmax_tiles(const struct softmax_args* a, size_t start, size_t end) {
  static const struct pqnn_f32_elementwise_params params = {-INFINITY, INFINITY, 0.0f, 0.0f};
  const struct pqnn_elementwise_config* ec = pqnn_get_elementwise_config();
  const pqnn_vbinary_ukernel_fn sub = ec->vv[pqnn_binary_subtract];
  const pqnn_vbinary_ukernel_fn mul = ec->vv[pqnn_binary_multiply];
  const pqnn_vunary_ukernel_fn exp_line = ec->unary[pqnn_unary_exp];
  float t[kBlock], m[kBlock], s[kBlock];
  for (size_t tile = start; tile < end; tile++) {
    const size_t o = tile / a->blocks, i0 = (tile % a->blocks) * kBlock;
    const size_t nb = pqnn_node_block_size(a->inner, i0);
    const size_t base = o * a->n * a->inner + i0;
    pqnn_node_fill_block(kBlock, -INFINITY, m);
    for (size_t k = 0; k < a->n; k++) {
      const size_t at = base + k * a->inner;
      pqnn_compute_load(nb, pqnn_at32(a->x32, at), pqnn_at16(a->x16, at), t);
      pqnn_node_max_block(nb, t, m);
    }
    pqnn_node_fill_block(kBlock, 0.0f, s);
    for (size_t k = 0; k < a->n; k++) {
      const size_t at = base + k * a->inner;
      pqnn_compute_load(nb, pqnn_at32(a->x32, at), pqnn_at16(a->x16, at), t);
      sub(nb, t, m, t, &params);
      exp_line(nb, t, t, &params);
      pqnn_node_add_block(nb, t, s);
      if (a->y32 != NULL) pqnn_compute_store(nb, t, a->y32 + at, NULL);
    }
    for (size_t j = 0; j < nb; j++) s[j] = 1.0f / s[j];
    for (size_t k = 0; k < a->n; k++) {
      const size_t at = base + k * a->inner;
      if (a->y32 != NULL) {
        mul(nb, a->y32 + at, s, a->y32 + at, &params);
      } else {
        pqnn_compute_load(nb, NULL, a->x16 + at, t);
        sub(nb, t, m, t, &params);
        exp_line(nb, t, t, &params);
        mul(nb, t, s, t, &params);
        pqnn_compute_store(nb, t, NULL, a->y16 + at);
      }
    }
  }
}

static void geometry(const struct pqnn_shape* xs, size_t axis, size_t* outer, size_t* n,
    size_t* inner) {
  *outer = *inner = 1;
  for (size_t d = 0; d < axis; d++) *outer *= xs->dim[d];
  for (size_t d = axis + 1; d < xs->num_dims; d++) *inner *= xs->dim[d];
  *n = xs->dim[axis];
}

static enum pqnn_status reshape(struct pqnn_runtime* rt, struct pqnn_rt_op* op) {
  size_t outer, n, inner;
  geometry(&rt->tensors[op->inputs[0]].shape, op->node.compute.axis, &outer, &n, &inner);
  op->range = n == 0 ? 0 : outer * pqnn_divide_round_up(inner, kBlock);
  op->min_tile = pqnn_max_sz(1, 64 / pqnn_max_sz(n, 1));
  return pqnn_status_success;
}

static struct softmax_args args(const struct pqnn_runtime* rt, const struct pqnn_rt_op* op) {
  struct softmax_args a = {0};
  size_t outer;
  geometry(&rt->tensors[op->inputs[0]].shape, op->node.compute.axis, &outer, &a.n, &a.inner);
  a.blocks = pqnn_divide_round_up(a.inner, kBlock);
  return a;
}

static void body_f32(struct pqnn_runtime* rt, struct pqnn_rt_op* op, size_t start, size_t end) {
  struct softmax_args a = args(rt, op);
  a.x32 = pqnn_compute_input(rt, op, 0);
  a.y32 = rt->tensors[op->output].data;
  softmax_tiles(&a, start, end);
}

static void body_f16(struct pqnn_runtime* rt, struct pqnn_rt_op* op, size_t start, size_t end) {
  struct softmax_args a = args(rt, op);
  a.x16 = pqnn_compute_input(rt, op, 0);
  a.y16 = rt->tensors[op->output].data;
  softmax_tiles(&a, start, end);
}

static const struct pqnn_rt_executor kExecutor = {reshape, NULL, pqnn_rt_run_parallel};

const struct pqnn_compute_node pqnn_softmax_axis_node = {
    pqnn_node_type_softmax_axis, infer, check, &kExecutor, body_f32, body_f16};
