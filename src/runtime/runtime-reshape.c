/* Shape propagation: in execution order, each op's output shape follows from its input
 * shapes (the node's own rule, shape-inference.c; a convert keeps the shape), then the
 * op's executor reshapes its operator or kernel geometry and the output's byte size is set
 * (qdint8 tensors carry their quantization params after the data). */
#include "logging.h"
#include "runtime/runtime-shared.h"
#include "runtime/runtime.h"

enum pqnn_status pqnn_runtime_reshape_ops(struct pqnn_runtime* rt) {
  for (uint32_t t = 0; t < rt->num_values; t++) {
    if ((rt->tensors[t].external_flags & PQNN_VALUE_FLAG_EXTERNAL_INPUT) != 0) {
      const enum pqnn_status status = pqnn_rt_tensor_bytes(&rt->tensors[t]);
      if (status != pqnn_status_success) return status;
    }
  }
  for (uint32_t i = 0; i < rt->num_ops; i++) {
    struct pqnn_rt_op* op = &rt->ops[i];
    struct pqnn_rt_tensor* y = &rt->tensors[op->output];
    enum pqnn_status status = pqnn_infer_node_shape("pqnn_reshape_runtime", &op->node,
        op->in_shapes, &y->shape);
    if (status == pqnn_status_success) status = op->exec->reshape(rt, op);
    if (status != pqnn_status_success) return status;
    status = pqnn_rt_tensor_bytes(y);
    if (status != pqnn_status_success) {
      PQNN_LOG_ERROR("tensor size overflows size_t");
      return status;
    }
  }
  rt->serial = pqnn_rt_runs_serial(rt);
  return pqnn_status_success;
}
