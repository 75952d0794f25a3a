/* LSTM and GRU (ONNX, layout 0: X [seq][batch][input]) unrolled over their static
 * sequence into existing nodes, per direction (forward, reverse, or both):
 *   XW = X W^T + bias                            one fully connected node over every step
 *                                                (LSTM: Wb + Rb; GRU: Wb, and Rb of z, r)
 *   per step t (in the direction's order), from XW[t] (a slice) and the state:
 *   LSTM  g = XW[t] + H R^T; i, o, f, c = split(g)          (ONNX's gate order)
 *         C = sigmoid(f) * C + sigmoid(i) * tanh(c); H = sigmoid(o) * tanh(C)
 *   GRU   xz, xr, xh = split(XW[t]); z = sigmoid(xz + H Rz^T); r = sigmoid(xr + H Rr^T)
 *         h = tanh(xh + r * (H Rh^T + Rbh))  (linear_before_reset = 1, PyTorch's)
 *         h = tanh(xh + (r * H) Rh^T + Rbh)  (linear_before_reset = 0)
 *         H = (1 - z) * h + z * H
 *   From a zero state the H R^T products are left out (their biases kept).
 *   Y = the steps' H in time order [seq][dirs][batch][hidden], Y_h / Y_c the last step's.
 * The default activations only (LSTM: Sigmoid, Tanh, Tanh; GRU: Sigmoid, Tanh); no clip,
 * input_forget, peepholes or per-batch sequence lengths (sequence_lens absent or all equal
 * to seq); initial states absent, constant zeros, or activations. Every output optional;
 * only the ones read are built. */
#include <math.h>
#include <string.h>

#include "onnx/internal.h"

enum { kMaxSteps = 4096 };

/* Each step's fully connected node packs R when the runtime is created (the runtime then
 * keeps one copy: src/runtime/runtime-weights.c): refused above this many bytes packed in
 * all, which bounds the creation time. */
#define MAX_PACKED_R_BYTES (INT64_C(1) << 30)

/* out (model order, shaped here: rank 3 with dims d0, d1, d2) as a temporary activation. */
static enum pqnn_status temp3(struct ox_pass* p, int64_t d0, int64_t d1, int64_t d2,
    struct ox_tensor* out) {
  ox_temporary(out);
  const int64_t dims[3] = {d0, d1, d2};
  ox_set_shape(out, 3, dims);
  out->channels_last = false;
  return ox_define_activation(p, out);
}

/* out = in [a][b][k] times w^T ([n][k], pass memory) plus bias ([n] or NULL): [a][b][n]. */
static enum pqnn_status emit_fc(struct ox_pass* p, uint32_t in_id, int64_t a, int64_t b,
    int64_t k, int64_t n, const float* w, const float* bias, struct ox_tensor* out) {
  enum pqnn_status status = temp3(p, a, b, n, out);
  if (status != pqnn_status_success || !ox_emitting(p)) return status;
  uint32_t w_id, b_id = PQNN_INVALID_VALUE_ID;
  const size_t wdims[2] = {(size_t) n, (size_t) k}, bdims[1] = {(size_t) n};
  status = ox_define_static(p, 2, wdims, w, &w_id);
  if (status == pqnn_status_success && bias != NULL) {
    status = ox_define_static(p, 1, bdims, bias, &b_id);
  }
  if (status != pqnn_status_success) return status;
  return ox_refused(p, pqnn_define_fully_connected(p->sg, -INFINITY, INFINITY, in_id, w_id, b_id,
      out->id, 0));
}

/* out = in[offset : offset + 1] along axis 0 of a [.][b][n] value: [1][b][n]. */
static enum pqnn_status emit_step(struct ox_pass* p, uint32_t in_id, int64_t offset, int64_t b,
    int64_t n, struct ox_tensor* out) {
  enum pqnn_status status = temp3(p, 1, b, n, out);
  if (status != pqnn_status_success || !ox_emitting(p)) return status;
  const size_t offsets[3] = {(size_t) offset, 0, 0}, sizes[3] = {1, (size_t) b, (size_t) n};
  return ox_refused(p, pqnn_define_static_slice(p->sg, 3, offsets, sizes, NULL, in_id, out->id, 0));
}

