// Convolution 2D NHWC decoder. Bytes: datatype (u8 % 6, as fully connected), paddings
// top, right, bottom, left, kernel height, width, subsampling height, width, dilation
// height, width, groups (dim each), group_input_channels, group_output_channels (size),
// input_channel_stride, output_channel_stride (stride), the datatype parameters
// (gemm-datatypes.h), then the lifecycle steps (operator-steps.h) whose reshape reads
// batch_size, input_height, input_width (size each).
// Beyond the engine's checks: reshape must report the output size of API.md's formula
// and must fail exactly when the padded input is smaller than the dilated kernel.
#include <pqnn.h>

#include "decoders/fuzz-input.h"
#include "decoders/gemm-datatypes.h"
#include "decoders/gemm-reference.h"
#include "decoders/operator-steps.h"
#include "fuzz-targets.h"

namespace pqnn_fuzz {
namespace {

struct ConvCase {
  uint32_t pad_top, pad_right, pad_bottom, pad_left;
  uint32_t kernel_height, kernel_width, stride_height, stride_width;
  uint32_t dilation_height, dilation_width, groups;
  size_t group_input_channels, group_output_channels;
  size_t input_channel_stride, output_channel_stride;
  DatatypeParams p;
};

#define PQNN_FUZZ_CONV_GEOMETRY(c)                                                        \
  c.pad_top, c.pad_right, c.pad_bottom, c.pad_left, c.kernel_height, c.kernel_width,      \
      c.stride_height, c.stride_width, c.dilation_height, c.dilation_width, c.groups,     \
      c.group_input_channels, c.group_output_channels, c.input_channel_stride,            \
      c.output_channel_stride

pqnn_status create(const ConvCase& c, const Weights& w, pqnn_operator_t* op) {
  const DatatypeParams& p = c.p;
  const int8_t* k8 = static_cast<const int8_t*>(w.kernel_ptr());
  switch (p.type) {
    case Datatype::kF32:
      return pqnn_create_convolution2d_nhwc_f32(PQNN_FUZZ_CONV_GEOMETRY(c),
          static_cast<const float*>(w.kernel_ptr()), static_cast<const float*>(w.bias_ptr()),
          p.output_min, p.output_max, p.flags, op);
    case Datatype::kF16:
      return pqnn_create_convolution2d_nhwc_f16(PQNN_FUZZ_CONV_GEOMETRY(c), w.kernel_ptr(),
          w.bias_ptr(), p.output_min, p.output_max, p.flags, op);
    case Datatype::kQS8:
      return pqnn_create_convolution2d_nhwc_qs8(PQNN_FUZZ_CONV_GEOMETRY(c),
          p.input_zero_point, p.input_scale, p.kernel_scale, k8,
          static_cast<const int32_t*>(w.bias_ptr()), p.output_zero_point, p.output_scale,
          p.qs8_min, p.qs8_max, p.flags, op);
    case Datatype::kQS8QC8W:
      return pqnn_create_convolution2d_nhwc_qs8_qc8w(PQNN_FUZZ_CONV_GEOMETRY(c),
          p.input_zero_point, p.input_scale, w.scales_ptr(), k8,
          static_cast<const int32_t*>(w.bias_ptr()), p.output_zero_point, p.output_scale,
          p.qs8_min, p.qs8_max, p.flags, op);
    case Datatype::kQD8F32:
      return pqnn_create_convolution2d_nhwc_qd8_f32_qc8w(PQNN_FUZZ_CONV_GEOMETRY(c),
          w.scales_ptr(), k8, static_cast<const float*>(w.bias_ptr()), p.output_min,
          p.output_max, p.flags, op);
    default:
      return pqnn_create_convolution2d_nhwc_qd8_f16_qc8w(PQNN_FUZZ_CONV_GEOMETRY(c),
          w.scales_ptr(), k8, static_cast<const float*>(w.bias_ptr()), p.output_min,
          p.output_max, p.flags, op);
  }
}

// API.md's output size along one dimension; false when the padded input is smaller than
// the dilated kernel. In 64 bits (a dilated kernel is below 2^64); a padded input that
// saturates only arises for inputs the library must reject anyway.
uint64_t add_sat64(uint64_t a, uint64_t b) {
  uint64_t r;
  return __builtin_add_overflow(a, b, &r) ? UINT64_MAX : r;
}

bool output_dimension(size_t input, uint32_t kernel, uint32_t stride, uint32_t dilation,
    bool same, uint32_t pad_before, uint32_t pad_after, uint64_t* output) {
  if (same) {
    *output = add_sat64(input, stride - 1) / stride;
    return true;
  }
  const uint64_t effective = (uint64_t(kernel) - 1) * dilation + 1;
  const uint64_t padded = add_sat64(add_sat64(input, pad_before), pad_after);
  if (padded < effective) return false;
  *output = (padded - effective) / stride + 1;
  return true;
}

size_t saturate(uint64_t v) { return v > SIZE_MAX ? SIZE_MAX : size_t(v); }

class ConvDriver : public OperatorDriver {
 public:
  ConvDriver(const ConvCase& c, const Weights& w) : c_(c), w_(w) {}

