/* Constant folding at import: shape arithmetic (Shape, Gather, Cast, Slice, Concat,
 * Unsqueeze, Squeeze, Reshape, ConstantOfShape, Add/Sub/Mul/Div) on constants, so Reshape
 * targets and similar operands become constants once the input shapes are set. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "onnx/internal.h"

/* Allocates the output's data for `count` elements of class float (f) or int64. */
static enum pqnn_status new_const(struct ox_pass* p, struct ox_tensor* out, int32_t elem_type,
    int rank, const int64_t* dims, float** f, int64_t** i) {
  struct ox_tensor shape = {.rank = rank};
  for (int d = 0; d < rank; d++) shape.dims[d] = dims[d];
  int64_t n;
  if (!ox_elements(&shape, &n)) return ox_unsupported(p, "folded constant is too large");
  out->elem_type = elem_type;
  ox_set_shape(out, rank, dims);
  out->is_const = true;
  out->available = true;
  out->channels_last = false;
  if (ox_is_float_type(elem_type)) {
    float* data = ox_pass_alloc(p, (size_t) n, sizeof(float));
    if (data == NULL) return pqnn_status_out_of_memory;
    out->f = data;
    out->i = NULL;
    *f = data;
    if (i != NULL) *i = NULL;
  } else {
    int64_t* data = ox_pass_alloc(p, (size_t) n, sizeof(int64_t));
    if (data == NULL) return pqnn_status_out_of_memory;
    out->i = data;
    out->f = NULL;
    *i = data;
    if (f != NULL) *f = NULL;
  }
  return pqnn_status_success;
}

static double get(const struct ox_tensor* t, int64_t k) {
  return t->f != NULL ? (double) t->f[k] : (double) t->i[k];
}

static enum pqnn_status copy_const(struct ox_pass* p, const struct ox_tensor* x,
    struct ox_tensor* out, int rank, const int64_t* dims) {
  float* f = NULL;
  int64_t* i = NULL;
  int64_t n;
  if (!ox_elements(x, &n)) return ox_invalid(p, "bad constant");
  enum pqnn_status status = new_const(p, out, x->elem_type, rank, dims, &f, &i);
  if (status != pqnn_status_success) return status;
  if (f != NULL) memcpy(f, x->f, (size_t) n * sizeof(float));
  if (i != NULL) memcpy(i, x->i, (size_t) n * sizeof(int64_t));
  return pqnn_status_success;
}

static int64_t normalize_axis(int64_t axis, int rank) { return axis < 0 ? axis + rank : axis; }

/* Axes from the attribute (old opsets) or from input 1 (new opsets). */
enum pqnn_status ox_axes_operand(struct ox_pass* p, int64_t* axes, size_t* count) {
  size_t n = 0;
  enum pqnn_status status = ox_attr_ints(p, "axes", OX_MAX_RANK, axes, &n);
  if (status != pqnn_status_success) return status;
  if (n == 0 && p->node->num_inputs > 1 && p->node->inputs[1] >= 0) {
    const struct ox_tensor* a = &p->t[p->node->inputs[1]];
    int64_t k;
    if (!a->is_const || a->i == NULL || !ox_elements(a, &k)) {
      return ox_unsupported(p, "axes must be a constant int tensor");
    }
    if (k > OX_MAX_RANK) return ox_invalid(p, "too many axes");
    for (int64_t j = 0; j < k; j++) axes[j] = a->i[j];
    n = (size_t) k;
  }
  *count = n;
  return pqnn_status_success;
}

