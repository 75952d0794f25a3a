/* Einsum of two operands whose equation is a matrix product in disguise (docs/onnx.md,
 * "Einsum"). Each label is a batch label (both operands and the output), a row label (the
 * first operand and the output), a column label (the second and the output) or a
 * contracted one (both operands, not the output). Two activations: each operand is
 * transposed to [batch..., rows, inner] / [batch..., inner, cols] (a group of several labels
 * merged into one dim by a reshape; nothing where the operand is already in that order), a
 * batch matrix multiply, then the result split and transposed to the output's order. An
 * activation and a constant without batch labels: a fully connected node whose weights are
 * the constant rearranged to [cols][inner]. Anything else (one or three operands, a label
 * summed over one operand, a repeated label, an ellipsis) is unsupported with the equation
 * in the reason. The equation is untrusted: its length, characters and labels are checked
 * before use. */
#include <math.h>
#include <string.h>

#include "onnx/internal.h"

#define OX_MAX_EQUATION 64

enum { kBatch, kRow, kCol, kInner };

struct einsum {
  const char* eq;
  char term[2][OX_MAX_RANK + 1];  /* each operand's labels */
  char out[OX_MAX_RANK + 1];      /* the output's labels */
  int64_t dim[128];               /* each label's dim (-1 unknown) */
  char group[4][OX_MAX_RANK + 1]; /* labels of each role, in output order (inner: operand 0's) */
};

