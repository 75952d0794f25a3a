/* ArgMax, ArgMin and Hardmax of a float activation along one axis, lowered to a chain of
 * existing nodes (docs/onnx.md, "Ops lowered to chains"). ONNX Runtime scans each row in order and
 * takes x[i] where x[i] > best (select_last_index = 1: >=; ArgMin: <, <=), starting from
 * x[0]: NaN elements after the first are never taken, and a NaN first element is kept (the
 * result is 0). The chain computes the same index (ArgMin: of -x, which orders and ties
 * alike; -NaN is NaN):
 *   nan = x != x                       (comparison: 1 where NaN)
 *   m   = reduce max(nan ? -inf : x)   (kept dim: the largest non-NaN value, -inf if none)
 *   eq  = x == m                       (NaN never equal)
 *   r   = reduce max(eq ? K : 0)       K = n - i (first index), i + 1 (last)
 *   idx = n - r  |  r - 1
 *   y   = reduce max(nan * E0) ? 0 : idx   E0 = 1 at i = 0: a NaN first element gives 0
 * then a reshape dropping the axis without keepdims. Every value is an integer below 2^24,
 * so the floats are exact (an axis of more than 2^24 is unsupported). The output is marked
 * int64 (ox_tensor.indices): a graph output (pqnn_onnx_run_typed_outputs converts it) or
 * the input of a Cast. Hardmax is equal(idx, i) with the axis kept: 1 at the index (a row
 * with a NaN first: none, as ONNX Runtime). */
#include <math.h>

#include "onnx/internal.h"

/* What the constant along the axis holds at index i. */
enum axis_values {
  kFirstKey,   /* n - i: the largest at the first index */
  kLastKey,    /* i + 1: the largest at the last index */
  kFirstOnly,  /* 1 at i = 0, else 0 */
  kIndex,      /* i */
};

/* The constant of x's rank with n elements along `axis` (1 elsewhere) holding `what`. */
static enum pqnn_status axis_constant(struct ox_pass* p, const struct ox_tensor* x, int axis,
    int64_t n, enum axis_values what, struct ox_tensor* c) {
  *c = ox_scalar_constant(NULL);
  c->rank = x->rank;
  for (int d = 0; d < x->rank; d++) c->dims[d] = d == axis ? n : 1;
  static const float kOne = 1.0f;
  c->f = &kOne;  /* listing: the data is not read */
  if (!ox_emitting(p)) return pqnn_status_success;
  float* data = ox_pass_alloc(p, (size_t) n, sizeof(float));
  if (data == NULL) return pqnn_status_out_of_memory;
  for (int64_t i = 0; i < n; i++) {
    data[i] = what == kFirstKey ? (float) (n - i) : what == kLastKey ? (float) (i + 1)
        : what == kFirstOnly ? (i == 0 ? 1.0f : 0.0f) : (float) i;
  }
  c->f = data;
  return pqnn_status_success;
}

/* The index chain over axis a (n elements, n known and <= 2^24 when emitting) of x into
 * *out with the axis kept (1): the first index of the row's largest non-NaN value, the
 * last with `last`, nan_first where the row's first element is NaN. */
static enum pqnn_status emit_index(struct ox_pass* p, struct ox_tensor* x, int a, int64_t n,
    bool last, float nan_first, struct ox_tensor* out) {
  bool reduced[OX_MAX_RANK] = {false};
  reduced[a] = true;
  struct ox_tensor nan, clean, m, eq, k, sel, r, idx, e0, nan_e0, nan0;
  ox_temporary(&nan);
  ox_temporary(&clean);
  ox_temporary(&m);
  ox_temporary(&eq);
  ox_temporary(&sel);
  ox_temporary(&r);
  ox_temporary(&idx);
  ox_temporary(&nan_e0);
  ox_temporary(&nan0);
  enum pqnn_status status = ox_emit_binary(p, pqnn_binary_not_equal, x, x, &nan);
  if (status == pqnn_status_success) {
    status = ox_emit_select(p, &nan, NULL, -INFINITY, x, 0.0f, &clean);
  }
  if (status == pqnn_status_success) {
    status = ox_emit_reduce(p, pqnn_reduce_max, &clean, reduced, true, &m);
  }
  if (status == pqnn_status_success) status = ox_emit_binary(p, pqnn_binary_equal, x, &m, &eq);
  if (status == pqnn_status_success) {
    status = axis_constant(p, x, a, n, last ? kLastKey : kFirstKey, &k);
  }
  if (status == pqnn_status_success) status = ox_emit_select(p, &eq, &k, 0.0f, NULL, 0.0f, &sel);
  if (status == pqnn_status_success) {
    status = ox_emit_reduce(p, pqnn_reduce_max, &sel, reduced, true, &r);
  }
  if (status == pqnn_status_success) {
    if (last) {
      status = ox_emit_scalar_op(p, pqnn_binary_subtract, &r, 1.0f, &idx);
    } else {
      const float count = (float) n;
      struct ox_tensor kn = ox_scalar_constant(&count);
      status = ox_emit_binary(p, pqnn_binary_subtract, &kn, &r, &idx);
    }
  }
  if (status == pqnn_status_success) status = axis_constant(p, x, a, n, kFirstOnly, &e0);
  if (status == pqnn_status_success) {
    status = ox_emit_binary(p, pqnn_binary_multiply, &nan, &e0, &nan_e0);
  }
  if (status == pqnn_status_success) {
    status = ox_emit_reduce(p, pqnn_reduce_max, &nan_e0, reduced, true, &nan0);
  }
  if (status != pqnn_status_success) return status;
  return ox_emit_select(p, &nan0, NULL, nan_first, &idx, 0.0f, out);
}

