/* The planner's passes (order and contract in runtime-passes.h).
 *
 * Clamp fusion: a clamp whose input has one consumer, is not external and is produced by
 * FC / conv / dwconv / add2 / binary becomes the producer's output bounds (the intersection of both
 * ranges, when not empty); the clamp op is removed.
 *
 * f16 inference: the graph runs in f16 when PQNN_FLAG_FORCE_FP16_INFERENCE is set, or
 * PQNN_FLAG_FP16_INFERENCE is and the tier has f16 arithmetic (pqnn_fp16_inference_is_faster,
 * the one place deciding it; elsewhere the hint keeps f32 and logs why), and only when every
 * value that is not static data is f32 (no quantized activations, no user-defined
 * converts): then every intermediate becomes f16,
 * FC / conv run as f16 operators with f32 static weights converted at create, node kernels
 * use their f16 variants (static f32 inputs get runtime-owned f16 copies), and converts are
 * inserted after the external inputs and after the ops producing external outputs.
 * Anything else runs as defined.
 *
 * Dynamic-range quantization: a fully connected, (non-depthwise) convolution or
 * deconvolution node with an f32 (or, under f16 inference, f16) input and a static filter
 * runs as qd8 x qc8w when the filter is channelwise int8 (qcint8), or when
 * PQNN_FLAG_DYNAMIC_RANGE_QUANTIZATION is set and the filter is f32 (quantized per output
 * channel at create). Its input is quantized per row (FC), per image (conv), per image row
 * (a projection: a 1x1 conv reading a depthwise's output, projection_runs_pixel_rows) or
 * per pixel (deconvolution, whose GEMM rows are input pixels) by an inserted convert; its
 * output stays f32 (f16).
 * Depthwise convolution (f32 filter, multiplier 1) runs as qd8 only with stride 1, on a
 * tier whose qd8 dwconv kernels beat f32's (not aarch64), and
 * where the f32 depthwise cannot use its row kernels (depthwise_runs_qd8, the one place
 * deciding it, with the measurements; the runtime option qd8_float_depthwise keeps them
 * all float).
 * With f32 filters the flag also leaves in f32 the layers whose reduction (FC input channels,
 * conv kh * kw * group input channels) is below PQNN_QD8_MIN_REDUCTION = 64: with so few
 * multiply-adds per output the per-output dequantization and the quantization pass over the
 * input cost more than the int8 arithmetic saves, and a first layer with 3 input channels
 * runs its 8-deep int8 K blocks mostly on padding (measured: MobileNet v1's 3x3x3 stem 7x
 * slower in qd8 than f32; v1 qd8/f32 0.93x -> 1.2x with the threshold, v2 0.73x -> ~1.1x;
 * thresholds 32 to 200 were indistinguishable in the noise). Since then the int8 PATCH path
 * (few input channels) and the VNNI kernels made qd8 stems and narrow 1x1 convolutions
 * faster than f32 on the avx512vnni and avx512 tiers, so with the default threshold those
 * tiers (drq_small_convs in their qd8 config, src/configs/qd8-gemm-config.c, with the
 * measurements) take every convolution but stems (decision quantized_small_conv,
 * small_conv_runs_qd8: a stem in qd8 cost PaddleOCR det its accuracy gate); FC and
 * deconvolution layers keep the threshold there too (a
 * per-row convert of 8-16 floats costs more than it saves: PaddleOCR cls with every layer
 * qd8 ran 0.80 ms against 0.74 ms; PaddleOCR det with the threshold at 16, so that its 1x1
 * FC layers of K = 16..48 at 320x320 / 160x160 and its two deconvolutions run qd8, 34.3-35.5
 * -> 37.0-38.8 ms CPU per inference, 1 thread, avx512vnni, 3 interleaved rounds). A qcint8 filter has no f32 copy,
 * so it always runs as qd8; so does a qbint4 (4-bit blockwise) FC filter. A deconvolution's
 * reduction is its GEMM K, the group input channels (each input pixel times one tap's weights): bench/operators/deconvolution.cc,
 * 1 thread, CPU time, qd8 with its convert against f32: 4x4 stride-2 64 -> 64 2.0x faster
 * (K = 64); PaddleOCR det's 2x2 stride-2 layers (K = 24) 1.2x (24 -> 24) and 0.6x (24 -> 1)
 * then, 0.8-0.93x and 0.1x since the f32 deconvolution got faster (docs/qd8-performance.md),
 * so they stay f32 under the same threshold.
 * A convolution the f32 operator would run as Winograd stays f32 when it has at most a third
 * as many output as input channels and the qd8 IGEMM would not run it on its narrow tile
 * (winograd_beats_qd8, with the measurements).
 * 4-bit weights (issue 15): with the runtime option qd8_fc_4bit_weights, the f32 filters of
 * the FC nodes DRQ takes are quantized to 4 bits, per channel (qc4w) or per block of
 * qd8_fc_4bit_block_size (qb4w), instead of qc8w; convolutions stay qc8w (the 4-bit
 * operators are FC only). The decision (quantized_qc4w / _qb4w) picks the operator face
 * (runtime-ops-gemm.c).
 *
 * Each op the pass looks at records its decision in the op's node info (qd8_decision). */
