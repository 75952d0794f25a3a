/* Output shape of each node type from its input shapes. Used by the define calls (the
 * declared output shape must match) and by reshape (shapes propagate from the external
 * inputs in execution order). */
#include <stdio.h>
#include <string.h>

#include "logging.h"
#include "runtime/nodes/compute-nodes.h"
#include "runtime/subgraph.h"

bool pqnn_window_output_size(size_t in, uint32_t pad_before, uint32_t pad_after,
    uint32_t kernel, uint32_t stride, uint32_t dilation, bool same_padding, size_t* out) {
  if (stride == 0 || kernel == 0 || dilation == 0) return false;
  if (same_padding) {
    *out = pqnn_divide_round_up(in, stride);
    return true;
  }
  const size_t padded = in + (size_t) pad_before + (size_t) pad_after;
  const size_t effective = ((size_t) kernel - 1) * dilation + 1;
  if (padded < effective) return false;
  *out = (padded - effective) / stride + 1;
  return true;
}

bool pqnn_same_padding_before(size_t in, uint32_t kernel, uint32_t stride, uint32_t dilation,
    size_t* pad_out) {
  const size_t out = pqnn_divide_round_up(in, stride);
  size_t span, reach, needed, slack;
  if (!pqnn_mul_sz((size_t) kernel - 1, dilation, &span) ||
      !pqnn_mul_sz(out == 0 ? 0 : out - 1, stride, &reach) ||
      !pqnn_add_sz(reach, span, &needed) || !pqnn_add_sz(needed, 1, &needed) ||
      !pqnn_add_sz(needed, dilation, &slack) || !pqnn_add_sz(slack, in, &slack)) {
    return false;
  }
  const size_t total = needed > in ? needed - in : 0;
  *pad_out = total / 2;
  return true;
}

/* What the current inference found wrong: bad() records it and pqnn_infer_node_shape
 * logs it with the input shapes (one message per rejection). */
static _Thread_local const char* mismatch;

static enum pqnn_status bad(const char* function, const char* what) {
  (void) function;
  mismatch = what;
  return pqnn_status_invalid_parameter;
}

void pqnn_format_shape(const struct pqnn_shape* shape, char* buffer, size_t size) {
  size_t used = (size_t) snprintf(buffer, size, "[");
  for (size_t i = 0; i < shape->num_dims && used < size; i++) {
    used += (size_t) snprintf(buffer + used, size - used, i == 0 ? "%zu" : "x%zu", shape->dim[i]);
  }
  if (used < size) snprintf(buffer + used, size - used, "]");
}

/* [N][OH][OW][channels] of a padded window op (conv, pooling) over x [N][H][W][C]. */
static enum pqnn_status window_output(const char* function, const struct pqnn_node* node,
    const struct pqnn_shape* x, size_t channels, struct pqnn_shape* out) {
  const struct pqnn_conv_params* p = &node->conv;
  const bool same = (node->flags & PQNN_FLAG_TENSORFLOW_SAME_PADDING) != 0;
  size_t oh, ow, pad;
  if (same && (!pqnn_same_padding_before(x->dim[1], p->kernel_height, p->stride_height,
                   p->dilation_height, &pad) ||
               !pqnn_same_padding_before(x->dim[2], p->kernel_width, p->stride_width,
                   p->dilation_width, &pad))) {
    return bad(function, "the SAME-padded window overflows size_t");
  }
  if (!pqnn_window_output_size(x->dim[1], p->pad_top, p->pad_bottom, p->kernel_height,
          p->stride_height, p->dilation_height, same, &oh) ||
      !pqnn_window_output_size(x->dim[2], p->pad_left, p->pad_right, p->kernel_width,
          p->stride_width, p->dilation_width, same, &ow)) {
    return bad(function, "the window does not fit the padded input");
  }
  *out = (struct pqnn_shape) {.num_dims = 4, .dim = {x->dim[0], oh, ow, channels}};
  return pqnn_status_success;
}

