/* Conversion ops. f32 <-> f16 and f32/f16 -> qd8 run through the convert_nc operators (one
 * row per last-dim run, or per image for a qd8 tensor read by a convolution: the qd8
 * convolution takes one params entry per image); a convert operator is created at reshape
 * for its channel count and recreated when a reshape changes it. An f32 -> qd8 convert per
 * image may take its ranges from its input's writer (runtime-output-range.c). f32 <-> qs8
 * run through the node kernels. The executor is chosen at planning from the two datatypes. */
#include "logging.h"
#include "operators/band-rows.h"
#include "runtime/runtime-executors.h"
#include "runtime/runtime-shared.h"

typedef enum pqnn_status (*create_convert_fn)(size_t channels, size_t input_stride,
    size_t output_stride, uint32_t flags, pqnn_operator_t* op_out);
typedef enum pqnn_status (*reshape_convert_fn)(pqnn_operator_t op, size_t batch,
    pthreadpool_t tp);

struct pqnn_rt_convert_face {
  struct pqnn_rt_executor exec;
  enum pqnn_datatype input, output;
  create_convert_fn create;
  reshape_convert_fn reshape;
};

static enum pqnn_status create_operator(struct pqnn_rt_op* op, size_t channels) {
  if (op->op != NULL && op->op_channels == channels) return pqnn_status_success;
  pqnn_delete_operator(op->op);
  op->op = NULL;
  op->op_channels = 0;
  const enum pqnn_status status = op->convert->create(channels, channels, channels, 0, &op->op);
  if (status == pqnn_status_success) op->op_channels = channels;
  return status;
}

static enum pqnn_status reshape_operator(struct pqnn_runtime* rt, struct pqnn_rt_op* op) {
  const struct pqnn_rt_tensor* x = &rt->tensors[op->inputs[0]];
  struct pqnn_rt_tensor* y = &rt->tensors[op->output];
  const size_t elements = pqnn_shape_elements(&x->shape);
  size_t channels = x->shape.num_dims == 0 ? 1 : x->shape.dim[x->shape.num_dims - 1];
  size_t row_pixels = 1;  /* params entries per quantized row */
  if (y->datatype == pqnn_datatype_qdint8 && y->qd8_per_image && x->shape.num_dims != 0) {
    channels = elements / x->shape.dim[0];
  } else if (y->datatype == pqnn_datatype_qdint8 && y->qd8_per_image_row &&
      x->shape.num_dims == 4) {
    row_pixels = x->shape.dim[2];
    channels *= row_pixels;
  }
  if (channels == 0) {
    PQNN_LOG_ERROR("convert of an empty tensor");
    return pqnn_status_invalid_parameter;
  }
  const size_t rows = elements / channels;
  y->quantization_rows = rows * row_pixels;
  op->row_pixels = row_pixels;
  enum pqnn_status status = create_operator(op, channels);
  if (status != pqnn_status_success) return status;
  status = op->convert->reshape(op->op, rows, rt->threadpool);
  if (status != pqnn_status_success) return status;
  return pqnn_rt_reshape_output_range(rt, op);
}

static enum pqnn_status setup_f32_f16(struct pqnn_runtime* rt, struct pqnn_rt_op* op) {
  return pqnn_setup_convert_nc_f32_f16(op->op, rt->tensors[op->inputs[0]].data,
      rt->tensors[op->output].data);
}

static enum pqnn_status setup_f16_f32(struct pqnn_runtime* rt, struct pqnn_rt_op* op) {
  return pqnn_setup_convert_nc_f16_f32(op->op, rt->tensors[op->inputs[0]].data,
      rt->tensors[op->output].data);
}

static struct pqnn_quantization_params* qd8_params(const struct pqnn_rt_tensor* y) {
  return (struct pqnn_quantization_params*) ((char*) y->data + y->params_offset);
}

static enum pqnn_status setup_f32_qd8(struct pqnn_runtime* rt, struct pqnn_rt_op* op) {
  const struct pqnn_rt_tensor* y = &rt->tensors[op->output];
  return pqnn_setup_convert_nc_f32_qd8(op->op, rt->tensors[op->inputs[0]].data, y->data,
      qd8_params(y));
}

