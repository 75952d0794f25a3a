// End-to-end models for benches, tests and the demo.
//
// A builder (mobilenet-v1.cc, mobilenet-v2.cc, transformer-mlp.cc) records a model as a
// small float graph (Graph: values with shapes, operations, and owned random weights from
// a fixed seed). The graph is then emitted into a pqnn subgraph for one datatype mode:
//   f32  static f32 weights, f32 values;
//   f16  the same subgraph, runtime flag PQNN_FLAG_FORCE_FP16_INFERENCE;
//   qd8  the same subgraph, runtime flag PQNN_FLAG_DYNAMIC_RANGE_QUANTIZATION;
//   qs8  qint8 values whose scales come from a calibration run of the f32 graph, qcint8
//        per-channel weights and qcint32 biases; operators without a qs8 form (GELU,
//        softmax) run in f32 between explicit dequantize/quantize converts.
// The external input (id 0), output (id 1) and probe (id 2, the tensor accuracy is checked
// on: the logits of the MobileNets, the MLP's second FC output before the residual add)
// are f32 in every mode. The same graph is what the tests' reference interpreter runs.
#pragma once

#include <pqnn.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace pqnn_models {

enum class Datatype { f32, f16, qd8, qs8 };
const char* datatype_name(Datatype datatype);  // "f32", "f16", "qd8", "qs8"
// Flags for pqnn_create_runtime in this mode.
uint32_t runtime_flags(Datatype datatype);

// Sizes of a model; the defaults are the full-size models of the benches and the demo.
struct ModelOptions {
  size_t batch = 1;
  size_t input_size = 224;    // MobileNets: input height and width
  float width = 1.0f;         // MobileNets: channel width multiplier
  size_t num_classes = 1000;  // MobileNets
  size_t channels = 768;      // MLP model width
  size_t hidden = 3072;       // MLP hidden width
  // ReLU6 as separate clamp nodes after linear convolutions (the runtime fuses them) instead
  // of the convolutions' own output bounds. Float modes only; qs8 always fuses.
  bool clamp_nodes = false;
  uint32_t seed = 1;
};

enum class OpKind { convolution, depthwise_convolution, fully_connected, add, clamp, gelu,
  global_average_pooling, softmax };

struct Value {
  std::vector<size_t> dims;
  size_t elements() const;
};

// One operation. Convolutions use symmetric padding `padding` on every side, filters
// [output_channels][kernel][kernel][input_channels] (OHWI), depthwise filters
// [1][kernel][kernel][channels]; fully connected filters [output_channels][input_channels].
struct Op {
  OpKind kind = OpKind::clamp;
  uint32_t input = 0;
  uint32_t input2 = 0;  // add only
  uint32_t output = 0;
  uint32_t kernel = 1, stride = 1, padding = 0;
  size_t input_channels = 0, output_channels = 0;
  float output_min = 0.0f, output_max = 0.0f;  // set by every builder call
  int32_t filter = -1, bias = -1;              // indices into Graph::tensors
};

class Graph {
 public:
  Graph(std::string name, uint32_t seed);

  // Builder calls; each returns the new value's index. Weights are random with He
  // (ReLU-following layers, gain 2) or LeCun/Glorot-style (linear, gain 1) scales:
  // uniform in +-sqrt(3 * gain / fan_in); biases uniform in +-0.02.
  uint32_t input(std::vector<size_t> dims);
  uint32_t convolution(uint32_t x, size_t output_channels, uint32_t kernel, uint32_t stride,
      float gain, float output_min, float output_max);
  uint32_t depthwise_convolution(uint32_t x, uint32_t kernel, uint32_t stride, float gain,
      float output_min, float output_max);
  uint32_t fully_connected(uint32_t x, size_t output_channels, float gain, float output_min,
      float output_max);
  uint32_t add(uint32_t a, uint32_t b, float output_min, float output_max);
  uint32_t clamp(uint32_t x, float output_min, float output_max);
  uint32_t gelu(uint32_t x);
  uint32_t global_average_pooling(uint32_t x);  // [N][H][W][C] -> [N][C]
  uint32_t softmax(uint32_t x);
  // With clamp nodes on, convolutions given finite bounds are emitted unbounded and
  // followed by a clamp node with those bounds.
  void set_clamp_nodes(bool on) { clamp_nodes_ = on; }
  void set_output(uint32_t value) { output_ = value; }
  void set_probe(uint32_t value, std::string name) { probe_ = value; probe_name_ = std::move(name); }

