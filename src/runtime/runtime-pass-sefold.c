/* Squeeze-excite folding (pqnn_pass_fold_squeeze_excites, after upsampled residual folding,
 * before resize folding). A squeeze-excite block after a linear 1x1 layer,
 *   x = L(y)   (a 1x1 stride-1 unpadded convolution or an FC over pixels: no activation,
 *               no bounds, no fused residual / affine)
 *   s = se(GAP(x))  (one value per image and channel)
 *   out = x * s [+ r] [+ resize(lo)]  (a binary multiply with its fused add and upsampled add)
 * (PaddleOCR det's RSE-FPN neck: 12 -> 96 channels at 160x160) runs in two rewrites, each
 * decided in one place here:
 * 1. pool_commutes: GAP(x) becomes L(GAP(y)) -- the mean commutes with a linear map --, a
 *    global average pooling of y (12 channels instead of 96) followed by a copy of L on
 *    the one pooled row per image (the same weights and bias, its own packed copy). Not
 *    bit-exact: the sums run in another order (well within 1e-5 of the output's scale).
 * 2. scale_folds: when the binary multiply is then the only reader of x, L moves to the
 *    multiply's place (its input y lives longer; s is ready there), writes `out` and runs
 *    the multiply, its fused add and its upsampled add on each output tile right after
 *    computing it, in its epilogue's last step (runtime-ops-scaled.c): the binary node and
 *    x leave the plan. The same kernels in the same order as the binary node, so the bits
 *    are the unfused multiply's. f32 only; not when L has an epilogue of its own or joins a
 *    row band (runtime-band.c skips it), nor under keep_values. */
#include <math.h>

#include "logging.h"
#include "runtime/runtime-passes.h"
#include "runtime/runtime-shared.h"

/* A linear 1x1 layer: FC over a 4-D / 2-D input or a 1x1 stride-1 unpadded convolution,
 * float in and out of one datatype, no bounds, no fused step. */
static bool is_linear_pointwise(const struct pqnn_runtime* rt, const struct pqnn_rt_op* op) {
  const struct pqnn_rt_tensor* y = &rt->tensors[op->inputs[0]];
  const struct pqnn_rt_tensor* x = &rt->tensors[op->output];
  if (op->info.inserted || op->num_inputs != 1 || op->info.fused_add ||
      op->activation.type != pqnn_node_type_invalid || op->affine.fused || op->scaled.fused ||
      op->upsampled.fused || op->output_min != -INFINITY || op->output_max != INFINITY ||
      y->datatype != x->datatype ||
      (x->datatype != pqnn_datatype_fp32 && x->datatype != pqnn_datatype_fp16)) {
    return false;
  }
  if (op->node.type == pqnn_node_type_fully_connected) return true;
  const struct pqnn_conv_params* p = &op->node.conv;
  return op->node.type == pqnn_node_type_convolution_2d && p->kernel_height == 1 &&
      p->kernel_width == 1 && p->stride_height == 1 && p->stride_width == 1 &&
      p->pad_top == 0 && p->pad_bottom == 0 && p->pad_left == 0 && p->pad_right == 0;
}

/* 1. Whether global average pooling op g (unbounded) reads the output of a linear 1x1
 * layer (not external) and pools to a shape that layer can take: [N, 1, 1, C] (an FC also
 * [N, C]). */
static bool pool_commutes(const struct pqnn_runtime* rt, const struct pqnn_rt_op* g) {
  /* Bounds on the mean do not commute with L. */
  if (g->node.type != pqnn_node_type_global_average_pooling_2d || g->info.inserted ||
      g->num_inputs != 1 || g->info.fused_clamp || g->info.pool_commuted ||
      g->output_min != -INFINITY || g->output_max != INFINITY) {
    return false;
  }
  const struct pqnn_rt_tensor* x = &rt->tensors[g->inputs[0]];
  if (x->producer == PQNN_NO_NODE || x->external_flags != 0 || x->shape.num_dims != 4 ||
      rt->tensors[g->output].datatype != x->datatype) {
    return false;
  }
  const struct pqnn_rt_op* layer = &rt->ops[x->producer];
  if (!is_linear_pointwise(rt, layer)) return false;
  return layer->node.type == pqnn_node_type_fully_connected || g->node.new_shape.num_dims != 2;
}

/* GAP op g reads the layer's input into a new tensor; a copy of the layer right after it
 * maps that to the pooling's output. */
static void commute_pool(struct pqnn_runtime* rt, uint32_t g) {
  const uint32_t x = rt->ops[g].inputs[0];
  const struct pqnn_rt_op layer = rt->ops[rt->tensors[x].producer];
  const uint32_t pooled = pqnn_rt_add_tensor(rt, layer.inputs[0],
      rt->tensors[layer.inputs[0]].datatype);
  const uint32_t output = rt->ops[g].output;
  rt->ops[g].inputs[0] = layer.inputs[0];
  rt->ops[g].output = pooled;
  rt->ops[g].info.pool_commuted = 1;
  struct pqnn_rt_op* copy = pqnn_rt_insert_op(rt, g + 1, layer.node.type, pooled, output);
  *copy = layer;
  copy->inputs[0] = pooled;
  copy->output = output;
  copy->info.pool_commuted = 1;
  copy->band = 0;
}

/* 2. Whether binary op b (a multiply) folds into the linear 1x1 layer that writes one of
 * its operands x: f32, x read by nothing but b (its operand and, for x * s + x, its
 * residual), the other operand s one value per image and channel ([N, 1, 1, C], written
 * by an op), a fused residual of the output's shape, if any, written by an op. Sets *k,
 * the operand that is x. */
