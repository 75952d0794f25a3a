/* Layout changes inside an imported graph. Activations of rank >= 3 produced by convs and
 * pools are channels-last (NHWC); reshapes produce the model's order. Where a consumer
 * needs the other layout, a reshape copy relabels the dims when both store the same element
 * sequence (C = 1, or all spatial dims 1); otherwise a transpose node converts it, once per
 * tensor (the converted id is kept for later consumers). Graph inputs and outputs keep the
 * model's order: a transpose node at the boundary is the only layout change there. */
#include "onnx/internal.h"

enum pqnn_status ox_emit_reshape(struct ox_pass* p, uint32_t input_id, struct ox_tensor* out) {
  enum pqnn_status status = ox_define_activation(p, out);
  if (status != pqnn_status_success || !ox_emitting(p)) return status;
  size_t dims[OX_MAX_RANK + 1];
  const size_t num_dims = ox_physical_dims(out, dims);
  status = pqnn_define_static_reshape(p->sg, num_dims, dims, input_id, out->id, 0);
  if (status != pqnn_status_success) {
    return ox_unsupported(p, "the runtime refused the reshape (%s)", pqnn_status_string(status));
  }
  return pqnn_status_success;
}

static enum pqnn_status refused(struct ox_pass* p, enum pqnn_status status) {
  if (status == pqnn_status_success) return status;
  return ox_unsupported(p, "the runtime refused a layout change (%s)", pqnn_status_string(status));
}

/* Transpose of value from_id (tensor t in layout `from_channels_last`) into value to_id (the
 * other layout). Rank >= 4: one transpose. Rank 3 ([N][C][W], stored [N][1][W][C]
 * channels-last): a transpose over the 4-D view [N][C][1][W] and a reshape copy. */
static enum pqnn_status relayout(struct ox_pass* p, const struct ox_tensor* t,
    bool from_channels_last, uint32_t from_id, uint32_t to_id) {
  const size_t r = t->rank == 3 ? 4 : (size_t) t->rank;
  size_t perm[OX_MAX_RANK + 1], model[OX_MAX_RANK + 1];
  for (size_t d = 0; d < r; d++) {
    model[d] = t->rank == 3 ? (d == 0 ? (size_t) t->dims[0] : d == 1 ? (size_t) t->dims[1]
                                       : d == 2 ? 1 : (size_t) t->dims[2])
                            : (size_t) t->dims[d];
  }
  /* channels-last: (0, 2, ..., r-1, 1); back: (0, r-1, 1, ..., r-2). */
  for (size_t d = 0; d < r; d++) {
    if (!from_channels_last) perm[d] = d == 0 ? 0 : d == r - 1 ? 1 : d + 1;
    else perm[d] = d == 0 ? 0 : d == 1 ? r - 1 : d - 1;
  }
  if (t->rank != 3) {
    return refused(p, pqnn_define_static_transpose(p->sg, r, perm, from_id, to_id, 0));
  }
  /* The 4-D model-order view [N][C][1][W] as an intermediate. */
  uint32_t view;
  enum pqnn_status status = pqnn_define_tensor_value(p->sg, pqnn_datatype_fp32, 4, model, NULL,
      PQNN_INVALID_VALUE_ID, 0, &view);
  if (status != pqnn_status_success) return refused(p, status);
  if (!from_channels_last) {
    status = pqnn_define_static_reshape(p->sg, 4, model, from_id, view, 0);
    if (status == pqnn_status_success) {
      status = pqnn_define_static_transpose(p->sg, 4, perm, view, to_id, 0);
    }
  } else {
    status = pqnn_define_static_transpose(p->sg, 4, perm, from_id, view, 0);
    const size_t dims[3] = {model[0], model[1], model[3]};
    if (status == pqnn_status_success) {
      status = pqnn_define_static_reshape(p->sg, 3, dims, view, to_id, 0);
    }
  }
  return refused(p, status);
}

/* x in the other layout: a relabel when the element sequence is the same, else a transpose
 * (made once per tensor). */
static enum pqnn_status convert(struct ox_pass* p, struct ox_tensor* x, bool channels_last,
    uint32_t* id) {
  if (x->has_other) {
    *id = x->other_id;
    return pqnn_status_success;
  }
  /* A converted copy lives in the pass's own tensor slot: a private temporary. */
  struct ox_tensor tmp = *x;
  tmp.channels_last = channels_last;
  tmp.graph_output = -1;
  enum pqnn_status status;
  if (ox_layout_free(x)) {
    status = ox_emit_reshape(p, x->id, &tmp);
  } else {
    status = ox_define_activation(p, &tmp);
    if (status == pqnn_status_success && ox_emitting(p)) {
      status = relayout(p, x, x->channels_last, x->id, tmp.id);
    }
  }
  if (status != pqnn_status_success) return status;
  *id = tmp.id;
  x->has_other = ox_emitting(p);
  x->other_id = tmp.id;
  return pqnn_status_success;
}

