/* Executors of the data-movement ops: concatenate, split, slice, constant pad, transpose and
 * resize. Reshape turns the node's static parameters and the tensor shapes into the kernels'
 * geometry (merging dims the copy can treat as one, and choosing the blocked batched 2-D
 * transpose where a permutation reduces to one); run splits rows, tiles or blocks over the
 * runtime's pool. The copies are datatype-agnostic (element size), so each op runs in the
 * datatype its tensors have after the passes: f32, f16 under f16 inference, or qint8. */
#include <math.h>
#include <string.h>

#include <fp16.h>

#include "logging.h"
#include "runtime/runtime-executors.h"
#include "runtime/runtime-shared.h"
#include "runtime/nodes/layout-kernels.h"
#include "runtime/node-kernels-elementwise.h"
#include "runtime/runtime-ops-elementwise.h"

#define XS(rt, op) (&(rt)->tensors[(op)->inputs[0]].shape)
#define YS(rt, op) (&(rt)->tensors[(op)->output].shape)

/* Rows of at least ~16 KiB per tile. */
static size_t min_rows(size_t row_bytes) { return pqnn_max_sz(1, 16384 / pqnn_max_sz(row_bytes, 1)); }

/* Drops unit dims and merges dim d into d + 1 when the input is contiguous across them. */
static void merge_dims(struct pqnn_layout_geometry* g) {
  size_t n = 0;
  size_t dims[PQNN_LAYOUT_MAX_DIMS], strides[PQNN_LAYOUT_MAX_DIMS];
  for (size_t d = 0; d < g->num_dims; d++) {
    if (g->dims[d] == 1) continue;
    if (n > 0 && strides[n - 1] == g->in_stride[d] * g->dims[d]) {
      dims[n - 1] *= g->dims[d];
      strides[n - 1] = g->in_stride[d];
      continue;
    }
    dims[n] = g->dims[d];
    strides[n] = g->in_stride[d];
    n++;
  }
  if (n == 0) {
    dims[0] = 1;
    strides[0] = 1;
    n = 1;
  }
  g->num_dims = n;
  memcpy(g->dims, dims, n * sizeof(size_t));
  memcpy(g->in_stride, strides, n * sizeof(size_t));
}

/* Dense element strides of a shape. */
static void dense_strides(const struct pqnn_shape* s, size_t* strides) {
  size_t stride = 1;
  for (size_t d = s->num_dims; d-- > 0;) {
    strides[d] = stride;
    stride *= s->dim[d];
  }
}

static void set_copy_range(struct pqnn_rt_op* op) {
  struct pqnn_layout_geometry* g = &op->layout;
  op->range = 1;
  for (size_t d = 0; d + 1 < g->num_dims; d++) op->range *= g->dims[d];
  op->min_tile = min_rows(g->dims[g->num_dims - 1] * g->element_size);
}

static enum pqnn_status reshape_window(struct pqnn_runtime* rt, struct pqnn_rt_op* op) {
  const struct pqnn_shape* xs = XS(rt, op);
  const struct pqnn_shape* ys = YS(rt, op);
  const struct pqnn_layout_params* l = &op->node.layout;
  struct pqnn_layout_geometry* g = &op->layout;
  size_t x_strides[PQNN_MAX_DIMS];
  dense_strides(xs, x_strides);
  g->num_dims = ys->num_dims;
  g->offset = 0;
  g->batch = 0;
  for (size_t d = 0; d < ys->num_dims; d++) {
    const bool split = op->node.type == pqnn_node_type_split;
    const size_t offset = split ? (d == l->axis ? l->offset[d] : 0) : l->offset[d];
    const size_t step = split ? 1 : l->step[d];
    g->dims[d] = ys->dim[d];
    g->in_stride[d] = x_strides[d] * step;
    g->offset += offset * x_strides[d];
  }
  merge_dims(g);
  set_copy_range(op);
  return pqnn_status_success;
}

