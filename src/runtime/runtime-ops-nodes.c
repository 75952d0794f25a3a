/* Ops that run the internal node kernels (runtime/node-kernels.h): add2 with broadcasting,
 * clamp, GELU, global average pooling, max pooling, softmax and the static-reshape copy.
 * Planning picks each op's executor by node type and its tile body by node type and
 * datatype (kNodes); reshape derives the kernel's geometry from the tensor shapes; run
 * splits the rows, pixels or elements over the runtime's threadpool. */
#include <string.h>

#include "logging.h"
#include "runtime/nodes/compute-nodes.h"
#include "runtime/runtime-executors.h"
#include "runtime/runtime-ops-elementwise.h"
#include "runtime/runtime-shared.h"

/* Dense strides of `shape` right-aligned into 4 dims; 0 where the dim is 1 (broadcast). */
static void broadcast_strides(const struct pqnn_shape* shape, size_t strides[4]) {
  size_t dims[4] = {1, 1, 1, 1};
  for (size_t i = 0; i < shape->num_dims; i++) dims[4 - shape->num_dims + i] = shape->dim[i];
  size_t stride = 1;
  for (size_t i = 4; i-- > 0;) {
    strides[i] = dims[i] == 1 ? 0 : stride;
    stride *= dims[i];
  }
}

#define XS(rt, op) (&(rt)->tensors[(op)->inputs[0]].shape)
#define YS(rt, op) (&(rt)->tensors[(op)->output].shape)

static enum pqnn_status reshape_add2(struct pqnn_runtime* rt, struct pqnn_rt_op* op) {
  const struct pqnn_shape* ys = YS(rt, op);
  for (size_t i = 0; i < 4; i++) {
    op->add2.shape[i] = i < 4 - ys->num_dims ? 1 : ys->dim[i - (4 - ys->num_dims)];
  }
  broadcast_strides(XS(rt, op), op->add2.a_stride);
  broadcast_strides(&rt->tensors[op->inputs[1]].shape, op->add2.b_stride);
  pqnn_add2_shape_simplify(&op->add2);
  /* A fused residual (inputs[2]) is read densely like the output: it must keep its shape. */
  if (op->num_inputs > 2 && !pqnn_shape_equal(&rt->tensors[op->inputs[2]].shape, ys)) {
    PQNN_LOG_ERROR("the residual fused into a %s node no longer has its output's shape",
        pqnn_node_type_string(op->node.type));
    return pqnn_status_invalid_parameter;
  }
  /* folded: a multiply its Winograd reader steps (runtime-pass-scaled-input.c) */
  op->range = op->folded ? 0 : op->add2.shape[0] * op->add2.shape[1] * op->add2.shape[2];
  op->min_tile = pqnn_max_sz(1, 4096 / pqnn_max_sz(op->add2.shape[3], 1));
  return op->scaled.stepped ? pqnn_rt_reshape_scaled(rt, op) : pqnn_rt_reshape_upsampled(rt, op);
}

static enum pqnn_status reshape_elementwise(struct pqnn_runtime* rt, struct pqnn_rt_op* op) {
  op->range = pqnn_shape_elements(YS(rt, op));
  op->min_tile = 4096;
  return pqnn_status_success;
}

static enum pqnn_status reshape_global_average_pooling(struct pqnn_runtime* rt,
    struct pqnn_rt_op* op) {
  const struct pqnn_shape* xs = XS(rt, op);
  op->range = xs->dim[0];
  op->pixels = xs->dim[1] * xs->dim[2];
  op->channels = xs->dim[3];
  op->min_tile = 1;
  return pqnn_status_success;
}

static enum pqnn_status reshape_max_pooling(struct pqnn_runtime* rt, struct pqnn_rt_op* op) {
  const struct pqnn_shape* xs = XS(rt, op);
  const struct pqnn_shape* ys = YS(rt, op);
  const struct pqnn_conv_params* p = &op->node.conv;
  size_t pad_top = p->pad_top, pad_left = p->pad_left;
  if ((op->node.flags & PQNN_FLAG_TENSORFLOW_SAME_PADDING) != 0 &&
      (!pqnn_same_padding_before(xs->dim[1], p->kernel_height, p->stride_height,
           p->dilation_height, &pad_top) ||
       !pqnn_same_padding_before(xs->dim[2], p->kernel_width, p->stride_width,
           p->dilation_width, &pad_left))) {
    PQNN_LOG_ERROR("max pooling SAME padding overflows size_t");
    return pqnn_status_invalid_parameter;
  }
  op->pool = (struct pqnn_pool_geometry) {.input_height = xs->dim[1],
      .input_width = xs->dim[2], .output_height = ys->dim[1], .output_width = ys->dim[2],
      .channels = xs->dim[3], .pad_top = pad_top, .pad_left = pad_left,
      .pool_height = p->kernel_height, .pool_width = p->kernel_width,
      .stride_height = p->stride_height, .stride_width = p->stride_width,
      .dilation_height = p->dilation_height, .dilation_width = p->dilation_width};
  op->range = xs->dim[0] * ys->dim[1];
  op->min_tile = 1;
  return pqnn_status_success;
}

