/* LogSoftmax and the unary ops without a node of their own, lowered to short chains of
 * existing nodes (docs/onnx.md, "Ops lowered to chains"):
 *   LogSoftmax       m = reduce max over the axis (opset < 13: every dim from the axis on)
 *                    clamped to +-FLT_MAX, d = x - m, y = d - log(reduce sum(exp(d)))
 *   Softmax (opset < 13 over the dims from the axis on, where that is more than the
 *                    innermost physical axis) e = exp(x - reduce max), y = e / reduce sum(e)
 *   Sign             x > 0 ? 1 : (x < 0 ? -1 : x) (comparisons, select nodes)
 *   Softsign         x / (1 + |x|)
 *   ThresholdedRelu  x > alpha ? x : 0
 *   Shrink           |x| > lambd ? x - bias * sign(x) : 0 (x for bias 0)
 *   Sin, Cos         x reduced to r in [-pi, pi] by k = round(x / 2pi) in two steps
 *                    (Cody-Waite), then a polynomial in r^2 (Horner)
 *   IsNaN            x != x (the comparison node: 1 / 0, an ONNX bool)
 *   IsInf            |x| == inf, x == inf or x == -inf by detect_positive / detect_negative
 *                    (neither: x == NaN, false everywhere) */
#include <math.h>
#include <string.h>

#include "onnx/internal.h"

/* ---- LogSoftmax ---- */

enum pqnn_status ox_lower_log_softmax(struct ox_pass* p) {
  struct ox_tensor *x, *y;
  enum pqnn_status status = ox_io(p, &x, &y);
  if (status != pqnn_status_success) return status;
  int64_t axis;
  const bool flattened = p->m->opset < 13;
  status = ox_attr_int(p, "axis", flattened ? 1 : -1, &axis);
  if (status != pqnn_status_success) return status;
  if (x->is_const) return ox_unsupported(p, "LogSoftmax of a constant");
  if (x->rank < 1) return ox_unsupported(p, "scalar input");
  if (axis < -x->rank || axis >= x->rank) {
    return ox_invalid(p, "axis %lld out of range for rank %d", (long long) axis, x->rank);
  }
  if (axis < 0) axis += x->rank;
  /* Opset 13 normalizes along one axis; before, x is viewed as 2-D [dims before axis] x
   * [dims from axis on] and each row normalized: a reduction over all of those dims. */
  bool reduced[OX_MAX_RANK] = {false};
  for (int d = (int) axis; d < (flattened ? x->rank : (int) axis + 1); d++) reduced[d] = true;
  struct ox_tensor m, d, l;
  status = ox_emit_log_sum_exp(p, x, reduced, true, &m, &d, &l);
  if (status != pqnn_status_success) return status;
  return ox_emit_binary(p, pqnn_binary_subtract, &d, &l, y);
}

/* Opset < 13 Softmax over the dims from `axis` on (x viewed as 2-D [dims before axis] x
 * [dims from axis on]): m = reduce max (kept), e = exp(x - m), y = e / reduce sum(e) (kept).
 * The max is not clamped, so a row with an infinity gives NaN as in ONNX Runtime. */
enum pqnn_status ox_lower_softmax_flattened(struct ox_pass* p, struct ox_tensor* x, int axis) {
  struct ox_tensor* y = ox_output(p, 0);
  if (y == NULL) return ox_invalid(p, "no output");
  if (x->is_const) return ox_unsupported(p, "Softmax of a constant");
  bool reduced[OX_MAX_RANK] = {false};
  for (int d = axis; d < x->rank; d++) reduced[d] = true;
  struct ox_tensor m, d, e, s;
  ox_temporary(&m);
  ox_temporary(&d);
  ox_temporary(&e);
  ox_temporary(&s);
  enum pqnn_status status = ox_emit_reduce(p, pqnn_reduce_max, x, reduced, true, &m);
  if (status == pqnn_status_success) status = ox_emit_binary(p, pqnn_binary_subtract, x, &m, &d);
  if (status == pqnn_status_success) status = ox_emit_unary(p, pqnn_unary_exp, NULL, &d, &e);
  if (status == pqnn_status_success) {
    status = ox_emit_reduce(p, pqnn_reduce_sum, &e, reduced, true, &s);
  }
  if (status != pqnn_status_success) return status;
  return ox_emit_binary(p, pqnn_binary_divide, &e, &s, y);
}

/* ---- Sign, Softsign, ThresholdedRelu, Shrink ---- */

