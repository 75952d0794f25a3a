/* Subgraph lifecycle and value definitions (static, external, quantized, channelwise
 * and blockwise quantized). Ids below external_value_ids are the caller's external ids; values defined
 * without one get ids from external_value_ids upward. */
#include <math.h>
#include <string.h>

#include "allocator.h"
#include "logging.h"
#include "operator.h"
#include "runtime/subgraph.h"

#define VALUE_FLAGS (PQNN_VALUE_FLAG_EXTERNAL_INPUT | PQNN_VALUE_FLAG_EXTERNAL_OUTPUT)

size_t pqnn_shape_elements(const struct pqnn_shape* shape) {
  size_t n = 1;
  for (size_t i = 0; i < shape->num_dims; i++) n *= shape->dim[i];
  return n;
}

bool pqnn_shape_equal(const struct pqnn_shape* a, const struct pqnn_shape* b) {
  if (a->num_dims != b->num_dims) return false;
  for (size_t i = 0; i < a->num_dims; i++) {
    if (a->dim[i] != b->dim[i]) return false;
  }
  return true;
}

size_t pqnn_datatype_size(enum pqnn_datatype datatype) {
  switch (datatype) {
    case pqnn_datatype_fp32:
    case pqnn_datatype_int32:
    case pqnn_datatype_qcint32:
      return 4;
    case pqnn_datatype_fp16:
      return 2;
    case pqnn_datatype_qint8:
    case pqnn_datatype_qcint8:
    case pqnn_datatype_qdint8:
    case pqnn_datatype_qbint4:  /* two per byte: an upper bound for the size checks */
      return 1;
    default:
      return 0;
  }
}

const char* pqnn_datatype_string(enum pqnn_datatype datatype) {
  switch (datatype) {
    case pqnn_datatype_fp32: return "fp32";
    case pqnn_datatype_fp16: return "fp16";
    case pqnn_datatype_qint8: return "qint8";
    case pqnn_datatype_qcint8: return "qcint8";
    case pqnn_datatype_int32: return "int32";
    case pqnn_datatype_qcint32: return "qcint32";
    case pqnn_datatype_qdint8: return "qdint8";
    case pqnn_datatype_qbint4: return "qbint4";
    default: return "invalid";
  }
}

enum pqnn_status pqnn_create_subgraph(uint32_t external_value_ids, uint32_t flags,
    pqnn_subgraph_t* subgraph_out) {
  enum pqnn_status status = pqnn_check_initialized(__func__);
  if (status != pqnn_status_success) return status;
  if (subgraph_out == NULL) {
    PQNN_LOG_ERROR("subgraph_out is NULL");
    return pqnn_status_invalid_parameter;
  }
  if ((flags & ~PQNN_RUNTIME_FLAGS) != 0) {
    PQNN_LOG_ERROR("unknown flags 0x%x", (unsigned) flags);
    return pqnn_status_invalid_parameter;
  }
  if (external_value_ids > PQNN_MAX_EXTERNAL_VALUE_IDS) {
    /* Value ids index the subgraph's and the runtime's per-value tables, and internal ids
     * start at external_value_ids: an unbounded count would make the first define of an
     * internal value allocate that many entries. */
    PQNN_LOG_ERROR("external_value_ids (%u) is above PQNN_MAX_EXTERNAL_VALUE_IDS (%u)",
        (unsigned) external_value_ids, (unsigned) PQNN_MAX_EXTERNAL_VALUE_IDS);
    return pqnn_status_invalid_parameter;
  }
  struct pqnn_subgraph* subgraph = pqnn_allocate_zero(sizeof(struct pqnn_subgraph));
  if (subgraph == NULL) {
    PQNN_LOG_ERROR("out of memory");
    return pqnn_status_out_of_memory;
  }
  subgraph->external_value_ids = external_value_ids;
  subgraph->flags = flags;
  *subgraph_out = subgraph;
  return pqnn_status_success;
}

enum pqnn_status pqnn_delete_subgraph(pqnn_subgraph_t subgraph) {
  if (subgraph == NULL) return pqnn_status_success;
  for (uint32_t i = 0; i < subgraph->num_values; i++) {
    pqnn_release(subgraph->values[i].channel_scale);
  }
  pqnn_release(subgraph->values);
  pqnn_release(subgraph->nodes);
  pqnn_release(subgraph);
  return pqnn_status_success;
}

const struct pqnn_value* pqnn_subgraph_value(const struct pqnn_subgraph* subgraph, uint32_t id) {
  if (id >= subgraph->num_values || !subgraph->values[id].defined) return NULL;
  return &subgraph->values[id];
}

