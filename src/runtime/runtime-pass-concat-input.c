/* A concatenation read part by part by its Winograd convolution (pqnn_pass_read_concats_in_winograd,
 * the planner's last pass): a channel concatenation of 4-D f32 maps (an FPN head: each level,
 * often a nearest resize folded into the concat by runtime-pass-concat.c, concatenated at one
 * size) whose only reader is an f32 convolution on the Winograd path is never written: the
 * convolution's input transform reads each part's pixels itself (a resized part at its nearest
 * source pixel), into that part's channels of the transform's lines
 * (pqnn_setup_winograd_input_parts, src/operators/winograd-path.c). The transform is per
 * channel, so the outputs are the unfused graph's bit for bit. The concat op stays in the list
 * (its reshape keeps the part geometry current) with an empty range; the parts live until the
 * convolution runs (pqnn_rt_concat_input_lifetimes). `reads_concat` is the one place deciding. */
#include <string.h>

#include "allocator.h"
#include "logging.h"
#include "operator.h"
#include "runtime/nodes/layout-kernels.h"
#include "runtime/runtime-passes.h"
#include "runtime/runtime-shared.h"

/* Whether conv op `conv` may read the concatenation that writes its input part by part. */
static bool reads_concat(const struct pqnn_runtime* rt, const struct pqnn_rt_op* conv) {
  if (conv->node.type != pqnn_node_type_convolution_2d || conv->removed || conv->info.inserted ||
      conv->num_inputs == 0 || rt->tensors[conv->output].datatype != pqnn_datatype_fp32) {
    return false;
  }
  const struct pqnn_rt_tensor* x = &rt->tensors[conv->inputs[0]];
  if (x->datatype != pqnn_datatype_fp32 || x->producer == PQNN_NO_NODE || x->consumers != 1 ||
      x->external_flags != 0 || x->unwritten || x->shape.num_dims != 4) {
    return false;
  }
  const struct pqnn_rt_op* concat = &rt->ops[x->producer];
  return concat->node.type == pqnn_node_type_concatenate && !concat->folded &&
      !concat->info.inserted && concat->node.layout.axis == 3 &&
      concat->node.num_inputs <= PQNN_MAX_CONCAT_INPUTS && pqnn_rt_conv_takes_winograd(conv);
}

void pqnn_pass_read_concats_in_winograd(struct pqnn_runtime* rt) {
  if (rt->keep_values) return;  /* every value stays readable */
  pqnn_rt_index_ops(rt);
  for (uint32_t i = 0; i < rt->num_ops; i++) {
    struct pqnn_rt_op* conv = &rt->ops[i];
    if (!reads_concat(rt, conv)) continue;
    struct pqnn_rt_tensor* x = &rt->tensors[conv->inputs[0]];
    struct pqnn_rt_op* concat = &rt->ops[x->producer];
    concat->folded = true;
    concat->info.folded_into_consumer = 1;
    x->unwritten = true;
    conv->concat_input.fused = true;
    conv->concat_input.concat = x->producer;
    conv->info.fused_concat_input = 1;
  }
}

void pqnn_rt_concat_input_lifetimes(struct pqnn_runtime* rt) {
  for (uint32_t i = 0; i < rt->num_ops; i++) {
    const struct pqnn_rt_op* conv = &rt->ops[i];
    if (!conv->concat_input.fused) continue;
    const struct pqnn_rt_op* concat = &rt->ops[conv->concat_input.concat];
    for (uint32_t k = 0; k < concat->num_inputs; k++) {  /* resized parts' maps included */
      struct pqnn_rt_tensor* t = &rt->tensors[concat->inputs[k]];
      if (i > t->last_op) t->last_op = i;
    }
  }
}

/* The parts of op's concatenation at the current shapes, in op->concat_input.storage: the
 * operator's parts, then the source rows and columns of each resized part. */
