/* Row-band execution of depthwise / pointwise chains (runtime-band.h): planning of the
 * chains (and of the deconvolution pairs, which runtime-band-deconv.c decides and runs),
 * the band executor that wraps their ops' own, the reshape-time decision and band size,
 * and the banded run. */
#include <string.h>

#include "allocator.h"
#include "configs/config.h"
#include "hardware.h"
#include "logging.h"
#include "operator.h"
#include "operators/band-rows.h"
#include "runtime/runtime-band.h"
#include "runtime/runtime-shared.h"
#include "threadpool.h"

/* ---- planning ---- */
static bool is_f32(const struct pqnn_runtime* rt, const struct pqnn_rt_op* op) {
  return rt->tensors[op->inputs[0]].datatype == pqnn_datatype_fp32 &&
      rt->tensors[op->output].datatype == pqnn_datatype_fp32;
}

/* An f32 op, or (as the chain's expansion) a qd8 one: qdint8 input, f32 output. */
static bool takes_band(const struct pqnn_runtime* rt, const struct pqnn_rt_op* op, bool expand) {
  return is_f32(rt, op) || (expand &&
      rt->tensors[op->inputs[0]].datatype == pqnn_datatype_qdint8 &&
      rt->tensors[op->output].datatype == pqnn_datatype_fp32);
}

/* A 1x1 stride-1 unpadded convolution, or a fully connected node over the pixels of an
 * NHWC tensor (how the ONNX importer lowers 1x1 convolutions). The expansion may be qd8:
 * a convolution whose input a convert quantized per image before the chain (pqnn_gemm_rows_fit
 * says which qd8 operators band; the projection of a qd8 graph reads a convert's output,
 * never the depthwise's, so it is never in the chain). */
static bool is_pointwise(const struct pqnn_runtime* rt, const struct pqnn_rt_op* op,
    bool expand) {
  if (!takes_band(rt, op, expand) || op->band != 0) return false;
  if (op->scaled.fused) return false;  /* runs at its multiply's place (runtime-pass-sefold.c) */
  if (op->node.type == pqnn_node_type_fully_connected) {
    return rt->tensors[op->inputs[0]].shape.num_dims == 4;
  }
  const struct pqnn_conv_params* p = &op->node.conv;
  return op->node.type == pqnn_node_type_convolution_2d &&
      p->kernel_height == 1 && p->kernel_width == 1 && p->stride_height == 1 &&
      p->stride_width == 1 && p->groups == 1 && p->pad_top == 0 && p->pad_bottom == 0 &&
      p->pad_left == 0 && p->pad_right == 0;
}

/* The convert of a qd8 projection's input: f32 -> qdint8 per image row, inserted by
 * dynamic quantization. */
static bool quantizes_image_rows(const struct pqnn_runtime* rt, const struct pqnn_rt_op* op) {
  return pqnn_rt_is_inserted_qd8_convert(rt, op) && rt->tensors[op->output].qd8_per_image_row;
}

/* A qd8 projection: a 1x1 convolution reading its input's params per pixel
 * (pqnn_qd8_gemm_rows_fit checks the path at reshape). */
static bool is_qd8_projection(const struct pqnn_runtime* rt, const struct pqnn_rt_op* op) {
  return op->band == 0 && !op->scaled.fused && op->qd8_pixel_rows &&
      rt->tensors[op->output].datatype == pqnn_datatype_fp32;
}

/* An intermediate: written by one op and read by exactly one other, neither static nor
 * external. */
static bool is_private(const struct pqnn_runtime* rt, uint32_t t, const uint32_t* readers) {
  const struct pqnn_rt_tensor* tensor = &rt->tensors[t];
  return readers[t] == 1 && tensor->external_flags == 0 && tensor->static_data == NULL;
}

/* The channels (last dim) of tensor t. */
static size_t channels(const struct pqnn_rt_tensor* t) {
  return t->shape.num_dims == 0 ? 1 : t->shape.dim[t->shape.num_dims - 1];
}