#include <string.h>

#include "allocator.h"
#include "configs/config.h"
#include "logging.h"
#include "operator.h"
#include "runtime/runtime-passes.h"
#include "runtime/runtime-shared.h"

void pqnn_rt_drop_removed_ops(struct pqnn_runtime* rt) {
  uint32_t kept = 0;
  for (uint32_t i = 0; i < rt->num_ops; i++) {
    if (!rt->ops[i].removed) rt->ops[kept++] = rt->ops[i];
  }
  rt->num_ops = kept;
}

/* ---- 1. clamp fusion ---- */

static bool takes_fused_clamp(enum pqnn_node_type type) {
  return pqnn_rt_is_gemm_node(type) || type == pqnn_node_type_add2 ||
      type == pqnn_node_type_binary;
}

void pqnn_pass_fuse_clamps(struct pqnn_runtime* rt) {
  pqnn_rt_index_ops(rt);
  for (uint32_t i = 0; i < rt->num_ops; i++) {
    struct pqnn_rt_op* clamp = &rt->ops[i];
    const struct pqnn_rt_tensor* v = &rt->tensors[clamp->inputs[0]];
    if (clamp->node.type != pqnn_node_type_clamp || v->producer == PQNN_NO_NODE ||
        v->consumers != 1 || v->external_flags != 0) {
      continue;
    }
    struct pqnn_rt_op* producer = &rt->ops[v->producer];
    if (!takes_fused_clamp(producer->node.type) || producer->info.fused_clamp) continue;
    const float lo = producer->node.output_min > clamp->node.output_min
        ? producer->node.output_min : clamp->node.output_min;
    const float hi = producer->node.output_max < clamp->node.output_max
        ? producer->node.output_max : clamp->node.output_max;
    if (!(lo < hi)) continue;
    producer->node.output_min = producer->output_min = lo;
    producer->node.output_max = producer->output_max = hi;
    producer->output = clamp->output;
    producer->info.fused_clamp = 1;
    clamp->removed = true;
  }
  pqnn_rt_drop_removed_ops(rt);
}

/* ---- 2. f16 inference ---- */

enum pqnn_fp16_decision pqnn_rt_fp16_flags_decision(uint32_t flags) {
  if ((flags & PQNN_FLAG_FORCE_FP16_INFERENCE) != 0) return pqnn_fp16_decision_forced;
  if ((flags & PQNN_FLAG_FP16_INFERENCE) == 0) return pqnn_fp16_decision_none;
  return pqnn_fp16_inference_is_faster() ? pqnn_fp16_decision_fp16
                                         : pqnn_fp16_decision_fp32_no_arithmetic;
}

/* Whether value v is read only as the indices of gather nodes (input 1), which stay int32
 * whatever the float datatype the graph runs in. */
static bool only_gather_indices(const struct pqnn_subgraph* subgraph, uint32_t v) {
  for (uint32_t n = 0; n < subgraph->num_nodes; n++) {
    const struct pqnn_node* node = &subgraph->nodes[n];
    for (uint32_t i = 0; i < node->num_inputs; i++) {
      if (node->inputs[i] == v && (node->type != pqnn_node_type_gather || i != 1)) return false;
    }
  }
  return true;
}

/* Whether the graph can run in f16 at all: every non-static value f32 (or int32 read only as
 * gather indices: token ids), no convert node. */
static bool graph_takes_fp16(const struct pqnn_subgraph* subgraph) {
  for (uint32_t v = 0; v < subgraph->num_values; v++) {
    const struct pqnn_value* value = &subgraph->values[v];
    if (value->defined && value->data == NULL && value->datatype != pqnn_datatype_fp32 &&
        !(value->datatype == pqnn_datatype_int32 && only_gather_indices(subgraph, v))) {
      PQNN_LOG_INFO("value %u is %s: the graph runs as defined, not in f16", (unsigned) v,
          pqnn_datatype_string(value->datatype));
      return false;
    }
  }
  for (uint32_t n = 0; n < subgraph->num_nodes; n++) {
    if (subgraph->nodes[n].type == pqnn_node_type_convert) {
      PQNN_LOG_INFO("node %u is a convert: the graph runs as defined, not in f16", (unsigned) n);
      return false;
    }
  }
  return true;
}

