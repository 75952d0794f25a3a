/* Ops without a node of their own, lowered to short chains of existing nodes (docs/onnx.md,
 * "Ops lowered to chains", lists each op's chain). Every intermediate is a temporary value
 * of the lowering (no ONNX tensor). */
#include <float.h>
#include <math.h>
#include <string.h>

#include "onnx/internal.h"

/* A temporary activation of the lowering (shape and layout set by the emit_* call defining
 * it). */
void ox_temporary(struct ox_tensor* t) {
  memset(t, 0, sizeof(*t));
  t->name = "(temporary)";
  t->rank = -1;
  t->graph_input = -1;
  t->graph_output = -1;
  t->temporary = true;
}

/* A float scalar constant operand (the value is copied when the node is defined). */
struct ox_tensor ox_scalar_constant(const float* value) {
  struct ox_tensor t;
  ox_temporary(&t);
  t.name = "(constant)";
  t.rank = 0;
  t.is_const = true;
  t.available = true;
  t.elem_type = OX_FLOAT;
  t.f = value;
  return t;
}

/* y = x op c for a scalar constant c. */
enum pqnn_status ox_emit_scalar_op(struct ox_pass* p, enum pqnn_binary_operator op,
    struct ox_tensor* x, float c, struct ox_tensor* y) {
  struct ox_tensor k = ox_scalar_constant(&c);
  ox_temporary(y);
  return ox_emit_binary(p, op, x, &k, y);
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
    if (out != y) ox_temporary(out);
    status = ox_emit_binary(p, pqnn_binary_add, acc, &p->t[n->inputs[k]], out);
    acc = out;
  }
  if (status != pqnn_status_success || !mean) return status;
  const float scale = 1.0f / (float) n->num_inputs;
  struct ox_tensor k = ox_scalar_constant(&scale);
  return ox_emit_binary(p, pqnn_binary_multiply, acc, &k, y);
}

enum pqnn_status ox_lower_reciprocal(struct ox_pass* p) {
  struct ox_tensor *x, *y;
  const enum pqnn_status status = ox_io(p, &x, &y);
  if (status != pqnn_status_success) return status;
  if (x->is_const) return ox_unsupported(p, "Reciprocal of a constant");
  const float one = 1.0f;
  struct ox_tensor k = ox_scalar_constant(&one);
  return ox_emit_binary(p, pqnn_binary_divide, &k, x, y);
}

/* ---- Expand ---- */

/* Expand(x, shape), shape a constant: x times a constant of ones whose dims are the output's
 * where x broadcasts (its dim 1 or missing) and 1 elsewhere: one multiply node (x * 1 is x,
 * NaN, infinities and -0 included), the constant no larger than the expansion. */
enum pqnn_status ox_lower_expand(struct ox_pass* p) {
  struct ox_tensor *x, *y, *s;
  enum pqnn_status status = ox_io(p, &x, &y);
  if (status == pqnn_status_success) status = ox_input(p, 1, &s);
  if (status != pqnn_status_success) return status;
  if (x->is_const) return ox_unsupported(p, "Expand of a constant");
  int64_t count;
  if (!s->is_const || s->i == NULL || s->rank != 1 || !ox_elements(s, &count)) {
    return ox_unsupported(p, "the shape must be a constant integer vector");
  }
  if (count > OX_MAX_RANK) return ox_unsupported(p, "a shape of %lld dims", (long long) count);
  struct ox_tensor target = {.rank = (int) count};
  for (int64_t d = 0; d < count; d++) {
    if (s->i[d] < 0 || s->i[d] > OX_MAX_ELEMENTS) {
      return ox_invalid(p, "shape dim %lld out of range", (long long) s->i[d]);
    }
    if (s->i[d] == 0) return ox_unsupported(p, "an empty output (a shape dim of 0)");
    target.dims[d] = s->i[d];
  }
  struct ox_tensor out;
  if (!ox_broadcast(x, &target, &out)) return ox_invalid(p, "the shape does not broadcast");
  struct ox_tensor ones = ox_scalar_constant(NULL);
  ones.rank = out.rank;
  for (int d = 0; d < out.rank; d++) {
    const int xd = d - (out.rank - x->rank);
    ones.dims[d] = xd < 0 || x->dims[xd] == 1 ? out.dims[d] : 1;
  }
  static const float kOne = 1.0f;
  ones.f = &kOne;  /* listing: the data is not read */
  int64_t n;
  if (ox_emitting(p)) {
    if (!ox_elements(&ones, &n)) return ox_invalid(p, "shape of '%s' is not known", x->name);
    float* data = ox_pass_alloc(p, (size_t) n, sizeof(float));
    if (data == NULL) return pqnn_status_out_of_memory;
    for (int64_t k = 0; k < n; k++) data[k] = 1.0f;
    ones.f = data;
  }
  return ox_emit_binary(p, pqnn_binary_multiply, x, &ones, y);
}

/* ---- Elu, Selu, Celu ---- */

/* y = gamma * (max(x, 0) + alpha * (exp(min(x, 0) / in_scale) - 1)): exp only ever sees
 * non-positive arguments (no overflow for large x). Nodes: clamp (min), a divide when
 * in_scale != 1, exp, add -1, multiply by gamma * alpha, clamp (max), a multiply by gamma
 * when gamma != 1, add. */