static bool scale_folds(const struct pqnn_runtime* rt, const struct pqnn_rt_op* b,
    uint32_t* k) {
  if (b->node.type != pqnn_node_type_binary || b->node.elementwise_op != pqnn_binary_multiply ||
      b->info.inserted || b->num_inputs < 2 || b->inputs[0] == b->inputs[1] ||
      rt->tensors[b->output].datatype != pqnn_datatype_fp32) {
    return false;
  }
  const struct pqnn_shape* out = &rt->tensors[b->output].shape;
  for (*k = 0; *k < 2; (*k)++) {
    const uint32_t x = b->inputs[*k], s = b->inputs[1 - *k];
    const struct pqnn_rt_tensor* xt = &rt->tensors[x];
    const struct pqnn_rt_tensor* st = &rt->tensors[s];
    if (xt->producer == PQNN_NO_NODE || xt->external_flags != 0 ||
        st->producer == PQNN_NO_NODE || xt->datatype != pqnn_datatype_fp32 ||
        st->datatype != pqnn_datatype_fp32 || !pqnn_shape_equal(&xt->shape, out) ||
        out->num_dims != 4 || st->shape.num_dims != 4 || st->shape.dim[1] != 1 ||
        st->shape.dim[2] != 1 || st->shape.dim[3] != out->dim[3] ||
        (st->shape.dim[0] != out->dim[0] && st->shape.dim[0] != 1) ||
        !is_linear_pointwise(rt, &rt->ops[xt->producer])) {
      continue;
    }
    /* Every read of x is b's (operand, and residual when it is x). */
    uint32_t reads = 0;
    for (uint32_t i = 0; i < b->num_inputs; i++) reads += b->inputs[i] == x;
    if (xt->consumers != reads || (b->num_inputs > 2 && b->inputs[2] != x &&
        rt->tensors[b->inputs[2]].producer == PQNN_NO_NODE)) {
      continue;
    }
    return true;
  }
  return false;
}

/* Layer op l moves to binary op b's place (l < b), takes its inputs and output; b leaves. */
static void fold_scale(struct pqnn_runtime* rt, uint32_t b, uint32_t k) {
  const uint32_t x = rt->ops[b].inputs[k];
  pqnn_rt_sink_op(rt, rt->tensors[x].producer, b);  /* the layer is at b - 1 now */
  struct pqnn_rt_op* layer = &rt->ops[b - 1];
  const struct pqnn_rt_op* mul = &rt->ops[b];
  struct pqnn_rt_scaled* sc = &layer->scaled;
  sc->fused = true;
  sc->scale_first = k == 1;
  sc->min = mul->output_min;
  sc->max = mul->output_max;
  layer->inputs[layer->num_inputs++] = mul->inputs[1 - k];
  sc->scale_input = 1;
  if (mul->num_inputs > 2) {
    sc->residual = true;
    layer->residual_min = mul->residual_min;
    layer->residual_max = mul->residual_max;
    if (mul->inputs[2] != x) {
      sc->residual_input = layer->num_inputs;
      layer->inputs[layer->num_inputs++] = mul->inputs[2];
    }
  }
  if (mul->upsampled.fused) {
    layer->upsampled = mul->upsampled;
    layer->upsampled.input = layer->num_inputs;
    layer->inputs[layer->num_inputs++] = mul->inputs[mul->upsampled.input];
    layer->info.fused_upsampled_add = 1;
  }
  layer->output = mul->output;
  layer->info.fused_channel_scale = 1;
  layer->info.fused_add = mul->info.fused_add;
  layer->info.fused_clamp |= mul->info.fused_clamp;
  rt->ops[b].removed = true;
  pqnn_rt_drop_removed_ops(rt);
}

/* Whether the pooling may commute. A commuted pooling rounds unlike the graph's own (and
 * unlike other frameworks' f32): PaddleOCR det's map moves 1.42e-4 of its maximum against
 * ONNX Runtime's f32, over the importer's 1e-4 f32 contract, while ORT itself moves 1.09e-4
 * under the same rewrite of its model (docs/runtime.md). So by default it commutes only
 * where the runtime computes approximately anyway -- dynamic quantization, f16 inference
 * -- and an f32 graph opts in with the runtime option f32_pool_commute. keep_values: every
 * value stays readable. */
static bool commute_allowed(const struct pqnn_runtime* rt) {
  if (rt->keep_values || rt->no_pool_commute) return false;
  if (rt->f32_pool_commute) return true;
  return (rt->flags & PQNN_FLAG_DYNAMIC_RANGE_QUANTIZATION) != 0 ||
      rt->fp16_decision == pqnn_fp16_decision_fp16 ||
      rt->fp16_decision == pqnn_fp16_decision_forced;
}

void pqnn_pass_fold_squeeze_excites(struct pqnn_runtime* rt) {
  if (!commute_allowed(rt)) return;
  pqnn_rt_index_ops(rt);
  for (uint32_t i = 0; i < rt->num_ops; i++) {
    if (!pool_commutes(rt, &rt->ops[i])) continue;
    commute_pool(rt, i);
    pqnn_rt_index_ops(rt);
    PQNN_LOG_INFO("op %u (global_average_pooling_2d) pools the input of the 1x1 layer "
        "before it; a copy of that layer follows", (unsigned) i);
    i++;  /* past the copy */
  }
  if (rt->no_scale_fusion) return;
  for (uint32_t i = 0; i < rt->num_ops; i++) {
    uint32_t k;
    if (!scale_folds(rt, &rt->ops[i], &k)) continue;
    fold_scale(rt, i, k);
    pqnn_rt_index_ops(rt);
    PQNN_LOG_INFO("op %u (binary multiply) runs in the epilogue of the 1x1 layer that "
        "wrote its operand", (unsigned) i);
    i--;  /* the layer is at i - 1, the op after the multiply at i */
  }
}
