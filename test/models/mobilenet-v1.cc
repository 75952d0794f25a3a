// MobileNet v1: a 3x3 stride-2 convolution, 13 depthwise-separable blocks (3x3 depthwise +
// 1x1 pointwise, each followed by ReLU6), global average pooling, a 1024 -> classes fully
// connected layer and softmax. Width multiplier and input size are parameters.
#include "models/model-graph.h"

namespace pqnn_models {

Graph build_mobilenet_v1(const ModelOptions& o) {
  Graph g("mobilenet_v1", o.seed);
  g.set_clamp_nodes(o.clamp_nodes);
  struct Block { size_t channels; uint32_t stride; };
  static const Block kBlocks[13] = {{64, 1}, {128, 2}, {128, 1}, {256, 2}, {256, 1},
      {512, 2}, {512, 1}, {512, 1}, {512, 1}, {512, 1}, {512, 1}, {1024, 2}, {1024, 1}};
  uint32_t x = g.input({o.batch, o.input_size, o.input_size, 3});
  x = g.convolution(x, scaled_channels(32, o.width), 3, 2, 2.0f, 0.0f, 6.0f);
  for (const Block& b : kBlocks) {
    x = g.depthwise_convolution(x, 3, b.stride, 2.0f, 0.0f, 6.0f);
    x = g.convolution(x, scaled_channels(b.channels, o.width), 1, 1, 2.0f, 0.0f, 6.0f);
  }
  classifier_head(g, x, o.num_classes);
  return g;
}

}  // namespace pqnn_models
