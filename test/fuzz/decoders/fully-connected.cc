// Fully connected decoder. Bytes: datatype (u8 % 6: f32, f16, qs8, qs8_qc8w, qd8_f32_qc8w,
// qd8_f16_qc8w), input_channels (size), output_channels (size), input_stride (stride),
// output_stride (stride), the datatype parameters (gemm-datatypes.h), then the lifecycle
// steps (operator-steps.h) whose reshape reads batch_size (size).
#include <pqnn.h>

#include "decoders/fuzz-input.h"
#include "decoders/gemm-datatypes.h"
#include "decoders/gemm-reference.h"
#include "decoders/operator-steps.h"
#include "fuzz-targets.h"

namespace pqnn_fuzz {
namespace {

struct FcCase {
  size_t input_channels, output_channels, input_stride, output_stride;
  DatatypeParams p;
};

pqnn_status create(const FcCase& c, const Weights& w, pqnn_operator_t* op) {
  const DatatypeParams& p = c.p;
  const size_t ic = c.input_channels, oc = c.output_channels;
  const size_t is = c.input_stride, os = c.output_stride;
  const int8_t* k8 = static_cast<const int8_t*>(w.kernel_ptr());
  switch (p.type) {
    case Datatype::kF32:
      return pqnn_create_fully_connected_nc_f32(ic, oc, is, os,
          static_cast<const float*>(w.kernel_ptr()), static_cast<const float*>(w.bias_ptr()),
          p.output_min, p.output_max, p.flags, op);
    case Datatype::kF16:
      return pqnn_create_fully_connected_nc_f16(ic, oc, is, os, w.kernel_ptr(), w.bias_ptr(),
          p.output_min, p.output_max, p.flags, op);
    case Datatype::kQS8:
      return pqnn_create_fully_connected_nc_qs8(ic, oc, is, os, p.input_zero_point,
          p.input_scale, p.kernel_scale, k8, static_cast<const int32_t*>(w.bias_ptr()),
          p.output_zero_point, p.output_scale, p.qs8_min, p.qs8_max, p.flags, op);
    case Datatype::kQS8QC8W:
      return pqnn_create_fully_connected_nc_qs8_qc8w(ic, oc, is, os, p.input_zero_point,
          p.input_scale, w.scales_ptr(), k8, static_cast<const int32_t*>(w.bias_ptr()),
          p.output_zero_point, p.output_scale, p.qs8_min, p.qs8_max, p.flags, op);
    case Datatype::kQD8F32:
      return pqnn_create_fully_connected_nc_qd8_f32_qc8w(ic, oc, is, os, w.scales_ptr(), k8,
          static_cast<const float*>(w.bias_ptr()), p.output_min, p.output_max, p.flags, op);
    default:
      return pqnn_create_fully_connected_nc_qd8_f16_qc8w(ic, oc, is, os, w.scales_ptr(), k8,
          static_cast<const float*>(w.bias_ptr()), p.output_min, p.output_max, p.flags, op);
  }
}

class FcDriver : public OperatorDriver {
 public:
  FcDriver(const FcCase& c, const Weights& w) : c_(c), w_(w) {}

  Layout decode_reshape(FuzzInput& in, bool* oversized) override {
    batch_ = in.size_value();
    Layout l;
    l.in_rows = l.out_rows = batch_;
    l.in_channels = c_.input_channels;
    l.in_stride = c_.input_stride;
    l.in_elem = c_.p.input_elem();
    l.out_channels = c_.output_channels;
    l.out_stride = c_.output_stride;
    l.out_elem = c_.p.output_elem();
    l.params = c_.p.qd8() ? batch_ : 0;
    l.work = mul_sat(batch_, mul_sat(c_.input_channels, c_.output_channels));
    *oversized = !l.fits();
    return l;
  }

