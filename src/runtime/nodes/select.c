/* Select (ONNX Where): output = condition != 0 ? input1 : input2 with numpy broadcasting
 * over the three inputs: define, shape and datatype rules, kernel, executor. The kernels
 * (x32-vselect for fp32, x16-vselect for fp16: pqnn_get_elementwise_config()) move bits,
 * so fp32 and fp16 run the same way and give the same bits on every tier.
 *
 * The broadcast is simplified at each run into at most PQNN_MAX_DIMS dims (dims of 1
 * dropped, neighbours where every operand is broadcast or every operand is not merged);
 * a tile is a span of up to kSpan elements of one output row (the last simplified dim).
 * An operand read along the row is passed in place; one broadcast along it is one element,
 * copied kSpan times into a stack buffer. */
#include <math.h>
#include <string.h>

#include "configs/config.h"
#include "logging.h"
#include "runtime/nodes/compute-nodes.h"
#include "runtime/runtime-shared.h"

enum { kSpan = 1024 };

/* The dim of `s` right-aligned at output position d of a rank-r output (1 when missing). */
static size_t aligned_dim(const struct pqnn_shape* s, size_t r, size_t d) {
  return d + s->num_dims < r ? 1 : s->dim[d + s->num_dims - r];
}

static enum pqnn_status infer(const char* function, const struct pqnn_node* node,
    const struct pqnn_shape* const* in, struct pqnn_shape* out) {
  (void) node;
  size_t r = 0;
  for (size_t k = 0; k < 3; k++) r = in[k]->num_dims > r ? in[k]->num_dims : r;
  out->num_dims = r;
  for (size_t d = 0; d < r; d++) {
    size_t dim = 1;
    for (size_t k = 0; k < 3; k++) {
      const size_t kd = aligned_dim(in[k], r, d);
      if (kd == 1) continue;
      if (dim != 1 && dim != kd) {
        pqnn_log_error(function, "input dims do not broadcast: %zu against %zu at output dim %zu",
            dim, kd, d);
        return pqnn_status_invalid_parameter;
      }
      dim = kd;
    }
    out->dim[d] = dim;
  }
  return pqnn_status_success;
}

static enum pqnn_status check(const char* function, const struct pqnn_node* node,
    const struct pqnn_value* const* in, const struct pqnn_value* out) {
  return pqnn_compute_check_float(function, node, in, out, 0);
}

enum pqnn_status pqnn_define_select(pqnn_subgraph_t subgraph, uint32_t condition_id,
    uint32_t input1_id, uint32_t input2_id, uint32_t output_id, uint32_t flags) {
  /* Input 2 is not an optional bias here (the define step lets an invalid third id pass). */
  if (input2_id == PQNN_INVALID_VALUE_ID) {
    PQNN_LOG_ERROR("input2: value id %u is not defined", (unsigned) input2_id);
    return pqnn_status_invalid_parameter;
  }
  struct pqnn_node node = {.type = pqnn_node_type_select, .num_inputs = 3,
      .inputs = {condition_id, input1_id, input2_id}, .output = output_id,
      .output_min = -INFINITY, .output_max = INFINITY, .flags = flags};
  return pqnn_subgraph_define_node(__func__, subgraph, &node, 0);
}

/* The simplified broadcast: m dims (m >= 1), each operand's element stride per dim (0:
 * broadcast), the output dense. */
struct geometry {
  size_t m, blocks, rows;
  size_t dim[PQNN_MAX_DIMS];
  size_t stride[3][PQNN_MAX_DIMS];
};

