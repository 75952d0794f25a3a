/* LayerNormalization, the ReduceMean / Sub / Pow / ReduceMean / Add / Sqrt / Div (/ Mul /
 * Add) chain that exporters emit for it (fused into one layer normalization), other
 * ReduceMean / ReduceSum / ReduceMax and GlobalMaxPool (reduce node), ConvTranspose
 * (deconvolution, NHWC), MatMul of two activations and Softmax over any axis. */
#include <math.h>
#include <string.h>

#include "onnx/internal.h"

/* A float constant broadcast to [c]: the data (count 1 or c entries), else NULL. */
static const float* vector_operand(const struct ox_tensor* t, int64_t c, int64_t* count) {
  /* c < 0: the dim is not set yet (listing): any length may match it. */
  if (!t->is_const || t->f == NULL || !ox_elements(t, count) ||
      (*count != 1 && *count != c && c >= 0)) {
    return NULL;
  }
  for (int d = 0; d + 1 < t->rank; d++) {
    if (t->dims[d] != 1) return NULL;
  }
  return t->f;
}

/* n copies of v[count == 1 ? 0 : i] as a static [n] value. */
static enum pqnn_status define_vector(struct ox_pass* p, const float* v, int64_t count,
    size_t n, uint32_t* id) {
  float* data = ox_pass_alloc(p, n, sizeof(float));
  if (data == NULL) return pqnn_status_out_of_memory;
  for (size_t i = 0; i < n; i++) data[i] = v[count == 1 ? 0 : i];
  const size_t dims[1] = {n};
  return ox_define_static(p, 1, dims, data, id);
}

/* Layer normalization of x over its last dim (the ONNX dims from `axis`, flattened as
 * the runtime sees them) into y. */
static enum pqnn_status emit_layer_norm(struct ox_pass* p, struct ox_tensor* x,
    struct ox_tensor* y, int64_t axis, float epsilon, const float* scale, int64_t scale_count,
    const float* bias, int64_t bias_count) {
  uint32_t in_id;
  enum pqnn_status status = ox_model_order_id(p, x, &in_id);
  if (status != pqnn_status_success) return status;
  status = ox_like(p, x, y, false);
  if (status != pqnn_status_success || !ox_emitting(p)) return status;
  size_t dims[OX_MAX_RANK + 1];
  const size_t num_dims = ox_physical_dims(x, dims);
  /* The normalized extent: physical dims from the ONNX axis (x is in model order, so
   * physical dims are the ONNX dims, rank 3 unchanged). */
  const size_t first = num_dims - (size_t) (x->rank - axis);
  size_t c = 1;
  for (size_t d = first; d < num_dims; d++) c *= dims[d];
  if (first + 1 != num_dims) {
    return ox_unsupported(p, "normalization over %zu dims needs a reshape around it",
        num_dims - first);
  }
  uint32_t s_id, b_id = PQNN_INVALID_VALUE_ID;
  status = define_vector(p, scale, scale_count, c, &s_id);
  if (status == pqnn_status_success && bias != NULL) {
    status = define_vector(p, bias, bias_count, c, &b_id);
  }
  if (status != pqnn_status_success) return status;
  return ox_refused(p, pqnn_define_layer_normalization(p->sg, first, epsilon, in_id, s_id, b_id,
      y->id, 0));
}

enum pqnn_status ox_lower_layer_norm(struct ox_pass* p) {
  struct ox_tensor *x, *y, *s, *b = NULL;
  enum pqnn_status status = ox_io(p, &x, &y);
  if (status == pqnn_status_success) status = ox_input(p, 1, &s);
  if (status != pqnn_status_success) return status;
  if (p->node->num_inputs > 2 && p->node->inputs[2] >= 0) b = &p->t[p->node->inputs[2]];
  int64_t axis, stash;
  float epsilon;
  status = ox_attr_int(p, "axis", -1, &axis);
  if (status == pqnn_status_success) status = ox_attr_float(p, "epsilon", 1e-5f, &epsilon);
  if (status == pqnn_status_success) status = ox_attr_int(p, "stash_type", 1, &stash);
  if (status != pqnn_status_success) return status;
  if (x->rank < 1) return ox_unsupported(p, "scalar input");
  if (axis < 0) axis += x->rank;
  if (axis < 0 || axis >= x->rank) return ox_invalid(p, "axis out of range");
  if (axis != x->rank - 1) return ox_unsupported(p, "only the last axis is normalized here");
  const int64_t c = x->dims[x->rank - 1];
  int64_t sc = 0, bc = 0;
  const float* scale = vector_operand(s, c, &sc);
  const float* bias = b != NULL ? vector_operand(b, c, &bc) : NULL;
  if (scale == NULL || (b != NULL && bias == NULL)) {
    return ox_unsupported(p, "scale and bias must be float constants of the last dim");
  }
  return emit_layer_norm(p, x, y, axis, epsilon, scale, sc, bias, bc);
}