/* Concatenation along axis 0 of count values [extents[i]][batch][hidden] into out_id
 * (already defined), in groups of at most PQNN_MAX_CONCAT_INPUTS: each group into a
 * temporary, then those (recursively; the last group of a level may be shorter). */
static enum pqnn_status emit_concat(struct ox_pass* p, const uint32_t* ids,
    const size_t* extents, size_t count, int64_t batch, int64_t hidden, uint32_t out_id) {
  if (count <= PQNN_MAX_CONCAT_INPUTS) {
    return ox_refused(p, pqnn_define_concatenate(p->sg, 0, count, ids, out_id, 0));
  }
  enum { kMaxParts = PQNN_MAX_CONCAT_INPUTS * PQNN_MAX_CONCAT_INPUTS };
  const size_t groups = (count + PQNN_MAX_CONCAT_INPUTS - 1) / PQNN_MAX_CONCAT_INPUTS;
  uint32_t parts[kMaxParts];
  size_t part_extents[kMaxParts];
  if (groups > kMaxParts) return ox_unsupported(p, "too many steps");
  for (size_t g = 0; g < groups; g++) {
    const size_t first = g * PQNN_MAX_CONCAT_INPUTS;
    const size_t left = count - first;
    const size_t n = left < PQNN_MAX_CONCAT_INPUTS ? left : PQNN_MAX_CONCAT_INPUTS;
    part_extents[g] = 0;
    for (size_t i = first; i < first + n; i++) part_extents[g] += extents[i];
    const size_t dims[3] = {part_extents[g], (size_t) batch, (size_t) hidden};
    enum pqnn_status status = ox_define_temporary(p, 3, dims, &parts[g]);
    if (status == pqnn_status_success) {
      status = ox_refused(p, pqnn_define_concatenate(p->sg, 0, n, ids + first, parts[g], 0));
    }
    if (status != pqnn_status_success) return status;
  }
  return emit_concat(p, parts, part_extents, groups, batch, hidden, out_id);
}

/* Whether the optional input k is absent (or an empty name). */
static bool absent(const struct ox_pass* p, size_t k) {
  return k >= p->node->num_inputs || p->node->inputs[k] < 0;
}

/* Whether output k is built: present and read by a node or the graph. */
static struct ox_tensor* wanted(struct ox_pass* p, size_t k) {
  struct ox_tensor* t = ox_output(p, k);
  return t != NULL && (t->consumers > 0 || t->graph_output >= 0) ? t : NULL;
}

/* The attributes and operands pqnn does not take: a reason, or NULL. */
static const char* unsupported_form(struct ox_pass* p, bool gru, int64_t dirs, int64_t seq) {
  int64_t input_forget, layout;
  float clip;
  if (ox_attr_int(p, "input_forget", 0, &input_forget) != pqnn_status_success ||
      ox_attr_int(p, "layout", 0, &layout) != pqnn_status_success ||
      ox_attr_float(p, "clip", 0.0f, &clip) != pqnn_status_success) {
    return "an attribute of the wrong type";
  }
  if (input_forget != 0) return "input_forget = 1";
  if (layout != 0) return "layout = 1 (batch first)";
  if (ox_attr(p->node, "clip") != NULL) return "clip";
  if (!gru && !absent(p, 7)) return "peephole weights (P)";
  const Onnx__AttributeProto* acts = ox_attr(p->node, "activations");
  if (acts != NULL) {
    static const char* const kDefault[3] = {"Sigmoid", "Tanh", "Tanh"};
    const size_t per_dir = gru ? 2 : 3;
    if (acts->n_strings != per_dir * (size_t) dirs) return "activations other than the default";
    for (size_t i = 0; i < acts->n_strings; i++) {
      const char* want = kDefault[i % per_dir];
      if (acts->strings[i].len != strlen(want) ||
          memcmp(acts->strings[i].data, want, strlen(want)) != 0) {
        return "activations other than Sigmoid, Tanh, Tanh";
      }
    }
  }
  if (!absent(p, 4) && seq >= 0) {
    const struct ox_tensor* lens = &p->t[p->node->inputs[4]];
    int64_t n;
    if (!lens->is_const || lens->i == NULL || !ox_elements(lens, &n)) {
      return "sequence_lens that is not a constant";
    }
    for (int64_t b = 0; b < n; b++) {
      if (lens->i[b] != seq) return "sequence_lens shorter than the sequence";
    }
  }
  for (size_t k = 5; k <= (gru ? 5u : 6u); k++) {
    if (absent(p, k)) continue;
    const struct ox_tensor* s = &p->t[p->node->inputs[k]];
    if (!s->is_const) continue;
    int64_t n;
    if (s->f == NULL || !ox_elements(s, &n)) return "an initial state that is not float";
    for (int64_t i = 0; i < n; i++) {
      if (s->f[i] != 0.0f) return "a constant initial state other than zeros";
    }
  }
  return NULL;
}