/* Makes room for value `id` (grows the table, new entries undefined). */
static enum pqnn_status reserve_value(struct pqnn_subgraph* subgraph, uint32_t id) {
  if (id < subgraph->values_capacity) return pqnn_status_success;
  uint64_t capacity = (uint64_t) subgraph->values_capacity * 2;
  if (capacity < (uint64_t) id + 1) capacity = (uint64_t) id + 1;
  if (capacity < 16) capacity = 16;
  if (capacity > (uint64_t) UINT32_MAX || capacity > SIZE_MAX / sizeof(struct pqnn_value)) {
    capacity = (uint64_t) id + 1;
  }
  struct pqnn_value* values = pqnn_allocate_zero((size_t) capacity * sizeof(struct pqnn_value));
  if (values == NULL) return pqnn_status_out_of_memory;
  if (subgraph->num_values != 0) {
    memcpy(values, subgraph->values, subgraph->num_values * sizeof(struct pqnn_value));
  }
  pqnn_release(subgraph->values);
  subgraph->values = values;
  subgraph->values_capacity = (uint32_t) capacity;
  return pqnn_status_success;
}

enum pqnn_status pqnn_subgraph_add_node(struct pqnn_subgraph* subgraph,
    const struct pqnn_node* node) {
  if (subgraph->num_nodes == subgraph->nodes_capacity) {
    const uint32_t capacity = subgraph->nodes_capacity == 0 ? 16 : subgraph->nodes_capacity * 2;
    struct pqnn_node* nodes = pqnn_allocate((size_t) capacity * sizeof(struct pqnn_node));
    if (nodes == NULL) return pqnn_status_out_of_memory;
    if (subgraph->num_nodes != 0) {
      memcpy(nodes, subgraph->nodes, subgraph->num_nodes * sizeof(struct pqnn_node));
    }
    pqnn_release(subgraph->nodes);
    subgraph->nodes = nodes;
    subgraph->nodes_capacity = capacity;
  }
  subgraph->nodes[subgraph->num_nodes++] = *node;
  return pqnn_status_success;
}

/* Checks common to the three define functions; fills *shape and picks the id. */
static enum pqnn_status check_value(const char* function, struct pqnn_subgraph* subgraph,
    enum pqnn_datatype datatype, size_t num_dims, const size_t* dims, const void* data,
    uint32_t external_id, uint32_t flags, const uint32_t* id_out, struct pqnn_shape* shape,
    uint32_t* id) {
  if (subgraph == NULL || id_out == NULL) {
    pqnn_log_error(function, "%s is NULL", subgraph == NULL ? "subgraph" : "id_out");
    return pqnn_status_invalid_parameter;
  }
  if ((flags & ~VALUE_FLAGS) != 0) {
    pqnn_log_error(function, "unknown flags 0x%x", (unsigned) flags);
    return pqnn_status_invalid_parameter;
  }
  if (num_dims > PQNN_MAX_DIMS) {
    pqnn_log_error(function, "num_dims (%zu) above %d", num_dims, PQNN_MAX_DIMS);
    return pqnn_status_unsupported_parameter;
  }
  if (num_dims == 0 || dims == NULL) {
    pqnn_log_error(function, "num_dims is %zu and dims %s (a value has 1 to %d dims)",
        num_dims, dims == NULL ? "NULL" : "set", PQNN_MAX_DIMS);
    return pqnn_status_invalid_parameter;
  }
  size_t bytes = pqnn_datatype_size(datatype);
  shape->num_dims = num_dims;
  for (size_t i = 0; i < num_dims; i++) {
    if (dims[i] == 0) {
      pqnn_log_error(function, "dims[%zu] is 0", i);
      return pqnn_status_invalid_parameter;
    }
    if (!pqnn_mul_sz(bytes, dims[i], &bytes)) {
      pqnn_log_error(function, "tensor size overflows size_t");
      return pqnn_status_invalid_parameter;
    }
    shape->dim[i] = dims[i];
  }
  if (external_id != PQNN_INVALID_VALUE_ID) {
    if (external_id >= subgraph->external_value_ids) {
      pqnn_log_error(function, "external_id %u is not below external_value_ids (%u)",
          (unsigned) external_id, (unsigned) subgraph->external_value_ids);
      return pqnn_status_invalid_parameter;
    }
    if (pqnn_subgraph_value(subgraph, external_id) != NULL) {
      pqnn_log_error(function, "external_id %u is already defined", (unsigned) external_id);
      return pqnn_status_invalid_parameter;
    }
    if ((flags & VALUE_FLAGS) == 0) {
      pqnn_log_error(function, "external_id %u without an EXTERNAL_INPUT/OUTPUT flag",
          (unsigned) external_id);
      return pqnn_status_invalid_parameter;
    }
    if (data != NULL) {
      pqnn_log_error(function, "an external value (id %u) cannot have static data",
          (unsigned) external_id);
      return pqnn_status_invalid_parameter;
    }
    *id = external_id;
  } else {
    if ((flags & VALUE_FLAGS) != 0) {
      pqnn_log_error(function, "external flags 0x%x without an external_id", (unsigned) flags);
      return pqnn_status_invalid_parameter;
    }
    uint32_t next = subgraph->num_values > subgraph->external_value_ids
        ? subgraph->num_values : subgraph->external_value_ids;
    if (next == PQNN_INVALID_VALUE_ID) {
      pqnn_log_error(function, "no value id left");
      return pqnn_status_unsupported_parameter;
    }
    *id = next;
  }
  return pqnn_status_success;
}