/* ---- ReduceMean chain ---- */

/* Nodes after the current one reading tensor t: up to max of them (indices into the model's
 * nodes); the count of all. */
static size_t consumers(struct ox_pass* p, const struct ox_tensor* t, size_t* index, size_t max) {
  const int ti = (int) (t - p->t);
  size_t count = 0;
  for (size_t k = (size_t) (p->node - p->m->nodes) + 1; k < p->m->num_nodes; k++) {
    const struct ox_node* n = &p->m->nodes[k];
    for (size_t i = 0; i < n->num_inputs; i++) {
      if (n->inputs[i] != ti) continue;
      if (count < max) index[count] = k;
      count++;
      break;
    }
  }
  return count;
}

/* The single consumer of t (op `op`, input `slot` is t), else NULL. */
static const struct ox_node* next(struct ox_pass* p, const struct ox_tensor* t, const char* op,
    int slot, size_t* index) {
  if (t->graph_output >= 0 || consumers(p, t, index, 1) != 1) return NULL;
  const struct ox_node* n = &p->m->nodes[*index];
  if (strcmp(n->proto->op_type, op) != 0 || n->num_outputs < 1 || n->outputs[0] < 0 ||
      n->num_inputs <= (size_t) slot || n->inputs[slot] != (int) (t - p->t)) {
    return NULL;
  }
  return n;
}

/* The other input's constant scalar value of binary node n (whose input `slot` is ours). */
static bool scalar_operand(struct ox_pass* p, const struct ox_node* n, int slot, float* v) {
  if (n->num_inputs != 2 || n->inputs[1 - slot] < 0) return false;
  const struct ox_tensor* t = &p->t[n->inputs[1 - slot]];
  int64_t count;
  if (!t->is_const || t->f == NULL || !ox_elements(t, &count) || count != 1) return false;
  *v = t->f[0];
  return true;
}

/* Whether node n is a ReduceMean of its input over its last axis, dims kept. */
static bool mean_of_last(struct ox_pass* p, const struct ox_node* n, int rank) {
  const struct ox_node* saved = p->node;
  p->node = n;
  int64_t axes[OX_MAX_RANK], keepdims = 1;
  size_t count = 0;
  bool ok = ox_attr_ints(p, "axes", OX_MAX_RANK, axes, &count) == pqnn_status_success &&
      ox_attr_int(p, "keepdims", 1, &keepdims) == pqnn_status_success;
  p->node = saved;
  p->reason[0] = '\0';
  return ok && n->num_inputs == 1 && keepdims == 1 && count == 1 &&
      (axes[0] == -1 || axes[0] == rank - 1);
}