/* The n gates' pre-activations of g [1][batch][n * hidden] (LSTM: i, o, f, c; GRU: z, r, h
 * or z, r: ONNX's order). */
static enum pqnn_status emit_gates(struct ox_pass* p, const struct ox_tensor* g, size_t n,
    int64_t batch, int64_t hidden, struct ox_tensor* gate) {
  uint32_t ids[4];
  for (size_t k = 0; k < n; k++) {
    const enum pqnn_status status = temp3(p, 1, batch, hidden, &gate[k]);
    if (status != pqnn_status_success) return status;
    ids[k] = gate[k].id;
  }
  if (!ox_emitting(p)) return pqnn_status_success;
  return ox_refused(p, pqnn_define_split(p->sg, 2, g->id, n, ids, 0));
}

/* out = op(in) / a op b, out a temporary of the step. */
static enum pqnn_status unary(struct ox_pass* p, enum pqnn_unary_operator op,
    struct ox_tensor* in, struct ox_tensor* out) {
  ox_temporary(out);
  return ox_emit_unary(p, op, NULL, in, out);
}

static enum pqnn_status binary(struct ox_pass* p, enum pqnn_binary_operator op,
    struct ox_tensor* a, struct ox_tensor* b, struct ox_tensor* out) {
  ox_temporary(out);
  return ox_emit_binary(p, op, a, b, out);
}

/* One cell from its gates: C = sigmoid(f) * c_prev + sigmoid(i) * tanh(c) (c_prev NULL: a
 * zero state, C = sigmoid(i) * tanh(c)), H = sigmoid(o) * tanh(C). */
static enum pqnn_status emit_cell(struct ox_pass* p, struct ox_tensor* gate,
    struct ox_tensor* c_prev, struct ox_tensor* c_new, struct ox_tensor* h_new) {
  struct ox_tensor ig, og, cg, ic, fg, fc, tc;
  enum pqnn_status status = unary(p, pqnn_unary_sigmoid, &gate[0], &ig);
  if (status == pqnn_status_success) status = unary(p, pqnn_unary_sigmoid, &gate[1], &og);
  if (status == pqnn_status_success) status = unary(p, pqnn_unary_tanh, &gate[3], &cg);
  if (c_prev == NULL) {
    if (status == pqnn_status_success) status = binary(p, pqnn_binary_multiply, &ig, &cg, c_new);
  } else {
    if (status == pqnn_status_success) status = binary(p, pqnn_binary_multiply, &ig, &cg, &ic);
    if (status == pqnn_status_success) status = unary(p, pqnn_unary_sigmoid, &gate[2], &fg);
    if (status == pqnn_status_success) status = binary(p, pqnn_binary_multiply, &fg, c_prev, &fc);
    if (status == pqnn_status_success) status = binary(p, pqnn_binary_add, &fc, &ic, c_new);
  }
  if (status == pqnn_status_success) status = unary(p, pqnn_unary_tanh, c_new, &tc);
  if (status == pqnn_status_success) status = binary(p, pqnn_binary_multiply, &og, &tc, h_new);
  return status;
}

/* What the steps of one direction read. */
struct cell {
  bool gru, lbr;              /* GRU and its linear_before_reset */
  int64_t batch, hidden;
  const float* r;             /* the direction's R [gates * hidden][hidden] (pass memory) */
  const float* rb_h;          /* GRU: the direction's Rb of gate h [hidden], or NULL */
};

/* A [hidden] constant vector (broadcast along the last axis). */
static struct ox_tensor vector_constant(const float* data, int64_t n) {
  struct ox_tensor c = ox_scalar_constant(NULL);
  c.rank = 1;
  c.dims[0] = n;
  c.f = data;
  return c;
}

