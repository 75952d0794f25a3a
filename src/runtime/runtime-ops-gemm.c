/* Fully connected, convolution and depthwise convolution nodes through the public
 * operators: created (weights packed, f32 weights quantized per output channel for qd8)
 * at runtime create, reshaped with the batch / image size, set up with the tensors'
 * pointers (and the qd8 params that the inserted convert wrote). */
#include <math.h>
#include <string.h>

#include "allocator.h"
#include "logging.h"
#include "runtime/runtime.h"

void pqnn_rt_quantize_bounds(const struct pqnn_rt_tensor* t, float min, float max,
    int8_t* qmin, int8_t* qmax) {
  const double lo = (double) min / t->scale + t->zero_point;
  const double hi = (double) max / t->scale + t->zero_point;
  *qmin = lo <= -128.0 ? INT8_MIN : lo >= 127.0 ? INT8_MAX : (int8_t) nearbyint(lo);
  *qmax = hi >= 127.0 ? INT8_MAX : hi <= -128.0 ? INT8_MIN : (int8_t) nearbyint(hi);
  if (*qmin > *qmax) *qmin = *qmax;
}

/* Per-output-channel qc8w weights of an f32 filter, rows of `columns` elements (transposed:
 * the filter is [columns][rows] and is transposed first). */
static enum pqnn_status quantize_filter(const float* filter, size_t rows, size_t columns,
    bool transposed, int8_t** kernel_out, float** scale_out) {
  float* transposed_copy = NULL;
  if (transposed) {
    transposed_copy = pqnn_allocate(rows * columns * sizeof(float));
    if (transposed_copy == NULL) return pqnn_status_out_of_memory;
    for (size_t r = 0; r < rows; r++) {
      for (size_t c = 0; c < columns; c++) transposed_copy[r * columns + c] = filter[c * rows + r];
    }
    filter = transposed_copy;
  }
  *kernel_out = pqnn_allocate(rows * columns);
  *scale_out = pqnn_allocate(rows * sizeof(float));
  enum pqnn_status status = pqnn_status_out_of_memory;
  if (*kernel_out != NULL && *scale_out != NULL) {
    status = pqnn_quantize_weights_qc8w(rows, columns, filter, *kernel_out, *scale_out);
  }
  pqnn_release(transposed_copy);
  return status;
}

static enum pqnn_status create_fully_connected(struct pqnn_rt_op* op,
    const struct pqnn_rt_tensor* x, const struct pqnn_rt_tensor* y,
    const struct pqnn_value* filter, const struct pqnn_value* bias) {
  const bool transposed = (op->node.flags & PQNN_FLAG_TRANSPOSE_WEIGHTS) != 0;
  const size_t ic = filter->shape.dim[transposed ? 0 : 1];
  const size_t oc = filter->shape.dim[transposed ? 1 : 0];
  const void* w = filter->data;
  const void* b = bias != NULL ? bias->data : NULL;
  uint32_t flags = op->node.flags & PQNN_FLAG_TRANSPOSE_WEIGHTS;
  const float min = op->output_min, max = op->output_max;
  switch (op->impl) {
    case pqnn_rt_fc_f32:
      return pqnn_create_fully_connected_nc_f32(ic, oc, ic, oc, w, b, min, max, flags, &op->op);
    case pqnn_rt_fc_f16:
      if (filter->datatype == pqnn_datatype_fp32) flags |= PQNN_FLAG_FP32_STATIC_WEIGHTS;
      return pqnn_create_fully_connected_nc_f16(ic, oc, ic, oc, w, b, min, max, flags, &op->op);
    case pqnn_rt_fc_qs8:
      return pqnn_create_fully_connected_nc_qs8(ic, oc, ic, oc, (int8_t) x->zero_point,
          x->scale, filter->scale, w, b, (int8_t) y->zero_point, y->scale, op->qmin, op->qmax,
          flags, &op->op);
    case pqnn_rt_fc_qs8_qc8w:
      return pqnn_create_fully_connected_nc_qs8_qc8w(ic, oc, ic, oc, (int8_t) x->zero_point,
          x->scale, filter->channel_scale, w, b, (int8_t) y->zero_point, y->scale, op->qmin,
          op->qmax, flags, &op->op);
    default: {
      const float* scale = filter->channel_scale;
      int8_t* qw = NULL;
      float* qs = NULL;
      enum pqnn_status status = pqnn_status_success;
      if (filter->datatype == pqnn_datatype_fp32) {
        status = quantize_filter(w, oc, ic, transposed, &qw, &qs);
        w = qw;
        scale = qs;
        flags = 0;
      }
      if (status == pqnn_status_success) {
        status = op->impl == pqnn_rt_fc_qd8_f32
            ? pqnn_create_fully_connected_nc_qd8_f32_qc8w(ic, oc, ic, oc, scale, w, b, min, max,
                  flags, &op->op)
            : pqnn_create_fully_connected_nc_qd8_f16_qc8w(ic, oc, ic, oc, scale, w, b, min, max,
                  flags, &op->op);
      }
      pqnn_release(qw);
      pqnn_release(qs);
      return status;
    }
  }
}