static enum pqnn_fp16_decision graph_fp16_decision(const struct pqnn_subgraph* subgraph,
    uint32_t flags) {
  const enum pqnn_fp16_decision decision = pqnn_rt_fp16_flags_decision(flags);
  if (decision == pqnn_fp16_decision_none) return decision;
  if (!graph_takes_fp16(subgraph)) return pqnn_fp16_decision_as_defined;
  if (decision == pqnn_fp16_decision_fp32_no_arithmetic) {
    PQNN_LOG_INFO("f16 inference requested, runs f32: %s has no f16 arithmetic "
        "(PQNN_FLAG_FORCE_FP16_INFERENCE runs f16 anyway)", pqnn_isa_name());
  }
  return decision;
}

/* A static fp32 value read by an f16 node kernel: an f16 copy owned by the runtime. */
static enum pqnn_status static_to_f16(struct pqnn_rt_tensor* tensor) {
  if (tensor->static_data == NULL || tensor->datatype != pqnn_datatype_fp32) {
    return pqnn_status_success;
  }
  const size_t n = pqnn_shape_elements(&tensor->shape);
  uint16_t* copy = pqnn_allocate(n * sizeof(uint16_t));
  if (copy == NULL) return pqnn_status_out_of_memory;
  pqnn_get_convert_config()->f32_f16(n, tensor->static_data, copy);  /* RNE, as every f16 path */
  tensor->static_owned = copy;
  tensor->static_data = copy;
  tensor->datatype = pqnn_datatype_fp16;
  return pqnn_status_success;
}

/* Every op input reading `from` from op `first` on reads `to` instead. */
static void redirect_reads(struct pqnn_runtime* rt, uint32_t first, uint32_t from, uint32_t to) {
  for (uint32_t i = first; i < rt->num_ops; i++) {
    for (uint32_t k = 0; k < rt->ops[i].num_inputs; k++) {
      if (rt->ops[i].inputs[k] == from) rt->ops[i].inputs[k] = to;
    }
  }
}

enum pqnn_status pqnn_pass_fp16_inference(struct pqnn_runtime* rt,
    const struct pqnn_subgraph* subgraph) {
  rt->fp16_decision = graph_fp16_decision(subgraph, rt->flags);
  if (rt->fp16_decision != pqnn_fp16_decision_fp16 &&
      rt->fp16_decision != pqnn_fp16_decision_forced) {
    rt->flags &= ~(uint32_t) (PQNN_FLAG_FP16_INFERENCE | PQNN_FLAG_FORCE_FP16_INFERENCE);
    return pqnn_status_success;
  }
  pqnn_rt_index_ops(rt);
  for (uint32_t v = 0; v < rt->num_values; v++) {
    struct pqnn_rt_tensor* t = &rt->tensors[v];
    if (t->datatype == pqnn_datatype_fp32 && t->static_data == NULL && t->external_flags == 0) {
      t->datatype = pqnn_datatype_fp16;
    }
  }
  /* External inputs: converted once, before every op, in value order (f32 ones: int32
   * gather indices are read as they are). */
  uint32_t inserted = 0;
  for (uint32_t v = 0; v < rt->num_values; v++) {
    if ((rt->tensors[v].external_flags & PQNN_VALUE_FLAG_EXTERNAL_INPUT) == 0 ||
        rt->tensors[v].consumers == 0 || rt->tensors[v].datatype != pqnn_datatype_fp32) {
      continue;
    }
    const uint32_t copy = pqnn_rt_add_tensor(rt, v, pqnn_datatype_fp16);
    redirect_reads(rt, inserted, v, copy);
    pqnn_rt_insert_convert(rt, inserted++, v, copy);
  }
  /* External outputs: produced in f16, then converted right after their producer. */
  for (uint32_t i = inserted; i < rt->num_ops; i++) {
    struct pqnn_rt_op* op = &rt->ops[i];
    if (op->info.inserted) continue;
    if (!pqnn_rt_is_gemm_node(op->node.type)) {
      for (uint32_t k = 0; k < op->num_inputs; k++) {
        const enum pqnn_status status = static_to_f16(&rt->tensors[op->inputs[k]]);
        if (status != pqnn_status_success) return status;
      }
    }
    const uint32_t out = op->output;
    if (rt->tensors[out].external_flags == 0) continue;
    const uint32_t copy = pqnn_rt_add_tensor(rt, out, pqnn_datatype_fp16);
    op->output = copy;
    redirect_reads(rt, i + 1, out, copy);
    pqnn_rt_insert_convert(rt, i + 1, copy, out);
    i++;
  }
  return pqnn_status_success;
}