/* A 1x1 between two depthwise convolutions (dw -> p -> dw2, each intermediate private)
 * can be the first one's projection or the second one's expansion, not both: the chain
 * keeps its intermediate in L2, the other goes out to memory and back. It joins the side
 * whose intermediate is the larger, the second where p widens its input (its output,
 * dw2's input, has more channels over the same pixels), else the first. PaddleOCR det's
 * backbone (PP-LCNet) alternates them: 320x320 16 -> 32, 160x160 32 -> 48, 80x80 48 -> 96
 * ... join the next depthwise, 48 -> 48 ... the one before; measured in docs/runtime.md
 * ("Row bands"). */
static bool widens_into_depthwise(const struct pqnn_runtime* rt, uint32_t p,
    const uint32_t* readers) {
  const struct pqnn_rt_op* op = &rt->ops[p];
  if (!is_private(rt, op->output, readers) ||
      channels(&rt->tensors[op->output]) <= channels(&rt->tensors[op->inputs[0]])) {
    return false;
  }
  for (uint32_t d = p + 1; d < rt->num_ops; d++) {
    const struct pqnn_rt_op* dw = &rt->ops[d];
    if (dw->num_inputs == 0 || dw->inputs[0] != op->output) continue;
    return dw->node.type == pqnn_node_type_depthwise_convolution_2d && is_f32(rt, dw) &&
        dw->band == 0;
  }
  return false;
}

/* A chain's ops in order: expansion, depthwise, quantize, projection (PQNN_NO_NODE: none). */
enum { CHAIN_OPS = 4 };

/* Every op of the chain reads its other inputs (residuals) from before the chain's head. */
static bool inputs_ready(const struct pqnn_runtime* rt, const uint32_t* ops, uint32_t head,
    const uint32_t* producer) {
  for (uint32_t i = 0; i < CHAIN_OPS; i++) {
    if (ops[i] == PQNN_NO_NODE) continue;
    const struct pqnn_rt_op* op = &rt->ops[ops[i]];
    for (uint32_t k = 1; k < op->num_inputs; k++) {
      const uint32_t p = producer[op->inputs[k]];
      if (p != PQNN_NO_NODE && p >= head) return false;
    }
  }
  return true;
}

static enum pqnn_status band_reshape(struct pqnn_runtime* rt, struct pqnn_rt_op* op);
static enum pqnn_status band_setup(struct pqnn_runtime* rt, struct pqnn_rt_op* op);
static enum pqnn_status band_run(struct pqnn_runtime* rt, struct pqnn_rt_op* op);
static const struct pqnn_rt_executor kBandExecutor = {band_reshape, band_setup, band_run};

/* Gives the chain's ops (PQNN_NO_NODE entries skipped) the band executor of band `band`. */
static void claim(struct pqnn_runtime* rt, const uint32_t* ops, uint32_t band) {
  for (uint32_t i = 0; i < CHAIN_OPS; i++) {
    if (ops[i] == PQNN_NO_NODE) continue;
    struct pqnn_rt_op* op = &rt->ops[ops[i]];
    op->band = band;
    op->inner_exec = op->exec;
    op->exec = &kBandExecutor;
  }
}

/* Deconvolution pairs: a deconvolution whose input only it reads and another
 * deconvolution writes (pqnn_rt_decide_deconv_band checks at reshape that both run the
 * direct path, which the shapes decide). */
