/* Planner: checks the graph as a whole (values read but never produced, external outputs
 * never produced, cycles), orders the nodes, fuses clamps, applies the datatype passes
 * (runtime-passes.c decides) and emits the op list with the inserted conversions. */
#include <string.h>

#include "allocator.h"
#include "configs/config.h"
#include "logging.h"
#include "runtime/runtime-passes.h"
#include "runtime/runtime.h"

struct plan_scratch {
  uint32_t* order;         /* nodes in execution order */
  uint32_t* consumers;     /* per value: number of node inputs reading it */
  uint32_t* fused_clamp;   /* per node: the clamp node fused into it, PQNN_NO_NODE if none */
  bool* skip;              /* per node: a clamp fused into its producer */
  bool* done;
  uint32_t* current;       /* per value: tensor that holds it in the executed datatype */
};

static bool is_data_input(const struct pqnn_node* node, uint32_t i) {
  switch (node->type) {
    case pqnn_node_type_fully_connected:
    case pqnn_node_type_convolution_2d:
    case pqnn_node_type_depthwise_convolution_2d:
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
      s->consumers[node->inputs[i]]++;
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

/* Clamp fusion: a clamp whose input has one consumer, is not external and is produced by
 * FC / conv / dwconv / add2 becomes the producer's output bounds. */
static void fuse_clamps(const struct pqnn_subgraph* sg, struct plan_scratch* s) {
  for (uint32_t n = 0; n < sg->num_nodes; n++) {
    const struct pqnn_node* clamp = &sg->nodes[n];
    if (clamp->type != pqnn_node_type_clamp) continue;
    const uint32_t v = clamp->inputs[0];
    const struct pqnn_value* value = &sg->values[v];
    if (value->producer == PQNN_NO_NODE || s->consumers[v] != 1 || value->flags != 0) continue;
    const uint32_t p = value->producer;
    const struct pqnn_node* producer = &sg->nodes[p];
    if (s->fused_clamp[p] != PQNN_NO_NODE || s->skip[p]) continue;
    if (producer->type != pqnn_node_type_fully_connected &&
        producer->type != pqnn_node_type_convolution_2d &&
        producer->type != pqnn_node_type_depthwise_convolution_2d &&
        producer->type != pqnn_node_type_add2) {
      continue;
    }
    const float lo = producer->output_min > clamp->output_min ? producer->output_min : clamp->output_min;
    const float hi = producer->output_max < clamp->output_max ? producer->output_max : clamp->output_max;
    if (!(lo < hi)) continue;
    s->fused_clamp[p] = n;
    s->skip[n] = true;
  }
}

static uint32_t add_tensor(struct pqnn_runtime* rt, const struct pqnn_rt_tensor* like,
    enum pqnn_datatype datatype) {
  struct pqnn_rt_tensor* t = &rt->tensors[rt->num_tensors];
  *t = (struct pqnn_rt_tensor) {.datatype = datatype, .shape = like->shape,
      .zero_point = like->zero_point, .scale = like->scale};
  return rt->num_tensors++;
}

static struct pqnn_rt_op* add_op(struct pqnn_runtime* rt, enum pqnn_node_type type,
    enum pqnn_rt_impl impl, enum pqnn_datatype compute, uint32_t input, uint32_t output,
    bool inserted) {
  struct pqnn_rt_op* op = &rt->ops[rt->num_ops++];
  memset(op, 0, sizeof(*op));
  op->info = (struct pqnn_runtime_node_info) {.type = type, .compute_datatype = compute,
      .inserted = inserted ? 1 : 0};
  op->impl = impl;
  op->num_inputs = 1;
  op->inputs[0] = input;
  op->output = output;
  rt->tensors[input].used = true;
  rt->tensors[output].used = true;
  return op;
}

static struct pqnn_rt_op* add_convert(struct pqnn_runtime* rt, uint32_t input, uint32_t output,
    bool inserted) {
  const enum pqnn_datatype x = rt->tensors[input].datatype, y = rt->tensors[output].datatype;
  enum pqnn_rt_impl impl;
  if (x == pqnn_datatype_fp32) {
    impl = y == pqnn_datatype_fp16 ? pqnn_rt_convert_f32_f16
         : y == pqnn_datatype_qint8 ? pqnn_rt_convert_f32_qs8 : pqnn_rt_convert_f32_qd8;
  } else if (x == pqnn_datatype_fp16) {
    impl = y == pqnn_datatype_fp32 ? pqnn_rt_convert_f16_f32 : pqnn_rt_convert_f16_qd8;
  } else {
    impl = pqnn_rt_convert_qs8_f32;
  }
  return add_op(rt, pqnn_node_type_convert, impl, y, input, output, inserted);
}

/* A static fp32 value read by an f16 node kernel: an f16 copy owned by the runtime. */
static enum pqnn_status static_to_f16(struct pqnn_runtime* rt, uint32_t t) {
  struct pqnn_rt_tensor* tensor = &rt->tensors[t];
  if (tensor->static_data == NULL || tensor->datatype != pqnn_datatype_fp32) {
    return pqnn_status_success;
  }
  const size_t n = pqnn_shape_elements(&tensor->shape);
  uint16_t* copy = pqnn_allocate(n * sizeof(uint16_t));
  if (copy == NULL) return pqnn_status_out_of_memory;
  pqnn_get_convert_config()->f32_f16(n, tensor->static_data, copy);  /* RNE, as every f16 path */
  tensor->static_owned = copy;
  tensor->static_data = copy;
  tensor->datatype = pqnn_datatype_fp16;
  return pqnn_status_success;
}

static enum pqnn_status emit_gemm(struct pqnn_runtime* rt, const struct pqnn_subgraph* sg,
    const struct pqnn_node* node, uint32_t input, uint32_t output, bool fp16) {
  const struct pqnn_value* filter = &sg->values[node->inputs[1]];
  const struct pqnn_value* bias =
      node->inputs[2] == PQNN_INVALID_VALUE_ID ? NULL : &sg->values[node->inputs[2]];
  const bool conv = node->type != pqnn_node_type_fully_connected;
  const enum pqnn_datatype x = rt->tensors[input].datatype;
  enum pqnn_rt_impl impl;
  enum pqnn_datatype compute = x;
  /* Multiply-adds per output element: FC input channels, conv kh * kw * group channels. */
  const size_t reduction = conv
      ? (size_t) node->conv.kernel_height * node->conv.kernel_width * node->conv.group_input_channels
      : filter->shape.dim[(node->flags & PQNN_FLAG_TRANSPOSE_WEIGHTS) ? 0 : 1];
  if (pqnn_pass_use_qd8(node, x, filter->datatype, reduction, rt->flags)) {
    const uint32_t q = add_tensor(rt, &rt->tensors[input], pqnn_datatype_qdint8);
    rt->tensors[q].qd8_per_image = conv;
    add_convert(rt, input, q, true);
    input = q;
    compute = pqnn_datatype_qdint8;
    impl = fp16 ? (conv ? pqnn_rt_conv_qd8_f16 : pqnn_rt_fc_qd8_f16)
                : (conv ? pqnn_rt_conv_qd8_f32 : pqnn_rt_fc_qd8_f32);
  } else if (x == pqnn_datatype_qdint8) {
    impl = conv ? pqnn_rt_conv_qd8_f32 : pqnn_rt_fc_qd8_f32;
  } else if (x == pqnn_datatype_fp32) {
    impl = conv ? pqnn_rt_conv_f32 : pqnn_rt_fc_f32;
  } else if (x == pqnn_datatype_fp16) {
    impl = conv ? pqnn_rt_conv_f16 : pqnn_rt_fc_f16;
  } else if (filter->datatype == pqnn_datatype_qcint8) {
    impl = conv ? pqnn_rt_conv_qs8_qc8w : pqnn_rt_fc_qs8_qc8w;
  } else {
    impl = conv ? pqnn_rt_conv_qs8 : pqnn_rt_fc_qs8;
  }
  struct pqnn_rt_op* op = add_op(rt, node->type, impl, compute, input, output, false);
  op->node = *node;
  op->weight_shapes[0] = filter->shape;
  if (bias != NULL) op->weight_shapes[1] = bias->shape;
  op->output_min = node->output_min;
  op->output_max = node->output_max;
  return pqnn_rt_create_gemm(rt, op, filter, bias);
}

static enum pqnn_rt_impl node_kernel_impl(enum pqnn_node_type type) {
  switch (type) {
    case pqnn_node_type_add2: return pqnn_rt_add2;
    case pqnn_node_type_clamp: return pqnn_rt_clamp;
    case pqnn_node_type_gelu: return pqnn_rt_gelu;
    case pqnn_node_type_global_average_pooling_2d: return pqnn_rt_global_average_pooling;
    case pqnn_node_type_max_pooling_2d: return pqnn_rt_max_pooling;
    case pqnn_node_type_softmax: return pqnn_rt_softmax;
    default: return pqnn_rt_copy;
  }
}

static enum pqnn_status emit_node(struct pqnn_runtime* rt, const struct pqnn_subgraph* sg,
    struct plan_scratch* s, uint32_t n, bool fp16) {
  struct pqnn_node node = sg->nodes[n];
  uint32_t out_value = node.output;
  if (s->fused_clamp[n] != PQNN_NO_NODE) {
    const struct pqnn_node* clamp = &sg->nodes[s->fused_clamp[n]];
    out_value = clamp->output;
    if (clamp->output_min > node.output_min) node.output_min = clamp->output_min;
    if (clamp->output_max < node.output_max) node.output_max = clamp->output_max;
  }
  /* Under f16 inference an external output is produced in f16, then converted. */
  uint32_t output = out_value;
  const bool convert_out = fp16 && rt->tensors[out_value].external_flags != 0;
  if (convert_out) output = add_tensor(rt, &rt->tensors[out_value], pqnn_datatype_fp16);
  s->current[out_value] = output;
  const uint32_t input = s->current[node.inputs[0]];
  enum pqnn_status status = pqnn_status_success;
  if (node.type == pqnn_node_type_fully_connected || node.type == pqnn_node_type_convolution_2d ||
      node.type == pqnn_node_type_depthwise_convolution_2d) {
    status = emit_gemm(rt, sg, &node, input, output, fp16);
    if (status != pqnn_status_success) return status;
  } else if (node.type == pqnn_node_type_convert) {
    struct pqnn_rt_op* op = add_convert(rt, input, output, false);
    op->node = node;
  } else {
    if (fp16) {
      status = static_to_f16(rt, input);
      if (status == pqnn_status_success && node.num_inputs > 1) {
        status = static_to_f16(rt, s->current[node.inputs[1]]);
      }
      if (status != pqnn_status_success) return status;
    }
    struct pqnn_rt_op* op = add_op(rt, node.type, node_kernel_impl(node.type),
        rt->tensors[output].datatype, input, output, false);
    op->node = node;
    op->output_min = node.output_min;
    op->output_max = node.output_max;
    if (node.num_inputs > 1) {
      op->num_inputs = 2;
      op->inputs[1] = s->current[node.inputs[1]];
      rt->tensors[op->inputs[1]].used = true;
    }
  }
  rt->ops[rt->num_ops - 1].info.fused_clamp = s->fused_clamp[n] != PQNN_NO_NODE;
  if (convert_out) add_convert(rt, output, out_value, true);
  return pqnn_status_success;
}

static void init_tensors(struct pqnn_runtime* rt, const struct pqnn_subgraph* sg, bool fp16) {
  for (uint32_t v = 0; v < sg->num_values; v++) {
    const struct pqnn_value* value = &sg->values[v];
    struct pqnn_rt_tensor* t = &rt->tensors[v];
    if (!value->defined) continue;
    *t = (struct pqnn_rt_tensor) {.datatype = value->datatype, .shape = value->shape,
        .zero_point = value->zero_point, .scale = value->scale, .static_data = value->data,
        .external_flags = value->flags};
    if (fp16 && value->datatype == pqnn_datatype_fp32 && value->data == NULL &&
        value->flags == 0) {
      t->datatype = pqnn_datatype_fp16;
    }
  }
  /* A qdint8 value read by a convolution is quantized per image. */
  for (uint32_t n = 0; n < sg->num_nodes; n++) {
    if (sg->nodes[n].type == pqnn_node_type_convolution_2d) {
      rt->tensors[sg->nodes[n].inputs[0]].qd8_per_image = true;
    }
  }
}

enum pqnn_status pqnn_runtime_plan(struct pqnn_runtime* rt, const struct pqnn_subgraph* sg) {
  const uint32_t nv = sg->num_values, nn = sg->num_nodes;
  struct plan_scratch s;
  const size_t words = (size_t) nn * 2 + (size_t) nv * 2;
  uint32_t* scratch = pqnn_allocate_zero(words * sizeof(uint32_t) + (size_t) nn * 2 + 1);
  if (scratch == NULL) return pqnn_status_out_of_memory;
  s.order = scratch;
  s.fused_clamp = s.order + nn;
  s.consumers = s.fused_clamp + nn;
  s.current = s.consumers + nv;
  s.skip = (bool*) (s.current + nv);
  s.done = s.skip + nn;
  for (uint32_t n = 0; n < nn; n++) s.fused_clamp[n] = PQNN_NO_NODE;
  for (uint32_t v = 0; v < nv; v++) s.current[v] = v;

  enum pqnn_status status = order_nodes(sg, &s);
  if (status != pqnn_status_success) goto done;
  fuse_clamps(sg, &s);
  const bool fp16 = pqnn_pass_use_fp16(sg, rt->flags);
  if (!fp16) rt->flags &= ~PQNN_FLAG_FP16_INFERENCE;

  /* Upper bounds: per node an inserted qd8 tensor and an f16 output copy; per value an f16
   * input copy. Ops: per node a qd8 convert, the node and an output convert; per value an
   * input convert. */
  const size_t max_tensors = (size_t) nv * 2 + (size_t) nn * 2;
  const size_t max_ops = (size_t) nn * 3 + (size_t) nv;
  rt->tensors = pqnn_allocate_zero(max_tensors * sizeof(struct pqnn_rt_tensor) + 1);
  rt->ops = pqnn_allocate_zero(max_ops * sizeof(struct pqnn_rt_op) + 1);
  if (rt->tensors == NULL || rt->ops == NULL) {
    status = pqnn_status_out_of_memory;
    goto done;
  }
  rt->num_values = nv;
  rt->num_tensors = nv;
  init_tensors(rt, sg, fp16);
  if (fp16) {
    for (uint32_t v = 0; v < nv; v++) {
      if ((rt->tensors[v].external_flags & PQNN_VALUE_FLAG_EXTERNAL_INPUT) == 0 ||
          s.consumers[v] == 0) {
        continue;
      }
      s.current[v] = add_tensor(rt, &rt->tensors[v], pqnn_datatype_fp16);
      add_convert(rt, v, s.current[v], true);
    }
  }
  for (uint32_t i = 0; i < nn; i++) {
    const uint32_t n = s.order[i];
    if (s.skip[n]) continue;
    status = emit_node(rt, sg, &s, n, fp16);
    if (status != pqnn_status_success) goto done;
  }
  /* External outputs that are also inputs must still be bound at setup. */
  for (uint32_t v = 0; v < nv; v++) {
    if (rt->tensors[v].external_flags != 0) rt->tensors[v].used = true;
  }
done:
  pqnn_release(scratch);
  return status;
}
