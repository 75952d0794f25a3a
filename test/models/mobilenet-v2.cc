// MobileNet v2: a 3x3 stride-2 convolution, 17 inverted-residual bottlenecks (1x1 expansion
// by 6 with ReLU6, 3x3 depthwise with ReLU6, linear 1x1 projection, and an add2 residual
// where stride is 1 and the channel count is kept), a 1x1 convolution to 1280 channels with
// ReLU6, global average pooling, a 1280 -> classes fully connected layer and softmax.
#include "models/model-graph.h"

#include <algorithm>

namespace pqnn_models {

Graph build_mobilenet_v2(const ModelOptions& o) {
  Graph g("mobilenet_v2", o.seed);
  g.set_clamp_nodes(o.clamp_nodes);
  struct Stage { size_t expansion, channels, repeats; uint32_t stride; };
  static const Stage kStages[7] = {{1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2},
      {6, 64, 4, 2}, {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};
  uint32_t x = g.input({o.batch, o.input_size, o.input_size, 3});
  size_t channels = scaled_channels(32, o.width);
  x = g.convolution(x, channels, 3, 2, 2.0f, 0.0f, 6.0f);
  for (const Stage& s : kStages) {
    const size_t out_channels = scaled_channels(s.channels, o.width);
    for (size_t i = 0; i < s.repeats; i++) {
      const uint32_t stride = i == 0 ? s.stride : 1;
      uint32_t y = x;
      if (s.expansion != 1) {
        y = g.convolution(y, channels * s.expansion, 1, 1, 2.0f, 0.0f, 6.0f);
      }
      y = g.depthwise_convolution(y, 3, stride, 2.0f, 0.0f, 6.0f);
      // Residual branches get half the linear gain so the sum of up to 4 branches keeps
      // activations O(1) without batch normalization.
      const bool residual = stride == 1 && channels == out_channels;
      y = g.convolution(y, out_channels, 1, 1, residual ? 0.5f : 1.0f, -INFINITY, INFINITY);
      x = residual ? g.add(x, y, -INFINITY, INFINITY) : y;
      channels = out_channels;
    }
  }
  const size_t head = std::max<size_t>(1280, scaled_channels(1280, o.width));
  x = g.convolution(x, head, 1, 1, 2.0f, 0.0f, 6.0f);
  classifier_head(g, x, o.num_classes);
  return g;
}

}  // namespace pqnn_models
