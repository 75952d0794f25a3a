// Transformer MLP block: x + FC2(GELU(FC1(x))), FC1 channels -> hidden, FC2 hidden ->
// channels (768 -> 3072 -> 768 by default), on a batch of tokens as the FC batch.
#include "models/model-graph.h"

namespace pqnn_models {

Graph build_transformer_mlp(const ModelOptions& o) {
  Graph g("transformer_mlp", o.seed);
  const uint32_t x = g.input({o.batch, o.channels});
  uint32_t h = g.fully_connected(x, o.hidden, 1.0f, -INFINITY, INFINITY);
  h = g.gelu(h);
  // GELU keeps ~0.43 of a unit-variance input's second moment; gain 2 restores O(1).
  const uint32_t branch = g.fully_connected(h, o.channels, 2.0f, -INFINITY, INFINITY);
  g.set_probe(branch, "fc2_output");
  g.set_output(g.add(x, branch, -INFINITY, INFINITY));
  return g;
}

}  // namespace pqnn_models