enum pqnn_status ox_lower_reduce_mean(struct ox_pass* p) {
  struct ox_tensor *x, *mean;
  enum pqnn_status status = ox_io(p, &x, &mean);
  if (status != pqnn_status_success) return status;
  if (x->rank < 1 || !mean_of_last(p, p->node, x->rank)) {
    return ox_lower_reduce(p, pqnn_reduce_mean);
  }
  /* mean -> Sub(x, mean) = d -> {Pow(d, 2) -> ReduceMean -> Add(eps) -> Sqrt, Div(d, .)} */
  enum { kSub, kPow, kVar, kAdd, kSqrt, kDiv, kMul, kBias, kChain };
  size_t idx[kChain], two[3];
  const struct ox_node* sub = next(p, mean, "Sub", 1, &idx[kSub]);
  if (sub == NULL || sub->inputs[0] != (int) (x - p->t)) return ox_lower_reduce(p, pqnn_reduce_mean);
  struct ox_tensor* d = &p->t[sub->outputs[0]];
  if (d->graph_output >= 0 || consumers(p, d, two, 3) != 2) {
    return ox_lower_reduce(p, pqnn_reduce_mean);
  }
  const struct ox_node* pow = &p->m->nodes[two[0]];
  const struct ox_node* div = &p->m->nodes[two[1]];
  idx[kPow] = two[0];
  idx[kDiv] = two[1];
  float exponent = 0.0f, epsilon = 0.0f;
  /* Found as consumers of d, not through next(): their outputs are not checked yet (a file
   * may omit them: index -1). */
  if (pow->num_inputs < 1 || pow->num_outputs < 1 || pow->outputs[0] < 0 ||
      div->num_inputs < 2 || div->num_outputs < 1 || div->outputs[0] < 0) {
    return ox_lower_reduce(p, pqnn_reduce_mean);
  }
  if (strcmp(pow->proto->op_type, "Pow") != 0 || pow->inputs[0] != (int) (d - p->t) ||
      !scalar_operand(p, pow, 0, &exponent) || exponent != 2.0f ||
      strcmp(div->proto->op_type, "Div") != 0 || div->inputs[0] != (int) (d - p->t)) {
    return ox_lower_reduce(p, pqnn_reduce_mean);
  }
  const struct ox_node* var = next(p, &p->t[pow->outputs[0]], "ReduceMean", 0, &idx[kVar]);
  if (var == NULL || !mean_of_last(p, var, x->rank)) return ox_lower_reduce(p, pqnn_reduce_mean);
  const struct ox_node* add = next(p, &p->t[var->outputs[0]], "Add", 0, &idx[kAdd]);
  if (add == NULL || !scalar_operand(p, add, 0, &epsilon) || !(epsilon >= 0.0f) ||
      !isfinite(epsilon)) {
    return ox_lower_reduce(p, pqnn_reduce_mean);
  }
  const struct ox_node* sq = next(p, &p->t[add->outputs[0]], "Sqrt", 0, &idx[kSqrt]);
  if (sq == NULL || div->inputs[1] != sq->outputs[0] ||
      next(p, &p->t[sq->outputs[0]], "Div", 1, &two[2]) != div) {
    return ox_lower_reduce(p, pqnn_reduce_mean);
  }
  /* Optional Mul(., scale) and Add(., bias) with constants of the last dim. */
  const int64_t c = x->dims[x->rank - 1];
  struct ox_tensor* y = &p->t[div->outputs[0]];
  const float one = 1.0f;
  const float* scale = &one;
  const float* bias = NULL;
  int64_t sc = 1, bc = 0;
  size_t used = kMul;
  const struct ox_node* mul = next(p, y, "Mul", 0, &idx[kMul]);
  const float* v;
  if (mul != NULL && mul->num_inputs == 2 && mul->inputs[1] >= 0 &&
      (v = vector_operand(&p->t[mul->inputs[1]], c, &sc)) != NULL) {
    scale = v;
    y = &p->t[mul->outputs[0]];
    used = kBias;
    const struct ox_node* badd = next(p, y, "Add", 0, &idx[kBias]);
    if (badd != NULL && badd->num_inputs == 2 && badd->inputs[1] >= 0 &&
        (v = vector_operand(&p->t[badd->inputs[1]], c, &bc)) != NULL) {
      bias = v;
      y = &p->t[badd->outputs[0]];
      used = kChain;
    }
  } else {
    sc = 1;
  }
  status = emit_layer_norm(p, x, y, x->rank - 1, epsilon, scale, sc, bias, bc);
  if (status != pqnn_status_success) return status;
  for (size_t k = 0; k < used; k++) p->absorbed[idx[k]] = true;
  return pqnn_status_success;
}

/* ---- ConvTranspose ---- */

