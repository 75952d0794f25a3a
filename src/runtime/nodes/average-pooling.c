/* Average pooling 2D node: define, shape and datatype rules, f32 / f16 kernel, executor.
 * NHWC; each output pixel is the f32 sum of its window's input pixels (in window order)
 * times 1 / count, count = the window positions inside the input, or with
 * PQNN_FLAG_COUNT_INCLUDE_PAD inside the explicitly padded input. */
#include <math.h>

#include "logging.h"
#include "runtime/node-kernels-blocks.h"
#include "runtime/nodes/compute-nodes.h"
#include "runtime/runtime-shared.h"

enum { kBlock = PQNN_NODE_BLOCK };

/* Output size along one dim; false when the window does not fit the padded input. */
static bool output_size(size_t in, uint32_t pad_before, uint32_t pad_after, uint32_t kernel,
    uint32_t stride, bool ceil_mode, size_t* out) {
  const size_t padded = in + pad_before + pad_after;
  if (padded < kernel) return false;
  size_t n = (padded - kernel) / stride + 1;
  if (ceil_mode && (padded - kernel) % stride != 0) {
    n++;
    if ((n - 1) * stride >= in + pad_before) n--;  /* no window starting in the end padding */
  }
  *out = n;
  return true;
}

static enum pqnn_status infer(const char* function, const struct pqnn_node* node,
    const struct pqnn_shape* const* in, struct pqnn_shape* out) {
  const struct pqnn_shape* x = in[0];
  const struct pqnn_conv_params* p = &node->conv;
  const bool ceil_mode = (node->flags & PQNN_FLAG_CEIL_MODE) != 0;
  size_t oh, ow;
  if (x->num_dims != 4) {
    pqnn_log_error(function, "input must be [N][H][W][C]");
    return pqnn_status_invalid_parameter;
  }
  if (!output_size(x->dim[1], p->pad_top, p->pad_bottom, p->kernel_height, p->stride_height,
          ceil_mode, &oh) ||
      !output_size(x->dim[2], p->pad_left, p->pad_right, p->kernel_width, p->stride_width,
          ceil_mode, &ow)) {
    pqnn_log_error(function, "the window does not fit the padded input");
    return pqnn_status_invalid_parameter;
  }
  *out = (struct pqnn_shape) {.num_dims = 4, .dim = {x->dim[0], oh, ow, x->dim[3]}};
  return pqnn_status_success;
}

static enum pqnn_status check(const char* function, const struct pqnn_node* node,
    const struct pqnn_value* const* in, const struct pqnn_value* out) {
  return pqnn_compute_check_float(function, node, in, out, 0);
}

enum pqnn_status pqnn_define_average_pooling_2d(pqnn_subgraph_t subgraph,
    uint32_t input_padding_top, uint32_t input_padding_right, uint32_t input_padding_bottom,
    uint32_t input_padding_left, uint32_t pooling_height, uint32_t pooling_width,
    uint32_t stride_height, uint32_t stride_width, float output_min, float output_max,
    uint32_t input_id, uint32_t output_id, uint32_t flags) {
  if (pooling_height == 0 || pooling_width == 0 || stride_height == 0 || stride_width == 0) {
    PQNN_LOG_ERROR("pooling size and stride must be positive");
    return pqnn_status_invalid_parameter;
  }
  if (input_padding_top >= pooling_height || input_padding_bottom >= pooling_height ||
      input_padding_left >= pooling_width || input_padding_right >= pooling_width) {
    PQNN_LOG_ERROR("padding must be smaller than the pooling window");
    return pqnn_status_invalid_parameter;
  }
  struct pqnn_node node = {.type = pqnn_node_type_average_pooling_2d, .num_inputs = 1,
      .inputs = {input_id}, .output = output_id, .output_min = output_min,
      .output_max = output_max, .flags = flags,
      .conv = {input_padding_top, input_padding_right, input_padding_bottom, input_padding_left,
          pooling_height, pooling_width, stride_height, stride_width, 1, 1, 1, 1, 1}};
  return pqnn_subgraph_define_node(__func__, subgraph, &node,
      PQNN_FLAG_COUNT_INCLUDE_PAD | PQNN_FLAG_CEIL_MODE);
}