static enum pqnn_status reshape_transpose(struct pqnn_runtime* rt, struct pqnn_rt_op* op) {
  const struct pqnn_shape* xs = XS(rt, op);
  const struct pqnn_shape* ys = YS(rt, op);
  struct pqnn_layout_geometry* g = &op->layout;
  size_t x_strides[PQNN_MAX_DIMS];
  dense_strides(xs, x_strides);
  g->num_dims = ys->num_dims;
  g->offset = 0;
  for (size_t d = 0; d < ys->num_dims; d++) {
    g->dims[d] = ys->dim[d];
    g->in_stride[d] = x_strides[op->node.layout.perm[d]];
  }
  merge_dims(g);
  g->batch = 0;
  /* [B][M][N] <- [B][N][M]: dims (B?, M, N) with strides (M*N, 1, M). */
  const size_t n = g->num_dims;
  if (n >= 2 && n <= 3 && g->in_stride[n - 2] == 1 && g->in_stride[n - 1] == g->dims[n - 2] &&
      (n == 2 || g->in_stride[0] == g->dims[1] * g->dims[2])) {
    g->batch = n == 3 ? g->dims[0] : 1;
    g->rows = g->dims[n - 2];
    g->cols = g->dims[n - 1];
    const size_t tile = pqnn_layout_transpose_tile_rows(g->cols);
    op->range = g->batch * pqnn_divide_round_up(g->rows, tile);
    op->min_tile = min_rows(tile * g->cols * g->element_size);
    return pqnn_status_success;
  }
  set_copy_range(op);
  return pqnn_status_success;
}

static enum pqnn_status reshape_concatenate(struct pqnn_runtime* rt, struct pqnn_rt_op* op) {
  const struct pqnn_shape* ys = YS(rt, op);
  const size_t axis = op->node.layout.axis;
  struct pqnn_layout_geometry* g = &op->layout;
  size_t inner = 1;
  g->outer = 1;
  for (size_t d = 0; d < axis; d++) g->outer *= ys->dim[d];
  for (size_t d = axis + 1; d < ys->num_dims; d++) inner *= ys->dim[d];
  g->num_parts = op->node.num_inputs;  /* folded resizes' inputs follow (runtime-pass-concat.c) */
  for (uint32_t k = 0; k < g->num_parts; k++) {
    g->part[k] = rt->tensors[op->inputs[k]].shape.dim[axis] * inner;
  }
  op->range = g->outer;
  op->min_tile = min_rows(ys->dim[axis] * inner * g->element_size);
  if (g->resized_parts != 0) {  /* blocks are output rows: 4-D, channel axis */
    g->out_height = ys->dim[1];
    g->out_width = ys->dim[2];
    op->range = ys->dim[0] * ys->dim[1];
    op->min_tile = min_rows(ys->dim[2] * ys->dim[3] * g->element_size);
  }
  if (op->folded) op->range = 0;  /* its Winograd reader reads the parts (runtime-pass-concat-input.c) */
  return pqnn_status_success;
}

static enum pqnn_status reshape_pad(struct pqnn_runtime* rt, struct pqnn_rt_op* op) {
  const struct pqnn_shape* xs = XS(rt, op);
  const struct pqnn_shape* ys = YS(rt, op);
  struct pqnn_layout_geometry* g = &op->layout;
  g->num_dims = ys->num_dims;
  for (size_t d = 0; d < ys->num_dims; d++) {
    g->dims[d] = ys->dim[d];
    g->in_dims[d] = xs->dim[d];
    g->pre[d] = op->node.layout.offset[d];
  }
  set_copy_range(op);
  return pqnn_status_success;
}

void pqnn_rt_resize_geometry(const struct pqnn_resize_params* r, const struct pqnn_shape* xs,
    const struct pqnn_shape* ys, struct pqnn_layout_geometry* g) {
  g->in_height = xs->dim[1];
  g->in_width = xs->dim[2];
  g->out_height = ys->dim[1];
  g->out_width = ys->dim[2];
  g->channels = ys->dim[3];
  /* A given scale drives the coordinates (as ONNX does); else output / input. */
  g->height_scale = r->height_scale > 0.0f ? r->height_scale
                                           : (float) g->out_height / (float) g->in_height;
  g->width_scale = r->width_scale > 0.0f ? r->width_scale
                                         : (float) g->out_width / (float) g->in_width;
}

