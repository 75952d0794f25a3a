/* Weight quantization helper (pqnn_quantize_weights_qc8w). */
#include <math.h>

#include <pqnn.h>

#include "common.h"
#include "logging.h"

enum pqnn_status pqnn_quantize_weights_qc8w(size_t output_channels, size_t input_channels,
    const float* weights, int8_t* kernel_out, float* kernel_scale_out) {
  if (output_channels == 0) {
    PQNN_LOG_ERROR("output_channels is 0");
    return pqnn_status_invalid_parameter;
  }
  if (input_channels == 0) {
    PQNN_LOG_ERROR("input_channels is 0");
    return pqnn_status_invalid_parameter;
  }
  size_t count;
  if (!pqnn_mul_sz(output_channels, input_channels, &count) || count > SIZE_MAX / sizeof(float)) {
    PQNN_LOG_ERROR("output_channels (%zu) * input_channels (%zu) overflows", output_channels,
        input_channels);
    return pqnn_status_invalid_parameter;
  }
  if (weights == NULL) {
    PQNN_LOG_ERROR("weights is NULL");
    return pqnn_status_invalid_parameter;
  }
  if (kernel_out == NULL) {
    PQNN_LOG_ERROR("kernel_out is NULL");
    return pqnn_status_invalid_parameter;
  }
  if (kernel_scale_out == NULL) {
    PQNN_LOG_ERROR("kernel_scale_out is NULL");
    return pqnn_status_invalid_parameter;
  }
  /* Validate everything before writing anything. */
  for (size_t i = 0; i < count; i++) {
    if (!isfinite(weights[i])) {
      PQNN_LOG_ERROR("weights[%zu] (output channel %zu) is %g", i, i / input_channels,
          (double) weights[i]);
      return pqnn_status_invalid_parameter;
    }
  }
  for (size_t n = 0; n < output_channels; n++) {
    const float* w = weights + n * input_channels;
    int8_t* q = kernel_out + n * input_channels;
    float max_abs = 0.0f;
    for (size_t k = 0; k < input_channels; k++) {
      const float a = fabsf(w[k]);
      max_abs = a > max_abs ? a : max_abs;
    }
    const float scale = max_abs / 127.0f;
    if (scale == 0.0f) {
      /* All zero, or so small (below 127 * the smallest subnormal) that the scale
       * underflows: an all-zero channel with scale 1 (error below 2e-43 per weight). */
      kernel_scale_out[n] = 1.0f;
      for (size_t k = 0; k < input_channels; k++) q[k] = 0;
      continue;
    }
    kernel_scale_out[n] = scale;
    for (size_t k = 0; k < input_channels; k++) {
      float v = nearbyintf(w[k] / scale);
      v = v < -127.0f ? -127.0f : v;
      v = v > 127.0f ? 127.0f : v;
      q[k] = (int8_t) v;
    }
  }
  return pqnn_status_success;
}