/* One LSTM step from XW[t] (xw) and the state (h_prev / c_prev NULL: zero). */
static enum pqnn_status lstm_step(struct ox_pass* p, const struct cell* c, struct ox_tensor* xw,
    struct ox_tensor* h_prev, struct ox_tensor* c_prev, struct ox_tensor* h_new,
    struct ox_tensor* c_new) {
  const int64_t hidden = c->hidden;
  struct ox_tensor hr, g, gate[4];
  struct ox_tensor* pre = xw;
  enum pqnn_status status = pqnn_status_success;
  if (h_prev != NULL) {
    status = emit_fc(p, h_prev->id, 1, c->batch, hidden, 4 * hidden, c->r, NULL, &hr);
    if (status == pqnn_status_success) status = binary(p, pqnn_binary_add, xw, &hr, &g);
    pre = &g;
  }
  if (status == pqnn_status_success) status = emit_gates(p, pre, 4, c->batch, hidden, gate);
  if (status != pqnn_status_success) return status;
  return emit_cell(p, gate, c_prev, c_new, h_new);
}

/* One GRU step from XW[t] (xw: Wb and the z, r gates' Rb folded in) and the state (h_prev
 * NULL: zero). */
static enum pqnn_status gru_step(struct ox_pass* p, const struct cell* c, struct ox_tensor* xw,
    struct ox_tensor* h_prev, struct ox_tensor* h_new) {
  const int64_t hidden = c->hidden, batch = c->batch;
  struct ox_tensor x[3], hg, h[3], zs, rs, z, r, rh, hh, pre_h, ht, omz, a, b;
  enum pqnn_status status = emit_gates(p, xw, 3, batch, hidden, x);
  struct ox_tensor* zin = &x[0];
  struct ox_tensor* rin = &x[1];
  if (status == pqnn_status_success && h_prev != NULL) {
    /* H R^T of z and r (and of h, with its Rb, before the reset: linear_before_reset) */
    const size_t n = c->lbr ? 3 : 2;
    float* bias = NULL;
    if (c->lbr && c->rb_h != NULL) {
      bias = ox_pass_alloc(p, (size_t) (3 * hidden), sizeof(float));
      if (bias == NULL) return pqnn_status_out_of_memory;
      memset(bias, 0, (size_t) (2 * hidden) * sizeof(float));
      memcpy(bias + 2 * hidden, c->rb_h, (size_t) hidden * sizeof(float));
    }
    status = emit_fc(p, h_prev->id, 1, batch, hidden, (int64_t) n * hidden, c->r, bias, &hg);
    if (status == pqnn_status_success) status = emit_gates(p, &hg, n, batch, hidden, h);
    if (status == pqnn_status_success) status = binary(p, pqnn_binary_add, &x[0], &h[0], &zs);
    if (status == pqnn_status_success) status = binary(p, pqnn_binary_add, &x[1], &h[1], &rs);
    zin = &zs;
    rin = &rs;
  }
  if (status == pqnn_status_success) status = unary(p, pqnn_unary_sigmoid, zin, &z);
  struct ox_tensor* candidate = &x[2];  /* xh + what the state adds */
  if (status == pqnn_status_success && c->lbr) {
    /* r * (H Rh^T + Rbh): from a zero state r * Rbh */
    struct ox_tensor rb = vector_constant(c->rb_h, hidden);
    if (h_prev != NULL || c->rb_h != NULL) {
      status = unary(p, pqnn_unary_sigmoid, rin, &r);
      if (status == pqnn_status_success) {
        status = binary(p, pqnn_binary_multiply, &r, h_prev != NULL ? &h[2] : &rb, &rh);
      }
      if (status == pqnn_status_success) status = binary(p, pqnn_binary_add, &x[2], &rh, &pre_h);
      candidate = &pre_h;
    }
  } else if (status == pqnn_status_success) {
    /* (r * H) Rh^T + Rbh: from a zero state Rbh */
    struct ox_tensor rb = vector_constant(c->rb_h, hidden);
    if (h_prev != NULL) {
      status = unary(p, pqnn_unary_sigmoid, rin, &r);
      if (status == pqnn_status_success) status = binary(p, pqnn_binary_multiply, &r, h_prev, &rh);
      if (status == pqnn_status_success) {
        status = emit_fc(p, rh.id, 1, batch, hidden, hidden, c->r + 2 * hidden * hidden, c->rb_h,
            &hh);
      }
      if (status == pqnn_status_success) status = binary(p, pqnn_binary_add, &x[2], &hh, &pre_h);
      candidate = &pre_h;
    } else if (c->rb_h != NULL) {
      status = binary(p, pqnn_binary_add, &x[2], &rb, &pre_h);
      candidate = &pre_h;
    }
  }
  if (status == pqnn_status_success) status = unary(p, pqnn_unary_tanh, candidate, &ht);
  /* H = (1 - z) * h + z * H */
  const float one = 1.0f;
  struct ox_tensor k1 = ox_scalar_constant(&one);
  if (status == pqnn_status_success) status = binary(p, pqnn_binary_subtract, &k1, &z, &omz);
  if (h_prev == NULL) {
    if (status == pqnn_status_success) status = binary(p, pqnn_binary_multiply, &omz, &ht, h_new);
    return status;
  }
  if (status == pqnn_status_success) status = binary(p, pqnn_binary_multiply, &omz, &ht, &a);
  if (status == pqnn_status_success) status = binary(p, pqnn_binary_multiply, &z, h_prev, &b);
  if (status == pqnn_status_success) status = binary(p, pqnn_binary_add, &a, &b, h_new);
  return status;
}

