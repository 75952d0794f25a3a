/* Resize folding into concatenation (pqnn_pass_fold_resizes_into_concats, the planner's
 * last pass but one): a nearest 2-D resize whose only reader is a concatenation along the channel
 * axis (an FPN head resizing each level to one size before concatenating them) runs inside
 * the concat, which reads the resize's input through the resize's source indices: the
 * upsampled map is never written nor read back. The resize op stays in the list (its
 * reshape keeps the shapes and the source geometry current) but does no work, and its
 * output gets no storage; the concat reads the resize's input as an extra last input, which
 * keeps it alive until the concat runs. `resize_folds` is the one place deciding. */
#include "runtime/runtime-passes.h"
#include "runtime/runtime-shared.h"

/* Whether input k of concat op `concat` is a resize the concat may run. */
static bool resize_folds(const struct pqnn_runtime* rt, const struct pqnn_rt_op* concat,
    uint32_t k) {
  const struct pqnn_rt_tensor* t = &rt->tensors[concat->inputs[k]];
  if (t->producer == PQNN_NO_NODE || t->consumers != 1 || t->external_flags != 0) return false;
  const struct pqnn_rt_op* resize = &rt->ops[t->producer];
  return resize->node.type == pqnn_node_type_static_resize_2d && !resize->info.inserted &&
      !resize->folded && resize->num_inputs == 1 &&
      resize->node.layout.resize.mode == pqnn_resize_nearest &&
      rt->tensors[resize->inputs[0]].datatype == t->datatype;
}

void pqnn_pass_fold_resizes_into_concats(struct pqnn_runtime* rt) {
  if (rt->keep_values) return;  /* every value stays readable */
  pqnn_rt_index_ops(rt);
  for (uint32_t i = 0; i < rt->num_ops; i++) {
    struct pqnn_rt_op* concat = &rt->ops[i];
    const struct pqnn_rt_tensor* y = &rt->tensors[concat->output];
    if (concat->node.type != pqnn_node_type_concatenate || y->shape.num_dims != 4 ||
        concat->node.layout.axis != 3) {
      continue;
    }
    const uint32_t parts = concat->node.num_inputs;
    for (uint32_t k = 0; k < parts; k++) {
      if (concat->num_inputs >= PQNN_NODE_MAX_INPUTS || !resize_folds(rt, concat, k)) continue;
      const uint32_t r = rt->tensors[concat->inputs[k]].producer;
      struct pqnn_rt_op* resize = &rt->ops[r];
      resize->folded = true;
      resize->info.folded_into_consumer = 1;
      rt->tensors[resize->output].unwritten = true;
      concat->layout.resized_parts |= UINT32_C(1) << k;
      concat->layout.resize_op[k] = r;
      concat->inputs[concat->num_inputs++] = resize->inputs[0];
    }
  }
  pqnn_rt_index_ops(rt);
}
