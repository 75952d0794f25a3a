/* Data-movement ops: Transpose, Concat, Split, Slice (of activations), Pad (constant) and
 * Resize / Upsample (2-D nearest and linear). Every axis is the model's (ONNX) axis and is
 * remapped through the activation's layout: a channels-last tensor keeps its layout through
 * Concat, Split, Slice and Pad (and Resize needs it); Transpose composes the model's
 * permutation with the layout, so it costs one transpose node whatever the input's layout. */
#include <math.h>
#include <string.h>

#include "onnx/internal.h"

size_t ox_physical_axis(const struct ox_tensor* t, int axis) {
  if (!t->channels_last || t->rank < 3 || axis == 0) return (size_t) axis;
  if (axis == 1) return t->rank == 3 ? 3 : (size_t) t->rank - 1;
  return t->rank == 3 ? 2 : (size_t) axis - 1;
}

/* x's value id in the given layout (a transpose when it differs). */
static enum pqnn_status id_in_layout(struct ox_pass* p, struct ox_tensor* x, bool channels_last,
    uint32_t* id) {
  if (channels_last) return ox_channels_last_id(p, x, id);
  return ox_model_order_id(p, x, id);
}

static int64_t normalize(int64_t axis, int rank) { return axis < 0 ? axis + rank : axis; }

/* Integer constant operand k of the current node: its values and count (absent: NULL). */
static enum pqnn_status const_ints(struct ox_pass* p, size_t k, const int64_t** values,
    int64_t* count) {
  *values = NULL;
  *count = 0;
  const struct ox_node* n = p->node;
  if (k >= n->num_inputs || n->inputs[k] < 0) return pqnn_status_success;
  const struct ox_tensor* t = &p->t[n->inputs[k]];
  if (!t->is_const || t->i == NULL || !ox_elements(t, count)) {
    return ox_unsupported(p, "operand %zu must be a constant integer tensor", k);
  }
  *values = t->i;
  return pqnn_status_success;
}

static enum pqnn_status const_floats(struct ox_pass* p, size_t k, const float** values,
    int64_t* count) {
  *values = NULL;
  *count = 0;
  const struct ox_node* n = p->node;
  if (k >= n->num_inputs || n->inputs[k] < 0) return pqnn_status_success;
  const struct ox_tensor* t = &p->t[n->inputs[k]];
  if (!t->is_const || t->f == NULL || !ox_elements(t, count)) {
    return ox_unsupported(p, "operand %zu must be a constant float tensor", k);
  }
  *values = t->f;
  return pqnn_status_success;
}

enum pqnn_status ox_lower_transpose(struct ox_pass* p) {
  struct ox_tensor *x, *y;
  enum pqnn_status status = ox_io(p, &x, &y);
  if (status != pqnn_status_success) return status;
  int64_t perm[OX_MAX_RANK];
  size_t n;
  status = ox_attr_ints(p, "perm", OX_MAX_RANK, perm, &n);
  if (status != pqnn_status_success) return status;
  if (x->rank < 1) return ox_unsupported(p, "scalar input");
  if (n == 0) {
    n = (size_t) x->rank;
    for (size_t d = 0; d < n; d++) perm[d] = (int64_t) (n - 1 - d);
  }
  if (n != (size_t) x->rank) return ox_invalid(p, "perm has %zu entries for rank %d", n, x->rank);
  int64_t dims[OX_MAX_RANK];
  bool seen[OX_MAX_RANK] = {false};
  for (size_t d = 0; d < n; d++) {
    if (perm[d] < 0 || perm[d] >= x->rank || seen[perm[d]]) return ox_invalid(p, "bad perm");
    seen[perm[d]] = true;
    dims[d] = x->dims[perm[d]];
  }
  ox_set_shape(y, x->rank, dims);
  y->channels_last = false;
  status = ox_define_activation(p, y);
  if (status != pqnn_status_success || !ox_emitting(p)) return status;
  /* A channels-last input of rank >= 4 has no inserted dim: compose the permutations. */
  size_t physical[OX_MAX_RANK];
  uint32_t in_id = x->id;
  const bool compose = x->channels_last && x->rank >= 4;
  if (!compose) {
    status = ox_model_order_id(p, x, &in_id);
    if (status != pqnn_status_success) return status;
  }
  for (size_t d = 0; d < n; d++) {
    physical[d] = compose ? ox_physical_axis(x, (int) perm[d]) : (size_t) perm[d];
  }
  return ox_refused(p, pqnn_define_static_transpose(p->sg, n, physical, in_id, y->id, 0));
}

