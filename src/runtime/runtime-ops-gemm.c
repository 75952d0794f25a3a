/* Fully connected, convolution, depthwise convolution and deconvolution ops through the
 * public operators.
 * At planning the combination table (gemm-combinations.c) names the operator face of the
 * op's executed datatypes; the face's executor is the op's for good. The operator is
 * created then (weights packed; f32 weights quantized per output channel for qd8),
 * reshaped with the batch / image size, set up with the tensors' pointers (and the qd8
 * params the inserted convert writes). */
#include <string.h>

#include "allocator.h"
#include "logging.h"
#include "operator.h"
#include "runtime/gemm-combinations.h"
#include "runtime/runtime-executors.h"
#include "runtime/runtime-passes.h"
#include "runtime/runtime-shared.h"

typedef enum pqnn_status (*create_fn)(struct pqnn_rt_op* op, const struct pqnn_rt_tensor* x,
    const struct pqnn_rt_tensor* y, const struct pqnn_value* filter,
    const struct pqnn_value* bias);
typedef enum pqnn_status (*reshape_fc_fn)(pqnn_operator_t op, size_t batch, pthreadpool_t tp);
typedef enum pqnn_status (*reshape_conv_fn)(pqnn_operator_t op, size_t n, size_t h, size_t w,
    size_t* oh, size_t* ow, pthreadpool_t tp);
typedef enum pqnn_status (*reshape_deconv_fn)(pqnn_operator_t op, size_t n, size_t h,
    size_t w, uint32_t adjustment_height, uint32_t adjustment_width, size_t* oh, size_t* ow,
    pthreadpool_t tp);

typedef enum pqnn_status (*setup_fn)(struct pqnn_runtime* rt, struct pqnn_rt_op* op);

struct pqnn_rt_gemm_face {
  struct pqnn_rt_executor exec;
  const char* name;
  create_fn create;
  setup_fn setup;                /* the public setup of the face */
  reshape_fc_fn reshape_fc;      /* FC faces */
  reshape_conv_fn reshape_conv;  /* conv faces */
  reshape_deconv_fn reshape_deconv;  /* deconvolution faces */
};

/* An f32 filter as rows of `columns` elements: the filter itself, or (transposed: the
 * filter is [columns][rows]) a transposed copy in *copy_out (NULL on out of memory). */
static const float* filter_rows(const float* filter, size_t rows, size_t columns,
    bool transposed, float** copy_out) {
  *copy_out = NULL;
  if (!transposed) return filter;
  float* copy = pqnn_allocate(rows * columns * sizeof(float));
  if (copy == NULL) return NULL;
  for (size_t r = 0; r < rows; r++) {
    for (size_t c = 0; c < columns; c++) copy[r * columns + c] = filter[c * rows + r];
  }
  *copy_out = copy;
  return copy;
}

/* Per-output-channel qc8w weights of an f32 filter, rows of `columns` elements (transposed:
 * the filter is [columns][rows] and is transposed first). */
static enum pqnn_status quantize_filter(const float* filter, size_t rows, size_t columns,
    bool transposed, int8_t** kernel_out, float** scale_out) {
  float* transposed_copy;
  filter = filter_rows(filter, rows, columns, transposed, &transposed_copy);
  if (filter == NULL) return pqnn_status_out_of_memory;
  *kernel_out = pqnn_allocate(rows * columns);
  *scale_out = pqnn_allocate(rows * sizeof(float));
  enum pqnn_status status = pqnn_status_out_of_memory;
  if (*kernel_out != NULL && *scale_out != NULL) {
    status = pqnn_quantize_weights_qc8w(rows, columns, filter, *kernel_out, *scale_out);
  }
  pqnn_release(transposed_copy);
  return status;
}

/* qc8w weights of a qd8 op: the filter's own (qcint8) or quantized from f32 (owned: *owned_*
 * to release after create). */
struct qc8w { const int8_t* kernel; const float* scale; int8_t* owned_kernel; float* owned_scale; };

static enum pqnn_status qc8w_weights(const struct pqnn_value* filter, size_t rows,
    size_t columns, bool transposed, struct qc8w* q) {
  *q = (struct qc8w) {.kernel = filter->data, .scale = filter->channel_scale};
  if (filter->datatype != pqnn_datatype_fp32) return pqnn_status_success;
  const enum pqnn_status status = quantize_filter(filter->data, rows, columns, transposed,
      &q->owned_kernel, &q->owned_scale);
  q->kernel = q->owned_kernel;
  q->scale = q->owned_scale;
  return status;
}

static void release_qc8w(struct qc8w* q) {
  pqnn_release(q->owned_kernel);
  pqnn_release(q->owned_scale);
}

static const void* bias_data(const struct pqnn_value* bias) {
  return bias != NULL ? bias->data : NULL;
}