static enum pqnn_status reshape_resize(struct pqnn_runtime* rt, struct pqnn_rt_op* op) {
  const struct pqnn_shape* xs = XS(rt, op);
  const struct pqnn_shape* ys = YS(rt, op);
  const struct pqnn_resize_params* r = &op->node.layout.resize;
  struct pqnn_layout_geometry* g = &op->layout;
  pqnn_rt_resize_geometry(r, xs, ys, g);
  op->range = op->folded ? 0 : ys->dim[0] * g->out_height;  /* folded: its concat runs it */
  op->min_tile = min_rows(g->out_width * g->channels * g->element_size);
  /* A fused residual (inputs[1], runtime-passes.c) is read densely like the output. */
  if (op->num_inputs > 1 && !pqnn_shape_equal(&rt->tensors[op->inputs[1]].shape, ys)) {
    PQNN_LOG_ERROR("the residual fused into a static_resize_2d node no longer has its "
        "output's shape");
    return pqnn_status_invalid_parameter;
  }
  return pqnn_status_success;
}

/* ---- tile bodies ---- */
#define X(type) ((const type*) rt->tensors[op->inputs[0]].data)
#define Y(type) ((type*) rt->tensors[op->output].data)
#define BODY(name) static void name(struct pqnn_runtime* rt, struct pqnn_rt_op* op, \
    size_t start, size_t end)

BODY(copy_body) { pqnn_layout_copy(&op->layout, start, end, X(void), Y(void)); }
BODY(transpose_body) {
  if (op->layout.batch != 0) {
    pqnn_layout_transpose2d(&op->layout, start, end, X(void), Y(void));
  } else {
    pqnn_layout_copy(&op->layout, start, end, X(void), Y(void));
  }
}
BODY(concatenate_body) {
  const void* inputs[PQNN_MAX_CONCAT_INPUTS];
  const struct pqnn_layout_geometry* g = &op->layout;
  if (g->resized_parts == 0) {
    for (uint32_t k = 0; k < g->num_parts; k++) inputs[k] = rt->tensors[op->inputs[k]].data;
    pqnn_layout_concatenate(g, start, end, inputs, Y(void));
    return;
  }
  struct pqnn_layout_nearest_source resized[PQNN_MAX_CONCAT_INPUTS];
  for (uint32_t k = 0; k < g->num_parts; k++) {
    if ((g->resized_parts >> k & 1) == 0) {
      inputs[k] = rt->tensors[op->inputs[k]].data;
      continue;
    }
    const struct pqnn_rt_op* resize = &rt->ops[g->resize_op[k]];
    inputs[k] = rt->tensors[resize->inputs[0]].data;
    resized[k].geometry = &resize->layout;
    resized[k].coordinates = resize->node.layout.resize.coordinates;
    resized[k].rounding = resize->node.layout.resize.rounding;
  }
  pqnn_layout_concatenate_resized(g, resized, start, end, inputs, Y(void));
}
BODY(pad_body) { pqnn_layout_pad(&op->layout, start, end, X(void), Y(void)); }
static void resize_rows(struct pqnn_runtime* rt, struct pqnn_rt_op* op, size_t start,
    size_t end) {
  const struct pqnn_resize_params* r = &op->node.layout.resize;
  if (r->mode == pqnn_resize_nearest) {
    pqnn_layout_resize_nearest(&op->layout, r->coordinates, r->rounding, start, end, X(void),
        Y(void));
  } else if (op->layout.element_size == 4) {
    pqnn_layout_f32_resize_bilinear(&op->layout, r->coordinates, start, end, X(float), Y(float));
  } else {
    pqnn_layout_f16_resize_bilinear(&op->layout, r->coordinates, start, end, X(uint16_t),
        Y(uint16_t));
  }
}
/* With a fused residual (inputs[1], f32 / f16 only: runtime-passes.c), chunks of output
 * rows, each plus its residual while it is still in the cache. */
