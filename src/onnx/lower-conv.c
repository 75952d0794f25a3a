#include <stdlib.h>
/* Conv (2-D, and 1-D as H = 1), BatchNormalization (folded into the conv before it, or a
 * 1x1 depthwise conv), per-channel Mul/Div by a constant (1x1 depthwise conv), MaxPool and
 * GlobalAveragePool: NHWC pqnn nodes. */
#include <math.h>
#include <string.h>

#include "onnx/internal.h"

struct window {
  uint32_t kernel[2], stride[2], dilation[2], pad_begin[2], pad_end[2];
};

/* Spatial attributes of a Conv or a pool over x (rank 3: W only, rank 4: H, W); fills w
 * (H first; H = 1 for rank 3) and the ONNX output dims 2.. of out. */
static enum pqnn_status read_window(struct ox_pass* p, const struct ox_tensor* x,
    const int64_t* kernel_from_weights, struct window* w, struct ox_tensor* out) {
  const int spatial = x->rank - 2;
  int64_t kernel[2], strides[2], dilations[2], pads[4];
  size_t nk, ns, nd, np;
  enum pqnn_status status = ox_attr_ints(p, "kernel_shape", 2, kernel, &nk);
  if (status == pqnn_status_success) status = ox_attr_ints(p, "strides", 2, strides, &ns);
  if (status == pqnn_status_success) status = ox_attr_ints(p, "dilations", 2, dilations, &nd);
  if (status == pqnn_status_success) status = ox_attr_ints(p, "pads", 4, pads, &np);
  if (status != pqnn_status_success) return status;
  if (kernel_from_weights != NULL) {
    if (nk != 0 && (nk != (size_t) spatial || memcmp(kernel, kernel_from_weights,
                                                     (size_t) spatial * sizeof(int64_t)) != 0)) {
      return ox_invalid(p, "kernel_shape differs from the weights");
    }
    for (int d = 0; d < spatial; d++) kernel[d] = kernel_from_weights[d];
    nk = (size_t) spatial;
  }
  if (nk != (size_t) spatial || (ns != 0 && ns != nk) || (nd != 0 && nd != nk) ||
      (np != 0 && np != 2 * nk)) {
    return ox_invalid(p, "kernel_shape/strides/dilations/pads do not match %d spatial dims", spatial);
  }
  char auto_pad[16];
  status = ox_attr_string(p, "auto_pad", "NOTSET", auto_pad, sizeof(auto_pad));
  if (status != pqnn_status_success) return status;
  const int off = spatial == 1 ? 1 : 0;  /* rank 3: index 1 of the window is W */
  w->kernel[0] = w->stride[0] = w->dilation[0] = 1;
  w->pad_begin[0] = w->pad_end[0] = 0;
  out->rank = x->rank;
  for (int d = 0; d < spatial; d++) {
    const int64_t k = kernel[d], s = ns ? strides[d] : 1, dl = nd ? dilations[d] : 1;
    int64_t pb = np ? pads[d] : 0, pe = np ? pads[d + spatial] : 0;
    if (k < 1 || k > 65536 || s < 1 || s > 65536 || dl < 1 || dl > 65536 || pb < 0 || pe < 0 ||
        pb > 65536 || pe > 65536) {
      return ox_invalid(p, "window attribute out of range");
    }
    const int64_t in = x->dims[2 + d];
    const int64_t effective = (k - 1) * dl + 1;
    /* A pad as wide as the window only adds outputs that see no input: refused, which also
     * bounds the output size by the input's. */
    if (pb >= effective || pe >= effective) {
      return ox_unsupported(p, "pads (%lld, %lld) not smaller than the window (%lld)",
          (long long) pb, (long long) pe, (long long) effective);
    }
    int64_t o = -1;
    if (strcmp(auto_pad, "NOTSET") == 0 || strcmp(auto_pad, "VALID") == 0) {
      if (auto_pad[0] == 'V') pb = pe = 0;
      if (in >= 0) {
        if (in + pb + pe < effective) return ox_invalid(p, "window larger than the padded input");
        o = (in + pb + pe - effective) / s + 1;
      }
    } else if (strcmp(auto_pad, "SAME_UPPER") == 0 || strcmp(auto_pad, "SAME_LOWER") == 0) {
      if (in >= 0) {
        o = (in + s - 1) / s;
        const int64_t needed = (o - 1) * s + effective;
        const int64_t total = needed > in ? needed - in : 0;
        pb = auto_pad[5] == 'U' ? total / 2 : total - total / 2;
        pe = total - pb;
      }
    } else {
      return ox_invalid(p, "auto_pad '%s'", auto_pad);
    }
    out->dims[2 + d] = o;
    w->kernel[d + off] = (uint32_t) k;
    w->stride[d + off] = (uint32_t) s;
    w->dilation[d + off] = (uint32_t) dl;
    w->pad_begin[d + off] = (uint32_t) pb;
    w->pad_end[d + off] = (uint32_t) pe;
  }
  return pqnn_status_success;
}

