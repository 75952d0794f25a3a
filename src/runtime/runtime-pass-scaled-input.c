/* A per-channel multiply read by its Winograd convolution (pqnn_pass_read_scaled_in_winograd,
 * after the squeeze-excite fold, with the concat-input pass the last ones). An f32 binary
 * multiply `out = x * s [+ r] [+ resize(lo)]` (s one value per image and channel, x and r of
 * the output's shape, its fused add and upsampled add if any: PaddleOCR det's RSE-FPN neck,
 * y * se(y) + y + up(lo) at 160x160x96) whose only reader is an f32 convolution on the
 * Winograd path is never written: the convolution reads x as its one input part, and the
 * input transform copies the 6 pixels of each tile row it reads to a stage and runs the
 * multiply and its adds there (the part's pixel_step, pqnn_rt_scaled_step: the epilogue tail
 * of a multiply folded into a 1x1 layer, runtime-ops-scaled.c, which is the binary node's
 * kernels in its order and operand order), so the transform sees the unfused graph's bits.
 * Each input pixel is stepped about 2.25 times (6x6 reads per 4x4 tile) against a write
 * and a read of the whole map. The binary op stays in the list (its reshape keeps the
 * scale and upsampled geometry current) with an empty range; its inputs live until the
 * convolution runs (pqnn_rt_scaled_input_lifetimes). `steps_multiply` is the one place
 * deciding. Runtime option no_scale_fusion (the multiply a node of its own) turns it off,
 * as keep_values does. */
#include "allocator.h"
#include "logging.h"
#include "operator.h"
#include "runtime/runtime-executors.h"
#include "runtime/runtime-passes.h"
#include "runtime/runtime-shared.h"

/* Whether binary op b is an f32 per-channel multiply the Winograd input can step: x (its
 * operand *k, the output's shape), s [N or 1, 1, 1, C], a fused residual (inputs[2]) of the
 * output's shape and the upsampled add, nothing else fused (no activation, no affine). */
static bool is_channel_multiply(const struct pqnn_runtime* rt, const struct pqnn_rt_op* b,
    uint32_t* k) {
  if (b->node.type != pqnn_node_type_binary || b->node.elementwise_op != pqnn_binary_multiply ||
      b->info.inserted || b->removed || b->folded || b->num_inputs < 2 ||
      b->inputs[0] == b->inputs[1] || b->activation.type != pqnn_node_type_invalid ||
      b->affine.fused || b->scaled.fused || b->band != 0 ||
      rt->tensors[b->output].datatype != pqnn_datatype_fp32) {
    return false;
  }
  const struct pqnn_shape* out = &rt->tensors[b->output].shape;
  if (out->num_dims != 4) return false;
  for (uint32_t i = 0; i < b->num_inputs; i++) {
    const struct pqnn_rt_tensor* t = &rt->tensors[b->inputs[i]];
    if (t->datatype != pqnn_datatype_fp32 || t->unwritten) return false;
  }
  if (b->num_inputs > 2 && !pqnn_shape_equal(&rt->tensors[b->inputs[2]].shape, out)) {
    return false;
  }
  for (*k = 0; *k < 2; (*k)++) {
    const struct pqnn_shape* xs = &rt->tensors[b->inputs[*k]].shape;
    const struct pqnn_shape* ss = &rt->tensors[b->inputs[1 - *k]].shape;
    if (pqnn_shape_equal(xs, out) && ss->num_dims == 4 && ss->dim[1] == 1 &&
        ss->dim[2] == 1 && ss->dim[3] == out->dim[3] &&
        (ss->dim[0] == out->dim[0] || ss->dim[0] == 1)) {
      return true;
    }
  }
  return false;
}

/* Whether conv op `conv` may step the multiply that writes its input; *k: that multiply's
 * operand x. */