static void plan_deconv_pairs(struct pqnn_runtime* rt, const uint32_t* producer,
    const uint32_t* readers) {
  for (uint32_t s = 0; s < rt->num_ops; s++) {
    const struct pqnn_rt_op* second = &rt->ops[s];
    if (second->node.type != pqnn_node_type_deconvolution_2d || second->band != 0) continue;
    const uint32_t f = producer[second->inputs[0]];
    if (f == PQNN_NO_NODE || rt->ops[f].node.type != pqnn_node_type_deconvolution_2d ||
        rt->ops[f].band != 0 || !is_private(rt, second->inputs[0], readers) ||
        rt->tensors[second->inputs[0]].datatype == pqnn_datatype_qdint8) {
      continue;
    }
    const uint32_t ops[CHAIN_OPS] = {f, s, PQNN_NO_NODE, PQNN_NO_NODE};
    if (!inputs_ready(rt, ops, f, producer)) continue;
    rt->bands[rt->num_bands++] = (struct pqnn_rt_band) {.kind = pqnn_rt_band_deconv,
        .expand = PQNN_NO_NODE, .depthwise = PQNN_NO_NODE, .project = PQNN_NO_NODE,
        .quantize = PQNN_NO_NODE, .head = f, .last = s};
    claim(rt, ops, rt->num_bands);
  }
}

enum pqnn_status pqnn_rt_plan_bands(struct pqnn_runtime* rt) {
  if (rt->no_banding || rt->keep_values) return pqnn_status_success;
  uint32_t* producer = pqnn_allocate(((size_t) rt->num_tensors + 1) * 2 * sizeof(uint32_t));
  if (producer == NULL) return pqnn_status_out_of_memory;
  uint32_t* readers = producer + rt->num_tensors + 1;
  for (uint32_t t = 0; t < rt->num_tensors; t++) {
    producer[t] = PQNN_NO_NODE;
    readers[t] = 0;
  }
  for (uint32_t i = 0; i < rt->num_ops; i++) {
    const struct pqnn_rt_op* op = &rt->ops[i];
    producer[op->output] = i;
    for (uint32_t k = 0; k < op->num_inputs; k++) readers[op->inputs[k]]++;
  }
  size_t chains = 0;
  for (uint32_t i = 0; i < rt->num_ops; i++) {
    chains += rt->ops[i].node.type == pqnn_node_type_depthwise_convolution_2d ||
        rt->ops[i].node.type == pqnn_node_type_deconvolution_2d;
  }
  rt->bands = chains == 0 ? NULL : pqnn_allocate_zero(chains * sizeof(struct pqnn_rt_band));
  if (chains != 0 && rt->bands == NULL) {
    pqnn_release(producer);
    return pqnn_status_out_of_memory;
  }
  for (uint32_t d = 0; d < rt->num_ops; d++) {
    struct pqnn_rt_op* dw = &rt->ops[d];
    if (dw->node.type != pqnn_node_type_depthwise_convolution_2d || !is_f32(rt, dw)) continue;
    uint32_t ops[CHAIN_OPS] = {PQNN_NO_NODE, d, PQNN_NO_NODE, PQNN_NO_NODE};
    const uint32_t e = producer[dw->inputs[0]];
    if (e != PQNN_NO_NODE && is_pointwise(rt, &rt->ops[e], true) &&
        is_private(rt, dw->inputs[0], readers)) {
      ops[0] = e;
    }
    for (uint32_t p = d + 1; p < rt->num_ops && is_private(rt, dw->output, readers); p++) {
      if (rt->ops[p].inputs[0] != dw->output) continue;
      if (is_pointwise(rt, &rt->ops[p], false)) {
        if (widens_into_depthwise(rt, p, readers)) break;
        ops[3] = p;
      } else if (quantizes_image_rows(rt, &rt->ops[p]) &&
          is_private(rt, rt->ops[p].output, readers)) {
        for (uint32_t q = p + 1; q < rt->num_ops; q++) {
          if (rt->ops[q].inputs[0] == rt->ops[p].output && is_qd8_projection(rt, &rt->ops[q])) {
            ops[2] = p;
            ops[3] = q;
          }
        }
      }
    }
    if (ops[0] == PQNN_NO_NODE && ops[3] == PQNN_NO_NODE) continue;
    const uint32_t head = ops[0] != PQNN_NO_NODE ? ops[0] : d;
    if (!inputs_ready(rt, ops, head, producer)) continue;
    struct pqnn_rt_band* band = &rt->bands[rt->num_bands++];
    *band = (struct pqnn_rt_band) {.expand = ops[0], .depthwise = d, .quantize = ops[2],
        .project = ops[3], .head = head, .last = ops[3] != PQNN_NO_NODE ? ops[3] : d};
    claim(rt, ops, rt->num_bands);
  }
  plan_deconv_pairs(rt, producer, readers);
  pqnn_release(producer);
  return pqnn_status_success;
}