static enum pqnn_status infer_fully_connected(const char* function, const struct pqnn_node* node,
    const struct pqnn_shape* const* in, struct pqnn_shape* out) {
  const struct pqnn_shape* x = in[0];
  const struct pqnn_shape* w = in[1];
  if (w->num_dims != 2) return bad(function, "filter must have 2 dims");
  const bool transposed = (node->flags & PQNN_FLAG_TRANSPOSE_WEIGHTS) != 0;
  const size_t ic = transposed ? w->dim[0] : w->dim[1];
  const size_t oc = transposed ? w->dim[1] : w->dim[0];
  if (x->num_dims == 0 || x->dim[x->num_dims - 1] != ic) {
    return bad(function, "input's last dim differs from the filter's input channels");
  }
  if (in[2] != NULL && (in[2]->num_dims != 1 || in[2]->dim[0] != oc)) {
    return bad(function, "bias must be [output_channels]");
  }
  *out = *x;
  out->dim[out->num_dims - 1] = oc;
  return pqnn_status_success;
}

static enum pqnn_status infer_convolution(const char* function, const struct pqnn_node* node,
    const struct pqnn_shape* const* in, struct pqnn_shape* out) {
  const struct pqnn_conv_params* p = &node->conv;
  const struct pqnn_shape* x = in[0];
  const struct pqnn_shape* w = in[1];
  const size_t channels_in = (size_t) p->groups * p->group_input_channels;
  const size_t channels_out = (size_t) p->groups * p->group_output_channels;
  if (x->num_dims != 4 || x->dim[3] != channels_in) {
    return bad(function, "input must be [N][H][W][groups * group_input_channels]");
  }
  if (w->num_dims != 4) return bad(function, "filter must have 4 dims");
  if (node->type == pqnn_node_type_depthwise_convolution_2d) {
    if (w->dim[0] != 1 || w->dim[1] != p->kernel_height || w->dim[2] != p->kernel_width ||
        w->dim[3] != channels_out) {
      return bad(function, "filter must be [1][kh][kw][input_channels * depth_multiplier]");
    }
  } else if (w->dim[0] != channels_out || w->dim[1] != p->kernel_height ||
             w->dim[2] != p->kernel_width || w->dim[3] != p->group_input_channels) {
    return bad(function, "filter must be [groups * group_output_channels][kh][kw][group_input_channels]");
  }
  if (in[2] != NULL && (in[2]->num_dims != 1 || in[2]->dim[0] != channels_out)) {
    return bad(function, "bias must be [output_channels]");
  }
  return window_output(function, node, x, channels_out, out);
}

static enum pqnn_status infer_max_pooling(const char* function, const struct pqnn_node* node,
    const struct pqnn_shape* x, struct pqnn_shape* out) {
  if (x->num_dims != 4) return bad(function, "input must be [N][H][W][C]");
  return window_output(function, node, x, x->dim[3], out);
}

static enum pqnn_status infer_add2(const char* function, const struct pqnn_shape* a,
    const struct pqnn_shape* b, struct pqnn_shape* out) {
  const size_t n = a->num_dims > b->num_dims ? a->num_dims : b->num_dims;
  if (n > 4) {
    pqnn_log_error(function, "add2 supports up to 4 dims, not %zu", n);
    return pqnn_status_unsupported_parameter;
  }
  out->num_dims = n;
  for (size_t i = 0; i < n; i++) {
    const size_t da = i < n - a->num_dims ? 1 : a->dim[i - (n - a->num_dims)];
    const size_t db = i < n - b->num_dims ? 1 : b->dim[i - (n - b->num_dims)];
    if (da != db && da != 1 && db != 1) return bad(function, "inputs do not broadcast");
    out->dim[i] = da > db ? da : db;
  }
  return pqnn_status_success;
}

