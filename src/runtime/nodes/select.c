/* Select (ONNX Where): output = condition != 0 ? input1 : input2 with numpy broadcasting
 * over the three inputs: define, shape and datatype rules, kernel, executor. The kernels
 * (x32-vselect for fp32, x16-vselect for fp16: pqnn_get_elementwise_config()) move bits,
 * so fp32 and fp16 run the same way and give the same bits on every tier.
 *
 * The broadcast is simplified at each run into at most PQNN_MAX_DIMS dims (dims of 1
 * dropped, neighbours where every operand is broadcast or every operand is not merged; a
 * leading dim of 1 added where one dim is left); a row is the last simplified dim. A tile is
 * as many consecutive rows of one index of the dims before as fill kSpan elements (the
 * output is dense: one kernel call), or, where a row is longer than kSpan, a span of up to
 * kSpan elements of one row. An operand read contiguously over the tile is passed in place;
 * any other is expanded into a stack buffer: a value or a row repeated over the tile, or
 * each row's value repeated along its row. One the same over all the tile's rows is
 * expanded only when its source offset changes (a per-channel condition or a scalar: once
 * per range of tiles a thread runs). */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
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

/* The simplified broadcast: m dims (m >= 2), each operand's element stride per dim (0:
 * broadcast), the output dense; a row is n = dim[m - 1] elements, a tile `group` rows (of
 * dim m - 2) of up to `span` elements each, `blocks` tiles per row where group is 1. */
struct geometry {
  size_t m, n, span, blocks, group, groups, outer;
  size_t dim[PQNN_MAX_DIMS + 1];  /* + 1: the leading 1 while simplifying */
  size_t stride[3][PQNN_MAX_DIMS + 1];
};

_Static_assert(PQNN_MAX_DIMS >= 2, "select needs two simplified dims");

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
  /* Dim 0 is a leading 1 (broadcast for every operand) until a second dim is kept. */
  g->m = 1;
  g->dim[0] = 1;
  for (size_t k = 0; k < 3; k++) g->stride[k][0] = 0;
  bool last[3] = {false, false, false};
  bool kept = false;
  for (size_t d = 0; d < r; d++) {
    if (ys->dim[d] == 1) continue;
    const bool merge = kept && full[0][d] == last[0] && full[1][d] == last[1] &&
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
    kept = true;
  }
  if (g->m > 2) {  /* drop the leading 1 */
    g->m--;
    memmove(g->dim, g->dim + 1, g->m * sizeof(size_t));
    for (size_t k = 0; k < 3; k++) {
      memmove(g->stride[k], g->stride[k] + 1, g->m * sizeof(size_t));
    }
  } else if (g->m == 1) {  /* one element */
    g->m = 2;
    g->dim[1] = 1;
    for (size_t k = 0; k < 3; k++) g->stride[k][1] = 0;
  }
  g->n = g->dim[g->m - 1];
  g->span = pqnn_min_sz(g->n, kSpan);
  g->blocks = pqnn_divide_round_up(g->n, kSpan);
  g->group = g->blocks == 1 ? pqnn_min_sz(kSpan / g->n, g->dim[g->m - 2]) : 1;
  g->groups = pqnn_divide_round_up(g->dim[g->m - 2], g->group);
  g->outer = 1;
  for (size_t d = 0; d + 2 < g->m; d++) g->outer *= g->dim[d];
}

static enum pqnn_status reshape(struct pqnn_runtime* rt, struct pqnn_rt_op* op) {
  struct geometry g;
  simplify(rt, op, &g);
  op->range = g.outer * g.groups * g.blocks;
  op->min_tile = pqnn_max_sz(1, 4096 / (g.group * g.span));
  return pqnn_status_success;
}

/* `count` copies of the `unit` bytes at src into dst (each copy doubling what is there). */
static void repeat(unsigned char* dst, const unsigned char* src, size_t unit, size_t count) {
  memcpy(dst, src, unit);
  const size_t total = unit * count;
  for (size_t done = unit; done < total;) {
    const size_t c = pqnn_min_sz(done, total - done);
    memcpy(dst + done, dst, c);
    done += c;
  }
}

/* Expands `rows` rows of `span` elements of an operand not read in place into buf: row r
 * starts at element offset + r * row_stride; along: the row is read (span elements), else
 * its one element repeated. */