static bool steps_multiply(const struct pqnn_runtime* rt, const struct pqnn_rt_op* conv,
    uint32_t* k) {
  if (conv->node.type != pqnn_node_type_convolution_2d || conv->removed ||
      conv->info.inserted || conv->num_inputs == 0 || conv->concat_input.fused ||
      conv->scaled_input.fused || conv->band != 0 ||
      rt->tensors[conv->output].datatype != pqnn_datatype_fp32) {
    return false;
  }
  const struct pqnn_rt_tensor* x = &rt->tensors[conv->inputs[0]];
  if (x->datatype != pqnn_datatype_fp32 || x->producer == PQNN_NO_NODE || x->consumers != 1 ||
      x->external_flags != 0 || x->unwritten || x->shape.num_dims != 4) {
    return false;
  }
  return is_channel_multiply(rt, &rt->ops[x->producer], k) &&
      pqnn_rt_conv_takes_winograd(conv);
}

void pqnn_pass_read_scaled_in_winograd(struct pqnn_runtime* rt) {
  if (rt->keep_values || rt->no_scale_fusion) return;  /* every value readable; a node */
  pqnn_rt_index_ops(rt);
  for (uint32_t i = 0; i < rt->num_ops; i++) {
    struct pqnn_rt_op* conv = &rt->ops[i];
    uint32_t k;
    if (!steps_multiply(rt, conv, &k)) continue;
    struct pqnn_rt_tensor* x = &rt->tensors[conv->inputs[0]];
    struct pqnn_rt_op* mul = &rt->ops[x->producer];
    struct pqnn_rt_scaled* sc = &mul->scaled;
    sc->stepped = true;
    sc->scale_first = k == 1;
    sc->scale_input = 1 - k;
    sc->min = mul->output_min;
    sc->max = mul->output_max;
    sc->residual = mul->num_inputs > 2;
    sc->residual_input = sc->residual && mul->inputs[2] != mul->inputs[k] ? 2 : 0;
    mul->folded = true;
    mul->info.folded_into_consumer = 1;
    x->unwritten = true;
    conv->scaled_input.fused = true;
    conv->scaled_input.op = x->producer;
    conv->info.fused_scaled_input = 1;
    PQNN_LOG_INFO("op %u (binary multiply) runs in the input transform of op %u "
        "(convolution_2d, Winograd)", (unsigned) x->producer, (unsigned) i);
  }
}

void pqnn_rt_scaled_input_lifetimes(struct pqnn_runtime* rt) {
  for (uint32_t i = 0; i < rt->num_ops; i++) {
    const struct pqnn_rt_op* conv = &rt->ops[i];
    if (!conv->scaled_input.fused) continue;
    const struct pqnn_rt_op* mul = &rt->ops[conv->scaled_input.op];
    for (uint32_t k = 0; k < mul->num_inputs; k++) {  /* the upsampled map's included */
      struct pqnn_rt_tensor* t = &rt->tensors[mul->inputs[k]];
      if (i > t->last_op) t->last_op = i;
    }
  }
}

enum pqnn_status pqnn_rt_setup_scaled_input(struct pqnn_runtime* rt, struct pqnn_rt_op* op) {
  struct pqnn_rt_op* mul = &rt->ops[op->scaled_input.op];
  const struct pqnn_rt_tensor* x = &rt->tensors[mul->inputs[1 - mul->scaled.scale_input]];
  if (op->scaled_input.part == NULL) {
    op->scaled_input.part = pqnn_allocate(sizeof(struct pqnn_winograd_part));
    if (op->scaled_input.part == NULL) {
      PQNN_LOG_ERROR("out of memory for a Winograd input part");
      return pqnn_status_out_of_memory;
    }
  }
  mul->scaled.rt = rt;
  const struct pqnn_shape* xs = &x->shape;  /* the multiply's reshape checked it */
  *op->scaled_input.part = (struct pqnn_winograd_part) {(const float*) x->data, xs->dim[3],
      xs->dim[3], xs->dim[1], xs->dim[2], NULL, NULL, pqnn_rt_scaled_step, mul};
  /* The input pointer is not read (the part is); x stands for it. */
  enum pqnn_status status = pqnn_setup_convolution2d_nhwc_f32(op->op, (const float*) x->data,
      (float*) rt->tensors[op->output].data);
  if (status != pqnn_status_success) return status;
  return pqnn_setup_winograd_input_parts(op->op, 1, op->scaled_input.part);
}
