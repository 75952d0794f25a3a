// The six datatypes that fully connected and convolution share (f32, f16, qs8, qs8_qc8w,
// qd8_f32_qc8w, qd8_f16_qc8w): decoding of their create parameters, the weight buffers
// (exact size), input contents and the output checks.
//
// Bytes read by DatatypeParams::decode, in order: flags, data (mode, seed), options
// (bit 0: NULL bias; bit 1: per-channel scales all equal to `kernel_scale` instead of
// seeded), then
//   f32, f16:  output_min, output_max (float)
//   qs8, qs8_qc8w: input_zero_point (i8), input_scale, kernel_scale, output_zero_point (i8),
//              output_scale, output_min (i8), output_max (i8)
//   qd8_*:     kernel_scale, output_min, output_max, params mode (u8: 0 seeded, 1 all equal
//              to the next zero point and scale, 2 random bits), params zero_point (zp),
//              params scale (float)
#pragma once

#include <cstddef>
#include <cstdint>

#include "decoders/fuzz-input.h"
#include "decoders/operator-steps.h"

namespace pqnn_fuzz {

enum class Datatype : uint8_t { kF32, kF16, kQS8, kQS8QC8W, kQD8F32, kQD8F16, kCount };

struct DatatypeParams {
  Datatype type = Datatype::kF32;
  uint32_t flags = 0;
  Data data;
  uint8_t options = 0;
  float output_min = 0, output_max = 0;
  int8_t input_zero_point = 0, output_zero_point = 0, qs8_min = 0, qs8_max = 0;
  float input_scale = 0, kernel_scale = 0, output_scale = 0;
  uint8_t params_mode = 0;
  int32_t params_zero_point = 0;
  float params_scale = 0;

  static DatatypeParams decode(FuzzInput& in, Datatype type);
  bool qd8() const { return type == Datatype::kQD8F32 || type == Datatype::kQD8F16; }
  bool float_weights() const { return type == Datatype::kF32 || type == Datatype::kF16; }
  bool from_f32() const { return (flags & PQNN_FLAG_FP32_STATIC_WEIGHTS) != 0; }
  size_t kernel_elem() const;
  size_t input_elem() const;
  size_t output_elem() const;
};

// The caller's weight arrays, exact size: kernel, bias (NULL when asked), per-channel
// scales. With `oversized`, one-element stand-ins (create must fail before reading them).
struct Weights {
  Block kernel, bias, scales;
  bool null_bias = false;
  const void* kernel_ptr() const { return kernel.data(); }
  const void* bias_ptr() const { return null_bias ? nullptr : bias.data(); }
  const float* scales_ptr() const { return static_cast<const float*>(scales.data()); }
};
Weights make_weights(const DatatypeParams& p, size_t kernel_elements, size_t output_channels,
    bool oversized);

// Whether create may be called at all for a case whose weights exceed the caps: the
// float datatypes read nothing before their first allocation (which AllocationGuard
// fails); the int8 ones scan the kernel and scales first, which is only safe when the
// kernel size overflows size_t (the library must then reject without reading).
bool may_create_oversized(const DatatypeParams& p, bool kernel_size_overflows);

// Estimate of the packed weights: output channels rounded to 64, K to 16 (bytes).
size_t packed_estimate(size_t groups, size_t group_output_channels, size_t taps,
    size_t group_input_channels, size_t element_size);

// Input (and qd8 params) contents; the gaps between channels and stride hold NaN in
// float inputs, which must never reach an output.
void fill_gemm_input(const DatatypeParams& p, Bound& bound);
// Output values within the clamp bounds (NaN only where the data allows it).
void check_gemm_output(const DatatypeParams& p, const Bound& bound, const char* what);

}  // namespace pqnn_fuzz