enum pqnn_status ox_lower_conv_transpose(struct ox_pass* p) {
  struct ox_tensor *x, *w, *b = NULL;
  enum pqnn_status status = ox_input(p, 0, &x);
  if (status == pqnn_status_success) status = ox_input(p, 1, &w);
  if (status != pqnn_status_success) return status;
  if (p->node->num_inputs > 2 && p->node->inputs[2] >= 0) b = &p->t[p->node->inputs[2]];
  struct ox_tensor* y = ox_output(p, 0);
  if (y == NULL) return ox_invalid(p, "no output");
  if (x->rank != 3 && x->rank != 4) return ox_unsupported(p, "only 1-D and 2-D ConvTranspose");
  if (!w->is_const || w->f == NULL || w->rank != x->rank) {
    return ox_unsupported(p, "weights must be a float constant of rank %d", x->rank);
  }
  const int spatial = x->rank - 2;
  int64_t groups, kernel[2], strides[2], dilations[2], pads[4], out_pad[2], out_shape[2];
  size_t nk, ns, nd, np, nop, nos;
  char auto_pad[16];
  status = ox_attr_int(p, "group", 1, &groups);
  if (status == pqnn_status_success) status = ox_attr_ints(p, "kernel_shape", 2, kernel, &nk);
  if (status == pqnn_status_success) status = ox_attr_ints(p, "strides", 2, strides, &ns);
  if (status == pqnn_status_success) status = ox_attr_ints(p, "dilations", 2, dilations, &nd);
  if (status == pqnn_status_success) status = ox_attr_ints(p, "pads", 4, pads, &np);
  if (status == pqnn_status_success) status = ox_attr_ints(p, "output_padding", 2, out_pad, &nop);
  if (status == pqnn_status_success) status = ox_attr_ints(p, "output_shape", 2, out_shape, &nos);
  if (status == pqnn_status_success) {
    status = ox_attr_string(p, "auto_pad", "NOTSET", auto_pad, sizeof(auto_pad));
  }
  if (status != pqnn_status_success) return status;
  if (nos != 0 || (strcmp(auto_pad, "NOTSET") != 0 && strcmp(auto_pad, "VALID") != 0)) {
    return ox_unsupported(p, "output_shape / SAME auto_pad are not supported (explicit pads are)");
  }
  const int64_t cin = w->dims[0], goc = w->dims[1], cx = x->dims[1];
  if (groups < 1 || cin < 1 || goc < 1 || cin % groups != 0 || (cx >= 0 && cx != cin)) {
    return ox_invalid(p, "weights [%lld, %lld, ...] do not fit %lld input channels in %lld "
        "groups", (long long) cin, (long long) goc, (long long) cx, (long long) groups);
  }
  if ((nk != 0 && nk != (size_t) spatial) || (ns != 0 && ns != (size_t) spatial) ||
      (nd != 0 && nd != (size_t) spatial) || (np != 0 && np != 2 * (size_t) spatial) ||
      (nop != 0 && nop != (size_t) spatial)) {
    return ox_invalid(p, "window attributes do not match %d spatial dims", spatial);
  }
  const int64_t gic = cin / groups, cout = goc * groups;
  int64_t nb;
  if (b != NULL && (!b->is_const || b->f == NULL || !ox_elements(b, &nb) || nb != cout)) {
    return ox_unsupported(p, "bias must be a float constant [%lld]", (long long) cout);
  }
  /* Index 0: H, 1: W (rank 3: H = 1). */
  uint32_t k[2] = {1, 1}, s[2] = {1, 1}, dl[2] = {1, 1}, pb[2] = {0, 0}, pe[2] = {0, 0};
  uint32_t adj[2] = {0, 0};
  struct ox_tensor shape = {.rank = x->rank};
  shape.dims[0] = x->dims[0];
  shape.dims[1] = cout;
  const int off = spatial == 1 ? 1 : 0;
  const bool valid = auto_pad[0] == 'V';
  for (int d = 0; d < spatial; d++) {
    const int64_t kd = w->dims[2 + d], sd = ns ? strides[d] : 1, dd = nd ? dilations[d] : 1;
    const int64_t b0 = np && !valid ? pads[d] : 0, e0 = np && !valid ? pads[d + spatial] : 0;
    const int64_t a0 = nop ? out_pad[d] : 0;
    if ((nk != 0 && kernel[d] != kd) || kd < 1 || kd > 65536 || sd < 1 || sd > 65536 ||
        dd < 1 || dd > 65536 || b0 < 0 || e0 < 0 || b0 > 65536 || e0 > 65536 || a0 < 0 ||
        a0 >= sd) {
      return ox_invalid(p, "window attribute out of range");
    }
    const int64_t in = x->dims[2 + d];
    int64_t o = -1;
    if (in >= 0) {
      o = (in - 1) * sd + (kd - 1) * dd + 1 + a0 - b0 - e0;
      if (in < 1 || o < 1) return ox_invalid(p, "the padding leaves no output");
    }
    shape.dims[2 + d] = o;
    k[d + off] = (uint32_t) kd;
    s[d + off] = (uint32_t) sd;
    dl[d + off] = (uint32_t) dd;
    pb[d + off] = (uint32_t) b0;
    pe[d + off] = (uint32_t) e0;
    adj[d + off] = (uint32_t) a0;
  }
  uint32_t in_id;
  status = ox_channels_last_id(p, x, &in_id);
  if (status != pqnn_status_success) return status;
  /* BatchNormalization and per-channel or scalar scale / shift right after fold in (into the
   * weights and the bias, as for Conv). */
  float *fold_scale = NULL, *fold_shift = NULL;
  status = ox_fold_affine_chain(p, cout, x->rank, 1, &y, &fold_scale, &fold_shift);
  if (status != pqnn_status_success) return status;
  ox_set_shape(y, shape.rank, shape.dims);
  y->channels_last = true;
  status = ox_define_activation(p, y);
  if (status != pqnn_status_success || !ox_emitting(p)) return status;
  /* ONNX [Cin][Cout/g][kh][kw] -> pqnn [g * Cout/g][kh][kw][Cin/g]. */
  const size_t taps = (size_t) k[0] * k[1];
  float* filter = ox_pass_alloc(p, (size_t) cin * (size_t) goc * taps, sizeof(float));
  float* bias = ox_pass_alloc(p, (size_t) cout, sizeof(float));
  if (filter == NULL || bias == NULL) return pqnn_status_out_of_memory;
  bool has_bias = b != NULL;
  for (int64_t g = 0; g < groups; g++) {
    for (int64_t o = 0; o < goc; o++) {
      const size_t c = (size_t) (g * goc + o);
      bias[c] = (b != NULL ? b->f[c] : 0.0f) * fold_scale[c] + fold_shift[c];
      has_bias = has_bias || bias[c] != 0.0f;
      for (int64_t i = 0; i < gic; i++) {
        for (size_t r = 0; r < taps; r++) {
          filter[(c * taps + r) * (size_t) gic + (size_t) i] =
              w->f[((size_t) (g * gic + i) * (size_t) goc + (size_t) o) * taps + r] * fold_scale[c];
        }
      }
    }
  }
  uint32_t w_id, b_id = PQNN_INVALID_VALUE_ID;
  const size_t wdims[4] = {(size_t) cout, k[0], k[1], (size_t) gic};
  const size_t bdims[1] = {(size_t) cout};
  status = ox_define_static(p, 4, wdims, filter, &w_id);
  if (status == pqnn_status_success && has_bias) {
    status = ox_define_static(p, 1, bdims, bias, &b_id);
  }
  if (status != pqnn_status_success) return status;
  return ox_refused(p, pqnn_define_deconvolution_2d(p->sg, pb[0], pe[1], pe[0], pb[1], adj[0],
      adj[1], k[0], k[1], s[0], s[1], dl[0], dl[1], (uint32_t) groups, (size_t) gic,
      (size_t) goc, -INFINITY, INFINITY, in_id, w_id, b_id, y->id, 0));
}

