/* Mul / Div (a channel scale when the constant varies along the channels only, else a
 * binary node), Max / Min (a clamp with a scalar constant, else a binary node), PRelu (the
 * binary prelu node, the slope broadcast to x), the unary
 * ops (Sigmoid, HardSigmoid, Tanh, Exp, Log, Sqrt, Abs, Neg, Erf, LeakyRelu, HardSwish,
 * Pow with exponent 2 or 0.5) and the fused patterns
 *   x * Sigmoid(x)                       -> swish
 *   x * HardSigmoid(x; 1/6, 0.5)         -> hardswish
 *   x * Clip(x + 3, 0, 6) / 6 (or * 1/6) -> hardswish
 * A pattern is fused only when every intermediate has the one consumer in the pattern and
 * is no graph output; the later nodes of the pattern are then absorbed. */
#include <math.h>
#include <string.h>

#include "onnx/internal.h"

/* Input k of node n when it is a scalar float constant. */
static bool scalar_input(const struct ox_pass* p, const struct ox_node* n, size_t k, float* value) {
  if (k >= n->num_inputs || n->inputs[k] < 0) return false;
  const struct ox_tensor* t = &p->t[n->inputs[k]];
  int64_t count;
  if (!t->is_const || t->f == NULL || !ox_elements(t, &count) || count != 1) return false;
  *value = t->f[0];
  return true;
}

static bool is_op(const struct ox_node* n, const char* op) {
  return n != NULL && strcmp(n->proto->op_type, op) == 0 &&
      (n->proto->domain == NULL || n->proto->domain[0] == '\0' ||
       strcmp(n->proto->domain, "ai.onnx") == 0);
}

/* Whether the binary node n reads tensors i and j (in either order). */
static bool reads_pair(const struct ox_node* n, int i, int j) {
  return n->num_inputs == 2 && ((n->inputs[0] == i && n->inputs[1] == j) ||
                                (n->inputs[0] == j && n->inputs[1] == i));
}

/* Defines unary `op` from activation x into tensor y (x's shape and layout). */
enum pqnn_status ox_emit_unary(struct ox_pass* p, enum pqnn_unary_operator op,
    const struct pqnn_unary_params* params, struct ox_tensor* x, struct ox_tensor* y) {
  if (x->is_const) return ox_unsupported(p, "a unary op on a constant");
  enum pqnn_status status = ox_like(p, x, y, x->channels_last);
  if (status != pqnn_status_success || !ox_emitting(p)) return status;
  return ox_refused(p, pqnn_define_unary(p->sg, op, params, x->id, y->id, 0));
}

/* The constant operand scales along the channel axis (1) only: the existing channel
 * scale (a depthwise 1x1) runs it. */
static bool channel_constant(const struct ox_tensor* x, const struct ox_tensor* c) {
  if (c->f == NULL || (x->rank != 3 && x->rank != 4) || c->rank > x->rank) return false;
  int64_t n;
  if (!ox_elements(c, &n)) return false;
  for (int d = 0; d < c->rank; d++) {
    if (c->dims[d] != 1 && d + x->rank - c->rank != 1) return false;
  }
  return n == 1 || (x->dims[1] >= 0 && n == x->dims[1]);
}

enum pqnn_status ox_lower_mul_div(struct ox_pass* p, bool divide) {
  struct ox_tensor *a, *b;
  enum pqnn_status status = ox_input(p, 0, &a);
  if (status == pqnn_status_success) status = ox_input(p, 1, &b);
  if (status != pqnn_status_success) return status;
  const enum pqnn_binary_operator op = divide ? pqnn_binary_divide : pqnn_binary_multiply;
  if (a->is_const == b->is_const) return ox_lower_binary(p, op);
  if (b->is_const ? channel_constant(a, b) : (!divide && channel_constant(b, a))) {
    return ox_lower_channel_scale(p, divide);
  }
  return ox_lower_binary(p, op);
}

enum pqnn_status ox_lower_max_min(struct ox_pass* p) {
  if (p->node->num_inputs != 2) return ox_unsupported(p, "only two operands");
  float c;
  if (scalar_input(p, p->node, 0, &c) || scalar_input(p, p->node, 1, &c)) return ox_lower_clamp(p);
  const bool max = strcmp(p->node->proto->op_type, "Max") == 0;
  return ox_lower_binary(p, max ? pqnn_binary_maximum : pqnn_binary_minimum);
}