static enum pqnn_status emit_exp_linear(struct ox_pass* p, struct ox_tensor* x,
    struct ox_tensor* y, float in_scale, float alpha, float gamma) {
  if (x->is_const) return ox_unsupported(p, "%s of a constant", p->node->proto->op_type);
  if (!isfinite(alpha) || !isfinite(gamma) || !isfinite(gamma * alpha)) {
    return ox_invalid(p, "alpha / gamma must be finite");
  }
  struct ox_tensor neg, scaled, e, em1, s, pos, pos_scaled;
  ox_temporary(&neg);
  enum pqnn_status status = ox_emit_clamp(p, -INFINITY, 0.0f, x, &neg);
  struct ox_tensor* arg = &neg;
  if (status == pqnn_status_success && in_scale != 1.0f) {
    status = ox_emit_scalar_op(p, pqnn_binary_divide, &neg, in_scale, &scaled);
    arg = &scaled;
  }
  ox_temporary(&e);
  ox_temporary(&pos);
  if (status == pqnn_status_success) status = ox_emit_unary(p, pqnn_unary_exp, NULL, arg, &e);
  if (status == pqnn_status_success) status = ox_emit_scalar_op(p, pqnn_binary_add, &e, -1.0f, &em1);
  if (status == pqnn_status_success) {
    status = ox_emit_scalar_op(p, pqnn_binary_multiply, &em1, gamma * alpha, &s);
  }
  if (status == pqnn_status_success) status = ox_emit_clamp(p, 0.0f, INFINITY, x, &pos);
  struct ox_tensor* positive = &pos;
  if (status == pqnn_status_success && gamma != 1.0f) {
    status = ox_emit_scalar_op(p, pqnn_binary_multiply, &pos, gamma, &pos_scaled);
    positive = &pos_scaled;
  }
  if (status != pqnn_status_success) return status;
  return ox_emit_binary(p, pqnn_binary_add, positive, &s, y);
}

/* Elu (alpha), Selu (alpha, gamma), Celu (alpha > 0: x / alpha inside the exp). */
enum pqnn_status ox_lower_exp_linear(struct ox_pass* p) {
  struct ox_tensor *x, *y;
  enum pqnn_status status = ox_io(p, &x, &y);
  if (status != pqnn_status_success) return status;
  const char* op = p->node->proto->op_type;
  float alpha, gamma = 1.0f;
  if (strcmp(op, "Selu") == 0) {
    status = ox_attr_float(p, "alpha", 1.67326319217681884765625f, &alpha);
    if (status == pqnn_status_success) {
      status = ox_attr_float(p, "gamma", 1.05070102214813232421875f, &gamma);
    }
  } else {
    status = ox_attr_float(p, "alpha", 1.0f, &alpha);
  }
  if (status != pqnn_status_success) return status;
  if (strcmp(op, "Celu") == 0) {
    if (!(alpha > 0.0f) || !isfinite(alpha)) {
      return ox_unsupported(p, "Celu with alpha %g (needs a finite alpha > 0)", (double) alpha);
    }
    return emit_exp_linear(p, x, y, alpha, alpha, 1.0f);
  }
  return emit_exp_linear(p, x, y, 1.0f, alpha, gamma);
}

/* ---- Softplus, Mish ---- */

/* softplus(x) = max(x, 0) + log(1 + exp(-|x|)) = max(x, 0) - log(sigmoid(|x|)): sigmoid of
 * |x| lies in [1/2, 1] (no overflow, no log(0)). Nodes: abs, sigmoid, log, clamp,
 * subtract. */
static enum pqnn_status emit_softplus(struct ox_pass* p, struct ox_tensor* x, struct ox_tensor* y) {
  if (x->is_const) return ox_unsupported(p, "%s of a constant", p->node->proto->op_type);
  struct ox_tensor a, s, l, r;
  ox_temporary(&a);
  ox_temporary(&s);
  ox_temporary(&l);
  ox_temporary(&r);
  enum pqnn_status status = ox_emit_unary(p, pqnn_unary_abs, NULL, x, &a);
  if (status == pqnn_status_success) status = ox_emit_unary(p, pqnn_unary_sigmoid, NULL, &a, &s);
  if (status == pqnn_status_success) status = ox_emit_unary(p, pqnn_unary_log, NULL, &s, &l);
  if (status == pqnn_status_success) status = ox_emit_clamp(p, 0.0f, INFINITY, x, &r);
  if (status != pqnn_status_success) return status;
  return ox_emit_binary(p, pqnn_binary_subtract, &r, &l, y);
}

/* Softplus, and Mish(x) = x * tanh(softplus(x)) (softplus, tanh, multiply). */
enum pqnn_status ox_lower_softplus(struct ox_pass* p, bool mish) {
  struct ox_tensor *x, *y;
  enum pqnn_status status = ox_io(p, &x, &y);
  if (status != pqnn_status_success) return status;
  if (!mish) return emit_softplus(p, x, y);
  struct ox_tensor sp, t;
  ox_temporary(&sp);
  ox_temporary(&t);
  status = emit_softplus(p, x, &sp);
  if (status == pqnn_status_success) status = ox_emit_unary(p, pqnn_unary_tanh, NULL, &sp, &t);
  if (status != pqnn_status_success) return status;
  return ox_emit_binary(p, pqnn_binary_multiply, x, &t, y);
}

/* ---- InstanceNormalization ---- */

/* Mean over the spatial dims of NHWC activation x (ONNX rank 3 or 4, physical [N][H][W][C]
 * with H = 1 for rank 3) into temporary m: ONNX [N][C][1](...), dims kept. */
static enum pqnn_status emit_spatial_mean(struct ox_pass* p, struct ox_tensor* x,
    struct ox_tensor* m) {
  ox_temporary(m);
  ox_set_shape(m, x->rank, x->dims);
  for (int d = 2; d < x->rank; d++) m->dims[d] = 1;
  m->channels_last = true;
  const enum pqnn_status status = ox_define_activation(p, m);
  if (status != pqnn_status_success || !ox_emitting(p)) return status;
  const size_t axes[2] = {1, 2};
  return ox_refused(p, pqnn_define_reduce(p->sg, pqnn_reduce_mean, 2, axes, x->id, m->id,
      PQNN_FLAG_KEEP_DIMS));
}

/* Input k of the current node as a float constant of c elements, viewed as ONNX
 * [c][1](...) (rank - 1 dims: broadcast along the channels of a rank-`rank` activation). */