/* ---- Reductions ---- */

/* The physical axis of ONNX axis a of x (channels-last moves dim 1 last; rank 3 has H = 1
 * at physical dim 1). */
static size_t physical_axis(const struct ox_tensor* x, int64_t a) {
  if (!x->channels_last || x->rank < 3) return (size_t) a;
  const size_t num_dims = x->rank == 3 ? 4 : (size_t) x->rank;
  return a == 0 ? 0 : a == 1 ? num_dims - 1 : (size_t) a - 1 + (num_dims - (size_t) x->rank);
}

enum pqnn_status ox_reduce_axes(struct ox_pass* p, const struct ox_tensor* x, bool* reduced,
    bool* keepdims) {
  int64_t axes[OX_MAX_RANK], keep = 1, noop = 0;
  size_t n = 0;
  enum pqnn_status status = ox_axes_operand(p, axes, &n);
  if (status == pqnn_status_success) status = ox_attr_int(p, "keepdims", 1, &keep);
  if (status == pqnn_status_success) status = ox_attr_int(p, "noop_with_empty_axes", 0, &noop);
  if (status != pqnn_status_success) return status;
  if (x->rank < 1) return ox_unsupported(p, "scalar input");
  for (int a = 0; a < OX_MAX_RANK; a++) reduced[a] = n == 0;
  if (n == 0 && noop != 0) return ox_unsupported(p, "noop_with_empty_axes = 1");
  for (size_t i = 0; i < n; i++) {
    const int64_t a = axes[i] < 0 ? axes[i] + x->rank : axes[i];
    if (a < 0 || a >= x->rank || reduced[a]) return ox_invalid(p, "bad or repeated axis");
    reduced[a] = true;
  }
  *keepdims = keep != 0;
  return pqnn_status_success;
}