const struct ox_node* ox_sole_consumer(struct ox_pass* p, const struct ox_tensor* t,
    size_t* index_out) {
  if (t->consumers != 1 || t->graph_output >= 0) return NULL;
  const int ti = (int) (t - p->t);
  for (size_t k = (size_t) (p->node - p->m->nodes) + 1; k < p->m->num_nodes; k++) {
    const struct ox_node* n = &p->m->nodes[k];
    for (size_t i = 0; i < n->num_inputs; i++) {
      if (n->inputs[i] == ti) {
        *index_out = k;
        return n;
      }
    }
  }
  return NULL;
}

/* BatchNormalization's per-channel scale s and shift b (y = x * s + b), or false. */
static bool batch_norm_params(struct ox_pass* p, const struct ox_node* bn, int64_t channels,
    float** scale, float** shift, enum pqnn_status* status) {
  *status = pqnn_status_success;
  if (bn->num_inputs != 5) return false;
  const struct ox_tensor* prm[4];
  for (int k = 0; k < 4; k++) {
    if (bn->inputs[k + 1] < 0) return false;
    prm[k] = &p->t[bn->inputs[k + 1]];
    int64_t n;
    if (!prm[k]->is_const || prm[k]->f == NULL || !ox_elements(prm[k], &n) || n != channels) {
      return false;
    }
  }
  float epsilon = 1e-5f;
  for (size_t k = 0; k < bn->proto->n_attribute; k++) {
    const Onnx__AttributeProto* a = bn->proto->attribute[k];
    if (a->name != NULL && strcmp(a->name, "epsilon") == 0 && a->has_f) epsilon = a->f;
    if (a->name != NULL && strcmp(a->name, "training_mode") == 0 && a->has_i && a->i != 0) return false;
  }
  if (!(epsilon >= 0.0f) || !isfinite(epsilon)) return false;
  *scale = ox_pass_alloc(p, (size_t) channels, sizeof(float));
  *shift = ox_pass_alloc(p, (size_t) channels, sizeof(float));
  if (*scale == NULL || *shift == NULL) {
    *status = pqnn_status_out_of_memory;
    return false;
  }
  for (int64_t c = 0; c < channels; c++) {
    const double s = (double) prm[0]->f[c] / sqrt((double) prm[3]->f[c] + (double) epsilon);
    (*scale)[c] = (float) s;
    (*shift)[c] = (float) ((double) prm[1]->f[c] - (double) prm[2]->f[c] * s);
  }
  return true;
}

/* A 1x1 depthwise conv: y[c] = x[c] * scale[c] + shift[c] (shift may be NULL). */
static enum pqnn_status emit_channel_affine(struct ox_pass* p, struct ox_tensor* x,
    struct ox_tensor* y, int64_t channels, const float* scale, const float* shift) {
  uint32_t in_id;
  enum pqnn_status status = ox_channels_last_id(p, x, &in_id);
  if (status != pqnn_status_success) return status;
  status = ox_like(p, x, y, true);
  if (status != pqnn_status_success || !ox_emitting(p)) return status;
  const size_t wdims[4] = {1, 1, 1, (size_t) channels};
  const size_t bdims[1] = {(size_t) channels};
  uint32_t w_id, b_id = PQNN_INVALID_VALUE_ID;
  status = ox_define_static(p, 4, wdims, scale, &w_id);
  if (status == pqnn_status_success && shift != NULL) status = ox_define_static(p, 1, bdims, shift, &b_id);
  if (status == pqnn_status_success) {
    status = pqnn_define_depthwise_convolution_2d(p->sg, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1,
        (size_t) channels, -INFINITY, INFINITY, in_id, w_id, b_id, y->id, 0);
  }
  if (status != pqnn_status_success) return ox_unsupported(p, "the runtime refused it (%s)", pqnn_status_string(status));
  return pqnn_status_success;
}