enum pqnn_status ox_lower_concat(struct ox_pass* p) {
  const struct ox_node* node = p->node;
  struct ox_tensor *first, *y;
  enum pqnn_status status = ox_io(p, &first, &y);
  if (status != pqnn_status_success) return status;
  if (node->num_inputs > PQNN_MAX_CONCAT_INPUTS) {
    return ox_unsupported(p, "%zu inputs (at most %d)", node->num_inputs, PQNN_MAX_CONCAT_INPUTS);
  }
  int64_t axis;
  status = ox_attr_int(p, "axis", 0, &axis);
  if (status != pqnn_status_success) return status;
  axis = normalize(axis, first->rank);
  if (first->rank < 1 || axis < 0 || axis >= first->rank) return ox_invalid(p, "bad Concat axis");
  int64_t dims[OX_MAX_RANK];
  for (int d = 0; d < first->rank; d++) dims[d] = first->dims[d];
  dims[axis] = 0;
  struct ox_tensor* in[PQNN_MAX_CONCAT_INPUTS];
  for (size_t k = 0; k < node->num_inputs; k++) {
    status = ox_input(p, k, &in[k]);
    if (status != pqnn_status_success) return status;
    if (in[k]->is_const) return ox_unsupported(p, "constant input %zu of an activation Concat", k);
    if (in[k]->rank != first->rank) return ox_invalid(p, "Concat ranks differ");
    for (int d = 0; d < first->rank; d++) {
      if (d != axis && in[k]->dims[d] != first->dims[d]) return ox_invalid(p, "Concat dims differ");
    }
    if (in[k]->dims[axis] > OX_MAX_ELEMENTS - dims[axis]) return ox_invalid(p, "Concat too large");
    dims[axis] += in[k]->dims[axis];
  }
  const bool channels_last = first->channels_last && first->rank >= 3;
  ox_set_shape(y, first->rank, dims);
  y->channels_last = channels_last;
  status = ox_define_activation(p, y);
  if (status != pqnn_status_success || !ox_emitting(p)) return status;
  uint32_t ids[PQNN_MAX_CONCAT_INPUTS];
  for (size_t k = 0; k < node->num_inputs; k++) {
    status = id_in_layout(p, in[k], channels_last, &ids[k]);
    if (status != pqnn_status_success) return status;
  }
  return ox_refused(p, pqnn_define_concatenate(p->sg, ox_physical_axis(y, (int) axis),
      node->num_inputs, ids, y->id, 0));
}

enum pqnn_status ox_lower_split(struct ox_pass* p) {
  const struct ox_node* node = p->node;
  struct ox_tensor* x;
  enum pqnn_status status = ox_input(p, 0, &x);
  if (status != pqnn_status_success) return status;
  const size_t parts = node->num_outputs;
  if (parts == 0 || parts > PQNN_MAX_CONCAT_INPUTS) {
    return ox_unsupported(p, "%zu outputs (1 to %d)", parts, PQNN_MAX_CONCAT_INPUTS);
  }
  int64_t axis;
  status = ox_attr_int(p, "axis", 0, &axis);
  if (status != pqnn_status_success) return status;
  axis = normalize(axis, x->rank);
  if (x->rank < 1 || axis < 0 || axis >= x->rank) return ox_invalid(p, "bad Split axis");
  int64_t sizes[PQNN_MAX_CONCAT_INPUTS];
  const int64_t* given = NULL;
  int64_t count = 0;
  size_t attr_count = 0;
  if (p->m->opset >= 13) {
    status = const_ints(p, 1, &given, &count);
  } else {
    status = ox_attr_ints(p, "split", PQNN_MAX_CONCAT_INPUTS, sizes, &attr_count);
    given = attr_count > 0 ? sizes : NULL;
    count = (int64_t) attr_count;
  }
  if (status != pqnn_status_success) return status;
  const int64_t len = x->dims[axis];  /* -1: not set yet (listing) */
  if (given != NULL) {
    if (count != (int64_t) parts) return ox_invalid(p, "split has %lld entries", (long long) count);
    int64_t total = 0;
    for (size_t k = 0; k < parts; k++) {
      if (given[k] < 1 || given[k] > (len < 0 ? OX_MAX_ELEMENTS : len)) {
        return ox_unsupported(p, "empty or oversized part");
      }
      sizes[k] = given[k];
      total += given[k];
    }
    if (len >= 0 && total != len) return ox_invalid(p, "split sizes do not sum to the axis");
  } else if (len < 0) {
    for (size_t k = 0; k < parts; k++) sizes[k] = -1;
  } else {
    /* Equal parts; the last one smaller when the axis does not divide (opset 18). */
    const int64_t each = (len + (int64_t) parts - 1) / (int64_t) parts;
    int64_t left = len;
    for (size_t k = 0; k < parts; k++) {
      sizes[k] = left < each ? left : each;
      left -= sizes[k];
      if (sizes[k] < 1) return ox_unsupported(p, "an empty part");
    }
  }
  uint32_t ids[PQNN_MAX_CONCAT_INPUTS];
  for (size_t k = 0; k < parts; k++) {
    struct ox_tensor* y = ox_output(p, k);
    if (y == NULL) return ox_unsupported(p, "omitted output %zu", k);
    int64_t dims[OX_MAX_RANK];
    for (int d = 0; d < x->rank; d++) dims[d] = x->dims[d];
    dims[axis] = sizes[k];
    ox_set_shape(y, x->rank, dims);
    y->channels_last = x->channels_last && x->rank >= 3;
    status = ox_define_activation(p, y);
    if (status != pqnn_status_success) return status;
    ids[k] = y->id;
  }
  if (!ox_emitting(p)) return pqnn_status_success;
  return ox_refused(p, pqnn_define_split(p->sg, ox_physical_axis(x, (int) axis), x->id, parts,
      ids, 0));
}

