#include "common/model-shapes.h"

#include <map>

namespace pqnn_bench {

const std::vector<FcShape>& fc_shapes() {
  static const std::vector<FcShape> shapes = {
    {"mlp_up_768x3072_b1", 1, 768, 3072},
    {"mlp_up_768x3072_b8", 8, 768, 3072},
    {"mlp_up_768x3072_b64", 64, 768, 3072},
    {"mlp_up_768x3072_b256", 256, 768, 3072},
    {"mlp_down_3072x768_b64", 64, 3072, 768},
    {"attn_qkv_768x2304_b64", 64, 768, 2304},
    {"fc_1024x1024_b256", 256, 1024, 1024},
    {"fc_1024x1024_b1024", 1024, 1024, 1024},
    {"llm_4096x4096_b1", 1, 4096, 4096},
    {"llm_4096x11008_b1", 1, 4096, 11008},
    {"mobilenet_v1_classifier_b1", 1, 1024, 1000},
    {"mobilenet_v2_classifier_b1", 1, 1280, 1000},
    // PaddleOCR 1x1 layers as FC (pixels x K -> N): rec's 240 -> 240 (7 x 32 + 16 columns),
    // det's 384 -> 360 (11 x 32 + 8), and 480 -> 480 (15 x 32, no column tail) beside them.
    {"ocr_rec_pw_240x240_b960", 960, 240, 240},
    {"ocr_det_pw_384x360_b400", 400, 384, 360},
    {"pw_480x480_b480", 480, 480, 480},
  };
  return shapes;
}

const std::vector<ConvShape>& conv_shapes() {
  static const std::vector<ConvShape> shapes = {
    // MobileNet v1
    {"mnv1_conv0_224x224_3to32_3x3s2", 224, 224, 3, 2, 1, 1, 3, 32, false},
    {"mnv1_dw1_112x112x32_3x3", 112, 112, 3, 1, 1, 32, 1, 1, true},
    {"mnv1_pw1_112x112_32to64", 112, 112, 1, 1, 0, 1, 32, 64, false},
    {"mnv1_pw_56x56_128to128", 56, 56, 1, 1, 0, 1, 128, 128, false},
    {"mnv1_dw_56x56x128_3x3", 56, 56, 3, 1, 1, 128, 1, 1, true},
    {"mnv1_pw_28x28_256to256", 28, 28, 1, 1, 0, 1, 256, 256, false},
    {"mnv1_dw_14x14x512_3x3", 14, 14, 3, 1, 1, 512, 1, 1, true},
    {"mnv1_pw_14x14_512to512", 14, 14, 1, 1, 0, 1, 512, 512, false},
    {"mnv1_pw_7x7_1024to1024", 7, 7, 1, 1, 0, 1, 1024, 1024, false},
    // MobileNet v2
    {"mnv2_project_112x112_32to16", 112, 112, 1, 1, 0, 1, 32, 16, false},
    {"mnv2_expand_112x112_16to96", 112, 112, 1, 1, 0, 1, 16, 96, false},
    {"mnv2_dw_112x112x96_3x3s2", 112, 112, 3, 2, 1, 96, 1, 1, true},
    {"mnv2_expand_56x56_24to144", 56, 56, 1, 1, 0, 1, 24, 144, false},
    {"mnv2_project_56x56_144to24", 56, 56, 1, 1, 0, 1, 144, 24, false},
    {"mnv2_dw_56x56x144_3x3s2", 56, 56, 3, 2, 1, 144, 1, 1, true},
    {"mnv2_dw_56x56x144_3x3", 56, 56, 3, 1, 1, 144, 1, 1, true},
    {"mnv2_dw_28x28x192_3x3", 28, 28, 3, 1, 1, 192, 1, 1, true},
    {"mnv2_dw_28x28x192_3x3s2", 28, 28, 3, 2, 1, 192, 1, 1, true},
    {"mnv2_dw_14x14x576_3x3s2", 14, 14, 3, 2, 1, 576, 1, 1, true},
    {"mnv2_project_28x28_192to32", 28, 28, 1, 1, 0, 1, 192, 32, false},
    {"mnv2_expand_14x14_64to384", 14, 14, 1, 1, 0, 1, 64, 384, false},
    {"mnv2_dw_14x14x384_3x3", 14, 14, 3, 1, 1, 384, 1, 1, true},
    {"mnv2_dw_14x14x576_3x3", 14, 14, 3, 1, 1, 576, 1, 1, true},
    {"mnv2_dw_7x7x960_3x3", 7, 7, 3, 1, 1, 960, 1, 1, true},
    {"mnv2_expand_7x7_160to960", 7, 7, 1, 1, 0, 1, 160, 960, false},
    // projections of many input channels to a count that is not a multiple of 64
    {"mnv2_project_14x14_576to96", 14, 14, 1, 1, 0, 1, 576, 96, false},
    {"mnv2_project_7x7_960to160", 7, 7, 1, 1, 0, 1, 960, 160, false},
    // ResNet-50
    {"resnet_conv1_224x224_3to64_7x7s2", 224, 224, 7, 2, 3, 1, 3, 64, false},
    // PaddleOCR-style stems (3x3 stride 2 from RGB): detection at 640x640, recognition at
    // 48x320 (int8: the convolution's patch path, src/operators/patch-path.c)
    {"ocr_det_stem_640x640_3to8_3x3s2", 640, 640, 3, 2, 1, 1, 3, 8, false},
    {"ocr_det_v4_stem_640x640_3to16_3x3s2", 640, 640, 3, 2, 1, 1, 3, 16, false},
    // PP-OCRv4 det's 1x1 layers of few channels on large maps (the runtime runs them as
    // fully connected nodes: the same GEMM kernels)
    {"ocr_det_pw_320x320_16to32", 320, 320, 1, 1, 0, 1, 16, 32, false},
    {"ocr_det_pw_160x160_32to48", 160, 160, 1, 1, 0, 1, 32, 48, false},
    {"ocr_det_pw_160x160_48to48", 160, 160, 1, 1, 0, 1, 48, 48, false},
    {"ocr_det_pw_160x160_12to96", 160, 160, 1, 1, 0, 1, 12, 96, false},
    {"ocr_rec_stem_48x320_3to16_3x3s2", 48, 320, 3, 2, 1, 1, 3, 16, false},
    {"ocr_rec_stem_48x320_3to32_3x3s2", 48, 320, 3, 2, 1, 1, 3, 32, false},
    {"resnet_56x56_64to64_3x3", 56, 56, 3, 1, 1, 1, 64, 64, false},
    {"resnet_56x56_64to256_1x1", 56, 56, 1, 1, 0, 1, 64, 256, false},
    {"resnet_28x28_128to128_3x3", 28, 28, 3, 1, 1, 1, 128, 128, false},
    {"resnet_14x14_256to256_3x3", 14, 14, 3, 1, 1, 1, 256, 256, false},
    {"resnet_7x7_512to512_3x3", 7, 7, 3, 1, 1, 1, 512, 512, false},
  };
  return shapes;
}

const std::vector<ConvShape>& dense3x3_shapes() {
  static const std::vector<ConvShape> shapes = {
    {"det_160x160_96x24", 160, 160, 3, 1, 1, 1, 96, 24, false},
    {"det_80x80_96x24", 80, 80, 3, 1, 1, 1, 96, 24, false},
    {"det_40x40_96x24", 40, 40, 3, 1, 1, 1, 96, 24, false},
    {"det_20x20_96x24", 20, 20, 3, 1, 1, 1, 96, 24, false},
    {"80x80_96x32", 80, 80, 3, 1, 1, 1, 96, 32, false},
    {"80x80_96x48", 80, 80, 3, 1, 1, 1, 96, 48, false},
    {"80x80_96x96", 80, 80, 3, 1, 1, 1, 96, 96, false},
    {"80x80_24x96", 80, 80, 3, 1, 1, 1, 24, 96, false},
    {"40x40_128x32", 40, 40, 3, 1, 1, 1, 128, 32, false},
    {"40x40_128x48", 40, 40, 3, 1, 1, 1, 128, 48, false},
    {"56x56_64x16", 56, 56, 3, 1, 1, 1, 64, 16, false},
    {"resnet_56x56_64x64", 56, 56, 3, 1, 1, 1, 64, 64, false},
    {"resnet_28x28_128x128", 28, 28, 3, 1, 1, 1, 128, 128, false},
    {"resnet_14x14_256x256", 14, 14, 3, 1, 1, 1, 256, 256, false},
    {"few_56x56_32x32", 56, 56, 3, 1, 1, 1, 32, 32, false},
    {"few_56x56_16x16", 56, 56, 3, 1, 1, 1, 16, 16, false},
    {"few_56x56_8x32", 56, 56, 3, 1, 1, 1, 8, 32, false},
    {"few_56x56_32x8", 56, 56, 3, 1, 1, 1, 32, 8, false},
    {"few_56x56_8x8", 56, 56, 3, 1, 1, 1, 8, 8, false},
    {"few_56x56_4x4", 56, 56, 3, 1, 1, 1, 4, 4, false},
    {"few_56x56_96x4", 56, 56, 3, 1, 1, 1, 96, 4, false},
    {"few_56x56_4x96", 56, 56, 3, 1, 1, 1, 4, 96, false},
  };
  return shapes;
}

pthreadpool_t threadpool_for(size_t threads) {
  static std::map<size_t, pthreadpool_t> pools;
  if (threads <= 1) return nullptr;
  auto it = pools.find(threads);
  if (it != pools.end()) return it->second;
  pthreadpool_t pool = pthreadpool_create(threads);
  pools[threads] = pool;
  return pool;
}

void register_fc_benchmarks(const std::string& prefix,
    std::function<void(benchmark::State&, const FcShape&, pthreadpool_t)> body) {
  for (const FcShape& shape : fc_shapes()) {
    for (size_t threads : {1, 2}) {
      const std::string name = prefix + "/" + shape.name + "/threads:" + std::to_string(threads);
      benchmark::RegisterBenchmark(name.c_str(), [body, shape, threads](benchmark::State& state) {
        body(state, shape, threadpool_for(threads));
      })->Unit(benchmark::kMicrosecond)->UseRealTime();
    }
  }
}

void register_conv_benchmarks(const std::string& prefix,
    std::function<void(benchmark::State&, const ConvShape&, pthreadpool_t)> body) {
  for (const ConvShape& shape : conv_shapes()) {
    for (size_t threads : {1, 2}) {
      const std::string name = prefix + "/" + shape.name + "/threads:" + std::to_string(threads);
      benchmark::RegisterBenchmark(name.c_str(), [body, shape, threads](benchmark::State& state) {
        body(state, shape, threadpool_for(threads));
      })->Unit(benchmark::kMicrosecond)->UseRealTime();
    }
  }
}

}  // namespace pqnn_bench