enum pqnn_status ox_reshape_shape(struct ox_pass* p, const struct ox_tensor* x,
    struct ox_tensor* out) {
  const char* op = p->node->proto->op_type;
  int64_t dims[OX_MAX_RANK];
  int rank = 0;
  if (x->rank < 0) {
    out->rank = -1;
    return pqnn_status_success;
  }
  if (strcmp(op, "Identity") == 0 || strcmp(op, "Dropout") == 0) {
    ox_set_shape(out, x->rank, x->dims);
    return pqnn_status_success;
  }
  if (strcmp(op, "Flatten") == 0) {
    int64_t axis;
    enum pqnn_status status = ox_attr_int(p, "axis", 1, &axis);
    if (status != pqnn_status_success) return status;
    axis = normalize_axis(axis, x->rank);
    if (axis < 0 || axis > x->rank) return ox_invalid(p, "axis out of range");
    int64_t a = 1, b = 1;
    for (int d = 0; d < x->rank; d++) {
      if (x->dims[d] < 0) {
        if (d < axis) a = -1; else b = -1;
      } else if (d < axis) {
        a = a < 0 ? -1 : a * x->dims[d];
      } else {
        b = b < 0 ? -1 : b * x->dims[d];
      }
    }
    out->rank = 2;
    out->dims[0] = a;
    out->dims[1] = b;
    return pqnn_status_success;
  }
  if (strcmp(op, "Unsqueeze") == 0 || strcmp(op, "Squeeze") == 0) {
    int64_t axes[OX_MAX_RANK];
    size_t n = 0;
    enum pqnn_status status = ox_axes_operand(p, axes, &n);
    if (status != pqnn_status_success) return status;
    bool mark[OX_MAX_RANK + 1] = {false};
    if (op[0] == 'U') {
      rank = x->rank + (int) n;
      if (rank > OX_MAX_RANK) return ox_unsupported(p, "more than %d dims", OX_MAX_RANK);
      for (size_t k = 0; k < n; k++) {
        const int64_t a = normalize_axis(axes[k], rank);
        if (a < 0 || a >= rank || mark[a]) return ox_invalid(p, "bad unsqueeze axis");
        mark[a] = true;
      }
      for (int d = 0, s = 0; d < rank; d++) dims[d] = mark[d] ? 1 : x->dims[s++];
    } else {
      for (size_t k = 0; k < n; k++) {
        const int64_t a = normalize_axis(axes[k], x->rank);
        if (a < 0 || a >= x->rank || mark[a] || (x->dims[a] != 1 && x->dims[a] >= 0)) {
          return ox_invalid(p, "bad squeeze axis");
        }
        mark[a] = true;
      }
      for (int d = 0; d < x->rank; d++) {
        if (n == 0 ? x->dims[d] != 1 : !mark[d]) dims[rank++] = x->dims[d];
      }
    }
    ox_set_shape(out, rank, dims);
    return pqnn_status_success;
  }
  /* Reshape */
  if (p->node->num_inputs < 2 || p->node->inputs[1] < 0) return ox_invalid(p, "no shape input");
  const struct ox_tensor* s = &p->t[p->node->inputs[1]];
  int64_t n;
  if (!s->is_const || s->i == NULL || !ox_elements(s, &n)) {
    return ox_unsupported(p, "the target shape is not a constant (after folding)");
  }
  if (n > OX_MAX_RANK) return ox_unsupported(p, "more than %d dims", OX_MAX_RANK);
  int64_t allowzero;
  enum pqnn_status status = ox_attr_int(p, "allowzero", 0, &allowzero);
  if (status != pqnn_status_success) return status;
  int64_t total;
  const bool known = ox_elements(x, &total);
  int64_t product = 1;
  int infer = -1;
  rank = (int) n;
  for (int d = 0; d < rank; d++) {
    int64_t v = s->i[d];
    if (v == 0 && allowzero == 0) {
      if (d >= x->rank) return ox_invalid(p, "shape copies a dim the input lacks");
      v = x->dims[d];
    }
    if (v == -1) {
      if (infer >= 0) return ox_invalid(p, "two -1 dims");
      infer = d;
    } else if (v < -1) {
      return ox_invalid(p, "negative dim");
    } else if (v < 0 || product < 0) {
      product = -1;  /* unknown copied dim */
    } else {
      if (v > 0 && product > OX_MAX_ELEMENTS / v) return ox_invalid(p, "shape too large");
      product *= v;
    }
    dims[d] = v;
  }
  if (infer >= 0) {
    if (!known || product < 0) {
      dims[infer] = -1;
    } else {
      if (product == 0 || total % product != 0) return ox_invalid(p, "cannot infer the -1 dim");
      dims[infer] = total / product;
    }
  } else if (known && product >= 0 && product != total) {
    return ox_invalid(p, "reshape changes the element count");
  }
  ox_set_shape(out, rank, dims);
  return pqnn_status_success;
}

static enum pqnn_status fold_constant(struct ox_pass* p, struct ox_tensor* out) {
  const Onnx__AttributeProto* a = p->node->proto->n_attribute == 1 ? p->node->proto->attribute[0] : NULL;
  if (a == NULL || a->name == NULL) return ox_invalid(p, "Constant needs exactly one attribute");
  float* f = NULL;  /* set by new_const on success (gcc -O3 cannot see it) */
  int64_t* i = NULL;
  enum pqnn_status status;
  if (strcmp(a->name, "value") == 0 && a->t != NULL) {
    struct ox_tensor decoded = {.rank = -1};
    void* data;
    status = ox_decode_tensor(a->t, OX_MAX_ELEMENTS, &decoded, &data);
    if (status != pqnn_status_success) return ox_unsupported(p, "cannot decode the value tensor");
    if (data == NULL) {  /* in place in the model's protobuf, which outlives the pass */
      *out = (struct ox_tensor) {.name = out->name, .consumers = out->consumers,
          .graph_input = out->graph_input, .graph_output = out->graph_output};
      out->elem_type = decoded.elem_type;
      ox_set_shape(out, decoded.rank, decoded.dims);
      out->f = decoded.f;
      out->is_const = out->available = true;
      return pqnn_status_success;
    }
    status = copy_const(p, &decoded, out, decoded.rank, decoded.dims);
    free(data);
    return status;
  }
  if (strcmp(a->name, "value_float") == 0 && a->has_f) {
    status = new_const(p, out, OX_FLOAT, 0, NULL, &f, &i);
    if (status == pqnn_status_success) f[0] = a->f;
    return status;
  }
  if (strcmp(a->name, "value_int") == 0 && a->has_i) {
    status = new_const(p, out, OX_INT64, 0, NULL, &f, &i);
    if (status == pqnn_status_success) i[0] = a->i;
    return status;
  }
  if (strcmp(a->name, "value_floats") == 0) {
    const int64_t n = (int64_t) a->n_floats;
    status = new_const(p, out, OX_FLOAT, 1, &n, &f, &i);
    for (int64_t k = 0; status == pqnn_status_success && k < n; k++) f[k] = a->floats[k];
    return status;
  }
  if (strcmp(a->name, "value_ints") == 0) {
    const int64_t n = (int64_t) a->n_ints;
    status = new_const(p, out, OX_INT64, 1, &n, &f, &i);
    for (int64_t k = 0; status == pqnn_status_success && k < n; k++) i[k] = a->ints[k];
    return status;
  }
  return ox_unsupported(p, "Constant attribute '%s' is not supported", a->name);
}

/* Linear index of out coordinate `c` into x broadcast to out's rank. */
static int64_t broadcast_index(const struct ox_tensor* x, const struct ox_tensor* out,
    const int64_t* c) {
  int64_t idx = 0;
  const int off = out->rank - x->rank;
  for (int d = 0; d < x->rank; d++) {
    idx = idx * x->dims[d] + (x->dims[d] == 1 ? 0 : c[d + off]);
  }
  return idx;
}