/* ---- 3. dynamic quantization ---- */

/* Multiply-adds per output element: FC input channels, conv kh * kw * group channels,
 * deconvolution group input channels (per tap). */
static size_t reduction_of(const struct pqnn_rt_op* op, const struct pqnn_value* filter) {
  if (op->node.type == pqnn_node_type_fully_connected) {
    return filter->shape.dim[(op->node.flags & PQNN_FLAG_TRANSPOSE_WEIGHTS) ? 0 : 1];
  }
  const struct pqnn_conv_params* p = &op->node.conv;
  /* A deconvolution's GEMMs reduce over the group input channels only (each input pixel
   * times each tap's weights); the int8 K blocks fill with those. */
  if (op->node.type == pqnn_node_type_deconvolution_2d) return p->group_input_channels;
  return (size_t) p->kernel_height * p->kernel_width * p->group_input_channels;
}

/* Whether the f32 depthwise operator surely runs this layer's interior through a row
 * kernel (src/operators/dwconv-path.c: square 3x3 / 5x5 kernels of a config with row
 * kernels, pixel steps that are not a multiple of 1 KiB: at those it runs them only where
 * input and output do not 4 KiB-alias, configs/config.h); the layer's input is dense
 * (channels = groups). */
static bool f32_depthwise_runs_rows(const struct pqnn_conv_params* c) {
  const struct pqnn_dwconv_config* config = pqnn_get_f32_dwconv_config();
  const size_t taps = (size_t) c->kernel_height * c->kernel_width;
  const struct pqnn_dwconv_kernel* dw = config == NULL ? NULL
      : pqnn_dwconv_config_select(config, taps);
  return dw != NULL && dw->taps == taps && c->kernel_height == c->kernel_width &&
      pqnn_dwconv_config_row(config, dw) != NULL &&
      pqnn_dwconv_row_step_fits((size_t) c->stride_width * c->groups * sizeof(float));
}

/* The one place that decides whether DRQ takes a depthwise layer: an f32 layer with an f32
 * filter, multiplier 1 and stride 1 whose tap count has qd8 dwconv kernels (f16 output has
 * none) and that the f32 operator would not run through its row kernels, unless the
 * runtime option qd8_float_depthwise keeps depthwise layers float.
 * A depthwise layer does only kh*kw multiply-adds per output, and the convert DRQ inserts
 * in front of it (a min/max and a quantize pass over the f32 input; the output is f32
 * either way, so the next layer's convert is there in both cases) costs per input element.
 * Stride 2: 4 input elements per output pixel, the convert eats the gain (3x3, thread CPU
 * us, Zen 5 avx512vnni, bench/{f32,qd8}-convolution: f32 -> qd8 incl. its convert
 * 112x112x96 105 -> 207, 56x56x144 38 -> 76, 28x28x192 12 -> 23, 14x14x576 11 -> 17).
 * Stride 1 with the f32 row kernels (f32-dwconv-row), f32 is faster too: 112x112x32
 * 94 -> 178, 56x56x128 127 -> 145, 56x56x144 106 -> 173, 28x28x192 34 -> 52, 14x14x384
 * 21 -> 25, 14x14x576 32 -> 38, 7x7x960 17 -> 17; where 1 KiB pixel steps kept f32 on its
 * per-pixel kernel, qd8 wins: 14x14x512 53 -> 33 (the row kernel, which the runtime's
 * arena lets take it now, 44 -> 33). pqnn-demo, 1 thread, qd8 CPU ms and
 * qd8 / f32 (3 alternating runs of 30), every stride-1 layer -> this rule: MobileNet v1
 * 4.23-4.31 (2.75-2.77x) -> 4.27-4.30 (2.77-2.78x; its 14x14x512 and 7x7x1024 layers
 * stay qd8), v2 3.84-3.91 (1.91-1.98x) -> 3.72-3.81 ms (2.00-2.01x; every depthwise layer
 * f32), docs/qd8-performance.md. The same principle off x86: the tier's qd8 dwconv config
 * says whether its kernels beat the f32 per-pixel ones (drq_depthwise: not on aarch64,
 * whose f32 NEON dwconv loop is as short as the qd8 one, so the convert decides;
 * instruction counts in src/configs/qd8-dwconv-config.c). */
