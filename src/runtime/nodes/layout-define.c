/* Define functions of the data-movement nodes: argument checks specific to each, then the
 * common node definition (ids, shapes via layout-shapes.c, datatypes). */
#include <math.h>

#include "logging.h"
#include "runtime/subgraph.h"

static const struct pqnn_node kLayoutNode = {.output_min = -INFINITY, .output_max = INFINITY};

static enum pqnn_status check_rank(const char* function, size_t num_dims, const void* array) {
  if (num_dims > PQNN_MAX_DIMS) {
    pqnn_log_error(function, "num_dims (%zu) is above %d", num_dims, PQNN_MAX_DIMS);
    return pqnn_status_unsupported_parameter;
  }
  if (num_dims == 0 || array == NULL) {
    pqnn_log_error(function, "num_dims is 0 or an array is NULL");
    return pqnn_status_invalid_parameter;
  }
  return pqnn_status_success;
}

/* The values behind ids[0..count) all have the datatype and quantization of `like`. */
static enum pqnn_status check_same_values(const char* function,
    const struct pqnn_subgraph* subgraph, uint32_t like, size_t count, const uint32_t* ids) {
  const struct pqnn_value* a = pqnn_subgraph_value(subgraph, like);
  for (size_t k = 0; k < count && a != NULL; k++) {
    const struct pqnn_value* b = pqnn_subgraph_value(subgraph, ids[k]);
    if (b == NULL) continue;  /* reported by the node definition */
    if (b->datatype != a->datatype) {
      pqnn_log_error(function, "value %u is %s, value %u is %s", (unsigned) like,
          pqnn_datatype_string(a->datatype), (unsigned) ids[k], pqnn_datatype_string(b->datatype));
      return pqnn_status_invalid_parameter;
    }
    if (a->datatype == pqnn_datatype_qint8 &&
        (a->zero_point != b->zero_point || a->scale != b->scale)) {
      pqnn_log_error(function, "values %u and %u differ in quantization", (unsigned) like,
          (unsigned) ids[k]);
      return pqnn_status_unsupported_parameter;
    }
  }
  return pqnn_status_success;
}

enum pqnn_status pqnn_define_concatenate(pqnn_subgraph_t subgraph, size_t axis,
    size_t num_inputs, const uint32_t* input_ids, uint32_t output_id, uint32_t flags) {
  if (num_inputs > PQNN_MAX_CONCAT_INPUTS) {
    PQNN_LOG_ERROR("num_inputs (%zu) is above %d", num_inputs, PQNN_MAX_CONCAT_INPUTS);
    return pqnn_status_unsupported_parameter;
  }
  if (subgraph == NULL || num_inputs == 0 || input_ids == NULL) {
    PQNN_LOG_ERROR("subgraph or input_ids is NULL, or num_inputs is 0");
    return pqnn_status_invalid_parameter;
  }
  struct pqnn_node node = kLayoutNode;
  node.type = pqnn_node_type_concatenate;
  node.num_inputs = (uint32_t) num_inputs;
  for (size_t k = 0; k < num_inputs; k++) node.inputs[k] = input_ids[k];
  node.output = output_id;
  node.flags = flags;
  node.layout.axis = axis;
  enum pqnn_status status = check_same_values(__func__, subgraph, output_id, num_inputs,
      input_ids);
  if (status != pqnn_status_success) return status;
  return pqnn_subgraph_define_node(__func__, subgraph, &node, 0);
}

