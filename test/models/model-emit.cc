// Emits a recorded Graph into a pqnn subgraph for one datatype mode (see model-graph.h).
#include "models/model-graph.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace pqnn_models {
namespace {

struct QuantParams {
  int32_t zero_point;
  float scale;
};

// Asymmetric int8 parameters covering [min(0, lo), max(0, hi)].
QuantParams quant_params(float lo, float hi) {
  const float rmin = std::min(0.0f, lo);
  const float rmax = std::max(0.0f, hi);
  if (!(rmax - rmin > 1e-30f)) return {0, 1.0f};
  const float scale = (rmax - rmin) / 255.0f;
  const float zp = std::nearbyint(-128.0f - rmin / scale);
  return {int32_t(std::min(127.0f, std::max(-128.0f, zp))), scale};
}

class Emitter {
 public:
  Emitter(const Graph& g, Datatype dt, bool observe, const Calibration* cal, EmittedStorage* st)
      : g_(g), quantized_(dt == Datatype::qs8), observe_(observe), cal_(cal), st_(st),
        f_(g.values().size(), PQNN_INVALID_VALUE_ID), q_(g.values().size(), PQNN_INVALID_VALUE_ID) {}

  enum pqnn_status run(pqnn_subgraph_t* out) {
    const uint32_t externals = 3 + (observe_ ? uint32_t(g_.values().size()) : 0);
    enum pqnn_status s = pqnn_create_subgraph(externals, 0, &sg_);
    if (s != pqnn_status_success) return s;
    s = emit_all();
    if (s != pqnn_status_success) {
      pqnn_delete_subgraph(sg_);
      return s;
    }
    *out = sg_;
    return pqnn_status_success;
  }

 private:
  uint32_t external_id(uint32_t v) const {
    if (v == g_.input_value()) return kInputId;
    if (v == g_.output_value()) return kOutputId;
    if (v == g_.probe_value()) return kProbeId;
    return observe_ ? 3 + v : PQNN_INVALID_VALUE_ID;
  }

  enum pqnn_status define_f32(uint32_t v, uint32_t external, uint32_t* id) {
    const std::vector<size_t>& d = g_.values()[v].dims;
    uint32_t flags = 0;
    if (external == kInputId) flags = PQNN_VALUE_FLAG_EXTERNAL_INPUT;
    else if (external != PQNN_INVALID_VALUE_ID) flags = PQNN_VALUE_FLAG_EXTERNAL_OUTPUT;
    return pqnn_define_tensor_value(sg_, pqnn_datatype_fp32, d.size(), d.data(), nullptr,
        external, flags, id);
  }

  QuantParams params_of(uint32_t v) const { return quant_params(cal_->min[v], cal_->max[v]); }

  enum pqnn_status define_q(uint32_t v, uint32_t* id) {
    const std::vector<size_t>& d = g_.values()[v].dims;
    const QuantParams p = params_of(v);
    return pqnn_define_quantized_tensor_value(sg_, pqnn_datatype_qint8, p.zero_point, p.scale,
        d.size(), d.data(), nullptr, PQNN_INVALID_VALUE_ID, 0, id);
  }

  // The f32 id of value v; in qs8 mode dequantizes it on first use.
  enum pqnn_status f32_of(uint32_t v, uint32_t* id) {
    if (f_[v] == PQNN_INVALID_VALUE_ID) {
      enum pqnn_status s = define_f32(v, external_id(v), &f_[v]);
      if (s == pqnn_status_success) s = pqnn_define_convert(sg_, q_[v], f_[v], 0);
      if (s != pqnn_status_success) return s;
    }
    *id = f_[v];
    return pqnn_status_success;
  }

  // The qint8 id of value v; quantizes its f32 form on first use.
  enum pqnn_status q_of(uint32_t v, uint32_t* id) {
    if (q_[v] == PQNN_INVALID_VALUE_ID) {
      enum pqnn_status s = define_q(v, &q_[v]);
      if (s == pqnn_status_success) s = pqnn_define_convert(sg_, f_[v], q_[v], 0);
      if (s != pqnn_status_success) return s;
    }
    *id = q_[v];
    return pqnn_status_success;
  }