static enum pqnn_status channel_constant(struct ox_pass* p, size_t k, int64_t c, int rank,
    struct ox_tensor* out) {
  struct ox_tensor* t;
  enum pqnn_status status = ox_input(p, k, &t);
  if (status != pqnn_status_success) return status;
  int64_t count;
  if (!t->is_const || t->f == NULL || !ox_elements(t, &count) || t->rank != 1 || count != c) {
    return ox_unsupported(p, "scale and B must be float constants [C]");
  }
  *out = *t;
  out->rank = rank - 1;
  out->dims[0] = c;
  for (int d = 1; d < rank - 1; d++) out->dims[d] = 1;
  return pqnn_status_success;
}

/* Activation x (rank 3 or 4) in NHWC as *xc: x itself after a conv, else a transpose node
 * of x in the model's order (ox_channels_last_id). */
static enum pqnn_status channels_last_view(struct ox_pass* p, struct ox_tensor* x,
    struct ox_tensor* xc) {
  *xc = *x;
  xc->graph_output = -1;
  xc->has_other = false;
  xc->channels_last = true;
  return ox_channels_last_id(p, x, &xc->id);
}

/* y = (x - mean) * (scale / sqrt(var + epsilon)) + B, mean and var per sample and channel
 * over the spatial dims, in NHWC: reduce mean, subtract, square, reduce mean, add epsilon,
 * sqrt, divide (scale / std, per sample and channel), multiply, add. */
enum pqnn_status ox_lower_instance_norm(struct ox_pass* p) {
  struct ox_tensor *x, *y;
  enum pqnn_status status = ox_io(p, &x, &y);
  if (status != pqnn_status_success) return status;
  float epsilon;
  status = ox_attr_float(p, "epsilon", 1e-5f, &epsilon);
  if (status != pqnn_status_success) return status;
  if (!isfinite(epsilon) || epsilon < 0.0f) return ox_invalid(p, "epsilon must be finite and >= 0");
  if (x->is_const) return ox_unsupported(p, "InstanceNormalization of a constant");
  if (x->rank != 3 && x->rank != 4) return ox_unsupported(p, "only 3-D and 4-D inputs");
  if (x->dims[1] < 0) return ox_unsupported(p, "the channel count must be known");
  struct ox_tensor scale, bias;
  status = channel_constant(p, 1, x->dims[1], x->rank, &scale);
  if (status == pqnn_status_success) status = channel_constant(p, 2, x->dims[1], x->rank, &bias);
  if (status != pqnn_status_success) return status;
  struct ox_tensor xc;
  status = channels_last_view(p, x, &xc);
  if (status != pqnn_status_success) return status;
  struct ox_tensor mean, d, sq, var, ve, sd, k, t;
  ox_temporary(&d);
  ox_temporary(&sq);
  ox_temporary(&sd);
  ox_temporary(&k);
  ox_temporary(&t);
  status = emit_spatial_mean(p, &xc, &mean);
  if (status == pqnn_status_success) status = ox_emit_binary(p, pqnn_binary_subtract, &xc, &mean, &d);
  if (status == pqnn_status_success) status = ox_emit_unary(p, pqnn_unary_square, NULL, &d, &sq);
  if (status == pqnn_status_success) status = emit_spatial_mean(p, &sq, &var);
  if (status == pqnn_status_success) status = ox_emit_scalar_op(p, pqnn_binary_add, &var, epsilon, &ve);
  if (status == pqnn_status_success) status = ox_emit_unary(p, pqnn_unary_sqrt, NULL, &ve, &sd);
  if (status == pqnn_status_success) status = ox_emit_binary(p, pqnn_binary_divide, &scale, &sd, &k);
  if (status == pqnn_status_success) status = ox_emit_binary(p, pqnn_binary_multiply, &d, &k, &t);
  if (status != pqnn_status_success) return status;
  return ox_emit_binary(p, pqnn_binary_add, &t, &bias, y);
}

/* ---- GroupNormalization ---- */

/* x [N][C][spatial...] in the model's order viewed as [N][G][C / G * spatial]: mean over the
 * last dim (kept), subtract, square, mean, add epsilon, sqrt, divide, the quotient viewed as
 * x's shape again (one reshape copy each way), then times scale and plus bias per channel
 * (opset 18: per group, each group's value repeated over its channels; 21: per channel). An
 * NHWC x is transposed to the model's order first (ox_model_order_id). */