static enum pqnn_status add_value(struct pqnn_subgraph* subgraph, uint32_t id,
    const struct pqnn_value* value, uint32_t* id_out) {
  if (reserve_value(subgraph, id) != pqnn_status_success) {
    PQNN_LOG_ERROR("out of memory");
    return pqnn_status_out_of_memory;
  }
  subgraph->values[id] = *value;
  subgraph->values[id].defined = true;
  subgraph->values[id].producer = PQNN_NO_NODE;
  if (id >= subgraph->num_values) subgraph->num_values = id + 1;
  *id_out = id;
  return pqnn_status_success;
}

static bool valid_scale(float scale) {
  return isfinite(scale) && scale > 0.0f;
}

enum pqnn_status pqnn_define_tensor_value(pqnn_subgraph_t subgraph, enum pqnn_datatype datatype,
    size_t num_dims, const size_t* dims, const void* data, uint32_t external_id,
    uint32_t flags, uint32_t* id_out) {
  if (datatype != pqnn_datatype_fp32 && datatype != pqnn_datatype_fp16 &&
      datatype != pqnn_datatype_int32 && datatype != pqnn_datatype_qdint8) {
    PQNN_LOG_ERROR("datatype %s (%d) needs quantization parameters or is unknown",
        pqnn_datatype_string(datatype), (int) datatype);
    return pqnn_status_invalid_parameter;
  }
  struct pqnn_value value = {.datatype = datatype, .data = data, .flags = flags, .scale = 1.0f};
  uint32_t id;
  enum pqnn_status status = check_value(__func__, subgraph, datatype, num_dims, dims, data,
      external_id, flags, id_out, &value.shape, &id);
  if (status != pqnn_status_success) return status;
  if (datatype == pqnn_datatype_qdint8 && (data != NULL || flags != 0)) {
    PQNN_LOG_ERROR("a qdint8 value is quantized at run time and cannot be static or external");
    return pqnn_status_invalid_parameter;
  }
  return add_value(subgraph, id, &value, id_out);
}

enum pqnn_status pqnn_define_quantized_tensor_value(pqnn_subgraph_t subgraph,
    enum pqnn_datatype datatype, int32_t zero_point, float scale, size_t num_dims,
    const size_t* dims, const void* data, uint32_t external_id, uint32_t flags,
    uint32_t* id_out) {
  if (datatype != pqnn_datatype_qint8 && datatype != pqnn_datatype_int32) {
    PQNN_LOG_ERROR("datatype %s (%d) is not qint8 or int32", pqnn_datatype_string(datatype),
        (int) datatype);
    return pqnn_status_invalid_parameter;
  }
  if (!valid_scale(scale)) {
    PQNN_LOG_ERROR("scale %g is not finite and positive", (double) scale);
    return pqnn_status_invalid_parameter;
  }
  if (datatype == pqnn_datatype_qint8 ? (zero_point < INT8_MIN || zero_point > INT8_MAX)
                                      : zero_point != 0) {
    PQNN_LOG_ERROR("zero_point %d out of range for %s", (int) zero_point,
        pqnn_datatype_string(datatype));
    return pqnn_status_invalid_parameter;
  }
  struct pqnn_value value = {.datatype = datatype, .data = data, .flags = flags,
      .zero_point = zero_point, .scale = scale};
  uint32_t id;
  enum pqnn_status status = check_value(__func__, subgraph, datatype, num_dims, dims, data,
      external_id, flags, id_out, &value.shape, &id);
  if (status != pqnn_status_success) return status;
  return add_value(subgraph, id, &value, id_out);
}