/* Physical per-dim arrays from model-axis ones (rank-3 channels-last: the inserted H gets
 * `fill`). */
static size_t to_physical(const struct ox_tensor* x, const int64_t* model, size_t fill,
    size_t* physical) {
  size_t dims[OX_MAX_RANK + 1];
  const size_t n = ox_physical_dims(x, dims);
  for (size_t d = 0; d < n; d++) physical[d] = fill;
  for (int a = 0; a < x->rank; a++) physical[ox_physical_axis(x, a)] = (size_t) model[a];
  return n;
}

enum pqnn_status ox_lower_slice(struct ox_pass* p) {
  struct ox_tensor *x, *y;
  enum pqnn_status status = ox_io(p, &x, &y);
  if (status != pqnn_status_success) return status;
  int64_t begin[OX_MAX_RANK], step[OX_MAX_RANK], dims[OX_MAX_RANK];
  status = ox_slice_bounds(p, x, begin, step, dims);
  if (status != pqnn_status_success) return status;
  for (int d = 0; d < x->rank; d++) {
    if (step[d] < 1) return ox_unsupported(p, "negative Slice steps");
    if (dims[d] == 0) return ox_unsupported(p, "an empty Slice");
  }
  ox_set_shape(y, x->rank, dims);
  y->channels_last = x->channels_last && x->rank >= 3;
  status = ox_define_activation(p, y);
  if (status != pqnn_status_success || !ox_emitting(p)) return status;
  size_t offsets[OX_MAX_RANK + 1], sizes[OX_MAX_RANK + 1], steps[OX_MAX_RANK + 1];
  const size_t n = to_physical(x, begin, 0, offsets);
  to_physical(x, dims, 1, sizes);
  to_physical(x, step, 1, steps);
  return ox_refused(p, pqnn_define_static_slice(p->sg, n, offsets, sizes, steps, x->id, y->id, 0));
}

enum pqnn_status ox_lower_pad(struct ox_pass* p) {
  struct ox_tensor *x, *y;
  enum pqnn_status status = ox_io(p, &x, &y);
  if (status != pqnn_status_success) return status;
  char mode[16];
  status = ox_attr_string(p, "mode", "constant", mode, sizeof(mode));
  if (status != pqnn_status_success) return status;
  if (strcmp(mode, "constant") != 0) return ox_unsupported(p, "Pad mode '%s'", mode);
  int64_t pads_attr[2 * OX_MAX_RANK];
  const int64_t* pads = pads_attr;
  int64_t count = 0;
  float value = 0.0f;
  if (p->m->opset >= 11) {
    status = const_ints(p, 1, &pads, &count);
    const float* v = NULL;
    int64_t nv = 0;
    if (status == pqnn_status_success) status = const_floats(p, 2, &v, &nv);
    if (status != pqnn_status_success) return status;
    if (nv > 1) return ox_invalid(p, "constant_value must be a scalar");
    if (nv == 1) value = v[0];
    if (p->node->num_inputs > 3 && p->node->inputs[3] >= 0) {
      return ox_unsupported(p, "Pad with axes");
    }
  } else {
    size_t n;
    status = ox_attr_ints(p, "pads", 2 * OX_MAX_RANK, pads_attr, &n);
    if (status == pqnn_status_success) status = ox_attr_float(p, "value", 0.0f, &value);
    if (status != pqnn_status_success) return status;
    count = (int64_t) n;
  }
  if (pads == NULL || count != 2 * (int64_t) x->rank) return ox_invalid(p, "pads must have 2 x rank entries");
  int64_t pre[OX_MAX_RANK], post[OX_MAX_RANK], dims[OX_MAX_RANK];
  for (int d = 0; d < x->rank; d++) {
    pre[d] = pads[d];
    post[d] = pads[d + x->rank];
    if (pre[d] < 0 || post[d] < 0) return ox_unsupported(p, "negative pads (cropping)");
    if (pre[d] > OX_MAX_ELEMENTS || post[d] > OX_MAX_ELEMENTS) return ox_invalid(p, "pads too large");
    dims[d] = x->dims[d] + pre[d] + post[d];
  }
  ox_set_shape(y, x->rank, dims);
  y->channels_last = x->channels_last && x->rank >= 3;
  status = ox_define_activation(p, y);
  if (status != pqnn_status_success || !ox_emitting(p)) return status;
  size_t pre_p[OX_MAX_RANK + 1], post_p[OX_MAX_RANK + 1];
  const size_t n = to_physical(x, pre, 0, pre_p);
  to_physical(x, post, 0, post_p);
  return ox_refused(p, pqnn_define_static_constant_pad(p->sg, n, pre_p, post_p, value, x->id,
      y->id, 0));
}

