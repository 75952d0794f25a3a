/* Runtime internals. A runtime is a list of ops in execution order over a table of
 * tensors. Tensor i < num_values is subgraph value i (as defined; static data pointer kept);
 * later tensors are inserted by the planner (f16 copies of external values, qd8 activations).
 * Every op has three steps: reshape (output shape from its inputs, operator reshape),
 * setup (bind pointers once the arena is placed) and run. */
#ifndef PQNN_RUNTIME_RUNTIME_H_
#define PQNN_RUNTIME_RUNTIME_H_

#include <pqnn.h>

#include "runtime/node-kernels.h"
#include "runtime/subgraph.h"

enum pqnn_rt_impl {
  pqnn_rt_fc_f32, pqnn_rt_fc_f16, pqnn_rt_fc_qs8, pqnn_rt_fc_qs8_qc8w,
  pqnn_rt_fc_qd8_f32, pqnn_rt_fc_qd8_f16,
  pqnn_rt_conv_f32, pqnn_rt_conv_f16, pqnn_rt_conv_qs8, pqnn_rt_conv_qs8_qc8w,
  pqnn_rt_conv_qd8_f32, pqnn_rt_conv_qd8_f16,
  pqnn_rt_convert_f32_f16, pqnn_rt_convert_f16_f32, pqnn_rt_convert_f32_qd8,
  pqnn_rt_convert_f16_qd8, pqnn_rt_convert_f32_qs8, pqnn_rt_convert_qs8_f32,
  pqnn_rt_add2, pqnn_rt_clamp, pqnn_rt_gelu, pqnn_rt_global_average_pooling,
  pqnn_rt_max_pooling, pqnn_rt_softmax, pqnn_rt_copy,
};

struct pqnn_rt_tensor {
  enum pqnn_datatype datatype;      /* as executed (fp32 values become fp16 under f16 inference) */
  struct pqnn_shape shape;
  int32_t zero_point;
  float scale;
  const void* static_data;          /* static values (caller's memory or static_owned) */
  void* static_owned;               /* runtime-owned converted copy (f16 constants) */
  uint32_t external_flags;          /* PQNN_VALUE_FLAG_EXTERNAL_* of external values */
  bool used;                        /* read or written by some op */
  bool qd8_per_image;               /* qdint8: one params entry per image (conv) or per row */
  /* set by reshape */
  size_t quantization_rows;         /* qdint8: params entries */
  size_t bytes;                     /* storage incl. qdint8 params */
  size_t params_offset;             /* qdint8: byte offset of the params */
  /* set by the arena plan */
  bool in_arena;
  uint32_t first_op, last_op;
  size_t arena_offset;
  /* set by setup */
  void* data;
};

struct pqnn_rt_op {
  struct pqnn_runtime_node_info info;
  enum pqnn_rt_impl impl;
  struct pqnn_node node;            /* the defined node (conv params, bounds); inserted: zeroed */
  struct pqnn_shape weight_shapes[2];  /* filter, bias shapes (FC/conv); bias num_dims 0 = none */
  uint32_t num_inputs;
  uint32_t inputs[2];               /* tensor indices */
  uint32_t output;
  float output_min, output_max;     /* after clamp fusion */
  int8_t qmin, qmax;                /* qs8 outputs */
  pqnn_operator_t op;               /* FC / conv / convert operators */
  size_t op_channels;               /* convert operators: channels they were created for */
  /* set by reshape for the node kernels */
  size_t range, rows, channels, pixels;
  struct pqnn_add2_shape add2;
  struct pqnn_pool_geometry pool;
};

struct pqnn_runtime {
  pthreadpool_t threadpool;
  uint32_t flags;
  uint32_t num_values;              /* tensors [0, num_values) are the subgraph's values */
  uint32_t external_value_ids;
  uint32_t num_tensors;
  struct pqnn_rt_tensor* tensors;
  uint32_t num_ops;
  struct pqnn_rt_op* ops;
  void* arena;
  size_t arena_capacity, arena_size, unshared_size;
  bool needs_reshape, needs_setup, ready;
};

/* Planning (runtime-plan.c): execution order, fusion, datatype passes, ops created. */
PQNN_INTERNAL enum pqnn_status pqnn_runtime_plan(struct pqnn_runtime* runtime,
    const struct pqnn_subgraph* subgraph);
/* Operators of FC / conv nodes (runtime-ops-gemm.c). */
PQNN_INTERNAL enum pqnn_status pqnn_rt_create_gemm(struct pqnn_runtime* runtime,
    struct pqnn_rt_op* op, const struct pqnn_value* filter, const struct pqnn_value* bias);
PQNN_INTERNAL enum pqnn_status pqnn_rt_reshape_gemm(struct pqnn_runtime* runtime,
    struct pqnn_rt_op* op);
PQNN_INTERNAL enum pqnn_status pqnn_rt_setup_gemm(struct pqnn_runtime* runtime,
    struct pqnn_rt_op* op);
/* Conversions (runtime-ops-convert.c). */
PQNN_INTERNAL enum pqnn_status pqnn_rt_reshape_convert(struct pqnn_runtime* runtime,
    struct pqnn_rt_op* op);
PQNN_INTERNAL enum pqnn_status pqnn_rt_setup_convert(struct pqnn_runtime* runtime,
    struct pqnn_rt_op* op);
PQNN_INTERNAL void pqnn_rt_run_convert(struct pqnn_runtime* runtime, struct pqnn_rt_op* op);
/* Node-kernel ops (runtime-ops-nodes.c). */
PQNN_INTERNAL enum pqnn_status pqnn_rt_reshape_node(struct pqnn_runtime* runtime,
    struct pqnn_rt_op* op);
PQNN_INTERNAL void pqnn_rt_run_node(struct pqnn_runtime* runtime, struct pqnn_rt_op* op);
/* Splits [0, range) into tiles and calls body(op, start, end) on the runtime's pool. */
PQNN_INTERNAL void pqnn_rt_parallelize(struct pqnn_runtime* runtime, struct pqnn_rt_op* op,
    void (*body)(struct pqnn_runtime*, struct pqnn_rt_op*, size_t, size_t), size_t range,
    size_t min_tile);
/* Arena (runtime-arena.c): lifetimes, offsets, sizes; grows runtime->arena. */
PQNN_INTERNAL enum pqnn_status pqnn_runtime_plan_arena(struct pqnn_runtime* runtime);
/* Shape propagation and operator reshape for every op (runtime-reshape.c). */
PQNN_INTERNAL enum pqnn_status pqnn_runtime_reshape_ops(struct pqnn_runtime* runtime);
/* qs8 bounds of a float output range in the tensor's quantization. */
PQNN_INTERNAL void pqnn_rt_quantize_bounds(const struct pqnn_rt_tensor* t, float min, float max,
    int8_t* qmin, int8_t* qmax);

static inline bool pqnn_rt_is_gemm(enum pqnn_rt_impl impl) {
  return impl <= pqnn_rt_conv_qd8_f16;
}
static inline bool pqnn_rt_is_convert_operator(enum pqnn_rt_impl impl) {
  return impl >= pqnn_rt_convert_f32_f16 && impl <= pqnn_rt_convert_f16_qd8;
}

#endif  /* PQNN_RUNTIME_RUNTIME_H_ */