enum pqnn_status ox_lower_group_norm(struct ox_pass* p) {
  struct ox_tensor *x, *y;
  enum pqnn_status status = ox_io(p, &x, &y);
  if (status != pqnn_status_success) return status;
  if (p->m->opset < 18) return ox_unsupported(p, "GroupNormalization before opset 18");
  int64_t groups;
  float epsilon;
  status = ox_attr_int(p, "num_groups", 0, &groups);
  if (status == pqnn_status_success) status = ox_attr_float(p, "epsilon", 1e-5f, &epsilon);
  if (status != pqnn_status_success) return status;
  if (!isfinite(epsilon) || epsilon < 0.0f) return ox_invalid(p, "epsilon must be finite and >= 0");
  if (groups < 1 || groups > OX_MAX_ELEMENTS) {
    return ox_invalid(p, "num_groups %lld (must be given and >= 1)", (long long) groups);
  }
  if (x->is_const) return ox_unsupported(p, "GroupNormalization of a constant");
  if (x->rank < 2) return ox_invalid(p, "needs an input of rank >= 2");
  const int64_t c = x->dims[1];
  if (c == 0) return ox_unsupported(p, "no channels");
  if (c >= 0 && c % groups != 0) {
    return ox_invalid(p, "num_groups %lld does not divide the %lld channels", (long long) groups,
        (long long) c);
  }
  const bool per_channel = p->m->opset >= 21;
  const int64_t count = per_channel ? c : groups;
  /* scale and bias: float constants of `count` values (c unknown: any vector while listing). */
  const float* sb[2];
  for (size_t k = 0; k < 2; k++) {
    struct ox_tensor* t;
    status = ox_input(p, k + 1, &t);
    if (status != pqnn_status_success) return status;
    int64_t n;
    if (!t->is_const || t->f == NULL || t->rank != 1 || !ox_elements(t, &n) ||
        (count >= 0 && n != count)) {
      return ox_unsupported(p, "scale and bias must be float constants [%s]",
          per_channel ? "C" : "num_groups");
    }
    sb[k] = t->f;
  }
  /* [N][G][rest] of x in the model's order (dims unknown while listing stay unknown). */
  int64_t rest = c < 0 ? -1 : c / groups;
  for (int d = 2; d < x->rank && rest >= 0; d++) {
    rest = x->dims[d] < 0 ? -1 : rest * x->dims[d];
  }
  uint32_t x_id = x->id;
  status = ox_model_order_id(p, x, &x_id);
  if (status != pqnn_status_success) return status;
  struct ox_tensor v, mean, d, sq, var, ve, sd, q, qx, t;
  ox_temporary(&v);
  ox_temporary(&d);
  ox_temporary(&sq);
  ox_temporary(&sd);
  ox_temporary(&q);
  ox_temporary(&qx);
  ox_temporary(&mean);
  ox_temporary(&var);
  ox_temporary(&t);
  const int64_t vdims[3] = {x->dims[0], groups, rest};
  ox_set_shape(&v, 3, vdims);
  status = ox_emit_reshape(p, x_id, &v);
  const bool reduced[OX_MAX_RANK] = {false, false, true};
  if (status == pqnn_status_success) status = ox_emit_reduce(p, pqnn_reduce_mean, &v, reduced, true, &mean);
  if (status == pqnn_status_success) status = ox_emit_binary(p, pqnn_binary_subtract, &v, &mean, &d);
  if (status == pqnn_status_success) status = ox_emit_unary(p, pqnn_unary_square, NULL, &d, &sq);
  if (status == pqnn_status_success) status = ox_emit_reduce(p, pqnn_reduce_mean, &sq, reduced, true, &var);
  if (status == pqnn_status_success) status = ox_emit_scalar_op(p, pqnn_binary_add, &var, epsilon, &ve);
  if (status == pqnn_status_success) status = ox_emit_unary(p, pqnn_unary_sqrt, NULL, &ve, &sd);
  if (status == pqnn_status_success) status = ox_emit_binary(p, pqnn_binary_divide, &d, &sd, &q);
  if (status != pqnn_status_success) return status;
  ox_set_shape(&qx, x->rank, x->dims);
  status = ox_emit_reshape(p, q.id, &qx);
  if (status != pqnn_status_success) return status;
  /* Per-channel scale and bias as [C][1](...) constants (pass memory when emitting). */
  struct ox_tensor k[2];
  for (size_t j = 0; j < 2; j++) {
    k[j] = ox_scalar_constant(sb[j]);
    k[j].rank = x->rank - 1;
    k[j].dims[0] = c;
    for (int r = 1; r < x->rank - 1; r++) k[j].dims[r] = 1;
    if (!per_channel && ox_emitting(p)) {
      float* data = ox_pass_alloc(p, (size_t) c, sizeof(float));
      if (data == NULL) return pqnn_status_out_of_memory;
      for (int64_t ch = 0; ch < c; ch++) data[ch] = sb[j][ch / (c / groups)];
      k[j].f = data;
    }
  }
  status = ox_emit_binary(p, pqnn_binary_multiply, &qx, &k[0], &t);
  if (status != pqnn_status_success) return status;
  return ox_emit_binary(p, pqnn_binary_add, &t, &k[1], y);
}

/* ---- log(sum(exp(x))) over some axes, stably ---- */

enum pqnn_status ox_emit_log_sum_exp(struct ox_pass* p, struct ox_tensor* x, const bool* reduced,
    bool keepdims, struct ox_tensor* m, struct ox_tensor* d, struct ox_tensor* l) {
  struct ox_tensor mx, e, s;
  ox_temporary(&mx);
  ox_temporary(m);
  ox_temporary(d);
  ox_temporary(&e);
  ox_temporary(&s);
  ox_temporary(l);
  enum pqnn_status status = ox_emit_reduce(p, pqnn_reduce_max, x, reduced, true, &mx);
  if (status == pqnn_status_success) status = ox_emit_clamp(p, -FLT_MAX, FLT_MAX, &mx, m);
  if (status == pqnn_status_success) status = ox_emit_binary(p, pqnn_binary_subtract, x, m, d);
  if (status == pqnn_status_success) status = ox_emit_unary(p, pqnn_unary_exp, NULL, d, &e);
  if (status == pqnn_status_success) {
    status = ox_emit_reduce(p, pqnn_reduce_sum, &e, reduced, keepdims, &s);
  }
  if (status != pqnn_status_success) return status;
  return ox_emit_unary(p, pqnn_unary_log, NULL, &s, l);
}

/* ---- ReduceMin, ReduceSumSquare, ReduceL1, ReduceL2, ReduceLogSum, ReduceLogSumExp ---- */

/* The reductions without a reduce operator of their own, over the node's axes and keepdims
 * (ox_reduce_axes), x in its layout:
 *   ReduceMin        negate, reduce max, negate (bit-exact: -max(-x) is min(x))
 *   ReduceSumSquare  square, reduce sum
 *   ReduceL1         abs, reduce sum
 *   ReduceL2         square, reduce sum, sqrt
 *   ReduceLogSum     reduce sum, log
 *   ReduceLogSumExp  m = reduce max (dims kept) clamped to +-FLT_MAX, subtract m, exp,
 *                    reduce sum, log, add m (a reshape of m first without keepdims): exp
 *                    never sees a positive argument (no overflow for large x), and the
 *                    clamp keeps inf - inf out: an infinite max gives +-inf as in ONNX
 *                    Runtime, not NaN. */
