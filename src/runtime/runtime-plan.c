/* Planner: checks the graph as a whole (values read but never produced, external outputs
 * never produced, cycles), orders the nodes, emits one op per node in that order, runs the
 * passes (runtime-passes.h: clamp fusion, f16 inference, dynamic quantization, residual
 * add fusion), then gives
 * every op its executor (runtime-executors.h), which creates the FC / conv operators, and
 * finds the depthwise / pointwise chains that may run in row bands (runtime-band.h). */
#include <string.h>

#include "allocator.h"
#include "logging.h"
#include "runtime/runtime-band.h"
#include "runtime/runtime-executors.h"
#include "runtime/runtime-passes.h"
#include "runtime/runtime-shared.h"
#include "runtime/runtime.h"

struct plan_scratch {
  uint32_t* order;         /* nodes in execution order */
  bool* done;
};

static bool is_data_input(const struct pqnn_node* node, uint32_t i) {
  switch (node->type) {
    case pqnn_node_type_fully_connected:
    case pqnn_node_type_convolution_2d:
    case pqnn_node_type_depthwise_convolution_2d:
    case pqnn_node_type_deconvolution_2d:
      return i == 0;
    default:
      return i < node->num_inputs;
  }
}

/* Values read but never produced (nor static, nor external inputs), external outputs that
 * nothing produces, then a topological order (Kahn, definition order among ready nodes). */
static enum pqnn_status order_nodes(const struct pqnn_subgraph* sg, struct plan_scratch* s) {
  for (uint32_t n = 0; n < sg->num_nodes; n++) {
    const struct pqnn_node* node = &sg->nodes[n];
    for (uint32_t i = 0; i < node->num_inputs; i++) {
      if (!is_data_input(node, i)) continue;
      const struct pqnn_value* v = &sg->values[node->inputs[i]];
      if (v->data == NULL && (v->flags & PQNN_VALUE_FLAG_EXTERNAL_INPUT) == 0 &&
          v->producer == PQNN_NO_NODE) {
        PQNN_LOG_ERROR("node %u reads value %u, which is never produced (dangling)",
            (unsigned) n, (unsigned) node->inputs[i]);
        return pqnn_status_invalid_parameter;
      }
    }
  }
  for (uint32_t v = 0; v < sg->num_values; v++) {
    const struct pqnn_value* value = &sg->values[v];
    if (value->defined && (value->flags & PQNN_VALUE_FLAG_EXTERNAL_OUTPUT) != 0 &&
        (value->flags & PQNN_VALUE_FLAG_EXTERNAL_INPUT) == 0 && value->producer == PQNN_NO_NODE) {
      PQNN_LOG_ERROR("external output %u is never produced", (unsigned) v);
      return pqnn_status_invalid_parameter;
    }
  }
  uint32_t count = 0;
  bool progress = true;
  while (count < sg->num_nodes && progress) {
    progress = false;
    for (uint32_t n = 0; n < sg->num_nodes; n++) {
      if (s->done[n]) continue;
      const struct pqnn_node* node = &sg->nodes[n];
      bool ready = true;
      for (uint32_t i = 0; i < node->num_inputs && ready; i++) {
        if (!is_data_input(node, i)) continue;
        const uint32_t producer = sg->values[node->inputs[i]].producer;
        ready = producer == PQNN_NO_NODE || s->done[producer];
      }
      if (ready) {
        s->done[n] = true;
        s->order[count++] = n;
        progress = true;
      }
    }
  }
  if (count < sg->num_nodes) {
    PQNN_LOG_ERROR("the graph has a cycle (%u of %u nodes cannot be ordered)",
        (unsigned) (sg->num_nodes - count), (unsigned) sg->num_nodes);
    return pqnn_status_invalid_parameter;
  }
  return pqnn_status_success;
}

/* Tensors: the subgraph's values as defined. */
static void init_tensors(struct pqnn_runtime* rt, const struct pqnn_subgraph* sg) {
  for (uint32_t v = 0; v < sg->num_values; v++) {
    const struct pqnn_value* value = &sg->values[v];
    if (!value->defined) continue;
    rt->tensors[v] = (struct pqnn_rt_tensor) {.datatype = value->datatype,
        .shape = value->shape, .zero_point = value->zero_point, .scale = value->scale,
        .static_data = value->data, .external_flags = value->flags};
  }
}

/* One op per node, in execution order, reading and writing the values themselves. */
static void emit_ops(struct pqnn_runtime* rt, const struct pqnn_subgraph* sg,
    const uint32_t* order) {
  for (uint32_t i = 0; i < sg->num_nodes; i++) {
    const struct pqnn_node* node = &sg->nodes[order[i]];
    struct pqnn_rt_op* op = pqnn_rt_insert_op(rt, rt->num_ops, node->type, node->inputs[0],
        node->output);
    op->node = *node;
    op->output_min = node->output_min;
    op->output_max = node->output_max;
    if (pqnn_rt_is_gemm_node(node->type)) {
      op->weights[0] = node->inputs[1];
      op->weights[1] = node->inputs[2];
      op->weight_shapes[0] = sg->values[node->inputs[1]].shape;
      if (node->inputs[2] != PQNN_INVALID_VALUE_ID) {
        op->weight_shapes[1] = sg->values[node->inputs[2]].shape;
      }
    } else {
      op->num_inputs = node->num_inputs;
      for (uint32_t k = 1; k < node->num_inputs; k++) op->inputs[k] = node->inputs[k];
    }
  }
}

