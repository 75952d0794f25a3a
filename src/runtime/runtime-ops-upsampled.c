/* The nearest-upsampled residual of a binary / add2 op (runtime-pass-upsample.c): its
 * geometry at reshape (the folded resize node's, from the source map's shape and the op's
 * output shape) and its add to a range of the op's dense output, pixel by pixel: each
 * output pixel adds its source pixel of the map (inputs[3]) with the tier's f32-vbinary add
 * and the folded add's bounds, the kernel the resize's fused residual ran. */
#include "allocator.h"
#include "configs/config.h"
#include "logging.h"
#include "runtime/node-kernels-elementwise.h"
#include "runtime/nodes/layout-kernels.h"
#include "runtime/runtime-executors.h"
#include "runtime/runtime-ops-elementwise.h"
#include "runtime/subgraph.h"

enum pqnn_status pqnn_rt_reshape_upsampled(struct pqnn_runtime* rt, struct pqnn_rt_op* op) {
  struct pqnn_rt_upsampled* u = &op->upsampled;
  if (!u->fused) return pqnn_status_success;
  const struct pqnn_shape* xs = &rt->tensors[op->inputs[u->input]].shape;
  const struct pqnn_shape* ys = &rt->tensors[op->output].shape;
  /* The map, resized as the folded node would, must give the output's shape. */
  const struct pqnn_shape* in_shapes[1] = {xs};
  struct pqnn_shape resized;
  if (pqnn_infer_node_shape("pqnn_reshape_runtime", &u->resize, in_shapes, &resized) !=
          pqnn_status_success ||
      !pqnn_shape_equal(&resized, ys)) {
    PQNN_LOG_ERROR("the upsampled residual fused into a %s node no longer has its output's "
        "shape", pqnn_node_type_string(op->node.type));
    return pqnn_status_invalid_parameter;
  }
  struct pqnn_layout_geometry* g = &op->layout;
  pqnn_rt_resize_geometry(&u->resize.layout.resize, xs, ys, g);
  if (g->out_width > u->columns_capacity) {
    pqnn_release(u->columns);
    u->columns_capacity = 0;
    u->columns = pqnn_allocate(g->out_width * sizeof(size_t));
    if (u->columns == NULL) {
      PQNN_LOG_ERROR("out of memory for %zu upsampled columns", g->out_width);
      return pqnn_status_out_of_memory;
    }
    u->columns_capacity = g->out_width;
  }
  const struct pqnn_resize_params* r = &u->resize.layout.resize;
  for (size_t ox = 0; ox < g->out_width; ox++) {
    u->columns[ox] = pqnn_layout_nearest_index(r->coordinates, r->rounding, ox, g->in_width,
        g->out_width, g->width_scale);
  }
  return pqnn_status_success;
}

/* Calls add(n, y + e, source + offset) for each pixel's part of elements [e0, e1) of the
 * dense NHWC output, offset being the element offset in the source map of the same channels
 * of the output pixel's nearest source pixel. */
#define UPSAMPLED_WALK(add)                                                                 \
  const struct pqnn_layout_geometry* g = &op->layout;                                      \
  const struct pqnn_resize_params* rp = &op->upsampled.resize.layout.resize;               \
  const size_t c = g->channels, w = g->out_width;                                          \
  for (size_t e = e0; e < e1;) {                                                            \
    const size_t pixel = e / c, row = pixel / w;                                            \
    const size_t n = row / g->out_height, oy = row % g->out_height;                         \
    const size_t sy = pqnn_layout_nearest_index(rp->coordinates, rp->rounding, oy,          \
        g->in_height, g->out_height, g->height_scale);                                      \
    const size_t source_row = (n * g->in_height + sy) * g->in_width * c;                    \
    for (size_t ox = pixel % w, k = e % c; e < e1 && ox < w; ox++, k = 0) {                 \
      const size_t len = c - k < e1 - e ? c - k : e1 - e;                                   \
      add;                                                                                  \
      e += len;                                                                             \
    }                                                                                       \
  }

void pqnn_rt_upsampled_f32(struct pqnn_runtime* rt, struct pqnn_rt_op* op, size_t e0,
    size_t e1) {
  const float* x = (const float*) rt->tensors[op->inputs[op->upsampled.input]].data;
  float* y = (float*) rt->tensors[op->output].data;
  const size_t* columns = op->upsampled.columns;
  const struct pqnn_f32_elementwise_params p = {op->upsampled.min, op->upsampled.max, 0, 0};
  const pqnn_vbinary_ukernel_fn vadd = pqnn_get_elementwise_config()->vv[pqnn_binary_add];
  UPSAMPLED_WALK(vadd(len, y + e, x + source_row + columns[ox] * c + k, y + e, &p))
}

void pqnn_rt_upsampled_f16(struct pqnn_runtime* rt, struct pqnn_rt_op* op, size_t e0,
    size_t e1) {
  const uint16_t* x = (const uint16_t*) rt->tensors[op->inputs[op->upsampled.input]].data;
  uint16_t* y = (uint16_t*) rt->tensors[op->output].data;
  const size_t* columns = op->upsampled.columns;
  UPSAMPLED_WALK(pqnn_node_f16_residual(len, y + e, x + source_row + columns[ox] * c + k,
      op->upsampled.min, op->upsampled.max))
}

size_t pqnn_rt_upsampled_row_source(const struct pqnn_rt_op* op, size_t row) {
  const struct pqnn_layout_geometry* g = &op->layout;
  const struct pqnn_resize_params* rp = &op->upsampled.resize.layout.resize;
  const size_t n = row / g->out_height, oy = row % g->out_height;
  const size_t sy = pqnn_layout_nearest_index(rp->coordinates, rp->rounding, oy, g->in_height,
      g->out_height, g->height_scale);
  return (n * g->in_height + sy) * g->in_width;
}