enum pqnn_status ox_channels_last_id(struct ox_pass* p, struct ox_tensor* x, uint32_t* id) {
  *id = x->id;
  if (x->rank < 3) return ox_unsupported(p, "input '%s' has rank %d, needs 3 or 4", x->name, x->rank);
  if (x->channels_last) return pqnn_status_success;
  return convert(p, x, true, id);
}

enum pqnn_status ox_model_order_id(struct ox_pass* p, struct ox_tensor* x, uint32_t* id) {
  *id = x->id;
  if (!x->channels_last || x->rank < 3) return pqnn_status_success;
  return convert(p, x, false, id);
}

enum pqnn_status ox_boundary_transpose(struct ox_pass* p, struct ox_tensor* t,
    uint32_t external_id, bool input) {
  struct ox_tensor model = *t;
  model.channels_last = false;
  size_t dims[OX_MAX_RANK + 1];
  const size_t num_dims = ox_physical_dims(&model, dims);
  uint32_t ext;
  enum pqnn_status status = pqnn_define_tensor_value(p->sg, pqnn_datatype_fp32, num_dims, dims,
      NULL, external_id, input ? PQNN_VALUE_FLAG_EXTERNAL_INPUT : PQNN_VALUE_FLAG_EXTERNAL_OUTPUT,
      &ext);
  if (status != pqnn_status_success) return refused(p, status);
  const size_t inner = ox_physical_dims(t, dims);
  status = pqnn_define_tensor_value(p->sg, pqnn_datatype_fp32, inner, dims, NULL,
      PQNN_INVALID_VALUE_ID, 0, &t->id);
  if (status != pqnn_status_success) return refused(p, status);
  p->boundary_transposes++;
  if (input) {
    t->has_other = true;  /* the caller's model-order buffer itself */
    t->other_id = ext;
    return relayout(p, t, false, ext, t->id);
  }
  return relayout(p, t, true, t->id, ext);
}

enum pqnn_status ox_define_static(struct ox_pass* p, size_t num_dims, const size_t* dims,
    const float* data, uint32_t* id_out) {
  *id_out = PQNN_INVALID_VALUE_ID;
  if (!ox_emitting(p)) return pqnn_status_success;
  return pqnn_define_tensor_value(p->sg, pqnn_datatype_fp32, num_dims, dims, data,
      PQNN_INVALID_VALUE_ID, 0, id_out);
}

enum pqnn_status ox_define_activation(struct ox_pass* p, struct ox_tensor* t) {
  int64_t elements;
  if (t->rank >= 0 && ox_shape_known(t) && !ox_elements(t, &elements)) {
    return ox_unsupported(p, "tensor '%s' is larger than 2^30 elements", t->name);
  }
  t->available = true;
  t->is_const = false;
  t->elem_type = OX_FLOAT;
  t->indices = false;
  if (!ox_emitting(p)) return pqnn_status_success;
  if (!ox_shape_known(t)) return ox_invalid(p, "shape of '%s' is not known", t->name);
  size_t dims[OX_MAX_RANK + 1];
  const size_t num_dims = ox_physical_dims(t, dims);
  uint32_t external_id = PQNN_INVALID_VALUE_ID, flags = 0;
  if (t->graph_output >= 0) {
    external_id = (uint32_t) (p->m->num_inputs + (size_t) t->graph_output);
    flags = PQNN_VALUE_FLAG_EXTERNAL_OUTPUT;
    /* A channels-last output leaves in the model's order through a transpose node. */
    if (t->channels_last && t->rank >= 3 && !ox_layout_free(t)) {
      return ox_boundary_transpose(p, t, external_id, false);
    }
  }
  enum pqnn_status status = pqnn_define_tensor_value(p->sg, pqnn_datatype_fp32, num_dims, dims,
      NULL, external_id, flags, &t->id);
  if (status != pqnn_status_success) {
    return ox_unsupported(p, "the runtime refused value '%s' (%s)", t->name,
        pqnn_status_string(status));
  }
  return t->temporary ? ox_note_temporary(p, t->id, t->channels_last) : pqnn_status_success;
}

enum pqnn_status ox_define_temporary(struct ox_pass* p, size_t num_dims, const size_t* dims,
    uint32_t* id_out) {
  *id_out = PQNN_INVALID_VALUE_ID;
  if (!ox_emitting(p)) return pqnn_status_success;
  const enum pqnn_status status = pqnn_define_tensor_value(p->sg, pqnn_datatype_fp32, num_dims,
      dims, NULL, PQNN_INVALID_VALUE_ID, 0, id_out);
  if (status != pqnn_status_success) {
    return ox_unsupported(p, "the runtime refused a %zu-D value (%s)", num_dims,
        pqnn_status_string(status));
  }
  return ox_note_temporary(p, *id_out, false);
}

enum pqnn_status ox_like(struct ox_pass* p, const struct ox_tensor* x, struct ox_tensor* y,
    bool channels_last) {
  ox_set_shape(y, x->rank, x->dims);
  y->channels_last = channels_last;
  return ox_define_activation(p, y);
}
