/* Affine fusion (runtime-passes.h, pass 7): a per-channel affine y = clamp(x * s + b) --
 * a depthwise convolution node with a 1x1 kernel, stride 1, no padding and multiplier 1,
 * as the ONNX importer emits for a Mul (and Add) by per-channel or scalar constants that
 * cannot fold into a conv's weights because an activation sits between them (PP-LCNetV3's
 * learnable affine after hardswish) -- whose f32 / f16 input is written by a fully
 * connected, convolution, depthwise convolution or deconvolution op, its only reader, the
 * input not external, becomes the last step of that op's output epilogue: the op writes
 * the affine's output and applies it to each output tile (deconvolution: row) after its
 * bounds, its fused activation and its fused add, in L1, instead of a node that reads and
 * writes the whole tensor again. The pass runs after both activation passes and residual
 * fusion, so whatever those fused precedes the affine, which is the graph's order: the
 * affine's input is the op's output after all of them.
 * The affine keeps its operator (created at planning by the same face as the unfused node,
 * runtime-ops-gemm.c), whose DWCONV kernel, packed weights and bounds the epilogue runs on
 * each tile (src/operators/epilogue.c): the outputs are the unfused graph's bits on every
 * tier (FMA or multiply-add, whatever the tier's 1-tap kernel does; f16 in f16 storage).
 * An affine with a fused add or activation of its own stays a node (the epilogue ends with
 * it); one that runs qd8 reads an inserted convert and stays a node; an op takes one. */
#include "runtime/runtime-passes.h"
#include "runtime/runtime-shared.h"

/* A depthwise node the pass can fuse (its own shape; the producer decides the rest). */
static bool is_affine(const struct pqnn_rt_op* op) {
  const struct pqnn_conv_params* c = &op->node.conv;
  return !op->info.inserted && op->node.type == pqnn_node_type_depthwise_convolution_2d &&
      op->num_inputs == 1 && !op->info.fused_add && !op->info.fused_activation &&
      (op->node.flags & PQNN_FLAG_TENSORFLOW_SAME_PADDING) == 0 &&
      c->kernel_height == 1 && c->kernel_width == 1 && c->stride_height == 1 &&
      c->stride_width == 1 && (c->pad_top | c->pad_right | c->pad_bottom | c->pad_left) == 0 &&
      c->group_input_channels == 1 && c->group_output_channels == 1;
}

/* The one place deciding whether `affine` fuses into the op writing its input. */
static bool affine_fuses(const struct pqnn_runtime* rt, const struct pqnn_rt_op* affine) {
  if (!is_affine(affine)) return false;
  const struct pqnn_rt_tensor* x = &rt->tensors[affine->inputs[0]];
  const struct pqnn_rt_tensor* y = &rt->tensors[affine->output];
  if (x->producer == PQNN_NO_NODE || x->consumers != 1 || x->external_flags != 0 ||
      x->datatype != y->datatype ||
      (x->datatype != pqnn_datatype_fp32 && x->datatype != pqnn_datatype_fp16)) {
    return false;
  }
  const struct pqnn_rt_op* producer = &rt->ops[x->producer];
  return !producer->removed && !producer->info.inserted && !producer->affine.fused &&
      pqnn_rt_is_gemm_node(producer->node.type) &&
      producer->num_inputs == (producer->info.fused_add ? 2u : 1u);
}

void pqnn_pass_fuse_affines(struct pqnn_runtime* rt) {
  if (rt->no_affine_fusion) return;
  pqnn_rt_index_ops(rt);
  bool removed = false;
  for (uint32_t i = 0; i < rt->num_ops; i++) {
    struct pqnn_rt_op* affine = &rt->ops[i];
    if (!affine_fuses(rt, affine)) continue;
    struct pqnn_rt_op* producer = &rt->ops[rt->tensors[affine->inputs[0]].producer];
    producer->affine = (struct pqnn_rt_affine) {
      .fused = true,
      .node = affine->node,
      .weights = {affine->weights[0], affine->weights[1]},
      .input = affine->inputs[0],
    };
    producer->affine.node.output_min = affine->output_min;
    producer->affine.node.output_max = affine->output_max;
    producer->output = affine->output;
    producer->info.fused_affine = 1;
    /* Skipped from now on (an affine reading its output sees a removed producer until the
     * list is indexed again: chains fuse one link per plan). */
    affine->removed = true;
    removed = true;
  }
  if (removed) {
    pqnn_rt_drop_removed_ops(rt);
    pqnn_rt_index_ops(rt);
  }
}