static bool is_label(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

/* Splits e->eq into two terms and the output (explicit, or implicit: the labels seen once,
 * in alphabetical order). */
static enum pqnn_status parse(struct ox_pass* p, struct einsum* e, size_t inputs) {
  const char* s = e->eq;
  int term = 0, len = 0, count[128] = {0};
  bool arrow = false;
  char* cur = e->term[0];
  for (; *s != '\0'; s++) {
    const char c = *s;
    if (c == ' ') continue;
    if (c == '.') return ox_unsupported(p, "Einsum '%s': an ellipsis", e->eq);
    if (c == ',' && !arrow) {
      if (++term > 1) {
        if (inputs == 2) return ox_invalid(p, "Einsum '%s': more terms than inputs", e->eq);
        return ox_unsupported(p, "Einsum '%s': more than two operands", e->eq);
      }
      cur = e->term[term];
      len = 0;
      continue;
    }
    if (c == '-' && !arrow && s[1] == '>') {
      s++;
      arrow = true;
      cur = e->out;
      len = 0;
      continue;
    }
    if (!is_label(c)) return ox_invalid(p, "Einsum '%s': character '%c'", e->eq, c);
    if (len >= OX_MAX_RANK) return ox_unsupported(p, "Einsum '%s': more than %d labels in a term", e->eq, OX_MAX_RANK);
    if (memchr(cur, c, (size_t) len) != NULL) {
      return ox_unsupported(p, "Einsum '%s': label '%c' repeated in one term (a diagonal)",
          e->eq, c);
    }
    cur[len++] = c;
    cur[len] = '\0';
    if (!arrow) count[(unsigned char) c]++;
  }
  if (inputs != 2) return ox_unsupported(p, "Einsum '%s': only two operands", e->eq);
  if (term != 1) return ox_invalid(p, "Einsum '%s': one term for two inputs", e->eq);
  if (!arrow) {
    len = 0;
    for (int c = 0; c < 128; c++) {
      if (count[c] == 1) e->out[len++] = (char) c;
    }
    e->out[len] = '\0';
  }
  for (const char* o = e->out; *o != '\0'; o++) {
    if (count[(unsigned char) *o] == 0) {
      return ox_invalid(p, "Einsum '%s': output label '%c' is in no operand", e->eq, *o);
    }
  }
  return pqnn_status_success;
}

/* Roles and dims of the labels of operands a, b. */
static enum pqnn_status classify(struct ox_pass* p, struct einsum* e, const struct ox_tensor* a,
    const struct ox_tensor* b) {
  const struct ox_tensor* t[2] = {a, b};
  for (int k = 0; k < 2; k++) {
    if (t[k]->rank < 0) return ox_unsupported(p, "Einsum '%s': operand of unknown rank", e->eq);
    if (t[k]->rank > PQNN_MAX_TENSOR_DIMS) {
      return ox_unsupported(p, "Einsum '%s': an operand of more than %d dims", e->eq,
          PQNN_MAX_TENSOR_DIMS);
    }
    if ((size_t) t[k]->rank != strlen(e->term[k])) {
      return ox_invalid(p, "Einsum '%s': operand %d has rank %d, its term %zu labels", e->eq,
          k, t[k]->rank, strlen(e->term[k]));
    }
  }
  for (int c = 0; c < 128; c++) e->dim[c] = -2;
  for (int k = 0; k < 2; k++) {
    for (int d = 0; d < t[k]->rank; d++) {
      const int c = (unsigned char) e->term[k][d];
      const int64_t v = t[k]->dims[d];
      if (v == 0) return ox_unsupported(p, "Einsum '%s': an empty dim", e->eq);
      if (e->dim[c] >= 0 && v >= 0 && e->dim[c] != v) {
        return ox_invalid(p, "Einsum '%s': label '%c' has dims %lld and %lld", e->eq, c,
            (long long) e->dim[c], (long long) v);
      }
      if (e->dim[c] < 0) e->dim[c] = v;
    }
  }
  int n[4] = {0};
  /* Batch, row and column labels in output order, inner ones in operand 0's. */
  for (const char* o = e->out; *o != '\0'; o++) {
    const bool in_a = strchr(e->term[0], *o) != NULL, in_b = strchr(e->term[1], *o) != NULL;
    const int r = in_a && in_b ? kBatch : in_a ? kRow : kCol;
    e->group[r][n[r]++] = *o;
  }
  for (int k = 0; k < 2; k++) {
    for (const char* l = e->term[k]; *l != '\0'; l++) {
      if (strchr(e->out, *l) != NULL) continue;
      if (strchr(e->term[1 - k], *l) == NULL) {
        return ox_unsupported(p, "Einsum '%s': label '%c' is summed over one operand only",
            e->eq, *l);
      }
      if (k == 0) {
        e->group[kInner][n[kInner]++] = *l;
      }
    }
  }
  for (int r = 0; r < 4; r++) e->group[r][n[r]] = '\0';
  return pqnn_status_success;
}

/* The product of the dims of labels `labels` (-1 if one is unknown). */
static int64_t group_dim(const struct einsum* e, const char* labels) {
  int64_t v = 1;
  for (; *labels != '\0'; labels++) {
    const int64_t d = e->dim[(unsigned char) *labels];
    if (d < 0 || v < 0) {
      v = -1;
    } else if (d > OX_MAX_ELEMENTS || v > OX_MAX_ELEMENTS / (d > 0 ? d : 1)) {
      return -1;
    } else {
      v *= d;
    }
  }
  return v;
}

/* Value `id` (model order, labels `from`) brought to the dims of the label groups
 * groups[0..n) (each group one dim, its labels' product): a transpose where the order
 * differs, a reshape where a group does not have exactly one label; *id is updated. */
static enum pqnn_status arrange(struct ox_pass* p, const struct einsum* e, const char* from,
    const char* const* groups, int n, uint32_t* id) {
  char order[OX_MAX_RANK + 1] = "";
  for (int g = 0; g < n; g++) strcat(order, groups[g]);
  const size_t rank = strlen(from);
  if (strlen(order) != rank) return ox_invalid(p, "Einsum '%s': labels do not match", e->eq);
  size_t perm[OX_MAX_RANK], moved[OX_MAX_RANK], merged[OX_MAX_RANK + 1];
  bool identity = true;
  for (size_t d = 0; d < rank; d++) {
    const char* at = strchr(from, order[d]);
    if (at == NULL) return ox_invalid(p, "Einsum '%s': labels do not match", e->eq);
    perm[d] = (size_t) (at - from);
    moved[d] = (size_t) e->dim[(unsigned char) order[d]];
    identity &= perm[d] == d;
  }
  bool split = (size_t) n != rank;
  for (int g = 0; g < n; g++) {
    merged[g] = (size_t) group_dim(e, groups[g]);
    split |= strlen(groups[g]) != 1;
  }
  enum pqnn_status status = pqnn_status_success;
  if (!identity) {
    uint32_t t;
    status = ox_define_temporary(p, rank, moved, &t);
    if (status == pqnn_status_success) {
      status = ox_refused(p, pqnn_define_static_transpose(p->sg, rank, perm, *id, t, 0));
    }
    *id = t;
  }
  if (status == pqnn_status_success && split) {
    uint32_t t;
    const size_t num = n > 0 ? (size_t) n : 1;
    if (n == 0) merged[0] = 1;
    status = ox_define_temporary(p, num, merged, &t);
    if (status == pqnn_status_success) {
      status = ox_refused(p, pqnn_define_static_reshape(p->sg, num, merged, *id, t, 0));
    }
    *id = t;
  }
  return status;
}

/* The weights [cols][inner] of constant operand w (labels `labels`) for a fully connected
 * node. */
static const float* fc_weights(struct ox_pass* p, const struct einsum* e, const struct ox_tensor* w,
    const char* labels, int64_t n, int64_t k) {
  float* out = ox_pass_alloc(p, (size_t) (n * k), sizeof(float));
  if (out == NULL) return NULL;
  const size_t rank = strlen(labels);
  int64_t coord[OX_MAX_RANK] = {0}, total = n * k;
  for (int64_t idx = 0; idx < total; idx++) {
    int64_t o = 0, i = 0;
    for (const char* c = e->group[kCol]; *c != '\0'; c++) {
      o = o * e->dim[(unsigned char) *c] + coord[strchr(labels, *c) - labels];
    }
    for (const char* c = e->group[kInner]; *c != '\0'; c++) {
      i = i * e->dim[(unsigned char) *c] + coord[strchr(labels, *c) - labels];
    }
    out[o * k + i] = w->f[idx];
    for (size_t d = rank; d-- > 0;) {
      if (++coord[d] < w->dims[d]) break;
      coord[d] = 0;
    }
  }
  return out;
}

enum pqnn_status ox_lower_einsum(struct ox_pass* p) {
  const struct ox_node* node = p->node;
  const Onnx__AttributeProto* attr = ox_attr(node, "equation");
  if (attr == NULL) return ox_invalid(p, "Einsum without an equation");
  if (attr->has_s && attr->s.len > OX_MAX_EQUATION) {
    return ox_unsupported(p, "Einsum equation of %zu characters (at most %d)", attr->s.len,
        OX_MAX_EQUATION);
  }
  char eq[OX_MAX_EQUATION + 1];
  enum pqnn_status status = ox_attr_string(p, "equation", "", eq, sizeof(eq));
  if (status != pqnn_status_success) return status;
  struct einsum e;
  memset(&e, 0, sizeof(e));
  e.eq = eq;
  status = parse(p, &e, node->num_inputs);
  if (status != pqnn_status_success) return status;
  struct ox_tensor *a, *b;
  status = ox_input(p, 0, &a);
  if (status == pqnn_status_success) status = ox_input(p, 1, &b);
  if (status != pqnn_status_success) return status;
  struct ox_tensor* y = ox_output(p, 0);
  if (y == NULL) return ox_invalid(p, "no output");
  status = classify(p, &e, a, b);
  if (status != pqnn_status_success) return status;
  const size_t out_rank = strlen(e.out);
  if (out_rank == 0) return ox_unsupported(p, "Einsum '%s': a scalar output", eq);
  if (out_rank > PQNN_MAX_TENSOR_DIMS) {
    return ox_unsupported(p, "Einsum '%s': more than %d output dims", eq, PQNN_MAX_TENSOR_DIMS);
  }
  if (a->is_const && b->is_const) return ox_unsupported(p, "Einsum '%s' of two constants", eq);
  if ((a->is_const && a->f == NULL) || (b->is_const && b->f == NULL)) {
    return ox_unsupported(p, "Einsum '%s' of a non-float constant", eq);
  }
  int64_t dims[OX_MAX_RANK];
  for (size_t d = 0; d < out_rank; d++) dims[d] = e.dim[(unsigned char) e.out[d]];
  ox_set_shape(y, (int) out_rank, dims);
  y->channels_last = false;
  /* The product's natural order: batch, rows, cols (a constant operand: the activation's
   * free labels, then the constant's). */
  const bool fc = a->is_const || b->is_const;
  struct ox_tensor* x = a->is_const ? b : a;
  struct ox_tensor* w = a->is_const ? a : b;
  const char* x_labels = e.term[a->is_const ? 1 : 0];
  const char* w_labels = e.term[a->is_const ? 0 : 1];
  if (fc) {
    if (e.group[kBatch][0] != '\0') {
      return ox_unsupported(p, "Einsum '%s': a constant operand with batch labels", eq);
    }
    /* Roles relative to the activation: its free labels are the rows. */
    if (a->is_const) {
      char t[OX_MAX_RANK + 1];
      memcpy(t, e.group[kRow], sizeof(t));
      memcpy(e.group[kRow], e.group[kCol], sizeof(t));
      memcpy(e.group[kCol], t, sizeof(t));
    }
  } else if (strlen(e.group[kBatch]) > 4) {
    return ox_unsupported(p, "Einsum '%s': more than 4 batch labels", eq);
  }
  char natural[OX_MAX_RANK + 1] = "";
  strcat(natural, e.group[kBatch]);
  strcat(natural, e.group[kRow]);
  strcat(natural, e.group[kCol]);
  status = ox_define_activation(p, y);
  if (status != pqnn_status_success || !ox_emitting(p)) return status;
  const int64_t m = group_dim(&e, e.group[kRow]), k = group_dim(&e, e.group[kInner]);
  const int64_t n = group_dim(&e, e.group[kCol]);
  if (m < 0 || k < 0 || n < 0) return ox_invalid(p, "Einsum '%s': dims too large", eq);
  /* Groups of each operand (one dim each): every batch label alone, then rows (a fully
   * connected node reads any number of leading dims: every row label alone) and inner /
   * inner and cols. */
  const char* xg[OX_MAX_RANK + 2];
  const char* wg[OX_MAX_RANK + 2];
  char single[OX_MAX_RANK][2];
  int ng = 0;
  const char* lead = fc ? e.group[kRow] : e.group[kBatch];
  for (size_t d = 0; d < strlen(lead); d++) {
    single[d][0] = lead[d];
    single[d][1] = '\0';
    xg[ng] = wg[ng] = single[d];
    ng++;
  }
  int nx = ng, nw = ng;
  if (!fc) xg[nx++] = e.group[kRow];
  xg[nx++] = e.group[kInner];
  wg[nw++] = e.group[kInner];
  wg[nw++] = e.group[kCol];
  /* The product: [batch..., m, n] (fully connected: [rows..., n]). */
  size_t prod_dims[OX_MAX_RANK + 2];
  size_t np = 0;
  for (int g = 0; g < ng; g++) prod_dims[np++] = (size_t) e.dim[(unsigned char) xg[g][0]];
  if (!fc) prod_dims[np++] = (size_t) m;
  prod_dims[np++] = (size_t) n;
  const bool split = (!fc && strlen(e.group[kRow]) != 1) || strlen(e.group[kCol]) != 1;
  const bool permute = strcmp(natural, e.out) != 0;
  uint32_t prod = y->id, x_id;
  if (split || permute) status = ox_define_temporary(p, np, prod_dims, &prod);
  if (status == pqnn_status_success) status = ox_model_order_id(p, x, &x_id);
  if (status == pqnn_status_success) status = arrange(p, &e, x_labels, xg, nx, &x_id);
  if (status != pqnn_status_success) return status;
  if (fc) {
    const float* filter = fc_weights(p, &e, w, w_labels, n, k);
    float* bias = ox_pass_alloc(p, (size_t) n, sizeof(float));
    if (filter == NULL || bias == NULL) return pqnn_status_out_of_memory;
    for (int64_t o = 0; o < n; o++) bias[o] = 0.0f;
    uint32_t w_id, b_id;
    const size_t wdims[2] = {(size_t) n, (size_t) k}, bdims[1] = {(size_t) n};
    status = ox_define_static(p, 2, wdims, filter, &w_id);
    if (status == pqnn_status_success) status = ox_define_static(p, 1, bdims, bias, &b_id);
    if (status != pqnn_status_success) return status;
    status = ox_refused(p, pqnn_define_fully_connected(p->sg, -INFINITY, INFINITY, x_id, w_id, b_id,
        prod, 0));
  } else {
    uint32_t w_id;
    status = ox_model_order_id(p, w, &w_id);
    if (status == pqnn_status_success) status = arrange(p, &e, w_labels, wg, nw, &w_id);
    if (status != pqnn_status_success) return status;
    status = ox_refused(p, pqnn_define_batch_matrix_multiply(p->sg, x_id, w_id, prod, 0));
  }
  if (status != pqnn_status_success) return status;
  /* The product in the natural order, one dim per label (a reshape where a group had
   * several), then the output's order (a transpose), the last node writing y. */
  uint32_t id = prod;
  if (split) {
    size_t natural_dims[OX_MAX_RANK];
    for (size_t d = 0; d < out_rank; d++) natural_dims[d] = (size_t) e.dim[(unsigned char) natural[d]];
    id = y->id;
    if (permute) status = ox_define_temporary(p, out_rank, natural_dims, &id);
    if (status == pqnn_status_success) {
      status = ox_refused(p, pqnn_define_static_reshape(p->sg, out_rank, natural_dims, prod, id, 0));
    }
    if (status != pqnn_status_success) return status;
  }
  if (!permute) return pqnn_status_success;
  size_t perm[OX_MAX_RANK];
  for (size_t d = 0; d < out_rank; d++) perm[d] = (size_t) (strchr(natural, e.out[d]) - natural);
  return ox_refused(p, pqnn_define_static_transpose(p->sg, out_rank, perm, id, y->id, 0));
}