static bool depthwise_runs_qd8(const struct pqnn_runtime* rt, const struct pqnn_rt_op* op,
    enum pqnn_datatype x, const struct pqnn_value* filter) {
  const struct pqnn_conv_params* c = &op->node.conv;
  const struct pqnn_dwconv_config* config = pqnn_get_qd8_f32_qc8w_dwconv_config();
  return !rt->qd8_float_depthwise && x == pqnn_datatype_fp32 &&
      filter->datatype == pqnn_datatype_fp32 && c->group_output_channels == 1 &&
      c->stride_height == 1 && c->stride_width == 1 && config->drq_depthwise &&
      pqnn_dwconv_config_select(config, (size_t) c->kernel_height * c->kernel_width) != NULL &&
      !f32_depthwise_runs_rows(c);
}

/* Stems: convolutions reading at most this many channels (an image) stay f32 below the
 * threshold on every tier, for accuracy (see small_conv_runs_qd8). */
#define QD8_STEM_MAX_CHANNELS 4

/* The one place that decides whether DRQ takes a convolution below the reduction
 * threshold (see the header comment): with the default threshold, on a tier whose qd8
 * config says so (drq_small_convs: its int8 kernels beat f32 on narrow 1x1 layers, whose
 * input is quantized once per image), except stems: quantizing the image itself cost
 * PaddleOCR det its accuracy gate (qd8 cosine 0.970 against ONNX Runtime's f32, gate
 * 0.995; 0.995+ with the stem in f32) though the int8 PATCH path is faster than f32 there.
 * Fully connected and deconvolution layers quantize per row / per pixel, so their per-row
 * cost stays behind the threshold. */
static bool small_conv_runs_qd8(const struct pqnn_runtime* rt, const struct pqnn_rt_op* op,
    enum pqnn_datatype x) {
  const struct pqnn_gemm_config* config = x == pqnn_datatype_fp16
      ? pqnn_get_qd8_f16_qc8w_gemm_config() : pqnn_get_qd8_f32_qc8w_gemm_config();
  return rt->qd8_min_reduction_default && op->node.type == pqnn_node_type_convolution_2d &&
      op->node.conv.group_input_channels > QD8_STEM_MAX_CHANNELS && config != NULL &&
      config->drq_small_convs;
}

/* The one place that weighs qd8 against the f32 Winograd path: a convolution with an f32
 * input that the f32 operator would run as Winograd F(4x4, 3x3) stays f32 when it has at
 * most a third as many output channels as input channels. Winograd's 36 GEMMs do 2.25
 * multiply-adds per direct one and its transforms cost O(Cin + Cout) per pixel, while the
 * qd8 IGEMM does all 9 taps at the int8 rate, pays the convert of its input and rounds N up
 * to its tile: with few output channels (PaddleOCR det's 96 -> 24) the int8 tile is mostly
 * padding and Winograd wins. Measured on avx512vnni (bench/operators: f32-convolution
 * f32_conv3x3/<shape>/default against qd8-convolution qd8_conv3x3/<shape>, convert
 * included; 1 thread, `taskset -c 1`, CPU time, medians of 3 interleaved rounds on a loaded
 * machine), f32 time / qd8 time (below 1: Winograd faster):
 *   Cout <= Cin / 3: det 96 -> 24 at 160x160 / 80x80 / 40x40 / 20x20: 0.97 / 0.81 / 0.79 /
 *     0.85; 80x80 96 -> 32 0.81; 40x40 128 -> 32 0.79; 56x56 64 -> 16 0.78, 32 -> 8 0.83,
 *     96 -> 4 0.76;
 *   Cout > Cin / 3: 40x40 128 -> 48 1.34; 80x80 96 -> 48 1.43, 96 -> 96 1.10, 24 -> 96
 *     1.37; ResNet 56x56 64 -> 64 / 28x28 128 -> 128 / 14x14 256 -> 256 1.42 / 1.36 /
 *     2.25; 56x56 32 -> 32 1.01, 16 -> 16 1.02, 8 -> 8 1.09, 4 -> 4 1.71.
 * Tiers without VNNI run int8 slower against the same f32 Winograd, so the rule keeps no
 * layer f32 that qd8 would run faster there.
 * Since the qd8 IGEMM path runs layers of few output channels on the config's narrow tile
 * (avx512vnni 7x16c4 wherever it pads fewer columns than 4x64c4, 8x24c8 for N = 24, 48,
 * 72, 96, ...; pqnn_convolution_igemm_takes_narrow_tile: every Cout <= Cin / 3 layer with N mod 64
 * in 1..48, larger N measured only through the kernel benches), qd8 beats
 * Winograd on every Cout <= Cin / 3 shape above, so such layers go qd8 wherever the tile
 * applies (same benches, both sides with the narrow tile and Winograd blocks of MR tiles,
 * medians of 3, f32 / qd8): det 96 -> 24 160x160 / 80x80 / 40x40 / 20x20 1.28 / 1.29 /
 * 1.31 / 1.33; 80x80 96 -> 32 1.28; 40x40 128 -> 32 1.24; 56x56 64 -> 16 2.3, 32 -> 8
 * 2.4, 96 -> 4 2.25 (and 40x40 128 -> 48, 80x80 96 -> 48, qd8 already: 1.22, 1.21). f16 has no Winograd path (its operator is
 * IGEMM), so an f16 input never stays float by this rule. */