  const std::string& name() const { return name_; }
  const std::vector<Value>& values() const { return values_; }
  const std::vector<Op>& ops() const { return ops_; }
  const std::vector<float>& tensor(int32_t index) const { return tensors_[size_t(index)]; }
  uint32_t input_value() const { return input_; }
  uint32_t output_value() const { return output_; }
  uint32_t probe_value() const { return probe_; }
  const std::string& probe_name() const { return probe_name_; }
  // Multiply-accumulates of one inference (convolutions and fully connected).
  double macs() const;
  size_t parameter_count() const;

 private:
  uint32_t add_convolution(OpKind kind, uint32_t x, size_t output_channels, uint32_t kernel,
      uint32_t stride, float gain, float output_min, float output_max);
  uint32_t elementwise(OpKind kind, uint32_t x, float output_min, float output_max);
  uint32_t new_value(std::vector<size_t> dims);
  int32_t random_tensor(size_t count, float bound);
  uint32_t next_random();

  std::string name_;
  uint32_t rng_state_;
  std::vector<Value> values_;
  std::vector<Op> ops_;
  std::vector<std::vector<float>> tensors_;
  uint32_t input_ = 0, output_ = 0, probe_ = 0;
  std::string probe_name_;
  bool clamp_nodes_ = false;
};

// The models. MobileNets: input [batch][input_size][input_size][3], output softmax
// probabilities [batch][num_classes]. MLP: input and output [batch][channels].
Graph build_mobilenet_v1(const ModelOptions& options);
Graph build_mobilenet_v2(const ModelOptions& options);
Graph build_transformer_mlp(const ModelOptions& options);

// Global average pooling, a fully connected layer to the logits (the probe) and softmax
// (the output), as both MobileNets end.
void classifier_head(Graph& graph, uint32_t features, size_t num_classes);

// The full-size models of the end-to-end bench and the demo, by name: mobilenet_v1,
// mobilenet_v2 (224x224x3, batch 1) and transformer_mlp_b1 / _b8 / _b128 (768 -> 3072 ->
// 768, the batch being the number of tokens).
struct ModelSpec {
  std::string name;
  Graph (*build)(const ModelOptions&);
  ModelOptions options;
};
const std::vector<ModelSpec>& benchmark_models();

// Channel count scaled by a width multiplier, rounded to a multiple of 8 (at least 8, and
// never more than 10% below the exact product), as MobileNet does.
size_t scaled_channels(size_t channels, float width);

// Deterministic input in [-1, 1) for a graph's input shape.
std::vector<float> random_input(const Graph& graph, uint32_t seed);

// Observed [min, max] of every value of a graph (indexed like Graph::values()).
struct Calibration {
  std::vector<float> min, max;
};

// External ids used by the emitted subgraphs.
constexpr uint32_t kInputId = 0;
constexpr uint32_t kOutputId = 1;
constexpr uint32_t kProbeId = 2;

// Storage that must outlive the runtime created from an emitted subgraph (quantized
// weights of the qs8 mode).
struct EmittedStorage {
  std::vector<std::vector<int8_t>> int8_tensors;
  std::vector<std::vector<int32_t>> int32_tensors;
  std::vector<std::vector<float>> float_tensors;
};

// Defines `graph` in a new subgraph for `datatype` (flags for the runtime: runtime_flags).
// With `observe`, every other intermediate value is also an external f32 output, with
// external id 3 + its index in Graph::values() (f32 only; for calibration). qs8 needs
// `calibration`. Returns a pqnn status; on failure nothing is left allocated.
enum pqnn_status define_subgraph(const Graph& graph, Datatype datatype, bool observe,
    const Calibration* calibration, EmittedStorage* storage, pqnn_subgraph_t* subgraph_out);

}  // namespace pqnn_models
