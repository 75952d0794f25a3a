/* Specs of the int8-weight datatypes (qs8, qs8_qc8w, qd8 x qc8w): argument checks shared
 * by their fully connected and convolution operators, requantization scales, packing. */
#include <math.h>
#include <string.h>

#include <fp16.h>

#include "allocator.h"
#include "logging.h"
#include "operators/specs.h"
#include "packing.h"

enum pqnn_status pqnn_check_int8_kernel(const char* function, const int8_t* kernel,
    size_t count) {
  for (size_t i = 0; i < count; i++) {
    if (kernel[i] == INT8_MIN) {
      pqnn_log_error(function, "kernel[%zu] is -128: int8 weights must lie in [-127, 127]", i);
      return pqnn_status_invalid_parameter;
    }
  }
  return pqnn_status_success;
}

enum pqnn_status pqnn_check_scale(const char* function, const char* name, float scale) {
  if (!(scale > 0.0f) || !isfinite(scale)) {
    pqnn_log_error(function, "%s (%g) must be finite and positive", name, (double) scale);
    return pqnn_status_invalid_parameter;
  }
  return pqnn_status_success;
}

/* ---- qs8 / qs8_qc8w ---- */

static void pack_qs8_gemm(const void* context, size_t groups, size_t nc, size_t ks, size_t kc,
    size_t nr, size_t kr, bool transposed, const void* kernel, void* packed) {
  const struct pqnn_qs8_spec_storage* s = (const struct pqnn_qs8_spec_storage*) context;
  pqnn_pack_qs8_gemm(groups, nc, ks, kc, nr, kr, transposed, (const int8_t*) kernel, s->bias,
      s->requantization_scale, s->input_zero_point + s->input_offset, packed);
}

static void pack_qs8_dwconv(const void* context, size_t channels, size_t taps, size_t ct,
    const void* kernel, void* packed) {
  const struct pqnn_qs8_spec_storage* s = (const struct pqnn_qs8_spec_storage*) context;
  pqnn_pack_qs8_dwconv(channels, taps, ct, (const int8_t*) kernel, s->bias,
      s->requantization_scale, s->input_zero_point, packed);
}

enum pqnn_status pqnn_init_qs8_spec(const char* function, struct pqnn_gemm_op_spec* spec,
    struct pqnn_qs8_spec_storage* storage, enum pqnn_operator_type type, size_t output_channels,
    const int8_t* kernel, size_t kernel_elements, int8_t input_zero_point, float input_scale,
    const float* kernel_scale, bool per_channel, const int32_t* bias,
    int8_t output_zero_point, float output_scale, int8_t output_min, int8_t output_max) {
  memset(storage, 0, sizeof(*storage));
  enum pqnn_status status = pqnn_check_scale(function, "input_scale", input_scale);
  if (status != pqnn_status_success) return status;
  status = pqnn_check_scale(function, "output_scale", output_scale);
  if (status != pqnn_status_success) return status;
  if (kernel_scale == NULL) {
    pqnn_log_error(function, "kernel_scale is NULL");
    return pqnn_status_invalid_parameter;
  }
  const size_t scales = per_channel ? output_channels : 1;
  for (size_t n = 0; n < scales; n++) {
    status = pqnn_check_scale(function, "kernel_scale", kernel_scale[n]);
    if (status != pqnn_status_success) return status;
  }
  if (output_min > output_max) {
    pqnn_log_error(function, "output_min (%d) exceeds output_max (%d)", output_min, output_max);
    return pqnn_status_invalid_parameter;
  }
  if (kernel != NULL) {
    status = pqnn_check_int8_kernel(function, kernel, kernel_elements);
    if (status != pqnn_status_success) return status;
  }
  if (output_channels > SIZE_MAX / sizeof(float)) {
    pqnn_log_error(function, "output_channels %zu overflows", output_channels);
    return pqnn_status_invalid_parameter;
  }
  /* The requantization scale of every channel, in float, left to right. */
  for (size_t n = 0; n < scales; n++) {
    volatile float product = input_scale * kernel_scale[n];
    const float scale = product / output_scale;
    if (!(scale >= 0x1.0p-32f && scale < 256.0f)) {
      pqnn_log_error(function,
          "requantization scale input_scale * kernel_scale / output_scale = %g (channel %zu) "
          "is outside [2^-32, 256)", (double) scale, n);
      return pqnn_status_unsupported_parameter;
    }
  }
  storage->requantization_scale = (float*) pqnn_allocate(output_channels * sizeof(float));
  if (storage->requantization_scale == NULL) {
    pqnn_log_error(function, "cannot allocate %zu requantization scales", output_channels);
    return pqnn_status_out_of_memory;
  }
  for (size_t n = 0; n < output_channels; n++) {
    volatile float product = input_scale * kernel_scale[per_channel ? n : 0];
    storage->requantization_scale[n] = product / output_scale;
  }
  const struct pqnn_gemm_config* config = pqnn_get_qs8_qc8w_gemm_config();
  storage->bias = bias;
  storage->input_zero_point = input_zero_point;
  storage->input_offset = config != NULL ? config->input_offset : 0;
  *spec = (struct pqnn_gemm_op_spec) {
    .type = type,
    .gemm_config = config,
    .dwconv_config = pqnn_get_qs8_qc8w_dwconv_config(),
    .input_element_size = 1,
    .output_element_size = 1,
    .kernel_element_size = 1,
    .packed_element_size = 1,
    .packed_prefix_size = sizeof(int32_t),
    .packed_suffix_size = sizeof(float),
    .dwconv_prefix_size = sizeof(int32_t),
    .dwconv_suffix_size = sizeof(float),
    .zero_byte = (uint8_t) input_zero_point,
    .params.qs8 = {
      .output_min_less_zero_point = (float) ((int32_t) output_min - (int32_t) output_zero_point),
      .output_max_less_zero_point = (float) ((int32_t) output_max - (int32_t) output_zero_point),
      .output_zero_point = output_zero_point,
      .output_min = output_min,
      .output_max = output_max,
    },
    .pack_gemm = pack_qs8_gemm,
    .pack_dwconv = pack_qs8_dwconv,
    .spec_context = storage,
  };
  return pqnn_status_success;
}

