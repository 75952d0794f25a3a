// f32 depthwise convolution at 1 KiB-multiple pixel steps with the output placed 4 KiB-aliased
// to the input (the DWCONV path falls back to the per-pixel kernel for the whole layer) and
// placed off it (the row kernels take the interior where the tier has them): both outputs
// agree with the double reference and are bit-identical to each other (the row kernels do
// the per-pixel kernel's arithmetic), on every tier; on tiers with row kernels the
// placements are checked to lie on both sides of pqnn_dwconv_row_aliases.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

#include <pqnn.h>

#include "common/test-utils.h"

extern "C" {
#include "configs/config.h"
}

namespace {

struct Layer {
  size_t channels, height, width;
  uint32_t stride;
};

// One 4 KiB-aligned block: the input at its start, the output `output_offset` bytes past
// the 4 KiB boundary after the input.
struct Placement {
  std::vector<unsigned char> block;
  float* input;
  float* output;
  Placement(size_t input_floats, size_t output_floats, size_t output_offset) {
    const size_t input_bytes = (input_floats * sizeof(float) + 4095) / 4096 * 4096;
    block.assign(4096 + input_bytes + 4096 + output_floats * sizeof(float), 0);
    const uintptr_t base = (reinterpret_cast<uintptr_t>(block.data()) + 4095) & ~uintptr_t(4095);
    input = reinterpret_cast<float*>(base);
    output = reinterpret_cast<float*>(base + input_bytes + output_offset);
  }
};

std::vector<float> run(const Layer& l, const std::vector<float>& input,
    const std::vector<float>& kernel, const std::vector<float>& bias, size_t output_offset,
    bool* aliased) {
  const size_t oh = (l.height + 2 - 3) / l.stride + 1, ow = (l.width + 2 - 3) / l.stride + 1;
  Placement p(input.size(), oh * ow * l.channels, output_offset);
  std::memcpy(p.input, input.data(), input.size() * sizeof(float));
  pqnn_operator_t op = nullptr;
  EXPECT_EQ(pqnn_create_convolution2d_nhwc_f32(1, 1, 1, 1, 3, 3, l.stride, l.stride, 1, 1,
                uint32_t(l.channels), 1, 1, l.channels, l.channels, kernel.data(), bias.data(),
                -INFINITY, INFINITY, PQNN_FLAG_DEPTHWISE_CONVOLUTION, &op),
      pqnn_status_success);
  EXPECT_EQ(pqnn_reshape_convolution2d_nhwc_f32(op, 1, l.height, l.width, nullptr, nullptr,
                nullptr),
      pqnn_status_success);
  EXPECT_EQ(pqnn_setup_convolution2d_nhwc_f32(op, p.input, p.output), pqnn_status_success);
  EXPECT_EQ(pqnn_run_operator(op, nullptr), pqnn_status_success);
  pqnn_delete_operator(op);
  *aliased = pqnn_dwconv_row_aliases(p.input, p.output, l.channels * sizeof(float),
      l.channels * sizeof(float));
  return std::vector<float>(p.output, p.output + oh * ow * l.channels);
}

TEST(F32DepthwiseAlias, AliasedAndSkewedOutputsAgree) {
  ASSERT_EQ(pqnn_initialize(), pqnn_status_success);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  const Layer layers[] = {{256, 9, 11, 1}, {512, 6, 7, 1}, {1024, 5, 6, 1}, {256, 9, 11, 2},
      {512, 7, 9, 2}};
  for (const Layer& l : layers) {
    SCOPED_TRACE(l.channels);
    SCOPED_TRACE(l.stride);
    std::vector<float> input(l.height * l.width * l.channels), kernel(9 * l.channels),
        bias(l.channels);
    for (auto* v : {&input, &kernel, &bias}) {
      for (float& x : *v) x = dist(pqnn_test::rng());
    }
    bool aliased = false, skewed_aliased = true;
    const std::vector<float> a = run(l, input, kernel, bias, 0, &aliased);
    const std::vector<float> b = run(l, input, kernel, bias, PQNN_DWCONV_SKEW, &skewed_aliased);
    EXPECT_TRUE(aliased);
    EXPECT_FALSE(skewed_aliased);
    ASSERT_EQ(a.size(), b.size());
    EXPECT_EQ(std::memcmp(a.data(), b.data(), a.size() * sizeof(float)), 0);
    // Reference (double) for the aliased placement, padding 1 on every side.
    const size_t oh = (l.height - 1) / l.stride + 1, ow = (l.width - 1) / l.stride + 1;
    for (size_t y = 0; y < oh; y++) {
      for (size_t x = 0; x < ow; x++) {
        for (size_t c = 0; c < l.channels; c++) {
          double sum = bias[c], mag = std::fabs(bias[c]);
          for (size_t ky = 0; ky < 3; ky++) {
            for (size_t kx = 0; kx < 3; kx++) {
              const size_t iy = y * l.stride + ky, ix = x * l.stride + kx;
              if (iy < 1 || iy > l.height || ix < 1 || ix > l.width) continue;
              const double term = double(input[((iy - 1) * l.width + ix - 1) * l.channels + c]) *
                  kernel[(ky * 3 + kx) * l.channels + c];
              sum += term;
              mag += std::fabs(term);
            }
          }
          const float got = a[(y * ow + x) * l.channels + c];
          ASSERT_NEAR(got, sum, 1e-6 * mag + 1e-7) << y << " " << x << " " << c;
        }
      }
    }
  }
}

}  // namespace
