/* Public f32 fully connected: output[b][n] = clamp(sum_k input[b][k] * kernel[n][k] + bias[n]). */
#include "operator.h"
#include "packing.h"
#include "operators/specs.h"

static void pack_f32_gemm(const void* context, size_t groups, size_t nc, size_t ks, size_t kc,
    size_t nr, size_t kr, bool transposed, const void* kernel, void* packed) {
  pqnn_pack_f32_gemm(groups, nc, ks, kc, nr, kr, transposed, (const float*) kernel,
      (const float*) context, packed);
}

static void pack_f32_dwconv(const void* context, size_t channels, size_t taps, size_t ct,
    const void* kernel, void* packed) {
  pqnn_pack_f32_dwconv(channels, taps, ct, (const float*) kernel, (const float*) context, packed);
}

void pqnn_init_f32_spec(struct pqnn_gemm_op_spec* spec, enum pqnn_operator_type type,
    const float* bias, float output_min, float output_max) {
  *spec = (struct pqnn_gemm_op_spec) {
    .type = type,
    .gemm_config = pqnn_get_f32_gemm_config(),
    .dwconv_config = pqnn_get_f32_dwconv_config(),
    .input_element_size = sizeof(float),
    .output_element_size = sizeof(float),
    .kernel_element_size = sizeof(float),
    .packed_element_size = sizeof(float),
    .packed_prefix_size = sizeof(float),
    .dwconv_prefix_size = sizeof(float),
    .params.f32 = {output_min, output_max},
    .pack_gemm = pack_f32_gemm,
    .pack_dwconv = pack_f32_dwconv,
    .spec_context = bias,
  };
}

enum pqnn_status pqnn_create_fully_connected_nc_f32(size_t input_channels,
    size_t output_channels, size_t input_stride, size_t output_stride, const float* kernel,
    const float* bias, float output_min, float output_max, uint32_t flags,
    pqnn_operator_t* op_out) {
  enum pqnn_status status = pqnn_check_initialized(__func__);
  if (status != pqnn_status_success) return status;
  status = pqnn_check_output_bounds(__func__, output_min, output_max);
  if (status != pqnn_status_success) return status;
  struct pqnn_gemm_op_spec spec;
  pqnn_init_f32_spec(&spec, pqnn_operator_type_fully_connected_nc_f32, bias, output_min,
      output_max);
  return pqnn_create_fully_connected(__func__, input_channels, output_channels, input_stride,
      output_stride, kernel, flags, &spec, op_out);
}

enum pqnn_status pqnn_reshape_fully_connected_nc_f32(pqnn_operator_t op, size_t batch_size,
    pthreadpool_t threadpool) {
  return pqnn_reshape_fully_connected(__func__, op, pqnn_operator_type_fully_connected_nc_f32,
      batch_size, threadpool);
}

enum pqnn_status pqnn_setup_fully_connected_nc_f32(pqnn_operator_t op, const float* input,
    float* output) {
  return pqnn_setup_gemm_op(__func__, op, pqnn_operator_type_fully_connected_nc_f32, input,
      output, NULL);
}
