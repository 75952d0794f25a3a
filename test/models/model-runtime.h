// Runs an end-to-end model (model-graph.h) through the pqnn runtime: creation for one
// datatype mode, f32 input/output buffers, invocation, the planner's node report, the
// calibration run that gives qs8 its activation scales, and the accuracy metrics.
#pragma once

#include "models/model-graph.h"

#include <memory>
#include <string>
#include <vector>

namespace pqnn_models {

class ModelRuntime {
 public:
  // Creates, sets up and returns the runtime of `graph` in `datatype` on `threadpool`
  // (NULL: one thread). qs8 needs `calibration` (see calibrate). `graph` must outlive it.
  static enum pqnn_status create(const Graph& graph, Datatype datatype,
      const Calibration* calibration, pthreadpool_t threadpool,
      std::unique_ptr<ModelRuntime>* out);
  ~ModelRuntime();
  ModelRuntime(const ModelRuntime&) = delete;
  ModelRuntime& operator=(const ModelRuntime&) = delete;

  std::vector<float>& input() { return input_; }
  enum pqnn_status invoke() { return pqnn_invoke_runtime(runtime_); }
  const std::vector<float>& output() const { return output_; }
  const std::vector<float>& probe() const { return probe_; }
  std::vector<pqnn_runtime_node_info> nodes() const;
  pqnn_runtime_t runtime() const { return runtime_; }

 private:
  ModelRuntime() = default;
  pqnn_subgraph_t subgraph_ = nullptr;
  pqnn_runtime_t runtime_ = nullptr;
  EmittedStorage storage_;
  std::vector<float> input_, output_, probe_;
};

// Runs the f32 graph once on `input` with every intermediate value observed and records
// each value's [min, max].
enum pqnn_status calibrate(const Graph& graph, const std::vector<float>& input,
    Calibration* calibration);

// cos(a, b) = a.b / (|a| |b|), in double (1 when both are zero).
double cosine_similarity(const std::vector<float>& a, const std::vector<float>& b);
// max_i |y_i - ref_i| / max_i |ref_i|: the largest error relative to the reference's
// largest magnitude (element-wise relative error is unbounded near zeros).
double max_relative_error(const std::vector<float>& y, const std::vector<float>& ref);

// Node counts per (type, compute datatype) in order of first appearance, e.g.
// "+convert:qdint8 x2, fully_connected:qdint8 x2, gelu:fp32"; "+" marks converts the
// planner inserted; then "; N in row bands" when nodes run banded (docs/runtime.md).
std::string describe_nodes(const std::vector<pqnn_runtime_node_info>& nodes);

}  // namespace pqnn_models
