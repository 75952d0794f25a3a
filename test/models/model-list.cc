// The full-size models shared by bench/runtime/models-e2e and the demo (see model-graph.h).
#include "models/model-graph.h"

namespace pqnn_models {

const std::vector<ModelSpec>& benchmark_models() {
  static const std::vector<ModelSpec> models = [] {
    ModelOptions b1, b8, b128;
    b8.batch = 8;
    b128.batch = 128;
    return std::vector<ModelSpec>{{"mobilenet_v1", build_mobilenet_v1, b1},
        {"mobilenet_v2", build_mobilenet_v2, b1}, {"transformer_mlp_b1", build_transformer_mlp, b1},
        {"transformer_mlp_b8", build_transformer_mlp, b8},
        {"transformer_mlp_b128", build_transformer_mlp, b128}};
  }();
  return models;
}

}  // namespace pqnn_models