/* The per-channel constant operand of a Mul/Div/Add/Sub node reading `y` (channels in
 * axis `axis` of a rank-`rank` tensor), or NULL. *count_out: 1 (scalar) or channels. */
static const float* channel_operand(const struct ox_pass* p, const struct ox_node* n,
    const struct ox_tensor* y, int64_t channels, int rank, int axis, size_t* count_out) {
  const int yi = (int) (y - p->t);
  if (n->num_inputs != 2 || n->inputs[0] < 0 || n->inputs[1] < 0) return NULL;
  const bool y_first = n->inputs[0] == yi;
  if (!y_first && n->inputs[1] != yi) return NULL;
  const struct ox_tensor* c = &p->t[n->inputs[y_first ? 1 : 0]];
  /* x - c and x / c fold; c - x and c / x do not. */
  if (!y_first && (strcmp(n->proto->op_type, "Sub") == 0 || strcmp(n->proto->op_type, "Div") == 0)) {
    return NULL;
  }
  int64_t count;
  if (!c->is_const || c->f == NULL || c->rank > rank || !ox_elements(c, &count) ||
      (count != 1 && count != channels)) {
    return NULL;
  }
  for (int d = 0; d < c->rank; d++) {
    if (c->dims[d] != 1 && d + rank - c->rank != axis) return NULL;
  }
  if (strcmp(n->proto->op_type, "Div") == 0) {
    for (int64_t k = 0; k < count; k++) {
      if (c->f[k] == 0.0f) return NULL;
    }
  }
  *count_out = (size_t) count;
  return c->f;
}

/* ox_fold_affine_chain; with shifts_only, only the Add / Sub nodes fold (the chain stops at
 * the first Mul, Div or BatchNormalization), and none under ox_literal_rounding: the caller
 * gets unit scales and zero shifts. */
static enum pqnn_status fold_chain(struct ox_pass* p, int64_t channels, int rank, int axis,
    bool shifts_only, struct ox_tensor** y_inout, float** scale_out, float** shift_out) {
  float* scale = ox_pass_alloc(p, (size_t) channels, sizeof(float));
  float* shift = ox_pass_alloc(p, (size_t) channels, sizeof(float));
  if (scale == NULL || shift == NULL) return pqnn_status_out_of_memory;
  for (int64_t c = 0; c < channels; c++) {
    scale[c] = 1.0f;
    shift[c] = 0.0f;
  }
  *scale_out = scale;
  *shift_out = shift;
  for (;;) {
    struct ox_tensor* y = *y_inout;
    size_t index = 0;
    const struct ox_node* n = ox_sole_consumer(p, y, &index);
    if (n == NULL || (n->proto->domain != NULL && n->proto->domain[0] != '\0') ||
        n->num_outputs < 1 || n->outputs[0] < 0) {
      return pqnn_status_success;
    }
    const char* op = n->proto->op_type;
    size_t count = 0;
    const float* v = NULL;
    float *bn_scale = NULL, *bn_shift = NULL;
    enum pqnn_status status = pqnn_status_success;
    if (shifts_only &&
        (ox_literal_rounding(p) || (strcmp(op, "Add") != 0 && strcmp(op, "Sub") != 0))) {
      return pqnn_status_success;
    }
    if (strcmp(op, "BatchNormalization") == 0 && axis == 1 && n->inputs[0] == (int) (y - p->t) &&
        batch_norm_params(p, n, channels, &bn_scale, &bn_shift, &status)) {
      for (int64_t c = 0; c < channels; c++) {
        scale[c] *= bn_scale[c];
        shift[c] = shift[c] * bn_scale[c] + bn_shift[c];
      }
    } else if (status != pqnn_status_success) {
      return status;
    } else if ((strcmp(op, "Mul") == 0 || strcmp(op, "Div") == 0 || strcmp(op, "Add") == 0 ||
                strcmp(op, "Sub") == 0) &&
               (v = channel_operand(p, n, y, channels, rank, axis, &count)) != NULL) {
      for (int64_t c = 0; c < channels; c++) {
        const float k = v[count == 1 ? 0 : c];
        switch (op[0]) {
          case 'M': scale[c] *= k; shift[c] *= k; break;
          case 'D': scale[c] /= k; shift[c] /= k; break;
          case 'A': shift[c] += k; break;
          default: shift[c] -= k; break;
        }
      }
    } else {
      return pqnn_status_success;
    }
    p->absorbed[index] = true;
    *y_inout = &p->t[n->outputs[0]];
  }
}

