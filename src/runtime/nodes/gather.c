/* Gather along axis 0 of a static table (an embedding lookup, ONNX Gather of a constant by
 * runtime indices): define, shape and datatype rules, kernel, executor.
 *
 * output[i..., j...] = table[indices[i...], j...]: each index selects one row of the table
 * (its elements after dim 0) and the node copies that row's bytes, so fp32 and fp16 run the
 * same loop and give the table's bits. The indices are int32 (the runtime never retypes an
 * int32 value; runtime-passes.c keeps f16 inference for a graph whose int32 values are
 * only read as gather indices). Run checks every index before any tile runs: one outside
 * [-rows, rows) fails the run with invalid_parameter and the output is not written; a
 * negative one counts from the end (ONNX). A tile is a range of indices (output rows). */
#include <math.h>
#include <string.h>

#include "logging.h"
#include "runtime/nodes/compute-nodes.h"
#include "runtime/runtime-shared.h"

/* Output dims: the indices' dims, then the table's after dim 0. */
static enum pqnn_status infer(const char* function, const struct pqnn_node* node,
    const struct pqnn_shape* const* in, struct pqnn_shape* out) {
  (void) node;
  const struct pqnn_shape* table = in[0];
  const struct pqnn_shape* indices = in[1];
  const size_t rank = indices->num_dims + table->num_dims - 1;
  if (table->num_dims == 0 || indices->num_dims == 0 || rank > PQNN_MAX_DIMS) {
    pqnn_log_error(function, "indices of rank %zu and a table of rank %zu give an output of "
        "rank %zu (1 to %d)", indices->num_dims, table->num_dims, rank, PQNN_MAX_DIMS);
    return pqnn_status_invalid_parameter;
  }
  out->num_dims = rank;
  for (size_t d = 0; d < indices->num_dims; d++) out->dim[d] = indices->dim[d];
  for (size_t d = 1; d < table->num_dims; d++) {
    out->dim[indices->num_dims + d - 1] = table->dim[d];
  }
  return pqnn_status_success;
}

/* The first index of n outside [-rows, rows), n when there is none. */
static size_t first_bad_index(const int32_t* indices, size_t n, size_t rows) {
  for (size_t i = 0; i < n; i++) {
    const int64_t v = indices[i];
    if (v < -(int64_t) rows || (v >= 0 && (uint64_t) v >= rows)) return i;
  }
  return n;
}

static enum pqnn_status check(const char* function, const struct pqnn_node* node,
    const struct pqnn_value* const* in, const struct pqnn_value* out) {
  (void) node;
  const struct pqnn_value* table = in[0];
  const struct pqnn_value* indices = in[1];
  if (table->datatype != pqnn_datatype_fp32 && table->datatype != pqnn_datatype_fp16) {
    pqnn_log_error(function, "the table is %s; it must be fp32 or fp16",
        pqnn_datatype_string(table->datatype));
    return pqnn_status_invalid_parameter;
  }
  if (out->datatype != table->datatype) {
    pqnn_log_error(function, "the output is %s, the table %s: they must match",
        pqnn_datatype_string(out->datatype), pqnn_datatype_string(table->datatype));
    return pqnn_status_invalid_parameter;
  }
  if (indices->datatype != pqnn_datatype_int32) {
    pqnn_log_error(function, "the indices are %s; they must be int32",
        pqnn_datatype_string(indices->datatype));
    return pqnn_status_invalid_parameter;
  }
  if (table->data == NULL) {
    pqnn_log_error(function, "the table must be static");
    return pqnn_status_unsupported_parameter;
  }
  if (indices->data != NULL) {
    const size_t n = pqnn_shape_elements(&indices->shape);
    const size_t bad = first_bad_index(indices->data, n, table->shape.dim[0]);
    if (bad < n) {
      pqnn_log_error(function, "indices[%zu] = %d is outside [-%zu, %zu)", bad,
          (int) ((const int32_t*) indices->data)[bad], table->shape.dim[0],
          table->shape.dim[0]);
      return pqnn_status_invalid_parameter;
    }
  }
  return pqnn_status_success;
}

enum pqnn_status pqnn_define_gather(pqnn_subgraph_t subgraph, uint32_t table_id,
    uint32_t indices_id, uint32_t output_id, uint32_t flags) {
  struct pqnn_node node = {.type = pqnn_node_type_gather, .num_inputs = 2,
      .inputs = {table_id, indices_id}, .output = output_id,
      .output_min = -INFINITY, .output_max = INFINITY, .flags = flags};
  return pqnn_subgraph_define_node(__func__, subgraph, &node, 0);
}

/* Elements of one table row (the table's dims after the first). */
static size_t row_elements(const struct pqnn_shape* table) {
  size_t n = 1;
  for (size_t d = 1; d < table->num_dims; d++) n *= table->dim[d];
  return n;
}

static enum pqnn_status reshape(struct pqnn_runtime* rt, struct pqnn_rt_op* op) {
  const struct pqnn_shape* table = &rt->tensors[op->inputs[0]].shape;
  op->rows = table->dim[0];
  op->channels = row_elements(table);
  op->range = pqnn_shape_elements(&rt->tensors[op->inputs[1]].shape);
  op->min_tile = pqnn_max_sz(1, 4096 / pqnn_max_sz(op->channels, 1));
  return pqnn_status_success;
}

static enum pqnn_status run(struct pqnn_runtime* rt, struct pqnn_rt_op* op) {
  const int32_t* indices = pqnn_compute_input(rt, op, 1);
  const size_t bad = first_bad_index(indices, op->range, op->rows);
  if (bad < op->range) {
    PQNN_LOG_ERROR("gather: indices[%zu] = %d is outside [-%zu, %zu) (the table's rows)", bad,
        (int) indices[bad], op->rows, op->rows);
    return pqnn_status_invalid_parameter;
  }
  return pqnn_rt_run_parallel(rt, op);
}

static void run_tiles(struct pqnn_runtime* rt, struct pqnn_rt_op* op, size_t start, size_t end,
    size_t size) {
  const unsigned char* table = pqnn_compute_input(rt, op, 0);
  const int32_t* indices = pqnn_compute_input(rt, op, 1);
  unsigned char* y = rt->tensors[op->output].data;
  const size_t row_bytes = op->channels * size;
  for (size_t i = start; i < end; i++) {
    const int32_t v = indices[i];  /* checked by run: -rows <= v < rows */
    const size_t row = v < 0 ? op->rows - (size_t) (-(int64_t) v) : (size_t) v;
    memcpy(y + i * row_bytes, table + row * row_bytes, row_bytes);
  }
}

static void body_f32(struct pqnn_runtime* rt, struct pqnn_rt_op* op, size_t start, size_t end) {
  run_tiles(rt, op, start, end, sizeof(float));
}

static void body_f16(struct pqnn_runtime* rt, struct pqnn_rt_op* op, size_t start, size_t end) {
  run_tiles(rt, op, start, end, sizeof(uint16_t));
}

static const struct pqnn_rt_executor kExecutor = {reshape, NULL, run};

const struct pqnn_compute_node pqnn_gather_node = {
    pqnn_node_type_gather, infer, check, &kExecutor, body_f32, body_f16};