void pqnn_rt_release_bands(struct pqnn_runtime* rt) {
  for (uint32_t b = 0; b < rt->num_bands; b++) pqnn_release(rt->bands[b].scratch);
  pqnn_release(rt->bands);
  rt->bands = NULL;
  rt->num_bands = 0;
}

static struct pqnn_rt_band* band_of(const struct pqnn_runtime* rt, const struct pqnn_rt_op* op) {
  return op->band != 0 ? &rt->bands[op->band - 1] : NULL;
}

bool pqnn_rt_op_banded(const struct pqnn_runtime* rt, const struct pqnn_rt_op* op) {
  const struct pqnn_rt_band* band = band_of(rt, op);
  return band != NULL && band->enabled;
}

bool pqnn_rt_op_band_first(const struct pqnn_runtime* rt, const struct pqnn_rt_op* op) {
  const struct pqnn_rt_band* band = band_of(rt, op);
  return band != NULL && band->enabled && &rt->ops[band->head] == op;
}

/* ---- reshape: whether and how the chain bands ---- */
static const struct pqnn_operator* op_at(const struct pqnn_runtime* rt, uint32_t i) {
  return i != PQNN_NO_NODE ? rt->ops[i].op : NULL;
}

/* The largest band of output rows whose ring and band buffers fit the budget (at least 1);
 * quantized_row_bytes: per output row, the quantized copy's bytes (0: none). */
static size_t band_rows(const struct pqnn_dwconv_rows* g, bool expand, bool project,
    size_t quantized_row_bytes, size_t budget) {
  const size_t span = (g->kernel_height - 1) * g->dilation_height;
  size_t rows = 1;
  while (rows < g->output_height) {
    const size_t next = rows + 1;
    const size_t ring = expand ? (((next - 1) * g->stride_height + span + 1) * g->input_row_bytes) : 0;
    const size_t mid = project ? next * (g->output_row_bytes + quantized_row_bytes) : 0;
    if (ring + mid > budget) break;
    rows = next;
  }
  return rows;
}

enum pqnn_status pqnn_rt_band_reserve(struct pqnn_rt_band* band, size_t bytes) {
  if (bytes <= band->scratch_capacity) return pqnn_status_success;
  pqnn_release(band->scratch);
  band->scratch_capacity = 0;
  band->scratch = pqnn_allocate(bytes);
  if (band->scratch == NULL) {
    PQNN_LOG_ERROR("out of memory for %zu bytes of band buffers", bytes);
    return pqnn_status_out_of_memory;
  }
  band->scratch_capacity = bytes;
  return pqnn_status_success;
}

/* Whether bands of `rows` output rows save more memory traffic than they add. A band keeps
 * the chain's intermediates (`intermediate` bytes, all images) out of memory: that saves
 * writing and reading them once. But each band runs the chain's 1x1 layers on its own rows,
 * so their packed weights stream in once per band instead of once per layer: the bands add
 * (bands - 1) times their bytes. Band only where that stays under the bytes saved. The first
 * rule (band wherever the intermediates exceed L2) banded layers of many channels over few
 * pixels too: PaddleOCR rec's 240 -> 480 channel stages at 12x80 and 6x80 (weights 225-1803
 * KiB, one row a band: 1.1-1.4x the traffic saved) and det's 40x40 and 20x20 ones (1.2-9x).
 * Without them (pqnn-run, Zen 3, 1 thread, old and new binaries alternating, median of the
 * rounds' medians) det f32 runs 57.11 -> 53.17 ms (10 rounds), rec f32 29.08 -> 27.86 (12),
 * the same as with no bands at all, qd8 level; the 320x320 to 80x80 chains of det (weights
 * 2-54 KiB: 0.01-0.45x) and rec's first two keep their bands (docs/runtime.md). */
