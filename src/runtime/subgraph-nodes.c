/* Node definitions. Each define checks the ids (defined, output not static, not produced
 * twice, not one of the node's inputs), the flags, the shapes (the declared output shape
 * must be what the node computes from its inputs) and the datatypes, then records the
 * node as the output's producer. */
#include <math.h>

#include "logging.h"
#include "runtime/gemm-combinations.h"
#include "runtime/nodes/compute-nodes.h"
#include "runtime/subgraph.h"

/* Datatype combinations a node accepts (checked after the shapes); FC / conv / depthwise
 * through the combination table that planning uses too. */
static enum pqnn_status check_datatypes(const char* function, const struct pqnn_node* node,
    const struct pqnn_value* const* in, const struct pqnn_value* out) {
  const enum pqnn_datatype x = in[0]->datatype, y = out->datatype;
  const struct pqnn_compute_node* compute = pqnn_find_compute_node(node->type);
  if (compute != NULL) return compute->check(function, node, in, out);
  switch (node->type) {
    case pqnn_node_type_fully_connected:
    case pqnn_node_type_convolution_2d:
    case pqnn_node_type_depthwise_convolution_2d: {
      const struct pqnn_value* w = in[1];
      const struct pqnn_value* b = in[2];
      const bool depthwise = node->type == pqnn_node_type_depthwise_convolution_2d;
      if (w->data == NULL || (b != NULL && b->data == NULL)) {
        pqnn_log_error(function, "filter and bias must be static");
        return pqnn_status_unsupported_parameter;
      }
      if (w->datatype == pqnn_datatype_qcint8) {
        const size_t want = depthwise ? 3
            : (node->flags & PQNN_FLAG_TRANSPOSE_WEIGHTS) != 0 ? 1 : 0;
        if (w->channel_dim != want) {
          pqnn_log_error(function, "qcint8 filter's channel_dim (%zu) must be %zu",
              w->channel_dim, want);
          return pqnn_status_invalid_parameter;
        }
      }
      if (w->datatype == pqnn_datatype_qbint4 &&
          (node->flags & PQNN_FLAG_TRANSPOSE_WEIGHTS) != 0) {
        pqnn_log_error(function, "a qbint4 filter is [output_channels][input_channels] "
            "(no PQNN_FLAG_TRANSPOSE_WEIGHTS)");
        return pqnn_status_invalid_parameter;
      }
      if (w->datatype == pqnn_datatype_qint8 && w->zero_point != 0) {
        pqnn_log_error(function, "qint8 filter zero point must be 0");
        return pqnn_status_invalid_parameter;
      }
      if (pqnn_find_gemm_combination(node->type, x, w->datatype,
              b != NULL ? b->datatype : pqnn_datatype_invalid, y, true) != NULL) {
        return pqnn_status_success;
      }
      break;
    }
    case pqnn_node_type_add2:
      if (in[1]->datatype != x || y != x) break;
      if (x == pqnn_datatype_fp32 || x == pqnn_datatype_fp16 || x == pqnn_datatype_qint8) {
        return pqnn_status_success;
      }
      break;
    case pqnn_node_type_global_average_pooling_2d:
      if (y == x && (x == pqnn_datatype_fp32 || x == pqnn_datatype_fp16 || x == pqnn_datatype_qint8)) {
        return pqnn_status_success;
      }
      break;
    case pqnn_node_type_clamp:
    case pqnn_node_type_static_reshape:
    case pqnn_node_type_concatenate:
    case pqnn_node_type_split:
    case pqnn_node_type_static_slice:
    case pqnn_node_type_static_constant_pad:
    case pqnn_node_type_static_transpose:
    case pqnn_node_type_static_resize_2d:
      if (y != x) break;
      if (x == pqnn_datatype_qint8 &&
          (in[0]->zero_point != out->zero_point || in[0]->scale != out->scale)) {
        pqnn_log_error(function, "input and output quantization differ");
        return pqnn_status_unsupported_parameter;
      }
      if (x == pqnn_datatype_fp32 || x == pqnn_datatype_fp16 || x == pqnn_datatype_qint8) {
        return pqnn_status_success;
      }
      break;
    case pqnn_node_type_binary:
      if (in[1]->datatype != x) break;
      /* fall through */
    case pqnn_node_type_unary:
    case pqnn_node_type_gelu:
    case pqnn_node_type_softmax:
    case pqnn_node_type_max_pooling_2d:
      if (y == x && (x == pqnn_datatype_fp32 || x == pqnn_datatype_fp16)) return pqnn_status_success;
      break;
    case pqnn_node_type_convert:
      if ((x == pqnn_datatype_fp32 && (y == pqnn_datatype_fp16 || y == pqnn_datatype_qint8 ||
                                       y == pqnn_datatype_qdint8)) ||
          (y == pqnn_datatype_fp32 && (x == pqnn_datatype_fp16 || x == pqnn_datatype_qint8))) {
        return pqnn_status_success;
      }
      break;
    default:
      break;
  }
  pqnn_log_error(function, "datatype mismatch: input %s, output %s not supported by this node",
      pqnn_datatype_string(x), pqnn_datatype_string(y));
  return pqnn_status_invalid_parameter;
}