/* [lo, hi) of input positions of window `o` along one dim, and its divisor count. */
static void window(size_t o, size_t in, uint32_t pad_before, uint32_t pad_after,
    uint32_t kernel, uint32_t stride, bool include_pad, size_t* lo, size_t* hi, size_t* count) {
  const size_t start = o * stride;                   /* in padded coordinates */
  const size_t end = start + kernel;
  const size_t padded_end = in + pad_before + pad_after;
  *lo = start > pad_before ? start - pad_before : 0;
  *hi = end > pad_before ? pqnn_min_sz(end - pad_before, in) : 0;
  if (*hi < *lo) *hi = *lo;
  *count = include_pad ? pqnn_min_sz(end, padded_end) - start : *hi - *lo;
}

struct pool_args {
  const struct pqnn_shape* xs;
  const struct pqnn_shape* ys;
  const struct pqnn_conv_params* p;
  bool include_pad;
  float min, max;
  const float* x32; const uint16_t* x16;
  float* y32; uint16_t* y16;
};

/* Output rows [start, end) over all images (row = n * OH + oy). */
static void pool_rows(const struct pool_args* a, size_t start, size_t end) {
  const size_t h = a->xs->dim[1], w = a->xs->dim[2], c = a->xs->dim[3];
  const size_t oh = a->ys->dim[1], ow = a->ys->dim[2];
  const struct pqnn_conv_params* p = a->p;
  float t[kBlock], acc[kBlock];
  for (size_t row = start; row < end; row++) {
    const size_t n = row / oh, oy = row % oh;
    size_t y0, y1, cy;
    window(oy, h, p->pad_top, p->pad_bottom, p->kernel_height, p->stride_height, a->include_pad,
        &y0, &y1, &cy);
    for (size_t ox = 0; ox < ow; ox++) {
      size_t x0, x1, cx;
      window(ox, w, p->pad_left, p->pad_right, p->kernel_width, p->stride_width, a->include_pad,
          &x0, &x1, &cx);
      const float scale = cy * cx == 0 ? NAN : 1.0f / (float) (cy * cx);
      const size_t out = ((n * oh + oy) * ow + ox) * c;
      for (size_t i = 0; i < c; i += kBlock) {
        const size_t nb = pqnn_node_block_size(c, i);
        pqnn_node_fill_block(kBlock, 0.0f, acc);
        for (size_t iy = y0; iy < y1; iy++) {
          for (size_t ix = x0; ix < x1; ix++) {
            const size_t in = ((n * h + iy) * w + ix) * c + i;
            pqnn_compute_load(nb, pqnn_at32(a->x32, in), pqnn_at16(a->x16, in), t);
            pqnn_node_add_block(nb, t, acc);
          }
        }
        pqnn_node_scale_clamp_block(nb, acc, scale, acc, a->min, a->max);
        pqnn_compute_store(nb, acc, a->y32 != NULL ? a->y32 + out + i : NULL,
            a->y16 != NULL ? a->y16 + out + i : NULL);
      }
    }
  }
}

static enum pqnn_status reshape(struct pqnn_runtime* rt, struct pqnn_rt_op* op) {
  const struct pqnn_shape* ys = &rt->tensors[op->output].shape;
  op->range = ys->dim[0] * ys->dim[1];
  op->min_tile = 1;
  return pqnn_status_success;
}

static struct pool_args args(const struct pqnn_runtime* rt, const struct pqnn_rt_op* op) {
  return (struct pool_args) {.xs = &rt->tensors[op->inputs[0]].shape,
      .ys = &rt->tensors[op->output].shape, .p = &op->node.conv,
      .include_pad = (op->node.flags & PQNN_FLAG_COUNT_INCLUDE_PAD) != 0,
      .min = op->output_min, .max = op->output_max};
}

static void body_f32(struct pqnn_runtime* rt, struct pqnn_rt_op* op, size_t start, size_t end) {
  struct pool_args a = args(rt, op);
  a.x32 = pqnn_compute_input(rt, op, 0);
  a.y32 = rt->tensors[op->output].data;
  pool_rows(&a, start, end);
}

static void body_f16(struct pqnn_runtime* rt, struct pqnn_rt_op* op, size_t start, size_t end) {
  struct pool_args a = args(rt, op);
  a.x16 = pqnn_compute_input(rt, op, 0);
  a.y16 = rt->tensors[op->output].data;
  pool_rows(&a, start, end);
}

static const struct pqnn_rt_executor kExecutor = {reshape, NULL, pqnn_rt_run_parallel};

const struct pqnn_compute_node pqnn_average_pooling_2d_node = {
    pqnn_node_type_average_pooling_2d, infer, check, &kExecutor, body_f32, body_f16};