enum pqnn_status ox_fold_affine_chain(struct ox_pass* p, int64_t channels, int rank, int axis,
    struct ox_tensor** y_inout, float** scale_out, float** shift_out) {
  return fold_chain(p, channels, rank, axis, false, y_inout, scale_out, shift_out);
}

enum pqnn_status ox_lower_conv(struct ox_pass* p) {
  struct ox_tensor *x, *w, *b = NULL;
  enum pqnn_status status = ox_input(p, 0, &x);
  if (status == pqnn_status_success) status = ox_input(p, 1, &w);
  if (status != pqnn_status_success) return status;
  if (p->node->num_inputs > 2 && p->node->inputs[2] >= 0) b = &p->t[p->node->inputs[2]];
  if (x->rank != 3 && x->rank != 4) return ox_unsupported(p, "only 1-D and 2-D Conv");
  if (!w->is_const || w->f == NULL || w->rank != x->rank) {
    return ox_unsupported(p, "weights must be a float constant of rank %d", x->rank);
  }
  int64_t groups;
  status = ox_attr_int(p, "group", 1, &groups);
  if (status != pqnn_status_success) return status;
  const int64_t cout = w->dims[0], cin_g = w->dims[1], cin = x->dims[1];
  if (groups < 1 || cout < 1 || cin_g < 1 || cout % groups != 0 ||
      (cin >= 0 && cin != cin_g * groups)) {
    return ox_invalid(p, "weights [%lld, %lld, ...] do not fit %lld input channels in %lld groups",
        (long long) cout, (long long) cin_g, (long long) cin, (long long) groups);
  }
  int64_t nb;
  if (b != NULL && (!b->is_const || b->f == NULL || !ox_elements(b, &nb) || nb != cout)) {
    return ox_unsupported(p, "bias must be a float constant [%lld]", (long long) cout);
  }
  struct window win;
  struct ox_tensor* y = ox_output(p, 0);
  if (y == NULL) return ox_invalid(p, "no output");
  struct ox_tensor shape = {.rank = x->rank};
  status = read_window(p, x, &w->dims[2], &win, &shape);
  if (status != pqnn_status_success) return status;
  uint32_t in_id;
  status = ox_channels_last_id(p, x, &in_id);
  if (status != pqnn_status_success) return status;

  /* BatchNormalization and per-channel scale / shift right after fold in. */
  float *fold_scale = NULL, *fold_shift = NULL;
  status = ox_fold_affine_chain(p, cout, x->rank, 1, &y, &fold_scale, &fold_shift);
  if (status != pqnn_status_success) return status;

  shape.dims[0] = x->dims[0];
  shape.dims[1] = cout;
  ox_set_shape(y, shape.rank, shape.dims);
  y->channels_last = true;
  status = ox_define_activation(p, y);
  if (status != pqnn_status_success || !ox_emitting(p)) return status;

