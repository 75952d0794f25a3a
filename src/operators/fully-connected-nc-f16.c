/* Public f16 fully connected (f16 storage, f32 accumulation). */
#include "operator.h"
#include "operators/specs.h"

enum pqnn_status pqnn_create_fully_connected_nc_f16(size_t input_channels,
    size_t output_channels, size_t input_stride, size_t output_stride, const void* kernel,
    const void* bias, float output_min, float output_max, uint32_t flags,
    pqnn_operator_t* op_out) {
  enum pqnn_status status = pqnn_check_initialized(__func__);
  if (status != pqnn_status_success) return status;
  struct pqnn_gemm_op_spec spec;
  struct pqnn_f16_spec_storage storage;
  status = pqnn_init_f16_spec(__func__, &spec, &storage, pqnn_operator_type_fully_connected_nc_f16,
      bias, output_min, output_max, (flags & PQNN_FLAG_FP32_STATIC_WEIGHTS) != 0);
  if (status != pqnn_status_success) return status;
  return pqnn_create_fully_connected(__func__, input_channels, output_channels, input_stride,
      output_stride, kernel, flags & ~PQNN_FLAG_FP32_STATIC_WEIGHTS, &spec, op_out);
}

enum pqnn_status pqnn_reshape_fully_connected_nc_f16(pqnn_operator_t op, size_t batch_size,
    pthreadpool_t threadpool) {
  return pqnn_reshape_fully_connected(__func__, op, pqnn_operator_type_fully_connected_nc_f16,
      batch_size, threadpool);
}

enum pqnn_status pqnn_setup_fully_connected_nc_f16(pqnn_operator_t op, const void* input,
    void* output) {
  return pqnn_setup_gemm_op(__func__, op, pqnn_operator_type_fully_connected_nc_f16, input,
      output, NULL);
}