enum pqnn_status ox_lower_reduce_chain(struct ox_pass* p) {
  struct ox_tensor *x, *y;
  enum pqnn_status status = ox_io(p, &x, &y);
  if (status != pqnn_status_success) return status;
  const char* op = p->node->proto->op_type;
  if (x->is_const) return ox_unsupported(p, "%s of a constant", op);
  bool reduced[OX_MAX_RANK], keepdims;
  status = ox_reduce_axes(p, x, reduced, &keepdims);
  if (status != pqnn_status_success) return status;
  struct ox_tensor a, r;
  ox_temporary(&a);
  ox_temporary(&r);
  if (strcmp(op, "ReduceMin") == 0) {
    status = ox_emit_unary(p, pqnn_unary_negate, NULL, x, &a);
    if (status == pqnn_status_success) {
      status = ox_emit_reduce(p, pqnn_reduce_max, &a, reduced, keepdims, &r);
    }
    if (status != pqnn_status_success) return status;
    return ox_emit_unary(p, pqnn_unary_negate, NULL, &r, y);
  }
  if (strcmp(op, "ReduceSumSquare") == 0 || strcmp(op, "ReduceL1") == 0 ||
      strcmp(op, "ReduceL2") == 0) {
    const bool l2 = strcmp(op, "ReduceL2") == 0;
    status = ox_emit_unary(p, strcmp(op, "ReduceL1") == 0 ? pqnn_unary_abs : pqnn_unary_square,
        NULL, x, &a);
    if (status != pqnn_status_success) return status;
    if (!l2) return ox_emit_reduce(p, pqnn_reduce_sum, &a, reduced, keepdims, y);
    status = ox_emit_reduce(p, pqnn_reduce_sum, &a, reduced, keepdims, &r);
    if (status != pqnn_status_success) return status;
    return ox_emit_unary(p, pqnn_unary_sqrt, NULL, &r, y);
  }
  if (strcmp(op, "ReduceLogSum") == 0) {
    status = ox_emit_reduce(p, pqnn_reduce_sum, x, reduced, keepdims, &r);
    if (status != pqnn_status_success) return status;
    return ox_emit_unary(p, pqnn_unary_log, NULL, &r, y);
  }
  if (strcmp(op, "ReduceLogSumExp") != 0) return ox_unsupported(p, "not a reduction chain");
  struct ox_tensor m, d, l, mr;
  ox_temporary(&mr);
  status = ox_emit_log_sum_exp(p, x, reduced, keepdims, &m, &d, &l);
  if (status != pqnn_status_success) return status;
  struct ox_tensor* max = &m;
  if (!keepdims) {
    /* m's elements in l's shape (ox_emit_reduce kept the element order without keepdims). */
    ox_set_shape(&mr, l.rank, l.dims);
    mr.channels_last = l.channels_last;
    status = ox_emit_reshape(p, m.id, &mr);
    if (status != pqnn_status_success) return status;
    max = &mr;
  }
  return ox_emit_binary(p, pqnn_binary_add, &l, max, y);
}

/* ---- GlobalLpPool, LpNormalization ---- */

/* The p-norm (p = 1: sum of |x|, p = 2: sqrt of the sum of squares) of activation x over the
 * model axes marked in reduced, dims kept, into n (a temporary or the node's output): abs
 * or square, reduce sum, and for p = 2 sqrt. */
static enum pqnn_status emit_lp_norm(struct ox_pass* p, struct ox_tensor* x, int64_t order,
    const bool* reduced, struct ox_tensor* n) {
  struct ox_tensor a, s;
  ox_temporary(&a);
  ox_temporary(&s);
  enum pqnn_status status = ox_emit_unary(p, order == 1 ? pqnn_unary_abs : pqnn_unary_square,
      NULL, x, &a);
  if (status != pqnn_status_success) return status;
  if (order == 1) return ox_emit_reduce(p, pqnn_reduce_sum, &a, reduced, true, n);
  status = ox_emit_reduce(p, pqnn_reduce_sum, &a, reduced, true, &s);
  if (status != pqnn_status_success) return status;
  return ox_emit_unary(p, pqnn_unary_sqrt, NULL, &s, n);
}

/* The `p` attribute of GlobalLpPool / LpNormalization: 1 or 2 (default 2). */
static enum pqnn_status lp_order(struct ox_pass* p, int64_t* order) {
  const enum pqnn_status status = ox_attr_int(p, "p", 2, order);
  if (status != pqnn_status_success) return status;
  if (*order != 1 && *order != 2) {
    return ox_unsupported(p, "p = %lld (1 or 2 only)", (long long) *order);
  }
  return pqnn_status_success;
}

/* GlobalLpPool: the p-norm over the spatial dims (kept): 2 nodes for p = 1, 3 for p = 2. */
enum pqnn_status ox_lower_global_lp_pool(struct ox_pass* p) {
  struct ox_tensor *x, *y;
  enum pqnn_status status = ox_io(p, &x, &y);
  if (status != pqnn_status_success) return status;
  int64_t order;
  status = lp_order(p, &order);
  if (status != pqnn_status_success) return status;
  if (x->is_const) return ox_unsupported(p, "GlobalLpPool of a constant");
  if (x->rank < 3) return ox_invalid(p, "GlobalLpPool needs rank >= 3");
  bool reduced[OX_MAX_RANK];
  for (int d = 0; d < OX_MAX_RANK; d++) reduced[d] = d >= 2;
  return emit_lp_norm(p, x, order, reduced, y);
}

