// convert_nc decoder. Bytes: kind (u8 % 4: f32 -> qd8, f16 -> qd8, f32 -> f16, f16 -> f32),
// channels (size), input_stride, output_stride (stride), flags, data (mode, seed), then the
// lifecycle steps (operator-steps.h) whose reshape reads batch_size (size).
// Checks beyond the engine's: f32 <-> f16 agree bit for bit with the fp16 library (any NaN
// for NaN); qd8 rows follow API.md: a row with NaN or Inf gets scale NaN, zero point 0 and
// zero data; an all-zero row scale 1, zero point 0; otherwise a zero point in [-128, 127]
// and data within 1 of clamp(rne(x * 255 / (rmax - rmin)) + zero_point). Float input gaps
// hold NaN, so a kernel that reads them breaks the row's result.
#include <cmath>
#include <cstring>
#include <limits>

#include <fp16.h>
#include <pqnn.h>

#include "decoders/fuzz-input.h"
#include "decoders/operator-steps.h"
#include "fuzz-targets.h"

namespace pqnn_fuzz {
namespace {

enum class Kind : uint8_t { kF32ToQD8, kF16ToQD8, kF32ToF16, kF16ToF32, kCount };

struct ConvertCase {
  Kind kind;
  size_t channels, input_stride, output_stride;
  uint32_t flags;
  Data data;
  bool f16_input() const { return kind == Kind::kF16ToQD8 || kind == Kind::kF16ToF32; }
  bool qd8() const { return kind == Kind::kF32ToQD8 || kind == Kind::kF16ToQD8; }
  size_t input_elem() const { return f16_input() ? 2 : 4; }
  size_t output_elem() const {
    return qd8() ? 1 : (kind == Kind::kF32ToF16 ? 2 : 4);
  }
};

float input_value(const Bound& b, bool f16, size_t row, size_t c) {
  const Layout& l = b.layout;
  const uint8_t* p = static_cast<const uint8_t*>(b.input.data()) + (row * l.in_stride + c) * l.in_elem;
  if (f16) {
    uint16_t h;
    std::memcpy(&h, p, sizeof(h));
    return fp16_ieee_to_fp32_value(h);
  }
  float f;
  std::memcpy(&f, p, sizeof(f));
  return f;
}

void check_qd8_row(const Bound& b, bool f16, size_t row) {
  const Layout& l = b.layout;
  const auto* q = static_cast<const pqnn_quantization_params*>(b.params.data()) + row;
  const int8_t* y = static_cast<const int8_t*>(b.output.data()) + row * l.out_stride;
  bool finite = true;
  float rmin = 0.0f, rmax = 0.0f;
  for (size_t c = 0; c < l.in_channels; c++) {
    const float x = input_value(b, f16, row, c);
    if (!std::isfinite(x)) finite = false;
    rmin = std::fmin(rmin, x);
    rmax = std::fmax(rmax, x);
  }
  if (!finite || rmin == rmax) {
    PQNN_FUZZ_CHECK(q->zero_point == 0, "row %zu: zero point %d for a %s row", row,
        int(q->zero_point), finite ? "zero" : "non-finite");
    PQNN_FUZZ_CHECK(finite ? q->scale == 1.0f : std::isnan(q->scale),
        "row %zu: scale %g for a %s row", row, double(q->scale), finite ? "zero" : "non-finite");
    for (size_t c = 0; c < l.in_channels; c++) {
      PQNN_FUZZ_CHECK(y[c] == 0, "row %zu: data [%zu] = %d, expected 0", row, c, int(y[c]));
    }
    return;
  }
  PQNN_FUZZ_CHECK(q->zero_point >= -128 && q->zero_point <= 127, "row %zu: zero point %d",
      row, int(q->zero_point));
  const float inv = 255.0f / (rmax - rmin);
  if (!std::isfinite(inv) || !std::isfinite(rmax - rmin)) return;
  for (size_t c = 0; c < l.in_channels; c++) {
    const double e = std::nearbyint(double(input_value(b, f16, row, c)) * double(inv)) +
        q->zero_point;
    const double expected = e < -128 ? -128 : (e > 127 ? 127 : e);
    PQNN_FUZZ_CHECK(std::fabs(double(y[c]) - expected) <= 1.0,
        "row %zu: data [%zu] = %d, expected %g (zero point %d)", row, c, int(y[c]), expected,
        int(q->zero_point));
  }
}

class ConvertDriver : public OperatorDriver {
 public:
  explicit ConvertDriver(const ConvertCase& c) : c_(c) {}

  Layout decode_reshape(FuzzInput& in, bool* oversized) override {
    batch_ = in.size_value();
    Layout l;
    l.in_rows = l.out_rows = batch_;
    l.in_channels = l.out_channels = c_.channels;
    l.in_stride = c_.input_stride;
    l.out_stride = c_.output_stride;
    l.in_elem = c_.input_elem();
    l.out_elem = c_.output_elem();
    l.params = c_.qd8() ? batch_ : 0;
    l.params_out = c_.qd8();
    l.work = mul_sat(batch_, c_.channels);
    *oversized = !l.fits();
    return l;
  }