static enum pqnn_status reshape_softmax(struct pqnn_runtime* rt, struct pqnn_rt_op* op) {
  const struct pqnn_shape* ys = YS(rt, op);
  op->channels = ys->dim[ys->num_dims - 1];
  op->range = pqnn_shape_elements(ys) / op->channels;
  op->min_tile = pqnn_max_sz(1, 1024 / pqnn_max_sz(op->channels, 1));
  return pqnn_status_success;
}

/* ---- tile bodies, one per node type and datatype ---- */
#define X(type) ((const type*) rt->tensors[op->inputs[0]].data)
#define Y(type) ((type*) rt->tensors[op->output].data)
#define BODY(name) static void name(struct pqnn_runtime* rt, struct pqnn_rt_op* op, \
    size_t start, size_t end)

BODY(clamp_f32) {
  pqnn_node_f32_clamp(end - start, X(float) + start, Y(float) + start, op->output_min,
      op->output_max);
}
BODY(clamp_f16) {
  pqnn_node_f16_clamp(end - start, X(uint16_t) + start, Y(uint16_t) + start, op->output_min,
      op->output_max);
}
BODY(gelu_f32) { pqnn_node_f32_gelu(end - start, X(float) + start, Y(float) + start); }
BODY(gelu_f16) { pqnn_node_f16_gelu(end - start, X(uint16_t) + start, Y(uint16_t) + start); }
BODY(copy) {
  const size_t size = pqnn_datatype_size(rt->tensors[op->output].datatype);
  memcpy(Y(char) + start * size, X(char) + start * size, (end - start) * size);
}

#define B(type) ((const type*) rt->tensors[op->inputs[1]].data)
BODY(add2_f32) {
  const size_t chunk = pqnn_rt_residual_chunk_rows(op, 2, start, end,
      op->add2.shape[3] * sizeof(float));
  for (size_t s = start; s < end; s += chunk) {
    const size_t e = pqnn_min_sz(end, s + chunk);
    pqnn_node_f32_add2(&op->add2, s, e, X(float), B(float), Y(float), op->output_min,
        op->output_max);
    pqnn_rt_residual_f32(rt, op, s, e);
  }
}
BODY(add2_f16) {
  const size_t chunk = pqnn_rt_residual_chunk_rows(op, 2, start, end,
      op->add2.shape[3] * sizeof(uint16_t));
  for (size_t s = start; s < end; s += chunk) {
    const size_t e = pqnn_min_sz(end, s + chunk);
    pqnn_node_f16_add2(&op->add2, s, e, X(uint16_t), B(uint16_t), Y(uint16_t),
        op->output_min, op->output_max);
    pqnn_rt_residual_f16(rt, op, s, e);
  }
}
BODY(add2_qs8) {
  const struct pqnn_rt_tensor* a = &rt->tensors[op->inputs[0]];
  const struct pqnn_rt_tensor* b = &rt->tensors[op->inputs[1]];
  const struct pqnn_rt_tensor* y = &rt->tensors[op->output];
  pqnn_node_qs8_add2(&op->add2, start, end, a->data, a->zero_point, a->scale, b->data,
      b->zero_point, b->scale, y->data, y->zero_point, y->scale, op->qmin, op->qmax);
}

BODY(global_average_pooling_f32) {
  /* A commuted pooling (runtime-pass-sefold.c) sums in double. */
  (op->info.pool_commuted ? pqnn_node_f32_global_average_pooling_f64
                          : pqnn_node_f32_global_average_pooling)(start, end, op->pixels,
      op->channels, X(float), Y(float), op->output_min, op->output_max);
}
BODY(global_average_pooling_f16) {
  pqnn_node_f16_global_average_pooling(start, end, op->pixels, op->channels, X(uint16_t),
      Y(uint16_t), op->output_min, op->output_max);
}
BODY(global_average_pooling_qs8) {
  const struct pqnn_rt_tensor* x = &rt->tensors[op->inputs[0]];
  const struct pqnn_rt_tensor* y = &rt->tensors[op->output];
  pqnn_node_qs8_global_average_pooling(start, end, op->pixels, op->channels, x->data,
      x->zero_point, x->scale, y->data, y->zero_point, y->scale, op->qmin, op->qmax);
}