static bool next_coord(int64_t* c, const int64_t* dims, int rank) {
  for (int d = rank - 1; d >= 0; d--) {
    if (++c[d] < dims[d]) return true;
    c[d] = 0;
  }
  return false;
}

/* Elementwise folds of constants, numpy-broadcast (shape arithmetic, and the shape logic of
 * exporters' dynamic graphs: masks, clamps, index arithmetic): comparisons and And / Or /
 * Xor give BOOL (0 / 1); Add / Sub / Mul / Div / Min / Max / Pow keep the operands' class
 * (float wins); Where picks per element. Float math in double, rounded once to float;
 * integer math exact, wrapping through unsigned (overflow is the file's problem, not UB). */
enum fold_op { FOLD_ADD, FOLD_SUB, FOLD_MUL, FOLD_DIV, FOLD_EQUAL, FOLD_LESS, FOLD_GREATER, FOLD_LESS_EQUAL, FOLD_GREATER_EQUAL,
    FOLD_AND, FOLD_OR, FOLD_XOR, FOLD_MIN, FOLD_MAX, FOLD_POW };

static const struct {
  const char* name;
  enum fold_op op;
} kFoldBinary[] = {{"Add", FOLD_ADD}, {"Sub", FOLD_SUB}, {"Mul", FOLD_MUL}, {"Div", FOLD_DIV},
    {"Equal", FOLD_EQUAL}, {"Less", FOLD_LESS}, {"Greater", FOLD_GREATER},
    {"LessOrEqual", FOLD_LESS_EQUAL}, {"GreaterOrEqual", FOLD_GREATER_EQUAL},
    {"And", FOLD_AND}, {"Or", FOLD_OR}, {"Xor", FOLD_XOR}, {"Min", FOLD_MIN},
    {"Max", FOLD_MAX}, {"Pow", FOLD_POW}};

static bool fold_gives_bool(enum fold_op op) { return op >= FOLD_EQUAL && op <= FOLD_XOR; }

static double fold_binary_value(enum fold_op op, double x, double y) {
  switch (op) {
    case FOLD_ADD: return x + y;
    case FOLD_SUB: return x - y;
    case FOLD_MUL: return x * y;
    case FOLD_DIV: return x / y;
    case FOLD_EQUAL: return x == y;
    case FOLD_LESS: return x < y;
    case FOLD_GREATER: return x > y;
    case FOLD_LESS_EQUAL: return x <= y;
    case FOLD_GREATER_EQUAL: return x >= y;
    case FOLD_AND: return (x != 0) && (y != 0);
    case FOLD_OR: return (x != 0) || (y != 0);
    case FOLD_XOR: return (x != 0) != (y != 0);
    case FOLD_MIN: return isnan(x) || isnan(y) ? NAN : x < y ? x : y;
    case FOLD_MAX: return isnan(x) || isnan(y) ? NAN : x > y ? x : y;
    case FOLD_POW: return pow(x, y);
  }
  return 0.0;
}

/* The integer forms, exactly (int64 values beyond 2^53 do not survive a double). */
static int64_t fold_binary_int(enum fold_op op, int64_t x, int64_t y) {
  switch (op) {
    case FOLD_ADD: return (int64_t) ((uint64_t) x + (uint64_t) y);
    case FOLD_SUB: return (int64_t) ((uint64_t) x - (uint64_t) y);
    case FOLD_MUL: return (int64_t) ((uint64_t) x * (uint64_t) y);
    case FOLD_DIV: return x / y;  /* the caller rules out y = 0 and INT64_MIN / -1 */
    case FOLD_EQUAL: return x == y;
    case FOLD_LESS: return x < y;
    case FOLD_GREATER: return x > y;
    case FOLD_LESS_EQUAL: return x <= y;
    case FOLD_GREATER_EQUAL: return x >= y;
    case FOLD_AND: return x != 0 && y != 0;
    case FOLD_OR: return x != 0 || y != 0;
    case FOLD_XOR: return (x != 0) != (y != 0);
    case FOLD_MIN: return x < y ? x : y;
    case FOLD_MAX: return x > y ? x : y;
    case FOLD_POW: break;  /* integer Pow is not folded */
  }
  return 0;
}

static enum pqnn_status fold_binary(struct ox_pass* p, enum fold_op op,
    const struct ox_tensor* a, const struct ox_tensor* b, struct ox_tensor* out) {
  struct ox_tensor shape = {.rank = 0};
  if (!ox_broadcast(a, b, &shape)) return ox_invalid(p, "operands do not broadcast");
  const bool is_float = !fold_gives_bool(op) && (a->f != NULL || b->f != NULL);
  if (op == FOLD_POW && !is_float) return ox_unsupported(p, "integer Pow of constants");
  float* f;
  int64_t* i;
  enum pqnn_status status = new_const(p, out,
      fold_gives_bool(op) ? OX_BOOL : is_float ? OX_FLOAT : OX_INT64, shape.rank, shape.dims,
      &f, &i);
  if (status != pqnn_status_success) return status;
  int64_t n;
  if (!ox_elements(out, &n) || n == 0) return pqnn_status_success;
  int64_t c[OX_MAX_RANK] = {0};
  int64_t k = 0;
  do {
    const int64_t ia = broadcast_index(a, out, c), ib = broadcast_index(b, out, c);
    if (is_float) {
      f[k] = (float) fold_binary_value(op, get(a, ia), get(b, ib));
    } else if (a->i != NULL && b->i != NULL) {
      if (op == FOLD_DIV && (b->i[ib] == 0 || (a->i[ia] == INT64_MIN && b->i[ib] == -1))) {
        return ox_invalid(p, "integer division by zero");
      }
      i[k] = fold_binary_int(op, a->i[ia], b->i[ib]);
    } else {  /* a comparison with a float operand */
      i[k] = fold_binary_value(op, get(a, ia), get(b, ib)) != 0.0;
    }
    k++;
  } while (next_coord(c, out->dims, out->rank));
  return pqnn_status_success;
}

