/* Reduce (sum, mean, max) over consecutive dims: define, shape and datatype rules, f32 /
 * f16 kernel, executor. The input is viewed as [outer][n][inner] (n = the product of the
 * reduced dims); a tile is one outer index and a block of up to PQNN_NODE_BLOCK inner
 * indices, reduced over n side by side (contiguous loads). */
#include <math.h>

#include "logging.h"
#include "runtime/node-kernels-blocks.h"
#include "runtime/nodes/compute-nodes.h"
#include "runtime/runtime-shared.h"

enum { kBlock = PQNN_NODE_BLOCK };

static enum pqnn_status infer(const char* function, const struct pqnn_node* node,
    const struct pqnn_shape* const* in, struct pqnn_shape* out) {
  const struct pqnn_shape* x = in[0];
  const size_t first = node->compute.axis, count = node->compute.axis_count;
  if (first + count > x->num_dims) {
    pqnn_log_error(function, "axes [%zu, %zu] are not below the input's %zu dims", first,
        first + count - 1, x->num_dims);
    return pqnn_status_invalid_parameter;
  }
  const bool keep = (node->flags & PQNN_FLAG_KEEP_DIMS) != 0;
  out->num_dims = 0;
  for (size_t d = 0; d < x->num_dims; d++) {
    const bool reduced = d >= first && d < first + count;
    if (!reduced) {
      out->dim[out->num_dims++] = x->dim[d];
    } else if (keep) {
      out->dim[out->num_dims++] = 1;
    }
  }
  if (out->num_dims == 0) out->dim[out->num_dims++] = 1;  /* every dim reduced: [1] */
  return pqnn_status_success;
}

static enum pqnn_status check(const char* function, const struct pqnn_node* node,
    const struct pqnn_value* const* in, const struct pqnn_value* out) {
  return pqnn_compute_check_float(function, node, in, out, 0);
}

enum pqnn_status pqnn_define_reduce(pqnn_subgraph_t subgraph,
    enum pqnn_reduce_operator reduce_operator, size_t num_axes, const size_t* axes,
    uint32_t input_id, uint32_t output_id, uint32_t flags) {
  if (reduce_operator != pqnn_reduce_sum && reduce_operator != pqnn_reduce_mean &&
      reduce_operator != pqnn_reduce_max) {
    PQNN_LOG_ERROR("unknown reduce operator %d", (int) reduce_operator);
    return pqnn_status_invalid_parameter;
  }
  if (num_axes == 0 || num_axes > PQNN_MAX_DIMS || axes == NULL) {
    PQNN_LOG_ERROR("num_axes (%zu) must be 1 to %d and axes not NULL", num_axes,
        PQNN_MAX_DIMS);
    return pqnn_status_invalid_parameter;
  }
  for (size_t i = 1; i < num_axes; i++) {
    if (axes[i] <= axes[i - 1]) {
      PQNN_LOG_ERROR("axes must be strictly ascending");
      return pqnn_status_invalid_parameter;
    }
    if (axes[i] != axes[i - 1] + 1) {
      PQNN_LOG_ERROR("axes must be consecutive (a gap after axis %zu)", axes[i - 1]);
      return pqnn_status_unsupported_parameter;
    }
  }
  struct pqnn_node node = {.type = pqnn_node_type_reduce, .num_inputs = 1,
      .inputs = {input_id}, .output = output_id, .output_min = -INFINITY,
      .output_max = INFINITY, .flags = flags,
      .compute = {.axis = axes[0], .axis_count = num_axes, .reduce_operator = reduce_operator}};
  return pqnn_subgraph_define_node(__func__, subgraph, &node, PQNN_FLAG_KEEP_DIMS);
}

struct reduce_args {
  enum pqnn_reduce_operator op;
  size_t n, inner, blocks;
  const float* x32; const uint16_t* x16;
  float* y32; uint16_t* y16;
};

static void reduce_tiles(const struct reduce_args* a, size_t start, size_t end) {
  float t[kBlock], acc[kBlock];
  const bool max = a->op == pqnn_reduce_max;
  for (size_t tile = start; tile < end; tile++) {
    const size_t o = tile / a->blocks, i0 = (tile % a->blocks) * kBlock;
    const size_t nb = pqnn_node_block_size(a->inner, i0);
    const size_t base = o * a->n * a->inner + i0;
    pqnn_node_fill_block(kBlock, max ? -INFINITY : 0.0f, acc);
    for (size_t k = 0; k < a->n; k++) {
      const size_t at = base + k * a->inner;
      pqnn_compute_load(nb, pqnn_at32(a->x32, at), pqnn_at16(a->x16, at), t);
      if (max) {
        pqnn_node_max_block(nb, t, acc);
      } else {
        pqnn_node_add_block(nb, t, acc);
      }
    }
    if (a->op == pqnn_reduce_mean) {
      pqnn_node_scale_clamp_block(nb, acc, 1.0f / (float) a->n, acc, -INFINITY, INFINITY);
    }
    const size_t out = o * a->inner + i0;
    pqnn_compute_store(nb, acc, a->y32 != NULL ? a->y32 + out : NULL,
        a->y16 != NULL ? a->y16 + out : NULL);
  }
}

static struct reduce_args args(const struct pqnn_runtime* rt, const struct pqnn_rt_op* op,
    size_t* outer) {
  const struct pqnn_shape* xs = &rt->tensors[op->inputs[0]].shape;
  const size_t first = op->node.compute.axis, last = first + op->node.compute.axis_count;
  struct reduce_args a = {.op = op->node.compute.reduce_operator, .n = 1, .inner = 1};
  *outer = 1;
  for (size_t d = 0; d < xs->num_dims; d++) {
    size_t* into = d < first ? outer : d < last ? &a.n : &a.inner;
    *into *= xs->dim[d];
  }
  a.blocks = pqnn_divide_round_up(a.inner, kBlock);
  return a;
}

static enum pqnn_status reshape(struct pqnn_runtime* rt, struct pqnn_rt_op* op) {
  size_t outer;
  const struct reduce_args a = args(rt, op, &outer);
  op->range = outer * a.blocks;
  op->min_tile = pqnn_max_sz(1, 256 / pqnn_max_sz(a.n, 1));
  return pqnn_status_success;
}

static void body_f32(struct pqnn_runtime* rt, struct pqnn_rt_op* op, size_t start, size_t end) {
  size_t outer;
  struct reduce_args a = args(rt, op, &outer);
  a.x32 = pqnn_compute_input(rt, op, 0);
  a.y32 = rt->tensors[op->output].data;
  reduce_tiles(&a, start, end);
}

static void body_f16(struct pqnn_runtime* rt, struct pqnn_rt_op* op, size_t start, size_t end) {
  size_t outer;
  struct reduce_args a = args(rt, op, &outer);
  a.x16 = pqnn_compute_input(rt, op, 0);
  a.y16 = rt->tensors[op->output].data;
  reduce_tiles(&a, start, end);
}

static const struct pqnn_rt_executor kExecutor = {reshape, NULL, pqnn_rt_run_parallel};

const struct pqnn_compute_node pqnn_reduce_node = {
    pqnn_node_type_reduce, infer, check, &kExecutor, body_f32, body_f16};