/* Max pooling: global output rows [start, end) over images of output_height rows. */
#define MAX_POOLING_BODY(name, type, kernel) BODY(name) { \
  const struct pqnn_pool_geometry* g = &op->pool; \
  const size_t in_image = g->input_height * g->input_width * g->channels; \
  const size_t out_image = g->output_height * g->output_width * g->channels; \
  while (start < end) { \
    const size_t n = start / g->output_height; \
    const size_t oy_start = start % g->output_height; \
    const size_t oy_end = pqnn_min_sz(g->output_height, oy_start + (end - start)); \
    kernel(g, oy_start, oy_end, X(type) + n * in_image, Y(type) + n * out_image, \
        op->output_min, op->output_max); \
    start += oy_end - oy_start; \
  } \
}
MAX_POOLING_BODY(max_pooling_f32, float, pqnn_node_f32_max_pooling)
MAX_POOLING_BODY(max_pooling_f16, uint16_t, pqnn_node_f16_max_pooling)

BODY(softmax_f32) { pqnn_node_f32_softmax(start, end, op->channels, X(float), Y(float)); }
BODY(softmax_f16) {
  pqnn_node_f16_softmax(start, end, op->channels, X(uint16_t), Y(uint16_t));
}

/* ---- executors and the (node type, datatype) -> body table ---- */
#define EXECUTOR(name, reshape) \
  static const struct pqnn_rt_executor name = {reshape, NULL, pqnn_rt_run_parallel}
EXECUTOR(kAdd2, reshape_add2);
EXECUTOR(kElementwise, reshape_elementwise);
EXECUTOR(kGlobalAveragePooling, reshape_global_average_pooling);
EXECUTOR(kMaxPooling, reshape_max_pooling);
EXECUTOR(kSoftmax, reshape_softmax);

struct node_row {
  enum pqnn_node_type type;
  const struct pqnn_rt_executor* exec;
  pqnn_rt_body_fn f32, f16, qs8;   /* NULL: the datatype does not run here */
};

static const struct node_row kNodes[] = {
  {pqnn_node_type_add2, &kAdd2, add2_f32, add2_f16, add2_qs8},
  {pqnn_node_type_clamp, &kElementwise, clamp_f32, clamp_f16, NULL},
  {pqnn_node_type_gelu, &kElementwise, gelu_f32, gelu_f16, NULL},
  {pqnn_node_type_global_average_pooling_2d, &kGlobalAveragePooling,
   global_average_pooling_f32, global_average_pooling_f16, global_average_pooling_qs8},
  {pqnn_node_type_max_pooling_2d, &kMaxPooling, max_pooling_f32, max_pooling_f16, NULL},
  {pqnn_node_type_softmax, &kSoftmax, softmax_f32, softmax_f16, NULL},
  {pqnn_node_type_static_reshape, &kElementwise, copy, copy, copy},
  {pqnn_node_type_binary, &kAdd2, pqnn_rt_binary_f32, pqnn_rt_binary_f16, NULL},
  {pqnn_node_type_unary, &kElementwise, pqnn_rt_unary_f32, pqnn_rt_unary_f16, NULL},
};

enum pqnn_status pqnn_rt_plan_node(struct pqnn_runtime* rt, struct pqnn_rt_op* op) {
  if (pqnn_rt_is_layout_node(op->node.type)) return pqnn_rt_plan_layout(rt, op);
  const struct pqnn_rt_tensor* y = &rt->tensors[op->output];
  for (size_t i = 0; i < sizeof(kNodes) / sizeof(kNodes[0]); i++) {
    const struct node_row* row = &kNodes[i];
    if (row->type != op->node.type) continue;
    op->exec = row->exec;
    op->body = y->datatype == pqnn_datatype_fp32 ? row->f32
             : y->datatype == pqnn_datatype_fp16 ? row->f16
             : y->datatype == pqnn_datatype_qint8 ? row->qs8 : NULL;
    break;
  }
  const struct pqnn_compute_node* compute = pqnn_find_compute_node(op->node.type);
  if (compute != NULL) {
    op->exec = compute->exec;
    op->body = y->datatype == pqnn_datatype_fp32 ? compute->f32
             : y->datatype == pqnn_datatype_fp16 ? compute->f16 : NULL;
  }
  if (op->body == NULL) {
    if (op->node.type == pqnn_node_type_clamp && y->datatype == pqnn_datatype_qint8) {
      PQNN_LOG_ERROR("a qint8 clamp is supported only fused into its producer");
    } else {
      PQNN_LOG_ERROR("no kernel runs a %s node on %s", pqnn_node_type_string(op->node.type),
          pqnn_datatype_string(y->datatype));
    }
    return pqnn_status_unsupported_parameter;
  }
  if (y->datatype == pqnn_datatype_qint8) {
    pqnn_rt_quantize_bounds(y, op->output_min, op->output_max, &op->qmin, &op->qmax);
  }
  return pqnn_status_success;
}