/* Where(condition, x, y) of constants: x where the condition is nonzero, else y. */
static enum pqnn_status fold_where(struct ox_pass* p, const struct ox_tensor* cond,
    const struct ox_tensor* x, const struct ox_tensor* y, struct ox_tensor* out) {
  struct ox_tensor xy = {.rank = 0}, shape = {.rank = 0};
  if (!ox_broadcast(x, y, &xy) || !ox_broadcast(cond, &xy, &shape)) {
    return ox_invalid(p, "operands do not broadcast");
  }
  const bool is_float = x->f != NULL || y->f != NULL;
  float* f;
  int64_t* i;
  enum pqnn_status status = new_const(p, out, is_float ? OX_FLOAT : x->elem_type, shape.rank,
      shape.dims, &f, &i);
  if (status != pqnn_status_success) return status;
  int64_t n;
  if (!ox_elements(out, &n) || n == 0) return pqnn_status_success;
  int64_t c[OX_MAX_RANK] = {0};
  int64_t k = 0;
  do {
    const bool take_x = get(cond, broadcast_index(cond, out, c)) != 0.0;
    const struct ox_tensor* t = take_x ? x : y;
    const int64_t j = broadcast_index(t, out, c);
    if (is_float) f[k] = (float) get(t, j); else i[k] = t->i[j];
    k++;
  } while (next_coord(c, out->dims, out->rank));
  return pqnn_status_success;
}

/* Range(start, limit, delta) of scalar constants: max(ceil((limit - start) / delta), 0)
 * values start + k * delta. */
static enum pqnn_status fold_range(struct ox_pass* p, struct ox_tensor* out) {
  const struct ox_node* node = p->node;
  if (node->num_inputs != 3) return ox_invalid(p, "Range needs start, limit and delta");
  const struct ox_tensor* t[3];
  for (int k = 0; k < 3; k++) {
    if (node->inputs[k] < 0) return ox_invalid(p, "Range input %d is missing", k);
    t[k] = &p->t[node->inputs[k]];
    int64_t n;
    if (!ox_elements(t[k], &n) || n != 1) return ox_invalid(p, "Range inputs must be scalars");
  }
  const bool is_float = t[0]->f != NULL || t[1]->f != NULL || t[2]->f != NULL;
  const double start = get(t[0], 0), limit = get(t[1], 0), delta = get(t[2], 0);
  if (delta == 0.0 || !isfinite(start) || !isfinite(limit) || !isfinite(delta)) {
    return ox_invalid(p, "Range with a zero or non-finite operand");
  }
  const double steps = ceil((limit - start) / delta);
  if (steps > (double) OX_MAX_ELEMENTS) return ox_unsupported(p, "folded constant is too large");
  const int64_t count = steps > 0.0 ? (int64_t) steps : 0;
  float* f;
  int64_t* i;
  enum pqnn_status status = new_const(p, out, is_float ? OX_FLOAT : OX_INT64, 1, &count, &f, &i);
  for (int64_t k = 0; status == pqnn_status_success && k < count; k++) {
    if (is_float) {
      f[k] = (float) (start + (double) k * delta);
    } else {
      /* wrapping through unsigned: overflow is the file's problem, not UB */
      i[k] = (int64_t) ((uint64_t) t[0]->i[0] + (uint64_t) k * (uint64_t) t[2]->i[0]);
    }
  }
  return status;
}

/* Not, Neg, Abs, Sqrt, Floor, Ceil, Round (half to even), Reciprocal of a constant. */
static enum pqnn_status fold_unary(struct ox_pass* p, const char* op, const struct ox_tensor* x,
    struct ox_tensor* out) {
  const bool logical = strcmp(op, "Not") == 0;
  const bool is_float = !logical && x->f != NULL;
  if (!is_float && !logical && strcmp(op, "Neg") != 0 && strcmp(op, "Abs") != 0) {
    return ox_unsupported(p, "%s of an integer constant", op);
  }
  float* f;
  int64_t* i;
  enum pqnn_status status = new_const(p, out, logical ? OX_BOOL : x->elem_type, x->rank,
      x->dims, &f, &i);
  int64_t n;
  if (status != pqnn_status_success || !ox_elements(x, &n)) return status;
  for (int64_t k = 0; k < n; k++) {
    if (logical) {
      i[k] = get(x, k) == 0.0;
    } else if (!is_float) {
      const uint64_t v = (uint64_t) x->i[k];  /* wrapping: INT64_MIN stays itself */
      i[k] = strcmp(op, "Neg") == 0 || x->i[k] < 0 ? (int64_t) (0u - v) : x->i[k];
    } else {
      const double v = x->f[k];
      f[k] = (float) (strcmp(op, "Neg") == 0 ? -v : strcmp(op, "Abs") == 0 ? fabs(v)
                     : strcmp(op, "Sqrt") == 0 ? sqrt(v) : strcmp(op, "Floor") == 0 ? floor(v)
                     : strcmp(op, "Ceil") == 0 ? ceil(v)
                     : strcmp(op, "Round") == 0 ? nearbyint(v) : 1.0 / v);
    }
  }
  return pqnn_status_success;
}

/* The quantization operands of the QuantizeLinear / DequantizeLinear node being lowered,
 * for a data input of rank `rank` and dims `dims` (internal.h). */