/* Resize attributes onto pqnn's enums. */
static enum pqnn_status resize_modes(struct ox_pass* p, bool legacy,
    struct pqnn_resize_params* r) {
  char mode[16], coords[32], nearest[32];
  enum pqnn_status status = ox_attr_string(p, "mode", "nearest", mode, sizeof(mode));
  if (status == pqnn_status_success && !legacy) {
    status = ox_attr_string(p, "coordinate_transformation_mode", "half_pixel", coords,
        sizeof(coords));
  }
  if (status == pqnn_status_success && !legacy) {
    status = ox_attr_string(p, "nearest_mode", "round_prefer_floor", nearest, sizeof(nearest));
  }
  if (status != pqnn_status_success) return status;
  if (strcmp(mode, "nearest") == 0) r->mode = pqnn_resize_nearest;
  else if (strcmp(mode, "linear") == 0 || strcmp(mode, "bilinear") == 0) r->mode = pqnn_resize_bilinear;
  else return ox_unsupported(p, "Resize mode '%s'", mode);
  if (legacy) {  /* opset < 11: asymmetric; nearest truncates when upsampling */
    r->coordinates = pqnn_resize_asymmetric;
    r->rounding = pqnn_resize_floor;
    return pqnn_status_success;
  }
  if (strcmp(coords, "half_pixel") == 0) r->coordinates = pqnn_resize_half_pixel;
  else if (strcmp(coords, "pytorch_half_pixel") == 0) r->coordinates = pqnn_resize_pytorch_half_pixel;
  else if (strcmp(coords, "asymmetric") == 0) r->coordinates = pqnn_resize_asymmetric;
  else if (strcmp(coords, "align_corners") == 0) r->coordinates = pqnn_resize_align_corners;
  else return ox_unsupported(p, "coordinate_transformation_mode '%s'", coords);
  if (strcmp(nearest, "round_prefer_floor") == 0) r->rounding = pqnn_resize_round_prefer_floor;
  else if (strcmp(nearest, "round_prefer_ceil") == 0) r->rounding = pqnn_resize_round_prefer_ceil;
  else if (strcmp(nearest, "floor") == 0) r->rounding = pqnn_resize_floor;
  else if (strcmp(nearest, "ceil") == 0) r->rounding = pqnn_resize_ceil;
  else return ox_unsupported(p, "nearest_mode '%s'", nearest);
  int64_t antialias = 0;
  status = ox_attr_int(p, "antialias", 0, &antialias);
  if (status != pqnn_status_success) return status;
  if (antialias != 0 || ox_attr(p->node, "axes") != NULL) {
    return ox_unsupported(p, "Resize with antialias or axes");
  }
  return pqnn_status_success;
}