/* LpNormalization: y = x / (n + z), n the p-norm along `axis` (dims kept) and z = 1 where
 * n = 0, else 0: ONNX Runtime writes zeros for a vector whose norm is 0 (0 / 1 is 0; a vector
 * whose squares all underflow keeps its values, all below 2^-74.5). z = clamp(-104 - log(n),
 * 0, 1): log(0) = -inf, and log(n) > -103.3 for any n > 0 (subnormal too; no constant beyond
 * f16's range, so f16 inference gets the same z). Nodes: the norm (2 or 3), log, subtract
 * from -104, clamp, add, divide: 7 for p = 1, 8 for p = 2. */
enum pqnn_status ox_lower_lp_normalization(struct ox_pass* p) {
  struct ox_tensor *x, *y;
  enum pqnn_status status = ox_io(p, &x, &y);
  if (status != pqnn_status_success) return status;
  int64_t order, axis;
  status = lp_order(p, &order);
  if (status == pqnn_status_success) status = ox_attr_int(p, "axis", -1, &axis);
  if (status != pqnn_status_success) return status;
  if (x->is_const) return ox_unsupported(p, "LpNormalization of a constant");
  if (x->rank < 1) return ox_unsupported(p, "scalar input");
  if (axis < -x->rank || axis >= x->rank) {
    return ox_invalid(p, "axis %lld out of range", (long long) axis);
  }
  if (axis < 0) axis += x->rank;
  bool reduced[OX_MAX_RANK] = {false};
  reduced[axis] = true;
  struct ox_tensor n, l, t, z, d;
  ox_temporary(&n);
  ox_temporary(&l);
  ox_temporary(&t);
  ox_temporary(&z);
  ox_temporary(&d);
  const float kOffset = -104.0f;
  struct ox_tensor offset = ox_scalar_constant(&kOffset);
  status = emit_lp_norm(p, x, order, reduced, &n);
  if (status == pqnn_status_success) status = ox_emit_unary(p, pqnn_unary_log, NULL, &n, &l);
  if (status == pqnn_status_success) {
    status = ox_emit_binary(p, pqnn_binary_subtract, &offset, &l, &t);
  }
  if (status == pqnn_status_success) status = ox_emit_clamp(p, 0.0f, 1.0f, &t, &z);
  if (status == pqnn_status_success) status = ox_emit_binary(p, pqnn_binary_add, &n, &z, &d);
  if (status != pqnn_status_success) return status;
  return ox_emit_binary(p, pqnn_binary_divide, x, &d, y);
}

/* ---- LRN ---- */

#define OX_MAX_LRN_CHANNELS 4096  /* the C x C window matrix: 64 MiB */

/* LRN across channels: y = x / (bias + alpha / size * sum of x^2 over the channel window
 * [c - floor((size - 1) / 2), c + ceil((size - 1) / 2)], clipped at the edges)^beta, in
 * NHWC: multiply by sqrt(alpha / size), square, fully connected over C with the constant
 * banded 0 / 1 matrix and bias as its bias, log, multiply by -beta, exp, multiply by x:
 * 7 nodes. Scaling before the square keeps the squares (and their window sums) as small
 * as the term they make: under f16 inference the squares of activations in the hundreds
 * would overflow, and the matrix's zeros would turn an infinity into NaN. */
enum pqnn_status ox_lower_lrn(struct ox_pass* p) {
  struct ox_tensor *x, *y;
  enum pqnn_status status = ox_io(p, &x, &y);
  if (status != pqnn_status_success) return status;
  int64_t size;
  float alpha, beta, bias;
  status = ox_attr_int(p, "size", 0, &size);
  if (status == pqnn_status_success) status = ox_attr_float(p, "alpha", 1e-4f, &alpha);
  if (status == pqnn_status_success) status = ox_attr_float(p, "beta", 0.75f, &beta);
  if (status == pqnn_status_success) status = ox_attr_float(p, "bias", 1.0f, &bias);
  if (status != pqnn_status_success) return status;
  if (size < 1) return ox_invalid(p, "size must be given and >= 1");
  if (size % 2 == 0) {
    return ox_unsupported(p, "an even size (ONNX Runtime refuses it: nothing to check against)");
  }
  if (!isfinite(alpha) || alpha < 0.0f || !isfinite(beta)) {
    return ox_unsupported(p, "alpha must be finite and >= 0, beta finite");
  }
  if (!isfinite(bias) || !(bias > 0.0f)) {
    return ox_unsupported(p, "bias %g (needs a finite bias > 0: a power of a positive base)",
        (double) bias);
  }
  if (x->is_const) return ox_unsupported(p, "LRN of a constant");
  if (x->rank != 4) return ox_unsupported(p, "only 4-D inputs");
  const int64_t c = x->dims[1];
  if (c < 1) return ox_unsupported(p, "the channel count must be known");
  if (c > OX_MAX_LRN_CHANNELS) {
    return ox_unsupported(p, "more than %d channels", OX_MAX_LRN_CHANNELS);
  }
  struct ox_tensor xc;
  status = channels_last_view(p, x, &xc);
  if (status != pqnn_status_success) return status;
  struct ox_tensor xs, sq, s, l, t, q;
  ox_temporary(&sq);
  ox_temporary(&s);
  ox_temporary(&l);
  ox_temporary(&q);
  status = ox_emit_scalar_op(p, pqnn_binary_multiply, &xc, sqrtf(alpha / (float) size), &xs);
  if (status == pqnn_status_success) status = ox_emit_unary(p, pqnn_unary_square, NULL, &xs, &sq);
  if (status == pqnn_status_success) status = ox_like(p, &sq, &s, true);
  if (status == pqnn_status_success && ox_emitting(p)) {
    /* filter [out c][in j]: 1 where j lies in c's window. */
    const int64_t before = (size - 1) / 2, after = size - 1 - before;
    float* filter = ox_pass_alloc(p, (size_t) (c * c), sizeof(float));
    float* shift = ox_pass_alloc(p, (size_t) c, sizeof(float));
    if (filter == NULL || shift == NULL) return pqnn_status_out_of_memory;
    for (int64_t o = 0; o < c; o++) {
      shift[o] = bias;
      for (int64_t j = 0; j < c; j++) {
        filter[o * c + j] = j >= o - before && j <= o + after ? 1.0f : 0.0f;
      }
    }
    uint32_t w_id, b_id;
    const size_t wdims[2] = {(size_t) c, (size_t) c}, bdims[1] = {(size_t) c};
    status = ox_define_static(p, 2, wdims, filter, &w_id);
    if (status == pqnn_status_success) status = ox_define_static(p, 1, bdims, shift, &b_id);
    if (status == pqnn_status_success) {
      status = ox_refused(p, pqnn_define_fully_connected(p->sg, -INFINITY, INFINITY, sq.id, w_id,
          b_id, s.id, 0));
    }
  }
  if (status == pqnn_status_success) status = ox_emit_unary(p, pqnn_unary_log, NULL, &s, &l);
  if (status == pqnn_status_success) status = ox_emit_scalar_op(p, pqnn_binary_multiply, &l, -beta, &t);
  if (status == pqnn_status_success) status = ox_emit_unary(p, pqnn_unary_exp, NULL, &t, &q);
  if (status != pqnn_status_success) return status;
  return ox_emit_binary(p, pqnn_binary_multiply, &xc, &q, y);
}