enum pqnn_status ox_quant_params(struct ox_pass* p, int rank, const int64_t* dims,
    struct ox_qparams* q) {
  const struct ox_node* node = p->node;
  const char* op = node->proto->op_type;
  memset(q, 0, sizeof(*q));
  q->inner = 1;
  if (node->num_inputs < 2 || node->inputs[1] < 0) return ox_invalid(p, "%s needs a scale", op);
  q->scale = &p->t[node->inputs[1]];
  q->zp = node->num_inputs > 2 && node->inputs[2] >= 0 ? &p->t[node->inputs[2]] : NULL;
  if (!q->scale->is_const || q->scale->f == NULL) {
    return ox_unsupported(p, "%s with a non-constant or non-float scale", op);
  }
  if (q->zp != NULL && (!q->zp->is_const || q->zp->i == NULL)) {
    return ox_unsupported(p, "%s with a non-constant or non-integer zero point", op);
  }
  int64_t block;
  enum pqnn_status status = ox_attr_int(p, "block_size", 0, &block);
  if (status != pqnn_status_success) return status;
  if (block != 0) return ox_unsupported(p, "blocked %s (block_size)", op);
  int64_t zps = 0;
  if (!ox_elements(q->scale, &q->count) || (q->zp != NULL && !ox_elements(q->zp, &zps))) {
    return ox_invalid(p, "bad %s operands", op);
  }
  if (q->count < 1) return ox_invalid(p, "an empty scale");
  if (q->zp != NULL && zps != q->count) return ox_invalid(p, "zero point and scale sizes differ");
  if (q->scale->rank > 1) return ox_unsupported(p, "a scale of rank %d", q->scale->rank);
  q->axis = -1;
  if (q->count != 1) {  /* one scale (a scalar or [1]): per tensor */
    status = ox_attr_int(p, "axis", 1, &q->axis);
    if (status != pqnn_status_success) return status;
    if (rank < 0) return ox_unsupported(p, "per-axis %s of a tensor of unknown rank", op);
    const int64_t given = q->axis;
    q->axis = normalize_axis(q->axis, rank);
    if (q->axis < 0 || q->axis >= rank) {
      return ox_invalid(p, "axis %lld out of range for rank %d", (long long) given, rank);
    }
    if (dims[q->axis] >= 0 && dims[q->axis] != q->count) {
      return ox_invalid(p, "scale does not match the axis");
    }
    for (int d = (int) q->axis + 1; d < rank; d++) q->inner *= dims[d];
  }
  return pqnn_status_success;
}

/* DequantizeLinear of constants (quantized weights): (x - zero_point) * scale per tensor
 * (one scale) or along `axis` (a 1-D scale, default axis 1), as float; an integer x and
 * zero point (int8, uint8, int32), the difference exact in double and the product rounded
 * once, as ONNX Runtime's float multiply of the exact difference. Blocked scales (opset 21
 * block_size) are unsupported. */
static enum pqnn_status fold_dequantize(struct ox_pass* p, const struct ox_tensor* x,
    struct ox_tensor* out) {
  if (x->i == NULL) return ox_unsupported(p, "DequantizeLinear of a non-integer tensor");
  struct ox_qparams q;
  enum pqnn_status status = ox_quant_params(p, x->rank, x->dims, &q);
  if (status != pqnn_status_success) return status;
  int64_t n;
  if (!ox_elements(x, &n)) return ox_invalid(p, "bad DequantizeLinear operands");
  float* f;
  int64_t* i;
  status = new_const(p, out, OX_FLOAT, x->rank, x->dims, &f, &i);
  for (int64_t k = 0; status == pqnn_status_success && k < n; k++) {
    const int64_t c = q.count == 1 ? 0 : (k / q.inner) % q.count;
    const double diff = (double) x->i[k] - (q.zp != NULL ? (double) q.zp->i[c] : 0.0);
    f[k] = (float) (diff * (double) q.scale->f[c]);
  }
  return status;
}

/* QuantizeLinear of a constant (float weights quantized in the graph, read by a
 * DequantizeLinear that then folds): saturate(round_half_even(x / scale) + zero_point) as
 * int8 / uint8, the divide in float as ONNX Runtime's. */
static enum pqnn_status fold_quantize(struct ox_pass* p, const struct ox_tensor* x,
    struct ox_tensor* out) {
  if (x->f == NULL) return ox_unsupported(p, "QuantizeLinear of a non-float tensor");
  struct ox_qparams q;
  int32_t type;
  bool has_zp;
  enum pqnn_status status = ox_quant_checked(p, x, &q, &type, &has_zp);
  if (status != pqnn_status_success) return status;
  int64_t n;
  if (!ox_elements(x, &n)) return ox_invalid(p, "bad QuantizeLinear operands");
  const float lo = type == OX_INT8 ? -128.0f : 0.0f, hi = type == OX_INT8 ? 127.0f : 255.0f;
  float* f;
  int64_t* i;
  status = new_const(p, out, type, x->rank, x->dims, &f, &i);
  for (int64_t k = 0; status == pqnn_status_success && k < n; k++) {
    const int64_t c = q.count == 1 ? 0 : (k / q.inner) % q.count;
    const float v = nearbyintf(x->f[k] / q.scale->f[c]) + (q.zp != NULL ? (float) q.zp->i[c] : 0.0f);
    if (isnan(v)) return ox_unsupported(p, "QuantizeLinear of NaN");
    i[k] = (int64_t) (v < lo ? lo : v > hi ? hi : v);
  }
  return status;
}