static enum pqnn_status create_convolution(struct pqnn_rt_op* op,
    const struct pqnn_rt_tensor* x, const struct pqnn_rt_tensor* y,
    const struct pqnn_value* filter, const struct pqnn_value* bias) {
  const struct pqnn_conv_params* p = &op->node.conv;
  const size_t cin = (size_t) p->groups * p->group_input_channels;
  const size_t cout = (size_t) p->groups * p->group_output_channels;
  const void* w = filter->data;
  const void* b = bias != NULL ? bias->data : NULL;
  uint32_t flags = op->node.flags & PQNN_FLAG_TENSORFLOW_SAME_PADDING;
  if (op->node.type == pqnn_node_type_depthwise_convolution_2d) {
    flags |= PQNN_FLAG_DEPTHWISE_CONVOLUTION;
  }
  const float min = op->output_min, max = op->output_max;
#define GEOMETRY p->pad_top, p->pad_right, p->pad_bottom, p->pad_left, p->kernel_height, \
    p->kernel_width, p->stride_height, p->stride_width, p->dilation_height, p->dilation_width, \
    p->groups, p->group_input_channels, p->group_output_channels, cin, cout
  switch (op->impl) {
    case pqnn_rt_conv_f32:
      return pqnn_create_convolution2d_nhwc_f32(GEOMETRY, w, b, min, max, flags, &op->op);
    case pqnn_rt_conv_f16:
      if (filter->datatype == pqnn_datatype_fp32) flags |= PQNN_FLAG_FP32_STATIC_WEIGHTS;
      return pqnn_create_convolution2d_nhwc_f16(GEOMETRY, w, b, min, max, flags, &op->op);
    case pqnn_rt_conv_qs8:
      return pqnn_create_convolution2d_nhwc_qs8(GEOMETRY, (int8_t) x->zero_point, x->scale,
          filter->scale, w, b, (int8_t) y->zero_point, y->scale, op->qmin, op->qmax, flags,
          &op->op);
    case pqnn_rt_conv_qs8_qc8w:
      return pqnn_create_convolution2d_nhwc_qs8_qc8w(GEOMETRY, (int8_t) x->zero_point,
          x->scale, filter->channel_scale, w, b, (int8_t) y->zero_point, y->scale, op->qmin,
          op->qmax, flags, &op->op);
    default: {
      const float* scale = filter->channel_scale;
      int8_t* qw = NULL;
      float* qs = NULL;
      enum pqnn_status status = pqnn_status_success;
      if (filter->datatype == pqnn_datatype_fp32) {
        const size_t columns = (size_t) p->kernel_height * p->kernel_width * p->group_input_channels;
        status = quantize_filter(w, cout, columns, false, &qw, &qs);
        w = qw;
        scale = qs;
      }
      if (status == pqnn_status_success) {
        status = op->impl == pqnn_rt_conv_qd8_f32
            ? pqnn_create_convolution2d_nhwc_qd8_f32_qc8w(GEOMETRY, scale, w, b, min, max,
                  flags, &op->op)
            : pqnn_create_convolution2d_nhwc_qd8_f16_qc8w(GEOMETRY, scale, w, b, min, max,
                  flags, &op->op);
      }
      pqnn_release(qw);
      pqnn_release(qs);
      return status;
    }
  }
#undef GEOMETRY
}

enum pqnn_status pqnn_rt_create_gemm(struct pqnn_runtime* rt, struct pqnn_rt_op* op,
    const struct pqnn_value* filter, const struct pqnn_value* bias) {
  const struct pqnn_rt_tensor* x = &rt->tensors[op->inputs[0]];
  const struct pqnn_rt_tensor* y = &rt->tensors[op->output];
  if (y->datatype == pqnn_datatype_qint8) {
    pqnn_rt_quantize_bounds(y, op->output_min, op->output_max, &op->qmin, &op->qmax);
  }
  const enum pqnn_status status = op->node.type == pqnn_node_type_fully_connected
      ? create_fully_connected(op, x, y, filter, bias)
      : create_convolution(op, x, y, filter, bias);
  if (status != pqnn_status_success) {
    PQNN_LOG_ERROR("creating the operator of a %s node failed: %s",
        op->node.type == pqnn_node_type_fully_connected ? "fully connected" : "convolution",
        pqnn_status_string(status));
  }
  return status;
}