enum pqnn_status ox_lower_resize(struct ox_pass* p) {
  struct ox_tensor *x, *y;
  enum pqnn_status status = ox_io(p, &x, &y);
  if (status != pqnn_status_success) return status;
  const bool upsample = strcmp(p->node->proto->op_type, "Upsample") == 0;
  const bool legacy = upsample || p->m->opset < 11;
  if (x->rank != 4) return ox_unsupported(p, "only 4-D (NCHW) Resize");
  struct pqnn_resize_params r = {0};
  status = resize_modes(p, legacy, &r);
  if (status != pqnn_status_success) return status;
  /* scales: input 1 (Upsample, Resize-10) or 2; sizes: input 3 (Resize 11+). */
  const float* scales = NULL;
  const int64_t* sizes = NULL;
  int64_t ns = 0, nz = 0;
  status = const_floats(p, legacy ? 1 : 2, &scales, &ns);
  if (status == pqnn_status_success && !legacy) status = const_ints(p, 3, &sizes, &nz);
  if (status != pqnn_status_success) return status;
  /* A dim not set yet (listing before the input shapes are: -1) stays unknown. */
  int64_t dims[4] = {x->dims[0], x->dims[1], 0, 0};
  if (nz == 4) {
    for (int d = 0; d < 2; d++) {
      if (x->dims[d] >= 0 && sizes[d] != x->dims[d]) return ox_unsupported(p, "resizing N or C");
    }
    if (sizes[2] < 1 || sizes[3] < 1 || sizes[2] > OX_MAX_ELEMENTS || sizes[3] > OX_MAX_ELEMENTS) {
      return ox_invalid(p, "bad sizes");
    }
    dims[2] = sizes[2];
    dims[3] = sizes[3];
  } else if (ns == 4) {
    if (scales[0] != 1.0f || scales[1] != 1.0f) return ox_unsupported(p, "scaling N or C");
    for (int d = 2; d < 4; d++) {
      if (!(scales[d] > 0.0f) || !isfinite(scales[d])) return ox_invalid(p, "bad scales");
      if (x->dims[d] < 0) {
        dims[d] = -1;
        continue;
      }
      const float size = floorf((float) x->dims[d] * scales[d]);
      if (!(size >= 1.0f) || size > (float) OX_MAX_ELEMENTS) return ox_invalid(p, "bad scales");
      dims[d] = (int64_t) size;
    }
    r.height_scale = scales[2];
    r.width_scale = scales[3];
  } else {
    return ox_unsupported(p, "Resize needs constant scales or sizes for 4 dims");
  }
  r.output_height = dims[2] > 0 ? (size_t) dims[2] : 0;
  r.output_width = dims[3] > 0 ? (size_t) dims[3] : 0;
  const bool known = x->dims[2] >= 0 && x->dims[3] >= 0 && dims[2] >= 0 && dims[3] >= 0;
  if (legacy && r.mode == pqnn_resize_nearest && known) {
    /* ONNX Runtime's legacy nearest: truncation when upsampling, ceil when downsampling. */
    const bool down_h = dims[2] < x->dims[2], down_w = dims[3] < x->dims[3];
    if (down_h != down_w) return ox_unsupported(p, "legacy nearest up- and downsampling at once");
    r.rounding = down_h ? pqnn_resize_ceil : pqnn_resize_floor;
  }
  ox_set_shape(y, 4, dims);
  y->channels_last = true;
  status = ox_define_activation(p, y);
  if (status != pqnn_status_success || !ox_emitting(p)) return status;
  uint32_t in_id;
  status = ox_channels_last_id(p, x, &in_id);
  if (status != pqnn_status_success) return status;
  return ox_refused(p, pqnn_define_static_resize_2d(p->sg, &r, in_id, y->id, 0));
}

/* DepthToSpace (modes DCR and CRD) and SpaceToDepth of a 4-D activation, in its layout
 * (NHWC or the model's order: no transpose to change it): a reshape to 6-D that splits the
 * block out of C (or out of H and W), a 6-D transpose that moves it, and a reshape back to
 * 4-D (three nodes). With C' = C / (b * b), output (c, h * b + by, w * b + bx) of
 * DepthToSpace reads channel (by * b + bx) * C' + c (DCR) or c * b * b + by * b + bx (CRD);
 * SpaceToDepth is the inverse of DCR. */
