/* Tile bodies of the elementwise binary / unary ops: rows of the broadcast shape (binary,
 * geometry from the add2 reshape) or element ranges (unary), on the kernels of
 * node-kernels-elementwise.h. The operator and its parameters are the defined node's. */
#include "common.h"
#include "runtime/node-kernels-elementwise.h"
#include "runtime/runtime-ops-elementwise.h"

#define IN(k, type) ((const type*) rt->tensors[op->inputs[k]].data)
#define OUT(type) ((type*) rt->tensors[op->output].data)

/* A fused residual (inputs[2], runtime-passes.c) added to rows [start, end) of the dense
 * output, right after the node computed them. */
void pqnn_rt_residual_f32(struct pqnn_runtime* rt, struct pqnn_rt_op* op, size_t start,
    size_t end) {
  if (op->num_inputs < 3) return;
  const size_t n = op->add2.shape[3];
  pqnn_node_f32_residual((end - start) * n, OUT(float) + start * n, IN(2, float) + start * n,
      op->residual_min, op->residual_max);
  if (op->upsampled.fused) pqnn_rt_upsampled_f32(rt, op, start * n, end * n);
}

void pqnn_rt_residual_f16(struct pqnn_runtime* rt, struct pqnn_rt_op* op, size_t start,
    size_t end) {
  if (op->num_inputs < 3) return;
  const size_t n = op->add2.shape[3];
  pqnn_node_f16_residual((end - start) * n, OUT(uint16_t) + start * n,
      IN(2, uint16_t) + start * n, op->residual_min, op->residual_max);
  if (op->upsampled.fused) pqnn_rt_upsampled_f16(rt, op, start * n, end * n);
}

size_t pqnn_rt_residual_chunk_rows(const struct pqnn_rt_op* op, uint32_t residual_input,
    size_t start, size_t end, size_t row_bytes) {
  if (op->num_inputs <= residual_input) return end - start;
  return pqnn_max_sz(1, PQNN_RT_RESIDUAL_CHUNK_BYTES / pqnn_max_sz(row_bytes, 1));
}

void pqnn_rt_binary_f32(struct pqnn_runtime* rt, struct pqnn_rt_op* op, size_t start, size_t end) {
  const size_t chunk = pqnn_rt_residual_chunk_rows(op, 2, start, end,
      op->add2.shape[3] * sizeof(float));
  for (size_t s = start; s < end; s += chunk) {
    const size_t e = pqnn_min_sz(end, s + chunk);
    pqnn_node_f32_binary((enum pqnn_binary_operator) op->node.elementwise_op, &op->add2, s, e,
        IN(0, float), IN(1, float), OUT(float), op->output_min, op->output_max);
    pqnn_rt_residual_f32(rt, op, s, e);
  }
}

void pqnn_rt_binary_f16(struct pqnn_runtime* rt, struct pqnn_rt_op* op, size_t start, size_t end) {
  const size_t chunk = pqnn_rt_residual_chunk_rows(op, 2, start, end,
      op->add2.shape[3] * sizeof(uint16_t));
  for (size_t s = start; s < end; s += chunk) {
    const size_t e = pqnn_min_sz(end, s + chunk);
    pqnn_node_f16_binary((enum pqnn_binary_operator) op->node.elementwise_op, &op->add2, s, e,
        IN(0, uint16_t), IN(1, uint16_t), OUT(uint16_t), op->output_min, op->output_max);
    pqnn_rt_residual_f16(rt, op, s, e);
  }
}

void pqnn_rt_unary_f32(struct pqnn_runtime* rt, struct pqnn_rt_op* op, size_t start, size_t end) {
  pqnn_node_f32_unary((enum pqnn_unary_operator) op->node.elementwise_op, &op->node.unary,
      end - start, IN(0, float) + start, OUT(float) + start);
}

void pqnn_rt_unary_f16(struct pqnn_runtime* rt, struct pqnn_rt_op* op, size_t start, size_t end) {
  pqnn_node_f16_unary((enum pqnn_unary_operator) op->node.elementwise_op, &op->node.unary,
      end - start, IN(0, uint16_t) + start, OUT(uint16_t) + start);
}