enum pqnn_status pqnn_define_split(pqnn_subgraph_t subgraph, size_t axis, uint32_t input_id,
    size_t num_outputs, const uint32_t* output_ids, uint32_t flags) {
  if (num_outputs > PQNN_MAX_CONCAT_INPUTS) {
    PQNN_LOG_ERROR("num_outputs (%zu) is above %d", num_outputs, PQNN_MAX_CONCAT_INPUTS);
    return pqnn_status_unsupported_parameter;
  }
  if (subgraph == NULL || num_outputs == 0 || output_ids == NULL) {
    PQNN_LOG_ERROR("subgraph or output_ids is NULL, or num_outputs is 0");
    return pqnn_status_invalid_parameter;
  }
  const struct pqnn_value* x = pqnn_subgraph_value(subgraph, input_id);
  if (x == NULL || axis >= x->shape.num_dims) {
    PQNN_LOG_ERROR("input %u is not defined or axis %zu is not below its rank",
        (unsigned) input_id, axis);
    return pqnn_status_invalid_parameter;
  }
  /* The parts must tile the axis exactly; each part's own checks follow in its node. */
  size_t total = 0;
  for (size_t k = 0; k < num_outputs; k++) {
    const struct pqnn_value* y = pqnn_subgraph_value(subgraph, output_ids[k]);
    if (y == NULL || y->shape.num_dims != x->shape.num_dims ||
        !pqnn_add_sz(total, y->shape.dim[axis], &total)) {
      PQNN_LOG_ERROR("output %zu (value %u) is not defined or not of the input's rank", k,
          (unsigned) output_ids[k]);
      return pqnn_status_invalid_parameter;
    }
  }
  if (total != x->shape.dim[axis]) {
    PQNN_LOG_ERROR("outputs sum to %zu along axis %zu, the input has %zu", total, axis,
        x->shape.dim[axis]);
    return pqnn_status_invalid_parameter;
  }
  enum pqnn_status status = check_same_values(__func__, subgraph, input_id, num_outputs,
      output_ids);
  if (status != pqnn_status_success) return status;
  const uint32_t first_node = subgraph->num_nodes;
  size_t offset = 0;
  for (size_t k = 0; k < num_outputs && status == pqnn_status_success; k++) {
    struct pqnn_node node = kLayoutNode;
    node.type = pqnn_node_type_split;
    node.num_inputs = 1;
    node.inputs[0] = input_id;
    node.output = output_ids[k];
    node.flags = flags;
    node.layout.axis = axis;
    node.layout.offset[axis] = offset;
    node.layout.size[axis] = subgraph->values[output_ids[k]].shape.dim[axis];
    offset += node.layout.size[axis];
    status = pqnn_subgraph_define_node(__func__, subgraph, &node, 0);
  }
  if (status != pqnn_status_success) {  /* all or nothing */
    while (subgraph->num_nodes > first_node) {
      subgraph->num_nodes--;
      subgraph->values[subgraph->nodes[subgraph->num_nodes].output].producer = PQNN_NO_NODE;
    }
  }
  return status;
}

enum pqnn_status pqnn_define_static_slice(pqnn_subgraph_t subgraph, size_t num_dims,
    const size_t* offsets, const size_t* sizes, const size_t* steps, uint32_t input_id,
    uint32_t output_id, uint32_t flags) {
  enum pqnn_status status = check_rank(__func__, num_dims, offsets);
  if (status == pqnn_status_success) status = check_rank(__func__, num_dims, sizes);
  if (status != pqnn_status_success) return status;
  struct pqnn_node node = kLayoutNode;
  node.type = pqnn_node_type_static_slice;
  node.num_inputs = 1;
  node.inputs[0] = input_id;
  node.output = output_id;
  node.flags = flags;
  node.layout.num_dims = num_dims;
  for (size_t d = 0; d < num_dims; d++) {
    node.layout.offset[d] = offsets[d];
    node.layout.size[d] = sizes[d];
    node.layout.step[d] = steps == NULL ? 1 : steps[d];
    if (sizes[d] == 0 || node.layout.step[d] == 0) {
      PQNN_LOG_ERROR("dim %zu: size and step must be at least 1", d);
      return pqnn_status_invalid_parameter;
    }
  }
  return pqnn_subgraph_define_node(__func__, subgraph, &node, 0);
}

