/* Public qd8_f32_qc8w fully connected: dynamically quantized int8 activations (one
 * {zero_point, scale} per row), per-channel int8 weights, f32 bias, f32 output. */
#include "operator.h"
#include "operators/specs.h"

enum pqnn_status pqnn_create_fully_connected_nc_qd8_f32_qc8w(size_t input_channels,
    size_t output_channels, size_t input_stride, size_t output_stride,
    const float* kernel_scale, const int8_t* kernel, const float* bias, float output_min,
    float output_max, uint32_t flags, pqnn_operator_t* op_out) {
  enum pqnn_status status = pqnn_check_initialized(__func__);
  if (status != pqnn_status_success) return status;
  size_t kernel_elements = 0;
  if (!pqnn_mul_sz(input_channels, output_channels, &kernel_elements)) kernel_elements = 0;
  struct pqnn_gemm_op_spec spec;
  struct pqnn_qd8_spec_storage storage;
  status = pqnn_init_qd8_spec(__func__, &spec, &storage,
      pqnn_operator_type_fully_connected_nc_qd8_f32_qc8w, false,
      kernel_elements != 0 ? output_channels : 0, kernel, kernel_elements, kernel_scale, bias,
      output_min, output_max);
  if (status != pqnn_status_success) return status;
  return pqnn_create_fully_connected(__func__, input_channels, output_channels, input_stride,
      output_stride, kernel, flags, &spec, op_out);
}

enum pqnn_status pqnn_reshape_fully_connected_nc_qd8_f32_qc8w(pqnn_operator_t op, size_t batch_size,
    pthreadpool_t threadpool) {
  return pqnn_reshape_fully_connected(__func__, op, pqnn_operator_type_fully_connected_nc_qd8_f32_qc8w,
      batch_size, threadpool);
}

enum pqnn_status pqnn_setup_fully_connected_nc_qd8_f32_qc8w(pqnn_operator_t op, const int8_t* input,
    float* output, const struct pqnn_quantization_params* quantization_params) {
  return pqnn_setup_gemm_op(__func__, op, pqnn_operator_type_fully_connected_nc_qd8_f32_qc8w, input,
      output, quantization_params);
}