enum pqnn_status pqnn_subgraph_define_node(const char* function,
    struct pqnn_subgraph* subgraph, struct pqnn_node* node, uint32_t allowed_flags) {
  if (subgraph == NULL) {
    pqnn_log_error(function, "subgraph is NULL");
    return pqnn_status_invalid_parameter;
  }
  if ((node->flags & ~allowed_flags) != 0) {
    pqnn_log_error(function, "unknown or inapplicable flags 0x%x", (unsigned) node->flags);
    return pqnn_status_invalid_parameter;
  }
  if (isnan(node->output_min) || isnan(node->output_max) ||
      !(node->output_min < node->output_max)) {
    pqnn_log_error(function, "output range [%g, %g] is empty or NaN", (double) node->output_min,
        (double) node->output_max);
    return pqnn_status_invalid_parameter;
  }
  const struct pqnn_value* in[PQNN_NODE_MAX_INPUTS] = {NULL};
  const struct pqnn_shape* shapes[PQNN_NODE_MAX_INPUTS] = {NULL};
  for (uint32_t i = 0; i < node->num_inputs; i++) {
    const bool optional_bias = i == 2 && node->inputs[i] == PQNN_INVALID_VALUE_ID;
    if (optional_bias) continue;
    in[i] = pqnn_subgraph_value(subgraph, node->inputs[i]);
    if (in[i] == NULL) {
      pqnn_log_error(function, "input %u: value id %u is not defined", (unsigned) i,
          (unsigned) node->inputs[i]);
      return pqnn_status_invalid_parameter;
    }
    if (node->inputs[i] == node->output) {
      pqnn_log_error(function, "value %u is both an input and the output", (unsigned) node->output);
      return pqnn_status_invalid_parameter;
    }
    shapes[i] = &in[i]->shape;
  }
  const struct pqnn_value* out = pqnn_subgraph_value(subgraph, node->output);
  if (out == NULL) {
    pqnn_log_error(function, "output value id %u is not defined", (unsigned) node->output);
    return pqnn_status_invalid_parameter;
  }
  if (out->data != NULL || (out->flags & PQNN_VALUE_FLAG_EXTERNAL_INPUT) != 0) {
    pqnn_log_error(function, "output value %u is static or an external input",
        (unsigned) node->output);
    return pqnn_status_invalid_parameter;
  }
  if (out->producer != PQNN_NO_NODE) {
    pqnn_log_error(function, "output value %u is already produced by node %u",
        (unsigned) node->output, (unsigned) out->producer);
    return pqnn_status_invalid_parameter;
  }
  if (node->type == pqnn_node_type_global_average_pooling_2d) {
    node->new_shape.num_dims = out->shape.num_dims;  /* [N][C] or [N][1][1][C] */
  }
  struct pqnn_shape inferred;
  enum pqnn_status status = pqnn_infer_node_shape(function, node, shapes, &inferred);
  if (status != pqnn_status_success) return status;
  if (!pqnn_shape_equal(&inferred, &out->shape)) {
    char declared[128], computed[128];
    pqnn_format_shape(&out->shape, declared, sizeof(declared));
    pqnn_format_shape(&inferred, computed, sizeof(computed));
    pqnn_log_error(function, "shape mismatch: output value %u is %s, the node computes %s",
        (unsigned) node->output, declared, computed);
    return pqnn_status_invalid_parameter;
  }
  status = check_datatypes(function, node, in, out);
  if (status != pqnn_status_success) return status;
  if (subgraph->num_nodes == PQNN_NO_NODE - 1) {
    pqnn_log_error(function, "too many nodes");
    return pqnn_status_unsupported_parameter;
  }
  status = pqnn_subgraph_add_node(subgraph, node);
  if (status != pqnn_status_success) {
    pqnn_log_error(function, "out of memory");
    return status;
  }
  subgraph->values[node->output].producer = subgraph->num_nodes - 1;
  return pqnn_status_success;
}