static enum pqnn_status setup_f16_qd8(struct pqnn_runtime* rt, struct pqnn_rt_op* op) {
  const struct pqnn_rt_tensor* y = &rt->tensors[op->output];
  return pqnn_setup_convert_nc_f16_qd8(op->op, rt->tensors[op->inputs[0]].data, y->data,
      qd8_params(y));
}

/* f32 <-> qs8 through the node kernels. */
static enum pqnn_status reshape_elementwise(struct pqnn_runtime* rt, struct pqnn_rt_op* op) {
  op->range = pqnn_shape_elements(&rt->tensors[op->inputs[0]].shape);
  op->min_tile = 4096;
  return pqnn_status_success;
}

static void quantize_body(struct pqnn_runtime* rt, struct pqnn_rt_op* op, size_t start,
    size_t end) {
  const struct pqnn_rt_tensor* x = &rt->tensors[op->inputs[0]];
  const struct pqnn_rt_tensor* y = &rt->tensors[op->output];
  pqnn_node_f32_qs8_quantize(end - start, (const float*) x->data + start,
      (int8_t*) y->data + start, y->zero_point, y->scale);
}

static void dequantize_body(struct pqnn_runtime* rt, struct pqnn_rt_op* op, size_t start,
    size_t end) {
  const struct pqnn_rt_tensor* x = &rt->tensors[op->inputs[0]];
  const struct pqnn_rt_tensor* y = &rt->tensors[op->output];
  pqnn_node_qs8_f32_dequantize(end - start, (const int8_t*) x->data + start,
      (float*) y->data + start, x->zero_point, x->scale);
}

/* A tensor quantized per image row (its reader takes params per pixel): each row's params
 * entry repeated for its pixels. */
static enum pqnn_status run_qd8(struct pqnn_runtime* rt, struct pqnn_rt_op* op) {
  if (pqnn_rt_run_output_range(rt, op)) return pqnn_status_success;
  const enum pqnn_status status = pqnn_rt_run_operator(rt, op);
  const struct pqnn_rt_tensor* y = &rt->tensors[op->output];
  if (status == pqnn_status_success && op->row_pixels > 1) {
    pqnn_repeat_row_params(qd8_params(y), y->quantization_rows / op->row_pixels,
        op->row_pixels);
  }
  return status;
}

#define OPERATOR_FACE(x, y, xt, yt, run) \
  {{reshape_operator, setup_##x##_##y, run}, pqnn_datatype_##xt, \
   pqnn_datatype_##yt, pqnn_create_convert_nc_##x##_##y, pqnn_reshape_convert_nc_##x##_##y}

static const struct pqnn_rt_convert_face kOperatorConverts[] = {
  OPERATOR_FACE(f32, f16, fp32, fp16, pqnn_rt_run_operator),
  OPERATOR_FACE(f16, f32, fp16, fp32, pqnn_rt_run_operator),
  OPERATOR_FACE(f32, qd8, fp32, qdint8, run_qd8),
  OPERATOR_FACE(f16, qd8, fp16, qdint8, run_qd8),
};
static const struct pqnn_rt_executor kElementwise = {reshape_elementwise, NULL,
    pqnn_rt_run_parallel};

enum pqnn_status pqnn_rt_plan_convert(struct pqnn_runtime* rt, struct pqnn_rt_op* op) {
  const enum pqnn_datatype x = rt->tensors[op->inputs[0]].datatype;
  const enum pqnn_datatype y = rt->tensors[op->output].datatype;
  for (size_t i = 0; i < sizeof(kOperatorConverts) / sizeof(kOperatorConverts[0]); i++) {
    if (kOperatorConverts[i].input == x && kOperatorConverts[i].output == y) {
      op->convert = &kOperatorConverts[i];
      op->exec = &kOperatorConverts[i].exec;
      return pqnn_status_success;
    }
  }
  if (x == pqnn_datatype_fp32 && y == pqnn_datatype_qint8) {
    op->body = quantize_body;
  } else if (x == pqnn_datatype_qint8 && y == pqnn_datatype_fp32) {
    op->body = dequantize_body;
  } else {
    PQNN_LOG_ERROR("no conversion from %s to %s", pqnn_datatype_string(x),
        pqnn_datatype_string(y));
    return pqnn_status_unsupported_parameter;
  }
  op->exec = &kElementwise;
  return pqnn_status_success;
}
