/* Datatype passes.
 *
 * Dynamic-range quantization: a fully connected or (non-depthwise) convolution node with an
 * f32 (or, under f16 inference, f16) input and a static filter runs as qd8 x qc8w when the
 * filter is channelwise int8 (qcint8), or when PQNN_FLAG_DYNAMIC_RANGE_QUANTIZATION is set
 * and the filter is f32 (quantized per output channel at create). Its input is quantized per
 * row (FC) or per image (conv) by an inserted convert; its output stays f32 (f16).
 * Depthwise convolution stays in floating point: there is no qd8 depthwise kernel, and a
 * depthwise layer does 9 multiply-adds per weight and activation, so it is bound by memory
 * traffic of the activations, not by arithmetic; quantizing its input would add a full pass
 * over those activations and save nothing.
 * With f32 filters the flag also leaves in f32 the layers whose reduction (FC input channels,
 * conv kh * kw * group input channels) is below PQNN_QD8_MIN_REDUCTION = 64: with so few
 * multiply-adds per output the per-output dequantization and the quantization pass over the
 * input cost more than the int8 arithmetic saves, and a first layer with 3 input channels
 * runs its 8-deep int8 K blocks mostly on padding (measured: MobileNet v1's 3x3x3 stem 7x
 * slower in qd8 than f32; v1 qd8/f32 0.93x -> 1.2x with the threshold, v2 0.73x -> ~1.1x;
 * thresholds 32 to 200 were indistinguishable in the noise). A qcint8 filter has no f32 copy,
 * so it always runs as qd8.
 *
 * f16 inference: the graph runs in f16 only when every value that is not static data is f32
 * (no quantized activations, no user-defined converts): then every intermediate becomes f16,
 * FC / conv run as f16 operators with f32 static weights converted at create, node kernels
 * use their f16 variants, and converts are inserted after the external inputs and before the
 * external outputs. Anything else runs as defined. */
#include "logging.h"
#include "runtime/runtime-passes.h"

bool pqnn_pass_use_qd8(const struct pqnn_node* node, enum pqnn_datatype input,
    enum pqnn_datatype filter, size_t reduction, uint32_t flags) {
  if (node->type == pqnn_node_type_depthwise_convolution_2d) return false;
  if (input != pqnn_datatype_fp32 && input != pqnn_datatype_fp16) return false;
  if (filter == pqnn_datatype_qcint8) return true;
  if (filter != pqnn_datatype_fp32 || (flags & PQNN_FLAG_DYNAMIC_RANGE_QUANTIZATION) == 0) {
    return false;
  }
  return reduction >= PQNN_QD8_MIN_REDUCTION;
}

bool pqnn_pass_use_fp16(const struct pqnn_subgraph* subgraph, uint32_t flags) {
  if ((flags & PQNN_FLAG_FP16_INFERENCE) == 0) return false;
  for (uint32_t v = 0; v < subgraph->num_values; v++) {
    const struct pqnn_value* value = &subgraph->values[v];
    if (value->defined && value->data == NULL && value->datatype != pqnn_datatype_fp32) {
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

