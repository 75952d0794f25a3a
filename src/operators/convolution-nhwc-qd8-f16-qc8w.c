/* Public qd8_f16_qc8w 2D convolution (NHWC): dynamically quantized int8 activations (one
 * {zero_point, scale} per image; padding reads as that zero point), per-channel int8
 * weights, f32 bias, f16 (mixed precision) output. */
#include "operator.h"
#include "operators/specs.h"


enum pqnn_status pqnn_create_convolution2d_nhwc_qd8_f16_qc8w(uint32_t input_padding_top,
    uint32_t input_padding_right, uint32_t input_padding_bottom, uint32_t input_padding_left,
    uint32_t kernel_height, uint32_t kernel_width, uint32_t subsampling_height,
    uint32_t subsampling_width, uint32_t dilation_height, uint32_t dilation_width,
    uint32_t groups, size_t group_input_channels, size_t group_output_channels,
    size_t input_channel_stride, size_t output_channel_stride,
    const float* kernel_scale, const int8_t* kernel, const float* bias, float output_min,
    float output_max, uint32_t flags, pqnn_operator_t* op_out) {
  enum pqnn_status status = pqnn_check_initialized(__func__);
  if (status != pqnn_status_success) return status;
  size_t output_channels;
  const size_t kernel_elements = pqnn_conv_kernel_elements(groups, group_output_channels,
      kernel_height, kernel_width, group_input_channels, &output_channels);
  struct pqnn_gemm_op_spec spec;
  struct pqnn_qd8_spec_storage storage;
  status = pqnn_init_qd8_spec(__func__, &spec, &storage,
      pqnn_operator_type_convolution_nhwc_qd8_f16_qc8w, true, output_channels, kernel,
      kernel_elements, kernel_scale, bias, output_min, output_max);
  if (status != pqnn_status_success) return status;
  return pqnn_create_convolution2d(__func__, input_padding_top, input_padding_right,
      input_padding_bottom, input_padding_left, kernel_height, kernel_width,
      subsampling_height, subsampling_width, dilation_height, dilation_width, groups,
      group_input_channels, group_output_channels, input_channel_stride,
      output_channel_stride, kernel, flags, &spec, op_out);
}

enum pqnn_status pqnn_reshape_convolution2d_nhwc_qd8_f16_qc8w(pqnn_operator_t op, size_t batch_size,
    size_t input_height, size_t input_width, size_t* output_height_out,
    size_t* output_width_out, pthreadpool_t threadpool) {
  return pqnn_reshape_convolution2d(__func__, op, pqnn_operator_type_convolution_nhwc_qd8_f16_qc8w,
      batch_size, input_height, input_width, output_height_out, output_width_out, threadpool);
}

enum pqnn_status pqnn_setup_convolution2d_nhwc_qd8_f16_qc8w(pqnn_operator_t op, const int8_t* input,
    void* output, const struct pqnn_quantization_params* quantization_params) {
  return pqnn_setup_gemm_op(__func__, op, pqnn_operator_type_convolution_nhwc_qd8_f16_qc8w, input,
      output, quantization_params);
}
