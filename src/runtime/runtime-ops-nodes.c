/* Ops that run the internal node kernels (runtime/node-kernels.h): add2 with broadcasting,
 * clamp, GELU, global average pooling, max pooling, softmax and the static-reshape copy.
 * Reshape derives each kernel's geometry from the tensor shapes; run splits the rows,
 * pixels or elements over the runtime's threadpool. */
#include <string.h>

#include "logging.h"
#include "runtime/runtime.h"
#include "threadpool.h"

struct parallel_context {
  struct pqnn_runtime* rt;
  struct pqnn_rt_op* op;
  void (*body)(struct pqnn_runtime*, struct pqnn_rt_op*, size_t, size_t);
  size_t range, tile;
};

static void parallel_task(void* context, size_t i) {
  const struct parallel_context* c = context;
  const size_t start = i * c->tile;
  const size_t end = pqnn_min_sz(c->range, start + c->tile);
  c->body(c->rt, c->op, start, end);
}

void pqnn_rt_parallelize(struct pqnn_runtime* rt, struct pqnn_rt_op* op,
    void (*body)(struct pqnn_runtime*, struct pqnn_rt_op*, size_t, size_t), size_t range,
    size_t min_tile) {
  if (range == 0) return;
  const size_t threads = pqnn_threadpool_threads(rt->threadpool);
  size_t tile = range;
  if (threads > 1) {
    tile = pqnn_max_sz(pqnn_max_sz(min_tile, 1), pqnn_divide_round_up(range, threads * 4));
  }
  struct parallel_context context = {rt, op, body, range, tile};
  pqnn_parallelize_1d(rt->threadpool, parallel_task, &context, pqnn_divide_round_up(range, tile));
}

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

enum pqnn_status pqnn_rt_reshape_node(struct pqnn_runtime* rt, struct pqnn_rt_op* op) {
  const struct pqnn_rt_tensor* x = &rt->tensors[op->inputs[0]];
  const struct pqnn_rt_tensor* y = &rt->tensors[op->output];
  const struct pqnn_shape* xs = &x->shape;
  const struct pqnn_shape* ys = &y->shape;
  const size_t elements = pqnn_shape_elements(ys);
  if (y->datatype == pqnn_datatype_qint8) {
    pqnn_rt_quantize_bounds(y, op->output_min, op->output_max, &op->qmin, &op->qmax);
  }
  switch (op->impl) {
    case pqnn_rt_add2:
      for (size_t i = 0; i < 4; i++) {
        op->add2.shape[i] = i < 4 - ys->num_dims ? 1 : ys->dim[i - (4 - ys->num_dims)];
      }
      broadcast_strides(xs, op->add2.a_stride);
      broadcast_strides(&rt->tensors[op->inputs[1]].shape, op->add2.b_stride);
      op->range = op->add2.shape[0] * op->add2.shape[1] * op->add2.shape[2];
      break;
    case pqnn_rt_clamp:
      if (y->datatype == pqnn_datatype_qint8) {
        PQNN_LOG_ERROR("a qint8 clamp is supported only fused into its producer");
        return pqnn_status_unsupported_parameter;
      }
      op->range = elements;
      break;
    case pqnn_rt_global_average_pooling:
      op->range = xs->dim[0];
      op->pixels = xs->dim[1] * xs->dim[2];
      op->channels = xs->dim[3];
      break;
    case pqnn_rt_max_pooling: {
      const struct pqnn_conv_params* p = &op->node.conv;
      const bool same = (op->node.flags & PQNN_FLAG_TENSORFLOW_SAME_PADDING) != 0;
      op->pool = (struct pqnn_pool_geometry) {.input_height = xs->dim[1],
          .input_width = xs->dim[2], .output_height = ys->dim[1], .output_width = ys->dim[2],
          .channels = xs->dim[3],
          .pad_top = same ? pqnn_same_padding_before(xs->dim[1], p->kernel_height,
                                p->stride_height, p->dilation_height) : p->pad_top,
          .pad_left = same ? pqnn_same_padding_before(xs->dim[2], p->kernel_width,
                                 p->stride_width, p->dilation_width) : p->pad_left,
          .pool_height = p->kernel_height, .pool_width = p->kernel_width,
          .stride_height = p->stride_height, .stride_width = p->stride_width,
          .dilation_height = p->dilation_height, .dilation_width = p->dilation_width};
      op->range = xs->dim[0] * ys->dim[1];
      break;
    }
    case pqnn_rt_softmax:
      op->channels = ys->dim[ys->num_dims - 1];
      op->range = elements / op->channels;
      break;
    default:  /* gelu, copy */
      op->range = elements;
      break;
  }
  return pqnn_status_success;
}

#define X(type) ((const type*) rt->tensors[op->inputs[0]].data)
#define Y(type) ((type*) rt->tensors[op->output].data)

