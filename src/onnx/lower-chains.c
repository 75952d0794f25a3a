/* Ops without a node of their own, lowered to short chains of existing nodes (docs/onnx.md,
 * "Ops lowered to chains", lists each op's chain). Every intermediate is a temporary value
 * of the lowering (no ONNX tensor). */
#include <math.h>
#include <string.h>

#include "onnx/internal.h"

/* A temporary activation of the lowering (shape and layout set by the emit_* call defining
 * it). */
static void temporary(struct ox_tensor* t) {
  memset(t, 0, sizeof(*t));
  t->name = "(temporary)";
  t->rank = -1;
  t->graph_input = -1;
  t->graph_output = -1;
}

/* A float scalar constant operand (the value is copied when the node is defined). */
static struct ox_tensor scalar_constant(const float* value) {
  struct ox_tensor t;
  temporary(&t);
  t.name = "(constant)";
  t.rank = 0;
  t.is_const = true;
  t.available = true;
  t.elem_type = OX_FLOAT;
  t.f = value;
  return t;
}

/* ---- Sum, Mean, Reciprocal ---- */

#define OX_MAX_SUM_OPERANDS 256

enum pqnn_status ox_lower_sum_mean(struct ox_pass* p, bool mean) {
  const struct ox_node* n = p->node;
  struct ox_tensor* y = ox_output(p, 0);
  if (y == NULL) return ox_invalid(p, "no output");
  if (n->num_inputs < 1) return ox_invalid(p, "no operands");
  if (n->num_inputs > OX_MAX_SUM_OPERANDS) {
    return ox_unsupported(p, "more than %d operands", OX_MAX_SUM_OPERANDS);
  }
  size_t first = n->num_inputs;
  for (size_t k = 0; k < n->num_inputs; k++) {
    if (n->inputs[k] < 0) return ox_invalid(p, "operand %zu is missing", k);
    if (first == n->num_inputs && !p->t[n->inputs[k]].is_const) first = k;
  }
  if (first == n->num_inputs) return ox_unsupported(p, "every operand is a constant");
  struct ox_tensor* acc = &p->t[n->inputs[first]];
  if (n->num_inputs == 1) {
    /* The sum (and mean) of one operand is a copy. */
    ox_set_shape(y, acc->rank, acc->dims);
    y->channels_last = acc->channels_last;
    return ox_emit_reshape(p, acc->id, y);
  }
  /* The operands in order (an activation first: a constant cannot start the chain), each add
   * into one of two alternating temporaries, the last one into y unless Mean scales after. */
  struct ox_tensor tmp[2];
  size_t added = 0;
  enum pqnn_status status = pqnn_status_success;
  for (size_t k = 0; k < n->num_inputs && status == pqnn_status_success; k++) {
    if (k == first) continue;
    added++;
    struct ox_tensor* out = added + 1 == n->num_inputs && !mean ? y : &tmp[added % 2];
    if (out != y) temporary(out);
    status = ox_emit_binary(p, pqnn_binary_add, acc, &p->t[n->inputs[k]], out);
    acc = out;
  }
  if (status != pqnn_status_success || !mean) return status;
  const float scale = 1.0f / (float) n->num_inputs;
  struct ox_tensor k = scalar_constant(&scale);
  return ox_emit_binary(p, pqnn_binary_multiply, acc, &k, y);
}

enum pqnn_status ox_lower_reciprocal(struct ox_pass* p) {
  struct ox_tensor *x, *y;
  const enum pqnn_status status = ox_io(p, &x, &y);
  if (status != pqnn_status_success) return status;
  if (x->is_const) return ox_unsupported(p, "Reciprocal of a constant");
  const float one = 1.0f;
  struct ox_tensor k = scalar_constant(&one);
  return ox_emit_binary(p, pqnn_binary_divide, &k, x, y);
}
