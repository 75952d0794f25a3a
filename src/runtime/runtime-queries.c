/* What a runtime reports: the planned ops (node info), the f16 inference decision, the arena
 * sizes and the shapes of external values after a reshape. */
#include <string.h>

#include "logging.h"
#include "operator.h"
#include "runtime/runtime-band.h"
#include "runtime/runtime-passes.h"
#include "runtime/runtime-types.h"

enum pqnn_status pqnn_get_runtime_node_count(pqnn_runtime_t rt, size_t* count_out) {
  if (rt == NULL || count_out == NULL) {
    PQNN_LOG_ERROR("%s is NULL", rt == NULL ? "runtime" : "count_out");
    return pqnn_status_invalid_parameter;
  }
  *count_out = rt->num_ops;
  return pqnn_status_success;
}

enum pqnn_status pqnn_get_runtime_node_info(pqnn_runtime_t rt, size_t index,
    struct pqnn_runtime_node_info* info_out) {
  if (rt == NULL || info_out == NULL) {
    PQNN_LOG_ERROR("%s is NULL", rt == NULL ? "runtime" : "info_out");
    return pqnn_status_invalid_parameter;
  }
  if (index >= rt->num_ops) {
    PQNN_LOG_ERROR("index %zu is not below the node count %u", index, (unsigned) rt->num_ops);
    return pqnn_status_invalid_parameter;
  }
  *info_out = rt->ops[index].info;
  info_out->compute_path = pqnn_operator_compute_path(rt->ops[index].op);
  info_out->fused_activation_name = pqnn_rt_activation_name(&rt->ops[index]);
  info_out->banded = pqnn_rt_op_banded(rt, &rt->ops[index]);
  info_out->band_first = pqnn_rt_op_band_first(rt, &rt->ops[index]);
  info_out->range_fused = rt->ops[index].range_bound;
  return pqnn_status_success;
}

enum pqnn_status pqnn_get_runtime_fp16_decision(pqnn_runtime_t rt,
    enum pqnn_fp16_decision* decision_out) {
  if (rt == NULL || decision_out == NULL) {
    PQNN_LOG_ERROR("%s is NULL", rt == NULL ? "runtime" : "decision_out");
    return pqnn_status_invalid_parameter;
  }
  *decision_out = rt->fp16_decision;
  return pqnn_status_success;
}

enum pqnn_status pqnn_fp16_inference_decision(uint32_t flags,
    enum pqnn_fp16_decision* decision_out) {
  const enum pqnn_status status = pqnn_check_initialized(__func__);
  if (status != pqnn_status_success) return status;
  if (decision_out == NULL) {
    PQNN_LOG_ERROR("decision_out is NULL");
    return pqnn_status_invalid_parameter;
  }
  if ((flags & ~PQNN_RUNTIME_FLAGS) != 0) {
    PQNN_LOG_ERROR("unknown flags 0x%x", (unsigned) flags);
    return pqnn_status_invalid_parameter;
  }
  *decision_out = pqnn_rt_fp16_flags_decision(flags);
  return pqnn_status_success;
}

enum pqnn_status pqnn_get_runtime_arena_size(pqnn_runtime_t rt, size_t* arena_bytes_out,
    size_t* unshared_bytes_out) {
  if (rt == NULL || arena_bytes_out == NULL || unshared_bytes_out == NULL) {
    PQNN_LOG_ERROR("an argument is NULL");
    return pqnn_status_invalid_parameter;
  }
  *arena_bytes_out = rt->arena_size;
  *unshared_bytes_out = rt->unshared_size;
  return pqnn_status_success;
}

enum pqnn_status pqnn_get_external_value_shape(pqnn_runtime_t rt, uint32_t external_id,
    size_t* num_dims_out, size_t* dims_out) {
  if (rt == NULL || num_dims_out == NULL || dims_out == NULL) {
    PQNN_LOG_ERROR("%s is NULL", rt == NULL ? "runtime"
        : num_dims_out == NULL ? "num_dims_out" : "dims_out");
    return pqnn_status_invalid_parameter;
  }
  if (external_id >= rt->num_values || rt->tensors[external_id].external_flags == 0) {
    PQNN_LOG_ERROR("value %u is not an external value", (unsigned) external_id);
    return pqnn_status_invalid_parameter;
  }
  if (rt->needs_reshape) {
    PQNN_LOG_ERROR("shapes are not known: call pqnn_reshape_runtime after reshaping inputs");
    return pqnn_status_invalid_state;
  }
  const struct pqnn_shape* shape = &rt->tensors[external_id].shape;
  *num_dims_out = shape->num_dims;
  memcpy(dims_out, shape->dim, shape->num_dims * sizeof(size_t));
  return pqnn_status_success;
}