  /* Weights: ONNX [Cout][Cin/g][kh][kw] -> pqnn [Cout][kh][kw][Cin/g], or depthwise
   * [1][kh][kw][Cout] (output channel c * multiplier + m in both). */
  const bool depthwise = groups > 1 && cin_g == 1 && groups == cin;
  const size_t kh = win.kernel[0], kw = win.kernel[1];
  float* filter = ox_pass_alloc(p, (size_t) cout * (size_t) cin_g * kh * kw, sizeof(float));
  float* bias = ox_pass_alloc(p, (size_t) cout, sizeof(float));
  if (filter == NULL || bias == NULL) return pqnn_status_out_of_memory;
  for (int64_t o = 0; o < cout; o++) {
    const float s = fold_scale[o];
    bias[o] = (b != NULL ? b->f[o] : 0.0f) * s + fold_shift[o];
    for (int64_t i = 0; i < cin_g; i++) {
      for (size_t r = 0; r < kh * kw; r++) {
        const float v = w->f[((size_t) o * (size_t) cin_g + (size_t) i) * kh * kw + r] * s;
        if (depthwise) {
          filter[r * (size_t) cout + (size_t) o] = v;
        } else {
          filter[((size_t) o * kh * kw + r) * (size_t) cin_g + (size_t) i] = v;
        }
      }
    }
  }
  uint32_t w_id, b_id;
  const size_t bdims[1] = {(size_t) cout};
  const size_t wdims[4] = {depthwise ? 1 : (size_t) cout, kh, kw,
                           depthwise ? (size_t) cout : (size_t) cin_g};
  /* A pointwise conv (1x1, stride 1, no padding, one group) is a fully connected layer over
   * the pixels in NHWC: the same GEMM, and under dynamic quantization each pixel gets its own
   * quantization params (a conv's input is quantized per image). */
  const bool pointwise = groups == 1 && kh == 1 && kw == 1 && win.stride[0] == 1 &&
      win.stride[1] == 1 && win.pad_begin[0] == 0 && win.pad_begin[1] == 0 &&
      win.pad_end[0] == 0 && win.pad_end[1] == 0;
  const size_t fc_dims[2] = {(size_t) cout, (size_t) cin_g};
  status = ox_define_static(p, pointwise ? 2 : 4, pointwise ? fc_dims : wdims, filter, &w_id);
  if (status == pqnn_status_success) status = ox_define_static(p, 1, bdims, bias, &b_id);
  if (status == pqnn_status_success) {
    if (pointwise) {
      status = pqnn_define_fully_connected(p->sg, -INFINITY, INFINITY, in_id, w_id, b_id, y->id,
          0);
    } else if (depthwise) {
      status = pqnn_define_depthwise_convolution_2d(p->sg, win.pad_begin[0], win.pad_end[1],
          win.pad_end[0], win.pad_begin[1], win.kernel[0], win.kernel[1], win.stride[0],
          win.stride[1], win.dilation[0], win.dilation[1], (uint32_t) (cout / cin),
          (size_t) cin, -INFINITY, INFINITY, in_id, w_id, b_id, y->id, 0);
    } else {
      status = pqnn_define_convolution_2d(p->sg, win.pad_begin[0], win.pad_end[1],
          win.pad_end[0], win.pad_begin[1], win.kernel[0], win.kernel[1], win.stride[0],
          win.stride[1], win.dilation[0], win.dilation[1], (uint32_t) groups, (size_t) cin_g,
          (size_t) (cout / groups), -INFINITY, INFINITY, in_id, w_id, b_id, y->id, 0);
    }
  }
  if (status != pqnn_status_success) {
    return ox_unsupported(p, "the runtime refused the convolution (%s)", pqnn_status_string(status));
  }
  return pqnn_status_success;
}

enum pqnn_status ox_lower_batch_norm(struct ox_pass* p) {
  struct ox_tensor *x, *y;
  enum pqnn_status status = ox_io(p, &x, &y);
  if (status != pqnn_status_success) return status;
  if (x->rank != 3 && x->rank != 4) return ox_unsupported(p, "only rank 3 and 4 inputs");
  const int64_t channels = x->dims[1];
  if (channels < 0) {  /* listing before the shapes are set */
    return ox_like(p, x, y, true);
  }
  float *scale = NULL, *shift = NULL;
  if (!batch_norm_params(p, p->node, channels, &scale, &shift, &status)) {
    if (status != pqnn_status_success) return status;
    return ox_unsupported(p, "needs constant float scale/B/mean/var of %lld channels, inference mode",
        (long long) channels);
  }
  /* Constant Add / Sub nodes right after fold into its bias (not under f16 inference). */
  float *unit = NULL, *fold_shift = NULL;
  status = fold_chain(p, channels, x->rank, 1, true, &y, &unit, &fold_shift);
  if (status != pqnn_status_success) return status;
  for (int64_t c = 0; c < channels; c++) shift[c] += fold_shift[c];
  return emit_channel_affine(p, x, y, channels, scale, shift);
}