/* The executor of every op (and the operators of FC / conv), the shapes its reshape
 * infers from, its reported compute datatype, and which tensors are used. */
static enum pqnn_status choose_executors(struct pqnn_runtime* rt,
    const struct pqnn_subgraph* sg) {
  for (uint32_t i = 0; i < rt->num_ops; i++) {
    struct pqnn_rt_op* op = &rt->ops[i];
    struct pqnn_rt_tensor* x = &rt->tensors[op->inputs[0]];
    struct pqnn_rt_tensor* y = &rt->tensors[op->output];
    x->used = y->used = true;
    op->in_shapes[0] = &x->shape;
    for (uint32_t k = 1; k < op->num_inputs; k++) {
      rt->tensors[op->inputs[k]].used = true;
      op->in_shapes[k] = &rt->tensors[op->inputs[k]].shape;
    }
    op->info.type = op->node.type;
    op->info.type_name = pqnn_node_type_string(op->node.type);
    op->info.compute_datatype = y->datatype;
    enum pqnn_status status;
    if (pqnn_rt_is_gemm_node(op->node.type)) {
      op->info.compute_datatype = x->datatype;
      op->in_shapes[1] = &op->weight_shapes[0];
      op->in_shapes[2] = op->weights[1] != PQNN_INVALID_VALUE_ID ? &op->weight_shapes[1] : NULL;
      status = pqnn_rt_plan_gemm(rt, op, &sg->values[op->weights[0]],
          op->weights[1] == PQNN_INVALID_VALUE_ID ? NULL : &sg->values[op->weights[1]]);
      if (status == pqnn_status_success) pqnn_rt_share_packed_weights(rt, i);
      if (status == pqnn_status_success && op->affine.fused) {
        const uint32_t* w = op->affine.weights;
        status = pqnn_rt_plan_affine(rt, op, &sg->values[w[0]],
            w[1] == PQNN_INVALID_VALUE_ID ? NULL : &sg->values[w[1]]);
      }
    } else if (op->node.type == pqnn_node_type_convert) {
      status = pqnn_rt_plan_convert(rt, op);
    } else {
      status = pqnn_rt_plan_node(rt, op);
    }
    if (status != pqnn_status_success) return status;
  }
  /* External outputs that are also inputs must still be bound at setup. */
  for (uint32_t v = 0; v < rt->num_values; v++) {
    if (rt->tensors[v].external_flags != 0) rt->tensors[v].used = true;
  }
  return pqnn_status_success;
}

enum pqnn_status pqnn_runtime_plan(struct pqnn_runtime* rt, const struct pqnn_subgraph* sg) {
  const uint32_t nv = sg->num_values, nn = sg->num_nodes;
  struct plan_scratch s;
  uint32_t* scratch = pqnn_allocate_zero((size_t) nn * sizeof(uint32_t) + (size_t) nn + 1);
  if (scratch == NULL) return pqnn_status_out_of_memory;
  s.order = scratch;
  s.done = (bool*) (s.order + nn);
  enum pqnn_status status = order_nodes(sg, &s);
  if (status != pqnn_status_success) goto done;

  /* Upper bounds: per node an inserted qd8 tensor and an f16 output copy; per value an f16
   * input copy. Ops: per node a qd8 convert, the node and an output convert; per value an
   * input convert. */
  rt->max_tensors = (uint32_t) pqnn_min_sz((size_t) nv * 2 + (size_t) nn * 2, UINT32_MAX);
  rt->max_ops = (uint32_t) pqnn_min_sz((size_t) nn * 3 + (size_t) nv, UINT32_MAX);
  rt->tensors = pqnn_allocate_zero((size_t) rt->max_tensors * sizeof(struct pqnn_rt_tensor) + 1);
  rt->ops = pqnn_allocate_zero((size_t) rt->max_ops * sizeof(struct pqnn_rt_op) + 1);
  if (rt->tensors == NULL || rt->ops == NULL) {
    status = pqnn_status_out_of_memory;
    goto done;
  }
  rt->num_values = nv;
  rt->num_tensors = nv;
  init_tensors(rt, sg);
  emit_ops(rt, sg, s.order);
  pqnn_pass_fuse_clamps(rt);
  status = pqnn_pass_fp16_inference(rt, sg);
  if (status != pqnn_status_success) goto done;
  pqnn_pass_dynamic_quantization(rt, sg);
  pqnn_pass_fuse_activations(rt);  /* conv -> act [-> add] */
  pqnn_pass_fuse_residual_adds(rt);
  pqnn_pass_fuse_activations(rt);  /* conv -> add -> act */
  pqnn_pass_fuse_affines(rt);      /* conv [-> act] [-> add] [-> act] -> affine */
  pqnn_pass_fold_upsampled_residuals(rt);  /* se(x) -> add(resize(lo), .) */
  pqnn_pass_fold_squeeze_excites(rt);      /* GAP(L(y)) -> L(GAP(y)); x * s into L */
  pqnn_pass_fold_resizes_into_concats(rt);
  pqnn_pass_read_concats_in_winograd(rt);
  pqnn_pass_read_scaled_in_winograd(rt);
  status = choose_executors(rt, sg);
  if (status == pqnn_status_success) status = pqnn_rt_plan_bands(rt);
  if (status == pqnn_status_success) pqnn_rt_plan_output_ranges(rt);
done:
  pqnn_release(scratch);
  return status;
}