static enum pqnn_status fold_gather(struct ox_pass* p, const struct ox_tensor* x,
    const struct ox_tensor* idx, struct ox_tensor* out) {
  int64_t axis;
  enum pqnn_status status = ox_attr_int(p, "axis", 0, &axis);
  if (status != pqnn_status_success) return status;
  axis = normalize_axis(axis, x->rank);
  if (axis < 0 || axis >= x->rank || idx->i == NULL) return ox_invalid(p, "bad Gather");
  const int rank = x->rank - 1 + idx->rank;
  if (rank > OX_MAX_RANK) return ox_unsupported(p, "more than %d dims", OX_MAX_RANK);
  int64_t dims[OX_MAX_RANK];
  int r = 0;
  for (int d = 0; d < axis; d++) dims[r++] = x->dims[d];
  for (int d = 0; d < idx->rank; d++) dims[r++] = idx->dims[d];
  for (int d = (int) axis + 1; d < x->rank; d++) dims[r++] = x->dims[d];
  float* f;
  int64_t* i;
  status = new_const(p, out, x->elem_type, rank, dims, &f, &i);
  if (status != pqnn_status_success) return status;
  int64_t outer = 1, inner = 1, ni;
  for (int d = 0; d < axis; d++) outer *= x->dims[d];
  for (int d = (int) axis + 1; d < x->rank; d++) inner *= x->dims[d];
  if (!ox_elements(idx, &ni)) return ox_invalid(p, "bad indices");
  const int64_t len = x->dims[axis];
  for (int64_t o = 0; o < outer; o++) {
    for (int64_t j = 0; j < ni; j++) {
      int64_t v = idx->i[j];
      if (v < 0) v += len;
      if (v < 0 || v >= len) return ox_invalid(p, "Gather index out of range");
      for (int64_t q = 0; q < inner; q++) {
        const int64_t src = (o * len + v) * inner + q, dst = (o * ni + j) * inner + q;
        if (f != NULL) f[dst] = x->f[src]; else i[dst] = x->i[src];
      }
    }
  }
  return pqnn_status_success;
}

enum pqnn_status ox_slice_bounds(struct ox_pass* p, const struct ox_tensor* x, int64_t* begin,
    int64_t* step, int64_t* dims) {
  int64_t starts[OX_MAX_RANK], ends[OX_MAX_RANK], axes[OX_MAX_RANK], steps[OX_MAX_RANK];
  size_t n = 0;
  const struct ox_node* node = p->node;
  if (node->num_inputs >= 3) {
    const struct ox_tensor* operand[4] = {NULL, NULL, NULL, NULL};
    for (size_t k = 1; k < node->num_inputs && k < 5; k++) {
      operand[k - 1] = node->inputs[k] < 0 ? NULL : &p->t[node->inputs[k]];
      if (operand[k - 1] != NULL && (!operand[k - 1]->is_const || operand[k - 1]->i == NULL)) {
        return ox_unsupported(p, "Slice bounds must be constant ints");
      }
    }
    int64_t cnt;
    if (operand[0] == NULL || operand[1] == NULL || !ox_elements(operand[0], &cnt) ||
        cnt > OX_MAX_RANK) {
      return ox_invalid(p, "bad Slice starts");
    }
    n = (size_t) cnt;
    for (int k = 1; k < 4; k++) {
      int64_t c2;
      if (operand[k] != NULL && (!ox_elements(operand[k], &c2) || c2 != cnt)) {
        return ox_invalid(p, "Slice operands differ in length");
      }
    }
    for (size_t k = 0; k < n; k++) {
      starts[k] = operand[0]->i[k];
      ends[k] = operand[1]->i[k];
      axes[k] = operand[2] != NULL ? operand[2]->i[k] : (int64_t) k;
      steps[k] = operand[3] != NULL ? operand[3]->i[k] : 1;
    }
  } else {
    size_t ns, ne, na;
    enum pqnn_status status = ox_attr_ints(p, "starts", OX_MAX_RANK, starts, &ns);
    if (status == pqnn_status_success) status = ox_attr_ints(p, "ends", OX_MAX_RANK, ends, &ne);
    if (status == pqnn_status_success) status = ox_attr_ints(p, "axes", OX_MAX_RANK, axes, &na);
    if (status != pqnn_status_success) return status;
    if (ns != ne || (na != 0 && na != ns)) return ox_invalid(p, "bad Slice attributes");
    n = ns;
    for (size_t k = 0; k < n; k++) {
      if (na == 0) axes[k] = (int64_t) k;
      steps[k] = 1;
    }
  }
  for (int d = 0; d < x->rank; d++) {
    begin[d] = 0;
    step[d] = 1;
    dims[d] = x->dims[d];
  }
  bool seen[OX_MAX_RANK] = {false};
  for (size_t k = 0; k < n; k++) {
    const int64_t a = normalize_axis(axes[k], x->rank);
    if (a < 0 || a >= x->rank || seen[a] || steps[k] == 0 || steps[k] > OX_MAX_ELEMENTS ||
        steps[k] < -OX_MAX_ELEMENTS) {
      return ox_invalid(p, "bad Slice axis or step");
    }
    seen[a] = true;
    const int64_t len = x->dims[a];
    if (len < 0) {  /* a dim not set yet (listing): nor is the slice's length */
      begin[a] = 0;
      step[a] = steps[k];
      dims[a] = -1;
      continue;
    }
    int64_t s = starts[k], e = ends[k];
    if (s < 0) s = s < -len ? -len : s, s += len;
    if (e < 0) e = e < -len ? -len : e, e += len;
    if (steps[k] > 0) {
      s = s > len ? len : s;
      e = e > len ? len : e;
      dims[a] = e > s ? (e - s + steps[k] - 1) / steps[k] : 0;
    } else {
      s = s > len - 1 ? len - 1 : s;
      e = e > len - 1 ? len - 1 : e;
      if (ends[k] < -len) e = -1;
      dims[a] = s > e ? (s - e - steps[k] - 1) / -steps[k] : 0;
    }
    begin[a] = s;
    step[a] = steps[k];
  }
  return pqnn_status_success;
}

