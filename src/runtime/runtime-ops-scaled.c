/* A per-channel multiply folded into an FC / conv op (runtime-pass-sefold.c): its geometry
 * at reshape, its binding at setup and the epilogue tail that applies it to each output
 * tile x the operator just computed, still in L1 (or, as a pixel step, to the input pixels
 * of the multiply's Winograd reader: runtime-pass-scaled-input.c): t = clamp(x * s[c]) with the multiply's
 * bounds, then x = clamp(t + r) with the fused add's (r: x itself or the residual), then
 * x = clamp(x + lo[source pixel]) with the upsampled add's -- in one pass per pixel by the
 * tier's f32-vmuladd kernel, whose steps are its f32-vbinary multiply and add in the binary
 * nodes' order and operand order, so the bits are the unfused graph's. */

#include "configs/config.h"
#include "logging.h"
#include "operator.h"
#include "runtime/runtime-executors.h"
#include "runtime/subgraph.h"

#define INPUT(op, k) ((const float*) sc->rt->tensors[(op)->inputs[k]].data)

/* The tier's multiply-add chain kernel and the bounds of the multiply, its add and the
 * upsampled add. */
struct steps {
  pqnn_vmuladd_ukernel_fn muladd;
  struct pqnn_f32_muladd_params p;
};

static struct steps steps_of(const struct pqnn_rt_op* op) {
  const struct pqnn_rt_scaled* sc = &op->scaled;
  return (struct steps) {pqnn_get_elementwise_config()->muladd,
      {{sc->min, op->residual_min, op->upsampled.min},
       {sc->max, op->residual_max, op->upsampled.max}}};
}

/* One pixel's n values: y = clamp(x * s) (or s * x), then with a residual y = clamp(y + r),
 * then y = clamp(y + up) when up is non-NULL: f32-vmuladd, one pass with f32-vbinary's
 * multiply and adds in that order (y may be x or r). */
static void scale_pixel(const struct steps* k, const struct pqnn_rt_scaled* sc, size_t n,
    const float* x, const float* s, const float* r, const float* up, float* y) {
  k->muladd(n, sc->scale_first ? s : x, sc->scale_first ? x : s, sc->residual ? r : NULL, up,
      y, &k->p);
}

static void tail_f32(const void* context, void* c, size_t c_stride, size_t pixel,
    size_t channel, size_t pixels, size_t columns) {
  const struct pqnn_rt_op* op = (const struct pqnn_rt_op*) context;
  const struct pqnn_rt_scaled* sc = &op->scaled;
  const struct steps k = steps_of(op);
  const size_t channels = sc->channels;
  const float* s = INPUT(op, sc->scale_input) + channel;
  const float* r = sc->residual_input != 0 ? INPUT(op, sc->residual_input) + channel : NULL;
  const float* lo = op->upsampled.fused ? INPUT(op, op->upsampled.input) + channel : NULL;
  /* The upsampled map's source row, recomputed where the output row changes. */
  const size_t width = op->upsampled.fused ? op->layout.out_width : 1;
  size_t row = pixel / width, ox = pixel % width;
  size_t source = lo != NULL ? pqnn_rt_upsampled_row_source(op, row) : 0;
  for (size_t p = 0; p < pixels; p++, ox++) {
    float* x = (float*) ((char*) c + p * c_stride);
    const size_t q = pixel + p;
    if (ox == width) {
      ox = 0;
      row++;
      if (lo != NULL) source = pqnn_rt_upsampled_row_source(op, row);
    }
    const float* up = lo != NULL
        ? lo + (source + op->upsampled.columns[ox]) * channels : NULL;
    scale_pixel(&k, sc, columns, x, s + q / sc->image_pixels * sc->scale_batch_stride,
        r != NULL ? r + q * channels : x, up, x);
  }
}

/* A multiply stepped by its Winograd reader (runtime-pass-scaled-input.c): `count` pixels
 * of one output row from pixel `pixel` on, from its operand x (at that pixel) into y, both
 * dense: the tail's kernels and order, x read where it lies. */
void pqnn_rt_scaled_step(const void* context, const float* x, float* y, size_t pixel,
    size_t count) {
  const struct pqnn_rt_op* op = (const struct pqnn_rt_op*) context;
  const struct pqnn_rt_scaled* sc = &op->scaled;
  const struct steps k = steps_of(op);
  const size_t c = sc->channels;
  const float* s = INPUT(op, sc->scale_input) + pixel / sc->image_pixels * sc->scale_batch_stride;
  const float* r = sc->residual_input != 0 ? INPUT(op, sc->residual_input) + pixel * c : x;
  const float* lo = NULL;
  size_t ox = 0;
  if (op->upsampled.fused) {
    const size_t width = op->layout.out_width;
    lo = INPUT(op, op->upsampled.input) + pqnn_rt_upsampled_row_source(op, pixel / width) * c;
    ox = pixel % width;
  }
  for (size_t p = 0; p < count; p++, x += c, r += c, y += c) {
    scale_pixel(&k, sc, c, x, s, r, lo != NULL ? lo + op->upsampled.columns[ox + p] * c : NULL,
        y);
  }
}

enum pqnn_status pqnn_rt_reshape_scaled(struct pqnn_runtime* rt, struct pqnn_rt_op* op) {
  struct pqnn_rt_scaled* sc = &op->scaled;
  if (!sc->fused && !sc->stepped) return pqnn_status_success;
  const struct pqnn_shape* ys = &rt->tensors[op->output].shape;
  const struct pqnn_shape* ss = &rt->tensors[op->inputs[sc->scale_input]].shape;
  const bool scale_fits = ys->num_dims == 4 && ss->num_dims == 4 && ss->dim[1] == 1 &&
      ss->dim[2] == 1 && ss->dim[3] == ys->dim[3] &&
      (ss->dim[0] == ys->dim[0] || ss->dim[0] == 1);
  /* A stepped multiply's x is one of its operands, read at the output's pixels. */
  const bool x_fits = !sc->stepped ||
      pqnn_shape_equal(&rt->tensors[op->inputs[1 - sc->scale_input]].shape, ys);
  if (!scale_fits || !x_fits || (sc->residual_input != 0 &&
      !pqnn_shape_equal(&rt->tensors[op->inputs[sc->residual_input]].shape, ys))) {
    PQNN_LOG_ERROR("the channel scale %s a %s node no longer fits its output's shape",
        sc->stepped ? "of" : "folded into", pqnn_node_type_string(op->node.type));
    return pqnn_status_invalid_parameter;
  }
  sc->channels = ys->dim[3];
  sc->image_pixels = ys->dim[1] * ys->dim[2] != 0 ? ys->dim[1] * ys->dim[2] : 1;
  sc->scale_batch_stride = ss->dim[0] == 1 ? 0 : sc->channels;
  return pqnn_rt_reshape_upsampled(rt, op);
}

enum pqnn_status pqnn_rt_setup_scaled(struct pqnn_runtime* rt, struct pqnn_rt_op* op) {
  if (!op->scaled.fused) return pqnn_status_success;
  op->scaled.rt = rt;
  return pqnn_set_output_tail(op->op, tail_f32, op);
}