enum pqnn_status pqnn_define_static_constant_pad(pqnn_subgraph_t subgraph, size_t num_dims,
    const size_t* pre_paddings, const size_t* post_paddings, float padding_value,
    uint32_t input_id, uint32_t output_id, uint32_t flags) {
  enum pqnn_status status = check_rank(__func__, num_dims, pre_paddings);
  if (status == pqnn_status_success) status = check_rank(__func__, num_dims, post_paddings);
  if (status != pqnn_status_success) return status;
  struct pqnn_node node = kLayoutNode;
  node.type = pqnn_node_type_static_constant_pad;
  node.num_inputs = 1;
  node.inputs[0] = input_id;
  node.output = output_id;
  node.flags = flags;
  node.layout.num_dims = num_dims;
  node.layout.pad_value = padding_value;
  for (size_t d = 0; d < num_dims; d++) {
    node.layout.offset[d] = pre_paddings[d];
    node.layout.size[d] = post_paddings[d];
  }
  return pqnn_subgraph_define_node(__func__, subgraph, &node, 0);
}

enum pqnn_status pqnn_define_static_transpose(pqnn_subgraph_t subgraph, size_t num_dims,
    const size_t* perm, uint32_t input_id, uint32_t output_id, uint32_t flags) {
  enum pqnn_status status = check_rank(__func__, num_dims, perm);
  if (status != pqnn_status_success) return status;
  struct pqnn_node node = kLayoutNode;
  node.type = pqnn_node_type_static_transpose;
  node.num_inputs = 1;
  node.inputs[0] = input_id;
  node.output = output_id;
  node.flags = flags;
  node.layout.num_dims = num_dims;
  bool seen[PQNN_MAX_DIMS] = {false};
  for (size_t d = 0; d < num_dims; d++) {
    if (perm[d] >= num_dims || seen[perm[d]]) {
      PQNN_LOG_ERROR("perm is not a permutation of 0..%zu (entry %zu)", num_dims - 1, d);
      return pqnn_status_invalid_parameter;
    }
    seen[perm[d]] = true;
    node.layout.perm[d] = perm[d];
  }
  return pqnn_subgraph_define_node(__func__, subgraph, &node, 0);
}

static bool valid_scale(float scale) { return scale == 0.0f || (scale > 0.0f && isfinite(scale)); }

enum pqnn_status pqnn_define_static_resize_2d(pqnn_subgraph_t subgraph,
    const struct pqnn_resize_params* params, uint32_t input_id, uint32_t output_id,
    uint32_t flags) {
  if (params == NULL) {
    PQNN_LOG_ERROR("params is NULL");
    return pqnn_status_invalid_parameter;
  }
  const struct pqnn_resize_params* r = params;
  if ((unsigned) r->mode > pqnn_resize_bilinear ||
      (unsigned) r->coordinates > pqnn_resize_align_corners ||
      (unsigned) r->rounding > pqnn_resize_ceil) {
    PQNN_LOG_ERROR("unknown mode (%d), coordinates (%d) or rounding (%d)", (int) r->mode,
        (int) r->coordinates, (int) r->rounding);
    return pqnn_status_invalid_parameter;
  }
  if (!valid_scale(r->height_scale) || !valid_scale(r->width_scale) ||
      (r->output_height == 0 && r->height_scale == 0.0f) ||
      (r->output_width == 0 && r->width_scale == 0.0f)) {
    PQNN_LOG_ERROR("scales must be 0 or positive and finite, with a size or a scale per axis");
    return pqnn_status_invalid_parameter;
  }
  const struct pqnn_value* x = pqnn_subgraph_value(subgraph, input_id);
  if (x != NULL && x->datatype == pqnn_datatype_qint8 && r->mode == pqnn_resize_bilinear) {
    PQNN_LOG_ERROR("bilinear resize has no qint8 kernel");
    return pqnn_status_unsupported_parameter;
  }
  struct pqnn_node node = kLayoutNode;
  node.type = pqnn_node_type_static_resize_2d;
  node.num_inputs = 1;
  node.inputs[0] = input_id;
  node.output = output_id;
  node.flags = flags;
  node.layout.resize = *r;
  return pqnn_subgraph_define_node(__func__, subgraph, &node, 0);
}
