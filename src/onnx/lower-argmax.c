/* ArgMax and ArgMin of a float activation along one axis, lowered to a chain of existing
 * nodes (docs/onnx.md, "Ops lowered to chains"). ONNX Runtime scans each row in order and
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
 * the input of a Cast. */
#include <math.h>

#include "onnx/internal.h"

/* The constant of x's rank with n elements along `axis` (1 elsewhere) holding f(i). */
static enum pqnn_status axis_constant(struct ox_pass* p, const struct ox_tensor* x, int axis,
    int64_t n, bool last, bool first_only, struct ox_tensor* c) {
  *c = ox_scalar_constant(NULL);
  c->rank = x->rank;
  for (int d = 0; d < x->rank; d++) c->dims[d] = d == axis ? n : 1;
  static const float kOne = 1.0f;
  c->f = &kOne;  /* listing: the data is not read */
  if (!ox_emitting(p)) return pqnn_status_success;
  float* data = ox_pass_alloc(p, (size_t) n, sizeof(float));
  if (data == NULL) return pqnn_status_out_of_memory;
  for (int64_t i = 0; i < n; i++) {
    data[i] = first_only ? (i == 0 ? 1.0f : 0.0f) : (float) (last ? i + 1 : n - i);
  }
  c->f = data;
  return pqnn_status_success;
}

enum pqnn_status ox_lower_argmax(struct ox_pass* p, bool minimum) {
  struct ox_tensor *in, *y;
  enum pqnn_status status = ox_io(p, &in, &y);
  if (status != pqnn_status_success) return status;
  const char* op = minimum ? "ArgMin" : "ArgMax";
  int64_t axis, keepdims, last;
  status = ox_attr_int(p, "axis", 0, &axis);
  if (status == pqnn_status_success) status = ox_attr_int(p, "keepdims", 1, &keepdims);
  if (status == pqnn_status_success) status = ox_attr_int(p, "select_last_index", 0, &last);
  if (status != pqnn_status_success) return status;
  if (in->is_const) return ox_unsupported(p, "%s of a constant", op);
  if (in->elem_type != OX_FLOAT && in->elem_type != 0) {
    return ox_unsupported(p, "%s of a non-float activation", op);
  }
  if (in->rank < 1) return ox_unsupported(p, "scalar input");
  if (axis < -in->rank || axis >= in->rank) {
    return ox_invalid(p, "axis %lld out of range for rank %d", (long long) axis, in->rank);
  }
  if (axis < 0) axis += in->rank;
  const int a = (int) axis;
  const int64_t n = in->dims[a];
  if (n > (INT64_C(1) << 24)) {
    return ox_unsupported(p, "an axis of %lld elements (indices are exact floats below 2^24)",
        (long long) n);
  }
  if (n < 0 && ox_emitting(p)) return ox_invalid(p, "shape of '%s' is not known", in->name);
  const int64_t len = n > 0 ? n : 1;  /* listing before the dims are set */
  if (n == 0) return ox_unsupported(p, "%s over an empty axis", op);
  bool reduced[OX_MAX_RANK] = {false};
  reduced[a] = true;
  struct ox_tensor neg, nan, clean, m, eq, k, sel, r, idx, e0, nan_e0, nan0, kept;
  ox_temporary(&neg);
  ox_temporary(&nan);
  ox_temporary(&clean);
  ox_temporary(&m);
  ox_temporary(&eq);
  ox_temporary(&sel);
  ox_temporary(&r);
  ox_temporary(&idx);
  ox_temporary(&nan_e0);
  ox_temporary(&nan0);
  ox_temporary(&kept);
  struct ox_tensor* x = in;
  if (minimum) {
    status = ox_emit_unary(p, pqnn_unary_negate, NULL, in, &neg);
    x = &neg;
  }
  if (status == pqnn_status_success) status = ox_emit_binary(p, pqnn_binary_not_equal, x, x, &nan);
  if (status == pqnn_status_success) {
    status = ox_emit_select(p, &nan, NULL, -INFINITY, x, 0.0f, &clean);
  }
  if (status == pqnn_status_success) {
    status = ox_emit_reduce(p, pqnn_reduce_max, &clean, reduced, true, &m);
  }
  if (status == pqnn_status_success) status = ox_emit_binary(p, pqnn_binary_equal, x, &m, &eq);
  if (status == pqnn_status_success) status = axis_constant(p, x, a, len, last != 0, false, &k);
  if (status == pqnn_status_success) status = ox_emit_select(p, &eq, &k, 0.0f, NULL, 0.0f, &sel);
  if (status == pqnn_status_success) {
    status = ox_emit_reduce(p, pqnn_reduce_max, &sel, reduced, true, &r);
  }
  if (status == pqnn_status_success) {
    if (last != 0) {
      status = ox_emit_scalar_op(p, pqnn_binary_subtract, &r, 1.0f, &idx);
    } else {
      const float count = (float) len;
      struct ox_tensor kn = ox_scalar_constant(&count);
      status = ox_emit_binary(p, pqnn_binary_subtract, &kn, &r, &idx);
    }
  }
  if (status == pqnn_status_success) status = axis_constant(p, x, a, len, false, true, &e0);
  if (status == pqnn_status_success) {
    status = ox_emit_binary(p, pqnn_binary_multiply, &nan, &e0, &nan_e0);
  }
  if (status == pqnn_status_success) {
    status = ox_emit_reduce(p, pqnn_reduce_max, &nan_e0, reduced, true, &nan0);
  }
  if (status != pqnn_status_success) return status;
  if (keepdims != 0) {
    status = ox_emit_select(p, &nan0, NULL, 0.0f, &idx, 0.0f, y);
  } else {
    /* the kept axis dropped in the model's order (a copy) */
    status = ox_emit_select(p, &nan0, NULL, 0.0f, &idx, 0.0f, &kept);
    uint32_t id = kept.id;
    if (status == pqnn_status_success && kept.channels_last && !ox_layout_free(&kept)) {
      status = ox_model_order_id(p, &kept, &id);
    }
    if (status == pqnn_status_success) {
      int64_t dims[OX_MAX_RANK];
      int rank = 0;
      for (int d = 0; d < in->rank; d++) {
        if (d != a) dims[rank++] = in->dims[d];
      }
      if (rank == 0) dims[rank++] = 1;  /* a 1-D input: ONNX gives a scalar, pqnn [1] */
      ox_set_shape(y, in->rank == 1 ? 0 : rank, dims);
      y->channels_last = y->rank >= 3 && ox_layout_free(y);
      status = ox_emit_reshape(p, id, y);
    }
  }
  if (status != pqnn_status_success) return status;
  y->elem_type = OX_INT64;
  y->indices = true;
  return pqnn_status_success;
}
