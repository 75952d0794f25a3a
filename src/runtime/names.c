/* Constant names of node types, dynamic-quantization and f16 decisions (planner reports). */
#include <pqnn.h>

const char* pqnn_node_type_string(enum pqnn_node_type type) {
  switch (type) {
    case pqnn_node_type_fully_connected: return "fully_connected";
    case pqnn_node_type_convolution_2d: return "convolution_2d";
    case pqnn_node_type_depthwise_convolution_2d: return "depthwise_convolution_2d";
    case pqnn_node_type_add2: return "add2";
    case pqnn_node_type_clamp: return "clamp";
    case pqnn_node_type_gelu: return "gelu";
    case pqnn_node_type_global_average_pooling_2d: return "global_average_pooling_2d";
    case pqnn_node_type_max_pooling_2d: return "max_pooling_2d";
    case pqnn_node_type_softmax: return "softmax";
    case pqnn_node_type_convert: return "convert";
    case pqnn_node_type_static_reshape: return "static_reshape";
    case pqnn_node_type_layer_normalization: return "layer_normalization";
    case pqnn_node_type_average_pooling_2d: return "average_pooling_2d";
    case pqnn_node_type_deconvolution_2d: return "deconvolution_2d";
    case pqnn_node_type_softmax_axis: return "softmax_axis";
    case pqnn_node_type_batch_matrix_multiply: return "batch_matrix_multiply";
    case pqnn_node_type_reduce: return "reduce";
    case pqnn_node_type_binary: return "binary";
    case pqnn_node_type_unary: return "unary";
    case pqnn_node_type_concatenate: return "concatenate";
    case pqnn_node_type_split: return "split";
    case pqnn_node_type_static_slice: return "static_slice";
    case pqnn_node_type_static_constant_pad: return "static_constant_pad";
    case pqnn_node_type_static_transpose: return "static_transpose";
    case pqnn_node_type_static_resize_2d: return "static_resize_2d";
    case pqnn_node_type_select: return "select";
    case pqnn_node_type_gather: return "gather";
    default: return "invalid";
  }
}

const char* pqnn_qd8_decision_string(enum pqnn_qd8_decision decision) {
  switch (decision) {
    case pqnn_qd8_decision_none: return "not a dynamic quantization candidate";
    case pqnn_qd8_decision_quantized: return "qd8: f32 filter quantized per channel";
    case pqnn_qd8_decision_quantized_qc8w: return "qd8: qcint8 filter";
    case pqnn_qd8_decision_defined: return "qd8: input defined as qdint8";
    case pqnn_qd8_decision_float_depthwise:
      return "float: depthwise (strided, faster in f32, or runtime option qd8_float_depthwise)";
    case pqnn_qd8_decision_quantized_qc4w: return "qd8: f32 filter quantized to 4 bits per channel";
    case pqnn_qd8_decision_quantized_qb4w: return "qd8: f32 filter quantized to 4 bits per block";
    case pqnn_qd8_decision_qbint4: return "qd8: qbint4 filter";
    case pqnn_qd8_decision_quantized_small_conv:
      return "qd8: convolution below the threshold (this CPU's int8 kernels win there)";
    case pqnn_qd8_decision_float_small_reduction:
      return "float: reduction below the qd8 threshold";
    case pqnn_qd8_decision_float_winograd:
      return "float: f32 Winograd is faster (output channels <= input channels / 3, no narrow qd8 tile)";
    default: return "invalid";
  }
}

const char* pqnn_fp16_decision_string(enum pqnn_fp16_decision decision) {
  switch (decision) {
    case pqnn_fp16_decision_none: return "no f16 flag";
    case pqnn_fp16_decision_fp16: return "f16: the ISA tier has f16 arithmetic";
    case pqnn_fp16_decision_forced: return "f16: forced (PQNN_FLAG_FORCE_FP16_INFERENCE)";
    case pqnn_fp16_decision_fp32_no_arithmetic:
      return "f32: f16 requested, the ISA tier has no f16 arithmetic";
    case pqnn_fp16_decision_as_defined:
      return "as defined: the graph has non-f32 activations or converts";
    default: return "invalid";
  }
}
