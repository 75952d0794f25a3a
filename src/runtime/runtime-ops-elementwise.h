/* Tile bodies of the elementwise binary / unary ops (runtime-ops-elementwise.c); the
 * executors are runtime-ops-nodes.c's add2 (broadcast geometry, rows) and elementwise
 * (elements) ones, picked there in its node table. */
#ifndef PQNN_RUNTIME_RUNTIME_OPS_ELEMENTWISE_H_
#define PQNN_RUNTIME_RUNTIME_OPS_ELEMENTWISE_H_

#include "runtime/runtime-types.h"

/* Rows [start, end) of a binary / add2 op's output plus its fused residual (inputs[2],
 * runtime-passes.c), with the add's bounds; nothing without one. */
PQNN_INTERNAL void pqnn_rt_residual_f32(struct pqnn_runtime* rt, struct pqnn_rt_op* op,
    size_t start, size_t end);
PQNN_INTERNAL void pqnn_rt_residual_f16(struct pqnn_runtime* rt, struct pqnn_rt_op* op,
    size_t start, size_t end);
PQNN_INTERNAL void pqnn_rt_binary_f32(struct pqnn_runtime* rt, struct pqnn_rt_op* op,
    size_t start, size_t end);
PQNN_INTERNAL void pqnn_rt_binary_f16(struct pqnn_runtime* rt, struct pqnn_rt_op* op,
    size_t start, size_t end);
PQNN_INTERNAL void pqnn_rt_unary_f32(struct pqnn_runtime* rt, struct pqnn_rt_op* op,
    size_t start, size_t end);
PQNN_INTERNAL void pqnn_rt_unary_f16(struct pqnn_runtime* rt, struct pqnn_rt_op* op,
    size_t start, size_t end);

#endif  /* PQNN_RUNTIME_RUNTIME_OPS_ELEMENTWISE_H_ */
