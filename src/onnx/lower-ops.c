/* Gemm / MatMul with a constant operand (fully connected), Add / Sub and any binary op
 * (add2 or a binary node, with broadcasting), Relu / Clip / Max / Min with constant bounds (clamp), Softmax,
 * Reshape-like ops (static reshape) and Gelu. */
#include <math.h>
#include <string.h>

#include "onnx/internal.h"

enum pqnn_status ox_lower_gemm(struct ox_pass* p, bool matmul) {
  struct ox_tensor *a, *b, *c = NULL;
  enum pqnn_status status = ox_input(p, 0, &a);
  if (status == pqnn_status_success) status = ox_input(p, 1, &b);
  if (status != pqnn_status_success) return status;
  if (!matmul && p->node->num_inputs > 2 && p->node->inputs[2] >= 0) c = &p->t[p->node->inputs[2]];
  struct ox_tensor* y = ox_output(p, 0);
  if (y == NULL) return ox_invalid(p, "no output");
  int64_t trans_a = 0, trans_b = 0;
  float alpha = 1.0f, beta = 1.0f;
  if (!matmul) {
    status = ox_attr_int(p, "transA", 0, &trans_a);
    if (status == pqnn_status_success) status = ox_attr_int(p, "transB", 0, &trans_b);
    if (status == pqnn_status_success) status = ox_attr_float(p, "alpha", 1.0f, &alpha);
    if (status == pqnn_status_success) status = ox_attr_float(p, "beta", 1.0f, &beta);
    if (status != pqnn_status_success) return status;
  }
  if (a->is_const || !b->is_const) {
    return ox_unsupported(p, "needs an activation times a constant (two activations need a "
        "batch matrix multiply node)");
  }
  if (trans_a != 0) return ox_unsupported(p, "transA = 1 on an activation needs a transpose node");
  if (b->f == NULL || b->rank != 2) return ox_unsupported(p, "the constant operand must be a 2-D float matrix");
  if ((!matmul && a->rank != 2) || a->rank < 2) {
    return ox_unsupported(p, "the activation must be 2-D (Gemm) or at least 2-D (MatMul)");
  }
  const int64_t k = trans_b ? b->dims[1] : b->dims[0];
  const int64_t n = trans_b ? b->dims[0] : b->dims[1];
  if (a->dims[a->rank - 1] >= 0 && a->dims[a->rank - 1] != k) {
    return ox_invalid(p, "inner dims differ (%lld vs %lld)", (long long) a->dims[a->rank - 1], (long long) k);
  }
  int64_t nc = 0;
  if (c != NULL) {
    if (!c->is_const || c->f == NULL || !ox_elements(c, &nc) || (nc != 1 && nc != n) ||
        (c->rank == 2 && c->dims[1] != n && nc != 1)) {
      return ox_unsupported(p, "C must be a float constant scalar, [N] or [1, N]");
    }
  }
  uint32_t in_id;
  status = ox_model_order_id(p, a, &in_id);
  if (status != pqnn_status_success) return status;
  /* Per-output or scalar constant scale / shift right after (and BatchNormalization of a 2-D
   * output) fold into the weights and the bias. */
  float *fold_scale = NULL, *fold_shift = NULL;
  status = ox_fold_affine_chain(p, n, a->rank, a->rank - 1, &y, &fold_scale, &fold_shift);
  if (status != pqnn_status_success) return status;
  ox_set_shape(y, a->rank, a->dims);
  y->dims[a->rank - 1] = n;
  y->channels_last = false;
  status = ox_define_activation(p, y);
  if (status != pqnn_status_success || !ox_emitting(p)) return status;
  float* filter = ox_pass_alloc(p, (size_t) n * (size_t) k, sizeof(float));
  float* bias = ox_pass_alloc(p, (size_t) n, sizeof(float));
  if (filter == NULL || bias == NULL) return pqnn_status_out_of_memory;
  for (int64_t o = 0; o < n; o++) {
    const float s = fold_scale[o];
    for (int64_t i = 0; i < k; i++) {
      filter[o * k + i] = alpha * (trans_b ? b->f[o * k + i] : b->f[i * n + o]) * s;
    }
    bias[o] = (c == NULL ? 0.0f : beta * c->f[nc == 1 ? 0 : o]) * s + fold_shift[o];
  }
  uint32_t w_id, b_id;
  const size_t wdims[2] = {(size_t) n, (size_t) k}, bdims[1] = {(size_t) n};
  status = ox_define_static(p, 2, wdims, filter, &w_id);
  if (status == pqnn_status_success) status = ox_define_static(p, 1, bdims, bias, &b_id);
  if (status == pqnn_status_success) {
    status = pqnn_define_fully_connected(p->sg, -INFINITY, INFINITY, in_id, w_id, b_id, y->id, 0);
  }
  return ox_refused(p, status);
}