static void expand(unsigned char* buf, const unsigned char* x, size_t offset, size_t row_stride,
    bool along, size_t rows, size_t span, size_t size) {
  if (row_stride == 0) {  /* every row the same */
    if (along) {
      repeat(buf, x + offset * size, span * size, rows);
    } else {
      repeat(buf, x + offset * size, size, rows * span);
    }
    return;
  }
  for (size_t r = 0; r < rows; r++) {
    const unsigned char* src = x + (offset + r * row_stride) * size;
    unsigned char* dst = buf + r * span * size;
    if (along) {
      memcpy(dst, src, span * size);
    } else {
      repeat(dst, src, size, span);
    }
  }
}

static void run_tiles(struct pqnn_runtime* rt, struct pqnn_rt_op* op, size_t start, size_t end,
    size_t size, pqnn_vselect_ukernel_fn select) {
  if (start >= end) return;
  struct geometry g;
  simplify(rt, op, &g);
  const size_t m = g.m, n = g.n, rows_dim = g.dim[m - 2];
  const unsigned char* x[3];
  for (size_t k = 0; k < 3; k++) x[k] = pqnn_compute_input(rt, op, (uint32_t) k);
  unsigned char* y = rt->tensors[op->output].data;
  _Alignas(64) unsigned char buffer[3][kSpan * sizeof(float)];
  /* Per operand: its strides along a row and from row to row; read in place (contiguous
   * over a tile); expanded only when its offset changes (the same over a tile's rows, or one
   * row a tile), with the offset expanded last (SIZE_MAX: none yet). */
  size_t along[3], across[3], expanded[3];
  bool in_place[3], reuse[3];
  for (size_t k = 0; k < 3; k++) {
    along[k] = g.stride[k][m - 1];
    across[k] = g.stride[k][m - 2];
    in_place[k] = along[k] != 0 && (g.group == 1 || across[k] == n);
    reuse[k] = across[k] == 0 || g.group == 1;
    expanded[k] = SIZE_MAX;
  }
  /* The first tile's position: tile = (outer index * groups + group index) * blocks + block;
   * then advanced tile by tile, the operands' offsets of the outer index with it. */
  size_t block = start % g.blocks;
  size_t q = start / g.blocks % g.groups;
  size_t o = start / g.blocks / g.groups;
  size_t first_row = o * rows_dim;  /* the output row of the outer index's first row */
  size_t index[PQNN_MAX_DIMS];
  size_t base[3] = {0, 0, 0};
  for (size_t d = m - 2; d-- > 0;) {
    index[d] = o % g.dim[d];
    o /= g.dim[d];
    for (size_t k = 0; k < 3; k++) base[k] += index[d] * g.stride[k][d];
  }
  for (size_t tile = start; tile < end; tile++) {
    const size_t j0 = q * g.group, rows = pqnn_min_sz(g.group, rows_dim - j0);
    const size_t i0 = block * kSpan, nb = pqnn_min_sz(kSpan, n - i0);
    const void* p[3];
    for (size_t k = 0; k < 3; k++) {
      const size_t offset = base[k] + j0 * across[k];
      if (in_place[k]) {
        p[k] = x[k] + (offset + i0) * size;
        continue;
      }
      if (!reuse[k]) {
        expand(buffer[k], x[k], offset, across[k], along[k] != 0, rows, g.span, size);
      } else if (offset != expanded[k]) {
        expand(buffer[k], x[k], offset, across[k], along[k] != 0, g.group, g.span, size);
        expanded[k] = offset;
      }
      p[k] = buffer[k];
    }
    select(rows * nb, p[0], p[1], p[2], y + ((first_row + j0) * n + i0) * size);
    if (++block < g.blocks) continue;
    block = 0;
    if (++q < g.groups) continue;
    q = 0;
    first_row += rows_dim;
    for (size_t d = m - 2; d-- > 0;) {
      for (size_t k = 0; k < 3; k++) base[k] += g.stride[k][d];
      if (++index[d] < g.dim[d]) break;
      for (size_t k = 0; k < 3; k++) base[k] -= index[d] * g.stride[k][d];
      index[d] = 0;
    }
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