static bool winograd_beats_qd8(const struct pqnn_rt_op* op, enum pqnn_datatype x) {
  if (op->node.type != pqnn_node_type_convolution_2d || x != pqnn_datatype_fp32) return false;
  const struct pqnn_conv_params* p = &op->node.conv;
  if (3 * p->group_output_channels > p->group_input_channels) return false;
  if (pqnn_convolution_igemm_takes_narrow_tile(pqnn_get_qd8_f32_qc8w_gemm_config(),
          p->group_output_channels, true)) {
    return false;
  }
  return pqnn_rt_conv_takes_winograd(op);
}

static enum pqnn_qd8_decision decide(const struct pqnn_runtime* rt, const struct pqnn_rt_op* op,
    const struct pqnn_value* filter) {
  const enum pqnn_datatype x = rt->tensors[op->inputs[0]].datatype;
  if (x == pqnn_datatype_qdint8) return pqnn_qd8_decision_defined;
  if (x != pqnn_datatype_fp32 && x != pqnn_datatype_fp16) return pqnn_qd8_decision_none;
  if (op->node.type == pqnn_node_type_depthwise_convolution_2d) {
    if ((rt->flags & PQNN_FLAG_DYNAMIC_RANGE_QUANTIZATION) == 0) return pqnn_qd8_decision_none;
    return depthwise_runs_qd8(rt, op, x, filter) ? pqnn_qd8_decision_quantized
                                             : pqnn_qd8_decision_float_depthwise;
  }
  if (filter->datatype == pqnn_datatype_qcint8) return pqnn_qd8_decision_quantized_qc8w;
  if (filter->datatype == pqnn_datatype_qbint4) return pqnn_qd8_decision_qbint4;
  if (filter->datatype != pqnn_datatype_fp32 ||
      (rt->flags & PQNN_FLAG_DYNAMIC_RANGE_QUANTIZATION) == 0) {
    return pqnn_qd8_decision_none;
  }
  if (winograd_beats_qd8(op, x)) return pqnn_qd8_decision_float_winograd;
  if (reduction_of(op, filter) < rt->qd8_min_reduction) {
    return small_conv_runs_qd8(rt, op, x) ? pqnn_qd8_decision_quantized_small_conv
                                          : pqnn_qd8_decision_float_small_reduction;
  }
  if (rt->qd8_fc_4bit && op->node.type == pqnn_node_type_fully_connected) {
    return rt->qd8_fc_4bit_block_size == 0 ? pqnn_qd8_decision_quantized_qc4w
                                           : pqnn_qd8_decision_quantized_qb4w;
  }
  return pqnn_qd8_decision_quantized;
}

/* Whether a decision inserts a convert quantizing the op's input. */
static bool inserts_convert(enum pqnn_qd8_decision decision) {
  return decision == pqnn_qd8_decision_quantized ||
      decision == pqnn_qd8_decision_quantized_small_conv ||
      decision == pqnn_qd8_decision_quantized_qc8w ||
      decision == pqnn_qd8_decision_quantized_qc4w ||
      decision == pqnn_qd8_decision_quantized_qb4w || decision == pqnn_qd8_decision_qbint4;
}

/* The one place deciding that a qd8 convolution quantizes its input per image row (one
 * range per row of the image, its params entry repeated for each pixel; it runs as a fully
 * connected operator over the pixels, the GEMM path, which reads params per pixel) rather
 * than per image (the IGEMM path): a 1x1 stride-1 unpadded convolution of one group, with an
 * f32 input written by a depthwise convolution (MobileNet v2's projections). Per image row,
 * the depthwise rows, their quantization and the projection can run in row bands
 * (runtime-band.c) whose intermediates stay in L2; per image, the convert needs the whole
 * image's range first. Per pixel (measured first) cost more than it saved: rows of 16-160
 * floats pay the row kernel's fixed cost (range reduction, two divisions) 56x56 times, 16 ns
 * for 32 floats against 2 ns of data (bench/convert-kernels f32_qd8__avx512skx/32). */