/* ---- Pow by a constant exponent other than 2 and 0.5 (those are one unary node) ---- */

/* x^e: e = 1 a copy; 3 and 4 by multiplications (x * x^2, (x^2)^2: a negative base keeps
 * its sign where pow does); -1, -2 and -0.5 as 1 divided by x, x^2 and sqrt(x); any other
 * non-integer e as exp(e * log(x)): a negative base gives NaN, as pow does for such an
 * exponent, a zero base 0 or +inf by the sign of e, +inf +inf or 0. Other integer
 * exponents are unsupported (log of a negative base would be NaN where pow is real). */
enum pqnn_status ox_lower_pow_constant(struct ox_pass* p, struct ox_tensor* x, float e) {
  struct ox_tensor* y = ox_output(p, 0);
  if (y == NULL) return ox_invalid(p, "no output");
  if (x->is_const) return ox_unsupported(p, "Pow of a constant");
  if (!isfinite(e)) return ox_unsupported(p, "Pow with a non-finite exponent");
  if (e == 1.0f) {
    ox_set_shape(y, x->rank, x->dims);
    y->channels_last = x->channels_last;
    return ox_emit_reshape(p, x->id, y);
  }
  const float one = 1.0f;
  struct ox_tensor k = ox_scalar_constant(&one), t, u;
  ox_temporary(&t);
  ox_temporary(&u);
  enum pqnn_status status;
  if (e == 3.0f || e == 4.0f || e == -2.0f) {
    status = ox_emit_unary(p, pqnn_unary_square, NULL, x, &t);
    if (status != pqnn_status_success) return status;
    if (e == 3.0f) return ox_emit_binary(p, pqnn_binary_multiply, x, &t, y);
    if (e == 4.0f) return ox_emit_unary(p, pqnn_unary_square, NULL, &t, y);
    return ox_emit_binary(p, pqnn_binary_divide, &k, &t, y);
  }
  if (e == -1.0f) return ox_emit_binary(p, pqnn_binary_divide, &k, x, y);
  if (e == -0.5f) {
    status = ox_emit_unary(p, pqnn_unary_sqrt, NULL, x, &t);
    if (status != pqnn_status_success) return status;
    return ox_emit_binary(p, pqnn_binary_divide, &k, &t, y);
  }
  if (e == floorf(e)) {
    return ox_unsupported(p, "Pow with the integer exponent %g (1, 2, 3, 4, -1, -2 run)", (double) e);
  }
  status = ox_emit_unary(p, pqnn_unary_log, NULL, x, &t);
  if (status == pqnn_status_success) status = ox_emit_scalar_op(p, pqnn_binary_multiply, &t, e, &u);
  if (status != pqnn_status_success) return status;
  return ox_emit_unary(p, pqnn_unary_exp, NULL, &u, y);
}

/* ---- QuantizeLinear / DequantizeLinear of activations (QDQ models) ----
 * Float fake quantization with ONNX's arithmetic: QuantizeLinear(x) = clamp(round(x / scale)
 * + zero_point, lo, hi) (round half to even, [lo, hi] the range of int8 or uint8: the zero
 * point's type), held as floats (integers, exact); DequantizeLinear(q) = (q - zero_point) *
 * scale. Per tensor, or per axis (a 1-D scale along `axis`). The divide, the add of the
 * integer zero point and the subtract are those of ONNX Runtime's kernels (exact but the
 * divide, rounded once as there), so the pair gives ONNX Runtime's bits. */

/* The scale (or zero point, as floats) of q as a constant operand for x: a scalar per
 * tensor, else [1, .., count, .., 1] along q->axis (x's rank). */
static enum pqnn_status quant_operand(struct ox_pass* p, const struct ox_qparams* q,
    const struct ox_tensor* x, bool zero_point, struct ox_tensor* out) {
  static const float kDummy = 0.0f;  /* listing: the data is not read */
  *out = ox_scalar_constant(&kDummy);
  if (q->axis >= 0) {
    out->rank = x->rank;
    for (int d = 0; d < x->rank; d++) out->dims[d] = d == q->axis ? q->count : 1;
  }
  if (!ox_emitting(p) && q->axis >= 0) return pqnn_status_success;
  float* data = ox_pass_alloc(p, (size_t) q->count, sizeof(float));
  if (data == NULL) return pqnn_status_out_of_memory;
  for (int64_t c = 0; c < q->count; c++) {
    data[c] = !zero_point ? q->scale->f[c] : q->zp != NULL ? (float) q->zp->i[c] : 0.0f;
  }
  out->f = data;
  return pqnn_status_success;
}