static bool band_pays(const struct pqnn_rt_band* band,
    const struct pqnn_operator* expand, const struct pqnn_operator* project,
    const struct pqnn_dwconv_rows* g, size_t rows, size_t intermediate, size_t images) {
  const size_t bands = (g->output_height + rows - 1) / rows * images;
  const size_t weights = (expand != NULL ? expand->packed_group_stride : 0) +
      (project != NULL ? project->packed_group_stride : 0);
  const size_t added = (bands - 1) * weights, saved = 2 * intermediate;
  if (added < saved) return true;
  PQNN_LOG_INFO("op %u (depthwise_convolution_2d) runs unbanded: %zu bands would read the "
      "1x1 weights (%zu KiB) %zu KiB more, to save %zu KiB of intermediates",
      (unsigned) band->depthwise, bands, weights >> 10, added >> 10, saved >> 10);
  return false;
}

static enum pqnn_status decide(struct pqnn_runtime* rt, struct pqnn_rt_band* band) {
  band->enabled = false;
  const struct pqnn_operator* expand = op_at(rt, band->expand);
  const struct pqnn_operator* project = op_at(rt, band->project);
  const struct pqnn_operator* quantize = op_at(rt, band->quantize);
  struct pqnn_dwconv_rows g;
  if (!pqnn_dwconv_rows_fit(op_at(rt, band->depthwise), &g) ||
      (expand != NULL && !pqnn_gemm_rows_fit(expand)) ||
      (project != NULL && quantize == NULL && !pqnn_gemm_rows_fit(project))) {
    return pqnn_status_success;
  }
  /* The quantized copy of a band's depthwise rows: int8 per channel, then the params of
   * each pixel (one range per image row). */
  size_t quantized_row_bytes = 0;
  if (quantize != NULL) {
    const size_t channels = g.output_pixel_bytes / sizeof(float);
    if (!pqnn_qd8_gemm_rows_fit(project) ||
        g.output_row_bytes != g.output_width * g.output_pixel_bytes ||
        !pqnn_qd8_convert_rows_fit(quantize, g.output_width * channels)) {
      return pqnn_status_success;
    }
    quantized_row_bytes = g.output_width *
        (channels + sizeof(struct pqnn_quantization_params));
  }
  /* Only where the intermediates of one image would not stay in L2. */
  const struct pqnn_rt_op* dw = &rt->ops[band->depthwise];
  const size_t images = rt->tensors[dw->output].shape.dim[0];
  size_t intermediate = 0;
  if (expand != NULL) intermediate += rt->tensors[dw->inputs[0]].bytes;
  if (project != NULL) intermediate += rt->tensors[dw->output].bytes;
  if (quantize != NULL) intermediate += rt->tensors[rt->ops[band->quantize].output].bytes;
  if (intermediate / images <= pqnn_hardware.l2_cache_size) return pqnn_status_success;