void pqnn_release_qs8_spec(struct pqnn_qs8_spec_storage* storage) {
  pqnn_release(storage->requantization_scale);
  storage->requantization_scale = NULL;
}

/* ---- qd8 x qc8w ---- */

static void pack_qd8_gemm(const void* context, size_t groups, size_t nc, size_t ks, size_t kc,
    size_t nr, size_t kr, bool transposed, const void* kernel, void* packed) {
  const struct pqnn_qd8_spec_storage* s = (const struct pqnn_qd8_spec_storage*) context;
  pqnn_pack_qd8_gemm(groups, nc, ks, kc, nr, kr, transposed, (const int8_t*) kernel,
      s->kernel_scale, s->bias, packed);
}

enum pqnn_status pqnn_init_qd8_spec(const char* function, struct pqnn_gemm_op_spec* spec,
    struct pqnn_qd8_spec_storage* storage, enum pqnn_operator_type type, bool f16_output,
    size_t output_channels, const int8_t* kernel, size_t kernel_elements,
    const float* kernel_scale, const float* bias, float output_min, float output_max) {
  enum pqnn_status status = pqnn_check_output_bounds(function, output_min, output_max);
  if (status != pqnn_status_success) return status;
  if (f16_output) {
    /* Bounds are rounded to f16 and must still be ordered. */
    output_min = fp16_ieee_to_fp32_value(fp16_ieee_from_fp32_value(output_min));
    output_max = fp16_ieee_to_fp32_value(fp16_ieee_from_fp32_value(output_max));
    if (!(output_min < output_max)) {
      pqnn_log_error(function, "output bounds round to the same f16 value (%g)", (double) output_min);
      return pqnn_status_invalid_parameter;
    }
  }
  if (kernel_scale == NULL) {
    pqnn_log_error(function, "kernel_scale is NULL");
    return pqnn_status_invalid_parameter;
  }
  for (size_t n = 0; n < output_channels; n++) {
    status = pqnn_check_scale(function, "kernel_scale", kernel_scale[n]);
    if (status != pqnn_status_success) return status;
  }
  if (kernel != NULL) {
    status = pqnn_check_int8_kernel(function, kernel, kernel_elements);
    if (status != pqnn_status_success) return status;
  }
  storage->kernel_scale = kernel_scale;
  storage->bias = bias;
  *spec = (struct pqnn_gemm_op_spec) {
    .type = type,
    .gemm_config = f16_output ? pqnn_get_qd8_f16_qc8w_gemm_config()
                              : pqnn_get_qd8_f32_qc8w_gemm_config(),
    .dwconv_config = NULL,
    .input_element_size = 1,
    .output_element_size = f16_output ? 2 : 4,
    .kernel_element_size = 1,
    .packed_element_size = 1,
    .packed_prefix_size = sizeof(int32_t),
    .packed_suffix_size = 2 * sizeof(float),
    .dynamic_quantization = true,
    .params.f32 = {output_min, output_max},
    .pack_gemm = pack_qd8_gemm,
    .spec_context = storage,
  };
  return pqnn_status_success;
}