/* The axis attribute of the current node (default `def`) as an index into x's dims, and its
 * length: unsupported / invalid with a reason for a constant or non-float input, an axis out
 * of range, an empty axis or one over 2^24 (indices are exact floats below). */
static enum pqnn_status index_axis(struct ox_pass* p, const char* op, struct ox_tensor* x,
    int64_t def, int* axis_out, int64_t* n_out) {
  int64_t axis;
  enum pqnn_status status = ox_attr_int(p, "axis", def, &axis);
  if (status != pqnn_status_success) return status;
  if (x->is_const) return ox_unsupported(p, "%s of a constant", op);
  if (x->elem_type != OX_FLOAT && x->elem_type != 0) {
    return ox_unsupported(p, "%s of a non-float activation", op);
  }
  if (x->rank < 1) return ox_unsupported(p, "scalar input");
  if (axis < -x->rank || axis >= x->rank) {
    return ox_invalid(p, "axis %lld out of range for rank %d", (long long) axis, x->rank);
  }
  if (axis < 0) axis += x->rank;
  const int64_t n = x->dims[axis];
  if (n > (INT64_C(1) << 24)) {
    return ox_unsupported(p, "an axis of %lld elements (indices are exact floats below 2^24)",
        (long long) n);
  }
  if (n == 0) return ox_unsupported(p, "%s over an empty axis", op);
  if (n < 0 && ox_emitting(p)) return ox_invalid(p, "shape of '%s' is not known", x->name);
  *axis_out = (int) axis;
  *n_out = n > 0 ? n : 1;  /* listing before the dims are set */
  return pqnn_status_success;
}

enum pqnn_status ox_lower_argmax(struct ox_pass* p, bool minimum) {
  struct ox_tensor *in, *y;
  enum pqnn_status status = ox_io(p, &in, &y);
  if (status != pqnn_status_success) return status;
  int64_t keepdims, last, len = 1;
  int a = 0;
  status = index_axis(p, minimum ? "ArgMin" : "ArgMax", in, 0, &a, &len);
  if (status == pqnn_status_success) status = ox_attr_int(p, "keepdims", 1, &keepdims);
  if (status == pqnn_status_success) status = ox_attr_int(p, "select_last_index", 0, &last);
  if (status != pqnn_status_success) return status;
  struct ox_tensor neg, kept;
  ox_temporary(&neg);
  ox_temporary(&kept);
  struct ox_tensor* x = in;
  if (minimum) {
    status = ox_emit_unary(p, pqnn_unary_negate, NULL, in, &neg);
    x = &neg;
  }
  if (status == pqnn_status_success) {
    status = emit_index(p, x, a, len, last != 0, 0.0f, keepdims != 0 ? y : &kept);
  }
  if (status == pqnn_status_success && keepdims == 0) {
    /* the kept axis dropped in the model's order (a copy) */
    uint32_t id = kept.id;
    if (kept.channels_last && !ox_layout_free(&kept)) status = ox_model_order_id(p, &kept, &id);
    if (status == pqnn_status_success) {
      int64_t dims[OX_MAX_RANK];
      int rank = 0;
      for (int d = 0; d < in->rank; d++) {
        if (d != a) dims[rank++] = in->dims[d];
      }
      ox_set_shape(y, rank, dims);  /* a 1-D input: a scalar ([1] to the runtime) */
      y->channels_last = y->rank >= 3 && ox_layout_free(y);
      status = ox_emit_reshape(p, id, y);
    }
  }
  if (status != pqnn_status_success) return status;
  y->elem_type = OX_INT64;
  y->indices = true;
  return pqnn_status_success;
}

/* Hardmax (opset 13: along `axis`, default -1; before: the 2-D view from `axis`, default 1,
 * supported where that is the last axis alone): 1 at ArgMax's index of each row (the first
 * largest), 0 elsewhere, as equal(index, i) against the axis's indices; a row whose first
 * element is NaN is all 0 (its index -1), as ONNX Runtime's (the max it finds is that NaN,
 * which nothing equals). */
enum pqnn_status ox_lower_hardmax(struct ox_pass* p) {
  struct ox_tensor *x, *y;
  enum pqnn_status status = ox_io(p, &x, &y);
  if (status != pqnn_status_success) return status;
  const bool flattened = p->m->opset < 13;
  int a = 0;
  int64_t len = 1;
  status = index_axis(p, "Hardmax", x, flattened ? 1 : -1, &a, &len);
  if (status != pqnn_status_success) return status;
  if (flattened && a != x->rank - 1) {
    return ox_unsupported(p, "opset < 13 Hardmax over several dims (from axis %d of %d)", a,
        x->rank);
  }
  struct ox_tensor idx, iota;
  ox_temporary(&idx);
  status = emit_index(p, x, a, len, false, -1.0f, &idx);
  if (status == pqnn_status_success) status = axis_constant(p, x, a, len, kIndex, &iota);
  if (status != pqnn_status_success) return status;
  return ox_emit_binary(p, pqnn_binary_equal, &idx, &iota, y);
}