  /* Bands whose ring and band buffer take an eighth of L2 (at least one output row): the
   * rest holds the 1x1 weights and the rows streaming in and out. MobileNet v2 f32, 1
   * thread, CPU time against no banding (pqnn-demo, 2-core Zen 5 at load ~10, 3
   * interleaved rounds each): L2 / 2 0.94-0.99x, L2 / 4 0.91-0.95x, L2 / 8 0.92-0.96x
   * (9 rounds), L2 / 16 0.93-0.95x. */
  const size_t rows = band_rows(&g, expand != NULL, project != NULL, quantized_row_bytes,
      pqnn_hardware.l2_cache_size / 8);
  if (!band_pays(band, expand, project, &g, rows, intermediate, images)) {
    return pqnn_status_success;
  }
  const size_t threads = pqnn_threadpool_threads(rt->threadpool);
  const size_t tasks = threads < g.output_height ? threads : g.output_height;
  const size_t span = (g.kernel_height - 1) * g.dilation_height;
  size_t ring_rows = 0;
  if (expand != NULL) {
    ring_rows = (rows - 1) * g.stride_height + span + 1;
    if (ring_rows > g.input_height) ring_rows = g.input_height;
  }
  /* Each buffer gets 512 spare bytes, so the run can skew it from its depthwise partner
   * (4 KiB aliasing of the row kernel's walk, configs/config.h). */
  const size_t ring_region = expand != NULL
      ? pqnn_round_up(ring_rows * g.input_row_bytes, PQNN_ALIGNMENT) + 512 : 0;
  const size_t quantized_region = quantize != NULL
      ? pqnn_round_up(rows * quantized_row_bytes + sizeof(struct pqnn_quantization_params),
          PQNN_ALIGNMENT) : 0;
  const size_t mid_region = project != NULL
      ? pqnn_round_up(rows * g.output_row_bytes, PQNN_ALIGNMENT) + 512 + quantized_region : 0;
  const enum pqnn_status status = pqnn_rt_band_reserve(band, tasks * (ring_region + mid_region));
  if (status != pqnn_status_success) return status;
  band->band_rows = rows;
  band->tasks = tasks;
  band->ring_rows = ring_rows;
  band->ring_region = ring_region;
  band->task_bytes = ring_region + mid_region;
  band->enabled = true;
  return pqnn_status_success;
}

static enum pqnn_status band_reshape(struct pqnn_runtime* rt, struct pqnn_rt_op* op) {
  struct pqnn_rt_band* band = band_of(rt, op);
  if (op == &rt->ops[band->head]) band->enabled = false;
  const enum pqnn_status status = op->inner_exec->reshape(rt, op);
  if (status != pqnn_status_success || op != &rt->ops[band->last]) return status;
  return band->kind == pqnn_rt_band_deconv ? pqnn_rt_decide_deconv_band(rt, band)
                                           : decide(rt, band);
}

/* The intermediates of a banded chain are not in the arena: the operators' setup binds
 * the band scratch instead (their run never reads it; the band run names the buffers). */
static enum pqnn_status band_setup(struct pqnn_runtime* rt, struct pqnn_rt_op* op) {
  const struct pqnn_rt_band* band = band_of(rt, op);
  if (band->enabled && band->kind == pqnn_rt_band_deconv) {
    rt->tensors[rt->ops[band->head].output].data = band->scratch;
  } else if (band->enabled) {
    if (band->expand != PQNN_NO_NODE) rt->tensors[rt->ops[band->expand].output].data = band->scratch;
    if (band->project != PQNN_NO_NODE) {
      rt->tensors[rt->ops[band->depthwise].output].data = band->scratch;
    }
    if (band->quantize != PQNN_NO_NODE) {
      rt->tensors[rt->ops[band->quantize].output].data = band->scratch;
    }
  }
  return op->inner_exec->setup != NULL ? op->inner_exec->setup(rt, op) : pqnn_status_success;
}