enum pqnn_status ox_lower_depth_space(struct ox_pass* p, bool to_space) {
  struct ox_tensor *x, *y;
  enum pqnn_status status = ox_io(p, &x, &y);
  if (status != pqnn_status_success) return status;
  int64_t b;
  char mode[8];
  status = ox_attr_int(p, "blocksize", 0, &b);
  if (status == pqnn_status_success) status = ox_attr_string(p, "mode", "DCR", mode, sizeof(mode));
  if (status != pqnn_status_success) return status;
  const bool crd = to_space && strcmp(mode, "CRD") == 0;
  if (to_space && !crd && strcmp(mode, "DCR") != 0) {
    return ox_invalid(p, "mode '%s' is neither DCR nor CRD", mode);
  }
  if (b < 1 || b > 4096) return ox_invalid(p, "blocksize %lld out of range", (long long) b);
  if (x->is_const) return ox_unsupported(p, "%s of a constant", p->node->proto->op_type);
  if (x->rank != 4) return ox_invalid(p, "needs a 4-D input");
  int64_t dims[4] = {x->dims[0], x->dims[1], x->dims[2], x->dims[3]};
  if (to_space) {
    if (dims[1] >= 0 && dims[1] % (b * b) != 0) {
      return ox_invalid(p, "%lld channels are no multiple of blocksize^2", (long long) dims[1]);
    }
    dims[1] = dims[1] < 0 ? -1 : dims[1] / (b * b);
    for (int d = 2; d < 4; d++) {
      if (dims[d] >= 0 && dims[d] > OX_MAX_ELEMENTS / b) return ox_invalid(p, "output too large");
      dims[d] = dims[d] < 0 ? -1 : dims[d] * b;
    }
  } else {
    for (int d = 2; d < 4; d++) {
      if (dims[d] >= 0 && dims[d] % b != 0) {
        return ox_invalid(p, "spatial dim %lld is no multiple of blocksize", (long long) dims[d]);
      }
      dims[d] = dims[d] < 0 ? -1 : dims[d] / b;
    }
    if (dims[1] >= 0 && dims[1] > OX_MAX_ELEMENTS / (b * b)) return ox_invalid(p, "output too large");
    dims[1] = dims[1] < 0 ? -1 : dims[1] * b * b;
  }
  const bool nhwc = x->channels_last;
  ox_set_shape(y, 4, dims);
  y->channels_last = nhwc;
  if (!ox_emitting(p)) return ox_define_activation(p, y);
  /* The 6-D split of x and the permutation that brings the block next to H and W. */
  const size_t n = (size_t) x->dims[0], bs = (size_t) b;
  size_t split[6], perm[6];
  if (to_space) {
    const size_t h = (size_t) x->dims[2], w = (size_t) x->dims[3], c = (size_t) dims[1];
    /* NHWC: [N][H][W][by][bx][C'] (DCR) or [N][H][W][C'][by][bx] (CRD) -> [N][H][by][W][bx][C'];
     * NCHW: [N][by][bx][C'][H][W] or [N][C'][by][bx][H][W] -> [N][C'][H][by][W][bx]. */
    const size_t s[4][6] = {{n, h, w, bs, bs, c}, {n, h, w, c, bs, bs},
                            {n, bs, bs, c, h, w}, {n, c, bs, bs, h, w}};
    const size_t q[4][6] = {{0, 1, 3, 2, 4, 5}, {0, 1, 4, 2, 5, 3},
                            {0, 3, 4, 1, 5, 2}, {0, 1, 4, 2, 5, 3}};
    const int k = (nhwc ? 0 : 2) + (crd ? 1 : 0);
    memcpy(split, s[k], sizeof(split));
    memcpy(perm, q[k], sizeof(perm));
  } else {
    /* NHWC: [N][H'][by][W'][bx][C] -> [N][H'][W'][by][bx][C];
     * NCHW: [N][C][H'][by][W'][bx] -> [N][by][bx][C][H'][W']. */
    const size_t h = (size_t) dims[2], w = (size_t) dims[3], c = (size_t) x->dims[1];
    const size_t s[2][6] = {{n, h, bs, w, bs, c}, {n, c, h, bs, w, bs}};
    const size_t q[2][6] = {{0, 1, 3, 2, 4, 5}, {0, 3, 5, 1, 2, 4}};
    memcpy(split, s[nhwc ? 0 : 1], sizeof(split));
    memcpy(perm, q[nhwc ? 0 : 1], sizeof(perm));
  }
  size_t moved[6];
  for (size_t d = 0; d < 6; d++) moved[d] = split[perm[d]];
  uint32_t split_id, moved_id;
  status = ox_define_temporary(p, 6, split, &split_id);
  if (status == pqnn_status_success) status = ox_define_temporary(p, 6, moved, &moved_id);
  if (status == pqnn_status_success) {
    status = pqnn_define_static_reshape(p->sg, 6, split, x->id, split_id, 0);
  }
  if (status == pqnn_status_success) {
    status = pqnn_define_static_transpose(p->sg, 6, perm, split_id, moved_id, 0);
  }
  if (status != pqnn_status_success) return ox_refused(p, status);
  return ox_emit_reshape(p, moved_id, y);
}

/* Gather of a constant float32 table along axis 0 by runtime indices (an int64 / int32
 * graph input: token ids): the gather node over a static copy of the table, output dims
 * indices.dims ++ table.dims[1..], in the model's order. The ids arrive as int32
 * (pqnn_onnx_run_typed narrows int64 ones, range-checked); an id outside the table fails the
 * run (pqnn_define_gather). Other axes, a scalar index and non-float tables are unsupported. */
static enum pqnn_status gather_runtime(struct ox_pass* p, struct ox_tensor* x,
    struct ox_tensor* idx, struct ox_tensor* y) {
  if (idx->elem_type != OX_INT64 && idx->elem_type != OX_INT32) {
    return ox_unsupported(p, "Gather by runtime indices that are not an int64 / int32 input");
  }
  if (!x->is_const) {
    return ox_unsupported(p, "Gather of an activation by runtime indices (the table must be "
        "a constant)");
  }
  if (x->elem_type != OX_FLOAT || x->f == NULL) {
    return ox_unsupported(p, "Gather of a non-float32 table by runtime indices");
  }
  if (x->rank < 1) return ox_invalid(p, "Gather of a scalar");
  int64_t axis;
  enum pqnn_status status = ox_attr_int(p, "axis", 0, &axis);
  if (status != pqnn_status_success) return status;
  if (axis < -x->rank || axis >= x->rank) return ox_invalid(p, "Gather axis out of range");
  if (axis < 0) axis += x->rank;
  if (axis != 0) {
    return ox_unsupported(p, "Gather by runtime indices along axis %lld (only axis 0, an "
        "embedding lookup)", (long long) axis);
  }
  if (idx->rank < 1) return ox_unsupported(p, "Gather by a scalar runtime index");
  const int rank = idx->rank + x->rank - 1;
  if (rank > OX_MAX_RANK) {
    return ox_unsupported(p, "Gather output of rank %d (at most %d)", rank, OX_MAX_RANK);
  }
  int64_t dims[OX_MAX_RANK];
  for (int d = 0; d < idx->rank; d++) dims[d] = idx->dims[d];
  for (int d = 1; d < x->rank; d++) dims[idx->rank + d - 1] = x->dims[d];
  ox_set_shape(y, rank, dims);
  y->channels_last = false;
  status = ox_define_activation(p, y);
  if (status != pqnn_status_success || !ox_emitting(p)) return status;
  int64_t count;
  if (!ox_elements(x, &count)) return ox_unsupported(p, "Gather table larger than 2^30 elements");
  float* table = ox_pass_alloc(p, (size_t) count, sizeof(float));
  if (table == NULL) return pqnn_status_out_of_memory;
  memcpy(table, x->f, (size_t) count * sizeof(float));
  size_t table_dims[OX_MAX_RANK];
  for (int d = 0; d < x->rank; d++) table_dims[d] = (size_t) x->dims[d];
  uint32_t table_id;
  status = ox_define_static(p, (size_t) x->rank, table_dims, table, &table_id);
  if (status == pqnn_status_success) status = pqnn_define_gather(p->sg, table_id, idx->id, y->id, 0);
  return status != pqnn_status_success ? ox_refused(p, status) : pqnn_status_success;
}

