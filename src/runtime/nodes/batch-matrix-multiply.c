/* Batch matrix multiply of two activations: define, shape and datatype rules, f32 / f16
 * kernel, executor. a [..., M, K] x b [..., K, N] -> y [..., M, N] with numpy broadcasting
 * of up to 4 batch dims (right-aligned into the op's add2 geometry: shape = the output's
 * batch dims, strides in matrices, 0 where an operand broadcasts). A tile is a block of up
 * to kTileRows output rows of one batch matrix.
 * f32: per panel of NR columns of b, the panel is packed on the stack in the f32 GEMM
 * kernels' weight layout (zero bias) and the tile's rows run through the MR-row kernel of
 * the tier (pqnn_get_f32_gemm_config()), MR rows at a time. A panel larger than
 * kPanelFloats (K above 126 with NR = 32, 254 with NR = 16) and f16 take the block loop:
 * each output row's N outputs in blocks of PQNN_NODE_BLOCK as acc += a[m][k] * b[k][block]
 * over k in order. */
#include <math.h>
#include <string.h>

#include "configs/config.h"
#include "logging.h"
#include "runtime/node-kernels-blocks.h"
#include "runtime/nodes/compute-nodes.h"
#include "runtime/runtime-shared.h"

enum { kBlock = PQNN_NODE_BLOCK, kMaxBatchDims = 4 };
/* Output rows per tile; floats of the packed-panel stack buffer (16 KiB, so that small
 * thread stacks keep room). */
enum { kTileRows = 32, kPanelFloats = 4096 };

static enum pqnn_status infer(const char* function, const struct pqnn_node* node,
    const struct pqnn_shape* const* in, struct pqnn_shape* out) {
  (void) node;
  const struct pqnn_shape* a = in[0];
  const struct pqnn_shape* b = in[1];
  if (a->num_dims < 2 || b->num_dims < 2) {
    pqnn_log_error(function, "both inputs need at least 2 dims");
    return pqnn_status_invalid_parameter;
  }
  const size_t n = a->num_dims > b->num_dims ? a->num_dims : b->num_dims;
  if (n - 2 > kMaxBatchDims) {
    pqnn_log_error(function, "at most %d batch dims, not %zu", kMaxBatchDims, n - 2);
    return pqnn_status_unsupported_parameter;
  }
  if (a->dim[a->num_dims - 1] != b->dim[b->num_dims - 2]) {
    pqnn_log_error(function, "shape mismatch: input1's last dim (%zu) differs from input2's "
        "rows (%zu)", a->dim[a->num_dims - 1], b->dim[b->num_dims - 2]);
    return pqnn_status_invalid_parameter;
  }
  out->num_dims = n;
  for (size_t i = 0; i + 2 < n; i++) {
    const size_t da = i + a->num_dims < n ? 1 : a->dim[i + a->num_dims - n];
    const size_t db = i + b->num_dims < n ? 1 : b->dim[i + b->num_dims - n];
    if (da != db && da != 1 && db != 1) {
      pqnn_log_error(function, "shape mismatch: batch dim %zu (%zu, %zu) does not broadcast",
          i, da, db);
      return pqnn_status_invalid_parameter;
    }
    out->dim[i] = da > db ? da : db;
  }
  out->dim[n - 2] = a->dim[a->num_dims - 2];
  out->dim[n - 1] = b->dim[b->num_dims - 1];
  return pqnn_status_success;
}

static enum pqnn_status check(const char* function, const struct pqnn_node* node,
    const struct pqnn_value* const* in, const struct pqnn_value* out) {
  return pqnn_compute_check_float(function, node, in, out, 0);
}

enum pqnn_status pqnn_define_batch_matrix_multiply(pqnn_subgraph_t subgraph,
    uint32_t input1_id, uint32_t input2_id, uint32_t output_id, uint32_t flags) {
  struct pqnn_node node = {.type = pqnn_node_type_batch_matrix_multiply, .num_inputs = 2,
      .inputs = {input1_id, input2_id}, .output = output_id, .output_min = -INFINITY,
      .output_max = INFINITY, .flags = flags};
  return pqnn_subgraph_define_node(__func__, subgraph, &node, 0);
}