static enum pqnn_status fold_slice(struct ox_pass* p, const struct ox_tensor* x,
    struct ox_tensor* out) {
  int64_t begin[OX_MAX_RANK], step[OX_MAX_RANK], dims[OX_MAX_RANK];
  enum pqnn_status status = ox_slice_bounds(p, x, begin, step, dims);
  if (status != pqnn_status_success) return status;
  float* f;
  int64_t* i;
  status = new_const(p, out, x->elem_type, x->rank, dims, &f, &i);
  if (status != pqnn_status_success) return status;
  int64_t total;
  if (!ox_elements(out, &total) || total == 0) return pqnn_status_success;
  int64_t c[OX_MAX_RANK] = {0};
  int64_t k = 0;
  do {
    int64_t src = 0;
    for (int d = 0; d < x->rank; d++) src = src * x->dims[d] + begin[d] + c[d] * step[d];
    if (f != NULL) f[k] = x->f[src]; else i[k] = x->i[src];
    k++;
  } while (next_coord(c, dims, x->rank));
  return pqnn_status_success;
}

static enum pqnn_status fold_concat(struct ox_pass* p, struct ox_tensor* out) {
  const struct ox_node* node = p->node;
  int64_t axis;
  enum pqnn_status status = ox_attr_int(p, "axis", 0, &axis);
  if (status != pqnn_status_success) return status;
  if (node->num_inputs == 0 || node->inputs[0] < 0) return ox_invalid(p, "no inputs");
  const struct ox_tensor* first = &p->t[node->inputs[0]];
  axis = normalize_axis(axis, first->rank);
  if (axis < 0 || axis >= first->rank) return ox_invalid(p, "bad Concat axis");
  int64_t dims[OX_MAX_RANK];
  for (int d = 0; d < first->rank; d++) dims[d] = first->dims[d];
  dims[axis] = 0;
  bool is_float = false;
  for (size_t k = 0; k < node->num_inputs; k++) {
    if (node->inputs[k] < 0) return ox_invalid(p, "missing Concat input");
    const struct ox_tensor* x = &p->t[node->inputs[k]];
    if (x->rank != first->rank) return ox_invalid(p, "Concat ranks differ");
    for (int d = 0; d < x->rank; d++) {
      if (d != axis && x->dims[d] != first->dims[d]) return ox_invalid(p, "Concat dims differ");
    }
    if (dims[axis] > OX_MAX_ELEMENTS - x->dims[axis]) return ox_invalid(p, "Concat too large");
    dims[axis] += x->dims[axis];
    is_float |= x->f != NULL;
  }
  float* f;
  int64_t* i;
  status = new_const(p, out, is_float ? OX_FLOAT : OX_INT64, first->rank, dims, &f, &i);
  if (status != pqnn_status_success) return status;
  int64_t outer = 1, inner = 1;
  for (int d = 0; d < axis; d++) outer *= dims[d];
  for (int d = (int) axis + 1; d < first->rank; d++) inner *= dims[d];
  int64_t k = 0;
  for (int64_t o = 0; o < outer; o++) {
    for (size_t j = 0; j < node->num_inputs; j++) {
      const struct ox_tensor* x = &p->t[node->inputs[j]];
      const int64_t run = x->dims[axis] * inner;
      for (int64_t q = 0; q < run; q++, k++) {
        /* int output only when every input is int */
        if (f != NULL) f[k] = (float) get(x, o * run + q); else i[k] = x->i[o * run + q];
      }
    }
  }
  return pqnn_status_success;
}

static enum pqnn_status fold_cast(struct ox_pass* p, const struct ox_tensor* x,
    struct ox_tensor* out) {
  int64_t to;
  enum pqnn_status status = ox_attr_int(p, "to", 0, &to);
  if (status != pqnn_status_success) return status;
  if (to < 0 || to > 64 || (!ox_is_float_type((int32_t) to) && !ox_is_int_type((int32_t) to))) {
    return ox_unsupported(p, "Cast to type %lld", (long long) to);
  }
  float* f;
  int64_t* i;
  status = new_const(p, out, (int32_t) to, x->rank, x->dims, &f, &i);
  if (status != pqnn_status_success) return status;
  int64_t n;
  if (!ox_elements(x, &n)) return ox_invalid(p, "bad constant");
  for (int64_t k = 0; k < n; k++) {
    if (f != NULL) {
      f[k] = x->f != NULL ? x->f[k] : (float) x->i[k];
    } else {
      const double v = x->f != NULL ? (double) x->f[k] : 0.0;
      if (x->f != NULL && !(fabs(v) < 9.2e18)) return ox_invalid(p, "Cast out of range");
      i[k] = x->f != NULL ? (int64_t) v : x->i[k];
      if (to == OX_BOOL) i[k] = i[k] != 0;
    }
  }
  return pqnn_status_success;
}