/* Constant c broadcast to rank r, laid out like an activation of rank r with the given
 * layout (channels-last moves axis 1 last), negated when asked. */
enum pqnn_status ox_physical_constant(struct ox_pass* p, const struct ox_tensor* c, int r,
    bool channels_last, bool negate, size_t* num_dims, size_t* dims, const float** data) {
  struct ox_tensor e = {.rank = r, .channels_last = channels_last};
  for (int d = 0; d < r; d++) e.dims[d] = d < r - c->rank ? 1 : c->dims[d - (r - c->rank)];
  *num_dims = ox_physical_dims(&e, dims);
  /* ONNX axis of each physical axis (-1: the inserted H of rank 3). */
  int src[OX_MAX_RANK + 1];
  size_t j = 0;
  if (channels_last && r >= 3) {
    src[j++] = 0;
    if (r == 3) src[j++] = -1;
    for (int d = 2; d < r; d++) src[j++] = d;
    src[j++] = 1;
  } else {
    for (int d = 0; d < r; d++) src[j++] = d;
  }
  int64_t n;
  if (!ox_elements(&e, &n)) return ox_invalid(p, "bad constant");
  float* out = ox_pass_alloc(p, (size_t) n, sizeof(float));
  if (out == NULL) return pqnn_status_out_of_memory;
  int64_t coord[OX_MAX_RANK + 1] = {0};
  for (int64_t k = 0; k < n; k++) {
    int64_t onnx_coord[OX_MAX_RANK] = {0};
    for (size_t q = 0; q < *num_dims; q++) {
      if (src[q] >= 0) onnx_coord[src[q]] = coord[q];
    }
    int64_t idx = 0;
    for (int d = 0; d < r; d++) idx = idx * e.dims[d] + onnx_coord[d];
    out[k] = negate ? -c->f[idx] : c->f[idx];
    for (size_t q = *num_dims; q-- > 0;) {
      if (++coord[q] < (int64_t) dims[q]) break;
      coord[q] = 0;
    }
  }
  *data = out;
  return pqnn_status_success;
}

enum pqnn_status ox_lower_add(struct ox_pass* p, bool subtract) {
  return ox_lower_binary(p, subtract ? pqnn_binary_subtract : pqnn_binary_add);
}

enum pqnn_status ox_lower_binary(struct ox_pass* p, enum pqnn_binary_operator op) {
  struct ox_tensor *a, *b;
  enum pqnn_status status = ox_input(p, 0, &a);
  if (status == pqnn_status_success) status = ox_input(p, 1, &b);
  if (status != pqnn_status_success) return status;
  struct ox_tensor* y = ox_output(p, 0);
  if (y == NULL) return ox_invalid(p, "no output");
  return ox_emit_binary(p, op, a, b, y);
}

enum pqnn_status ox_emit_binary(struct ox_pass* p, enum pqnn_binary_operator op,
    struct ox_tensor* a, struct ox_tensor* b, struct ox_tensor* y) {
  enum pqnn_status status;
  if (a->is_const && b->is_const) return ox_unsupported(p, "two constant operands");
  /* a becomes the activation; `swapped` remembers the model's operand order. */
  const bool swapped = a->is_const;
  if (swapped) {
    struct ox_tensor* t = a;
    a = b;
    b = t;
  }
  if (b->is_const && b->f == NULL) return ox_unsupported(p, "integer constant operand");
  /* activation - constant runs as add2 with the negated constant. */
  const bool negate_b = op == pqnn_binary_subtract && b->is_const && !swapped;
  const bool as_add2 = op == pqnn_binary_add || negate_b;
  struct ox_tensor shape = {.rank = -1};
  if (!ox_broadcast(a, b, &shape)) return ox_invalid(p, "operands do not broadcast");
  uint32_t a_id = a->id, b_id = b->id;
  bool channels_last = a->channels_last && a->rank >= 3;
  if (!b->is_const) {
    if (a->rank != b->rank && (a->channels_last || b->channels_last)) {
      return ox_unsupported(p, "NHWC operands of different ranks");
    }
    if (a->channels_last != b->channels_last) {
      /* Bring the operands to one layout where that is a relabel. */
      status = channels_last ? ox_channels_last_id(p, b, &b_id) : ox_channels_last_id(p, a, &a_id);
      if (status != pqnn_status_success) {
        a_id = a->id;
        b_id = b->id;
        status = channels_last ? ox_model_order_id(p, a, &a_id) : ox_model_order_id(p, b, &b_id);
        channels_last = false;
      } else {
        channels_last = true;
      }
      if (status != pqnn_status_success) return status;
    }
  } else if (shape.rank != a->rank && channels_last) {
    return ox_unsupported(p, "constant of higher rank than the NHWC activation");
  }
  ox_set_shape(y, shape.rank, shape.dims);
  y->channels_last = channels_last;
  size_t phys[OX_MAX_RANK + 1];
  if (y->rank >= 0 && ox_physical_dims(y, phys) > 4) {
    return ox_unsupported(p, "more than 4 dims (binary nodes have at most 4)");
  }
  status = ox_define_activation(p, y);
  if (status != pqnn_status_success || !ox_emitting(p)) return status;
  if (b->is_const) {
    size_t num_dims = 0, dims[OX_MAX_RANK + 1];
    const float* data = NULL;
    status = ox_physical_constant(p, b, y->rank, channels_last, negate_b, &num_dims, dims, &data);
    if (status == pqnn_status_success) status = ox_define_static(p, num_dims, dims, data, &b_id);
    if (status != pqnn_status_success) return status;
  }
  if (as_add2) return ox_refused(p, pqnn_define_add2(p->sg, -INFINITY, INFINITY, a_id, b_id, y->id, 0));
  return ox_refused(p, pqnn_define_binary(p->sg, op, -INFINITY, INFINITY, swapped ? b_id : a_id,
      swapped ? a_id : b_id, y->id, 0));
}