enum pqnn_status ox_quant_checked(struct ox_pass* p, const struct ox_tensor* x,
    struct ox_qparams* q, int32_t* type, bool* has_zp) {
  const char* op = p->node->proto->op_type;
  enum pqnn_status status = ox_quant_params(p, x->rank, x->dims, q);
  if (status != pqnn_status_success) return status;
  int64_t dtype = 0;
  if (op[0] == 'Q') {
    status = ox_attr_int(p, "output_dtype", 0, &dtype);
    if (status != pqnn_status_success) return status;
  }
  *type = q->zp != NULL ? q->zp->elem_type : dtype != 0 ? (int32_t) dtype : x->elem_type;
  if (op[0] == 'Q' && q->zp == NULL && dtype == 0) *type = OX_UINT8;
  if (dtype != 0 && dtype != *type) return ox_invalid(p, "output_dtype is not the zero point's type");
  if (*type != OX_UINT8 && *type != OX_INT8) {
    return ox_unsupported(p, "%s of ONNX type %d (only int8 and uint8)", op, (int) *type);
  }
  const int64_t lo = *type == OX_INT8 ? -128 : 0, hi = *type == OX_INT8 ? 127 : 255;
  *has_zp = false;
  for (int64_t c = 0; c < q->count; c++) {
    const float s = q->scale->f[c];
    if (!(s > 0.0f) || !isfinite(s)) {
      return ox_unsupported(p, "a scale of %g (only positive finite scales)", (double) s);
    }
    if (q->zp != NULL && (q->zp->i[c] < lo || q->zp->i[c] > hi)) {
      return ox_invalid(p, "zero point %lld out of its type's range", (long long) q->zp->i[c]);
    }
    *has_zp |= q->zp != NULL && q->zp->i[c] != 0;
  }
  return pqnn_status_success;
}

enum pqnn_status ox_lower_quantize(struct ox_pass* p) {
  struct ox_tensor *x, *y;
  enum pqnn_status status = ox_io(p, &x, &y);
  if (status != pqnn_status_success) return status;
  if (x->is_const) return ox_unsupported(p, "QuantizeLinear of a constant");
  if (x->elem_type != OX_FLOAT) return ox_unsupported(p, "QuantizeLinear of a non-float tensor");
  if (y->graph_output >= 0) {
    return ox_unsupported(p, "its output is a graph output (pqnn outputs are float: only "
        "QuantizeLinear -> DequantizeLinear is supported)");
  }
  /* Every reader of y dequantizes it (its data input). */
  const int yi = p->node->outputs[0];
  for (size_t k = 0; k < p->m->num_nodes; k++) {
    const struct ox_node* n = &p->m->nodes[k];
    for (size_t i = 0; i < n->num_inputs; i++) {
      if (n->inputs[i] == yi && (i != 0 || strcmp(n->proto->op_type, "DequantizeLinear") != 0)) {
        return ox_unsupported(p, "its output is input %zu of %s (only the data input of "
            "DequantizeLinear: QuantizeLinear -> DequantizeLinear)", i, n->proto->op_type);
      }
    }
  }
  struct ox_qparams q;
  int32_t type;
  bool has_zp;
  status = ox_quant_checked(p, x, &q, &type, &has_zp);
  if (status != pqnn_status_success) return status;
  /* The zero point is added even where it is 0: + 0 turns round's -0 (of x in (-1/2, 0])
   * into the integer 0, so the pair gives ONNX Runtime's +0 there. */
  struct ox_tensor scale, zp, t1, t2, t3;
  status = quant_operand(p, &q, x, false, &scale);
  if (status == pqnn_status_success) status = quant_operand(p, &q, x, true, &zp);
  if (status != pqnn_status_success) return status;
  ox_temporary(&t1);
  ox_temporary(&t2);
  ox_temporary(&t3);
  status = ox_emit_binary(p, pqnn_binary_divide, x, &scale, &t1);
  if (status == pqnn_status_success) status = ox_emit_unary(p, pqnn_unary_round, NULL, &t1, &t2);
  if (status == pqnn_status_success) status = ox_emit_binary(p, pqnn_binary_add, &t2, &zp, &t3);
  if (status == pqnn_status_success) {
    status = ox_emit_clamp(p, type == OX_INT8 ? -128.0f : 0.0f, type == OX_INT8 ? 127.0f : 255.0f,
        &t3, y);
  }
  if (status != pqnn_status_success) return status;
  y->elem_type = type;
  y->quantized = true;
  return pqnn_status_success;
}

/* DequantizeLinear of an activation (constants fold): of QuantizeLinear's output only. */
enum pqnn_status ox_lower_dequantize(struct ox_pass* p) {
  struct ox_tensor *x, *y;
  enum pqnn_status status = ox_io(p, &x, &y);
  if (status != pqnn_status_success) return status;
  if (!x->quantized) {
    return ox_unsupported(p, "DequantizeLinear of an activation not produced by QuantizeLinear");
  }
  struct ox_qparams q;
  int32_t type;
  bool has_zp;
  status = ox_quant_checked(p, x, &q, &type, &has_zp);
  if (status != pqnn_status_success) return status;
  if (type != x->elem_type) return ox_invalid(p, "zero point type differs from the input's");
  struct ox_tensor scale, zp, d;
  status = quant_operand(p, &q, x, false, &scale);
  if (status == pqnn_status_success && has_zp) status = quant_operand(p, &q, x, true, &zp);
  if (status != pqnn_status_success) return status;
  struct ox_tensor* m_in = x;
  if (has_zp) {
    ox_temporary(&d);
    status = ox_emit_binary(p, pqnn_binary_subtract, x, &zp, &d);
    m_in = &d;
  }
  if (status != pqnn_status_success) return status;
  return ox_emit_binary(p, pqnn_binary_multiply, m_in, &scale, y);
}