  Layout decode_reshape(FuzzInput& in, bool* oversized) override {
    batch_ = in.size_value();
    height_ = in.size_value();
    width_ = in.size_value();
    const bool same = (c_.p.flags & PQNN_FLAG_TENSORFLOW_SAME_PADDING) != 0;
    valid_ = height_ != 0 && width_ != 0 &&
        output_dimension(height_, c_.kernel_height, c_.stride_height, c_.dilation_height, same,
            c_.pad_top, c_.pad_bottom, &out_height_) &&
        output_dimension(width_, c_.kernel_width, c_.stride_width, c_.dilation_width, same,
            c_.pad_left, c_.pad_right, &out_width_);
    const size_t taps = size_t(c_.kernel_height) * c_.kernel_width;
    Layout l;
    l.in_rows = mul_sat(batch_, mul_sat(height_, width_));
    l.in_channels = mul_sat(c_.groups, c_.group_input_channels);
    l.in_stride = c_.input_channel_stride;
    l.in_elem = c_.p.input_elem();
    const size_t out_pixels = valid_ ? mul_sat(saturate(out_height_), saturate(out_width_)) : 0;
    l.out_rows = mul_sat(batch_, out_pixels);
    l.out_channels = mul_sat(c_.groups, c_.group_output_channels);
    l.out_stride = c_.output_channel_stride;
    l.out_elem = c_.p.output_elem();
    l.params = c_.p.qd8() ? batch_ : 0;
    l.work = add_sat(mul_sat(mul_sat(l.out_rows, l.out_channels),
                         mul_sat(taps, c_.group_input_channels)), l.in_rows);
    // The indirection buffer: a pointer per output pixel and tap (plus tile rounding).
    const size_t indirection = mul_sat(mul_sat(add_sat(out_pixels, 64), taps), sizeof(void*));
    *oversized = !l.fits() || indirection > kMaxBufferBytes;
    return l;
  }

