/* Upsampled residual folding (pqnn_pass_fold_upsampled_residuals, after residual add
 * fusion): an FPN top-down add out = resize(lo) + t, already fused into the resize (the
 * resize writes the upsampled map and adds t per chunk of rows), where t is written by a
 * binary / add2 op that already carries a fused residual of its own (the x * se(x) + x of
 * a squeeze-excite block: PaddleOCR det's neck) and read by nothing else. Then the binary
 * op writes `out` itself: after its own residual it adds lo at each output pixel's nearest
 * source pixel (runtime-ops-upsampled.c), and the resize op leaves the list. t is never
 * written nor read back: one pass over the 160x160 map instead of two. The add's operands
 * are the same values in the other order (t + up instead of up + t), added by the same
 * kernel with the same bounds, so the bits are the resize's. `upsample_folds` is the one
 * place deciding. */
#include "runtime/runtime-passes.h"
#include "runtime/runtime-shared.h"

/* Whether resize op r (a nearest resize with a fused residual) folds into the op that
 * writes its residual: that op is a binary / add2 with a fused residual (and no upsampled
 * one yet) and the same output datatype, the residual is read only by the resize and not
 * external, and the resize's input is written before the resize (the binary op is then
 * moved down to just before the resize: nothing else reads its output, and its inputs only
 * live longer). */
static bool upsample_folds(const struct pqnn_runtime* rt, uint32_t r) {
  const struct pqnn_rt_op* resize = &rt->ops[r];
  if (resize->node.type != pqnn_node_type_static_resize_2d || resize->info.inserted ||
      resize->folded || resize->num_inputs != 2 || !resize->info.fused_add ||
      resize->node.layout.resize.mode != pqnn_resize_nearest) {
    return false;
  }
  const struct pqnn_rt_tensor* y = &rt->tensors[resize->output];
  const struct pqnn_rt_tensor* lo = &rt->tensors[resize->inputs[0]];
  const struct pqnn_rt_tensor* t = &rt->tensors[resize->inputs[1]];
  if (y->shape.num_dims != 4 || lo->datatype != y->datatype || t->datatype != y->datatype ||
      t->producer == PQNN_NO_NODE || t->consumers != 1 || t->external_flags != 0 ||
      resize->inputs[0] == resize->inputs[1]) {
    return false;
  }
  const struct pqnn_rt_op* producer = &rt->ops[t->producer];
  return (producer->node.type == pqnn_node_type_binary ||
             producer->node.type == pqnn_node_type_add2) &&
      !producer->info.inserted && producer->info.fused_add && producer->num_inputs == 3 &&
      !producer->upsampled.fused;
}

void pqnn_pass_fold_upsampled_residuals(struct pqnn_runtime* rt) {
  if (rt->keep_values) return;  /* every value stays readable */
  pqnn_rt_index_ops(rt);
  for (uint32_t r = 0; r < rt->num_ops; r++) {
    if (!upsample_folds(rt, r)) continue;
    uint32_t at = rt->tensors[rt->ops[r].inputs[1]].producer;
    const uint32_t lo_producer = rt->tensors[rt->ops[r].inputs[0]].producer;
    if (lo_producer != PQNN_NO_NODE && lo_producer > at) {
      pqnn_rt_sink_op(rt, at, r);  /* the resize stays at r, the binary op is at r - 1 */
      at = r - 1;
      pqnn_rt_index_ops(rt);
    }
    struct pqnn_rt_op* resize = &rt->ops[r];
    struct pqnn_rt_op* producer = &rt->ops[at];
    producer->inputs[producer->num_inputs++] = resize->inputs[0];
    producer->output = resize->output;
    producer->upsampled.fused = true;
    producer->upsampled.input = producer->num_inputs - 1;
    producer->upsampled.resize = resize->node;
    producer->upsampled.min = resize->residual_min;
    producer->upsampled.max = resize->residual_max;
    producer->info.fused_upsampled_add = 1;
    producer->info.fused_clamp |= resize->info.fused_clamp;
    resize->removed = true;
    pqnn_rt_drop_removed_ops(rt);
    pqnn_rt_index_ops(rt);
    r--;  /* the op after the resize is at r now (a resize with a residual is never op 0) */
  }
}