/* y = a op b into y (a temporary or the node's output) for two activations or an
 * activation and a scalar constant c (b == NULL). */
static enum pqnn_status emit_op(struct ox_pass* p, enum pqnn_binary_operator op,
    struct ox_tensor* a, struct ox_tensor* b, float c, struct ox_tensor* y) {
  struct ox_tensor k = ox_scalar_constant(&c);
  return ox_emit_binary(p, op, a, b != NULL ? b : &k, y);
}

enum pqnn_status ox_emit_select(struct ox_pass* p, struct ox_tensor* cond,
    struct ox_tensor* a, float ka, struct ox_tensor* b, float kb, struct ox_tensor* y) {
  enum pqnn_status status = ox_like(p, cond, y, cond->channels_last);
  if (status != pqnn_status_success || !ox_emitting(p)) return status;
  struct ox_tensor* in[2] = {a, b};
  const float k[2] = {ka, kb};
  uint32_t ids[2];
  for (size_t j = 0; j < 2 && status == pqnn_status_success; j++) {
    if (in[j] != NULL && !in[j]->is_const) {
      ids[j] = in[j]->id;
      continue;
    }
    const struct ox_tensor c = in[j] != NULL ? *in[j] : ox_scalar_constant(&k[j]);
    size_t num_dims = 0, dims[OX_MAX_RANK + 1];
    const float* data = NULL;
    status = ox_physical_constant(p, &c, y->rank, y->channels_last, false, &num_dims, dims, &data);
    if (status == pqnn_status_success) status = ox_define_static(p, num_dims, dims, data, &ids[j]);
  }
  if (status != pqnn_status_success) return status;
  return ox_refused(p, pqnn_define_select(p->sg, cond->id, ids[0], ids[1], y->id, 0));
}

/* sign(x) = x > 0 ? 1 : (x < 0 ? -1 : x) into y: 1, -1, or x itself for +-0 and NaN (as
 * ONNX Runtime). */
static enum pqnn_status emit_sign(struct ox_pass* p, struct ox_tensor* x, struct ox_tensor* y) {
  struct ox_tensor gt, lt, t;
  ox_temporary(&gt);
  ox_temporary(&lt);
  ox_temporary(&t);
  enum pqnn_status status = emit_op(p, pqnn_binary_greater, x, NULL, 0.0f, &gt);
  if (status == pqnn_status_success) status = emit_op(p, pqnn_binary_less, x, NULL, 0.0f, &lt);
  if (status == pqnn_status_success) status = ox_emit_select(p, &lt, NULL, -1.0f, x, 0.0f, &t);
  if (status != pqnn_status_success) return status;
  return ox_emit_select(p, &gt, NULL, 1.0f, &t, 0.0f, y);
}

static enum pqnn_status lower_softsign(struct ox_pass* p, struct ox_tensor* x, struct ox_tensor* y) {
  struct ox_tensor a, d;
  ox_temporary(&a);
  enum pqnn_status status = ox_emit_unary(p, pqnn_unary_abs, NULL, x, &a);
  if (status == pqnn_status_success) status = ox_emit_scalar_op(p, pqnn_binary_add, &a, 1.0f, &d);
  if (status != pqnn_status_success) return status;
  return ox_emit_binary(p, pqnn_binary_divide, x, &d, y);
}

/* x > alpha ? x : 0 (NaN gives 0, as ONNX Runtime). */
static enum pqnn_status lower_thresholded_relu(struct ox_pass* p, struct ox_tensor* x,
    struct ox_tensor* y) {
  float alpha;
  enum pqnn_status status = ox_attr_float(p, "alpha", 1.0f, &alpha);
  if (status != pqnn_status_success) return status;
  if (!isfinite(alpha)) return ox_unsupported(p, "ThresholdedRelu with alpha %g", (double) alpha);
  struct ox_tensor m;
  ox_temporary(&m);
  status = emit_op(p, pqnn_binary_greater, x, NULL, alpha, &m);
  if (status != pqnn_status_success) return status;
  return ox_emit_select(p, &m, x, 0.0f, NULL, 0.0f, y);
}

/* Shrink: x < -lambd ? x + bias : x > lambd ? x - bias : 0 (lambd >= 0) as
 * |x| > lambd ? x - bias * sign(x) : 0: one rounding, as ONNX Runtime's x -+ bias (NaN
 * gives 0 as there). */