  pqnn_status reshape(pqnn_operator_t op, pthreadpool_t pool) override {
    size_t oh = 0x5A5A, ow = 0x5A5A;
    pqnn_status status;
    switch (c_.p.type) {
      case Datatype::kF32:
        status = pqnn_reshape_convolution2d_nhwc_f32(op, batch_, height_, width_, &oh, &ow, pool);
        break;
      case Datatype::kF16:
        status = pqnn_reshape_convolution2d_nhwc_f16(op, batch_, height_, width_, &oh, &ow, pool);
        break;
      case Datatype::kQS8:
        status = pqnn_reshape_convolution2d_nhwc_qs8(op, batch_, height_, width_, &oh, &ow, pool);
        break;
      case Datatype::kQS8QC8W:
        status = pqnn_reshape_convolution2d_nhwc_qs8_qc8w(op, batch_, height_, width_, &oh, &ow,
            pool);
        break;
      case Datatype::kQD8F32:
        status = pqnn_reshape_convolution2d_nhwc_qd8_f32_qc8w(op, batch_, height_, width_, &oh,
            &ow, pool);
        break;
      default:
        status = pqnn_reshape_convolution2d_nhwc_qd8_f16_qc8w(op, batch_, height_, width_, &oh,
            &ow, pool);
        break;
    }
    if (!valid_) {
      PQNN_FUZZ_CHECK(status != pqnn_status_success,
          "reshape accepted %zux%zu, smaller than the dilated kernel", height_, width_);
    }
    if (status == pqnn_status_success) {
      PQNN_FUZZ_CHECK(oh == out_height_ && ow == out_width_,
          "reshape of %zux%zu gave %zux%zu, expected %zux%zu", height_, width_, oh, ow,
          saturate(out_height_), saturate(out_width_));
      // The geometry of the buffers a later setup binds (a failed reshape leaves the
      // operator needing another one, so nothing runs on a newer decode).
      run_height_ = height_;
      run_width_ = width_;
      run_out_height_ = size_t(out_height_);
      run_out_width_ = size_t(out_width_);
    }
    return status;
  }

  pqnn_status setup(pqnn_operator_t op, const void* input, void* output, void* params) override {
    const auto* x8 = static_cast<const int8_t*>(input);
    auto* q = static_cast<const pqnn_quantization_params*>(params);
    switch (c_.p.type) {
      case Datatype::kF32:
        return pqnn_setup_convolution2d_nhwc_f32(op, static_cast<const float*>(input),
            static_cast<float*>(output));
      case Datatype::kF16: return pqnn_setup_convolution2d_nhwc_f16(op, input, output);
      case Datatype::kQS8:
        return pqnn_setup_convolution2d_nhwc_qs8(op, x8, static_cast<int8_t*>(output));
      case Datatype::kQS8QC8W:
        return pqnn_setup_convolution2d_nhwc_qs8_qc8w(op, x8, static_cast<int8_t*>(output));
      case Datatype::kQD8F32:
        return pqnn_setup_convolution2d_nhwc_qd8_f32_qc8w(op, x8, static_cast<float*>(output), q);
      default: return pqnn_setup_convolution2d_nhwc_qd8_f16_qc8w(op, x8, output, q);
    }
  }

  void fill(Bound& bound) override { fill_gemm_input(c_.p, bound); }
  void check(const Bound& bound) override {
    check_gemm_output(c_.p, bound, "convolution");
    check_gemm_values(c_.p, w_, bound, view(bound), "convolution");
  }