enum pqnn_status ox_lower_channel_scale(struct ox_pass* p, bool divide) {
  struct ox_tensor *a, *b;
  enum pqnn_status status = ox_input(p, 0, &a);
  if (status == pqnn_status_success) status = ox_input(p, 1, &b);
  if (status != pqnn_status_success) return status;
  struct ox_tensor* y = ox_output(p, 0);
  if (y == NULL) return ox_invalid(p, "no output");
  if (!a->is_const && !b->is_const) {
    return ox_unsupported(p, "%s of two activations needs a new node type",
        divide ? "Div" : "Mul");
  }
  if (a->is_const) {
    if (divide) return ox_unsupported(p, "constant divided by an activation");
    struct ox_tensor* t = a;
    a = b;
    b = t;
  }
  if (b->f == NULL) return ox_unsupported(p, "integer constant operand");
  if (a->rank != 3 && a->rank != 4) {
    return ox_unsupported(p, "scaling a rank-%d tensor needs a multiply node", a->rank);
  }
  const int64_t channels = a->dims[1];
  /* The constant must vary along the channel axis only (or be a scalar). */
  int64_t n;
  if (!ox_elements(b, &n) || b->rank > a->rank) return ox_unsupported(p, "bad constant operand");
  for (int d = 0; d < b->rank; d++) {
    const int ad = d + a->rank - b->rank;
    if (b->dims[d] != 1 && ad != 1) {
      return ox_unsupported(p, "constant varies along a non-channel axis: needs a multiply node");
    }
  }
  if (channels < 0) {
    return ox_like(p, a, y, true);
  }
  if (n != 1 && n != channels) return ox_invalid(p, "constant does not broadcast");
  /* Constant Add / Sub nodes right after fold into the depthwise conv's bias: the learnable
   * affine block x * s + b is one node. Only shifts: a following Mul / Div stays a node of
   * its own, as ONNX Runtime rounds it (folding x / 6 * s, det's hardswish then affine
   * block, into one scale moved det's f16 output off ORT's, docs/onnx.md). Under f16
   * inference nothing folds (fold_chain). */
  float *scale = NULL, *shift = NULL;
  status = fold_chain(p, channels, a->rank, 1, true, &y, &scale, &shift);
  if (status != pqnn_status_success) return status;
  bool has_shift = false;
  for (int64_t c = 0; c < channels; c++) {
    const float v = b->f[n == 1 ? 0 : c];
    scale[c] *= divide ? 1.0f / v : v;
    has_shift = has_shift || shift[c] != 0.0f;
  }
  return emit_channel_affine(p, a, y, channels, scale, has_shift ? shift : NULL);
}

/* A pool's NHWC input id and its output y (ONNX dims 2.. from shape) defined. */
static enum pqnn_status pool_io(struct ox_pass* p, struct ox_tensor* x, struct ox_tensor* y,
    struct ox_tensor* shape, uint32_t* in_id) {
  enum pqnn_status status = ox_channels_last_id(p, x, in_id);
  if (status != pqnn_status_success) return status;
  shape->dims[0] = x->dims[0];
  shape->dims[1] = x->dims[1];
  ox_set_shape(y, shape->rank, shape->dims);
  y->channels_last = true;
  return ox_define_activation(p, y);
}

enum pqnn_status ox_lower_max_pool(struct ox_pass* p) {
  struct ox_tensor *x, *y;
  enum pqnn_status status = ox_io(p, &x, &y);
  if (status != pqnn_status_success) return status;
  if (x->rank != 3 && x->rank != 4) return ox_unsupported(p, "only 1-D and 2-D MaxPool");
  int64_t ceil_mode, storage_order;
  status = ox_attr_int(p, "ceil_mode", 0, &ceil_mode);
  if (status == pqnn_status_success) status = ox_attr_int(p, "storage_order", 0, &storage_order);
  if (status != pqnn_status_success) return status;
  struct window win;
  struct ox_tensor shape = {.rank = x->rank};
  status = read_window(p, x, NULL, &win, &shape);
  if (status != pqnn_status_success) return status;
  char auto_pad[16];
  status = ox_attr_string(p, "auto_pad", "NOTSET", auto_pad, sizeof(auto_pad));
  if (status != pqnn_status_success) return status;
  if (ceil_mode != 0 && strncmp(auto_pad, "SAME", 4) != 0) {
    /* The output size rounded up, less a last window that would start in the end padding
     * (ONNX Runtime's rule, as AveragePool's): the extra windows are the floor-mode ones
     * of a wider end padding, which max pooling never reads (the taps inside the input
     * only), so that padding grows by what they need, less than the window. */
    for (int d = 0; d < x->rank - 2; d++) {
      const int k = d + (x->rank == 3 ? 1 : 0);
      const int64_t in = x->dims[2 + d];
      if (in < 0) continue;
      const int64_t s = win.stride[k], pb = win.pad_begin[k];
      const int64_t effective = (int64_t) (win.kernel[k] - 1) * win.dilation[k] + 1;
      const int64_t span = in + pb + win.pad_end[k] - effective;
      int64_t o = (span + s - 1) / s + 1;
      if ((o - 1) * s >= in + pb) o--;
      const int64_t end = (o - 1) * s + effective - in - pb;
      if (end > (int64_t) win.pad_end[k]) win.pad_end[k] = (uint32_t) end;
      shape.dims[2 + d] = o;
    }
  }
  uint32_t in_id;
  status = pool_io(p, x, y, &shape, &in_id);
  if (status != pqnn_status_success || !ox_emitting(p)) return status;
  status = pqnn_define_max_pooling_2d(p->sg, win.pad_begin[0], win.pad_end[1], win.pad_end[0],
      win.pad_begin[1], win.kernel[0], win.kernel[1], win.stride[0], win.stride[1],
      win.dilation[0], win.dilation[1], -INFINITY, INFINITY, in_id, y->id, 0);
  if (status != pqnn_status_success) {
    return ox_unsupported(p, "the runtime refused the pooling (%s)", pqnn_status_string(status));
  }
  return pqnn_status_success;
}