static enum pqnn_status bind_parts(struct pqnn_runtime* rt, struct pqnn_rt_op* op,
    struct pqnn_winograd_part** parts_out, size_t* count_out) {
  const struct pqnn_rt_op* concat = &rt->ops[op->concat_input.concat];
  const struct pqnn_layout_geometry* g = &concat->layout;
  const struct pqnn_shape* xs = &rt->tensors[op->inputs[0]].shape;
  const size_t height = xs->dim[1], width = xs->dim[2], count = concat->node.num_inputs;
  size_t resized = 0;
  for (size_t k = 0; k < count; k++) resized += g->resized_parts >> k & 1;
  size_t bytes = 0;
  if (!pqnn_add_sz(height, width, &bytes) || !pqnn_mul_sz(bytes, resized, &bytes) ||
      !pqnn_mul_sz(bytes, sizeof(size_t), &bytes) ||
      !pqnn_add_sz(bytes, count * sizeof(struct pqnn_winograd_part), &bytes)) {
    PQNN_LOG_ERROR("the source indices of a %zux%zu concatenation overflow", height, width);
    return pqnn_status_invalid_parameter;
  }
  struct pqnn_rt_concat_input* c = &op->concat_input;
  if (bytes > c->storage_bytes) {
    pqnn_release(c->storage);
    c->storage_bytes = 0;
    c->storage = pqnn_allocate(bytes);
    if (c->storage == NULL) {
      PQNN_LOG_ERROR("out of memory for the parts of a concatenation (%zu bytes)", bytes);
      return pqnn_status_out_of_memory;
    }
    c->storage_bytes = bytes;
  }
  struct pqnn_winograd_part* parts = (struct pqnn_winograd_part*) c->storage;
  size_t* index = (size_t*) (parts + count);
  for (size_t k = 0; k < count; k++) {
    const struct pqnn_rt_tensor* t = &rt->tensors[concat->inputs[k]];
    const size_t channels = t->shape.dim[3];
    if ((g->resized_parts >> k & 1) == 0) {
      parts[k] = (struct pqnn_winograd_part) {(const float*) t->data, channels, channels,
          height, width, NULL, NULL, NULL, NULL};
      continue;
    }
    const struct pqnn_rt_op* resize = &rt->ops[g->resize_op[k]];
    const struct pqnn_layout_geometry* r = &resize->layout;  /* current: its reshape ran */
    const struct pqnn_resize_params* p = &resize->node.layout.resize;
    size_t* rows = index;
    size_t* columns = index + height;
    index += height + width;
    for (size_t y = 0; y < height; y++) {
      rows[y] = pqnn_layout_nearest_index(p->coordinates, p->rounding, y, r->in_height,
          r->out_height, r->height_scale);
    }
    for (size_t x = 0; x < width; x++) {
      columns[x] = pqnn_layout_nearest_index(p->coordinates, p->rounding, x, r->in_width,
          r->out_width, r->width_scale);
    }
    parts[k] = (struct pqnn_winograd_part) {
        (const float*) rt->tensors[resize->inputs[0]].data, channels, channels, r->in_height,
        r->in_width, rows, columns, NULL, NULL};
  }
  *parts_out = parts;
  *count_out = count;
  return pqnn_status_success;
}

enum pqnn_status pqnn_rt_setup_concat_input(struct pqnn_runtime* rt, struct pqnn_rt_op* op) {
  struct pqnn_winograd_part* parts = NULL;
  size_t count = 0;
  enum pqnn_status status = bind_parts(rt, op, &parts, &count);
  if (status != pqnn_status_success) return status;
  /* The input pointer is not read (the parts are); the first part stands for it. */
  status = pqnn_setup_convolution2d_nhwc_f32(op->op, parts[0].data,
      (float*) rt->tensors[op->output].data);
  if (status != pqnn_status_success) return status;
  return pqnn_setup_winograd_input_parts(op->op, count, parts);
}