enum pqnn_status ox_lower_prelu(struct ox_pass* p) {
  if (p->node->num_inputs != 2) return ox_unsupported(p, "PRelu needs x and slope");
  struct ox_tensor* x;
  const enum pqnn_status status = ox_input(p, 0, &x);
  if (status != pqnn_status_success) return status;
  if (x->is_const) return ox_unsupported(p, "PRelu of a constant");
  /* One slope for every element: leaky relu, the same formula (x < 0 ? slope * x : x, the
   * same bits), which the runtime fuses into the conv / FC before it. */
  float slope;
  if (scalar_input(p, p->node, 1, &slope) && isfinite(slope)) {
    struct ox_tensor* y = ox_output(p, 0);
    if (y == NULL) return ox_invalid(p, "no output");
    const struct pqnn_unary_params params = {slope, 0.0f};
    return ox_emit_unary(p, pqnn_unary_leaky_relu, &params, x, y);
  }
  return ox_lower_binary(p, pqnn_binary_prelu);
}

static const struct {
  const char* name;
  enum pqnn_unary_operator op;
} kUnary[] = {
  {"Sigmoid", pqnn_unary_sigmoid}, {"HardSigmoid", pqnn_unary_hardsigmoid},
  {"Tanh", pqnn_unary_tanh}, {"Exp", pqnn_unary_exp}, {"Log", pqnn_unary_log},
  {"Sqrt", pqnn_unary_sqrt}, {"Abs", pqnn_unary_abs}, {"Neg", pqnn_unary_negate},
  {"Erf", pqnn_unary_erf}, {"LeakyRelu", pqnn_unary_leaky_relu},
  {"HardSwish", pqnn_unary_hardswish}, {"Pow", pqnn_unary_square},
  {"Floor", pqnn_unary_floor}, {"Ceil", pqnn_unary_ceil}, {"Round", pqnn_unary_round},
};

bool ox_is_unary_op(const char* op) {
  for (size_t k = 0; k < sizeof(kUnary) / sizeof(kUnary[0]); k++) {
    if (strcmp(op, kUnary[k].name) == 0) return true;
  }
  return false;
}

/* Sigmoid / HardSigmoid(1/6, 1/2) whose output y only feeds Mul(x, y): swish / hardswish
 * into the Mul's output (*fused). */
static enum pqnn_status fuse_gated(struct ox_pass* p, enum pqnn_unary_operator op,
    const struct pqnn_unary_params* params, struct ox_tensor* x, bool* fused) {
  *fused = false;
  if (p->node->num_outputs < 1) return pqnn_status_success;  /* ox_output refuses it later */
  const int xi = p->node->inputs[0], yi = p->node->outputs[0];
  if (x->is_const || yi < 0) return pqnn_status_success;
  if (op == pqnn_unary_hardsigmoid &&
      (fabsf(params->alpha - 1.0f / 6.0f) > 1e-6f || params->beta != 0.5f)) {
    return pqnn_status_success;
  }
  size_t k;
  const struct ox_node* mul = ox_sole_consumer(p, &p->t[yi], &k);
  if (!is_op(mul, "Mul") || !reads_pair(mul, xi, yi) || mul->num_outputs < 1 ||
      mul->outputs[0] < 0) {
    return pqnn_status_success;
  }
  *fused = true;
  p->absorbed[k] = true;
  const enum pqnn_unary_operator fused_op =
      op == pqnn_unary_sigmoid ? pqnn_unary_swish : pqnn_unary_hardswish;
  return ox_emit_unary(p, fused_op, NULL, x, &p->t[mul->outputs[0]]);
}