/* Gather of an activation along `axis` by constant indices that step through it evenly
 * (one index, a range, every k-th; negative ones count from the end): a static slice with
 * that step (ViT's class token x[:, 0], a channel or a row of a map). Rank-1 indices keep
 * the axis (the slice is the output); a scalar index drops it: the slice into a temporary,
 * then a reshape. On an NHWC activation the axis drops in place where the bytes stay in
 * order (C, or a spatial axis: the rest stays channels-last; rank 3 keeps [N][W][C]), the
 * batch axis after a transpose to the model's order. Runtime indices: gather_runtime
 * below; other index sets are unsupported. */
enum pqnn_status ox_lower_gather(struct ox_pass* p) {
  struct ox_tensor *x, *idx, *y;
  enum pqnn_status status = ox_io(p, &x, &y);
  if (status == pqnn_status_success) status = ox_input(p, 1, &idx);
  if (status != pqnn_status_success) return status;
  if (!idx->is_const) return gather_runtime(p, x, idx, y);
  if (x->is_const || x->elem_type != OX_FLOAT) {
    return ox_unsupported(p, "Gather of a non-float or constant tensor by these indices");
  }
  if (idx->i == NULL) return ox_invalid(p, "Gather indices must be integers");
  if (idx->rank > 1) return ox_unsupported(p, "Gather indices of rank %d", idx->rank);
  int64_t axis;
  status = ox_attr_int(p, "axis", 0, &axis);
  if (status != pqnn_status_success) return status;
  if (x->rank < 0) return ox_unsupported(p, "Gather of a tensor of unknown rank");
  if (axis < -x->rank || axis >= x->rank) return ox_invalid(p, "Gather axis out of range");
  if (axis < 0) axis += x->rank;
  int64_t count;
  if (!ox_elements(idx, &count) || count < 1) return ox_unsupported(p, "empty Gather indices");
  const int64_t len = x->dims[axis];
  if (len < 0) {
    /* Listing before the dims are set: judged again once they are. */
    int64_t dims[OX_MAX_RANK];
    int r = 0;
    for (int d = 0; d < x->rank; d++) {
      if (d != axis) dims[r++] = x->dims[d];
      else if (idx->rank == 1) dims[r++] = count;
    }
    ox_set_shape(y, r, dims);
    y->channels_last = false;
    return ox_define_activation(p, y);
  }
  int64_t first = 0, step = 1;
  for (int64_t j = 0; j < count; j++) {
    int64_t v = idx->i[j];
    if (v < -len || v >= len) return ox_invalid(p, "Gather index %lld out of range", (long long) v);
    if (v < 0) v += len;
    if (j == 0) {
      first = v;
    } else if (j == 1) {
      step = v - first;
      if (step < 1) return ox_unsupported(p, "Gather indices that do not ascend");
    } else if (v != first + j * step) {
      return ox_unsupported(p, "Gather indices that do not step evenly");
    }
  }
  int64_t begin[OX_MAX_RANK], steps[OX_MAX_RANK], sliced[OX_MAX_RANK];
  for (int d = 0; d < x->rank; d++) {
    begin[d] = 0;
    steps[d] = 1;
    sliced[d] = x->dims[d];
  }
  begin[axis] = first;
  steps[axis] = step;
  sliced[axis] = count;
  /* The batch axis of an NHWC activation drops only in the model's order. */
  struct ox_tensor source = *x;
  const bool dropped = idx->rank == 0;
  if (dropped && x->channels_last && x->rank >= 3 && axis == 0 && !ox_layout_free(x)) {
    if (ox_emitting(p)) {
      status = ox_model_order_id(p, x, &source.id);
      if (status != pqnn_status_success) return status;
    }
    source.channels_last = false;
  }
  if (!dropped) {
    ox_set_shape(y, x->rank, sliced);
    y->channels_last = source.channels_last && x->rank >= 3;
    status = ox_define_activation(p, y);
    if (status != pqnn_status_success || !ox_emitting(p)) return status;
  }
  int64_t out_dims[OX_MAX_RANK];
  int r = 0;
  for (int d = 0; d < x->rank; d++) {
    if (d != axis) out_dims[r++] = x->dims[d];
  }
  if (dropped) {
    ox_set_shape(y, r, out_dims);
    /* Dropping C leaves [N][spatial...] in the model's order; a spatial axis leaves
     * channels-last bytes, channels-last again where the rank stays >= 3. */
    y->channels_last = source.channels_last && x->rank >= 3 && axis >= 2 && r >= 3;
    if (!ox_emitting(p)) return ox_define_activation(p, y);
  }
  size_t offsets[OX_MAX_RANK + 1], sizes[OX_MAX_RANK + 1], strides[OX_MAX_RANK + 1];
  const size_t n = to_physical(&source, begin, 0, offsets);
  to_physical(&source, sliced, 1, sizes);
  to_physical(&source, steps, 1, strides);
  if (!dropped) {
    return ox_refused(p, pqnn_define_static_slice(p->sg, n, offsets, sizes, strides, source.id,
        y->id, 0));
  }
  uint32_t tmp_id;
  status = ox_define_temporary(p, n, sizes, &tmp_id);
  if (status == pqnn_status_success) {
    status = pqnn_define_static_slice(p->sg, n, offsets, sizes, strides, source.id, tmp_id, 0);
  }
  if (status != pqnn_status_success) return ox_refused(p, status);
  return ox_emit_reshape(p, tmp_id, y);
}

