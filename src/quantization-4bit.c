/* 4-bit weight quantization helpers (pqnn_quantize_weights_qc4w / _qb4w): the formula is
 * in include/pqnn.h. */
#include <math.h>

#include <pqnn.h>

#include "common.h"
#include "logging.h"

static enum pqnn_status quantize_4bit(const char* function, size_t output_channels,
    size_t input_channels, size_t block_size, const float* weights, uint8_t* kernel_out,
    float* kernel_scale_out) {
  if (output_channels == 0 || input_channels == 0) {
    pqnn_log_error(function, "output_channels (%zu) and input_channels (%zu) must be positive",
        output_channels, input_channels);
    return pqnn_status_invalid_parameter;
  }
  size_t count;
  if (!pqnn_mul_sz(output_channels, input_channels, &count) || count > SIZE_MAX / sizeof(float)) {
    pqnn_log_error(function, "output_channels (%zu) * input_channels (%zu) overflows",
        output_channels, input_channels);
    return pqnn_status_invalid_parameter;
  }
  if (weights == NULL || kernel_out == NULL || kernel_scale_out == NULL) {
    pqnn_log_error(function, "%s is NULL", weights == NULL ? "weights"
        : kernel_out == NULL ? "kernel_out" : "kernel_scale_out");
    return pqnn_status_invalid_parameter;
  }
  for (size_t i = 0; i < count; i++) {
    if (!isfinite(weights[i])) {
      pqnn_log_error(function, "weights[%zu] (output channel %zu) is %g", i, i / input_channels,
          (double) weights[i]);
      return pqnn_status_invalid_parameter;
    }
  }
  const size_t row_bytes = (input_channels + 1) / 2;
  const size_t blocks = pqnn_divide_round_up(input_channels, block_size);
  for (size_t n = 0; n < output_channels; n++) {
    const float* w = weights + n * input_channels;
    uint8_t* q = kernel_out + n * row_bytes;
    for (size_t i = 0; i < row_bytes; i++) q[i] = 0;
    for (size_t b = 0; b < blocks; b++) {
      const size_t k0 = b * block_size;
      const size_t k1 = pqnn_min_sz(input_channels, k0 + block_size);
      float max_abs = 0.0f;
      for (size_t k = k0; k < k1; k++) {
        const float a = fabsf(w[k]);
        max_abs = a > max_abs ? a : max_abs;
      }
      float scale = max_abs / 7.0f;
      if (scale == 0.0f) scale = 1.0f;  /* all zero, or an underflowing scale: zeros */
      kernel_scale_out[n * blocks + b] = scale;
      for (size_t k = k0; k < k1; k++) {
        float v = max_abs / 7.0f == 0.0f ? 0.0f : nearbyintf(w[k] / scale);
        v = v < -8.0f ? -8.0f : v;
        v = v > 7.0f ? 7.0f : v;
        const uint8_t u = (uint8_t) ((int) v & 0xF);
        q[k / 2] |= (uint8_t) ((k & 1) != 0 ? u << 4 : u);
      }
    }
  }
  return pqnn_status_success;
}

enum pqnn_status pqnn_quantize_weights_qc4w(size_t output_channels, size_t input_channels,
    const float* weights, uint8_t* kernel_out, float* kernel_scale_out) {
  return quantize_4bit(__func__, output_channels, input_channels,
      input_channels == 0 ? 1 : input_channels, weights, kernel_out, kernel_scale_out);
}

enum pqnn_status pqnn_quantize_weights_qb4w(size_t output_channels, size_t input_channels,
    size_t block_size, const float* weights, uint8_t* kernel_out, float* kernel_scale_out) {
  if (block_size == 0 || block_size % 32 != 0) {
    pqnn_log_error(__func__, "block_size (%zu) must be a positive multiple of 32", block_size);
    return pqnn_status_invalid_parameter;
  }
  return quantize_4bit(__func__, output_channels, input_channels, block_size, weights,
      kernel_out, kernel_scale_out);
}
