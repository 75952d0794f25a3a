/* Comparisons, logic and Where on activations (of constants they fold: fold.c).
 *
 * ONNX bool tensors are 0 / 1 float32 activations inside pqnn (marked OX_BOOL while the
 * importer knows it):
 *   Equal, Greater, GreaterOrEqual, Less, LessOrEqual  binary comparison nodes (1.0 / 0.0;
 *                                                      NaN compares false, as in ONNX Runtime)
 *   Not(x)                                             equal(x, 0)
 *   And / Or / Xor                                     multiply / maximum / not_equal
 *   Cast(to=BOOL) of a float activation                not_equal(x, 0) (NaN is true)
 *   Where(c, a, b)                                     the select node (any operand constant,
 *                                                      broadcasting over all three)
 * Operands are float32 or bool (bool constants become 0 / 1 float constants); integer
 * operands of an activation comparison or Where are refused with a reason. A bool graph
 * output is refused when the model is loaded (only float32 outputs: add a Cast to float). */
#include <math.h>
#include <string.h>

#include "onnx/internal.h"

static const struct {
  const char* name;
  enum pqnn_binary_operator op;
} kCompare[] = {
  {"Equal", pqnn_binary_equal}, {"Greater", pqnn_binary_greater},
  {"GreaterOrEqual", pqnn_binary_greater_equal}, {"Less", pqnn_binary_less},
  {"LessOrEqual", pqnn_binary_less_equal},
  {"And", pqnn_binary_multiply}, {"Or", pqnn_binary_maximum}, {"Xor", pqnn_binary_not_equal},
};

bool ox_is_logic_op(const char* op) {
  for (size_t k = 0; k < sizeof(kCompare) / sizeof(kCompare[0]); k++) {
    if (strcmp(op, kCompare[k].name) == 0) return true;
  }
  return strcmp(op, "Not") == 0 || strcmp(op, "Where") == 0;
}

static bool logical(const char* op) {
  return strcmp(op, "And") == 0 || strcmp(op, "Or") == 0 || strcmp(op, "Xor") == 0;
}

/* An operand as pqnn computes it: a float32 or bool activation as it is, a float constant
 * as it is, a bool constant as 0 / 1 floats (into *view). Anything else: NULL and the
 * node is refused with a reason. */
static struct ox_tensor* operand(struct ox_pass* p, struct ox_tensor* t, struct ox_tensor* view,
    const char* what) {
  if (!t->is_const) {
    if (t->elem_type == OX_FLOAT || t->elem_type == OX_BOOL || t->elem_type == 0) return t;
    ox_unsupported(p, "%s '%s' is an activation of ONNX type %d: only float32 and bool "
        "activations are compared or selected at run time", what, t->name, (int) t->elem_type);
    return NULL;
  }
  if (t->f != NULL) return t;
  int64_t n;
  if (t->elem_type != OX_BOOL || t->i == NULL || !ox_elements(t, &n)) {
    ox_unsupported(p, "%s '%s' is an integer constant of ONNX type %d beside an activation",
        what, t->name, (int) t->elem_type);
    return NULL;
  }
  float* f = ox_pass_alloc(p, (size_t) (n > 0 ? n : 1), sizeof(float));
  if (f == NULL) {
    ox_unsupported(p, "out of memory");
    return NULL;
  }
  for (int64_t k = 0; k < n; k++) f[k] = t->i[k] != 0 ? 1.0f : 0.0f;
  *view = *t;
  view->f = f;
  view->i = NULL;
  view->elem_type = OX_FLOAT;
  return view;
}

static bool is_bool(const struct ox_tensor* t) { return t->elem_type == OX_BOOL; }

static enum pqnn_status lower_compare(struct ox_pass* p, const char* op,
    enum pqnn_binary_operator binary) {
  if (p->node->num_inputs != 2) return ox_invalid(p, "%s needs two operands", op);
  struct ox_tensor *a, *b, va, vb;
  enum pqnn_status status = ox_input(p, 0, &a);
  if (status == pqnn_status_success) status = ox_input(p, 1, &b);
  if (status != pqnn_status_success) return status;
  if (logical(op) && ((a->is_const && !is_bool(a)) || (b->is_const && !is_bool(b)))) {
    return ox_unsupported(p, "%s of a non-bool constant", op);
  }
  if (!logical(op) && strcmp(op, "Equal") != 0 && (is_bool(a) || is_bool(b))) {
    return ox_unsupported(p, "%s of bool operands", op);
  }
  a = operand(p, a, &va, "operand");
  if (a == NULL) return pqnn_status_unsupported_parameter;
  b = operand(p, b, &vb, "operand");
  if (b == NULL) return pqnn_status_unsupported_parameter;
  struct ox_tensor* y = ox_output(p, 0);
  if (y == NULL) return ox_invalid(p, "no output");
  status = ox_emit_binary(p, binary, a, b, y);
  if (status == pqnn_status_success) y->elem_type = OX_BOOL;
  return status;
}