enum pqnn_status ox_emit_reduce(struct ox_pass* p, enum pqnn_reduce_operator op,
    struct ox_tensor* x, const bool* reduced, bool keepdims, struct ox_tensor* y) {
  if (x->is_const) return ox_unsupported(p, "a reduction of a constant");
  if (x->rank < 1) return ox_unsupported(p, "scalar input");
  /* Physical axes: the reduced ones (rank 3 channels-last: with its H = 1 when W is). */
  bool phys[OX_MAX_RANK + 1] = {false};
  for (int a = 0; a < x->rank; a++) {
    if (reduced[a]) phys[physical_axis(x, a)] = true;
  }
  const bool nhwc = x->channels_last && x->rank >= 3;
  if (nhwc && x->rank == 3 && reduced[2]) phys[1] = true;
  const size_t num_phys = nhwc && x->rank == 3 ? 4 : (size_t) x->rank;
  size_t first = num_phys, count = 0;
  for (size_t d = 0; d < num_phys; d++) {
    if (!phys[d]) continue;
    if (first == num_phys) first = d;
    if (d != first + count) return ox_unsupported(p, "reduced dims not consecutive here");
    count++;
  }
  int64_t dims[OX_MAX_RANK];
  int rank = 0;
  bool kept_channels = false, kept_spatial = false;
  for (int a = 0; a < x->rank; a++) {
    if (!reduced[a]) {
      dims[rank++] = x->dims[a];
      kept_channels |= a == 1;
      kept_spatial |= a >= 2;
    } else if (keepdims) {
      dims[rank++] = 1;
    }
  }
  if (rank == 0) return ox_unsupported(p, "reduction to a scalar");
  if (nhwc && !keepdims && (rank >= 3 || (kept_channels && kept_spatial) ||
                            (x->rank == 3 && !reduced[2]))) {
    return ox_unsupported(p, "this reduction of an NHWC tensor changes its layout");
  }
  ox_set_shape(y, rank, dims);
  y->channels_last = nhwc && keepdims;
  enum pqnn_status status = ox_define_activation(p, y);
  if (status != pqnn_status_success || !ox_emitting(p)) return status;
  size_t list[OX_MAX_RANK + 1];
  for (size_t i = 0; i < count; i++) list[i] = first + i;
  return ox_refused(p, pqnn_define_reduce(p->sg, op, count, list, x->id, y->id,
      keepdims ? PQNN_FLAG_KEEP_DIMS : 0));
}

enum pqnn_status ox_lower_reduce(struct ox_pass* p, enum pqnn_reduce_operator op) {
  struct ox_tensor *x, *y;
  enum pqnn_status status = ox_io(p, &x, &y);
  if (status != pqnn_status_success) return status;
  bool reduced[OX_MAX_RANK], keepdims = true;
  if (strcmp(p->node->proto->op_type, "GlobalMaxPool") == 0) {
    if (x->rank < 3) return ox_invalid(p, "GlobalMaxPool needs rank >= 3");
    for (int d = 0; d < OX_MAX_RANK; d++) reduced[d] = d >= 2;
  } else {
    status = ox_reduce_axes(p, x, reduced, &keepdims);
    if (status != pqnn_status_success) return status;
  }
  return ox_emit_reduce(p, op, x, reduced, keepdims, y);
}

/* ---- MatMul of two activations, Softmax over any axis ---- */