/* ---- fully connected ---- */
#define FC_DIMS(filter, transposed) \
  const size_t ic = (filter)->shape.dim[(transposed) ? 0 : 1]; \
  const size_t oc = (filter)->shape.dim[(transposed) ? 1 : 0]
#define FC_FLAGS(op) ((op)->node.flags & PQNN_FLAG_TRANSPOSE_WEIGHTS)

static enum pqnn_status create_fc_f32(struct pqnn_rt_op* op, const struct pqnn_rt_tensor* x,
    const struct pqnn_rt_tensor* y, const struct pqnn_value* filter,
    const struct pqnn_value* bias) {
  (void) x, (void) y;
  FC_DIMS(filter, FC_FLAGS(op) != 0);
  return pqnn_create_fully_connected_nc_f32(ic, oc, ic, oc, filter->data, bias_data(bias),
      op->output_min, op->output_max, FC_FLAGS(op), &op->op);
}

static enum pqnn_status create_fc_f16(struct pqnn_rt_op* op, const struct pqnn_rt_tensor* x,
    const struct pqnn_rt_tensor* y, const struct pqnn_value* filter,
    const struct pqnn_value* bias) {
  (void) x, (void) y;
  FC_DIMS(filter, FC_FLAGS(op) != 0);
  uint32_t flags = FC_FLAGS(op);
  if (filter->datatype == pqnn_datatype_fp32) flags |= PQNN_FLAG_FP32_STATIC_WEIGHTS;
  return pqnn_create_fully_connected_nc_f16(ic, oc, ic, oc, filter->data, bias_data(bias),
      op->output_min, op->output_max, flags, &op->op);
}

static enum pqnn_status create_fc_qs8(struct pqnn_rt_op* op, const struct pqnn_rt_tensor* x,
    const struct pqnn_rt_tensor* y, const struct pqnn_value* filter,
    const struct pqnn_value* bias) {
  FC_DIMS(filter, FC_FLAGS(op) != 0);
  return pqnn_create_fully_connected_nc_qs8(ic, oc, ic, oc, (int8_t) x->zero_point, x->scale,
      filter->scale, filter->data, bias_data(bias), (int8_t) y->zero_point, y->scale,
      op->qmin, op->qmax, FC_FLAGS(op), &op->op);
}

static enum pqnn_status create_fc_qs8_qc8w(struct pqnn_rt_op* op,
    const struct pqnn_rt_tensor* x, const struct pqnn_rt_tensor* y,
    const struct pqnn_value* filter, const struct pqnn_value* bias) {
  FC_DIMS(filter, FC_FLAGS(op) != 0);
  return pqnn_create_fully_connected_nc_qs8_qc8w(ic, oc, ic, oc, (int8_t) x->zero_point,
      x->scale, filter->channel_scale, filter->data, bias_data(bias), (int8_t) y->zero_point,
      y->scale, op->qmin, op->qmax, FC_FLAGS(op), &op->op);
}

typedef enum pqnn_status (*create_fc_qd8_fn)(size_t, size_t, size_t, size_t, const float*,
    const int8_t*, const float*, float, float, uint32_t, pqnn_operator_t*);

static enum pqnn_status create_fc_qd8(struct pqnn_rt_op* op, const struct pqnn_value* filter,
    const struct pqnn_value* bias, create_fc_qd8_fn create) {
  const bool transposed = FC_FLAGS(op) != 0;
  FC_DIMS(filter, transposed);
  struct qc8w q;
  enum pqnn_status status = qc8w_weights(filter, oc, ic, transposed, &q);
  /* An f32 filter is quantized untransposed; a qcint8 one keeps the caller's layout. */
  const uint32_t flags = q.owned_kernel != NULL ? 0 : FC_FLAGS(op);
  if (status == pqnn_status_success) {
    status = create(ic, oc, ic, oc, q.scale, q.kernel, bias_data(bias), op->output_min,
        op->output_max, flags, &op->op);
  }
  release_qc8w(&q);
  return status;
}

static enum pqnn_status create_fc_qd8_f32(struct pqnn_rt_op* op,
    const struct pqnn_rt_tensor* x, const struct pqnn_rt_tensor* y,
    const struct pqnn_value* filter, const struct pqnn_value* bias) {
  (void) x, (void) y;
  return create_fc_qd8(op, filter, bias, pqnn_create_fully_connected_nc_qd8_f32_qc8w);
}

static enum pqnn_status create_fc_qd8_f16(struct pqnn_rt_op* op,
    const struct pqnn_rt_tensor* x, const struct pqnn_rt_tensor* y,
    const struct pqnn_value* filter, const struct pqnn_value* bias) {
  (void) x, (void) y;
  return create_fc_qd8(op, filter, bias, pqnn_create_fully_connected_nc_qd8_f16_qc8w);
}

/* 4-bit FC weights: a qbint4 filter's own, or an f32 filter quantized to qc4w (block 0) or
 * qb4w (the op's weight_block) at create. */
