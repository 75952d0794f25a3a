// Runtime wrapper, calibration and accuracy metrics for the end-to-end models.
#include "models/model-runtime.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <utility>

namespace pqnn_models {

ModelRuntime::~ModelRuntime() {
  pqnn_delete_runtime(runtime_);
  pqnn_delete_subgraph(subgraph_);
}

enum pqnn_status ModelRuntime::create(const Graph& graph, Datatype datatype,
    const Calibration* calibration, pthreadpool_t threadpool,
    std::unique_ptr<ModelRuntime>* out) {
  if (out == nullptr) return pqnn_status_invalid_parameter;
  enum pqnn_status s = pqnn_initialize();
  if (s != pqnn_status_success) return s;
  std::unique_ptr<ModelRuntime> m(new ModelRuntime());
  s = define_subgraph(graph, datatype, false, calibration, &m->storage_, &m->subgraph_);
  if (s != pqnn_status_success) return s;
  // PQNN_MODELS_QD8_FLOAT_DEPTHWISE=1 sets the runtime option qd8_float_depthwise (DRQ
  // leaves every depthwise layer float), to measure that choice end to end
  // (docs/qd8-performance.md, "Depthwise").
  pqnn_runtime_options options{};
  const char* float_dw = std::getenv("PQNN_MODELS_QD8_FLOAT_DEPTHWISE");
  options.qd8_float_depthwise = float_dw != nullptr && std::strcmp(float_dw, "1") == 0;
  // PQNN_MODELS_NO_BANDING=1 sets the runtime option no_banding (depthwise / pointwise
  // chains run node by node), to measure row-band execution end to end.
  const char* no_banding = std::getenv("PQNN_MODELS_NO_BANDING");
  options.no_banding = no_banding != nullptr && std::strcmp(no_banding, "1") == 0;
  s = pqnn_create_runtime_with_options(m->subgraph_, threadpool, runtime_flags(datatype),
      &options, &m->runtime_);
  if (s != pqnn_status_success) return s;
  m->input_.assign(graph.values()[graph.input_value()].elements(), 0.0f);
  m->output_.assign(graph.values()[graph.output_value()].elements(), 0.0f);
  m->probe_.assign(graph.values()[graph.probe_value()].elements(), 0.0f);
  const pqnn_external_value externals[3] = {{kInputId, m->input_.data()},
      {kOutputId, m->output_.data()}, {kProbeId, m->probe_.data()}};
  s = pqnn_setup_runtime(m->runtime_, 3, externals);
  if (s != pqnn_status_success) return s;
  *out = std::move(m);
  return pqnn_status_success;
}

std::vector<pqnn_runtime_node_info> ModelRuntime::nodes() const {
  std::vector<pqnn_runtime_node_info> result;
  size_t count = 0;
  if (pqnn_get_runtime_node_count(runtime_, &count) != pqnn_status_success) return result;
  for (size_t i = 0; i < count; i++) {
    pqnn_runtime_node_info info{};
    if (pqnn_get_runtime_node_info(runtime_, i, &info) == pqnn_status_success) {
      result.push_back(info);
    }
  }
  return result;
}

enum pqnn_status calibrate(const Graph& graph, const std::vector<float>& input,
    Calibration* calibration) {
  if (calibration == nullptr) return pqnn_status_invalid_parameter;
  enum pqnn_status s = pqnn_initialize();
  if (s != pqnn_status_success) return s;
  const std::vector<Value>& values = graph.values();
  if (input.size() != values[graph.input_value()].elements()) {
    return pqnn_status_invalid_parameter;
  }
  EmittedStorage storage;
  pqnn_subgraph_t subgraph = nullptr;
  s = define_subgraph(graph, Datatype::f32, true, nullptr, &storage, &subgraph);
  if (s != pqnn_status_success) return s;
  pqnn_runtime_t runtime = nullptr;
  s = pqnn_create_runtime(subgraph, nullptr, 0, &runtime);
  std::vector<std::vector<float>> buffers(values.size());
  std::vector<pqnn_external_value> externals;
  for (uint32_t v = 0; v < values.size(); v++) {
    uint32_t id = 3 + v;
    if (v == graph.input_value()) id = kInputId;
    else if (v == graph.output_value()) id = kOutputId;
    else if (v == graph.probe_value()) id = kProbeId;
    if (v == graph.input_value()) buffers[v] = input;
    else buffers[v].assign(values[v].elements(), 0.0f);
    externals.push_back({id, buffers[v].data()});
  }
  if (s == pqnn_status_success) s = pqnn_setup_runtime(runtime, externals.size(), externals.data());
  if (s == pqnn_status_success) s = pqnn_invoke_runtime(runtime);
  pqnn_delete_runtime(runtime);
  pqnn_delete_subgraph(subgraph);
  if (s != pqnn_status_success) return s;
  calibration->min.assign(values.size(), 0.0f);
  calibration->max.assign(values.size(), 0.0f);
  for (size_t v = 0; v < values.size(); v++) {
    if (buffers[v].empty()) continue;
    const auto mm = std::minmax_element(buffers[v].begin(), buffers[v].end());
    calibration->min[v] = *mm.first;
    calibration->max[v] = *mm.second;
  }
  return pqnn_status_success;
}

double cosine_similarity(const std::vector<float>& a, const std::vector<float>& b) {
  double ab = 0.0, aa = 0.0, bb = 0.0;
  const size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; i++) {
    ab += double(a[i]) * double(b[i]);
    aa += double(a[i]) * double(a[i]);
    bb += double(b[i]) * double(b[i]);
  }
  if (aa == 0.0 && bb == 0.0) return 1.0;
  if (aa == 0.0 || bb == 0.0) return 0.0;
  return ab / std::sqrt(aa * bb);
}

double max_relative_error(const std::vector<float>& y, const std::vector<float>& ref) {
  double err = 0.0, mag = 0.0;
  const size_t n = std::min(y.size(), ref.size());
  for (size_t i = 0; i < n; i++) {
    err = std::max(err, std::fabs(double(y[i]) - double(ref[i])));
    mag = std::max(mag, std::fabs(double(ref[i])));
  }
  if (std::isnan(err)) return err;
  return mag == 0.0 ? err : err / mag;
}

std::string describe_nodes(const std::vector<pqnn_runtime_node_info>& nodes) {
  std::vector<std::pair<std::string, size_t>> counts;  // first-appearance order
  size_t banded = 0;
  for (const pqnn_runtime_node_info& info : nodes) {
    banded += info.banded;
    std::string key = std::string(info.inserted ? "+" : "") + info.type_name + ":" +
        pqnn_datatype_string(info.compute_datatype);
    auto it = std::find_if(counts.begin(), counts.end(),
        [&](const std::pair<std::string, size_t>& c) { return c.first == key; });
    if (it == counts.end()) counts.emplace_back(key, 1);
    else it->second++;
  }
  std::string out;
  for (const auto& c : counts) {
    if (!out.empty()) out += ", ";
    out += c.first;
    if (c.second > 1) out += " x" + std::to_string(c.second);
  }
  if (banded != 0) out += "; " + std::to_string(banded) + " in row bands";
  return out;
}

}  // namespace pqnn_models