static bool projection_runs_pixel_rows(const struct pqnn_runtime* rt,
    const struct pqnn_rt_op* op, uint32_t x, uint32_t position) {
  if (op->node.type != pqnn_node_type_convolution_2d ||
      rt->tensors[x].datatype != pqnn_datatype_fp32 ||
      rt->tensors[op->output].datatype != pqnn_datatype_fp32) {
    return false;
  }
  const struct pqnn_conv_params* p = &op->node.conv;
  if (p->kernel_height != 1 || p->kernel_width != 1 || p->stride_height != 1 ||
      p->stride_width != 1 || p->groups != 1 || p->pad_top != 0 || p->pad_right != 0 ||
      p->pad_bottom != 0 || p->pad_left != 0) {
    return false;
  }
  for (uint32_t j = position; j-- > 0;) {
    if (rt->ops[j].output == x) {
      return rt->ops[j].node.type == pqnn_node_type_depthwise_convolution_2d;
    }
  }
  return false;
}

void pqnn_pass_dynamic_quantization(struct pqnn_runtime* rt,
    const struct pqnn_subgraph* subgraph) {
  for (uint32_t i = 0; i < rt->num_ops; i++) {
    struct pqnn_rt_op* op = &rt->ops[i];
    if (!pqnn_rt_is_gemm_node(op->node.type) || op->info.inserted) continue;
    const struct pqnn_value* filter = &subgraph->values[op->weights[0]];
    op->info.qd8_decision = decide(rt, op, filter);
    if (op->info.qd8_decision == pqnn_qd8_decision_quantized_qb4w) {
      op->weight_block = rt->qd8_fc_4bit_block_size;
    }
    if (op->info.qd8_decision == pqnn_qd8_decision_float_depthwise ||
        op->info.qd8_decision == pqnn_qd8_decision_float_small_reduction ||
        op->info.qd8_decision == pqnn_qd8_decision_float_winograd ||
        op->info.qd8_decision == pqnn_qd8_decision_quantized_small_conv) {
      PQNN_LOG_INFO("op %u (%s): %s %s, %s", (unsigned) i,
          pqnn_node_type_string(op->node.type),
          inserts_convert(op->info.qd8_decision) ? "from" : "stays",
          pqnn_datatype_string(rt->tensors[op->inputs[0]].datatype),
          pqnn_qd8_decision_string(op->info.qd8_decision));
    }
    bool pixel_rows = false;
    if (inserts_convert(op->info.qd8_decision)) {
      const uint32_t q = pqnn_rt_add_tensor(rt, op->inputs[0], pqnn_datatype_qdint8);
      const uint32_t x = op->inputs[0];
      pixel_rows = projection_runs_pixel_rows(rt, op, x, i);
      op->inputs[0] = q;
      pqnn_rt_insert_convert(rt, i, x, q);
      op = &rt->ops[++i];
    }
    /* A qdint8 input of a convolution is quantized per image (one params entry each), but
     * a projection's per image row. */
    op->qd8_pixel_rows = pixel_rows;
    rt->tensors[op->inputs[0]].qd8_per_image_row = pixel_rows;
    if ((op->node.type == pqnn_node_type_convolution_2d ||
         op->node.type == pqnn_node_type_depthwise_convolution_2d) &&
        rt->tensors[op->inputs[0]].datatype == pqnn_datatype_qdint8 && !pixel_rows) {
      rt->tensors[op->inputs[0]].qd8_per_image = true;
    }
  }
}

/* ---- 4. residual add fusion ---- */

/* An add (add2, or a binary add) of two f32 / f16 operands of its output's shape. */
static bool same_shape_add(const struct pqnn_runtime* rt, const struct pqnn_rt_op* op) {
  const bool add = op->node.type == pqnn_node_type_add2 ||
      (op->node.type == pqnn_node_type_binary && op->node.elementwise_op == pqnn_binary_add);
  if (!add || op->num_inputs != 2) return false;
  const struct pqnn_rt_tensor* y = &rt->tensors[op->output];
  if (y->datatype != pqnn_datatype_fp32 && y->datatype != pqnn_datatype_fp16) return false;
  for (uint32_t k = 0; k < 2; k++) {
    const struct pqnn_rt_tensor* x = &rt->tensors[op->inputs[k]];
    if (x->datatype != y->datatype || !pqnn_shape_equal(&x->shape, &y->shape)) return false;
  }
  return true;
}

