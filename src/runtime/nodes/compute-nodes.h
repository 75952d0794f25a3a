/* Compute node types with their own files (src/runtime/nodes/): layer normalization,
 * average pooling 2D, transposed convolution (deconvolution 2D), softmax over any axis,
 * batch matrix multiply, reductions, select and gather. Each file holds the
 * node's define function, its shape rule, its datatype rule, its f32 / f16 kernels and its
 * executor, and exports one descriptor; compute-nodes.c lists the descriptors and is the
 * only place the shared registries (define, shape inference, planning) reach them.
 *
 * Kernels are plain C11 blocked loops like runtime/node-kernels.h: f32 work in blocks of
 * PQNN_NODE_BLOCK elements; the f16 variants widen blocks to f32 with the library's
 * convert kernels, compute exactly as the f32 kernel does and round once. */
#ifndef PQNN_RUNTIME_NODES_COMPUTE_NODES_H_
#define PQNN_RUNTIME_NODES_COMPUTE_NODES_H_

#include "runtime/runtime-types.h"
#include "runtime/subgraph.h"

struct pqnn_compute_node {
  enum pqnn_node_type type;
  /* Output shape from the input shapes (in[i] NULL for an omitted optional input);
   * invalid_parameter, logged under `function`, when they do not fit. */
  enum pqnn_status (*infer)(const char* function, const struct pqnn_node* node,
      const struct pqnn_shape* const* in, struct pqnn_shape* out);
  /* Datatypes and static-ness of the inputs (in[i] NULL for an omitted optional input). */
  enum pqnn_status (*check)(const char* function, const struct pqnn_node* node,
      const struct pqnn_value* const* in, const struct pqnn_value* out);
  const struct pqnn_rt_executor* exec;
  pqnn_rt_body_fn f32, f16;
};

PQNN_INTERNAL extern const struct pqnn_compute_node pqnn_layer_normalization_node;
PQNN_INTERNAL extern const struct pqnn_compute_node pqnn_average_pooling_2d_node;
PQNN_INTERNAL extern const struct pqnn_compute_node pqnn_deconvolution_2d_node;
PQNN_INTERNAL extern const struct pqnn_compute_node pqnn_softmax_axis_node;
PQNN_INTERNAL extern const struct pqnn_compute_node pqnn_batch_matrix_multiply_node;
PQNN_INTERNAL extern const struct pqnn_compute_node pqnn_reduce_node;
PQNN_INTERNAL extern const struct pqnn_compute_node pqnn_select_node;
PQNN_INTERNAL extern const struct pqnn_compute_node pqnn_gather_node;

/* The descriptor of `type`, NULL when it is not a compute node. */
PQNN_INTERNAL const struct pqnn_compute_node* pqnn_find_compute_node(enum pqnn_node_type type);

/* subgraph-nodes.c: validates ids, flags, output range, shape (through the node's shape rule)
 * and datatypes, then appends the node. */
PQNN_INTERNAL enum pqnn_status pqnn_subgraph_define_node(const char* function,
    struct pqnn_subgraph* subgraph, struct pqnn_node* node, uint32_t allowed_flags);

/* Float-only datatype rule shared by the nodes: every present input and the output are all
 * fp32 or all fp16; the inputs listed in static_mask (bit i: input i) must be static. */
PQNN_INTERNAL enum pqnn_status pqnn_compute_check_float(const char* function,
    const struct pqnn_node* node, const struct pqnn_value* const* in,
    const struct pqnn_value* out, uint32_t static_mask);

/* Widens n f16 values to f32 (x_f16 != NULL) or copies n f32 values: the load step of the
 * f32 / f16 kernel pairs. */
PQNN_INTERNAL void pqnn_compute_load(size_t n, const float* x_f32, const uint16_t* x_f16,
    float* t);
/* Stores n f32 values as f32 (y_f32 != NULL) or rounded to f16 (RNE). */
PQNN_INTERNAL void pqnn_compute_store(size_t n, const float* t, float* y_f32, uint16_t* y_f16);

/* p + k, or NULL when p is NULL (the absent side of an f32 / f16 pair). */
static inline const float* pqnn_at32(const float* p, size_t k) { return p != NULL ? p + k : NULL; }
static inline const uint16_t* pqnn_at16(const uint16_t* p, size_t k) {
  return p != NULL ? p + k : NULL;
}
/* The bound data of op input k (static values included), NULL when k is not an input. */
static inline const void* pqnn_compute_input(const struct pqnn_runtime* rt,
    const struct pqnn_rt_op* op, uint32_t k) {
  return k < op->num_inputs ? rt->tensors[op->inputs[k]].data : NULL;
}

#endif  /* PQNN_RUNTIME_NODES_COMPUTE_NODES_H_ */