enum pqnn_status ox_lower_matmul(struct ox_pass* p) {
  struct ox_tensor *a, *b;
  enum pqnn_status status = ox_input(p, 0, &a);
  if (status == pqnn_status_success) status = ox_input(p, 1, &b);
  if (status != pqnn_status_success) return status;
  if (a->is_const || b->is_const) return ox_lower_gemm(p, true);
  struct ox_tensor* y = ox_output(p, 0);
  if (y == NULL) return ox_invalid(p, "no output");
  if (a->rank < 2 || b->rank < 2) return ox_unsupported(p, "1-D MatMul operands");
  const int rank = a->rank > b->rank ? a->rank : b->rank;
  if (rank > 6) return ox_unsupported(p, "more than 4 batch dims");
  int64_t dims[OX_MAX_RANK];
  for (int i = 0; i + 2 < rank; i++) {
    const int64_t da = i + a->rank < rank ? 1 : a->dims[i + a->rank - rank];
    const int64_t db = i + b->rank < rank ? 1 : b->dims[i + b->rank - rank];
    if (da >= 0 && db >= 0 && da != db && da != 1 && db != 1) {
      return ox_invalid(p, "batch dims do not broadcast");
    }
    dims[i] = da < 0 || db < 0 ? -1 : da > db ? da : db;
  }
  const int64_t ka = a->dims[a->rank - 1], kb = b->dims[b->rank - 2];
  if (ka >= 0 && kb >= 0 && ka != kb) {
    return ox_invalid(p, "inner dims differ (%lld vs %lld)", (long long) ka, (long long) kb);
  }
  dims[rank - 2] = a->dims[a->rank - 2];
  dims[rank - 1] = b->dims[b->rank - 1];
  uint32_t a_id, b_id;
  status = ox_model_order_id(p, a, &a_id);
  if (status == pqnn_status_success) status = ox_model_order_id(p, b, &b_id);
  if (status != pqnn_status_success) return status;
  ox_set_shape(y, rank, dims);
  y->channels_last = false;
  status = ox_define_activation(p, y);
  if (status != pqnn_status_success || !ox_emitting(p)) return status;
  return ox_refused(p, pqnn_define_batch_matrix_multiply(p->sg, a_id, b_id, y->id, 0));
}

enum pqnn_status ox_lower_softmax_axis(struct ox_pass* p, struct ox_tensor* x, int64_t axis) {
  struct ox_tensor* y = ox_output(p, 0);
  if (y == NULL) return ox_invalid(p, "no output");
  /* The physical axis: channels-last moves dim 1 last (rank 3 gains H = 1 at dim 1). */
  const size_t physical = physical_axis(x, axis);
  enum pqnn_status status = ox_like(p, x, y, x->channels_last);
  if (status != pqnn_status_success || !ox_emitting(p)) return status;
  return ox_refused(p, pqnn_define_softmax_axis(p->sg, physical, x->id, y->id, 0));
}

/* Softmax: the softmax node where the axis is the innermost physical one, else
 * ox_lower_softmax_axis; opset < 13 over more dims than that: the chain of
 * ox_lower_softmax_flattened (lower-math.c). */
enum pqnn_status ox_lower_softmax(struct ox_pass* p) {
  struct ox_tensor* x;
  enum pqnn_status status = ox_input(p, 0, &x);
  if (status != pqnn_status_success) return status;
  int64_t axis;
  status = ox_attr_int(p, "axis", p->m->opset >= 13 ? -1 : 1, &axis);
  if (status != pqnn_status_success) return status;
  if (x->rank < 1) return ox_unsupported(p, "scalar input");
  if (axis < 0) axis += x->rank;
  if (axis < 0 || axis >= x->rank) return ox_invalid(p, "axis out of range");
  bool spatial_ones = true;
  for (int d = 2; d < x->rank; d++) spatial_ones &= x->dims[d] == 1;
  bool ok;
  if (x->channels_last && x->rank >= 3) {
    ok = axis == 1 && (p->m->opset >= 13 || spatial_ones);
  } else {
    ok = axis == x->rank - 1;
  }
  if (!ok && p->m->opset < 13 && axis != x->rank - 1) {
    return ox_lower_softmax_flattened(p, x, (int) axis);
  }
  if (!ok) return ox_lower_softmax_axis(p, x, axis);
  struct ox_tensor* y = ox_output(p, 0);
  if (y == NULL) return ox_invalid(p, "no output");
  status = ox_like(p, x, y, x->channels_last);
  if (status != pqnn_status_success || !ox_emitting(p)) return status;
  return ox_refused(p, pqnn_define_softmax(p->sg, x->id, y->id, 0));
}