#define define_node pqnn_subgraph_define_node

static const float kNoMin = -INFINITY, kNoMax = INFINITY;

enum pqnn_status pqnn_define_fully_connected(pqnn_subgraph_t subgraph, float output_min,
    float output_max, uint32_t input_id, uint32_t filter_id, uint32_t bias_id,
    uint32_t output_id, uint32_t flags) {
  struct pqnn_node node = {.type = pqnn_node_type_fully_connected, .num_inputs = 3,
      .inputs = {input_id, filter_id, bias_id}, .output = output_id,
      .output_min = output_min, .output_max = output_max, .flags = flags};
  return define_node(__func__, subgraph, &node, PQNN_FLAG_TRANSPOSE_WEIGHTS);
}

static bool check_window(const char* function, uint32_t kh, uint32_t kw, uint32_t sh,
    uint32_t sw, uint32_t dh, uint32_t dw, uint32_t flags, uint32_t pt, uint32_t pr,
    uint32_t pb, uint32_t pl) {
  if (kh == 0 || kw == 0 || sh == 0 || sw == 0 || dh == 0 || dw == 0) {
    pqnn_log_error(function, "kernel, stride and dilation must be positive");
    return false;
  }
  if ((flags & PQNN_FLAG_TENSORFLOW_SAME_PADDING) != 0 && (pt | pr | pb | pl) != 0) {
    pqnn_log_error(function, "explicit padding with TENSORFLOW_SAME_PADDING");
    return false;
  }
  return true;
}

enum pqnn_status pqnn_define_convolution_2d(pqnn_subgraph_t subgraph,
    uint32_t input_padding_top, uint32_t input_padding_right, uint32_t input_padding_bottom,
    uint32_t input_padding_left, uint32_t kernel_height, uint32_t kernel_width,
    uint32_t subsampling_height, uint32_t subsampling_width, uint32_t dilation_height,
    uint32_t dilation_width, uint32_t groups, size_t group_input_channels,
    size_t group_output_channels, float output_min, float output_max, uint32_t input_id,
    uint32_t filter_id, uint32_t bias_id, uint32_t output_id, uint32_t flags) {
  if (!check_window(__func__, kernel_height, kernel_width, subsampling_height,
          subsampling_width, dilation_height, dilation_width, flags, input_padding_top,
          input_padding_right, input_padding_bottom, input_padding_left)) {
    return pqnn_status_invalid_parameter;
  }
  size_t channels;
  if (groups == 0 || group_input_channels == 0 || group_output_channels == 0 ||
      !pqnn_mul_sz(groups, group_input_channels, &channels) ||
      !pqnn_mul_sz(groups, group_output_channels, &channels)) {
    PQNN_LOG_ERROR("groups (%u) and channels (%zu, %zu) must be positive and not overflow",
        (unsigned) groups, group_input_channels, group_output_channels);
    return pqnn_status_invalid_parameter;
  }
  struct pqnn_node node = {.type = pqnn_node_type_convolution_2d, .num_inputs = 3,
      .inputs = {input_id, filter_id, bias_id}, .output = output_id,
      .output_min = output_min, .output_max = output_max, .flags = flags,
      .conv = {input_padding_top, input_padding_right, input_padding_bottom, input_padding_left,
          kernel_height, kernel_width, subsampling_height, subsampling_width, dilation_height,
          dilation_width, groups, group_input_channels, group_output_channels}};
  return define_node(__func__, subgraph, &node,
      PQNN_FLAG_TENSORFLOW_SAME_PADDING | PQNN_FLAG_NO_WINOGRAD);
}