enum pqnn_status pqnn_define_channelwise_quantized_tensor_value(pqnn_subgraph_t subgraph,
    enum pqnn_datatype datatype, const float* scale, size_t num_dims, size_t channel_dim,
    const size_t* dims, const void* data, uint32_t external_id, uint32_t flags,
    uint32_t* id_out) {
  if (datatype != pqnn_datatype_qcint8 && datatype != pqnn_datatype_qcint32) {
    PQNN_LOG_ERROR("datatype %s (%d) is not qcint8 or qcint32", pqnn_datatype_string(datatype),
        (int) datatype);
    return pqnn_status_invalid_parameter;
  }
  struct pqnn_value value = {.datatype = datatype, .data = data, .flags = flags,
      .scale = 1.0f, .channel_dim = channel_dim};
  uint32_t id;
  enum pqnn_status status = check_value(__func__, subgraph, datatype, num_dims, dims, data,
      external_id, flags, id_out, &value.shape, &id);
  if (status != pqnn_status_success) return status;
  if (scale == NULL || data == NULL) {
    PQNN_LOG_ERROR("%s is NULL (channelwise values are static weights)",
        scale == NULL ? "scale" : "data");
    return pqnn_status_invalid_parameter;
  }
  if (channel_dim >= num_dims) {
    PQNN_LOG_ERROR("channel_dim (%zu) is not below num_dims (%zu)", channel_dim, num_dims);
    return pqnn_status_invalid_parameter;
  }
  const size_t channels = dims[channel_dim];
  for (size_t c = 0; c < channels; c++) {
    if (!valid_scale(scale[c])) {
      PQNN_LOG_ERROR("scale[%zu] = %g is not finite and positive", c, (double) scale[c]);
      return pqnn_status_invalid_parameter;
    }
  }
  value.channel_scale = pqnn_allocate(channels * sizeof(float));
  if (value.channel_scale == NULL) {
    PQNN_LOG_ERROR("out of memory");
    return pqnn_status_out_of_memory;
  }
  memcpy(value.channel_scale, scale, channels * sizeof(float));
  status = add_value(subgraph, id, &value, id_out);
  if (status != pqnn_status_success) pqnn_release(value.channel_scale);
  return status;
}

enum pqnn_status pqnn_define_blockwise_quantized_tensor_value(pqnn_subgraph_t subgraph,
    enum pqnn_datatype datatype, size_t block_size, const float* scale, size_t num_dims,
    const size_t* dims, const void* data, uint32_t external_id, uint32_t flags,
    uint32_t* id_out) {
  if (datatype != pqnn_datatype_qbint4) {
    PQNN_LOG_ERROR("datatype %s (%d) is not qbint4", pqnn_datatype_string(datatype),
        (int) datatype);
    return pqnn_status_invalid_parameter;
  }
  struct pqnn_value value = {.datatype = datatype, .data = data, .flags = flags,
      .scale = 1.0f, .block_size = block_size};
  uint32_t id;
  enum pqnn_status status = check_value(__func__, subgraph, datatype, num_dims, dims, data,
      external_id, flags, id_out, &value.shape, &id);
  if (status != pqnn_status_success) return status;
  if (scale == NULL || data == NULL) {
    PQNN_LOG_ERROR("%s is NULL (blockwise values are static weights)",
        scale == NULL ? "scale" : "data");
    return pqnn_status_invalid_parameter;
  }
  if (num_dims != 2) {
    PQNN_LOG_ERROR("a qbint4 value has 2 dims ([output_channels][input_channels]), not %zu",
        num_dims);
    return pqnn_status_invalid_parameter;
  }
  if (block_size == 0 || block_size % 32 != 0) {
    PQNN_LOG_ERROR("block_size (%zu) is not a positive multiple of 32", block_size);
    return pqnn_status_invalid_parameter;
  }
  size_t count;
  if (!pqnn_mul_sz(dims[0], pqnn_divide_round_up(dims[1], block_size), &count) ||
      count > SIZE_MAX / sizeof(float)) {
    PQNN_LOG_ERROR("the number of scales overflows size_t");
    return pqnn_status_invalid_parameter;
  }
  for (size_t i = 0; i < count; i++) {
    if (!valid_scale(scale[i])) {
      PQNN_LOG_ERROR("scale[%zu] = %g is not finite and positive", i, (double) scale[i]);
      return pqnn_status_invalid_parameter;
    }
  }
  value.channel_scale = pqnn_allocate(count * sizeof(float));
  if (value.channel_scale == NULL) {
    PQNN_LOG_ERROR("out of memory");
    return pqnn_status_out_of_memory;
  }
  memcpy(value.channel_scale, scale, count * sizeof(float));
  status = add_value(subgraph, id, &value, id_out);
  if (status != pqnn_status_success) pqnn_release(value.channel_scale);
  return status;
}
