// Datatype parameters, weights, input contents and output checks shared by the fully
// connected and convolution decoders (see gemm-datatypes.h).
#include "decoders/gemm-datatypes.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include <fp16.h>

namespace pqnn_fuzz {

DatatypeParams DatatypeParams::decode(FuzzInput& in, Datatype type) {
  DatatypeParams p;
  p.type = type;
  p.flags = in.flags();
  p.data = Data::decode(in);
  p.options = in.byte();
  switch (type) {
    case Datatype::kF32:
    case Datatype::kF16:
      p.output_min = in.real();
      p.output_max = in.real();
      break;
    case Datatype::kQS8:
    case Datatype::kQS8QC8W:
      p.input_zero_point = in.i8();
      p.input_scale = in.real();
      p.kernel_scale = in.real();
      p.output_zero_point = in.i8();
      p.output_scale = in.real();
      p.qs8_min = in.i8();
      p.qs8_max = in.i8();
      break;
    default:
      p.kernel_scale = in.real();
      p.output_min = in.real();
      p.output_max = in.real();
      p.params_mode = in.byte() % 3;
      p.params_zero_point = in.zero_point();
      p.params_scale = in.real();
      break;
  }
  return p;
}

size_t DatatypeParams::kernel_elem() const {
  switch (type) {
    case Datatype::kF32: return 4;
    case Datatype::kF16: return from_f32() ? 4 : 2;
    default: return 1;
  }
}

size_t DatatypeParams::input_elem() const {
  switch (type) {
    case Datatype::kF32: return 4;
    case Datatype::kF16: return 2;
    default: return 1;
  }
}

size_t DatatypeParams::output_elem() const {
  switch (type) {
    case Datatype::kF32:
    case Datatype::kQD8F32: return 4;
    case Datatype::kF16:
    case Datatype::kQD8F16: return 2;
    default: return 1;
  }
}

Weights make_weights(const DatatypeParams& p, size_t kernel_elements, size_t output_channels,
    bool oversized) {
  Weights w;
  w.null_bias = (p.options & 1) != 0;
  if (oversized) {
    w.kernel = Block::make(8);
    w.bias = Block::make(8);
    w.scales = Block::make(sizeof(float));
    const float one = 1.0f;
    std::memcpy(w.scales.data(), &one, sizeof(one));
    return w;
  }
  w.kernel = Block::make(kernel_elements * p.kernel_elem());
  size_t bias_elem = 4;
  if (p.type == Datatype::kF16 && !p.from_f32()) bias_elem = 2;
  w.bias = Block::make(output_channels * bias_elem);
  w.scales = Block::make(output_channels * sizeof(float));
  switch (p.type) {
    case Datatype::kF32:
      p.data.fill_f32(static_cast<float*>(w.kernel.data()), kernel_elements, 1);
      p.data.fill_f32(static_cast<float*>(w.bias.data()), output_channels, 2);
      break;
    case Datatype::kF16:
      if (p.from_f32()) {
        p.data.fill_f32(static_cast<float*>(w.kernel.data()), kernel_elements, 1);
        p.data.fill_f32(static_cast<float*>(w.bias.data()), output_channels, 2);
      } else {
        p.data.fill_f16(static_cast<uint16_t*>(w.kernel.data()), kernel_elements, 1);
        p.data.fill_f16(static_cast<uint16_t*>(w.bias.data()), output_channels, 2);
      }
      break;
    case Datatype::kQS8:
    case Datatype::kQS8QC8W:
      p.data.fill_i8(static_cast<int8_t*>(w.kernel.data()), kernel_elements, 1, true);
      p.data.fill_i32(static_cast<int32_t*>(w.bias.data()), output_channels, 2);
      break;
    default:
      p.data.fill_i8(static_cast<int8_t*>(w.kernel.data()), kernel_elements, 1, true);
      p.data.fill_f32(static_cast<float*>(w.bias.data()), output_channels, 2);
      break;
  }
  float* scales = static_cast<float*>(w.scales.data());
  if ((p.options & 2) != 0) {
    for (size_t n = 0; n < output_channels; n++) scales[n] = p.kernel_scale;
  } else {
    p.data.fill_scales(scales, output_channels, 3);
  }
  return w;
}

bool may_create_oversized(const DatatypeParams& p, bool kernel_size_overflows) {
  return p.float_weights() || kernel_size_overflows;
}

size_t packed_estimate(size_t groups, size_t group_output_channels, size_t taps,
    size_t group_input_channels, size_t element_size) {
  const size_t n = add_sat(group_output_channels, 63) / 64 * 64;
  const size_t k = add_sat(group_input_channels, 15) / 16 * 16;
  return mul_sat(mul_sat(mul_sat(groups, n), mul_sat(taps, k)), add_sat(element_size, 4));
}

void fill_gemm_input(const DatatypeParams& p, Bound& bound) {
  const Layout& l = bound.layout;
  const size_t count = span_sat(l.in_rows, l.in_channels, l.in_stride);
  void* in = bound.input.data();
  switch (p.type) {
    case Datatype::kF32: {
      float* x = static_cast<float*>(in);
      p.data.fill_f32(x, count, 10);
      for (size_t r = 0; r + 1 < l.in_rows; r++) {
        for (size_t c = l.in_channels; c < l.in_stride; c++) {
          x[r * l.in_stride + c] = std::numeric_limits<float>::quiet_NaN();
        }
      }
      break;
    }
    case Datatype::kF16: {
      uint16_t* x = static_cast<uint16_t*>(in);
      p.data.fill_f16(x, count, 10);
      for (size_t r = 0; r + 1 < l.in_rows; r++) {
        for (size_t c = l.in_channels; c < l.in_stride; c++) x[r * l.in_stride + c] = 0x7E00;
      }
      break;
    }
    default:
      p.data.fill_i8(static_cast<int8_t*>(in), count, 10, false);
      break;
  }
  if (l.params == 0) return;
  auto* q = static_cast<pqnn_quantization_params*>(bound.params.data());
  std::vector<int8_t> zp(l.params);
  std::vector<float> scale(l.params);
  std::vector<int32_t> raw(l.params);
  p.data.fill_i8(zp.data(), l.params, 11, false);
  p.data.fill_scales(scale.data(), l.params, 12);
  p.data.fill_i32(raw.data(), l.params, 13);
  for (size_t i = 0; i < l.params; i++) {
    switch (p.params_mode) {
      case 0: q[i] = {zp[i], scale[i]}; break;
      case 1: q[i] = {p.params_zero_point, p.params_scale}; break;
      default: q[i] = {raw[i], scale[i]}; break;
    }
  }
}

void check_gemm_output(const DatatypeParams& p, const Bound& bound, const char* what) {
  const Layout& l = bound.layout;
  float lo, hi;
  bool nan_ok;
  switch (p.type) {
    case Datatype::kQS8:
    case Datatype::kQS8QC8W:
      lo = p.qs8_min;
      hi = p.qs8_max;
      nan_ok = false;
      break;
    case Datatype::kF16:
    case Datatype::kQD8F16:
      lo = fp16_ieee_to_fp32_value(fp16_ieee_from_fp32_value(p.output_min));
      hi = fp16_ieee_to_fp32_value(fp16_ieee_from_fp32_value(p.output_max));
      nan_ok = !p.data.finite() || (p.qd8() && p.params_mode != 0);
      break;
    default:
      lo = p.output_min;
      hi = p.output_max;
      nan_ok = !p.data.finite() || (p.qd8() && p.params_mode != 0);
      break;
  }
  for (size_t r = 0; r < l.out_rows; r++) {
    for (size_t c = 0; c < l.out_channels; c++) {
      check_in_range(output_f32(bound, r, c), lo, hi, nan_ok, what, r, c);
    }
  }
}

}  // namespace pqnn_fuzz