enum pqnn_status pqnn_define_depthwise_convolution_2d(pqnn_subgraph_t subgraph,
    uint32_t input_padding_top, uint32_t input_padding_right, uint32_t input_padding_bottom,
    uint32_t input_padding_left, uint32_t kernel_height, uint32_t kernel_width,
    uint32_t subsampling_height, uint32_t subsampling_width, uint32_t dilation_height,
    uint32_t dilation_width, uint32_t depth_multiplier, size_t input_channels,
    float output_min, float output_max, uint32_t input_id, uint32_t filter_id,
    uint32_t bias_id, uint32_t output_id, uint32_t flags) {
  if (!check_window(__func__, kernel_height, kernel_width, subsampling_height,
          subsampling_width, dilation_height, dilation_width, flags, input_padding_top,
          input_padding_right, input_padding_bottom, input_padding_left)) {
    return pqnn_status_invalid_parameter;
  }
  size_t channels;
  if (depth_multiplier == 0 || input_channels == 0 || input_channels > UINT32_MAX ||
      !pqnn_mul_sz(input_channels, depth_multiplier, &channels)) {
    PQNN_LOG_ERROR("depth_multiplier (%u) and input_channels (%zu) must be positive",
        (unsigned) depth_multiplier, input_channels);
    return pqnn_status_invalid_parameter;
  }
  struct pqnn_node node = {.type = pqnn_node_type_depthwise_convolution_2d, .num_inputs = 3,
      .inputs = {input_id, filter_id, bias_id}, .output = output_id,
      .output_min = output_min, .output_max = output_max, .flags = flags,
      .conv = {input_padding_top, input_padding_right, input_padding_bottom, input_padding_left,
          kernel_height, kernel_width, subsampling_height, subsampling_width, dilation_height,
          dilation_width, (uint32_t) input_channels, 1, depth_multiplier}};
  return define_node(__func__, subgraph, &node, PQNN_FLAG_TENSORFLOW_SAME_PADDING);
}

enum pqnn_status pqnn_define_add2(pqnn_subgraph_t subgraph, float output_min, float output_max,
    uint32_t input1_id, uint32_t input2_id, uint32_t output_id, uint32_t flags) {
  struct pqnn_node node = {.type = pqnn_node_type_add2, .num_inputs = 2,
      .inputs = {input1_id, input2_id}, .output = output_id, .output_min = output_min,
      .output_max = output_max, .flags = flags};
  return define_node(__func__, subgraph, &node, 0);
}

enum pqnn_status pqnn_define_clamp(pqnn_subgraph_t subgraph, float output_min, float output_max,
    uint32_t input_id, uint32_t output_id, uint32_t flags) {
  struct pqnn_node node = {.type = pqnn_node_type_clamp, .num_inputs = 1, .inputs = {input_id},
      .output = output_id, .output_min = output_min, .output_max = output_max, .flags = flags};
  return define_node(__func__, subgraph, &node, 0);
}

static enum pqnn_status define_unary(const char* function, pqnn_subgraph_t subgraph,
    enum pqnn_node_type type, uint32_t input_id, uint32_t output_id, uint32_t flags) {
  struct pqnn_node node = {.type = type, .num_inputs = 1, .inputs = {input_id},
      .output = output_id, .output_min = kNoMin, .output_max = kNoMax, .flags = flags};
  return define_node(function, subgraph, &node, 0);
}

enum pqnn_status pqnn_define_gelu(pqnn_subgraph_t subgraph, uint32_t input_id,
    uint32_t output_id, uint32_t flags) {
  return define_unary(__func__, subgraph, pqnn_node_type_gelu, input_id, output_id, flags);
}

enum pqnn_status pqnn_define_softmax(pqnn_subgraph_t subgraph, uint32_t input_id,
    uint32_t output_id, uint32_t flags) {
  return define_unary(__func__, subgraph, pqnn_node_type_softmax, input_id, output_id, flags);
}

enum pqnn_status pqnn_define_convert(pqnn_subgraph_t subgraph, uint32_t input_id,
    uint32_t output_id, uint32_t flags) {
  return define_unary(__func__, subgraph, pqnn_node_type_convert, input_id, output_id, flags);
}

enum pqnn_status pqnn_define_global_average_pooling_2d(pqnn_subgraph_t subgraph,
    float output_min, float output_max, uint32_t input_id, uint32_t output_id,
    uint32_t flags) {
  struct pqnn_node node = {.type = pqnn_node_type_global_average_pooling_2d, .num_inputs = 1,
      .inputs = {input_id}, .output = output_id, .output_min = output_min,
      .output_max = output_max, .flags = flags};
  return define_node(__func__, subgraph, &node, 0);
}