/* The recurrence of direction d: its steps' H values (hs[t], time order) and the last
 * step's H and C (*h_last, *c_last; GRU: C unset). xw: XW of the direction
 * ([seq][batch][gates * hidden]). */
static enum pqnn_status emit_direction(struct ox_pass* p, const struct cell* c, int64_t d,
    bool reverse, uint32_t xw_id, int64_t seq, const struct ox_tensor* h0,
    const struct ox_tensor* c0, uint32_t* hs, struct ox_tensor* h_last,
    struct ox_tensor* c_last) {
  const int64_t gates = c->gru ? 3 : 4;
  struct ox_tensor h_prev, c_prev;
  bool have_h = false, have_c = false;
  enum pqnn_status status = pqnn_status_success;
  /* initial states given as activations: the direction's [1][batch][hidden] */
  if (h0 != NULL) {
    status = emit_step(p, h0->id, d, c->batch, c->hidden, &h_prev);
    have_h = true;
  }
  if (status == pqnn_status_success && c0 != NULL) {
    status = emit_step(p, c0->id, d, c->batch, c->hidden, &c_prev);
    have_c = true;
  }
  for (int64_t s = 0; s < seq && status == pqnn_status_success; s++) {
    const int64_t t = reverse ? seq - 1 - s : s;
    struct ox_tensor xw_t, h_new, c_new;
    status = emit_step(p, xw_id, t, c->batch, gates * c->hidden, &xw_t);
    if (status == pqnn_status_success) {
      status = c->gru ? gru_step(p, c, &xw_t, have_h ? &h_prev : NULL, &h_new)
                      : lstm_step(p, c, &xw_t, have_h ? &h_prev : NULL,
                                  have_c ? &c_prev : NULL, &h_new, &c_new);
    }
    if (status != pqnn_status_success) return status;
    hs[t] = h_new.id;
    h_prev = h_new;
    have_h = true;
    if (!c->gru) {
      c_prev = c_new;
      have_c = true;
    }
  }
  *h_last = h_prev;
  if (!c->gru) *c_last = c_prev;
  return status;
}