/* A scalar float constant operand, or false. */
static bool scalar(const struct ox_pass* p, size_t k, float* value) {
  if (k >= p->node->num_inputs || p->node->inputs[k] < 0) return false;
  const struct ox_tensor* t = &p->t[p->node->inputs[k]];
  int64_t n;
  if (!t->is_const || t->f == NULL || !ox_elements(t, &n) || n != 1) return false;
  *value = t->f[0];
  return true;
}

enum pqnn_status ox_lower_clamp(struct ox_pass* p) {
  const char* op = p->node->proto->op_type;
  struct ox_tensor* x;
  enum pqnn_status status = ox_input(p, 0, &x);
  if (status != pqnn_status_success) return status;
  float lo = -INFINITY, hi = INFINITY;
  if (strcmp(op, "Relu") == 0) {
    lo = 0.0f;
  } else if (strcmp(op, "Clip") == 0) {
    if (p->m->opset < 11) {
      status = ox_attr_float(p, "min", -INFINITY, &lo);
      if (status == pqnn_status_success) status = ox_attr_float(p, "max", INFINITY, &hi);
      if (status != pqnn_status_success) return status;
    } else {
      const bool has_min = p->node->num_inputs > 1 && p->node->inputs[1] >= 0;
      const bool has_max = p->node->num_inputs > 2 && p->node->inputs[2] >= 0;
      if ((has_min && !scalar(p, 1, &lo)) || (has_max && !scalar(p, 2, &hi))) {
        return ox_unsupported(p, "Clip bounds must be float scalar constants");
      }
    }
  } else {  /* Max / Min with one activation and one scalar constant */
    if (p->node->num_inputs != 2) return ox_unsupported(p, "only two operands");
    float c;
    if (scalar(p, 1, &c)) {
    } else if (scalar(p, 0, &c)) {
      status = ox_input(p, 1, &x);
      if (status != pqnn_status_success) return status;
    } else {
      return ox_unsupported(p, "%s without a scalar constant operand needs a maximum/minimum node", op);
    }
    if (op[1] == 'a') lo = c; else hi = c;
  }
  struct ox_tensor* y = ox_output(p, 0);
  if (y == NULL) return ox_invalid(p, "no output");
  return ox_emit_clamp(p, lo, hi, x, y);
}

enum pqnn_status ox_emit_clamp(struct ox_pass* p, float lo, float hi, struct ox_tensor* x,
    struct ox_tensor* y) {
  if (x->is_const) return ox_unsupported(p, "clamping a constant");
  if (isnan(lo) || isnan(hi) || lo > hi) return ox_invalid(p, "bad bounds");
  const enum pqnn_status status = ox_like(p, x, y, x->channels_last);
  if (status != pqnn_status_success || !ox_emitting(p)) return status;
  return ox_refused(p, pqnn_define_clamp(p->sg, lo, hi, x->id, y->id, 0));
}

