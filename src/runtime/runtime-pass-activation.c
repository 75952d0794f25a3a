/* Activation fusion (runtime-passes.h, passes 4 and 6): a unary node (pqnn_define_unary,
 * any operator, or gelu) with an f32 / f16 input written by a fully connected, convolution,
 * depthwise convolution or deconvolution op, its only reader, the input not external,
 * becomes that op's output activation: the op writes the unary's output and applies the
 * unary's kernel to each output tile (deconvolution: row) right after computing it (after
 * its bounds), in L1 (the operator's epilogue, src/operators/epilogue.c), instead of a node
 * that reads and writes the whole tensor again. The kernel is the one the unary node runs (the tier's f32-vunary kernel
 * with the node's params, or its gelu kernel), element by element, so the outputs are
 * the unfused graph's bits (f16: widened, computed in f32, rounded once, as the f16 node).
 * The pass runs before residual add fusion (op -> act -> add: the add then fuses into the
 * op, which applies the activation first) and after it (op -> add -> act: the activation
 * follows the fused add and its bounds; deconvolution takes no add). An op takes one
 * activation. Binary and add2 producers keep their unary nodes. */
#include <math.h>

#include "configs/config.h"
#include "runtime/runtime-passes.h"
#include "runtime/runtime-shared.h"

/* A unary node the pass can fuse (types only; the producer decides the rest). */
static bool is_activation(const struct pqnn_rt_op* op) {
  return !op->info.inserted && op->num_inputs == 1 &&
      (op->node.type == pqnn_node_type_unary || op->node.type == pqnn_node_type_gelu);
}

/* The one place deciding whether `unary` fuses into the op writing its input. */
static bool activation_fuses(const struct pqnn_runtime* rt, const struct pqnn_rt_op* unary) {
  const struct pqnn_rt_tensor* x = &rt->tensors[unary->inputs[0]];
  const struct pqnn_rt_tensor* y = &rt->tensors[unary->output];
  if (!is_activation(unary) || x->producer == PQNN_NO_NODE || x->consumers != 1 ||
      x->external_flags != 0 || x->datatype != y->datatype ||
      (x->datatype != pqnn_datatype_fp32 && x->datatype != pqnn_datatype_fp16)) {
    return false;
  }
  const struct pqnn_rt_op* producer = &rt->ops[x->producer];
  const enum pqnn_node_type type = producer->node.type;
  return !producer->removed && !producer->info.inserted &&
      producer->activation.type == pqnn_node_type_invalid &&
      pqnn_rt_is_gemm_node(type) &&
      producer->num_inputs == (producer->info.fused_add ? 2u : 1u);
}

void pqnn_pass_fuse_activations(struct pqnn_runtime* rt) {
  if (rt->no_activation_fusion) return;
  pqnn_rt_index_ops(rt);
  bool removed = false;
  for (uint32_t i = 0; i < rt->num_ops; i++) {
    struct pqnn_rt_op* unary = &rt->ops[i];
    if (!activation_fuses(rt, unary)) continue;
    struct pqnn_rt_op* producer = &rt->ops[rt->tensors[unary->inputs[0]].producer];
    producer->activation = (struct pqnn_rt_activation) {
      .type = unary->node.type,
      .unary = unary->node.elementwise_op,
      .params = unary->node.unary,
      .after_add = producer->info.fused_add != 0,
    };
    producer->output = unary->output;
    producer->info.fused_activation = 1;
    producer->info.activation_after_add = producer->info.fused_add;
    /* The unary is skipped from now on (a unary reading its output sees a removed
     * producer until the list is indexed again). */
    unary->removed = true;
    removed = true;
  }
  if (removed) {
    pqnn_rt_drop_removed_ops(rt);
    pqnn_rt_index_ops(rt);
  }
}

pqnn_vunary_ukernel_fn pqnn_rt_activation_kernel(const struct pqnn_rt_op* op,
    struct pqnn_f32_elementwise_params* params) {
  const struct pqnn_rt_activation* a = &op->activation;
  /* The unary node's params (node-kernels-elementwise.c: no bounds, alpha, beta). */
  *params = (struct pqnn_f32_elementwise_params) {-INFINITY, INFINITY, a->params.alpha,
      a->params.beta};
  if (a->type == pqnn_node_type_gelu) return pqnn_get_elementwise_config()->gelu;
  if (a->type != pqnn_node_type_unary || a->unary >= PQNN_UNARY_OPERATOR_COUNT) return NULL;
  return pqnn_get_elementwise_config()->unary[a->unary];
}

const char* pqnn_rt_activation_name(const struct pqnn_rt_op* op) {
  static const char* const kNames[PQNN_UNARY_OPERATOR_COUNT] = {
    [pqnn_unary_relu] = "relu", [pqnn_unary_leaky_relu] = "leaky_relu",
    [pqnn_unary_sigmoid] = "sigmoid", [pqnn_unary_tanh] = "tanh",
    [pqnn_unary_hardsigmoid] = "hardsigmoid", [pqnn_unary_hardswish] = "hardswish",
    [pqnn_unary_swish] = "swish", [pqnn_unary_exp] = "exp", [pqnn_unary_log] = "log",
    [pqnn_unary_sqrt] = "sqrt", [pqnn_unary_square] = "square", [pqnn_unary_abs] = "abs",
    [pqnn_unary_negate] = "negate", [pqnn_unary_erf] = "erf",
    [pqnn_unary_floor] = "floor", [pqnn_unary_ceil] = "ceil", [pqnn_unary_round] = "round",
  };
  const struct pqnn_rt_activation* a = &op->activation;
  if (a->type == pqnn_node_type_gelu) return "gelu";
  if (a->type != pqnn_node_type_unary || a->unary >= PQNN_UNARY_OPERATOR_COUNT ||
      kNames[a->unary] == NULL) {
    return "";
  }
  return kNames[a->unary];
}
