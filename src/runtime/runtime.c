/* Runtime lifecycle: create (plan, create operators, first reshape), reshape of external
 * inputs, reshape (shapes, operators, arena), setup (bind external and arena pointers,
 * set up every operator), invoke and delete. The queries are in runtime-queries.c. */
#include <string.h>

#include "allocator.h"
#include "logging.h"
#include "operator.h"
#include "runtime/runtime-band.h"
#include "runtime/runtime-executors.h"
#include "runtime/runtime-passes.h"
#include "runtime/runtime-shared.h"
#include "runtime/runtime.h"


enum pqnn_status pqnn_delete_runtime(pqnn_runtime_t rt) {
  if (rt == NULL) return pqnn_status_success;
  if (rt->ops != NULL) {
    for (uint32_t i = 0; i < rt->num_ops; i++) {
      pqnn_delete_operator(rt->ops[i].op);
      pqnn_delete_operator(rt->ops[i].affine_op);
      pqnn_release(rt->ops[i].upsampled.columns);
      pqnn_release(rt->ops[i].concat_input.storage);
      pqnn_release(rt->ops[i].scaled_input.part);
      pqnn_rt_release_output_range(&rt->ops[i]);
    }
  }
  if (rt->tensors != NULL) {
    for (uint32_t t = 0; t < rt->num_tensors; t++) pqnn_release(rt->tensors[t].static_owned);
  }
  pqnn_rt_release_bands(rt);
  pqnn_release(rt->ops);
  pqnn_release(rt->tensors);
  pqnn_release(rt->profile_ns);
  pqnn_release_streamed(rt->arena);
  pqnn_release(rt);
  return pqnn_status_success;
}

static enum pqnn_status reshape(struct pqnn_runtime* rt) {
  rt->ready = false;
  rt->needs_setup = true;
  enum pqnn_status status = pqnn_runtime_reshape_ops(rt);
  if (status == pqnn_status_success) status = pqnn_runtime_plan_arena(rt);
  rt->needs_reshape = status != pqnn_status_success;
  return status;
}

enum pqnn_status pqnn_create_runtime(pqnn_subgraph_t subgraph, pthreadpool_t threadpool,
    uint32_t flags, pqnn_runtime_t* runtime_out) {
  return pqnn_create_runtime_with_options(subgraph, threadpool, flags, NULL, runtime_out);
}

enum pqnn_status pqnn_create_runtime_with_options(pqnn_subgraph_t subgraph,
    pthreadpool_t threadpool, uint32_t flags, const struct pqnn_runtime_options* options,
    pqnn_runtime_t* runtime_out) {
  enum pqnn_status status = pqnn_check_initialized(__func__);
  if (status != pqnn_status_success) return status;
  if (subgraph == NULL || runtime_out == NULL) {
    PQNN_LOG_ERROR("%s is NULL", subgraph == NULL ? "subgraph" : "runtime_out");
    return pqnn_status_invalid_parameter;
  }
  if ((flags & ~PQNN_RUNTIME_FLAGS) != 0) {
    PQNN_LOG_ERROR("unknown flags 0x%x", (unsigned) flags);
    return pqnn_status_invalid_parameter;
  }
  if (options != NULL && options->qd8_fc_4bit_weights != 0 &&
      options->qd8_fc_4bit_block_size % 32 != 0) {
    PQNN_LOG_ERROR("qd8_fc_4bit_block_size (%zu) is not a multiple of 32",
        options->qd8_fc_4bit_block_size);
    return pqnn_status_invalid_parameter;
  }
  struct pqnn_runtime* rt = pqnn_allocate_zero(sizeof(struct pqnn_runtime));
  if (rt == NULL) {
    PQNN_LOG_ERROR("out of memory");
    return pqnn_status_out_of_memory;
  }
  rt->threadpool = threadpool;
  rt->flags = flags | subgraph->flags;
  rt->external_value_ids = subgraph->external_value_ids;
  rt->qd8_min_reduction = options != NULL && options->qd8_min_reduction != 0
      ? options->qd8_min_reduction : PQNN_QD8_MIN_REDUCTION;
  rt->qd8_min_reduction_default = options == NULL || options->qd8_min_reduction == 0;
  rt->qd8_float_depthwise = options != NULL && options->qd8_float_depthwise != 0;
  rt->qd8_fc_4bit = options != NULL && options->qd8_fc_4bit_weights != 0;
  rt->qd8_fc_4bit_block_size = rt->qd8_fc_4bit ? options->qd8_fc_4bit_block_size : 0;
  rt->keep_values = options != NULL && options->keep_values != 0;
  rt->no_residual_fusion = options != NULL && options->no_residual_fusion != 0;
  rt->no_activation_fusion = options != NULL && options->no_activation_fusion != 0;
  rt->no_affine_fusion = options != NULL && options->no_affine_fusion != 0;
  rt->no_banding = options != NULL && options->no_banding != 0;
  rt->no_pool_commute = options != NULL && options->no_pool_commute != 0;
  rt->f32_pool_commute = options != NULL && options->f32_pool_commute != 0;
  rt->no_scale_fusion = options != NULL && options->no_scale_fusion != 0;
  rt->no_range_fusion = options != NULL && options->no_range_fusion != 0;
  status = pqnn_runtime_plan(rt, subgraph);
  if (status == pqnn_status_success) status = reshape(rt);
  if (status != pqnn_status_success) {
    pqnn_delete_runtime(rt);
    return status;
  }
  *runtime_out = rt;
  return pqnn_status_success;
}

