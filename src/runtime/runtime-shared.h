/* Helpers shared by the runtime's files (planner, passes, executors, reshape): the one
 * place they live, so no op file borrows from a sibling. */
#ifndef PQNN_RUNTIME_RUNTIME_SHARED_H_
#define PQNN_RUNTIME_RUNTIME_SHARED_H_

#include "runtime/runtime-types.h"

/* Splits [0, op->range) into tiles of at least op->min_tile and runs op->body on the
 * runtime's pool: the run step of every node-kernel executor. */
PQNN_INTERNAL enum pqnn_status pqnn_rt_run_parallel(struct pqnn_runtime* rt,
    struct pqnn_rt_op* op);
/* Runs op->op, the public operator behind FC / conv / convert executors. */
PQNN_INTERNAL enum pqnn_status pqnn_rt_run_operator(struct pqnn_runtime* rt,
    struct pqnn_rt_op* op);
/* Multiply-adds of one run of op at the current shapes (0 for nodes without a reduction),
 * plus one per output element of a fused affine (runtime-pass-affine.c). */
PQNN_INTERNAL uint64_t pqnn_rt_op_macs(const struct pqnn_runtime* rt, const struct pqnn_rt_op* op);
/* Whether the runtime's work per inference at the current shapes is small enough to run
 * every node without the pool (reshape sets rt->serial from it). */
PQNN_INTERNAL bool pqnn_rt_runs_serial(const struct pqnn_runtime* rt);
/* qs8 bounds of a float output range in the tensor's quantization. */
PQNN_INTERNAL void pqnn_rt_quantize_bounds(const struct pqnn_rt_tensor* t, float min, float max,
    int8_t* qmin, int8_t* qmax);
/* Byte size of a tensor from its shape (qdint8: data, then quantization_rows params);
 * invalid_parameter when it overflows size_t. */
PQNN_INTERNAL enum pqnn_status pqnn_rt_tensor_bytes(struct pqnn_rt_tensor* t);

/* Op list editing for the planner and its passes (capacity reserved at planning). */
/* A new tensor shaped and quantized like `like`, of `datatype`; its index. */
PQNN_INTERNAL uint32_t pqnn_rt_add_tensor(struct pqnn_runtime* rt, uint32_t like,
    enum pqnn_datatype datatype);
/* A one-input op inserted at `position` (later ops shift up); a pointer to it. */
PQNN_INTERNAL struct pqnn_rt_op* pqnn_rt_insert_op(struct pqnn_runtime* rt, uint32_t position,
    enum pqnn_node_type type, uint32_t input, uint32_t output);
/* An inserted convert of `input` into `output` at `position`. */
PQNN_INTERNAL struct pqnn_rt_op* pqnn_rt_insert_convert(struct pqnn_runtime* rt,
    uint32_t position, uint32_t input, uint32_t output);
/* Recounts every tensor's consumers and producer op from the current op list. */
PQNN_INTERNAL void pqnn_rt_index_ops(struct pqnn_runtime* rt);
/* Whether a convolution node's f32 operator takes the Winograd path on this CPU (its
 * geometry and PQNN_FLAG_NO_WINOGRAD; operators-f32.c). */
PQNN_INTERNAL bool pqnn_rt_conv_takes_winograd(const struct pqnn_rt_op* op);
/* An f32 -> qdint8 convert inserted by dynamic quantization, in no row band (its output's
 * qd8_per_image / qd8_per_image_row say how it quantizes). */
PQNN_INTERNAL bool pqnn_rt_is_inserted_qd8_convert(const struct pqnn_runtime* rt,
    const struct pqnn_rt_op* op);
/* True for the node types that run through the FC / conv operators. */
PQNN_INTERNAL bool pqnn_rt_is_gemm_node(enum pqnn_node_type type);

#endif  /* PQNN_RUNTIME_RUNTIME_SHARED_H_ */