typedef enum pqnn_status (*create_fc_4bit_fn)(size_t, size_t, size_t, size_t, size_t,
    const float*, const uint8_t*, const float*, float, float, uint32_t, pqnn_operator_t*);

static enum pqnn_status create_fc_qd8_4bit(struct pqnn_rt_op* op,
    const struct pqnn_value* filter, const struct pqnn_value* bias, create_fc_4bit_fn create) {
  FC_DIMS(filter, FC_FLAGS(op) != 0);
  if (filter->datatype == pqnn_datatype_qbint4) {
    return create(ic, oc, ic, oc, filter->block_size, filter->channel_scale, filter->data,
        bias_data(bias), op->output_min, op->output_max, 0, &op->op);
  }
  const size_t block = op->weight_block;
  const size_t blocks = block == 0 ? 1 : pqnn_divide_round_up(ic, block);
  float* copy;
  const float* rows = filter_rows(filter->data, oc, ic, FC_FLAGS(op) != 0, &copy);
  uint8_t* kernel = pqnn_allocate(oc * ((ic + 1) / 2));
  float* scale = pqnn_allocate(oc * blocks * sizeof(float));
  enum pqnn_status status = pqnn_status_out_of_memory;
  if (rows != NULL && kernel != NULL && scale != NULL) {
    status = block == 0 ? pqnn_quantize_weights_qc4w(oc, ic, rows, kernel, scale)
                        : pqnn_quantize_weights_qb4w(oc, ic, block, rows, kernel, scale);
  }
  if (status == pqnn_status_success) {
    status = create(ic, oc, ic, oc, block, scale, kernel, bias_data(bias), op->output_min,
        op->output_max, 0, &op->op);
  }
  pqnn_release(copy);
  pqnn_release(kernel);
  pqnn_release(scale);
  return status;
}

/* qc4w through the qb4w signature (block_size 0 is qc4w, as the operators define it). */
#define QC4W_AS_BLOCKWISE(dt)                                                                  \
  static enum pqnn_status create_qd8_##dt##_qc4w(size_t ic, size_t oc, size_t is, size_t os,  \
      size_t block, const float* scale, const uint8_t* kernel, const float* bias, float lo,   \
      float hi, uint32_t flags, pqnn_operator_t* op) {                                        \
    (void) block;                                                                              \
    return pqnn_create_fully_connected_nc_qd8_##dt##_qc4w(ic, oc, is, os, scale, kernel,      \
        bias, lo, hi, flags, op);                                                              \
  }
QC4W_AS_BLOCKWISE(f32)
QC4W_AS_BLOCKWISE(f16)

#define CREATE_FC_4BIT(face, fn)                                                              \
  static enum pqnn_status create_fc_##face(struct pqnn_rt_op* op,                             \
      const struct pqnn_rt_tensor* x, const struct pqnn_rt_tensor* y,                         \
      const struct pqnn_value* filter, const struct pqnn_value* bias) {                       \
    (void) x, (void) y;                                                                        \
    return create_fc_qd8_4bit(op, filter, bias, fn);                                          \
  }
CREATE_FC_4BIT(qd8_f32_qc4w, create_qd8_f32_qc4w)
CREATE_FC_4BIT(qd8_f16_qc4w, create_qd8_f16_qc4w)
CREATE_FC_4BIT(qd8_f32_qb4w, pqnn_create_fully_connected_nc_qd8_f32_qb4w)
CREATE_FC_4BIT(qd8_f16_qb4w, pqnn_create_fully_connected_nc_qd8_f16_qb4w)

/* ---- convolution and depthwise convolution ---- */
#define GEOMETRY(p) (p)->pad_top, (p)->pad_right, (p)->pad_bottom, (p)->pad_left, \
    (p)->kernel_height, (p)->kernel_width, (p)->stride_height, (p)->stride_width, \
    (p)->dilation_height, (p)->dilation_width, (p)->groups, (p)->group_input_channels, \
    (p)->group_output_channels, (size_t) (p)->groups * (p)->group_input_channels, \
    (size_t) (p)->groups * (p)->group_output_channels

static uint32_t conv_flags(const struct pqnn_rt_op* op) {
  uint32_t flags = op->node.flags & (PQNN_FLAG_TENSORFLOW_SAME_PADDING | PQNN_FLAG_NO_WINOGRAD);
  if (op->node.type == pqnn_node_type_depthwise_convolution_2d) {
    flags |= PQNN_FLAG_DEPTHWISE_CONVOLUTION;
  }
  return flags;
}

static enum pqnn_status create_conv_f32(struct pqnn_rt_op* op, const struct pqnn_rt_tensor* x,
    const struct pqnn_rt_tensor* y, const struct pqnn_value* filter,
    const struct pqnn_value* bias) {
  (void) x, (void) y;
  return pqnn_create_convolution2d_nhwc_f32(GEOMETRY(&op->node.conv), filter->data,
      bias_data(bias), op->output_min, op->output_max, conv_flags(op), &op->op);
}

