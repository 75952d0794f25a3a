// Reference values of the GEMM-shaped operators (see gemm-reference.h).
#include "decoders/gemm-reference.h"

#include <cfloat>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include <fp16.h>

namespace pqnn_fuzz {
namespace {

bool nan_contract() {
  static const bool on = [] {
    const char* env = std::getenv("PQNN_FUZZ_NAN_CONTRACT");
    return env != nullptr && env[0] == '1';
  }();
  return on;
}

template <typename T>
T load(const void* base, size_t index) {
  T v;
  std::memcpy(&v, static_cast<const uint8_t*>(base) + index * sizeof(T), sizeof(T));
  return v;
}

// A float element of a buffer holding f32 (elem 4) or f16 (elem 2) values.
double load_real(const void* base, size_t index, size_t elem) {
  return elem == 4 ? double(load<float>(base, index))
                   : double(fp16_ieee_to_fp32_value(load<uint16_t>(base, index)));
}

double clamp(double v, double lo, double hi) {
  if (std::isnan(v)) return v;
  return v < lo ? lo : (v > hi ? hi : v);
}

double f16_bound(float v) { return fp16_ieee_to_fp32_value(fp16_ieee_from_fp32_value(v)); }

// Compares a float output with a reference value and the tolerance around it. `limit`:
// the largest sum of |terms| whose partial sums cannot overflow the accumulator.
void compare(double expected, double tolerance, double magnitude, double limit, float actual,
    const char* what, size_t r, size_t n) {
  if (std::isnan(expected)) {
    if (nan_contract()) {
      PQNN_FUZZ_CHECK(std::isnan(actual), "%s: output[%zu][%zu] = %g, expected NaN", what, r,
          n, double(actual));
    }
    return;
  }
  // Partial sums may overflow to Inf (or Inf - Inf = NaN) in float: only finite sums.
  if (!(magnitude < limit) || !std::isfinite(expected)) return;
  PQNN_FUZZ_CHECK(std::fabs(double(actual) - expected) <= tolerance,
      "%s: output[%zu][%zu] = %.9g, reference %.9g (tolerance %.3g, sum of |terms| %.3g)",
      what, r, n, double(actual), expected, tolerance, magnitude);
}

void check_float(const DatatypeParams& p, const Weights& w, const Bound& bound,
    const GemmView& v, const char* what) {
  const Layout& l = bound.layout;
  const size_t kernel_elem = p.kernel_elem();
  const bool f16_out = l.out_elem == 2;
  const double lo = f16_out ? f16_bound(p.output_min) : p.output_min;
  const double hi = f16_out ? f16_bound(p.output_max) : p.output_max;
  // f16 operators may accumulate in f16 (Arm FP16 arithmetic): 2^-10 per term, and their
  // f32 static weights are rounded to f16 at create.
  const bool f16 = p.type == Datatype::kF16;
  const double unit = f16 ? 0x1.0p-10 : 0x1.0p-22;
  const double limit = f16 ? 32768.0 : double(FLT_MAX) / 2;
  // f32 weights and biases pack a subnormal value as a zero of its sign (src/packing.h).
  auto weight = [&](const void* base, size_t index) {
    const double value = load_real(base, index, kernel_elem);
    if (f16) return double(fp16_ieee_to_fp32_value(fp16_ieee_from_fp32_value(float(value))));
    return kernel_elem == 4 && std::fabs(value) < double(FLT_MIN) ? std::copysign(0.0, value)
                                                                   : value;
  };
  // Output (r, n): its exact sum and its sum of |terms|; *nan_operand: a NaN input, weight
  // or bias among its terms (else a NaN sum comes from 0 x Inf or Inf - Inf).
  auto reference = [&](size_t r, size_t n, double* magnitude, bool* nan_operand) {
    double acc = 0;
    *magnitude = 0;
    *nan_operand = false;
    if (w.bias_ptr() != nullptr) {
      acc = weight(w.bias.data(), n);
      *magnitude = std::fabs(acc);
      *nan_operand = std::isnan(acc);
    }
    for (size_t t = 0; t < v.depth; t++) {
      const size_t a = v.a_offset(r, n, t);
      const double wt = weight(w.kernel.data(), v.w_offset(n, t));
      *nan_operand = *nan_operand || std::isnan(wt);
      if (a == SIZE_MAX) {
        acc += 0.0 * wt;  // padding is a zero input: an Inf or NaN weight still gives NaN
        continue;
      }
      const double x = load_real(bound.input.data(), a, l.in_elem);
      *nan_operand = *nan_operand || std::isnan(x);
      const double term = x * wt;
      acc += term;
      *magnitude += std::fabs(term);
    }
    return acc;
  };
  double layer_tolerance = 0;
  if (v.layer_relative_tolerance > 0) {
    double largest = 0;
    for (size_t r = 0; r < v.rows; r++) {
      for (size_t n = 0; n < v.columns; n++) {
        double magnitude;
        bool nan_operand;
        (void) reference(r, n, &magnitude, &nan_operand);
        if (std::isfinite(magnitude)) largest = std::fmax(largest, magnitude);
      }
    }
    layer_tolerance = v.layer_relative_tolerance * largest;
  }
  for (size_t r = 0; r < v.rows; r++) {
    for (size_t n = 0; n < v.columns; n++) {
      double magnitude;
      bool nan_operand;
      const double acc = reference(r, n, &magnitude, &nan_operand);
      // The Winograd path multiplies transformed tiles, not taps: a zero weight or input
      // (a subnormal weight packs as zero) meets an Inf there only through sums that also
      // hold its neighbours, so a NaN that comes from 0 x Inf or Inf - Inf alone may be an
      // Inf (then clamped) on that path; a NaN operand still gives NaN on every path.
      if (std::isnan(acc) && !nan_operand && v.layer_relative_tolerance > 0) continue;
      double expected = clamp(acc, lo, hi);
      double tolerance = double(v.depth + 2) * unit * magnitude + 0x1.0p-126 + layer_tolerance;
      if (f16_out) {
        expected = std::isfinite(expected)
            ? double(fp16_ieee_to_fp32_value(fp16_ieee_from_fp32_value(float(expected))))
            : expected;
        tolerance += std::fabs(expected) * 0x1.0p-10 + 0x1.0p-24;
      }
      compare(expected, tolerance, magnitude, limit, output_f32(bound, r, n), what, r, n);
    }
  }
}

void check_qd8(const DatatypeParams& p, const Weights& w, const Bound& bound,
    const GemmView& v, const char* what) {
  const Layout& l = bound.layout;
  const bool f16_out = l.out_elem == 2;
  const double lo = f16_out ? f16_bound(p.output_min) : p.output_min;
  const double hi = f16_out ? f16_bound(p.output_max) : p.output_max;
  const auto* x = static_cast<const int8_t*>(bound.input.data());
  const auto* k = static_cast<const int8_t*>(w.kernel.data());
  for (size_t r = 0; r < v.rows; r++) {
    const auto q = load<pqnn_quantization_params>(bound.params.data(), v.params_index(r));
    for (size_t n = 0; n < v.columns; n++) {
      int64_t acc = 0;
      for (size_t t = 0; t < v.depth; t++) {
        const size_t a = v.a_offset(r, n, t);
        if (a == SIZE_MAX) continue;
        acc += (int64_t(x[a]) - q.zero_point) * k[v.w_offset(n, t)];
      }
      const double bias = w.bias_ptr() != nullptr ? double(load<float>(w.bias.data(), n)) : 0.0;
      // scale[m] * kernel_scale[n] is a float product (it may be subnormal).
      volatile float product = q.scale * w.scales_ptr()[n];
      const double scaled = double(float(acc)) * double(product);
      double expected = clamp(scaled + bias, lo, hi);
      const double magnitude = std::fabs(scaled) + std::fabs(bias);
      // float arithmetic, FMA allowed: a few ulp (scale[m] * kernel_scale[n] is rounded).
      double tolerance = 8 * 0x1.0p-24 * magnitude + 0x1.0p-126;
      if (f16_out) {
        expected = std::isfinite(expected)
            ? double(fp16_ieee_to_fp32_value(fp16_ieee_from_fp32_value(float(expected))))
            : expected;
        tolerance += std::fabs(expected) * 0x1.0p-10 + 0x1.0p-24;
      }
      compare(expected, tolerance, magnitude, f16_out ? 32768.0 : double(FLT_MAX) / 2,
          output_f32(bound, r, n), what, r, n);
    }
  }
}

// API.md: acc = bias + sum (x - izp) * w (int32); scale = input_scale * kernel_scale[n] /
// output_scale (float, left to right); y = clamp(rne((float) acc * scale) + ozp).
void check_qs8(const DatatypeParams& p, const Weights& w, const Bound& bound,
    const GemmView& v, const char* what) {
  const auto* x = static_cast<const int8_t*>(bound.input.data());
  const auto* k = static_cast<const int8_t*>(w.kernel.data());
  for (size_t r = 0; r < v.rows; r++) {
    for (size_t n = 0; n < v.columns; n++) {
      int64_t acc = w.bias_ptr() != nullptr ? load<int32_t>(w.bias.data(), n) : 0;
      for (size_t t = 0; t < v.depth; t++) {
        const size_t a = v.a_offset(r, n, t);
        if (a == SIZE_MAX) continue;
        acc += (int64_t(x[a]) - p.input_zero_point) * k[v.w_offset(n, t)];
      }
      if (acc < INT32_MIN || acc > INT32_MAX) continue;  // int32 overflow: not specified
      const float kernel_scale = p.type == Datatype::kQS8 ? p.kernel_scale : w.scales_ptr()[n];
      volatile float scale = p.input_scale * kernel_scale;
      scale = scale / p.output_scale;
      volatile float product = float(acc) * scale;
      const double rounded = double(std::nearbyint(float(product)));
      const double expected = clamp(rounded + p.output_zero_point, p.qs8_min, p.qs8_max);
      const float actual = output_f32(bound, r, n);
      PQNN_FUZZ_CHECK(double(actual) == expected,
          "%s: output[%zu][%zu] = %d, API.md's formula gives %d (acc %lld, scale %.9g)", what,
          r, n, int(actual), int(expected), static_cast<long long>(acc), double(scale));
    }
  }
}

}  // namespace

void check_gemm_values(const DatatypeParams& p, const Weights& w, const Bound& bound,
    const GemmView& view, const char* what) {
  switch (p.type) {
    case Datatype::kF32:
    case Datatype::kF16:
      check_float(p, w, bound, view, what);
      break;
    case Datatype::kQD8F32:
    case Datatype::kQD8F16:
      check_qd8(p, w, bound, view, what);
      break;
    default:
      check_qs8(p, w, bound, view, what);
      break;
  }
}

}  // namespace pqnn_fuzz
