/* Public qs8_qc8w fully connected: int8 activations, per-channel (qc8w) int8 weights, int32 bias,
 * int8 output requantized by the fp32 method (bit-exact on every ISA). */
#include "operator.h"
#include "operators/specs.h"

enum pqnn_status pqnn_create_fully_connected_nc_qs8_qc8w(size_t input_channels,
    size_t output_channels, size_t input_stride, size_t output_stride,
    int8_t input_zero_point, float input_scale, const float* kernel_scale, const int8_t* kernel,
    const int32_t* bias, int8_t output_zero_point, float output_scale, int8_t output_min,
    int8_t output_max, uint32_t flags, pqnn_operator_t* op_out) {
  enum pqnn_status status = pqnn_check_initialized(__func__);
  if (status != pqnn_status_success) return status;
  size_t kernel_elements = 0;
  if (!pqnn_mul_sz(input_channels, output_channels, &kernel_elements)) kernel_elements = 0;
  struct pqnn_gemm_op_spec spec;
  struct pqnn_qs8_spec_storage storage;
  status = pqnn_init_qs8_spec(__func__, &spec, &storage,
      pqnn_operator_type_fully_connected_nc_qs8_qc8w, kernel_elements != 0 ? output_channels : 0,
      kernel, kernel_elements, input_zero_point, input_scale, kernel_scale, true, bias,
      output_zero_point, output_scale, output_min, output_max);
  if (status == pqnn_status_success) {
    status = pqnn_create_fully_connected(__func__, input_channels, output_channels,
        input_stride, output_stride, kernel, flags, &spec, op_out);
  }
  pqnn_release_qs8_spec(&storage);
  return status;
}

enum pqnn_status pqnn_reshape_fully_connected_nc_qs8_qc8w(pqnn_operator_t op, size_t batch_size,
    pthreadpool_t threadpool) {
  return pqnn_reshape_fully_connected(__func__, op, pqnn_operator_type_fully_connected_nc_qs8_qc8w,
      batch_size, threadpool);
}

enum pqnn_status pqnn_setup_fully_connected_nc_qs8_qc8w(pqnn_operator_t op, const int8_t* input,
    int8_t* output) {
  return pqnn_setup_gemm_op(__func__, op, pqnn_operator_type_fully_connected_nc_qs8_qc8w, input,
      output, NULL);
}