  pqnn_status reshape(pqnn_operator_t op, pthreadpool_t pool) override {
    switch (c_.p.type) {
      case Datatype::kF32: return pqnn_reshape_fully_connected_nc_f32(op, batch_, pool);
      case Datatype::kF16: return pqnn_reshape_fully_connected_nc_f16(op, batch_, pool);
      case Datatype::kQS8: return pqnn_reshape_fully_connected_nc_qs8(op, batch_, pool);
      case Datatype::kQS8QC8W: return pqnn_reshape_fully_connected_nc_qs8_qc8w(op, batch_, pool);
      case Datatype::kQD8F32: return pqnn_reshape_fully_connected_nc_qd8_f32_qc8w(op, batch_, pool);
      default: return pqnn_reshape_fully_connected_nc_qd8_f16_qc8w(op, batch_, pool);
    }
  }

  pqnn_status setup(pqnn_operator_t op, const void* input, void* output, void* params) override {
    const auto* x8 = static_cast<const int8_t*>(input);
    auto* q = static_cast<const pqnn_quantization_params*>(params);
    switch (c_.p.type) {
      case Datatype::kF32:
        return pqnn_setup_fully_connected_nc_f32(op, static_cast<const float*>(input),
            static_cast<float*>(output));
      case Datatype::kF16: return pqnn_setup_fully_connected_nc_f16(op, input, output);
      case Datatype::kQS8:
        return pqnn_setup_fully_connected_nc_qs8(op, x8, static_cast<int8_t*>(output));
      case Datatype::kQS8QC8W:
        return pqnn_setup_fully_connected_nc_qs8_qc8w(op, x8, static_cast<int8_t*>(output));
      case Datatype::kQD8F32:
        return pqnn_setup_fully_connected_nc_qd8_f32_qc8w(op, x8, static_cast<float*>(output), q);
      default: return pqnn_setup_fully_connected_nc_qd8_f16_qc8w(op, x8, output, q);
    }
  }

  void fill(Bound& bound) override { fill_gemm_input(c_.p, bound); }
  void check(const Bound& bound) override {
    check_gemm_output(c_.p, bound, "fully connected");
    const size_t ic = c_.input_channels, oc = c_.output_channels, stride = c_.input_stride;
    const bool transposed = (c_.p.flags & PQNN_FLAG_TRANSPOSE_WEIGHTS) != 0;
    GemmView view;
    view.rows = bound.layout.out_rows;
    view.columns = oc;
    view.depth = ic;
    view.a_offset = [stride](size_t r, size_t, size_t t) { return r * stride + t; };
    view.w_offset = [ic, oc, transposed](size_t n, size_t t) {
      return transposed ? t * oc + n : n * ic + t;
    };
    view.params_index = [](size_t r) { return r; };
    check_gemm_values(c_.p, w_, bound, view, "fully connected");
  }

 private:
  const FcCase& c_;
  const Weights& w_;
  size_t batch_ = 0;
};

}  // namespace

void fully_connected(const uint8_t* data, size_t size) {
  initialize();
  FuzzInput in(data, size);
  FcCase c;
  const auto type = static_cast<Datatype>(in.byte() % uint8_t(Datatype::kCount));
  c.input_channels = in.size_value();
  c.output_channels = in.size_value();
  c.input_stride = in.stride(c.input_channels);
  c.output_stride = in.stride(c.output_channels);
  c.p = DatatypeParams::decode(in, type);

  size_t kernel_elements;
  const bool overflows = __builtin_mul_overflow(c.input_channels, c.output_channels,
      &kernel_elements);
  const bool oversized = overflows ||
      mul_sat(kernel_elements, c.p.kernel_elem()) > kMaxBufferBytes ||
      mul_sat(c.output_channels, sizeof(float)) > kMaxBufferBytes ||
      packed_estimate(1, c.output_channels, 1, c.input_channels, c.p.kernel_elem()) >
          4 * kMaxBufferBytes;
  if (oversized && !may_create_oversized(c.p, overflows)) return;
  const Weights w = make_weights(c.p, kernel_elements, c.output_channels, oversized);
  const pqnn_operator_t op = checked_create(oversized,
      [&](pqnn_operator_t* out) { return create(c, w, out); });
  if (op == nullptr) return;
  FcDriver driver(c, w);
  run_operator_steps(in, op, driver);
}

}  // namespace pqnn_fuzz
