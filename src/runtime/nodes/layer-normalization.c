/* Layer normalization node: define, shape and datatype rules, f32 / f16 kernel, executor.
 * The input is viewed as rows x channels (channels = the product of the dims from `axis`);
 * each row is normalized with a two-pass mean / variance in f32. */
#include <math.h>

#include "logging.h"
#include "runtime/node-kernels-blocks.h"
#include "runtime/nodes/compute-nodes.h"
#include "runtime/runtime-shared.h"

enum { kBlock = PQNN_NODE_BLOCK };

static enum pqnn_status infer(const char* function, const struct pqnn_node* node,
    const struct pqnn_shape* const* in, struct pqnn_shape* out) {
  const struct pqnn_shape* x = in[0];
  const size_t axis = node->compute.axis;
  if (axis >= x->num_dims) {
    pqnn_log_error(function, "axis %zu is not below the input's %zu dims", axis, x->num_dims);
    return pqnn_status_invalid_parameter;
  }
  for (uint32_t k = 1; k < node->num_inputs; k++) {
    const struct pqnn_shape* s = in[k];
    bool ok = s->num_dims == x->num_dims - axis;
    for (size_t d = 0; ok && d < s->num_dims; d++) ok = s->dim[d] == x->dim[axis + d];
    if (!ok) {
      pqnn_log_error(function, "%s must have the input's dims from axis %zu",
          k == 1 ? "scale" : "bias", axis);
      return pqnn_status_invalid_parameter;
    }
  }
  *out = *x;
  return pqnn_status_success;
}

static enum pqnn_status check(const char* function, const struct pqnn_node* node,
    const struct pqnn_value* const* in, const struct pqnn_value* out) {
  return pqnn_compute_check_float(function, node, in, out, 0);
}

enum pqnn_status pqnn_define_layer_normalization(pqnn_subgraph_t subgraph, size_t axis,
    float epsilon, uint32_t input_id, uint32_t scale_id, uint32_t bias_id,
    uint32_t output_id, uint32_t flags) {
  if (!isfinite(epsilon) || epsilon < 0.0f) {
    PQNN_LOG_ERROR("epsilon (%g) must be finite and >= 0", (double) epsilon);
    return pqnn_status_invalid_parameter;
  }
  struct pqnn_node node = {.type = pqnn_node_type_layer_normalization,
      .num_inputs = bias_id == PQNN_INVALID_VALUE_ID ? 2 : 3,
      .inputs = {input_id, scale_id, bias_id}, .output = output_id,
      .output_min = -INFINITY, .output_max = INFINITY, .flags = flags,
      .compute = {.axis = axis, .epsilon = epsilon}};
  return pqnn_subgraph_define_node(__func__, subgraph, &node, 0);
}

/* Rows [row_start, row_end) of `channels`: exactly one of each f32 / f16 pointer pair is
 * non-NULL (bias may be absent in both). y may equal x. */
struct layer_norm_args {
  size_t channels;
  float epsilon;
  const float* x32; const uint16_t* x16;
  const float* s32; const uint16_t* s16;
  const float* b32; const uint16_t* b16;
  float* y32; uint16_t* y16;
};

static void layer_norm_rows(const struct layer_norm_args* a, size_t row_start, size_t row_end) {
  const size_t c = a->channels;
  float t[kBlock], u[kBlock], lanes[kBlock];
  for (size_t r = row_start; r < row_end; r++) {
    const size_t o = r * c;
    pqnn_node_fill_block(kBlock, 0.0f, lanes);
    for (size_t i = 0; i < c; i += kBlock) {
      const size_t nb = pqnn_node_block_size(c, i);
      pqnn_compute_load(nb, pqnn_at32(a->x32, o + i), pqnn_at16(a->x16, o + i), t);
      pqnn_node_add_block(nb, t, lanes);
    }
    float sum = 0.0f;
    for (size_t j = 0; j < kBlock; j++) sum += lanes[j];
    const float mean = sum / (float) c;
    pqnn_node_fill_block(kBlock, 0.0f, lanes);
    for (size_t i = 0; i < c; i += kBlock) {
      const size_t nb = pqnn_node_block_size(c, i);
      pqnn_compute_load(nb, pqnn_at32(a->x32, o + i), pqnn_at16(a->x16, o + i), t);
      for (size_t j = 0; j < nb; j++) {
        const float d = t[j] - mean;
        lanes[j] += d * d;
      }
    }
    float var = 0.0f;
    for (size_t j = 0; j < kBlock; j++) var += lanes[j];
    const float inv = 1.0f / sqrtf(var / (float) c + a->epsilon);
    for (size_t i = 0; i < c; i += kBlock) {
      const size_t nb = pqnn_node_block_size(c, i);
      pqnn_compute_load(nb, pqnn_at32(a->x32, o + i), pqnn_at16(a->x16, o + i), t);
      pqnn_compute_load(nb, pqnn_at32(a->s32, i), pqnn_at16(a->s16, i), u);
      for (size_t j = 0; j < nb; j++) t[j] = (t[j] - mean) * inv * u[j];
      if (a->b32 != NULL || a->b16 != NULL) {
        pqnn_compute_load(nb, pqnn_at32(a->b32, i), pqnn_at16(a->b16, i), u);
        for (size_t j = 0; j < nb; j++) t[j] += u[j];
      }
      pqnn_compute_store(nb, t, a->y32 != NULL ? a->y32 + o + i : NULL,
          a->y16 != NULL ? a->y16 + o + i : NULL);
    }
  }
}

static enum pqnn_status reshape(struct pqnn_runtime* rt, struct pqnn_rt_op* op) {
  const struct pqnn_shape* xs = &rt->tensors[op->inputs[0]].shape;
  size_t channels = 1;
  for (size_t d = op->node.compute.axis; d < xs->num_dims; d++) channels *= xs->dim[d];
  op->channels = channels;
  op->range = channels == 0 ? 0 : pqnn_shape_elements(xs) / channels;
  op->min_tile = pqnn_max_sz(1, 4096 / pqnn_max_sz(channels, 1));
  return pqnn_status_success;
}

static void body_f32(struct pqnn_runtime* rt, struct pqnn_rt_op* op, size_t start, size_t end) {
  const struct layer_norm_args a = {.channels = op->channels, .epsilon = op->node.compute.epsilon,
      .x32 = pqnn_compute_input(rt, op, 0), .s32 = pqnn_compute_input(rt, op, 1), .b32 = pqnn_compute_input(rt, op, 2),
      .y32 = rt->tensors[op->output].data};
  layer_norm_rows(&a, start, end);
}

static void body_f16(struct pqnn_runtime* rt, struct pqnn_rt_op* op, size_t start, size_t end) {
  const struct layer_norm_args a = {.channels = op->channels, .epsilon = op->node.compute.epsilon,
      .x16 = pqnn_compute_input(rt, op, 0), .s16 = pqnn_compute_input(rt, op, 1), .b16 = pqnn_compute_input(rt, op, 2),
      .y16 = rt->tensors[op->output].data};
  layer_norm_rows(&a, start, end);
}

static const struct pqnn_rt_executor kExecutor = {reshape, NULL, pqnn_rt_run_parallel};

const struct pqnn_compute_node pqnn_layer_normalization_node = {
    pqnn_node_type_layer_normalization, infer, check, &kExecutor, body_f32, body_f16};