static void elementwise_body(struct pqnn_runtime* rt, struct pqnn_rt_op* op, size_t start,
    size_t end) {
  const bool f16 = rt->tensors[op->output].datatype == pqnn_datatype_fp16;
  const size_t n = end - start;
  switch (op->impl) {
    case pqnn_rt_clamp:
      if (f16) {
        pqnn_node_f16_clamp(n, X(uint16_t) + start, Y(uint16_t) + start, op->output_min, op->output_max);
      } else {
        pqnn_node_f32_clamp(n, X(float) + start, Y(float) + start, op->output_min, op->output_max);
      }
      break;
    case pqnn_rt_gelu:
      if (f16) {
        pqnn_node_f16_gelu(n, X(uint16_t) + start, Y(uint16_t) + start);
      } else {
        pqnn_node_f32_gelu(n, X(float) + start, Y(float) + start);
      }
      break;
    default: {
      const size_t size = pqnn_datatype_size(rt->tensors[op->output].datatype);
      memcpy((char*) Y(char) + start * size, X(char) + start * size, n * size);
      break;
    }
  }
}

static void add2_body(struct pqnn_runtime* rt, struct pqnn_rt_op* op, size_t start, size_t end) {
  const struct pqnn_rt_tensor* a = &rt->tensors[op->inputs[0]];
  const struct pqnn_rt_tensor* b = &rt->tensors[op->inputs[1]];
  const struct pqnn_rt_tensor* y = &rt->tensors[op->output];
  switch (y->datatype) {
    case pqnn_datatype_fp32:
      pqnn_node_f32_add2(&op->add2, start, end, a->data, b->data, y->data, op->output_min,
          op->output_max);
      break;
    case pqnn_datatype_fp16:
      pqnn_node_f16_add2(&op->add2, start, end, a->data, b->data, y->data, op->output_min,
          op->output_max);
      break;
    default:
      pqnn_node_qs8_add2(&op->add2, start, end, a->data, a->zero_point, a->scale, b->data,
          b->zero_point, b->scale, y->data, y->zero_point, y->scale, op->qmin, op->qmax);
      break;
  }
}

static void pooling_body(struct pqnn_runtime* rt, struct pqnn_rt_op* op, size_t start,
    size_t end) {
  const struct pqnn_rt_tensor* x = &rt->tensors[op->inputs[0]];
  const struct pqnn_rt_tensor* y = &rt->tensors[op->output];
  if (op->impl == pqnn_rt_global_average_pooling) {
    switch (y->datatype) {
      case pqnn_datatype_fp32:
        pqnn_node_f32_global_average_pooling(start, end, op->pixels, op->channels, x->data,
            y->data, op->output_min, op->output_max);
        break;
      case pqnn_datatype_fp16:
        pqnn_node_f16_global_average_pooling(start, end, op->pixels, op->channels, x->data,
            y->data, op->output_min, op->output_max);
        break;
      default:
        pqnn_node_qs8_global_average_pooling(start, end, op->pixels, op->channels, x->data,
            x->zero_point, x->scale, y->data, y->zero_point, y->scale, op->qmin, op->qmax);
        break;
    }
    return;
  }
  /* max pooling: global output rows [start, end) over images of output_height rows */
  const struct pqnn_pool_geometry* g = &op->pool;
  const size_t size = pqnn_datatype_size(y->datatype);
  const size_t in_image = g->input_height * g->input_width * g->channels * size;
  const size_t out_image = g->output_height * g->output_width * g->channels * size;
  while (start < end) {
    const size_t n = start / g->output_height;
    const size_t oy_start = start % g->output_height;
    const size_t oy_end = pqnn_min_sz(g->output_height, oy_start + (end - start));
    const void* xi = (const char*) x->data + n * in_image;
    void* yi = (char*) y->data + n * out_image;
    if (y->datatype == pqnn_datatype_fp16) {
      pqnn_node_f16_max_pooling(g, oy_start, oy_end, xi, yi, op->output_min, op->output_max);
    } else {
      pqnn_node_f32_max_pooling(g, oy_start, oy_end, xi, yi, op->output_min, op->output_max);
    }
    start += oy_end - oy_start;
  }
}

static void softmax_body(struct pqnn_runtime* rt, struct pqnn_rt_op* op, size_t start,
    size_t end) {
  if (rt->tensors[op->output].datatype == pqnn_datatype_fp16) {
    pqnn_node_f16_softmax(start, end, op->channels, X(uint16_t), Y(uint16_t));
  } else {
    pqnn_node_f32_softmax(start, end, op->channels, X(float), Y(float));
  }
}

void pqnn_rt_run_node(struct pqnn_runtime* rt, struct pqnn_rt_op* op) {
  switch (op->impl) {
    case pqnn_rt_add2:
      pqnn_rt_parallelize(rt, op, add2_body, op->range,
          pqnn_max_sz(1, 4096 / pqnn_max_sz(op->add2.shape[3], 1)));
      break;
    case pqnn_rt_global_average_pooling:
      pqnn_rt_parallelize(rt, op, pooling_body, op->range, 1);
      break;
    case pqnn_rt_max_pooling:
      pqnn_rt_parallelize(rt, op, pooling_body, op->range, 1);
      break;
    case pqnn_rt_softmax:
      pqnn_rt_parallelize(rt, op, softmax_body, op->range,
          pqnn_max_sz(1, 1024 / pqnn_max_sz(op->channels, 1)));
      break;
    default:
      pqnn_rt_parallelize(rt, op, elementwise_body, op->range, 4096);
      break;
  }
}