  bool runs_quantized(OpKind kind) const {
    return quantized_ && kind != OpKind::gelu && kind != OpKind::softmax;
  }

  // Defines the output of an op in its domain; an external output computed in qint8 gets
  // its f32 form at once.
  enum pqnn_status define_output(uint32_t v, bool in_q, uint32_t* id) {
    if (!in_q) {
      enum pqnn_status s = define_f32(v, external_id(v), &f_[v]);
      *id = f_[v];
      return s;
    }
    enum pqnn_status s = define_q(v, &q_[v]);
    *id = q_[v];
    return s;
  }

  enum pqnn_status finish_output(uint32_t v, bool in_q) {
    if (in_q && external_id(v) != PQNN_INVALID_VALUE_ID) {
      uint32_t unused;
      return f32_of(v, &unused);
    }
    return pqnn_status_success;
  }

  // Static filter and bias of a conv / depthwise / FC op.
  enum pqnn_status weights(const Op& op, uint32_t input_value, uint32_t* filter, uint32_t* bias) {
    const std::vector<float>& w = g_.tensor(op.filter);
    const std::vector<float>& b = g_.tensor(op.bias);
    const size_t oc = op.output_channels;
    std::vector<size_t> fdims;
    size_t channel_dim = 0;
    switch (op.kind) {
      case OpKind::convolution: fdims = {oc, op.kernel, op.kernel, op.input_channels}; break;
      case OpKind::depthwise_convolution:
        fdims = {1, op.kernel, op.kernel, oc};
        channel_dim = 3;
        break;
      default: fdims = {oc, op.input_channels}; break;
    }
    const size_t bdims[1] = {oc};
    if (!quantized_) {
      enum pqnn_status s = pqnn_define_tensor_value(sg_, pqnn_datatype_fp32, fdims.size(),
          fdims.data(), w.data(), PQNN_INVALID_VALUE_ID, 0, filter);
      if (s != pqnn_status_success) return s;
      return pqnn_define_tensor_value(sg_, pqnn_datatype_fp32, 1, bdims, b.data(),
          PQNN_INVALID_VALUE_ID, 0, bias);
    }
    std::vector<int8_t> qw(w.size());
    std::vector<float> scales(oc);
    if (op.kind == OpKind::depthwise_convolution) {
      const size_t taps = size_t(op.kernel) * op.kernel;
      for (size_t c = 0; c < oc; c++) {
        float m = 0.0f;
        for (size_t t = 0; t < taps; t++) m = std::max(m, std::fabs(w[t * oc + c]));
        scales[c] = m == 0.0f ? 1.0f : m / 127.0f;
        for (size_t t = 0; t < taps; t++) {
          const float q = std::nearbyint(w[t * oc + c] / scales[c]);
          qw[t * oc + c] = int8_t(std::min(127.0f, std::max(-127.0f, q)));
        }
      }
    } else {
      enum pqnn_status s = pqnn_quantize_weights_qc8w(oc, w.size() / oc, w.data(), qw.data(),
          scales.data());
      if (s != pqnn_status_success) return s;
    }
    const float input_scale = params_of(input_value).scale;
    std::vector<int32_t> qb(oc);
    std::vector<float> bias_scales(oc);
    for (size_t c = 0; c < oc; c++) {
      bias_scales[c] = input_scale * scales[c];
      const double q = std::nearbyint(double(b[c]) / double(bias_scales[c]));
      qb[c] = int32_t(std::min(2147483520.0, std::max(-2147483520.0, q)));
    }
    st_->int8_tensors.push_back(std::move(qw));
    st_->float_tensors.push_back(std::move(scales));
    const float* wscale = st_->float_tensors.back().data();
    enum pqnn_status s = pqnn_define_channelwise_quantized_tensor_value(sg_, pqnn_datatype_qcint8,
        wscale, fdims.size(), channel_dim, fdims.data(), st_->int8_tensors.back().data(),
        PQNN_INVALID_VALUE_ID, 0, filter);
    if (s != pqnn_status_success) return s;
    st_->int32_tensors.push_back(std::move(qb));
    st_->float_tensors.push_back(std::move(bias_scales));
    return pqnn_define_channelwise_quantized_tensor_value(sg_, pqnn_datatype_qcint32,
        st_->float_tensors.back().data(), 1, 0, bdims, st_->int32_tensors.back().data(),
        PQNN_INVALID_VALUE_ID, 0, bias);
  }