enum pqnn_status ox_lower_reshape(struct ox_pass* p) {
  struct ox_tensor *x, *y;
  enum pqnn_status status = ox_io(p, &x, &y);
  if (status != pqnn_status_success) return status;
  const char* op = p->node->proto->op_type;
  const bool same = strcmp(op, "Identity") == 0 || strcmp(op, "Dropout") == 0;
  struct ox_tensor shape = {.rank = -1};
  status = ox_reshape_shape(p, x, &shape);
  if (status != pqnn_status_success) return status;
  /* A reshape copies the element sequence: an NHWC input is fine where that sequence is
   * the model's (no relabel copy first); elsewhere it needs a transpose. */
  uint32_t in_id = x->id;
  if (!same && x->channels_last && !ox_layout_free(x)) {
    status = ox_model_order_id(p, x, &in_id);
    if (status != pqnn_status_success) return status;
  }
  ox_set_shape(y, shape.rank, shape.dims);
  /* The output is in the model's order; where that is also NHWC, say so (saves a relabel). */
  y->channels_last = same ? x->channels_last : (shape.rank >= 3 && ox_layout_free(y));
  return ox_emit_reshape(p, in_id, y);
}

/* Cast of a float activation (exporters insert Cast(to=FLOAT) on float tensors, and mixed
 * precision a round trip through float16): to FLOAT a copy, to DOUBLE too (pqnn computes in
 * float: the values are the input's); to FLOAT16 two converts, f32 -> f16 -> f32, so the
 * rounding to half precision (overflow to infinity included) is ONNX Runtime's; to BOOL
 * x != 0 (lower-logic.c; a bool activation is 0 / 1 floats, so casting it to float is a
 * copy). Casts to other types (integers, bfloat16) of activations are unsupported; of
 * constants they fold. */
enum pqnn_status ox_lower_cast(struct ox_pass* p) {
  struct ox_tensor *x, *y;
  enum pqnn_status status = ox_io(p, &x, &y);
  if (status != pqnn_status_success) return status;
  int64_t to;
  status = ox_attr_int(p, "to", 0, &to);
  if (status != pqnn_status_success) return status;
  if (x->indices && (to == OX_INT64 || to == OX_INT32 || to == OX_FLOAT || to == OX_DOUBLE)) {
    /* ArgMax / ArgMin indices: integers held as floats (lower-argmax.c), a copy. */
    ox_set_shape(y, x->rank, x->dims);
    y->channels_last = x->channels_last;
    status = ox_emit_reshape(p, x->id, y);
    if (status == pqnn_status_success && (to == OX_INT64 || to == OX_INT32)) {
      y->elem_type = (int32_t) to;
      y->indices = true;
    }
    return status;
  }
  if (to == OX_BOOL) return ox_lower_cast_bool(p);
  /* A bool activation is a 0 / 1 float32 one (lower-logic.c). */
  if (x->elem_type != OX_FLOAT && x->elem_type != OX_BOOL) {
    return ox_unsupported(p, "Cast of a non-float activation");
  }
  enum { kFloat16 = 10 };
  if (to != OX_FLOAT && to != OX_DOUBLE && to != kFloat16) {
    return ox_unsupported(p, "Cast of an activation to type %lld", (long long) to);
  }
  ox_set_shape(y, x->rank, x->dims);
  y->channels_last = x->channels_last;
  if (to != kFloat16) return ox_emit_reshape(p, x->id, y);
  status = ox_define_activation(p, y);
  if (status != pqnn_status_success || !ox_emitting(p)) return status;
  size_t dims[OX_MAX_RANK + 1];
  const size_t num_dims = ox_physical_dims(x, dims);
  uint32_t half_id;
  status = pqnn_define_tensor_value(p->sg, pqnn_datatype_fp16, num_dims, dims, NULL,
      PQNN_INVALID_VALUE_ID, 0, &half_id);
  if (status == pqnn_status_success) status = ox_note_temporary(p, half_id, x->channels_last);
  if (status == pqnn_status_success) status = pqnn_define_convert(p->sg, x->id, half_id, 0);
  if (status == pqnn_status_success) status = pqnn_define_convert(p->sg, half_id, y->id, 0);
  return ox_refused(p, status);
}

enum pqnn_status ox_lower_gelu(struct ox_pass* p) {
  struct ox_tensor* x;
  enum pqnn_status status = ox_input(p, 0, &x);
  if (status != pqnn_status_success) return status;
  char approximate[8];
  status = ox_attr_string(p, "approximate", "none", approximate, sizeof(approximate));
  if (status != pqnn_status_success) return status;
  if (strcmp(approximate, "none") != 0) return ox_unsupported(p, "tanh-approximated Gelu");
  struct ox_tensor* y = ox_output(p, 0);
  if (y == NULL) return ox_invalid(p, "no output");
  status = ox_like(p, x, y, x->channels_last);
  if (status != pqnn_status_success || !ox_emitting(p)) return status;
  return ox_refused(p, pqnn_define_gelu(p->sg, x->id, y->id, 0));
}