static enum pqnn_status create_conv_f16(struct pqnn_rt_op* op, const struct pqnn_rt_tensor* x,
    const struct pqnn_rt_tensor* y, const struct pqnn_value* filter,
    const struct pqnn_value* bias) {
  (void) x, (void) y;
  uint32_t flags = conv_flags(op);
  if (filter->datatype == pqnn_datatype_fp32) flags |= PQNN_FLAG_FP32_STATIC_WEIGHTS;
  return pqnn_create_convolution2d_nhwc_f16(GEOMETRY(&op->node.conv), filter->data,
      bias_data(bias), op->output_min, op->output_max, flags, &op->op);
}

static enum pqnn_status create_conv_qs8(struct pqnn_rt_op* op, const struct pqnn_rt_tensor* x,
    const struct pqnn_rt_tensor* y, const struct pqnn_value* filter,
    const struct pqnn_value* bias) {
  return pqnn_create_convolution2d_nhwc_qs8(GEOMETRY(&op->node.conv), (int8_t) x->zero_point,
      x->scale, filter->scale, filter->data, bias_data(bias), (int8_t) y->zero_point,
      y->scale, op->qmin, op->qmax, conv_flags(op), &op->op);
}

static enum pqnn_status create_conv_qs8_qc8w(struct pqnn_rt_op* op,
    const struct pqnn_rt_tensor* x, const struct pqnn_rt_tensor* y,
    const struct pqnn_value* filter, const struct pqnn_value* bias) {
  return pqnn_create_convolution2d_nhwc_qs8_qc8w(GEOMETRY(&op->node.conv),
      (int8_t) x->zero_point, x->scale, filter->channel_scale, filter->data, bias_data(bias),
      (int8_t) y->zero_point, y->scale, op->qmin, op->qmax, conv_flags(op), &op->op);
}

typedef enum pqnn_status (*create_conv_qd8_fn)(uint32_t, uint32_t, uint32_t, uint32_t,
    uint32_t, uint32_t, uint32_t, uint32_t, uint32_t, uint32_t, uint32_t, size_t, size_t,
    size_t, size_t, const float*, const int8_t*, const float*, float, float, uint32_t,
    pqnn_operator_t*);

static enum pqnn_status create_conv_qd8(struct pqnn_rt_op* op, const struct pqnn_value* filter,
    const struct pqnn_value* bias, create_conv_qd8_fn create) {
  const struct pqnn_conv_params* p = &op->node.conv;
  const size_t columns = (size_t) p->kernel_height * p->kernel_width * p->group_input_channels;
  /* A depthwise f32 filter is [kh][kw][channels]: quantized per channel as the transposed
   * [channels][kh * kw] rows, which is the operator's default (non-depthwise) layout. */
  const bool depthwise = op->node.type == pqnn_node_type_depthwise_convolution_2d;
  struct qc8w q;
  enum pqnn_status status = qc8w_weights(filter,
      (size_t) p->groups * p->group_output_channels, columns, depthwise, &q);
  if (status == pqnn_status_success) {
    const uint32_t flags = depthwise && q.owned_kernel != NULL
        ? conv_flags(op) & ~(uint32_t) PQNN_FLAG_DEPTHWISE_CONVOLUTION : conv_flags(op);
    status = create(GEOMETRY(p), q.scale, q.kernel, bias_data(bias), op->output_min,
        op->output_max, flags, &op->op);
  }
  release_qc8w(&q);
  return status;
}

static enum pqnn_status create_conv_qd8_f32(struct pqnn_rt_op* op,
    const struct pqnn_rt_tensor* x, const struct pqnn_rt_tensor* y,
    const struct pqnn_value* filter, const struct pqnn_value* bias) {
  (void) x, (void) y;
  return create_conv_qd8(op, filter, bias, pqnn_create_convolution2d_nhwc_qd8_f32_qc8w);
}

/* A qd8 1x1 convolution quantized per pixel (op->qd8_pixel_rows): a fully connected
 * operator over the pixels, its [oc][1][1][ic] filter the FC's [oc][ic]. */
static enum pqnn_status create_pointwise_qd8_f32(struct pqnn_rt_op* op,
    const struct pqnn_rt_tensor* x, const struct pqnn_rt_tensor* y,
    const struct pqnn_value* filter, const struct pqnn_value* bias) {
  (void) x, (void) y;
  const struct pqnn_conv_params* p = &op->node.conv;
  const size_t ic = p->group_input_channels, oc = p->group_output_channels;
  struct qc8w q;
  enum pqnn_status status = qc8w_weights(filter, oc, ic, false, &q);
  if (status == pqnn_status_success) {
    status = pqnn_create_fully_connected_nc_qd8_f32_qc8w(ic, oc, ic, oc, q.scale, q.kernel,
        bias_data(bias), op->output_min, op->output_max, 0, &op->op);
  }
  release_qc8w(&q);
  return status;
}