/* The one place deciding whether operand k of an add fuses into the op that produces it:
 * that op is a fully connected, convolution or depthwise convolution, a binary / add2
 * node or a 2-D resize (f32 / f16 output, no residual yet), the add is the only reader of its output, which is not external, and
 * the other operand differs and is written by an op (not static or external: their shape
 * may part from the output's at a reshape, where the add would broadcast). When
 * `sinkable` is false the other operand must be written by an earlier op, so that it is
 * ready when the producer runs (the producer then reads it, which keeps it alive until
 * then, and the arena never places the output over it); when true it may be written
 * later, and the caller first moves the producer down to just before the add (allowed:
 * nothing else reads its output, and its inputs only live longer). */
static bool residual_fuses(const struct pqnn_runtime* rt, const struct pqnn_rt_op* add,
    uint32_t k, bool sinkable) {
  const struct pqnn_rt_tensor* a = &rt->tensors[add->inputs[k]];
  const struct pqnn_rt_tensor* b = &rt->tensors[add->inputs[1 - k]];
  if (add->inputs[0] == add->inputs[1] || a->producer == PQNN_NO_NODE || a->consumers != 1 ||
      a->external_flags != 0 || b->producer == PQNN_NO_NODE ||
      (!sinkable && b->producer >= a->producer)) {
    return false;
  }
  const struct pqnn_rt_op* producer = &rt->ops[a->producer];
  const enum pqnn_node_type type = producer->node.type;
  if (producer->info.inserted) return false;
  if (type == pqnn_node_type_fully_connected || type == pqnn_node_type_convolution_2d ||
      type == pqnn_node_type_depthwise_convolution_2d) {
    return producer->num_inputs == 1;
  }
  /* Elementwise producers (the x * se(x) of a squeeze-excite residual, a chain of adds):
   * the residual follows each tile of rows (runtime-ops-elementwise.c). A resize (the
   * upsampled map of an FPN top-down add): the same, per chunk of output rows
   * (nodes/layout-executors.c), so the upsampled map never makes a trip through memory. */
  if (type == pqnn_node_type_static_resize_2d) return producer->num_inputs == 1;
  return (type == pqnn_node_type_binary || type == pqnn_node_type_add2) &&
      producer->num_inputs == 2;
}

/* Moves op `from` to just before op `before` (from < before); the ops between move up. */
void pqnn_rt_sink_op(struct pqnn_runtime* rt, uint32_t from, uint32_t before) {
  const struct pqnn_rt_op moved = rt->ops[from];
  memmove(&rt->ops[from], &rt->ops[from + 1],
      (size_t) (before - from - 1) * sizeof(struct pqnn_rt_op));
  rt->ops[before - 1] = moved;
}

void pqnn_pass_fuse_residual_adds(struct pqnn_runtime* rt) {
  if (rt->no_residual_fusion) return;
  pqnn_rt_index_ops(rt);
  for (uint32_t i = 0; i < rt->num_ops; i++) {
    if (!same_shape_add(rt, &rt->ops[i])) continue;
    /* The operand written last first: its producer runs when the other one is ready.
     * Else the one written first, its producer moved down past the other's (the FPN adds
     * of a lateral 1x1 convolution and an upsampled map). */
    const uint32_t p0 = rt->tensors[rt->ops[i].inputs[0]].producer;
    const uint32_t p1 = rt->tensors[rt->ops[i].inputs[1]].producer;
    uint32_t k = p1 != PQNN_NO_NODE && (p0 == PQNN_NO_NODE || p1 > p0) ? 1 : 0;
    if (!residual_fuses(rt, &rt->ops[i], k, false)) {
      k = 1 - k;
      if (!residual_fuses(rt, &rt->ops[i], k, true)) continue;
      pqnn_rt_sink_op(rt, rt->tensors[rt->ops[i].inputs[k]].producer, i);
      pqnn_rt_index_ops(rt);
    }
    struct pqnn_rt_op* add = &rt->ops[i];
    const uint32_t at = rt->tensors[add->inputs[k]].producer;
    struct pqnn_rt_op* producer = &rt->ops[at];
    producer->inputs[producer->num_inputs++] = add->inputs[1 - k];
    producer->residual_min = add->output_min;
    producer->residual_max = add->output_max;
    producer->output = add->output;
    producer->info.fused_add = 1;
    producer->info.fused_clamp |= add->info.fused_clamp;
    /* The add leaves the list at once, so that producers and readers stay exact for the
     * adds after it (a sink moves ops). */
    add->removed = true;
    pqnn_rt_drop_removed_ops(rt);
    pqnn_rt_index_ops(rt);
    i--;  /* the op after the add is at i now (an add is never op 0: it reads two results) */
  }
}