static enum pqnn_status lower_shrink(struct ox_pass* p, struct ox_tensor* x, struct ox_tensor* y) {
  float lambd, bias;
  enum pqnn_status status = ox_attr_float(p, "lambd", 0.5f, &lambd);
  if (status == pqnn_status_success) status = ox_attr_float(p, "bias", 0.0f, &bias);
  if (status != pqnn_status_success) return status;
  if (!isfinite(lambd) || !isfinite(bias)) {
    return ox_unsupported(p, "Shrink with lambd %g, bias %g (both must be finite)",
        (double) lambd, (double) bias);
  }
  if (lambd < 0.0f) {
    return ox_unsupported(p, "Shrink with lambd %g < 0 (overlapping ranges)", (double) lambd);
  }
  struct ox_tensor a, m, s, sb, v;
  ox_temporary(&a);
  ox_temporary(&m);
  ox_temporary(&s);
  ox_temporary(&v);
  status = ox_emit_unary(p, pqnn_unary_abs, NULL, x, &a);
  if (status == pqnn_status_success) status = emit_op(p, pqnn_binary_greater, &a, NULL, lambd, &m);
  if (status != pqnn_status_success) return status;
  if (bias == 0.0f) return ox_emit_select(p, &m, x, 0.0f, NULL, 0.0f, y);
  status = emit_sign(p, x, &s);
  if (status == pqnn_status_success) status = ox_emit_scalar_op(p, pqnn_binary_multiply, &s, bias, &sb);
  if (status == pqnn_status_success) status = ox_emit_binary(p, pqnn_binary_subtract, x, &sb, &v);
  if (status != pqnn_status_success) return status;
  return ox_emit_select(p, &m, &v, 0.0f, NULL, 0.0f, y);
}

/* ---- Sin, Cos ---- */

/* 2 pi = kTwoPiHi + kTwoPiLo: kTwoPiHi has 12 significant bits (k * kTwoPiHi is exact for
 * |k| < 2^12, |x| up to about 25000), kTwoPiLo the rest of 2 pi in float. */
static const float kTwoPiHi = 6.28125f;
static const float kTwoPiLo = 1.9353071795864769e-3f;
static const float kInvTwoPi = 0.15915494309189535f;

/* Polynomials in s = r^2 on r in [-pi, pi] (least-squares fits refined toward the minimax
 * error; measured max error of the float Horner evaluation 5e-7): sin(r) = r * S(s),
 * cos(r) = C(s); coefficients from s^0 up. */
static const float kSin[7] = {1.0f, -0.166666641831398f, 0.00833331048488617f,
    -0.00019840156892314553f, 2.75294883067545e-06f, -2.467726467614284e-08f,
    1.345244471373519e-10f};
static const float kCos[8] = {1.0f, -0.5f, 0.0416666641831398f, -0.0013888871762901545f,
    2.4800763640087098e-05f, -2.753764363205846e-07f, 2.062290338500361e-09f,
    -9.774736575707266e-12f};

/* r = x - k * 2pi, k = round(x / 2pi) (half to even), in [-pi, pi]: multiply, round,
 * multiply, subtract, multiply, subtract. */
static enum pqnn_status emit_reduce_angle(struct ox_pass* p, struct ox_tensor* x,
    struct ox_tensor* r) {
  struct ox_tensor t, k, a, r1, b;
  ox_temporary(&k);
  ox_temporary(&r1);
  ox_temporary(r);
  enum pqnn_status status = ox_emit_scalar_op(p, pqnn_binary_multiply, x, kInvTwoPi, &t);
  if (status == pqnn_status_success) status = ox_emit_unary(p, pqnn_unary_round, NULL, &t, &k);
  if (status == pqnn_status_success) status = ox_emit_scalar_op(p, pqnn_binary_multiply, &k, kTwoPiHi, &a);
  if (status == pqnn_status_success) status = ox_emit_binary(p, pqnn_binary_subtract, x, &a, &r1);
  if (status == pqnn_status_success) status = ox_emit_scalar_op(p, pqnn_binary_multiply, &k, kTwoPiLo, &b);
  if (status != pqnn_status_success) return status;
  return ox_emit_binary(p, pqnn_binary_subtract, &r1, &b, r);
}