static enum pqnn_status create_conv_qd8_f16(struct pqnn_rt_op* op,
    const struct pqnn_rt_tensor* x, const struct pqnn_rt_tensor* y,
    const struct pqnn_value* filter, const struct pqnn_value* bias) {
  (void) x, (void) y;
  return create_conv_qd8(op, filter, bias, pqnn_create_convolution2d_nhwc_qd8_f16_qc8w);
}

/* ---- deconvolution (filter [groups * goc][kh][kw][gic], as the operator takes it) ---- */
#define DECONV_GEOMETRY(p) (p)->pad_top, (p)->pad_right, (p)->pad_bottom, (p)->pad_left, \
    (p)->kernel_height, (p)->kernel_width, (p)->stride_height, (p)->stride_width, \
    (p)->dilation_height, (p)->dilation_width, (p)->groups, (p)->group_input_channels, \
    (p)->group_output_channels, (size_t) (p)->groups * (p)->group_input_channels, \
    (size_t) (p)->groups * (p)->group_output_channels

static enum pqnn_status create_deconv_f32(struct pqnn_rt_op* op,
    const struct pqnn_rt_tensor* x, const struct pqnn_rt_tensor* y,
    const struct pqnn_value* filter, const struct pqnn_value* bias) {
  (void) x, (void) y;
  return pqnn_create_deconvolution2d_nhwc_f32(DECONV_GEOMETRY(&op->node.conv), filter->data,
      bias_data(bias), op->output_min, op->output_max, 0, &op->op);
}

static enum pqnn_status create_deconv_f16(struct pqnn_rt_op* op,
    const struct pqnn_rt_tensor* x, const struct pqnn_rt_tensor* y,
    const struct pqnn_value* filter, const struct pqnn_value* bias) {
  (void) x, (void) y;
  const uint32_t flags = filter->datatype == pqnn_datatype_fp32 ? PQNN_FLAG_FP32_STATIC_WEIGHTS : 0;
  return pqnn_create_deconvolution2d_nhwc_f16(DECONV_GEOMETRY(&op->node.conv), filter->data,
      bias_data(bias), op->output_min, op->output_max, flags, &op->op);
}

static enum pqnn_status create_deconv_qd8(struct pqnn_rt_op* op,
    const struct pqnn_value* filter, const struct pqnn_value* bias, create_conv_qd8_fn create) {
  const struct pqnn_conv_params* p = &op->node.conv;
  struct qc8w q;
  enum pqnn_status status = qc8w_weights(filter, (size_t) p->groups * p->group_output_channels,
      (size_t) p->kernel_height * p->kernel_width * p->group_input_channels, false, &q);
  if (status == pqnn_status_success) {
    status = create(DECONV_GEOMETRY(p), q.scale, q.kernel, bias_data(bias), op->output_min,
        op->output_max, 0, &op->op);
  }
  release_qc8w(&q);
  return status;
}

static enum pqnn_status create_deconv_qd8_f32(struct pqnn_rt_op* op,
    const struct pqnn_rt_tensor* x, const struct pqnn_rt_tensor* y,
    const struct pqnn_value* filter, const struct pqnn_value* bias) {
  (void) x, (void) y;
  return create_deconv_qd8(op, filter, bias, pqnn_create_deconvolution2d_nhwc_qd8_f32_qc8w);
}

static enum pqnn_status create_deconv_qd8_f16(struct pqnn_rt_op* op,
    const struct pqnn_rt_tensor* x, const struct pqnn_rt_tensor* y,
    const struct pqnn_value* filter, const struct pqnn_value* bias) {
  (void) x, (void) y;
  return create_deconv_qd8(op, filter, bias, pqnn_create_deconvolution2d_nhwc_qd8_f16_qc8w);
}

/* ---- executors: reshape, setup and run of each face ---- */
/* A fused residual (inputs[1]) must keep the output's shape: the add it replaces would
 * broadcast otherwise. */
static enum pqnn_status check_residual_shape(const struct pqnn_runtime* rt,
    const struct pqnn_rt_op* op) {
  if (op->scaled.fused) return pqnn_status_success;  /* checked by pqnn_rt_reshape_scaled */
  if (op->num_inputs < 2 ||
      pqnn_shape_equal(&rt->tensors[op->inputs[1]].shape, &rt->tensors[op->output].shape)) {
    return pqnn_status_success;
  }
  PQNN_LOG_ERROR("the residual fused into a %s node no longer has its output's shape",
      pqnn_node_type_string(op->node.type));
  return pqnn_status_invalid_parameter;
}

