/* Helpers shared by the runtime's files; see runtime-shared.h. */
#include <math.h>
#include <string.h>

#include "operator.h"
#include "runtime/runtime-shared.h"
#include "threadpool.h"

struct parallel_context {
  struct pqnn_runtime* rt;
  struct pqnn_rt_op* op;
  size_t range, tile;
};

static void parallel_task(void* context, size_t i) {
  const struct parallel_context* c = context;
  const size_t start = i * c->tile;
  const size_t end = pqnn_min_sz(c->range, start + c->tile);
  c->op->body(c->rt, c->op, start, end);
}

enum pqnn_status pqnn_rt_run_parallel(struct pqnn_runtime* rt, struct pqnn_rt_op* op) {
  const size_t range = op->range;
  if (range == 0) return pqnn_status_success;
  const size_t threads = pqnn_threadpool_threads(rt->threadpool);
  size_t tile = range;
  if (threads > 1) {
    tile = pqnn_max_sz(pqnn_max_sz(op->min_tile, 1), pqnn_divide_round_up(range, threads * 4));
  }
  struct parallel_context context = {rt, op, range, tile};
  pqnn_parallelize_1d(rt->threadpool, parallel_task, &context, pqnn_divide_round_up(range, tile));
  return pqnn_status_success;
}

enum pqnn_status pqnn_rt_run_operator(struct pqnn_runtime* rt, struct pqnn_rt_op* op) {
  return pqnn_run_operator(op->op, rt->threadpool);
}

static size_t elements(const struct pqnn_shape* shape) {
  size_t n = 1;
  for (size_t d = 0; d < shape->num_dims; d++) n *= shape->dim[d];
  return n;
}

/* Multiply-adds of one run of op's node at the current shapes (0 for nodes without a
 * reduction). */
static uint64_t node_macs(const struct pqnn_runtime* rt, const struct pqnn_rt_op* op) {
  const struct pqnn_shape* x = &rt->tensors[op->inputs[0]].shape;
  const struct pqnn_shape* y = &rt->tensors[op->output].shape;
  const struct pqnn_conv_params* c = &op->node.conv;
  const uint64_t out = elements(y);
  switch (op->node.type) {
    case pqnn_node_type_fully_connected: {
      const size_t oc = y->num_dims != 0 ? y->dim[y->num_dims - 1] : 0;
      return oc != 0 ? out * (elements(&op->weight_shapes[0]) / oc) : 0;
    }
    case pqnn_node_type_convolution_2d:
      return out * c->kernel_height * c->kernel_width * c->group_input_channels;
    case pqnn_node_type_depthwise_convolution_2d:
      return out * c->kernel_height * c->kernel_width;
    case pqnn_node_type_deconvolution_2d:
      /* every input element meets every tap of its group's output channels */
      return (uint64_t) elements(x) * c->kernel_height * c->kernel_width *
          c->group_output_channels;
    case pqnn_node_type_batch_matrix_multiply:
      return x->num_dims != 0 ? out * x->dim[x->num_dims - 1] : 0;
    default:
      return 0;
  }
}

uint64_t pqnn_rt_op_macs(const struct pqnn_runtime* rt, const struct pqnn_rt_op* op) {
  return node_macs(rt, op) + (op->affine.fused ? elements(&rt->tensors[op->output].shape) : 0);
}

/* A runtime this small runs every node on the calling thread alone: PaddleOCR cls (16 M
 * multiply-adds in 77 nodes) ran 0.50-0.58 ms with 2 threads against 0.40-0.46 ms with 1 on
 * an Intel Xeon VM (2026-12-06). Per node type, 2 threads against 1: depthwise 0.191 / 0.145
 * ms, elementwise 0.066 / 0.027, pooling 0.047 / 0.017, its 1x1 layers level; only the stem
 * gained (31 -> 18 us). Running only the small nodes (below 1 M multiply-adds) without the
 * pool gained nothing: a node after a parallel one reads the half of its input the other
 * core wrote from that core's cache (elementwise stayed 3x slower run alone). Below 32 M
 * multiply-adds per inference (about 0.3 ms of one core) no node uses the pool. */
#define SERIAL_MAX_MACS (UINT64_C(32) << 20)

bool pqnn_rt_runs_serial(const struct pqnn_runtime* rt) {
  uint64_t macs = 0;
  for (uint32_t i = 0; i < rt->num_ops; i++) macs += pqnn_rt_op_macs(rt, &rt->ops[i]);
  return macs < SERIAL_MAX_MACS;
}

void pqnn_rt_quantize_bounds(const struct pqnn_rt_tensor* t, float min, float max,
    int8_t* qmin, int8_t* qmax) {
  const double lo = (double) min / t->scale + t->zero_point;
  const double hi = (double) max / t->scale + t->zero_point;
  *qmin = lo <= -128.0 ? INT8_MIN : lo >= 127.0 ? INT8_MAX : (int8_t) nearbyint(lo);
  *qmax = hi >= 127.0 ? INT8_MAX : hi <= -128.0 ? INT8_MIN : (int8_t) nearbyint(hi);
  if (*qmin > *qmax) *qmin = *qmax;
}