/* Batch strides (in matrices) of an operand right-aligned into 4 dims; 0 where it is 1. */
static void batch_strides(const struct pqnn_shape* s, size_t strides[4]) {
  size_t dims[4] = {1, 1, 1, 1};
  const size_t batch = s->num_dims - 2;
  for (size_t i = 0; i < batch; i++) dims[4 - batch + i] = s->dim[i];
  size_t stride = 1;
  for (size_t i = 4; i-- > 0;) {
    strides[i] = dims[i] == 1 ? 0 : stride;
    stride *= dims[i];
  }
}

static enum pqnn_status reshape(struct pqnn_runtime* rt, struct pqnn_rt_op* op) {
  const struct pqnn_shape* as = &rt->tensors[op->inputs[0]].shape;
  const struct pqnn_shape* ys = &rt->tensors[op->output].shape;
  const size_t batch = ys->num_dims - 2;
  for (size_t i = 0; i < 4; i++) {
    op->add2.shape[i] = i < 4 - batch ? 1 : ys->dim[i - (4 - batch)];
  }
  batch_strides(as, op->add2.a_stride);
  batch_strides(&rt->tensors[op->inputs[1]].shape, op->add2.b_stride);
  op->rows = ys->dim[batch];                 /* M */
  op->channels = ys->dim[batch + 1];         /* N */
  op->pixels = as->dim[as->num_dims - 1];    /* K */
  const size_t matrices = pqnn_shape_elements(ys) / pqnn_max_sz(op->rows * op->channels, 1);
  op->range = matrices * pqnn_divide_round_up(op->rows, kTileRows);
  if (op->channels == 0 || op->rows == 0) op->range = 0;
  op->min_tile = 1;
  return pqnn_status_success;
}

struct bmm_args {
  const struct pqnn_add2_shape* g;
  size_t m, n, k;
  const float* a32; const uint16_t* a16;
  const float* b32; const uint16_t* b16;
  float* y32; uint16_t* y16;
};

/* Matrix indices of a and b for batch matrix `batch` of the output. */
static void batch_matrices(const struct pqnn_add2_shape* g, size_t batch, size_t* a_mat,
    size_t* b_mat) {
  *a_mat = *b_mat = 0;
  for (size_t i = 4; i-- > 0;) {
    const size_t idx = batch % g->shape[i];
    batch /= g->shape[i];
    *a_mat += idx * g->a_stride[i];
    *b_mat += idx * g->b_stride[i];
  }
}

static void bmm_rows(const struct bmm_args* p, size_t start, size_t end) {
  const struct pqnn_add2_shape* g = p->g;
  float ta[kBlock], tb[kBlock], acc[kBlock];
  for (size_t row = start; row < end; row++) {
    const size_t m = row % p->m;
    size_t a_mat, b_mat;
    batch_matrices(g, row / p->m, &a_mat, &b_mat);
    const size_t a_row = (a_mat * p->m + m) * p->k;
    const size_t b_base = b_mat * p->k * p->n;
    for (size_t n0 = 0; n0 < p->n; n0 += kBlock) {
      const size_t nb = pqnn_node_block_size(p->n, n0);
      pqnn_node_fill_block(kBlock, 0.0f, acc);
      for (size_t k0 = 0; k0 < p->k; k0 += kBlock) {
        const size_t kb = pqnn_node_block_size(p->k, k0);
        pqnn_compute_load(kb, pqnn_at32(p->a32, a_row + k0), pqnn_at16(p->a16, a_row + k0), ta);
        for (size_t k = 0; k < kb; k++) {
          const size_t at = b_base + (k0 + k) * p->n + n0;
          pqnn_compute_load(nb, pqnn_at32(p->b32, at), pqnn_at16(p->b16, at), tb);
          const float av = ta[k];
          for (size_t j = 0; j < nb; j++) acc[j] += av * tb[j];
        }
      }
      const size_t out = row * p->n + n0;
      pqnn_compute_store(nb, acc, p->y32 != NULL ? p->y32 + out : NULL,
          p->y16 != NULL ? p->y16 + out : NULL);
    }
  }
}

/* Columns [n0, n0 + nb) of the K x N matrix b packed as one GEMM weight panel: NR zero
 * biases, then per group of KR k's the KR values of each of the NR columns (zero past K
 * and past nb). */