static enum pqnn_status reshape_fc(struct pqnn_runtime* rt, struct pqnn_rt_op* op) {
  const struct pqnn_shape* x = &rt->tensors[op->inputs[0]].shape;
  const size_t batch = pqnn_shape_elements(x) / x->dim[x->num_dims - 1];
  enum pqnn_status status = check_residual_shape(rt, op);
  if (status == pqnn_status_success) status = pqnn_rt_reshape_scaled(rt, op);
  if (status != pqnn_status_success) return status;
  return op->gemm->reshape_fc(op->op, batch, rt->threadpool);
}

static enum pqnn_status reshape_conv(struct pqnn_runtime* rt, struct pqnn_rt_op* op) {
  const struct pqnn_shape* x = &rt->tensors[op->inputs[0]].shape;
  const struct pqnn_shape* y = &rt->tensors[op->output].shape;
  size_t oh = 0, ow = 0;
  enum pqnn_status status = check_residual_shape(rt, op);
  if (status == pqnn_status_success) status = pqnn_rt_reshape_scaled(rt, op);
  if (status != pqnn_status_success) return status;
  /* A multiply stepped in the input transform (runtime-pass-scaled-input.c) */
  if (op->scaled_input.fused) pqnn_reserve_winograd_stepped_rows(op->op);
  status = op->gemm->reshape_conv(op->op, x->dim[0], x->dim[1], x->dim[2], &oh, &ow,
      rt->threadpool);
  if (status == pqnn_status_success && (oh != y->dim[1] || ow != y->dim[2])) {
    PQNN_LOG_ERROR("operator output %zux%zu differs from the planned %zux%zu", oh, ow,
        y->dim[1], y->dim[2]);
    return pqnn_status_invalid_state;
  }
  return status;
}

static enum pqnn_status reshape_deconv(struct pqnn_runtime* rt, struct pqnn_rt_op* op) {
  const struct pqnn_shape* x = &rt->tensors[op->inputs[0]].shape;
  const struct pqnn_shape* y = &rt->tensors[op->output].shape;
  size_t oh = 0, ow = 0;
  const enum pqnn_status status = op->gemm->reshape_deconv(op->op,
      x->dim[0], x->dim[1], x->dim[2], op->node.compute.adjustment_height,
      op->node.compute.adjustment_width, &oh, &ow, rt->threadpool);
  if (status == pqnn_status_success && (oh != y->dim[1] || ow != y->dim[2])) {
    PQNN_LOG_ERROR("operator output %zux%zu differs from the planned %zux%zu", oh, ow,
        y->dim[1], y->dim[2]);
    return pqnn_status_invalid_state;
  }
  return status;
}

#define X_DATA(rt, op) ((rt)->tensors[(op)->inputs[0]].data)
#define Y_DATA(rt, op) ((rt)->tensors[(op)->output].data)
#define QD8_PARAMS(rt, op) ((const struct pqnn_quantization_params*) \
    ((const char*) X_DATA(rt, op) + (rt)->tensors[(op)->inputs[0]].params_offset))
#define SETUP(name, fn, xtype, ytype) \
  static enum pqnn_status name(struct pqnn_runtime* rt, struct pqnn_rt_op* op) { \
    return fn(op->op, (const xtype*) X_DATA(rt, op), (ytype*) Y_DATA(rt, op)); \
  }
#define SETUP_QD8(name, fn, ytype) \
  static enum pqnn_status name(struct pqnn_runtime* rt, struct pqnn_rt_op* op) { \
    return fn(op->op, (const int8_t*) X_DATA(rt, op), (ytype*) Y_DATA(rt, op), \
        QD8_PARAMS(rt, op)); \
  }
SETUP(setup_fc_f32, pqnn_setup_fully_connected_nc_f32, float, float)
SETUP(setup_fc_f16, pqnn_setup_fully_connected_nc_f16, void, void)
SETUP(setup_fc_qs8, pqnn_setup_fully_connected_nc_qs8, int8_t, int8_t)
SETUP(setup_fc_qs8_qc8w, pqnn_setup_fully_connected_nc_qs8_qc8w, int8_t, int8_t)
SETUP_QD8(setup_fc_qd8_f32, pqnn_setup_fully_connected_nc_qd8_f32_qc8w, float)
SETUP_QD8(setup_fc_qd8_f16, pqnn_setup_fully_connected_nc_qd8_f16_qc8w, void)
SETUP_QD8(setup_fc_qd8_f32_qc4w, pqnn_setup_fully_connected_nc_qd8_f32_qc4w, float)
SETUP_QD8(setup_fc_qd8_f16_qc4w, pqnn_setup_fully_connected_nc_qd8_f16_qc4w, void)
SETUP_QD8(setup_fc_qd8_f32_qb4w, pqnn_setup_fully_connected_nc_qd8_f32_qb4w, float)
SETUP_QD8(setup_fc_qd8_f16_qb4w, pqnn_setup_fully_connected_nc_qd8_f16_qb4w, void)
SETUP(setup_conv_f32, pqnn_setup_convolution2d_nhwc_f32, float, float)
SETUP(setup_conv_f16, pqnn_setup_convolution2d_nhwc_f16, void, void)
SETUP(setup_conv_qs8, pqnn_setup_convolution2d_nhwc_qs8, int8_t, int8_t)
SETUP(setup_conv_qs8_qc8w, pqnn_setup_convolution2d_nhwc_qs8_qc8w, int8_t, int8_t)
SETUP_QD8(setup_conv_qd8_f32, pqnn_setup_convolution2d_nhwc_qd8_f32_qc8w, float)
SETUP_QD8(setup_conv_qd8_f16, pqnn_setup_convolution2d_nhwc_qd8_f16_qc8w, void)
SETUP(setup_deconv_f32, pqnn_setup_deconvolution2d_nhwc_f32, float, float)
SETUP(setup_deconv_f16, pqnn_setup_deconvolution2d_nhwc_f16, void, void)
SETUP_QD8(setup_deconv_qd8_f32, pqnn_setup_deconvolution2d_nhwc_qd8_f32_qc8w, float)
SETUP_QD8(setup_deconv_qd8_f16, pqnn_setup_deconvolution2d_nhwc_qd8_f16_qc8w, void)