/* Tile by constant repeats: per axis with a repeat r > 1, in order, one concatenate node
 * of r copies of the tensor so far along it (r <= PQNN_MAX_CONCAT_INPUTS), into a
 * temporary or, for the last such axis, the output; no repeat > 1: a copy. The layout is
 * the input's (an NHWC activation tiles along its physical axes). */
enum pqnn_status ox_lower_tile(struct ox_pass* p) {
  struct ox_tensor *x, *y;
  enum pqnn_status status = ox_io(p, &x, &y);
  if (status != pqnn_status_success) return status;
  if (x->is_const) return ox_unsupported(p, "Tile of a constant");
  const int64_t* repeats = NULL;
  int64_t count = 0;
  status = const_ints(p, 1, &repeats, &count);
  if (status != pqnn_status_success) return status;
  if (repeats == NULL) return ox_unsupported(p, "repeats must be a constant");
  if (x->rank < 1 || count != x->rank) return ox_invalid(p, "repeats must have one entry a dim");
  int64_t dims[OX_MAX_RANK];
  int last = -1;
  for (int d = 0; d < x->rank; d++) {
    if (repeats[d] < 1) return ox_unsupported(p, "a repeat of %lld", (long long) repeats[d]);
    if (repeats[d] > PQNN_MAX_CONCAT_INPUTS) {
      return ox_unsupported(p, "a repeat of %lld (at most %d)", (long long) repeats[d],
          PQNN_MAX_CONCAT_INPUTS);
    }
    dims[d] = x->dims[d];
    if (dims[d] >= 0) {
      if (dims[d] > OX_MAX_ELEMENTS / repeats[d]) return ox_invalid(p, "Tile output too large");
      dims[d] *= repeats[d];
    }
    if (repeats[d] > 1) last = d;
  }
  ox_set_shape(y, x->rank, dims);
  y->channels_last = x->channels_last && x->rank >= 3;
  if (last < 0) return ox_emit_reshape(p, x->id, y);
  status = ox_define_activation(p, y);
  if (status != pqnn_status_success || !ox_emitting(p)) return status;
  struct ox_tensor cur = *x;  /* the tensor tiled so far: its shape, layout and value id */
  for (int d = 0; d <= last; d++) {
    if (repeats[d] == 1) continue;
    uint32_t ids[PQNN_MAX_CONCAT_INPUTS];
    for (int64_t k = 0; k < repeats[d]; k++) ids[k] = cur.id;
    cur.dims[d] *= repeats[d];
    uint32_t out_id = y->id;
    if (d != last) {
      size_t phys[OX_MAX_RANK + 1];
      const size_t n = ox_physical_dims(&cur, phys);
      status = ox_define_temporary(p, n, phys, &out_id);
      if (status != pqnn_status_success) return ox_refused(p, status);
    }
    status = pqnn_define_concatenate(p->sg, ox_physical_axis(&cur, d), (size_t) repeats[d], ids,
        out_id, 0);
    if (status != pqnn_status_success) return ox_refused(p, status);
    cur.id = out_id;
  }
  return pqnn_status_success;
}