static void pack_panel(const float* b, size_t k, size_t n, size_t n0, size_t nb, size_t nr,
    size_t kr, float* out) {
  memset(out, 0, nr * sizeof(float));
  out += nr;
  if (kr == 1) {
    for (size_t kk = 0; kk < k; kk++, out += nr) {
      memcpy(out, b + kk * n + n0, nb * sizeof(float));
      memset(out + nb, 0, (nr - nb) * sizeof(float));
    }
    return;
  }
  for (size_t k0 = 0; k0 < k; k0 += kr) {
    for (size_t j = 0; j < nr; j++) {
      for (size_t i = 0; i < kr; i++, out++) {
        *out = j < nb && k0 + i < k ? b[(k0 + i) * n + n0 + j] : 0.0f;
      }
    }
  }
}

/* The f32 GEMM path over output rows [start, end) of one batch matrix (a_mat, b_mat). */
static void bmm_gemm_rows(const struct bmm_args* p, const struct pqnn_gemm_config* gc,
    size_t a_mat, size_t b_mat, size_t row_start, size_t row_end) {
  float panel[kPanelFloats];
  const struct pqnn_f32_minmax_params params = {-INFINITY, INFINITY};
  const size_t nr = gc->nr, m0 = row_start % p->m;
  const float* a = p->a32 + (a_mat * p->m + m0) * p->k;
  const float* b = p->b32 + b_mat * p->k * p->n;
  for (size_t n0 = 0; n0 < p->n; n0 += nr) {
    const size_t nb = pqnn_min_sz(nr, p->n - n0);
    pack_panel(b, p->k, p->n, n0, nb, nr, gc->kr, panel);
    for (size_t r = 0; r < row_end - row_start; r += gc->mr) {
      const size_t mr = pqnn_min_sz(gc->mr, row_end - row_start - r);
      gc->gemm[1](mr, nb, p->k * sizeof(float), a + r * p->k, p->k * sizeof(float), panel,
          p->y32 + (row_start + r) * p->n + n0, p->n * sizeof(float), nr * sizeof(float),
          &params);
    }
  }
}

static struct bmm_args args(const struct pqnn_rt_op* op) {
  return (struct bmm_args) {.g = &op->add2, .m = op->rows, .n = op->channels, .k = op->pixels};
}

/* Runs tiles [start, end): tile t is rows [m0, m0 + kTileRows) of batch matrix t / blocks. */
static void run_tiles(const struct bmm_args* p, size_t start, size_t end, bool gemm) {
  const struct pqnn_gemm_config* gc = pqnn_get_f32_gemm_config();
  const size_t blocks = pqnn_divide_round_up(p->m, kTileRows);
  const size_t panel = gc->nr + pqnn_round_up(p->k, gc->kr) * gc->nr;
  gemm = gemm && gc->gemm[1] != NULL && p->k != 0 && panel <= kPanelFloats;
  for (size_t t = start; t < end; t++) {
    const size_t batch = t / blocks, m0 = (t % blocks) * kTileRows;
    const size_t row_start = batch * p->m + m0;
    const size_t row_end = row_start + pqnn_min_sz(kTileRows, p->m - m0);
    if (gemm) {
      size_t a_mat, b_mat;
      batch_matrices(p->g, batch, &a_mat, &b_mat);
      bmm_gemm_rows(p, gc, a_mat, b_mat, row_start, row_end);
    } else {
      bmm_rows(p, row_start, row_end);
    }
  }
}

static void body_f32(struct pqnn_runtime* rt, struct pqnn_rt_op* op, size_t start, size_t end) {
  struct bmm_args a = args(op);
  a.a32 = pqnn_compute_input(rt, op, 0);
  a.b32 = pqnn_compute_input(rt, op, 1);
  a.y32 = rt->tensors[op->output].data;
  run_tiles(&a, start, end, true);
}

static void body_f16(struct pqnn_runtime* rt, struct pqnn_rt_op* op, size_t start, size_t end) {
  struct bmm_args a = args(op);
  a.a16 = pqnn_compute_input(rt, op, 0);
  a.b16 = pqnn_compute_input(rt, op, 1);
  a.y16 = rt->tensors[op->output].data;
  run_tiles(&a, start, end, false);
}

static const struct pqnn_rt_executor kExecutor = {reshape, NULL, pqnn_rt_run_parallel};

const struct pqnn_compute_node pqnn_batch_matrix_multiply_node = {
    pqnn_node_type_batch_matrix_multiply, infer, check, &kExecutor, body_f32, body_f16};