/* y = x OP 0 (Not: equal, Cast to bool: not_equal). */
static enum pqnn_status compare_zero(struct ox_pass* p, enum pqnn_binary_operator binary) {
  if (p->node->num_inputs != 1) return ox_invalid(p, "%s needs one input", p->node->proto->op_type);
  struct ox_tensor *x, *y;
  enum pqnn_status status = ox_io(p, &x, &y);
  if (status != pqnn_status_success) return status;
  struct ox_tensor vx;
  x = operand(p, x, &vx, "input");
  if (x == NULL) return pqnn_status_unsupported_parameter;
  static const float kZero = 0.0f;
  struct ox_tensor zero = ox_scalar_constant(&kZero);
  status = ox_emit_binary(p, binary, x, &zero, y);
  if (status == pqnn_status_success) y->elem_type = OX_BOOL;
  return status;
}

enum pqnn_status ox_lower_cast_bool(struct ox_pass* p) { return compare_zero(p, pqnn_binary_not_equal); }

/* y = cond ? a : b for operands as pqnn computes them (operand()): the activations in one
 * layout (channels-last when every one is, of the output's rank; else the model's order),
 * constants laid out to match, one select node. */
enum pqnn_status ox_emit_where(struct ox_pass* p, struct ox_tensor* cond, struct ox_tensor* a,
    struct ox_tensor* b, bool bool_out, struct ox_tensor* y) {
  struct ox_tensor* in[3] = {cond, a, b};
  struct ox_tensor shape = {.rank = -1}, ab = {.rank = -1};
  if (!ox_broadcast(in[1], in[2], &ab) || !ox_broadcast(in[0], &ab, &shape)) {
    return ox_invalid(p, "Where's operands do not broadcast");
  }
  if (shape.rank < 0) return ox_unsupported(p, "Where of operands of unknown rank");
  bool channels_last = shape.rank >= 3;
  for (size_t k = 0; k < 3; k++) {
    if (!in[k]->is_const && (!in[k]->channels_last || in[k]->rank != shape.rank)) {
      channels_last = false;
    }
  }
  ox_set_shape(y, shape.rank, shape.dims);
  y->channels_last = channels_last;
  size_t phys[OX_MAX_RANK + 1];
  if (ox_physical_dims(y, phys) > PQNN_MAX_TENSOR_DIMS) {
    return ox_unsupported(p, "more than %d dims", PQNN_MAX_TENSOR_DIMS);
  }
  enum pqnn_status status = ox_define_activation(p, y);
  if (status != pqnn_status_success) return status;
  if (bool_out) y->elem_type = OX_BOOL;
  if (!ox_emitting(p)) return pqnn_status_success;
  uint32_t ids[3];
  for (size_t k = 0; k < 3 && status == pqnn_status_success; k++) {
    struct ox_tensor* t = in[k];
    ids[k] = t->id;
    if (t->is_const) {
      size_t num_dims = 0, dims[OX_MAX_RANK + 1];
      const float* data = NULL;
      status = ox_physical_constant(p, t, y->rank, channels_last, false, &num_dims, dims, &data);
      if (status == pqnn_status_success) status = ox_define_static(p, num_dims, dims, data, &ids[k]);
    } else if (t->channels_last && !channels_last) {
      status = ox_model_order_id(p, t, &ids[k]);
    }
  }
  if (status != pqnn_status_success) return status;
  return ox_refused(p, pqnn_define_select(p->sg, ids[0], ids[1], ids[2], y->id, 0));
}

/* Where: its three operands as pqnn computes them, then ox_emit_where. */
static enum pqnn_status lower_where(struct ox_pass* p) {
  const struct ox_node* n = p->node;
  if (n->num_inputs != 3 || n->inputs[0] < 0 || n->inputs[1] < 0 || n->inputs[2] < 0) {
    return ox_invalid(p, "Where needs a condition and two operands");
  }
  struct ox_tensor* in[3];
  struct ox_tensor views[3];
  static const char* const kWhat[3] = {"condition", "operand X", "operand Y"};
  for (size_t k = 0; k < 3; k++) {
    enum pqnn_status status = ox_input(p, k, &in[k]);
    if (status != pqnn_status_success) return status;
    if (k > 0 && in[k]->is_const && in[k]->f == NULL && !is_bool(in[k])) {
      return ox_unsupported(p, "Where of integer operands (%s '%s')", kWhat[k], in[k]->name);
    }
    in[k] = operand(p, in[k], &views[k], kWhat[k]);
    if (in[k] == NULL) return pqnn_status_unsupported_parameter;
  }
  struct ox_tensor* y = ox_output(p, 0);
  if (y == NULL) return ox_invalid(p, "no output");
  const bool bool_out = is_bool(&p->t[n->inputs[1]]) && is_bool(&p->t[n->inputs[2]]);
  return ox_emit_where(p, in[0], in[1], in[2], bool_out, y);
}

enum pqnn_status ox_lower_logic(struct ox_pass* p, const char* op) {
  if (strcmp(op, "Where") == 0) return lower_where(p);
  if (strcmp(op, "Not") == 0) return compare_zero(p, pqnn_binary_equal);
  for (size_t k = 0; k < sizeof(kCompare) / sizeof(kCompare[0]); k++) {
    if (strcmp(op, kCompare[k].name) == 0) return lower_compare(p, op, kCompare[k].op);
  }
  return ox_unsupported(p, "no pqnn node type for this op yet");
}