static enum pqnn_status infer_static_reshape(const char* function, const struct pqnn_node* node,
    const struct pqnn_shape* x, struct pqnn_shape* out) {
  const size_t total = pqnn_shape_elements(x);
  *out = node->new_shape;
  size_t known = 1, inferred = out->num_dims;
  for (size_t i = 0; i < out->num_dims; i++) {
    if (out->dim[i] == 0) {
      inferred = i;
    } else if (!pqnn_mul_sz(known, out->dim[i], &known)) {
      return bad(function, "new shape overflows size_t");
    }
  }
  if (inferred < out->num_dims) {
    if (known == 0 || total % known != 0) return bad(function, "cannot infer the 0 dim");
    out->dim[inferred] = total / known;
    known *= out->dim[inferred];
  }
  if (known != total) return bad(function, "new shape has a different element count");
  return pqnn_status_success;
}

static enum pqnn_status infer(const char* function, const struct pqnn_node* node,
    const struct pqnn_shape* const* in, struct pqnn_shape* out) {
  switch (node->type) {
    case pqnn_node_type_fully_connected:
      return infer_fully_connected(function, node, in, out);
    case pqnn_node_type_convolution_2d:
    case pqnn_node_type_depthwise_convolution_2d:
      return infer_convolution(function, node, in, out);
    case pqnn_node_type_max_pooling_2d:
      return infer_max_pooling(function, node, in[0], out);
    case pqnn_node_type_add2:
    case pqnn_node_type_binary:
      return infer_add2(function, in[0], in[1], out);
    case pqnn_node_type_global_average_pooling_2d:
      if (in[0]->num_dims != 4) return bad(function, "input must be [N][H][W][C]");
      if (node->new_shape.num_dims == 2) {
        *out = (struct pqnn_shape) {.num_dims = 2, .dim = {in[0]->dim[0], in[0]->dim[3]}};
      } else {
        *out = (struct pqnn_shape) {.num_dims = 4, .dim = {in[0]->dim[0], 1, 1, in[0]->dim[3]}};
      }
      return pqnn_status_success;
    case pqnn_node_type_static_reshape:
      return infer_static_reshape(function, node, in[0], out);
    case pqnn_node_type_softmax:
      if (in[0]->num_dims == 0) return bad(function, "softmax needs at least 1 dim");
      *out = *in[0];
      return pqnn_status_success;
    case pqnn_node_type_clamp:
    case pqnn_node_type_gelu:
    case pqnn_node_type_unary:
    case pqnn_node_type_convert:
      *out = *in[0];
      return pqnn_status_success;
    case pqnn_node_type_concatenate:
    case pqnn_node_type_split:
    case pqnn_node_type_static_slice:
    case pqnn_node_type_static_constant_pad:
    case pqnn_node_type_static_transpose:
    case pqnn_node_type_static_resize_2d: {
      const char* what = pqnn_infer_layout_shape(node, in, out);
      return what == NULL ? pqnn_status_success : bad(function, what);
    }
    default: {
      const struct pqnn_compute_node* compute = pqnn_find_compute_node(node->type);
      if (compute != NULL) return compute->infer(function, node, in, out);
      return bad(function, "unknown node type");
    }
  }
}

enum pqnn_status pqnn_infer_node_shape(const char* function, const struct pqnn_node* node,
    const struct pqnn_shape* const* in, struct pqnn_shape* out) {
  mismatch = NULL;
  const enum pqnn_status status = infer(function, node, in, out);
  if (status != pqnn_status_success && mismatch != NULL) {
    /* The shapes involved: every input given (FC / conv: input, filter, bias). */
    char shapes[4 * 6 * 21 + 16] = "";
    size_t used = 0;
    for (uint32_t i = 0; i < node->num_inputs && i < PQNN_NODE_MAX_INPUTS; i++) {
      if (in[i] == NULL || used + 2 >= sizeof(shapes)) continue;
      if (used != 0) used += (size_t) snprintf(shapes + used, sizeof(shapes) - used, ", ");
      pqnn_format_shape(in[i], shapes + used, sizeof(shapes) - used);
      used = strlen(shapes);
    }
    pqnn_log_error(function, "shape mismatch: %s (input shapes %s)", mismatch, shapes);
  }
  return status;
}