void pqnn_rt_band_lifetimes(struct pqnn_runtime* rt) {
  for (uint32_t b = 0; b < rt->num_bands; b++) {
    const struct pqnn_rt_band* band = &rt->bands[b];
    if (!band->enabled) continue;
    const bool deconv = band->kind == pqnn_rt_band_deconv;
    const uint32_t ops[CHAIN_OPS] = {deconv ? band->head : band->expand,
        deconv ? band->last : band->depthwise, band->quantize, band->project};
    for (uint32_t i = 0; i < CHAIN_OPS; i++) {
      if (ops[i] == PQNN_NO_NODE) continue;
      const struct pqnn_rt_op* op = &rt->ops[ops[i]];
      for (uint32_t k = 0; k <= op->num_inputs; k++) {
        struct pqnn_rt_tensor* t = &rt->tensors[k < op->num_inputs ? op->inputs[k] : op->output];
        if (band->head < t->first_op) t->first_op = band->head;
        if (t->last_op < band->last) t->last_op = band->last;
      }
    }
    /* The intermediates: written and read only inside the band buffers. */
    struct pqnn_rt_tensor* mid[3] = {
      deconv ? &rt->tensors[rt->ops[band->head].output]
      : band->expand != PQNN_NO_NODE ? &rt->tensors[rt->ops[band->expand].output] : NULL,
      band->project != PQNN_NO_NODE ? &rt->tensors[rt->ops[band->depthwise].output] : NULL,
      band->quantize != PQNN_NO_NODE ? &rt->tensors[rt->ops[band->quantize].output] : NULL};
    for (uint32_t i = 0; i < 3; i++) {
      if (mid[i] == NULL) continue;
      mid[i]->in_arena = false;
      mid[i]->arena_offset = 0;
    }
  }
}

/* ---- run ---- */
struct band_task {
  const struct pqnn_runtime* rt;
  const struct pqnn_rt_band* band;
  struct pqnn_dwconv_rows g;
  const struct pqnn_operator *expand, *depthwise, *quantize, *project;
  const char* x;          /* the chain's input: the expansion's, else the depthwise's */
  char* y;                /* the chain's output: the projection's, else the depthwise's */
  size_t x_pixel_bytes, y_pixel_bytes, images;
};

/* Input rows [from, to) of image b through the expansion into the ring. */
static void expand_rows(const struct band_task* t, char* ring, size_t b, size_t from,
    size_t to) {
  const size_t width = t->g.input_row_bytes / t->g.input_pixel_bytes;
  const size_t ring_rows = t->band->ring_rows;
  while (from < to) {
    const size_t slot = from % ring_rows;
    const size_t n = to - from < ring_rows - slot ? to - from : ring_rows - slot;
    const size_t pixel = (b * t->g.input_height + from) * width;
    pqnn_gemm_rows(t->expand, t->x + pixel * t->x_pixel_bytes,
        ring + slot * t->g.input_row_bytes, pixel, n * width);
    from += n;
  }
}

