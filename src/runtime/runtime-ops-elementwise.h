/* Tile bodies of the elementwise binary / unary ops (runtime-ops-elementwise.c); the
 * executors are runtime-ops-nodes.c's add2 (broadcast geometry, rows) and elementwise
 * (elements) ones, picked there in its node table. */
#ifndef PQNN_RUNTIME_RUNTIME_OPS_ELEMENTWISE_H_
#define PQNN_RUNTIME_RUNTIME_OPS_ELEMENTWISE_H_

#include "runtime/runtime-types.h"

/* Rows [start, end) of a binary / add2 op's output plus its fused residual (inputs[2],
 * runtime-passes.c), with the add's bounds, then its upsampled one (inputs[3]) if any;
 * nothing without one. */
PQNN_INTERNAL void pqnn_rt_residual_f32(struct pqnn_runtime* rt, struct pqnn_rt_op* op,
    size_t start, size_t end);
PQNN_INTERNAL void pqnn_rt_residual_f16(struct pqnn_runtime* rt, struct pqnn_rt_op* op,
    size_t start, size_t end);
/* Adds a binary / add2 op's nearest-upsampled residual (runtime-pass-upsample.c) to
 * elements [e0, e1) of its dense output (runtime-ops-upsampled.c). */
PQNN_INTERNAL void pqnn_rt_upsampled_f32(struct pqnn_runtime* rt, struct pqnn_rt_op* op,
    size_t e0, size_t e1);
PQNN_INTERNAL void pqnn_rt_upsampled_f16(struct pqnn_runtime* rt, struct pqnn_rt_op* op,
    size_t e0, size_t e1);
/* A node with a fused residual computes its rows [start, end) in chunks of about this many
 * output bytes and adds the residual to each chunk while it is still in the cache (one
 * thread runs the whole range as one tile: without chunks the output would make two trips
 * through memory). */
#define PQNN_RT_RESIDUAL_CHUNK_BYTES 32768
/* Rows per chunk for rows of row_bytes when the residual is inputs[residual_input]: all of
 * [start, end) without one. */
PQNN_INTERNAL size_t pqnn_rt_residual_chunk_rows(const struct pqnn_rt_op* op,
    uint32_t residual_input, size_t start, size_t end, size_t row_bytes);
PQNN_INTERNAL void pqnn_rt_binary_f32(struct pqnn_runtime* rt, struct pqnn_rt_op* op,
    size_t start, size_t end);
PQNN_INTERNAL void pqnn_rt_binary_f16(struct pqnn_runtime* rt, struct pqnn_rt_op* op,
    size_t start, size_t end);
PQNN_INTERNAL void pqnn_rt_unary_f32(struct pqnn_runtime* rt, struct pqnn_rt_op* op,
    size_t start, size_t end);
PQNN_INTERNAL void pqnn_rt_unary_f16(struct pqnn_runtime* rt, struct pqnn_rt_op* op,
    size_t start, size_t end);

#endif  /* PQNN_RUNTIME_RUNTIME_OPS_ELEMENTWISE_H_ */