enum pqnn_status pqnn_define_max_pooling_2d(pqnn_subgraph_t subgraph,
    uint32_t input_padding_top, uint32_t input_padding_right, uint32_t input_padding_bottom,
    uint32_t input_padding_left, uint32_t pooling_height, uint32_t pooling_width,
    uint32_t stride_height, uint32_t stride_width, uint32_t dilation_height,
    uint32_t dilation_width, float output_min, float output_max, uint32_t input_id,
    uint32_t output_id, uint32_t flags) {
  if (!check_window(__func__, pooling_height, pooling_width, stride_height, stride_width,
          dilation_height, dilation_width, flags, input_padding_top, input_padding_right,
          input_padding_bottom, input_padding_left)) {
    return pqnn_status_invalid_parameter;
  }
  struct pqnn_node node = {.type = pqnn_node_type_max_pooling_2d, .num_inputs = 1,
      .inputs = {input_id}, .output = output_id, .output_min = output_min,
      .output_max = output_max, .flags = flags,
      .conv = {input_padding_top, input_padding_right, input_padding_bottom, input_padding_left,
          pooling_height, pooling_width, stride_height, stride_width, dilation_height,
          dilation_width, 1, 1, 1}};
  return define_node(__func__, subgraph, &node, PQNN_FLAG_TENSORFLOW_SAME_PADDING);
}

enum pqnn_status pqnn_define_static_reshape(pqnn_subgraph_t subgraph, size_t num_dims,
    const size_t* new_shape, uint32_t input_id, uint32_t output_id, uint32_t flags) {
  if (num_dims > PQNN_MAX_DIMS || num_dims == 0 || new_shape == NULL) {
    PQNN_LOG_ERROR("num_dims (%zu) is not 1 to %d or new_shape is NULL", num_dims,
        PQNN_MAX_DIMS);
    return num_dims > PQNN_MAX_DIMS ? pqnn_status_unsupported_parameter
                                    : pqnn_status_invalid_parameter;
  }
  struct pqnn_node node = {.type = pqnn_node_type_static_reshape, .num_inputs = 1,
      .inputs = {input_id}, .output = output_id, .output_min = kNoMin, .output_max = kNoMax,
      .flags = flags};
  size_t zeros = 0;
  node.new_shape.num_dims = num_dims;
  for (size_t i = 0; i < num_dims; i++) {
    node.new_shape.dim[i] = new_shape[i];
    zeros += new_shape[i] == 0;
  }
  if (zeros > 1) {
    PQNN_LOG_ERROR("new_shape has %zu zero (inferred) entries; at most one", zeros);
    return pqnn_status_invalid_parameter;
  }
  return define_node(__func__, subgraph, &node, 0);
}

enum pqnn_status pqnn_define_binary(pqnn_subgraph_t subgraph, enum pqnn_binary_operator op,
    float output_min, float output_max, uint32_t input1_id, uint32_t input2_id,
    uint32_t output_id, uint32_t flags) {
  if (op <= pqnn_binary_invalid || op > pqnn_binary_less_equal) {
    PQNN_LOG_ERROR("unknown binary operator %d", (int) op);
    return pqnn_status_invalid_parameter;
  }
  struct pqnn_node node = {.type = pqnn_node_type_binary, .num_inputs = 2,
      .inputs = {input1_id, input2_id}, .output = output_id, .output_min = output_min,
      .output_max = output_max, .flags = flags, .elementwise_op = (uint32_t) op};
  return define_node(__func__, subgraph, &node, 0);
}

enum pqnn_status pqnn_define_unary(pqnn_subgraph_t subgraph, enum pqnn_unary_operator op,
    const struct pqnn_unary_params* params, uint32_t input_id, uint32_t output_id,
    uint32_t flags) {
  if (op <= pqnn_unary_invalid || op > pqnn_unary_round) {
    PQNN_LOG_ERROR("unknown unary operator %d", (int) op);
    return pqnn_status_invalid_parameter;
  }
  struct pqnn_unary_params p = {0.0f, 0.0f};
  if (op == pqnn_unary_leaky_relu || op == pqnn_unary_hardsigmoid) {
    if (params == NULL || !isfinite(params->alpha) ||
        (op == pqnn_unary_hardsigmoid && !isfinite(params->beta))) {
      PQNN_LOG_ERROR("%s needs params with finite alpha%s", op == pqnn_unary_leaky_relu
          ? "leaky_relu" : "hardsigmoid", op == pqnn_unary_leaky_relu ? "" : " and beta");
      return pqnn_status_invalid_parameter;
    }
    p = *params;
  }
  struct pqnn_node node = {.type = pqnn_node_type_unary, .num_inputs = 1, .inputs = {input_id},
      .output = output_id, .output_min = kNoMin, .output_max = kNoMax, .flags = flags,
      .elementwise_op = (uint32_t) op, .unary = p};
  return define_node(__func__, subgraph, &node, 0);
}
