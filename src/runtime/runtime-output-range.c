/* Output range fusion (runtime-executors.h). An f32 -> qd8 convert quantizing per image (the
 * input of a qd8 convolution: one range per image) reads its whole input twice: once for
 * the image's range, once to quantize it. When a fully connected or convolution op writes
 * that input, its epilogue merges each tile's range into the image's slot as it writes the
 * tile, still in L1 (src/operators/output-range.h), and the convert runs only its quantize
 * pass from the merged ranges: the same params and data bit for bit (the convert's own
 * range kernel, exact min / max / or merges). PaddleOCR det: the 160x160x96 map of its
 * neck's last squeeze-excite layer, 9.8 MB quantized for the 3x3 96 -> 24 head
 * convolution; MobileNet v1 / v2 qd8: every convolution's input written by the layer
 * before. */
#include "allocator.h"
#include "logging.h"
#include "operator.h"
#include "operators/output-range.h"
#include "operators/paths.h"
#include "runtime/runtime-executors.h"
#include "runtime/runtime-shared.h"

/* An inserted f32 -> qd8 convert with one range per image. */
static bool quantizes_images(const struct pqnn_runtime* rt, const struct pqnn_rt_op* op) {
  return pqnn_rt_is_inserted_qd8_convert(rt, op) && rt->tensors[op->output].qd8_per_image;
}

/* A fully connected or (non-depthwise) convolution op with an f32 output. */
static bool writes_f32_tiles(const struct pqnn_runtime* rt, const struct pqnn_rt_op* op) {
  return (op->node.type == pqnn_node_type_fully_connected ||
          op->node.type == pqnn_node_type_convolution_2d) &&
      rt->tensors[op->output].datatype == pqnn_datatype_fp32;
}

/* Whether an op before `before` already takes its ranges from writer w (a writer's epilogue
 * merges into one set of slots: of two converts of one value, each quantizing it for
 * another qd8 reader, the first takes them, the second runs its own range pass). */
static bool claimed(const struct pqnn_runtime* rt, uint32_t w, uint32_t before) {
  for (uint32_t j = 0; j < before; j++) {
    if (rt->ops[j].range_source == w) return true;
  }
  return false;
}

void pqnn_rt_plan_output_ranges(struct pqnn_runtime* rt) {
  pqnn_rt_index_ops(rt);  /* each tensor's writer */
  for (uint32_t i = 0; i < rt->num_ops; i++) {
    struct pqnn_rt_op* op = &rt->ops[i];
    op->range_source = PQNN_NO_NODE;
    op->range_bound = false;
    if (rt->no_range_fusion || !quantizes_images(rt, op)) continue;
    const uint32_t w = rt->tensors[op->inputs[0]].producer;
    if (w != PQNN_NO_NODE && w < i && writes_f32_tiles(rt, &rt->ops[w]) && !claimed(rt, w, i)) {
      op->range_source = w;
    }
  }
}

static void unbind(struct pqnn_runtime* rt, struct pqnn_rt_op* op) {
  if (op->range_bound && rt->ops[op->range_source].op != NULL) {
    (void) pqnn_set_output_range(rt->ops[op->range_source].op, NULL);
  }
  op->range_bound = false;
}

/* Whether each epilogue call of operator s covers whole output rows (all its channels,
 * contiguous): the range kernel then runs once per tile, not once per row. Per row, the
 * kernel's fixed cost (a horizontal reduction) made the writers as much slower as the
 * convert got faster (MobileNet v2 qd8, 64-column tiles of 96..960 channels). The Winograd
 * path hands over rows of whole pixels; GEMM, IGEMM and PATCH tiles span nc_tile columns. */
static bool writes_dense_tiles(const struct pqnn_operator* s) {
  if (s->path == pqnn_gemm_path_winograd) return true;
  return (s->path == pqnn_gemm_path_gemm || s->path == pqnn_gemm_path_igemm ||
          s->path == pqnn_gemm_path_patch) &&
      s->groups == 1 && s->nc_tile >= s->group_output_channels;
}

/* The source's rows per image of the convert's input, or 0 where the pair does not fit. */
static size_t source_rows_per_image(const struct pqnn_runtime* rt, const struct pqnn_rt_op* op) {
  const struct pqnn_rt_op* source = &rt->ops[op->range_source];
  const struct pqnn_operator* s = source->op;
  const struct pqnn_rt_tensor* x = &rt->tensors[op->inputs[0]];
  if (s == NULL || op->op == NULL || s->spec.output_element_size != sizeof(float) ||
      !writes_dense_tiles(s) || !pqnn_convert_takes_ranges(op->op) ||
      x->shape.num_dims < 2 || x->shape.dim[0] == 0 || op->op->batch_size != x->shape.dim[0]) {
    return 0;
  }
  /* The source writes dense rows of its output channels (the tensor's last dimension). */
  const size_t channels = x->shape.dim[x->shape.num_dims - 1];
  const size_t per_image = op->op->context.convert.channels;
  if (channels == 0 || per_image % channels != 0 ||
      s->output_pixel_stride != s->groups * s->group_output_channels ||
      s->groups * s->group_output_channels != channels) {
    return 0;
  }
  return per_image / channels;
}

enum pqnn_status pqnn_rt_reshape_output_range(struct pqnn_runtime* rt, struct pqnn_rt_op* op) {
  if (op->range_source == PQNN_NO_NODE) return pqnn_status_success;
  unbind(rt, op);
  const size_t rows = source_rows_per_image(rt, op);
  if (rows == 0) return pqnn_status_success;
  const size_t images = op->op->batch_size;
  struct pqnn_output_ranges* ranges = pqnn_output_ranges_reserve(op->ranges, images, rows);
  op->ranges = ranges;
  if (ranges == NULL) return pqnn_status_success;  /* runs its own range pass */
  if (images > op->range_capacity) {
    pqnn_release(op->range_values);
    pqnn_release(op->range_inv);
    op->range_capacity = 0;
    op->range_values = pqnn_allocate(images * sizeof(struct pqnn_qd8_range));
    op->range_inv = pqnn_allocate(images * sizeof(float));
    if (op->range_values == NULL || op->range_inv == NULL) {
      PQNN_LOG_ERROR("out of memory for the ranges of %zu images", images);
      return pqnn_status_out_of_memory;
    }
    op->range_capacity = images;
  }
  const enum pqnn_status status = pqnn_set_output_range(rt->ops[op->range_source].op, ranges);
  op->range_bound = status == pqnn_status_success;
  return status;
}

bool pqnn_rt_run_output_range(struct pqnn_runtime* rt, struct pqnn_rt_op* op) {
  if (!op->range_bound) return false;
  const size_t images = op->op->batch_size;
  pqnn_output_ranges_read(op->ranges, images, op->range_values);
  pqnn_run_convert_ranged(op->op, op->range_values, op->range_inv, rt->threadpool);
  return true;
}

void pqnn_rt_reset_output_ranges(struct pqnn_runtime* rt) {
  for (uint32_t i = 0; i < rt->num_ops; i++) {
    if (rt->ops[i].range_bound) pqnn_output_ranges_reset(rt->ops[i].ranges);
  }
}

void pqnn_rt_release_output_range(struct pqnn_rt_op* op) {
  pqnn_output_ranges_release(op->ranges);
  pqnn_release(op->range_values);
  pqnn_release(op->range_inv);
  op->ranges = NULL;
  op->range_values = NULL;
  op->range_inv = NULL;
  op->range_capacity = 0;
  op->range_bound = false;
}