  enum pqnn_status emit_op(const Op& op) {
    const bool in_q = runs_quantized(op.kind);
    uint32_t x = 0, x2 = 0, y = 0, filter = 0, bias = 0;
    enum pqnn_status s = in_q ? q_of(op.input, &x) : f32_of(op.input, &x);
    if (s == pqnn_status_success && op.kind == OpKind::add) {
      s = in_q ? q_of(op.input2, &x2) : f32_of(op.input2, &x2);
    }
    const bool has_weights = op.kind == OpKind::convolution ||
        op.kind == OpKind::depthwise_convolution || op.kind == OpKind::fully_connected;
    if (s == pqnn_status_success && has_weights) s = weights(op, op.input, &filter, &bias);
    if (s == pqnn_status_success) s = define_output(op.output, in_q, &y);
    if (s != pqnn_status_success) return s;
    const uint32_t p = op.padding;
    switch (op.kind) {
      case OpKind::convolution:
        s = pqnn_define_convolution_2d(sg_, p, p, p, p, op.kernel, op.kernel, op.stride,
            op.stride, 1, 1, 1, op.input_channels, op.output_channels, op.output_min,
            op.output_max, x, filter, bias, y, 0);
        break;
      case OpKind::depthwise_convolution:
        s = pqnn_define_depthwise_convolution_2d(sg_, p, p, p, p, op.kernel, op.kernel,
            op.stride, op.stride, 1, 1, 1, op.input_channels, op.output_min, op.output_max,
            x, filter, bias, y, 0);
        break;
      case OpKind::fully_connected:
        s = pqnn_define_fully_connected(sg_, op.output_min, op.output_max, x, filter, bias, y, 0);
        break;
      case OpKind::add:
        s = pqnn_define_add2(sg_, op.output_min, op.output_max, x, x2, y, 0);
        break;
      case OpKind::clamp:
        s = pqnn_define_clamp(sg_, op.output_min, op.output_max, x, y, 0);
        break;
      case OpKind::gelu:
        s = pqnn_define_gelu(sg_, x, y, 0);
        break;
      case OpKind::global_average_pooling:
        s = pqnn_define_global_average_pooling_2d(sg_, op.output_min, op.output_max, x, y, 0);
        break;
      case OpKind::softmax:
        s = pqnn_define_softmax(sg_, x, y, 0);
        break;
    }
    if (s != pqnn_status_success) return s;
    return finish_output(op.output, in_q);
  }

  enum pqnn_status emit_all() {
    if (quantized_ && (cal_ == nullptr || cal_->min.size() != g_.values().size() ||
        cal_->max.size() != g_.values().size() || observe_)) {
      return pqnn_status_invalid_parameter;
    }
    enum pqnn_status s = define_f32(g_.input_value(), kInputId, &f_[g_.input_value()]);
    for (size_t i = 0; s == pqnn_status_success && i < g_.ops().size(); i++) {
      s = emit_op(g_.ops()[i]);
    }
    return s;
  }

  const Graph& g_;
  const bool quantized_;
  const bool observe_;
  const Calibration* cal_;
  EmittedStorage* st_;
  pqnn_subgraph_t sg_ = nullptr;
  std::vector<uint32_t> f_, q_;  // subgraph ids of each value's f32 and qint8 forms
};

}  // namespace

enum pqnn_status define_subgraph(const Graph& graph, Datatype datatype, bool observe,
    const Calibration* calibration, EmittedStorage* storage, pqnn_subgraph_t* subgraph_out) {
  if (subgraph_out == nullptr || storage == nullptr) return pqnn_status_invalid_parameter;
  Emitter e(graph, datatype, observe, calibration, storage);
  return e.run(subgraph_out);
}

}  // namespace pqnn_models