enum pqnn_status pqnn_rt_reshape_gemm(struct pqnn_runtime* rt, struct pqnn_rt_op* op) {
  const struct pqnn_rt_tensor* x = &rt->tensors[op->inputs[0]];
  const struct pqnn_rt_tensor* y = &rt->tensors[op->output];
  pthreadpool_t tp = rt->threadpool;
  if (op->node.type == pqnn_node_type_fully_connected) {
    const size_t batch = pqnn_shape_elements(&x->shape) / x->shape.dim[x->shape.num_dims - 1];
    switch (op->impl) {
      case pqnn_rt_fc_f32: return pqnn_reshape_fully_connected_nc_f32(op->op, batch, tp);
      case pqnn_rt_fc_f16: return pqnn_reshape_fully_connected_nc_f16(op->op, batch, tp);
      case pqnn_rt_fc_qs8: return pqnn_reshape_fully_connected_nc_qs8(op->op, batch, tp);
      case pqnn_rt_fc_qs8_qc8w: return pqnn_reshape_fully_connected_nc_qs8_qc8w(op->op, batch, tp);
      case pqnn_rt_fc_qd8_f32: return pqnn_reshape_fully_connected_nc_qd8_f32_qc8w(op->op, batch, tp);
      default: return pqnn_reshape_fully_connected_nc_qd8_f16_qc8w(op->op, batch, tp);
    }
  }
  const size_t n = x->shape.dim[0], h = x->shape.dim[1], w = x->shape.dim[2];
  size_t oh = 0, ow = 0;
  enum pqnn_status status;
  switch (op->impl) {
    case pqnn_rt_conv_f32:
      status = pqnn_reshape_convolution2d_nhwc_f32(op->op, n, h, w, &oh, &ow, tp);
      break;
    case pqnn_rt_conv_f16:
      status = pqnn_reshape_convolution2d_nhwc_f16(op->op, n, h, w, &oh, &ow, tp);
      break;
    case pqnn_rt_conv_qs8:
      status = pqnn_reshape_convolution2d_nhwc_qs8(op->op, n, h, w, &oh, &ow, tp);
      break;
    case pqnn_rt_conv_qs8_qc8w:
      status = pqnn_reshape_convolution2d_nhwc_qs8_qc8w(op->op, n, h, w, &oh, &ow, tp);
      break;
    case pqnn_rt_conv_qd8_f32:
      status = pqnn_reshape_convolution2d_nhwc_qd8_f32_qc8w(op->op, n, h, w, &oh, &ow, tp);
      break;
    default:
      status = pqnn_reshape_convolution2d_nhwc_qd8_f16_qc8w(op->op, n, h, w, &oh, &ow, tp);
      break;
  }
  if (status == pqnn_status_success && (oh != y->shape.dim[1] || ow != y->shape.dim[2])) {
    PQNN_LOG_ERROR("operator output %zux%zu differs from the planned %zux%zu", oh, ow,
        y->shape.dim[1], y->shape.dim[2]);
    return pqnn_status_invalid_state;
  }
  return status;
}

enum pqnn_status pqnn_rt_setup_gemm(struct pqnn_runtime* rt, struct pqnn_rt_op* op) {
  const struct pqnn_rt_tensor* x = &rt->tensors[op->inputs[0]];
  void* y = rt->tensors[op->output].data;
  const struct pqnn_quantization_params* params =
      (const struct pqnn_quantization_params*) ((const char*) x->data + x->params_offset);
  switch (op->impl) {
    case pqnn_rt_fc_f32: return pqnn_setup_fully_connected_nc_f32(op->op, x->data, y);
    case pqnn_rt_fc_f16: return pqnn_setup_fully_connected_nc_f16(op->op, x->data, y);
    case pqnn_rt_fc_qs8: return pqnn_setup_fully_connected_nc_qs8(op->op, x->data, y);
    case pqnn_rt_fc_qs8_qc8w: return pqnn_setup_fully_connected_nc_qs8_qc8w(op->op, x->data, y);
    case pqnn_rt_fc_qd8_f32:
      return pqnn_setup_fully_connected_nc_qd8_f32_qc8w(op->op, x->data, y, params);
    case pqnn_rt_fc_qd8_f16:
      return pqnn_setup_fully_connected_nc_qd8_f16_qc8w(op->op, x->data, y, params);
    case pqnn_rt_conv_f32: return pqnn_setup_convolution2d_nhwc_f32(op->op, x->data, y);
    case pqnn_rt_conv_f16: return pqnn_setup_convolution2d_nhwc_f16(op->op, x->data, y);
    case pqnn_rt_conv_qs8: return pqnn_setup_convolution2d_nhwc_qs8(op->op, x->data, y);
    case pqnn_rt_conv_qs8_qc8w: return pqnn_setup_convolution2d_nhwc_qs8_qc8w(op->op, x->data, y);
    case pqnn_rt_conv_qd8_f32:
      return pqnn_setup_convolution2d_nhwc_qd8_f32_qc8w(op->op, x->data, y, params);
    default:
      return pqnn_setup_convolution2d_nhwc_qd8_f16_qc8w(op->op, x->data, y, params);
  }
}