enum pqnn_status ox_lower_global_average_pool(struct ox_pass* p) {
  struct ox_tensor *x, *y;
  enum pqnn_status status = ox_io(p, &x, &y);
  if (status != pqnn_status_success) return status;
  if (x->rank != 3 && x->rank != 4) return ox_unsupported(p, "only rank 3 and 4 inputs");
  uint32_t in_id;
  status = ox_channels_last_id(p, x, &in_id);
  if (status != pqnn_status_success) return status;
  int64_t dims[4] = {x->dims[0], x->dims[1], 1, 1};
  ox_set_shape(y, x->rank, dims);
  y->channels_last = true;
  status = ox_define_activation(p, y);
  if (status != pqnn_status_success || !ox_emitting(p)) return status;
  status = pqnn_define_global_average_pooling_2d(p->sg, -INFINITY, INFINITY, in_id, y->id, 0);
  if (status != pqnn_status_success) {
    return ox_unsupported(p, "the runtime refused the pooling (%s)", pqnn_status_string(status));
  }
  return pqnn_status_success;
}

/* AveragePool (1-D and 2-D): count_include_pad and ceil_mode map to node flags. */
enum pqnn_status ox_lower_average_pool(struct ox_pass* p) {
  struct ox_tensor *x, *y;
  enum pqnn_status status = ox_io(p, &x, &y);
  if (status != pqnn_status_success) return status;
  if (x->rank != 3 && x->rank != 4) return ox_unsupported(p, "only 1-D and 2-D AveragePool");
  int64_t ceil_mode, include_pad;
  status = ox_attr_int(p, "ceil_mode", 0, &ceil_mode);
  if (status == pqnn_status_success) status = ox_attr_int(p, "count_include_pad", 0, &include_pad);
  if (status != pqnn_status_success) return status;
  struct window win;
  struct ox_tensor shape = {.rank = x->rank};
  status = read_window(p, x, NULL, &win, &shape);
  if (status != pqnn_status_success) return status;
  const int off = x->rank == 3 ? 1 : 0;
  for (int d = 0; d < x->rank - 2; d++) {
    if (win.dilation[d + off] != 1) return ox_unsupported(p, "dilated AveragePool");
    const int64_t in = x->dims[2 + d];
    if (ceil_mode == 0 || in < 0) continue;
    const int64_t s = win.stride[d + off], pb = win.pad_begin[d + off];
    const int64_t span = in + pb + win.pad_end[d + off] - win.kernel[d + off];
    int64_t o = (span + s - 1) / s + 1;
    if ((o - 1) * s >= in + pb) o--;
    shape.dims[2 + d] = o;
  }
  uint32_t in_id;
  status = pool_io(p, x, y, &shape, &in_id);
  if (status != pqnn_status_success || !ox_emitting(p)) return status;
  const uint32_t flags = (ceil_mode != 0 ? PQNN_FLAG_CEIL_MODE : 0) |
                         (include_pad != 0 ? PQNN_FLAG_COUNT_INCLUDE_PAD : 0);
  status = pqnn_define_average_pooling_2d(p->sg, win.pad_begin[0], win.pad_end[1],
      win.pad_end[0], win.pad_begin[1], win.kernel[0], win.kernel[1], win.stride[0],
      win.stride[1], -INFINITY, INFINITY, in_id, y->id, flags);
  if (status != pqnn_status_success) {
    return ox_unsupported(p, "the runtime refused the pooling (%s)", pqnn_status_string(status));
  }
  return pqnn_status_success;
}
