// Graph recording and random weights for the end-to-end models (see model-graph.h).
#include "models/model-graph.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <utility>

namespace pqnn_models {

const char* datatype_name(Datatype datatype) {
  switch (datatype) {
    case Datatype::f32: return "f32";
    case Datatype::f16: return "f16";
    case Datatype::qd8: return "qd8";
    case Datatype::qs8: return "qs8";
  }
  return "?";
}

uint32_t runtime_flags(Datatype datatype) {
  switch (datatype) {
    case Datatype::f16: return PQNN_FLAG_FORCE_FP16_INFERENCE;
    case Datatype::qd8: return PQNN_FLAG_DYNAMIC_RANGE_QUANTIZATION;
    default: return 0;
  }
}

size_t Value::elements() const {
  size_t n = 1;
  for (size_t d : dims) n *= d;
  return n;
}

size_t scaled_channels(size_t channels, float width) {
  const float exact = float(channels) * width;
  size_t rounded = std::max<size_t>(8, (size_t(exact + 4.0f) / 8) * 8);
  if (float(rounded) < 0.9f * exact) rounded += 8;
  return rounded;
}

Graph::Graph(std::string name, uint32_t seed) : name_(std::move(name)), rng_state_(seed) {}

// xorshift32: the same weights on every platform and standard library.
uint32_t Graph::next_random() {
  uint32_t x = rng_state_ == 0 ? 0x9E3779B9u : rng_state_;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  rng_state_ = x;
  return x;
}

int32_t Graph::random_tensor(size_t count, float bound) {
  std::vector<float> t(count);
  for (float& v : t) {
    const float u = float(next_random() >> 8) * (1.0f / 16777216.0f);  // [0, 1)
    v = (2.0f * u - 1.0f) * bound;
  }
  tensors_.push_back(std::move(t));
  return int32_t(tensors_.size() - 1);
}

uint32_t Graph::new_value(std::vector<size_t> dims) {
  values_.push_back(Value{std::move(dims)});
  return uint32_t(values_.size() - 1);
}

uint32_t Graph::input(std::vector<size_t> dims) {
  input_ = new_value(std::move(dims));
  return input_;
}

namespace {
constexpr float kBiasBound = 0.02f;

size_t conv_output_size(size_t in, uint32_t kernel, uint32_t stride, uint32_t padding) {
  return (in + 2 * padding - kernel) / stride + 1;
}
}  // namespace

uint32_t Graph::convolution(uint32_t x, size_t output_channels, uint32_t kernel,
    uint32_t stride, float gain, float output_min, float output_max) {
  return add_convolution(OpKind::convolution, x, output_channels, kernel, stride, gain,
      output_min, output_max);
}

uint32_t Graph::depthwise_convolution(uint32_t x, uint32_t kernel, uint32_t stride,
    float gain, float output_min, float output_max) {
  return add_convolution(OpKind::depthwise_convolution, x, values_.at(x).dims.at(3), kernel,
      stride, gain, output_min, output_max);
}

uint32_t Graph::add_convolution(OpKind kind, uint32_t x, size_t output_channels,
    uint32_t kernel, uint32_t stride, float gain, float output_min, float output_max) {
  const std::vector<size_t> in = values_.at(x).dims;
  if (in.size() != 4) throw std::invalid_argument("convolution input must be NHWC");
  Op op;
  op.kind = kind;
  op.input = x;
  op.kernel = kernel;
  op.stride = stride;
  op.padding = kernel / 2;
  op.input_channels = in[3];
  op.output_channels = output_channels;
  const size_t taps = size_t(kernel) * kernel;
  const size_t fan_in = kind == OpKind::depthwise_convolution ? taps : taps * in[3];
  op.filter = random_tensor(output_channels * fan_in, std::sqrt(3.0f * gain / float(fan_in)));
  op.bias = random_tensor(output_channels, kBiasBound);
  const bool separate = clamp_nodes_ && (std::isfinite(output_min) || std::isfinite(output_max));
  op.output_min = separate ? -INFINITY : output_min;
  op.output_max = separate ? INFINITY : output_max;
  op.output = new_value({in[0], conv_output_size(in[1], kernel, stride, op.padding),
      conv_output_size(in[2], kernel, stride, op.padding), output_channels});
  ops_.push_back(op);
  return separate ? clamp(op.output, output_min, output_max) : op.output;
}

uint32_t Graph::fully_connected(uint32_t x, size_t output_channels, float gain,
    float output_min, float output_max) {
  std::vector<size_t> dims = values_.at(x).dims;
  Op op;
  op.kind = OpKind::fully_connected;
  op.input = x;
  op.input_channels = dims.back();
  op.output_channels = output_channels;
  op.filter = random_tensor(output_channels * op.input_channels,
      std::sqrt(3.0f * gain / float(op.input_channels)));
  op.bias = random_tensor(output_channels, kBiasBound);
  op.output_min = output_min;
  op.output_max = output_max;
  dims.back() = output_channels;
  op.output = new_value(dims);
  ops_.push_back(op);
  return op.output;
}

uint32_t Graph::add(uint32_t a, uint32_t b, float output_min, float output_max) {
  if (values_.at(a).dims != values_.at(b).dims) throw std::invalid_argument("add shapes differ");
  Op op;
  op.kind = OpKind::add;
  op.input = a;
  op.input2 = b;
  op.output_min = output_min;
  op.output_max = output_max;
  op.output = new_value(values_[a].dims);
  ops_.push_back(op);
  return op.output;
}

uint32_t Graph::elementwise(OpKind kind, uint32_t x, float output_min, float output_max) {
  Op op;
  op.kind = kind;
  op.input = x;
  op.output_min = output_min;
  op.output_max = output_max;
  op.output = new_value(values_.at(x).dims);
  ops_.push_back(op);
  return op.output;
}

uint32_t Graph::clamp(uint32_t x, float output_min, float output_max) {
  return elementwise(OpKind::clamp, x, output_min, output_max);
}

uint32_t Graph::gelu(uint32_t x) { return elementwise(OpKind::gelu, x, -INFINITY, INFINITY); }

uint32_t Graph::softmax(uint32_t x) { return elementwise(OpKind::softmax, x, 0.0f, 1.0f); }

uint32_t Graph::global_average_pooling(uint32_t x) {
  const std::vector<size_t> in = values_.at(x).dims;
  if (in.size() != 4) throw std::invalid_argument("pooling input must be NHWC");
  Op op;
  op.kind = OpKind::global_average_pooling;
  op.input = x;
  op.input_channels = op.output_channels = in[3];
  op.output_min = -INFINITY;
  op.output_max = INFINITY;
  op.output = new_value({in[0], in[3]});
  ops_.push_back(op);
  return op.output;
}

double Graph::macs() const {
  double total = 0.0;
  for (const Op& op : ops_) {
    const double out = double(values_[op.output].elements());
    switch (op.kind) {
      case OpKind::convolution:
        total += out * op.kernel * op.kernel * double(op.input_channels);
        break;
      case OpKind::depthwise_convolution:
        total += out * op.kernel * op.kernel;
        break;
      case OpKind::fully_connected:
        total += out * double(op.input_channels);
        break;
      default:
        break;
    }
  }
  return total;
}

size_t Graph::parameter_count() const {
  size_t n = 0;
  for (const std::vector<float>& t : tensors_) n += t.size();
  return n;
}

void classifier_head(Graph& graph, uint32_t features, size_t num_classes) {
  const uint32_t pooled = graph.global_average_pooling(features);
  const uint32_t logits = graph.fully_connected(pooled, num_classes, 1.0f, -INFINITY, INFINITY);
  graph.set_probe(logits, "logits");
  graph.set_output(graph.softmax(logits));
}

std::vector<float> random_input(const Graph& graph, uint32_t seed) {
  std::vector<float> x(graph.values()[graph.input_value()].elements());
  uint32_t s = seed == 0 ? 0x2545F491u : seed;
  for (float& v : x) {
    s ^= s << 13;
    s ^= s >> 17;
    s ^= s << 5;
    v = float(s >> 8) * (2.0f / 16777216.0f) - 1.0f;
  }
  return x;
}

}  // namespace pqnn_models