  pqnn_status reshape(pqnn_operator_t op, pthreadpool_t pool) override {
    switch (c_.kind) {
      case Kind::kF32ToQD8: return pqnn_reshape_convert_nc_f32_qd8(op, batch_, pool);
      case Kind::kF16ToQD8: return pqnn_reshape_convert_nc_f16_qd8(op, batch_, pool);
      case Kind::kF32ToF16: return pqnn_reshape_convert_nc_f32_f16(op, batch_, pool);
      default: return pqnn_reshape_convert_nc_f16_f32(op, batch_, pool);
    }
  }

  pqnn_status setup(pqnn_operator_t op, const void* input, void* output, void* params) override {
    auto* q = static_cast<pqnn_quantization_params*>(params);
    switch (c_.kind) {
      case Kind::kF32ToQD8:
        return pqnn_setup_convert_nc_f32_qd8(op, static_cast<const float*>(input),
            static_cast<int8_t*>(output), q);
      case Kind::kF16ToQD8:
        return pqnn_setup_convert_nc_f16_qd8(op, input, static_cast<int8_t*>(output), q);
      case Kind::kF32ToF16:
        return pqnn_setup_convert_nc_f32_f16(op, static_cast<const float*>(input), output);
      default:
        return pqnn_setup_convert_nc_f16_f32(op, input, static_cast<float*>(output));
    }
  }

  void fill(Bound& bound) override {
    const Layout& l = bound.layout;
    const size_t count = span_sat(l.in_rows, l.in_channels, l.in_stride);
    if (c_.f16_input()) {
      uint16_t* x = static_cast<uint16_t*>(bound.input.data());
      c_.data.fill_f16(x, count, 20);
      for (size_t r = 0; r + 1 < l.in_rows; r++) {
        for (size_t c = l.in_channels; c < l.in_stride; c++) x[r * l.in_stride + c] = 0x7E00;
      }
    } else {
      float* x = static_cast<float*>(bound.input.data());
      c_.data.fill_f32(x, count, 20);
      for (size_t r = 0; r + 1 < l.in_rows; r++) {
        for (size_t c = l.in_channels; c < l.in_stride; c++) {
          x[r * l.in_stride + c] = std::numeric_limits<float>::quiet_NaN();
        }
      }
    }
  }

  void check(const Bound& b) override {
    const Layout& l = b.layout;
    for (size_t r = 0; r < l.in_rows; r++) {
      if (c_.qd8()) {
        check_qd8_row(b, c_.f16_input(), r);
        continue;
      }
      for (size_t c = 0; c < l.in_channels; c++) {
        const float x = input_value(b, c_.f16_input(), r, c);
        const uint8_t* p = static_cast<const uint8_t*>(b.output.data()) +
            (r * l.out_stride + c) * l.out_elem;
        if (c_.kind == Kind::kF32ToF16) {
          uint16_t h;
          std::memcpy(&h, p, sizeof(h));
          const uint16_t expected = fp16_ieee_from_fp32_value(x);
          const bool both_nan = std::isnan(x) && std::isnan(fp16_ieee_to_fp32_value(h));
          PQNN_FUZZ_CHECK(both_nan || h == expected, "f32 -> f16 [%zu][%zu]: %g gave 0x%04x, expected 0x%04x",
              r, c, double(x), unsigned(h), unsigned(expected));
        } else {
          float y;
          std::memcpy(&y, p, sizeof(y));
          const bool both_nan = std::isnan(x) && std::isnan(y);
          PQNN_FUZZ_CHECK(both_nan || std::memcmp(&x, &y, sizeof(x)) == 0,
              "f16 -> f32 [%zu][%zu]: gave %g, expected %g", r, c, double(y), double(x));
        }
      }
    }
  }

 private:
  const ConvertCase& c_;
  size_t batch_ = 0;
};

pqnn_status create(const ConvertCase& c, pqnn_operator_t* op) {
  switch (c.kind) {
    case Kind::kF32ToQD8:
      return pqnn_create_convert_nc_f32_qd8(c.channels, c.input_stride, c.output_stride, c.flags, op);
    case Kind::kF16ToQD8:
      return pqnn_create_convert_nc_f16_qd8(c.channels, c.input_stride, c.output_stride, c.flags, op);
    case Kind::kF32ToF16:
      return pqnn_create_convert_nc_f32_f16(c.channels, c.input_stride, c.output_stride, c.flags, op);
    default:
      return pqnn_create_convert_nc_f16_f32(c.channels, c.input_stride, c.output_stride, c.flags, op);
  }
}

}  // namespace

void convert(const uint8_t* data, size_t size) {
  initialize();
  FuzzInput in(data, size);
  ConvertCase c;
  c.kind = static_cast<Kind>(in.byte() % uint8_t(Kind::kCount));
  c.channels = in.size_value();
  c.input_stride = in.stride(c.channels);
  c.output_stride = in.stride(c.channels);
  c.flags = in.flags();
  c.data = Data::decode(in);
  const pqnn_operator_t op = checked_create(false,
      [&](pqnn_operator_t* out) { return create(c, out); });
  if (op == nullptr) return;
  PQNN_FUZZ_CHECK(c.flags == 0, "create accepted flags 0x%x", unsigned(c.flags));
  ConvertDriver driver(c);
  run_operator_steps(in, op, driver);
}

}  // namespace pqnn_fuzz