BODY(resize_body) {
  const size_t row = op->layout.out_width * op->layout.channels;
  const size_t chunk = pqnn_rt_residual_chunk_rows(op, 1, start, end,
      row * op->layout.element_size);
  for (size_t s = start; s < end; s += chunk) {
    const size_t e = pqnn_min_sz(end, s + chunk);
    resize_rows(rt, op, s, e);
    if (op->num_inputs < 2) continue;
    const void* residual = rt->tensors[op->inputs[1]].data;
    if (op->layout.element_size == 4) {
      pqnn_node_f32_residual((e - s) * row, Y(float) + s * row, (const float*) residual + s * row,
          op->residual_min, op->residual_max);
    } else {
      pqnn_node_f16_residual((e - s) * row, Y(uint16_t) + s * row,
          (const uint16_t*) residual + s * row, op->residual_min, op->residual_max);
    }
  }
}

#define EXECUTOR(name, reshape) \
  static const struct pqnn_rt_executor name = {reshape, NULL, pqnn_rt_run_parallel}
EXECUTOR(kWindow, reshape_window);
EXECUTOR(kTranspose, reshape_transpose);
EXECUTOR(kConcatenate, reshape_concatenate);
EXECUTOR(kPad, reshape_pad);
EXECUTOR(kResize, reshape_resize);

static const struct {
  enum pqnn_node_type type;
  const struct pqnn_rt_executor* exec;
  pqnn_rt_body_fn body;
} kLayoutNodes[] = {
  {pqnn_node_type_concatenate, &kConcatenate, concatenate_body},
  {pqnn_node_type_split, &kWindow, copy_body},
  {pqnn_node_type_static_slice, &kWindow, copy_body},
  {pqnn_node_type_static_constant_pad, &kPad, pad_body},
  {pqnn_node_type_static_transpose, &kTranspose, transpose_body},
  {pqnn_node_type_static_resize_2d, &kResize, resize_body},
};

bool pqnn_rt_is_layout_node(enum pqnn_node_type type) {
  for (size_t i = 0; i < sizeof(kLayoutNodes) / sizeof(kLayoutNodes[0]); i++) {
    if (kLayoutNodes[i].type == type) return true;
  }
  return false;
}

/* The padding value as one element of the output's datatype. */
static void pad_pattern(const struct pqnn_rt_tensor* y, float value, uint8_t pattern[4]) {
  if (y->datatype == pqnn_datatype_fp32) {
    memcpy(pattern, &value, 4);
  } else if (y->datatype == pqnn_datatype_fp16) {
    const uint16_t h = fp16_ieee_from_fp32_value(value);
    memcpy(pattern, &h, 2);
  } else {
    const double q = nearbyint((double) value / y->scale) + y->zero_point;
    const int8_t v = isnan(q) ? (int8_t) y->zero_point
                   : q <= -128.0 ? INT8_MIN : q >= 127.0 ? INT8_MAX : (int8_t) q;
    memcpy(pattern, &v, 1);
  }
}

enum pqnn_status pqnn_rt_plan_layout(struct pqnn_runtime* rt, struct pqnn_rt_op* op) {
  const struct pqnn_rt_tensor* y = &rt->tensors[op->output];
  const bool bilinear = op->node.type == pqnn_node_type_static_resize_2d &&
      op->node.layout.resize.mode == pqnn_resize_bilinear;
  if (y->datatype != pqnn_datatype_fp32 && y->datatype != pqnn_datatype_fp16 &&
      (y->datatype != pqnn_datatype_qint8 || bilinear)) {
    PQNN_LOG_ERROR("no kernel runs a %s node on %s", pqnn_node_type_string(op->node.type),
        pqnn_datatype_string(y->datatype));
    return pqnn_status_unsupported_parameter;
  }
  for (size_t i = 0; i < sizeof(kLayoutNodes) / sizeof(kLayoutNodes[0]); i++) {
    if (kLayoutNodes[i].type != op->node.type) continue;
    op->exec = kLayoutNodes[i].exec;
    op->body = kLayoutNodes[i].body;
  }
  op->layout.element_size = pqnn_datatype_size(y->datatype);
  if (op->node.type == pqnn_node_type_static_constant_pad) {
    pad_pattern(y, op->node.layout.pad_value, op->layout.pad_pattern);
  }
  return pqnn_status_success;
}