enum pqnn_status ox_lower_rnn(struct ox_pass* p, bool gru) {
  const char* op = gru ? "GRU" : "LSTM";
  const int64_t gates = gru ? 3 : 4;
  struct ox_tensor *x, *w, *r;
  enum pqnn_status status = ox_input(p, 0, &x);
  if (status == pqnn_status_success) status = ox_input(p, 1, &w);
  if (status == pqnn_status_success) status = ox_input(p, 2, &r);
  if (status != pqnn_status_success) return status;
  int64_t hidden;
  char direction[16];
  status = ox_attr_int(p, "hidden_size", 0, &hidden);
  if (status == pqnn_status_success) {
    status = ox_attr_string(p, "direction", "forward", direction, sizeof(direction));
  }
  if (status != pqnn_status_success) return status;
  const bool both = strcmp(direction, "bidirectional") == 0;
  if (!both && strcmp(direction, "forward") != 0 && strcmp(direction, "reverse") != 0) {
    return ox_invalid(p, "direction '%s'", direction);
  }
  const int64_t dirs = both ? 2 : 1;
  int64_t lbr = 0;
  if (gru) status = ox_attr_int(p, "linear_before_reset", 0, &lbr);
  if (status != pqnn_status_success) return status;
  if (x->is_const) return ox_unsupported(p, "%s of a constant", op);
  if (x->rank != 3) return ox_invalid(p, "X must be 3-D [seq][batch][input]");
  if (!w->is_const || w->f == NULL || !r->is_const || r->f == NULL) {
    return ox_unsupported(p, "W and R must be float constants");
  }
  const int64_t seq = x->dims[0], batch = x->dims[1], in = x->dims[2];
  if (hidden < 1 || hidden > 65536 || w->rank != 3 || r->rank != 3 || w->dims[0] != dirs ||
      r->dims[0] != dirs || w->dims[1] != gates * hidden || r->dims[1] != gates * hidden ||
      r->dims[2] != hidden || (in >= 0 && w->dims[2] != in)) {
    return ox_invalid(p, "W / R do not match hidden_size %lld and %lld direction(s)",
        (long long) hidden, (long long) dirs);
  }
  const struct ox_tensor* bias = NULL;
  if (!absent(p, 3)) {
    bias = &p->t[p->node->inputs[3]];
    if (!bias->is_const || bias->f == NULL || bias->rank != 2 || bias->dims[0] != dirs ||
        bias->dims[1] != 2 * gates * hidden) {
      return ox_unsupported(p, "B must be a float constant [dirs][%lld * hidden]",
          (long long) (2 * gates));
    }
  }
  if (seq > kMaxSteps) return ox_unsupported(p, "a sequence of %lld steps", (long long) seq);
  if (seq > 0 && seq * dirs * gates * hidden * hidden * (int64_t) sizeof(float) >
      MAX_PACKED_R_BYTES) {
    return ox_unsupported(p, "%lld steps x %lld direction(s) of hidden size %lld: each step "
        "packs R, over %lld MiB in all", (long long) seq, (long long) dirs,
        (long long) hidden, (long long) (MAX_PACKED_R_BYTES >> 20));
  }
  const char* why = unsupported_form(p, gru, dirs, seq);
  if (why != NULL) return ox_unsupported(p, "%s", why);
  /* initial states as activations, in the model's order */
  const struct ox_tensor* init[2] = {NULL, NULL};
  for (size_t k = 0; k < (gru ? 1u : 2u); k++) {
    if (absent(p, 5 + k)) continue;
    struct ox_tensor* s = &p->t[p->node->inputs[5 + k]];
    if (s->is_const) continue;  /* zeros (unsupported_form) */
    if (s->rank != 3) return ox_invalid(p, "initial state must be [dirs][batch][hidden]");
    if (s->channels_last && !ox_layout_free(s)) {
      return ox_unsupported(p, "an initial state in channels-last order");
    }
    init[k] = s;
  }
  struct ox_tensor* outs[3] = {wanted(p, 0), wanted(p, 1), gru ? NULL : wanted(p, 2)};
  const int64_t y_dims[4] = {seq, dirs, batch, hidden}, last_dims[3] = {dirs, batch, hidden};
  if (!ox_emitting(p)) {
    for (size_t k = 0; k < 3 && status == pqnn_status_success; k++) {
      if (outs[k] == NULL) continue;
      ox_set_shape(outs[k], k == 0 ? 4 : 3, k == 0 ? y_dims : last_dims);
      outs[k]->channels_last = false;
      status = ox_define_activation(p, outs[k]);
    }
    return status;
  }
  if (seq < 1 || batch < 1) return ox_unsupported(p, "an empty sequence or batch");
  uint32_t x_id;
  status = ox_model_order_id(p, x, &x_id);
  if (status != pqnn_status_success) return status;
  uint32_t* hs = ox_pass_alloc(p, (size_t) (seq * dirs), sizeof(uint32_t));
  /* W and R in pass memory: the runtime outlives the model (its static data) */
  const int64_t gh = gates * hidden;
  float* wc = ox_pass_alloc(p, (size_t) (dirs * gh * in), sizeof(float));
  float* rc = ox_pass_alloc(p, (size_t) (dirs * gh * hidden), sizeof(float));
  float* bc = ox_pass_alloc(p, (size_t) (dirs * 2 * gh), sizeof(float));
  if (hs == NULL || wc == NULL || rc == NULL || bc == NULL) return pqnn_status_out_of_memory;
  memcpy(wc, w->f, (size_t) (dirs * gh * in) * sizeof(float));
  memcpy(rc, r->f, (size_t) (dirs * gh * hidden) * sizeof(float));
  if (bias != NULL) memcpy(bc, bias->f, (size_t) (dirs * 2 * gh) * sizeof(float));
  struct ox_tensor h_last[2], c_last[2];
  for (int64_t d = 0; d < dirs && status == pqnn_status_success; d++) {
    /* XW of the direction with its biases: Wb, and Rb but a GRU's Rb of gate h */
    const float* bd = bc + d * 2 * gh;  /* [Wb][Rb] */
    float* b = ox_pass_alloc(p, (size_t) gh, sizeof(float));
    if (b == NULL) return pqnn_status_out_of_memory;
    for (int64_t j = 0; j < gh; j++) {
      b[j] = bias == NULL ? 0.0f : bd[j] + (gru && j >= 2 * hidden ? 0.0f : bd[gh + j]);
    }
    const struct cell c = {.gru = gru, .lbr = lbr != 0, .batch = batch, .hidden = hidden,
        .r = rc + d * gh * hidden,
        .rb_h = gru && bias != NULL ? bd + gh + 2 * hidden : NULL};
    struct ox_tensor xw;
    status = emit_fc(p, x_id, seq, batch, in, gh, wc + d * gh * in, b, &xw);
    if (status == pqnn_status_success) {
      const bool reverse = both ? d == 1 : strcmp(direction, "reverse") == 0;
      status = emit_direction(p, &c, d, reverse, xw.id, seq, init[0], init[1], hs + d * seq,
          &h_last[d], &c_last[d]);
    }
  }
  if (status != pqnn_status_success) return status;
  if (outs[0] != NULL) {
    /* Y: per direction the steps along axis 0 ([seq][batch][hidden]), then the directions */
    ox_set_shape(outs[0], 4, y_dims);
    outs[0]->channels_last = false;
    uint32_t per_dir[2];
    size_t* ones = ox_pass_alloc(p, (size_t) seq, sizeof(size_t));  /* each step's extent */
    if (ones == NULL) return pqnn_status_out_of_memory;
    for (int64_t t = 0; t < seq; t++) ones[t] = 1;
    for (int64_t d = 0; d < dirs && status == pqnn_status_success; d++) {
      const size_t dims[3] = {(size_t) seq, (size_t) batch, (size_t) hidden};
      status = ox_define_temporary(p, 3, dims, &per_dir[d]);
      if (status == pqnn_status_success) {
        status = emit_concat(p, hs + d * seq, ones, (size_t) seq, batch, hidden, per_dir[d]);
      }
    }
    if (status == pqnn_status_success && dirs == 1) {
      status = ox_emit_reshape(p, per_dir[0], outs[0]);
    } else if (status == pqnn_status_success) {
      status = ox_define_activation(p, outs[0]);
      uint32_t views[2];
      const size_t view[4] = {(size_t) seq, 1, (size_t) batch, (size_t) hidden};
      for (int64_t d = 0; d < 2 && status == pqnn_status_success; d++) {
        status = ox_define_temporary(p, 4, view, &views[d]);
        if (status == pqnn_status_success) {
          status = ox_refused(p, pqnn_define_static_reshape(p->sg, 4, view, per_dir[d], views[d], 0));
        }
      }
      if (status == pqnn_status_success) {
        status = ox_refused(p, pqnn_define_concatenate(p->sg, 1, 2, views, outs[0]->id, 0));
      }
    }
  }
  for (size_t k = 1; k <= 2 && status == pqnn_status_success; k++) {
    if (outs[k] == NULL) continue;
    ox_set_shape(outs[k], 3, last_dims);
    outs[k]->channels_last = false;
    const struct ox_tensor* last = k == 1 ? h_last : c_last;
    if (dirs == 1) {
      status = ox_emit_reshape(p, last[0].id, outs[k]);
    } else {
      status = ox_define_activation(p, outs[k]);
      const uint32_t ids[2] = {last[0].id, last[1].id};
      if (status == pqnn_status_success) {
        status = ox_refused(p, pqnn_define_concatenate(p->sg, 0, 2, ids, outs[k]->id, 0));
      }
    }
  }
  return status;
}