enum pqnn_status ox_lower_unary(struct ox_pass* p) {
  const char* name = p->node->proto->op_type;
  enum pqnn_unary_operator op = pqnn_unary_invalid;
  for (size_t k = 0; k < sizeof(kUnary) / sizeof(kUnary[0]); k++) {
    if (strcmp(name, kUnary[k].name) == 0) op = kUnary[k].op;
  }
  struct ox_tensor* x;
  enum pqnn_status status = ox_input(p, 0, &x);
  if (status != pqnn_status_success) return status;
  struct pqnn_unary_params params = {0.0f, 0.0f};
  if (op == pqnn_unary_hardsigmoid) {
    status = ox_attr_float(p, "alpha", 0.2f, &params.alpha);
    if (status == pqnn_status_success) status = ox_attr_float(p, "beta", 0.5f, &params.beta);
  } else if (op == pqnn_unary_leaky_relu) {
    status = ox_attr_float(p, "alpha", 0.01f, &params.alpha);
  } else if (strcmp(name, "Pow") == 0) {
    float e;
    if (!scalar_input(p, p->node, 1, &e)) {
      return ox_unsupported(p, "Pow with an exponent that is not one constant");
    }
    if (e != 2.0f && e != 0.5f) return ox_lower_pow_constant(p, x, e);  /* a chain */
    op = e == 2.0f ? pqnn_unary_square : pqnn_unary_sqrt;
  }
  if (status != pqnn_status_success) return status;
  if (op == pqnn_unary_sigmoid || op == pqnn_unary_hardsigmoid) {
    bool fused;
    status = fuse_gated(p, op, &params, x, &fused);
    if (status != pqnn_status_success || fused) return status;
  }
  struct ox_tensor* y = ox_output(p, 0);
  if (y == NULL) return ox_invalid(p, "no output");
  return ox_emit_unary(p, op, &params, x, y);
}

/* Clip node n's bounds are the constants [lo, hi]. */
static bool clip_bounds(const struct ox_pass* p, const struct ox_node* n, float lo, float hi) {
  float min = -INFINITY, max = INFINITY;
  if (p->m->opset < 11) {
    const Onnx__AttributeProto* a = ox_attr(n, "min");
    const Onnx__AttributeProto* b = ox_attr(n, "max");
    if (a == NULL || b == NULL) return false;
    min = a->f;
    max = b->f;
  } else if (!scalar_input(p, n, 1, &min) || !scalar_input(p, n, 2, &max)) {
    return false;
  }
  return min == lo && max == hi;
}

enum pqnn_status ox_fuse_hardswish(struct ox_pass* p, bool* handled) {
  *handled = false;
  const struct ox_node* add = p->node;
  float c;
  if (add->num_inputs != 2 || add->num_outputs < 1 || add->outputs[0] < 0) return pqnn_status_success;
  const int xi = scalar_input(p, add, 1, &c) ? add->inputs[0]
               : scalar_input(p, add, 0, &c) ? add->inputs[1] : -1;
  if (xi < 0 || c != 3.0f || p->t[xi].is_const) return pqnn_status_success;
  size_t k_clip, k_mul, k_div;
  const struct ox_node* clip = ox_sole_consumer(p, &p->t[add->outputs[0]], &k_clip);
  if (!is_op(clip, "Clip") || clip->inputs[0] != add->outputs[0] || !clip_bounds(p, clip, 0.0f, 6.0f) ||
      clip->num_outputs < 1 || clip->outputs[0] < 0) {
    return pqnn_status_success;
  }
  const struct ox_node* mul = ox_sole_consumer(p, &p->t[clip->outputs[0]], &k_mul);
  if (!is_op(mul, "Mul") || !reads_pair(mul, xi, clip->outputs[0]) || mul->num_outputs < 1 ||
      mul->outputs[0] < 0) {
    return pqnn_status_success;
  }
  const int mi = mul->outputs[0];
  const struct ox_node* div = ox_sole_consumer(p, &p->t[mi], &k_div);
  float d;
  const bool by_six = is_op(div, "Div") && div->num_inputs == 2 && div->inputs[0] == mi &&
      scalar_input(p, div, 1, &d) && d == 6.0f;
  const bool by_sixth = is_op(div, "Mul") && div->num_inputs == 2 &&
      ((div->inputs[0] == mi && scalar_input(p, div, 1, &d)) ||
       (div->inputs[1] == mi && scalar_input(p, div, 0, &d))) &&
      fabsf(d - 1.0f / 6.0f) <= 1e-7f;
  if ((!by_six && !by_sixth) || div->num_outputs < 1 || div->outputs[0] < 0) {
    return pqnn_status_success;
  }
  *handled = true;
  p->absorbed[k_clip] = p->absorbed[k_mul] = p->absorbed[k_div] = true;
  return ox_emit_unary(p, pqnn_unary_hardswish, NULL, &p->t[xi], &p->t[div->outputs[0]]);
}