/* Output rows [y0, y1) of every image, band by band, in task `part`'s buffers. */
static void run_rows(const struct band_task* t, size_t part, size_t y0, size_t y1) {
  const struct pqnn_dwconv_rows* g = &t->g;
  const struct pqnn_rt_band* band = t->band;
  char* ring = (char*) band->scratch + part * band->task_bytes;
  char* mid = ring + band->ring_region;
  /* The quantized rows and their params, after the depthwise rows (and their skew). */
  int8_t* quantized = (int8_t*) (mid + pqnn_round_up(band->band_rows * g->output_row_bytes,
      PQNN_ALIGNMENT) + 512);
  struct pqnn_quantization_params* params = (struct pqnn_quantization_params*)
      (quantized + pqnn_round_up(band->band_rows * g->output_row_bytes / sizeof(float),
          sizeof(struct pqnn_quantization_params)));
  const bool expand = t->expand != NULL, project = t->project != NULL;
  if (project) {
    if (pqnn_dwconv_row_aliases(expand ? ring : t->x, mid, g->input_pixel_bytes,
            g->output_pixel_bytes)) {
      mid += 256;
    }
  } else if (pqnn_dwconv_row_aliases(ring, t->y, g->input_pixel_bytes, g->output_pixel_bytes)) {
    ring += 256;
  }
  const size_t span = (g->kernel_height - 1) * g->dilation_height;
  const size_t ow = g->output_width, oh = g->output_height;
  const void* rows[8];
  for (size_t b = 0; b < t->images; b++) {
    size_t next = 0;  /* first input row not yet in the ring */
    for (size_t yb = y0; yb < y1; yb += band->band_rows) {
      const size_t ye = yb + band->band_rows < y1 ? yb + band->band_rows : y1;
      if (expand) {
        const size_t top = yb * g->stride_height, bottom = (ye - 1) * g->stride_height + span;
        const size_t lo = top > g->padding_top ? top - g->padding_top : 0;
        size_t hi = bottom >= g->padding_top ? bottom - g->padding_top + 1 : 0;
        if (hi > g->input_height) hi = g->input_height;
        const size_t from = next > lo ? next : lo;
        if (from < hi) {
          expand_rows(t, ring, b, from, hi);
          next = hi;
        }
      }
      for (size_t y = yb; y < ye; y++) {
        for (size_t ky = 0; ky < g->kernel_height; ky++) {
          const size_t iy = y * g->stride_height + ky * g->dilation_height;
          if (iy < g->padding_top || iy - g->padding_top >= g->input_height) {
            rows[ky] = NULL;
            continue;
          }
          const size_t row = iy - g->padding_top;
          rows[ky] = expand ? ring + (row % band->ring_rows) * g->input_row_bytes
                            : t->x + (b * g->input_height + row) * g->input_row_bytes;
        }
        char* out = project ? mid + (y - yb) * g->output_row_bytes
                            : t->y + (b * oh + y) * g->output_row_bytes;
        pqnn_dwconv_row(t->depthwise, rows, out, (b * oh + y) * ow);
      }
      if (project) {
        const size_t pixel = (b * oh + yb) * ow;
        if (t->quantize != NULL) {
          pqnn_qd8_convert_rows(t->quantize, (const float*) mid, quantized, params, ye - yb,
              ow);
          pqnn_qd8_gemm_rows(t->project, quantized, params, t->y + pixel * t->y_pixel_bytes,
              pixel, (ye - yb) * ow);
        } else {
          pqnn_gemm_rows(t->project, mid, t->y + pixel * t->y_pixel_bytes, pixel,
              (ye - yb) * ow);
        }
      }
    }
  }
}

static void run_part(void* context, size_t part) {
  const struct band_task* t = (const struct band_task*) context;
  const size_t oh = t->g.output_height, tasks = t->band->tasks;
  run_rows(t, part, part * oh / tasks, (part + 1) * oh / tasks);
}

static enum pqnn_status band_run(struct pqnn_runtime* rt, struct pqnn_rt_op* op) {
  const struct pqnn_rt_band* band = band_of(rt, op);
  if (!band->enabled) return op->inner_exec->run(rt, op);
  if (op != &rt->ops[band->head]) return pqnn_status_success;  /* ran with the head */
  if (band->kind == pqnn_rt_band_deconv) {
    pqnn_rt_run_deconv_band(rt, band);
    return pqnn_status_success;
  }
  const struct pqnn_rt_op* first = &rt->ops[band->head];
  const struct pqnn_rt_op* last = &rt->ops[band->last];
  struct band_task t = {.rt = rt, .band = band, .expand = op_at(rt, band->expand),
      .depthwise = op_at(rt, band->depthwise), .quantize = op_at(rt, band->quantize),
      .project = op_at(rt, band->project),
      .x = rt->tensors[first->inputs[0]].data, .y = rt->tensors[last->output].data,
      .images = rt->tensors[last->output].shape.dim[0]};
  pqnn_dwconv_rows_fit(t.depthwise, &t.g);
  t.x_pixel_bytes = t.expand != NULL
      ? t.expand->input_pixel_stride * t.expand->spec.input_element_size
      : t.g.input_pixel_bytes;
  t.y_pixel_bytes = t.project != NULL ? t.project->output_pixel_stride * sizeof(float)
                                      : t.g.output_pixel_bytes;
  pqnn_parallelize_1d(rt->threadpool, run_part, &t, band->tasks);
  return pqnn_status_success;
}