/* The face's setup (a concatenation read part by part: runtime-pass-concat-input.c; a
 * multiply stepped in the input transform: runtime-pass-scaled-input.c), then
 * a fused residual (inputs[1]: the output's shape, so its pixel
 * stride is the output channels) with the add's bounds. */
static enum pqnn_status setup_gemm(struct pqnn_runtime* rt, struct pqnn_rt_op* op) {
  const enum pqnn_status status = op->concat_input.fused ? pqnn_rt_setup_concat_input(rt, op)
      : op->scaled_input.fused ? pqnn_rt_setup_scaled_input(rt, op) : op->gemm->setup(rt, op);
  if (status != pqnn_status_success) return status;
  if (op->scaled.fused) return pqnn_rt_setup_scaled(rt, op);  /* its inputs are no residual */
  if (op->num_inputs < 2) return status;
  const struct pqnn_shape* y = &rt->tensors[op->output].shape;
  return pqnn_setup_residual_add(op->op, rt->tensors[op->inputs[1]].data,
      y->dim[y->num_dims - 1], op->residual_min, op->residual_max);
}

#define FC_FACE(face, suffix) [pqnn_gemm_face_##face] = \
    {{reshape_fc, setup_gemm, pqnn_rt_run_operator}, #face, create_fc_##face, \
     setup_fc_##face, pqnn_reshape_fully_connected_nc_##suffix, NULL, NULL}
#define CONV_FACE(face, suffix) [pqnn_gemm_face_##face] = \
    {{reshape_conv, setup_gemm, pqnn_rt_run_operator}, #face, create_conv_##face, \
     setup_conv_##face, NULL, pqnn_reshape_convolution2d_nhwc_##suffix, NULL}
#define DECONV_FACE(face, suffix) [pqnn_gemm_face_##face] = \
    {{reshape_deconv, setup_gemm, pqnn_rt_run_operator}, #face, create_deconv_##face, \
     setup_deconv_##face, NULL, NULL, pqnn_reshape_deconvolution2d_nhwc_##suffix}

static const struct pqnn_rt_gemm_face kFullyConnected[pqnn_gemm_face_count] = {
  FC_FACE(f32, f32), FC_FACE(f16, f16), FC_FACE(qs8, qs8),
  FC_FACE(qs8_qc8w, qs8_qc8w), FC_FACE(qd8_f32, qd8_f32_qc8w),
  FC_FACE(qd8_f16, qd8_f16_qc8w), FC_FACE(qd8_f32_qc4w, qd8_f32_qc4w),
  FC_FACE(qd8_f16_qc4w, qd8_f16_qc4w), FC_FACE(qd8_f32_qb4w, qd8_f32_qb4w),
  FC_FACE(qd8_f16_qb4w, qd8_f16_qb4w),
};
static const struct pqnn_rt_gemm_face kConvolution[pqnn_gemm_face_count] = {
  CONV_FACE(f32, f32), CONV_FACE(f16, f16), CONV_FACE(qs8, qs8), CONV_FACE(qs8_qc8w, qs8_qc8w),
  CONV_FACE(qd8_f32, qd8_f32_qc8w), CONV_FACE(qd8_f16, qd8_f16_qc8w),
};
/* A qd8 1x1 convolution quantized per pixel: the FC executor over the pixels. */
static const struct pqnn_rt_gemm_face kPointwiseQd8F32 = {
  {reshape_fc, setup_gemm, pqnn_rt_run_operator}, "qd8_f32 (per pixel)",
  create_pointwise_qd8_f32, setup_fc_qd8_f32, pqnn_reshape_fully_connected_nc_qd8_f32_qc8w,
  NULL, NULL};
static const struct pqnn_rt_gemm_face kDeconvolution[pqnn_gemm_face_count] = {
  DECONV_FACE(f32, f32), DECONV_FACE(f16, f16), DECONV_FACE(qd8_f32, qd8_f32_qc8w),
  DECONV_FACE(qd8_f16, qd8_f16_qc8w),
};

enum pqnn_status pqnn_rt_plan_gemm(struct pqnn_runtime* rt, struct pqnn_rt_op* op,
    const struct pqnn_value* filter, const struct pqnn_value* bias) {
  const struct pqnn_rt_tensor* x = &rt->tensors[op->inputs[0]];
  const struct pqnn_rt_tensor* y = &rt->tensors[op->output];
  const struct pqnn_gemm_combination* c = pqnn_find_gemm_combination(op->node.type,
      x->datatype, filter->datatype, bias != NULL ? bias->datatype : pqnn_datatype_invalid,
      y->datatype, false);
  if (c == NULL || c->face == pqnn_gemm_face_none) {
    PQNN_LOG_ERROR("no operator runs a %s node with input %s, filter %s, output %s",
        pqnn_node_type_string(op->node.type), pqnn_datatype_string(x->datatype),
        pqnn_datatype_string(filter->datatype), pqnn_datatype_string(y->datatype));
    return pqnn_status_unsupported_parameter;
  }
  enum pqnn_gemm_face face = c->face;
  /* An f32 FC filter DRQ quantizes to 4 bits (runtime option): the 4-bit face. */
  if (op->info.qd8_decision == pqnn_qd8_decision_quantized_qc4w) {
    face = face == pqnn_gemm_face_qd8_f16 ? pqnn_gemm_face_qd8_f16_qc4w
                                          : pqnn_gemm_face_qd8_f32_qc4w;
  } else if (op->info.qd8_decision == pqnn_qd8_decision_quantized_qb4w) {
    face = face == pqnn_gemm_face_qd8_f16 ? pqnn_gemm_face_qd8_f16_qb4w
                                          : pqnn_gemm_face_qd8_f32_qb4w;
  }
  op->gemm = op->node.type == pqnn_node_type_fully_connected ? &kFullyConnected[face]
      : op->node.type == pqnn_node_type_deconvolution_2d ? &kDeconvolution[face]
      : op->qd8_pixel_rows && face == pqnn_gemm_face_qd8_f32 ? &kPointwiseQd8F32
                                                              : &kConvolution[face];
  op->exec = &op->gemm->exec;
  if (y->datatype == pqnn_datatype_qint8) {
    pqnn_rt_quantize_bounds(y, op->output_min, op->output_max, &op->qmin, &op->qmax);
  }
  enum pqnn_status status = op->gemm->create(op, x, y, filter, bias);
  if (status != pqnn_status_success) {
    PQNN_LOG_ERROR("creating the %s operator of a %s node failed: %s", op->gemm->name,
        pqnn_node_type_string(op->node.type), pqnn_status_string(status));
    return status;
  }
  /* A fused activation (runtime-pass-activation.c) stays with the operator. */
  struct pqnn_f32_elementwise_params params;
  const pqnn_vunary_ukernel_fn activation = pqnn_rt_activation_kernel(op, &params);
  if (activation != NULL) {
    status = pqnn_set_output_activation(op->op, activation, &params, !op->activation.after_add);
  }
  return status;
}

enum pqnn_status pqnn_rt_plan_affine(struct pqnn_runtime* rt, struct pqnn_rt_op* op,
    const struct pqnn_value* filter, const struct pqnn_value* bias) {
  const struct pqnn_rt_tensor* x = &rt->tensors[op->affine.input];
  const struct pqnn_rt_tensor* y = &rt->tensors[op->output];
  const struct pqnn_gemm_combination* c = pqnn_find_gemm_combination(op->affine.node.type,
      x->datatype, filter->datatype, bias != NULL ? bias->datatype : pqnn_datatype_invalid,
      y->datatype, false);
  if (c == NULL || (c->face != pqnn_gemm_face_f32 && c->face != pqnn_gemm_face_f16)) {
    PQNN_LOG_ERROR("no float depthwise operator runs a fused affine with input %s, filter %s",
        pqnn_datatype_string(x->datatype), pqnn_datatype_string(filter->datatype));
    return pqnn_status_unsupported_parameter;
  }
  /* The node as the unfused plan would have it, through the same create. */
  struct pqnn_rt_op node = {
    .node = op->affine.node,
    .output_min = op->affine.node.output_min,
    .output_max = op->affine.node.output_max,
  };
  enum pqnn_status status = kConvolution[c->face].create(&node, x, y, filter, bias);
  if (status != pqnn_status_success) {
    PQNN_LOG_ERROR("creating the %s operator of a fused affine failed: %s",
        kConvolution[c->face].name, pqnn_status_string(status));
    return status;
  }
  op->affine_op = node.op;
  return pqnn_set_output_affine(op->op, op->affine_op);
}
