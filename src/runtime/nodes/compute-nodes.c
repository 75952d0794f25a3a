/* The compute node registry (compute-nodes.h) and the helpers the nodes share. */
#include <string.h>

#include "configs/config.h"
#include "logging.h"
#include "runtime/nodes/compute-nodes.h"

static const struct pqnn_compute_node* const kComputeNodes[] = {
  &pqnn_layer_normalization_node,
  &pqnn_average_pooling_2d_node,
  &pqnn_deconvolution_2d_node,
  &pqnn_softmax_axis_node,
  &pqnn_batch_matrix_multiply_node,
  &pqnn_reduce_node,
  &pqnn_select_node,
  &pqnn_gather_node,
};

const struct pqnn_compute_node* pqnn_find_compute_node(enum pqnn_node_type type) {
  for (size_t i = 0; i < sizeof(kComputeNodes) / sizeof(kComputeNodes[0]); i++) {
    if (kComputeNodes[i]->type == type) return kComputeNodes[i];
  }
  return NULL;
}

enum pqnn_status pqnn_compute_check_float(const char* function, const struct pqnn_node* node,
    const struct pqnn_value* const* in, const struct pqnn_value* out, uint32_t static_mask) {
  const enum pqnn_datatype y = out->datatype;
  if (y != pqnn_datatype_fp32 && y != pqnn_datatype_fp16) {
    pqnn_log_error(function, "output is %s; this node runs fp32 or fp16",
        pqnn_datatype_string(y));
    return pqnn_status_invalid_parameter;
  }
  for (uint32_t i = 0; i < node->num_inputs; i++) {
    if (in[i] == NULL) continue;
    if (in[i]->datatype != y) {
      pqnn_log_error(function, "input %u is %s, the output %s: they must match", (unsigned) i,
          pqnn_datatype_string(in[i]->datatype), pqnn_datatype_string(y));
      return pqnn_status_invalid_parameter;
    }
    if ((static_mask >> i & 1) != 0 && in[i]->data == NULL) {
      pqnn_log_error(function, "input %u must be static", (unsigned) i);
      return pqnn_status_unsupported_parameter;
    }
  }
  return pqnn_status_success;
}

void pqnn_compute_load(size_t n, const float* x_f32, const uint16_t* x_f16, float* t) {
  if (x_f16 != NULL) {
    pqnn_get_convert_config()->f16_f32(n, x_f16, t);
  } else if (n != 0) {
    memcpy(t, x_f32, n * sizeof(float));
  }
}

void pqnn_compute_store(size_t n, const float* t, float* y_f32, uint16_t* y_f16) {
  if (y_f16 != NULL) {
    pqnn_get_convert_config()->f32_f16(n, t, y_f16);
  } else if (n != 0) {
    memcpy(y_f32, t, n * sizeof(float));
  }
}
