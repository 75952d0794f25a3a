/* Runtime profiling and value access: per-op wall time summed over invokes while profiling
 * is on, multiply-adds per op at the current shapes, and reads of any value after an
 * invoke (keep_values option). The plain invoke loop (runtime.c) only tests one flag. */
#define _POSIX_C_SOURCE 200809L
#include <string.h>
#include <time.h>

#include "allocator.h"
#include "logging.h"
#include "runtime/runtime-shared.h"
#include "runtime/runtime.h"

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t) ts.tv_sec * UINT64_C(1000000000) + (uint64_t) ts.tv_nsec;
}

enum pqnn_status pqnn_runtime_invoke_profiled(struct pqnn_runtime* rt) {
  uint64_t start = now_ns();
  for (uint32_t i = 0; i < rt->num_ops; i++) {
    struct pqnn_rt_op* op = &rt->ops[i];
    const enum pqnn_status status = op->exec->run(rt, op);
    const uint64_t end = now_ns();
    rt->profile_ns[i] += end - start;
    rt->profile_runs[i]++;
    start = end;
    if (status != pqnn_status_success) return status;
  }
  return pqnn_status_success;
}

static void clear_counters(struct pqnn_runtime* rt) {
  memset(rt->profile_ns, 0, 2 * ((size_t) rt->num_ops + 1) * sizeof(uint64_t));
}

enum pqnn_status pqnn_enable_runtime_profiling(pqnn_runtime_t rt, uint32_t enable) {
  if (rt == NULL) {
    PQNN_LOG_ERROR("runtime is NULL");
    return pqnn_status_invalid_parameter;
  }
  if (enable > 1) {
    PQNN_LOG_ERROR("enable %u is not 0 or 1", (unsigned) enable);
    return pqnn_status_invalid_parameter;
  }
  if (enable && rt->profile_ns == NULL) {
    rt->profile_ns = pqnn_allocate_zero(2 * ((size_t) rt->num_ops + 1) * sizeof(uint64_t));
    if (rt->profile_ns == NULL) {
      PQNN_LOG_ERROR("out of memory for the profile of %u nodes", (unsigned) rt->num_ops);
      return pqnn_status_out_of_memory;
    }
    rt->profile_runs = rt->profile_ns + rt->num_ops + 1;
  }
  if (enable) clear_counters(rt);
  rt->profiling = enable != 0;
  return pqnn_status_success;
}

enum pqnn_status pqnn_reset_runtime_profile(pqnn_runtime_t rt) {
  if (rt == NULL) {
    PQNN_LOG_ERROR("runtime is NULL");
    return pqnn_status_invalid_parameter;
  }
  if (rt->profile_ns != NULL) clear_counters(rt);
  return pqnn_status_success;
}

enum pqnn_status pqnn_get_runtime_node_profile(pqnn_runtime_t rt, size_t index,
    struct pqnn_runtime_node_profile* profile_out) {
  if (rt == NULL || profile_out == NULL) {
    PQNN_LOG_ERROR("%s is NULL", rt == NULL ? "runtime" : "profile_out");
    return pqnn_status_invalid_parameter;
  }
  if (index >= rt->num_ops) {
    PQNN_LOG_ERROR("index %zu is not below the node count %u", index, (unsigned) rt->num_ops);
    return pqnn_status_invalid_parameter;
  }
  const struct pqnn_rt_op* op = &rt->ops[index];
  *profile_out = (struct pqnn_runtime_node_profile) {
      .time_ns = rt->profile_ns != NULL ? rt->profile_ns[index] : 0,
      .runs = rt->profile_runs != NULL ? rt->profile_runs[index] : 0,
      .macs = rt->needs_reshape ? 0 : pqnn_rt_op_macs(rt, op),
      .output_value = op->output < rt->num_values ? op->output : PQNN_INVALID_VALUE_ID,
  };
  return pqnn_status_success;
}

enum pqnn_status pqnn_get_runtime_value(pqnn_runtime_t rt, uint32_t value_id,
    enum pqnn_datatype* datatype_out, size_t* num_dims_out, size_t* dims_out,
    const void** data_out) {
  if (rt == NULL || datatype_out == NULL || num_dims_out == NULL || dims_out == NULL ||
      data_out == NULL) {
    PQNN_LOG_ERROR("an argument is NULL");
    return pqnn_status_invalid_parameter;
  }
  if (value_id >= rt->num_values) {
    PQNN_LOG_ERROR("value %u is not below the value count %u", (unsigned) value_id,
        (unsigned) rt->num_values);
    return pqnn_status_invalid_parameter;
  }
  const struct pqnn_rt_tensor* t = &rt->tensors[value_id];
  if (!t->used) {
    PQNN_LOG_ERROR("value %u is not computed by this runtime (unused or fused away)",
        (unsigned) value_id);
    return pqnn_status_invalid_parameter;
  }
  if (!rt->ready) {
    PQNN_LOG_ERROR("runtime is not set up (call pqnn_setup_runtime after a reshape)");
    return pqnn_status_invalid_parameter;
  }
  if (t->in_arena && !rt->keep_values) {
    PQNN_LOG_ERROR("value %u is an intermediate value: create the runtime with the "
        "keep_values option to read it", (unsigned) value_id);
    return pqnn_status_invalid_state;
  }
  *datatype_out = t->datatype;
  *num_dims_out = t->shape.num_dims;
  memcpy(dims_out, t->shape.dim, t->shape.num_dims * sizeof(size_t));
  *data_out = t->data;
  return pqnn_status_success;
}