static enum pqnn_status lower_sin_cos(struct ox_pass* p, struct ox_tensor* x, struct ox_tensor* y,
    bool cosine) {
  const float* c = cosine ? kCos : kSin;
  const int top = cosine ? 7 : 6;
  struct ox_tensor r, s, q[2], sum;
  ox_temporary(&s);
  enum pqnn_status status = emit_reduce_angle(p, x, &r);
  if (status == pqnn_status_success) status = ox_emit_unary(p, pqnn_unary_square, NULL, &r, &s);
  /* Horner: q = c[top] * s, then q = (q + c[j]) * s down to j = 1; the last add (c[0])
   * goes to y for cos, and sin multiplies it by r. */
  if (status == pqnn_status_success) status = ox_emit_scalar_op(p, pqnn_binary_multiply, &s, c[top], &q[0]);
  struct ox_tensor* acc = &q[0];
  for (int j = top - 1; j >= 1 && status == pqnn_status_success; j--) {
    status = ox_emit_scalar_op(p, pqnn_binary_add, acc, c[j], &sum);
    struct ox_tensor* next = acc == &q[0] ? &q[1] : &q[0];
    ox_temporary(next);
    if (status == pqnn_status_success) status = ox_emit_binary(p, pqnn_binary_multiply, &sum, &s, next);
    acc = next;
  }
  if (status != pqnn_status_success) return status;
  if (cosine) return emit_op(p, pqnn_binary_add, acc, NULL, c[0], y);
  status = ox_emit_scalar_op(p, pqnn_binary_add, acc, c[0], &sum);
  if (status != pqnn_status_success) return status;
  return ox_emit_binary(p, pqnn_binary_multiply, &r, &sum, y);
}

/* ---- dispatch ---- */

/* IsNaN: x != x, true for NaN only (the comparison nodes' NaN rule). */
static enum pqnn_status lower_is_nan(struct ox_pass* p, struct ox_tensor* x, struct ox_tensor* y) {
  const enum pqnn_status status = ox_emit_binary(p, pqnn_binary_not_equal, x, x, y);
  if (status == pqnn_status_success) y->elem_type = OX_BOOL;
  return status;
}

/* IsInf: |x| == inf for both signs, x == +inf or x == -inf for one, x == NaN (never true)
 * for neither. */
static enum pqnn_status lower_is_inf(struct ox_pass* p, struct ox_tensor* x, struct ox_tensor* y) {
  int64_t negative, positive;
  enum pqnn_status status = ox_attr_int(p, "detect_negative", 1, &negative);
  if (status == pqnn_status_success) status = ox_attr_int(p, "detect_positive", 1, &positive);
  if (status != pqnn_status_success) return status;
  struct ox_tensor a;
  ox_temporary(&a);
  struct ox_tensor* v = x;
  float target = INFINITY;
  if (negative != 0 && positive != 0) {
    status = ox_emit_unary(p, pqnn_unary_abs, NULL, x, &a);
    v = &a;
  } else if (negative != 0) {
    target = -INFINITY;
  } else if (positive == 0) {
    target = NAN;
  }
  if (status == pqnn_status_success) status = emit_op(p, pqnn_binary_equal, v, NULL, target, y);
  if (status == pqnn_status_success) y->elem_type = OX_BOOL;
  return status;
}

static const char* const kMathOps[] = {"Sign", "Sin", "Cos", "Softsign", "ThresholdedRelu",
    "Shrink", "IsNaN", "IsInf"};

bool ox_is_math_chain_op(const char* op) {
  for (size_t k = 0; k < sizeof(kMathOps) / sizeof(kMathOps[0]); k++) {
    if (strcmp(op, kMathOps[k]) == 0) return true;
  }
  return false;
}

enum pqnn_status ox_lower_math_chain(struct ox_pass* p, const char* op) {
  struct ox_tensor *x, *y;
  const enum pqnn_status status = ox_io(p, &x, &y);
  if (status != pqnn_status_success) return status;
  if (x->is_const) return ox_unsupported(p, "%s of a constant", op);
  if (x->elem_type != OX_FLOAT && x->elem_type != 0) {
    return ox_unsupported(p, "%s of a non-float activation", op);
  }
  if (strcmp(op, "Sign") == 0) return emit_sign(p, x, y);
  if (strcmp(op, "Softsign") == 0) return lower_softsign(p, x, y);
  if (strcmp(op, "ThresholdedRelu") == 0) return lower_thresholded_relu(p, x, y);
  if (strcmp(op, "Shrink") == 0) return lower_shrink(p, x, y);
  if (strcmp(op, "Sin") == 0 || strcmp(op, "Cos") == 0) return lower_sin_cos(p, x, y, op[0] == 'C');
  if (strcmp(op, "IsNaN") == 0) return lower_is_nan(p, x, y);
  if (strcmp(op, "IsInf") == 0) return lower_is_inf(p, x, y);
  return ox_unsupported(p, "no pqnn node type for this op yet");
}