enum pqnn_status pqnn_reshape_external_value(pqnn_runtime_t rt, uint32_t external_id,
    size_t num_dims, const size_t* dims) {
  if (rt == NULL) {
    PQNN_LOG_ERROR("runtime is NULL");
    return pqnn_status_invalid_parameter;
  }
  if (external_id >= rt->num_values ||
      (rt->tensors[external_id].external_flags & PQNN_VALUE_FLAG_EXTERNAL_INPUT) == 0) {
    PQNN_LOG_ERROR("value %u is not an external input", (unsigned) external_id);
    return pqnn_status_invalid_parameter;
  }
  if (num_dims == 0 || num_dims > PQNN_MAX_DIMS || dims == NULL) {
    PQNN_LOG_ERROR("num_dims %zu is not 1 to %d or dims is NULL", num_dims, PQNN_MAX_DIMS);
    return pqnn_status_invalid_parameter;
  }
  size_t bytes = pqnn_datatype_size(rt->tensors[external_id].datatype);
  struct pqnn_shape shape = {.num_dims = num_dims};
  for (size_t i = 0; i < num_dims; i++) {
    if (dims[i] == 0 || !pqnn_mul_sz(bytes, dims[i], &bytes)) {
      PQNN_LOG_ERROR("dims[%zu] = %zu is 0 or the size overflows", i, dims[i]);
      return pqnn_status_invalid_parameter;
    }
    shape.dim[i] = dims[i];
  }
  rt->tensors[external_id].shape = shape;
  rt->needs_reshape = true;
  rt->ready = false;
  return pqnn_status_success;
}

enum pqnn_status pqnn_reshape_runtime(pqnn_runtime_t rt) {
  if (rt == NULL) {
    PQNN_LOG_ERROR("runtime is NULL");
    return pqnn_status_invalid_parameter;
  }
  return reshape(rt);
}

enum pqnn_status pqnn_setup_runtime(pqnn_runtime_t rt, size_t num_external_values,
    const struct pqnn_external_value* external_values) {
  if (rt == NULL || (num_external_values != 0 && external_values == NULL)) {
    PQNN_LOG_ERROR("%s is NULL", rt == NULL ? "runtime" : "external_values");
    return pqnn_status_invalid_parameter;
  }
  for (size_t i = 0; i < num_external_values; i++) {
    const uint32_t id = external_values[i].id;
    if (id >= rt->num_values || rt->tensors[id].external_flags == 0) {
      PQNN_LOG_ERROR("external_values[%zu].id = %u is not an external value", i, (unsigned) id);
      return pqnn_status_invalid_parameter;
    }
    if (external_values[i].data == NULL) {
      PQNN_LOG_ERROR("external_values[%zu].data is NULL", i);
      return pqnn_status_invalid_parameter;
    }
  }
  if (rt->needs_reshape) {
    const enum pqnn_status status = reshape(rt);
    if (status != pqnn_status_success) return status;
  }
  rt->ready = false;
  for (uint32_t t = 0; t < rt->num_values; t++) {
    if (rt->tensors[t].external_flags != 0) rt->tensors[t].data = NULL;
  }
  for (size_t i = 0; i < num_external_values; i++) {
    rt->tensors[external_values[i].id].data = external_values[i].data;
  }
  for (uint32_t t = 0; t < rt->num_tensors; t++) {
    struct pqnn_rt_tensor* tensor = &rt->tensors[t];
    if (!tensor->used) continue;
    if (tensor->external_flags != 0) {
      if (tensor->data == NULL) {
        PQNN_LOG_ERROR("external value %u is not set", (unsigned) t);
        return pqnn_status_invalid_parameter;
      }
    } else if (tensor->static_data != NULL) {
      tensor->data = (void*) tensor->static_data;
    } else if (rt->arena != NULL) {
      tensor->data = (char*) rt->arena + tensor->arena_offset;
    } else {
      /* no arena: every value the graph stores is static or external; what is left (a
       * banded intermediate, a resize folded into its concat) is never stored */
      tensor->data = NULL;
    }
  }
  for (uint32_t i = 0; i < rt->num_ops; i++) {
    struct pqnn_rt_op* op = &rt->ops[i];
    if (op->exec->setup == NULL) continue;  /* node kernels read the pointers at run */
    const enum pqnn_status status = op->exec->setup(rt, op);
    if (status != pqnn_status_success) return status;
  }
  rt->needs_setup = false;
  rt->ready = true;
  return pqnn_status_success;
}

enum pqnn_status pqnn_invoke_runtime(pqnn_runtime_t rt) {
  const enum pqnn_status init_status = pqnn_check_initialized(__func__);
  if (init_status != pqnn_status_success) {
    return init_status;
  }
  if (rt == NULL) {
    PQNN_LOG_ERROR("runtime is NULL");
    return pqnn_status_invalid_parameter;
  }
  if (!rt->ready) {
    PQNN_LOG_ERROR("runtime is not set up (call pqnn_setup_runtime after a reshape)");
    return pqnn_status_invalid_state;
  }
  pthreadpool_t pool = rt->threadpool;
  if (rt->serial) rt->threadpool = NULL;
  enum pqnn_status status = pqnn_status_success;
  pqnn_rt_reset_output_ranges(rt);
  if (rt->profiling) {
    status = pqnn_runtime_invoke_profiled(rt);
  } else {
    for (uint32_t i = 0; i < rt->num_ops && status == pqnn_status_success; i++) {
      status = rt->ops[i].exec->run(rt, &rt->ops[i]);
    }
  }
  rt->threadpool = pool;
  return status;
}