enum pqnn_status pqnn_rt_tensor_bytes(struct pqnn_rt_tensor* t) {
  size_t bytes = pqnn_datatype_size(t->datatype);
  for (size_t i = 0; i < t->shape.num_dims; i++) {
    if (!pqnn_mul_sz(bytes, t->shape.dim[i], &bytes)) return pqnn_status_invalid_parameter;
  }
  t->params_offset = 0;
  if (t->datatype == pqnn_datatype_qdint8) {
    size_t params;
    t->params_offset = pqnn_round_up(bytes, sizeof(struct pqnn_quantization_params));
    if (t->params_offset < bytes ||
        !pqnn_mul_sz(t->quantization_rows, sizeof(struct pqnn_quantization_params), &params) ||
        !pqnn_add_sz(t->params_offset, params, &bytes)) {
      return pqnn_status_invalid_parameter;
    }
  }
  t->bytes = bytes;
  return pqnn_status_success;
}

uint32_t pqnn_rt_add_tensor(struct pqnn_runtime* rt, uint32_t like,
    enum pqnn_datatype datatype) {
  const struct pqnn_rt_tensor* l = &rt->tensors[like];
  struct pqnn_rt_tensor* t = &rt->tensors[rt->num_tensors];
  *t = (struct pqnn_rt_tensor) {.datatype = datatype, .shape = l->shape,
      .zero_point = l->zero_point, .scale = l->scale, .producer = PQNN_NO_NODE};
  return rt->num_tensors++;
}

struct pqnn_rt_op* pqnn_rt_insert_op(struct pqnn_runtime* rt, uint32_t position,
    enum pqnn_node_type type, uint32_t input, uint32_t output) {
  struct pqnn_rt_op* op = &rt->ops[position];
  memmove(op + 1, op, (size_t) (rt->num_ops - position) * sizeof(*op));
  rt->num_ops++;
  memset(op, 0, sizeof(*op));
  op->info.type = type;
  op->node.type = type;
  op->node.num_inputs = 1;
  op->node.output_min = -INFINITY;
  op->node.output_max = INFINITY;
  op->num_inputs = 1;
  op->inputs[0] = input;
  op->output = output;
  op->weights[0] = op->weights[1] = PQNN_INVALID_VALUE_ID;
  return op;
}

struct pqnn_rt_op* pqnn_rt_insert_convert(struct pqnn_runtime* rt, uint32_t position,
    uint32_t input, uint32_t output) {
  struct pqnn_rt_op* op = pqnn_rt_insert_op(rt, position, pqnn_node_type_convert, input, output);
  op->info.inserted = 1;
  return op;
}

void pqnn_rt_index_ops(struct pqnn_runtime* rt) {
  for (uint32_t t = 0; t < rt->num_tensors; t++) {
    rt->tensors[t].consumers = 0;
    rt->tensors[t].producer = PQNN_NO_NODE;
  }
  for (uint32_t i = 0; i < rt->num_ops; i++) {
    const struct pqnn_rt_op* op = &rt->ops[i];
    for (uint32_t k = 0; k < op->num_inputs; k++) rt->tensors[op->inputs[k]].consumers++;
    rt->tensors[op->output].producer = i;
  }
}

bool pqnn_rt_is_inserted_qd8_convert(const struct pqnn_runtime* rt,
    const struct pqnn_rt_op* op) {
  return op->node.type == pqnn_node_type_convert && op->info.inserted && op->band == 0 &&
      rt->tensors[op->inputs[0]].datatype == pqnn_datatype_fp32 &&
      rt->tensors[op->output].datatype == pqnn_datatype_qdint8;
}

bool pqnn_rt_is_gemm_node(enum pqnn_node_type type) {
  return type == pqnn_node_type_fully_connected || type == pqnn_node_type_convolution_2d ||
      type == pqnn_node_type_depthwise_convolution_2d ||
      type == pqnn_node_type_deconvolution_2d;
}

bool pqnn_rt_conv_takes_winograd(const struct pqnn_rt_op* op) {
  if (op->node.type != pqnn_node_type_convolution_2d) return false;
  const struct pqnn_conv_params* p = &op->node.conv;
  const struct pqnn_conv2d_args args = {
    .padding_top = p->pad_top, .padding_right = p->pad_right,
    .padding_bottom = p->pad_bottom, .padding_left = p->pad_left,
    .kernel_height = p->kernel_height, .kernel_width = p->kernel_width,
    .stride_height = p->stride_height, .stride_width = p->stride_width,
    .dilation_height = p->dilation_height, .dilation_width = p->dilation_width,
    .groups = p->groups, .group_input_channels = p->group_input_channels,
    .group_output_channels = p->group_output_channels,
    .input_channel_stride = (size_t) p->groups * p->group_input_channels,
    .output_channel_stride = (size_t) p->groups * p->group_output_channels,
  };
  return pqnn_f32_convolution_takes_winograd(&args, op->node.flags & PQNN_FLAG_NO_WINOGRAD);
}