 private:
  // The convolution as a GEMM over output pixels (rows) and output channels (columns),
  // depth kh * kw * group_input_channels, for the reference.
  GemmView view(const Bound& bound) const {
    const ConvCase& c = c_;
    const bool same = (c.p.flags & PQNN_FLAG_TENSORFLOW_SAME_PADDING) != 0;
    const bool depthwise = (c.p.flags & PQNN_FLAG_DEPTHWISE_CONVOLUTION) != 0;
    const size_t oh = run_out_height_, ow = run_out_width_;
    const size_t h = run_height_, w = run_width_, kh = c.kernel_height, kw = c.kernel_width;
    const size_t gic = c.group_input_channels, goc = c.group_output_channels;
    const size_t channels = c.groups * goc, stride = c.input_channel_stride;
    auto pad_before = [same](size_t in, size_t out, size_t k, size_t s, size_t d, size_t pad) {
      if (!same) return pad;
      const size_t needed = (out - 1) * s + (k - 1) * d + 1;
      return needed > in ? (needed - in) / 2 : 0;
    };
    const size_t top = pad_before(h, oh, kh, c.stride_height, c.dilation_height, c.pad_top);
    const size_t left = pad_before(w, ow, kw, c.stride_width, c.dilation_width, c.pad_left);
    GemmView v;
    v.rows = bound.layout.out_rows;
    v.columns = channels;
    v.depth = kh * kw * gic;
    v.a_offset = [=](size_t r, size_t n, size_t t) -> size_t {
      const size_t b = r / (oh * ow), oy = r / ow % oh, ox = r % ow;
      const size_t tap = t / gic, ic = t % gic, ky = tap / kw, kx = tap % kw;
      const size_t y = oy * c.stride_height + ky * c.dilation_height;
      const size_t x = ox * c.stride_width + kx * c.dilation_width;
      if (y < top || y - top >= h || x < left || x - left >= w) return SIZE_MAX;
      return ((b * h + (y - top)) * w + (x - left)) * stride + (n / goc) * gic + ic;
    };
    v.w_offset = [=](size_t n, size_t t) -> size_t {
      // Depthwise: [kh][kw][channels] (gic = 1); otherwise OHWI per group.
      return depthwise ? t * channels + n : n * (kh * kw * gic) + t;
    };
    v.params_index = [=](size_t r) { return r / (oh * ow); };
    if (c.p.type == Datatype::kF32 && kh == 3 && kw == 3 && c.stride_height == 1 &&
        c.stride_width == 1 && c.dilation_height == 1 && c.dilation_width == 1 &&
        c.groups == 1 && !depthwise && (c.p.flags & PQNN_FLAG_NO_WINOGRAD) == 0) {
      v.layer_relative_tolerance = 1e-5;  // may run on the Winograd path
    }
    return v;
  }

  const ConvCase& c_;
  const Weights& w_;
  size_t batch_ = 0, height_ = 0, width_ = 0;
  size_t run_height_ = 0, run_width_ = 0, run_out_height_ = 0, run_out_width_ = 0;
  bool valid_ = false;
  uint64_t out_height_ = 0, out_width_ = 0;
};

}  // namespace

void convolution(const uint8_t* data, size_t size) {
  initialize();
  FuzzInput in(data, size);
  ConvCase c;
  const auto type = static_cast<Datatype>(in.byte() % uint8_t(Datatype::kCount));
  c.pad_top = in.dim();
  c.pad_right = in.dim();
  c.pad_bottom = in.dim();
  c.pad_left = in.dim();
  c.kernel_height = in.dim();
  c.kernel_width = in.dim();
  c.stride_height = in.dim();
  c.stride_width = in.dim();
  c.dilation_height = in.dim();
  c.dilation_width = in.dim();
  c.groups = in.dim();
  c.group_input_channels = in.size_value();
  c.group_output_channels = in.size_value();
  c.input_channel_stride = in.stride(mul_sat(c.groups, c.group_input_channels));
  c.output_channel_stride = in.stride(mul_sat(c.groups, c.group_output_channels));
  c.p = DatatypeParams::decode(in, type);

  size_t output_channels = 0, kernel_elements = 0;
  const size_t taps = size_t(c.kernel_height) * c.kernel_width;
  const bool overflows =
      __builtin_mul_overflow(size_t(c.groups), c.group_output_channels, &output_channels) ||
      __builtin_mul_overflow(output_channels, taps, &kernel_elements) ||
      __builtin_mul_overflow(kernel_elements, c.group_input_channels, &kernel_elements);
  const bool oversized = overflows ||
      mul_sat(kernel_elements, c.p.kernel_elem()) > kMaxBufferBytes ||
      mul_sat(output_channels, sizeof(float)) > kMaxBufferBytes ||
      packed_estimate(c.groups, c.group_output_channels, taps, c.group_input_channels,
          c.p.kernel_elem()) > 4 * kMaxBufferBytes;
  if (oversized && !may_create_oversized(c.p, overflows)) return;
  const Weights w = make_weights(c.p, kernel_elements, output_channels, oversized);
  const pqnn_operator_t op = checked_create(oversized,
      [&](pqnn_operator_t* out) { return create(c, w, out); });
  if (op == nullptr) return;
  ConvDriver driver(c, w);
  run_operator_steps(in, op, driver);
}

}  // namespace pqnn_fuzz
