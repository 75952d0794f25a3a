/* Conversion ops: f32 <-> f16 and f32/f16 -> qd8 through the convert_nc operators (one
 * row per last-dim run, or per image for a qd8 tensor read by a convolution: the qd8
 * convolution takes one params entry per image), f32 <-> qs8 through the node kernels. A
 * convert operator is created at reshape for its channel count and recreated when a reshape
 * changes it. */
#include "allocator.h"
#include "logging.h"
#include "runtime/runtime.h"

static enum pqnn_status create_operator(struct pqnn_rt_op* op, size_t channels) {
  if (op->op != NULL && op->op_channels == channels) return pqnn_status_success;
  pqnn_delete_operator(op->op);
  op->op = NULL;
  op->op_channels = 0;
  enum pqnn_status status;
  switch (op->impl) {
    case pqnn_rt_convert_f32_f16:
      status = pqnn_create_convert_nc_f32_f16(channels, channels, channels, 0, &op->op);
      break;
    case pqnn_rt_convert_f16_f32:
      status = pqnn_create_convert_nc_f16_f32(channels, channels, channels, 0, &op->op);
      break;
    case pqnn_rt_convert_f32_qd8:
      status = pqnn_create_convert_nc_f32_qd8(channels, channels, channels, 0, &op->op);
      break;
    default:
      status = pqnn_create_convert_nc_f16_qd8(channels, channels, channels, 0, &op->op);
      break;
  }
  if (status == pqnn_status_success) op->op_channels = channels;
  return status;
}

enum pqnn_status pqnn_rt_reshape_convert(struct pqnn_runtime* rt, struct pqnn_rt_op* op) {
  struct pqnn_rt_tensor* x = &rt->tensors[op->inputs[0]];
  struct pqnn_rt_tensor* y = &rt->tensors[op->output];
  const size_t elements = pqnn_shape_elements(&x->shape);
  op->range = elements;
  if (!pqnn_rt_is_convert_operator(op->impl)) return pqnn_status_success;
  size_t channels = x->shape.num_dims == 0 ? 1 : x->shape.dim[x->shape.num_dims - 1];
  if (y->datatype == pqnn_datatype_qdint8 && y->qd8_per_image) {
    channels = elements / x->shape.dim[0];
  }
  const size_t rows = elements / channels;
  y->quantization_rows = rows;
  enum pqnn_status status = create_operator(op, channels);
  if (status != pqnn_status_success) return status;
  switch (op->impl) {
    case pqnn_rt_convert_f32_f16:
      return pqnn_reshape_convert_nc_f32_f16(op->op, rows, rt->threadpool);
    case pqnn_rt_convert_f16_f32:
      return pqnn_reshape_convert_nc_f16_f32(op->op, rows, rt->threadpool);
    case pqnn_rt_convert_f32_qd8:
      return pqnn_reshape_convert_nc_f32_qd8(op->op, rows, rt->threadpool);
    default:
      return pqnn_reshape_convert_nc_f16_qd8(op->op, rows, rt->threadpool);
  }
}

enum pqnn_status pqnn_rt_setup_convert(struct pqnn_runtime* rt, struct pqnn_rt_op* op) {
  const void* x = rt->tensors[op->inputs[0]].data;
  struct pqnn_rt_tensor* y = &rt->tensors[op->output];
  struct pqnn_quantization_params* params =
      (struct pqnn_quantization_params*) ((char*) y->data + y->params_offset);
  switch (op->impl) {
    case pqnn_rt_convert_f32_f16: return pqnn_setup_convert_nc_f32_f16(op->op, x, y->data);
    case pqnn_rt_convert_f16_f32: return pqnn_setup_convert_nc_f16_f32(op->op, x, y->data);
    case pqnn_rt_convert_f32_qd8: return pqnn_setup_convert_nc_f32_qd8(op->op, x, y->data, params);
    case pqnn_rt_convert_f16_qd8: return pqnn_setup_convert_nc_f16_qd8(op->op, x, y->data, params);
    default: return pqnn_status_success;  /* node kernels read the pointers at run */
  }
}

static void quantize_body(struct pqnn_runtime* rt, struct pqnn_rt_op* op, size_t start,
    size_t end) {
  const struct pqnn_rt_tensor* x = &rt->tensors[op->inputs[0]];
  const struct pqnn_rt_tensor* y = &rt->tensors[op->output];
  if (op->impl == pqnn_rt_convert_f32_qs8) {
    pqnn_node_f32_qs8_quantize(end - start, (const float*) x->data + start,
        (int8_t*) y->data + start, y->zero_point, y->scale);
  } else {
    pqnn_node_qs8_f32_dequantize(end - start, (const int8_t*) x->data + start,
        (float*) y->data + start, x->zero_point, x->scale);
  }
}

void pqnn_rt_run_convert(struct pqnn_runtime* rt, struct pqnn_rt_op* op) {
  pqnn_rt_parallelize(rt, op, quantize_body, op->range, 4096);
}
