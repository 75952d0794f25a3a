// pqnn_quantize_weights_qc8w decoder. Bytes: output_channels (size), input_channels
// (size), data (mode, seed), options (bit 0: NULL weights, 1: NULL kernel_out, 2: NULL
// kernel_scale_out).
// Checks: with valid sizes and pointers the call succeeds exactly when every weight is
// finite, and then matches API.md's formula bit for bit (an all-zero channel, or one whose
// scale underflows to 0, gets scale 1 and zero data); a failed call writes nothing.
#include <cmath>
#include <vector>

#include <pqnn.h>

#include "decoders/fuzz-input.h"
#include "fuzz-targets.h"

namespace pqnn_fuzz {

void quantize_weights(const uint8_t* data, size_t size) {
  initialize();
  FuzzInput in(data, size);
  const size_t output_channels = in.size_value();
  const size_t input_channels = in.size_value();
  const Data d = Data::decode(in);
  const uint8_t options = in.byte();
  size_t count;
  const bool overflows = __builtin_mul_overflow(output_channels, input_channels, &count) ||
      count > SIZE_MAX / sizeof(float);
  const bool fits = !overflows && mul_sat(count, sizeof(float)) <= kMaxBufferBytes &&
      mul_sat(output_channels, sizeof(float)) <= kMaxBufferBytes;
  const bool null_weights = (options & 1) != 0;
  const bool null_kernel = (options & 2) != 0;
  const bool null_scale = (options & 4) != 0;
  if (!fits) {
    // Nothing may be read or written when the sizes are invalid or overflow; with sizes
    // that are merely large, the buffers cannot be provided, so only the rejections that
    // come before any access are exercised (a zero size or an overflow).
    if (!overflows && output_channels != 0 && input_channels != 0) return;
    Block dummy = Block::make(0);
    const pqnn_status status = pqnn_quantize_weights_qc8w(output_channels, input_channels,
        static_cast<const float*>(dummy.data()), static_cast<int8_t*>(dummy.data()),
        static_cast<float*>(dummy.data()));
    PQNN_FUZZ_CHECK(status == pqnn_status_invalid_parameter, "sizes %zu x %zu gave %d",
        output_channels, input_channels, int(status));
    return;
  }
  Block weights = Block::make(count * sizeof(float));
  Block kernel = Block::make(count);
  Block scales = Block::make(output_channels * sizeof(float));
  float* w = static_cast<float*>(weights.data());
  d.fill_f32(w, count, 30);
  const pqnn_status status = pqnn_quantize_weights_qc8w(output_channels, input_channels,
      null_weights ? nullptr : w, null_kernel ? nullptr : static_cast<int8_t*>(kernel.data()),
      null_scale ? nullptr : static_cast<float*>(scales.data()));
  bool all_finite = true;
  for (size_t i = 0; i < count; i++) all_finite = all_finite && std::isfinite(w[i]);
  const bool valid = output_channels != 0 && input_channels != 0 && !null_weights &&
      !null_kernel && !null_scale && all_finite;
  PQNN_FUZZ_CHECK(valid ? status == pqnn_status_success : status == pqnn_status_invalid_parameter,
      "%zu x %zu (finite %d, options 0x%x) gave %d", output_channels, input_channels,
      int(all_finite), unsigned(options), int(status));
  const auto* k = static_cast<const int8_t*>(kernel.data());
  const auto* s = static_cast<const float*>(scales.data());
  if (!valid) {
    for (size_t i = 0; i < kernel.bytes; i++) {
      PQNN_FUZZ_CHECK(static_cast<const uint8_t*>(kernel.data())[i] == kPoison,
          "a failed call wrote kernel_out[%zu]", i);
    }
    for (size_t i = 0; i < scales.bytes; i++) {
      PQNN_FUZZ_CHECK(static_cast<const uint8_t*>(scales.data())[i] == kPoison,
          "a failed call wrote kernel_scale_out");
    }
    return;
  }
  for (size_t n = 0; n < output_channels; n++) {
    float max_abs = 0.0f;
    for (size_t i = 0; i < input_channels; i++) max_abs = std::fmax(max_abs, std::fabs(w[n * input_channels + i]));
    const float scale = max_abs / 127.0f;
    const float expected_scale = scale == 0.0f ? 1.0f : scale;
    PQNN_FUZZ_CHECK(s[n] == expected_scale, "channel %zu: scale %g, expected %g", n,
        double(s[n]), double(expected_scale));
    for (size_t i = 0; i < input_channels; i++) {
      float q = scale == 0.0f ? 0.0f : std::nearbyint(w[n * input_channels + i] / scale);
      q = q < -127.0f ? -127.0f : (q > 127.0f ? 127.0f : q);
      PQNN_FUZZ_CHECK(k[n * input_channels + i] == static_cast<int8_t>(q),
          "channel %zu weight %zu: %d, expected %d", n, i, int(k[n * input_channels + i]),
          int(q));
    }
  }
}

}  // namespace pqnn_fuzz
