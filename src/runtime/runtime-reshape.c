/* Shape propagation: in execution order, each op's output shape follows from its input
 * shapes (the node's own rule, shape-inference.c; an inserted convert keeps the shape),
 * then the op reshapes its operator or kernel geometry and the output's byte size is set
 * (qdint8 tensors carry their quantization params after the data). */
#include "logging.h"
#include "runtime/runtime.h"

static enum pqnn_status tensor_bytes(struct pqnn_rt_tensor* t) {
  size_t bytes = pqnn_datatype_size(t->datatype);
  for (size_t i = 0; i < t->shape.num_dims; i++) {
    if (!pqnn_mul_sz(bytes, t->shape.dim[i], &bytes)) return pqnn_status_invalid_parameter;
  }
  t->params_offset = 0;
  if (t->datatype == pqnn_datatype_qdint8) {
    size_t params;
    t->params_offset = pqnn_round_up(bytes, sizeof(struct pqnn_quantization_params));
    if (t->params_offset < bytes ||
        !pqnn_mul_sz(t->quantization_rows, sizeof(struct pqnn_quantization_params), &params) ||
        !pqnn_add_sz(t->params_offset, params, &bytes)) {
      return pqnn_status_invalid_parameter;
    }
  }
  t->bytes = bytes;
  return pqnn_status_success;
}

static enum pqnn_status reshape_op(struct pqnn_runtime* rt, struct pqnn_rt_op* op) {
  struct pqnn_rt_tensor* y = &rt->tensors[op->output];
  const struct pqnn_shape* in[PQNN_NODE_MAX_INPUTS] = {&rt->tensors[op->inputs[0]].shape,
      NULL, NULL};
  if (pqnn_rt_is_gemm(op->impl)) {
    in[1] = &op->weight_shapes[0];
    in[2] = op->weight_shapes[1].num_dims != 0 ? &op->weight_shapes[1] : NULL;
  } else if (op->num_inputs > 1) {
    in[1] = &rt->tensors[op->inputs[1]].shape;
  }
  enum pqnn_status status = pqnn_status_success;
  if (op->info.inserted) {
    y->shape = *in[0];
  } else {
    status = pqnn_infer_node_shape(__func__, &op->node, in, &y->shape);
    if (status != pqnn_status_success) return status;
  }
  if (pqnn_rt_is_gemm(op->impl)) {
    status = pqnn_rt_reshape_gemm(rt, op);
  } else if (op->info.type == pqnn_node_type_convert) {
    status = pqnn_rt_reshape_convert(rt, op);
  } else {
    status = pqnn_rt_reshape_node(rt, op);
  }
  if (status != pqnn_status_success) return status;
  status = tensor_bytes(y);
  if (status != pqnn_status_success) PQNN_LOG_ERROR("tensor size overflows size_t");
  return status;
}

enum pqnn_status pqnn_runtime_reshape_ops(struct pqnn_runtime* rt) {
  for (uint32_t t = 0; t < rt->num_values; t++) {
    if ((rt->tensors[t].external_flags & PQNN_VALUE_FLAG_EXTERNAL_INPUT) != 0) {
      const enum pqnn_status status = tensor_bytes(&rt->tensors[t]);
      if (status != pqnn_status_success) return status;
    }
  }
  for (uint32_t i = 0; i < rt->num_ops; i++) {
    const enum pqnn_status status = reshape_op(rt, &rt->ops[i]);
    if (status != pqnn_status_success) return status;
  }
  return pqnn_status_success;
}