static void simplify(const struct pqnn_runtime* rt, const struct pqnn_rt_op* op,
    struct geometry* g) {
  const struct pqnn_shape* ys = &rt->tensors[op->output].shape;
  const struct pqnn_shape* xs[3];
  for (size_t k = 0; k < 3; k++) xs[k] = &rt->tensors[op->inputs[k]].shape;
  const size_t r = ys->num_dims;
  size_t below[3] = {1, 1, 1};  /* each operand's elements after dim d */
  size_t stride[3][PQNN_MAX_DIMS];
  bool full[3][PQNN_MAX_DIMS];
  for (size_t d = r; d-- > 0;) {
    for (size_t k = 0; k < 3; k++) {
      const size_t kd = aligned_dim(xs[k], r, d);
      full[k][d] = kd != 1;
      stride[k][d] = below[k];
      below[k] *= kd;
    }
  }
  g->m = 0;
  bool last[3] = {false, false, false};
  for (size_t d = 0; d < r; d++) {
    if (ys->dim[d] == 1) continue;
    const bool merge = g->m != 0 && full[0][d] == last[0] && full[1][d] == last[1] &&
        full[2][d] == last[2];
    if (merge) {
      g->dim[g->m - 1] *= ys->dim[d];
    } else {
      g->dim[g->m++] = ys->dim[d];
    }
    for (size_t k = 0; k < 3; k++) {
      g->stride[k][g->m - 1] = full[k][d] ? stride[k][d] : 0;
      last[k] = full[k][d];
    }
  }
  if (g->m == 0) {  /* one element */
    g->m = 1;
    g->dim[0] = 1;
    for (size_t k = 0; k < 3; k++) g->stride[k][0] = 0;
  }
  g->rows = 1;
  for (size_t d = 0; d + 1 < g->m; d++) g->rows *= g->dim[d];
  g->blocks = pqnn_divide_round_up(g->dim[g->m - 1], kSpan);
}

static enum pqnn_status reshape(struct pqnn_runtime* rt, struct pqnn_rt_op* op) {
  struct geometry g;
  simplify(rt, op, &g);
  op->range = g.rows * g.blocks;
  op->min_tile = pqnn_max_sz(1, 4096 / pqnn_min_sz(g.dim[g.m - 1], kSpan));
  return pqnn_status_success;
}

static void run_tiles(struct pqnn_runtime* rt, struct pqnn_rt_op* op, size_t start, size_t end,
    size_t size, pqnn_vselect_ukernel_fn select) {
  struct geometry g;
  simplify(rt, op, &g);
  const unsigned char* x[3];
  for (size_t k = 0; k < 3; k++) x[k] = pqnn_compute_input(rt, op, (uint32_t) k);
  unsigned char* y = rt->tensors[op->output].data;
  const size_t n = g.dim[g.m - 1];
  _Alignas(64) unsigned char buffer[3][kSpan * sizeof(float)];
  for (size_t tile = start; tile < end; tile++) {
    const size_t row = tile / g.blocks, i0 = (tile % g.blocks) * kSpan;
    const size_t nb = pqnn_min_sz(kSpan, n - i0);
    size_t offset[3] = {0, 0, 0};
    size_t rest = row;
    for (size_t d = g.m - 1; d-- > 0;) {
      const size_t i = rest % g.dim[d];
      rest /= g.dim[d];
      for (size_t k = 0; k < 3; k++) offset[k] += i * g.stride[k][d];
    }
    const void* p[3];
    for (size_t k = 0; k < 3; k++) {
      if (g.stride[k][g.m - 1] != 0) {
        p[k] = x[k] + (offset[k] + i0) * size;
      } else {
        const unsigned char* e = x[k] + offset[k] * size;
        for (size_t j = 0; j < nb; j++) memcpy(buffer[k] + j * size, e, size);
        p[k] = buffer[k];
      }
    }
    select(nb, p[0], p[1], p[2], y + (row * n + i0) * size);
  }
}

static void body_f32(struct pqnn_runtime* rt, struct pqnn_rt_op* op, size_t start, size_t end) {
  run_tiles(rt, op, start, end, sizeof(float), pqnn_get_elementwise_config()->select_x32);
}

static void body_f16(struct pqnn_runtime* rt, struct pqnn_rt_op* op, size_t start, size_t end) {
  run_tiles(rt, op, start, end, sizeof(uint16_t), pqnn_get_elementwise_config()->select_x16);
}

static const struct pqnn_rt_executor kExecutor = {reshape, NULL, pqnn_rt_run_parallel};

const struct pqnn_compute_node pqnn_select_node = {
    pqnn_node_type_select, infer, check, &kExecutor, body_f32, body_f16};