static enum pqnn_status fold_constant_of_shape(struct ox_pass* p, const struct ox_tensor* s,
    struct ox_tensor* out) {
  int64_t n;
  if (s->i == NULL || !ox_elements(s, &n) || n > OX_MAX_RANK) {
    return ox_invalid(p, "bad ConstantOfShape shape");
  }
  for (int64_t k = 0; k < n; k++) {
    if (s->i[k] < 0) return ox_invalid(p, "negative dim");
  }
  const Onnx__AttributeProto* a = ox_attr(p->node, "value");
  struct ox_tensor value = {.rank = -1};
  void* data = NULL;
  float fv = 0.0f;
  int64_t iv = 0;
  int32_t type = OX_FLOAT;
  if (a != NULL && a->t != NULL) {
    enum pqnn_status status = ox_decode_tensor(a->t, 1, &value, &data);
    if (status != pqnn_status_success) return ox_invalid(p, "bad ConstantOfShape value");
    int64_t vn;
    if (!ox_elements(&value, &vn) || vn != 1) {
      free(data);
      return ox_invalid(p, "ConstantOfShape value must hold one element");
    }
    type = value.elem_type;
    if (value.f != NULL) fv = value.f[0]; else iv = value.i[0];
    free(data);
  }
  float* f;
  int64_t* i;
  enum pqnn_status status = new_const(p, out, type, (int) n, s->i, &f, &i);
  if (status != pqnn_status_success) return status;
  int64_t total;
  if (!ox_elements(out, &total)) return ox_invalid(p, "too large");
  for (int64_t k = 0; k < total; k++) {
    if (f != NULL) f[k] = fv; else i[k] = iv;
  }
  return pqnn_status_success;
}

enum pqnn_status ox_fold(struct ox_pass* p, bool* handled) {
  const struct ox_node* node = p->node;
  const char* op = node->proto->op_type;
  *handled = false;
  struct ox_tensor* out = ox_output(p, 0);
  if (out == NULL) return pqnn_status_success;
  if (strcmp(op, "Constant") == 0) {
    *handled = true;
    return fold_constant(p, out);
  }
  if (strcmp(op, "Shape") == 0) {
    struct ox_tensor* x;
    enum pqnn_status status = ox_input(p, 0, &x);
    if (status != pqnn_status_success) return status;
    *handled = true;
    if (!ox_shape_known(x)) {
      if (p->listing) {  /* depends on a dim not set yet: assume it folds */
        out->available = true;
        out->poisoned = true;
        out->elem_type = OX_INT64;
        out->rank = -1;
        return pqnn_status_success;
      }
      return ox_unsupported(p, "shape of '%s' is not known", x->name);
    }
    int64_t start = 0, end = x->rank;
    status = ox_attr_int(p, "start", 0, &start);
    if (status == pqnn_status_success) status = ox_attr_int(p, "end", x->rank, &end);
    if (status != pqnn_status_success) return status;
    start = normalize_axis(start, x->rank);
    end = normalize_axis(end, x->rank);
    start = start < 0 ? 0 : start > x->rank ? x->rank : start;
    end = end < 0 ? 0 : end > x->rank ? x->rank : end;
    const int64_t n = end > start ? end - start : 0;
    float* f = NULL;
    int64_t* i = NULL;
    status = new_const(p, out, OX_INT64, 1, &n, &f, &i);
    for (int64_t k = 0; status == pqnn_status_success && k < n; k++) i[k] = x->dims[start + k];
    return status;
  }
  /* The others fold only when every present input is constant. */
  for (size_t k = 0; k < node->num_inputs; k++) {
    if (node->inputs[k] >= 0 && !p->t[node->inputs[k]].is_const) return pqnn_status_success;
  }
  if (node->num_inputs == 0 || node->inputs[0] < 0) return pqnn_status_success;
  const struct ox_tensor* x = &p->t[node->inputs[0]];
  const struct ox_tensor* y = node->num_inputs > 1 && node->inputs[1] >= 0 ? &p->t[node->inputs[1]] : NULL;
  *handled = true;
  if (strcmp(op, "Gather") == 0) {
    if (y == NULL) return ox_invalid(p, "missing indices");
    return fold_gather(p, x, y, out);
  }
  for (size_t k = 0; k < sizeof(kFoldBinary) / sizeof(kFoldBinary[0]); k++) {
    if (strcmp(op, kFoldBinary[k].name) == 0 && node->num_inputs == 2) {
      if (y == NULL) return ox_invalid(p, "missing operand");
      return fold_binary(p, kFoldBinary[k].op, x, y, out);
    }
  }
  if (strcmp(op, "Where") == 0) {
    if (node->num_inputs != 3 || y == NULL || node->inputs[2] < 0) {
      return ox_invalid(p, "Where needs a condition and two operands");
    }
    return fold_where(p, x, y, &p->t[node->inputs[2]], out);
  }
  if (strcmp(op, "Range") == 0) return fold_range(p, out);
  if (strcmp(op, "DequantizeLinear") == 0) return fold_dequantize(p, x, out);
  if (strcmp(op, "QuantizeLinear") == 0) return fold_quantize(p, x, out);
  if (strcmp(op, "Not") == 0 || strcmp(op, "Neg") == 0 || strcmp(op, "Abs") == 0 ||
      strcmp(op, "Sqrt") == 0 || strcmp(op, "Floor") == 0 || strcmp(op, "Ceil") == 0 ||
      strcmp(op, "Reciprocal") == 0 || strcmp(op, "Round") == 0) {
    return fold_unary(p, op, x, out);
  }
  if (strcmp(op, "Slice") == 0) return fold_slice(p, x, out);
  if (strcmp(op, "Concat") == 0) return fold_concat(p, out);
  if (strcmp(op, "Cast") == 0) return fold_cast(p, x, out);
  if (strcmp(op, "ConstantOfShape") == 0) return fold_constant_of_shape(p, x, out);
  if (strcmp(op, "Reshape") == 0 || strcmp(op, "Flatten") == 0 || strcmp(op, "Squeeze") == 0 ||
      strcmp(op, "Unsqueeze") == 0 || strcmp(op, "Identity") == 0) {
    struct ox_tensor shape = {.rank = -1};
    enum pqnn_status status = ox_reshape_shape(p, x, &shape);
    if (status != pqnn_status_success) return status;
    return copy_const(p, x, out, shape.rank, shape.dims);
  }
  *handled = false;
  return pqnn_status_success;
}
