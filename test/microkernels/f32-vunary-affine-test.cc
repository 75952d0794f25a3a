// Kernel tester for f32-vunary-affine, the one-pass output epilogue (contract in
// src/microkernels.h): every kernel of this build against the two kernels it reproduces
// (src/configs/epilogue-config.c pairs them), run one after the other as the two-pass
// epilogue does: the f32-vunary kernel over each row, then the 1x1 DWCONV kernel in place.
// Same bits everywhere (NaN payloads included: the same instructions in the same order;
// on WebAssembly, whose NaN payloads are unspecified, NaN for NaN),
// on rows of 1 .. 3 tiles + a vector + a tail of channels, 1 .. 3 rows with gaps between
// them that must stay untouched, inputs mixing signed zeros, infinities, NaNs and the
// activations' breakpoints, with and without bounds on the affine. Every kernel must have
// its pair (a manifest row without one fails).
#include <gtest/gtest.h>

#include <cfloat>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <pqnn.h>

#include "common/convert-reference.h"
#include "common/test-utils.h"

extern "C" {
#include "configs/config.h"
#include "microkernels.h"
}

namespace {

struct Kernel {
  const char* name;
  pqnn_vunary_affine_ukernel_fn fn;
  enum pqnn_isa isa;
};

#define PQNN_UKERNEL(tier, mr, nr, kr, input_offset, fn) {#fn, fn, tier},
const Kernel kKernels[] = {
#include "microkernels/f32-vunary-affine/f32-vunary-affine.inc"
};
#undef PQNN_UKERNEL

void PrintTo(const Kernel& k, std::ostream* os) { *os << k.name; }
std::string kernel_name(const testing::TestParamInfo<Kernel>& info) { return info.param.name; }

const pqnn_epilogue_kernel* pair_of(pqnn_vunary_affine_ukernel_fn fn) {
  size_t count = 0;
  const pqnn_epilogue_kernel* rows = pqnn_epilogue_kernels(&count);
  for (size_t i = 0; i < count; i++) {
    if (rows[i].fused == fn) return &rows[i];
  }
  return nullptr;
}

std::vector<float> specials() {
  const float inf = std::numeric_limits<float>::infinity();
  return {0.0f, -0.0f, inf, -inf, std::numeric_limits<float>::quiet_NaN(),
      pqnn_test::bits_float(0xFFC00123u), FLT_MIN, -FLT_MIN, 1e-40f, -1e-40f, FLT_MAX,
      -FLT_MAX, 3.0f, -3.0f, 6.0f, -6.0f, 2.9999998f, -2.9999998f, 1.5f, -1.5f, 4.0f, -2.0f,
      -90.0f, 90.0f};
}

class VUnaryAffineTest : public testing::TestWithParam<Kernel> {};

TEST_P(VUnaryAffineTest, TwoPassBits) {
  const Kernel& k = GetParam();
  if (!pqnn_test::isa_enabled(k.isa)) GTEST_SKIP() << "ISA not available";
  const pqnn_epilogue_kernel* pair = pair_of(k.fn);
  ASSERT_NE(pair, nullptr) << "no kernel pair in src/configs/epilogue-config.c";
  const size_t tile = pair->tile;
  const std::string name = k.name;
  const bool clamp_act = name.find("_clamp__") != std::string::npos;
  const pqnn_f32_elementwise_params act = clamp_act
      ? pqnn_f32_elementwise_params{-2.0f, 4.0f, 0.0f, 0.0f}
      : pqnn_f32_elementwise_params{-INFINITY, INFINITY, 0.0f, 0.0f};
  auto& rng = pqnn_test::rng();
  std::uniform_real_distribution<float> dist(-8.0f, 8.0f);
  const std::vector<float> sp = specials();
  std::uniform_int_distribution<size_t> pick(0, sp.size() - 1);
  const float nan_fill = pqnn_test::bits_float(0x7FBADBADu);
  for (const pqnn_f32_minmax_params bounds :
       {pqnn_f32_minmax_params{-INFINITY, INFINITY}, pqnn_f32_minmax_params{-1.5f, 1.5f}}) {
    for (size_t channels = 1; channels <= 3 * tile + 16 + 3; channels++) {
      for (size_t rows : {1, 3}) {
        const size_t gap = channels % 3;
        const size_t stride = channels + gap;
        // Packed weights: whole tiles [tile bias][tile scale], random (specials too).
        const size_t tiles = (channels + tile - 1) / tile;
        std::vector<float> w(tiles * 2 * tile);
        for (auto& v : w) v = dist(rng);
        for (size_t i = 0; i < w.size(); i += 5) w[i] = (i & 1) ? -0.0f : 0.0f;
        std::vector<float> y(rows * stride, nan_fill);
        for (size_t r = 0; r < rows; r++) {
          for (size_t c = 0; c < channels; c++) {
            y[r * stride + c] = (c + r) % 3 == 0 ? sp[pick(rng)] : dist(rng);
          }
        }
        std::vector<float> ref = y;
        for (size_t r = 0; r < rows; r++) {
          float* row = ref.data() + r * stride;
          if (pair->activation != nullptr) pair->activation(channels, row, row, &act);
          const void* in[1] = {row};
          pair->affine(channels, 1, 1, in, w.data(), row, sizeof(void*), 0, 0, nullptr,
              &bounds);
        }
        k.fn(rows, channels, y.data(), stride * sizeof(float), w.data(), tile, &act, &bounds);
        for (size_t i = 0; i < y.size(); i++) {
#if defined(__wasm__)
          // WebAssembly leaves NaN payloads unspecified (an engine may return the canonical
          // NaN from any arithmetic instruction, and V8's two compilers differ): there a
          // NaN must meet a NaN, every other value the same bits.
          if (std::isnan(y[i]) && std::isnan(ref[i])) continue;
#endif
          ASSERT_EQ(pqnn_test::float_bits(y[i]), pqnn_test::float_bits(ref[i]))
              << "channels " << channels << " rows " << rows << " element " << i
              << " bounds " << bounds.min << " " << bounds.max;
        }
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(f32_vunary_affine, VUnaryAffineTest, testing::ValuesIn(kKernels),
    kernel_name);

// Every pair's fused kernel is a kernel of the list (the config names nothing else), and
// the epilogue's lookup finds it by its two kernels and the tile.
TEST(VUnaryAffinePairs, LookupFindsEveryPair) {
  size_t count = 0;
  const pqnn_epilogue_kernel* rows = pqnn_epilogue_kernels(&count);
  ASSERT_GE(count, 5u);
  for (size_t i = 0; i < count; i++) {
    bool listed = false;
    for (const Kernel& k : kKernels) listed |= k.fn == rows[i].fused;
    EXPECT_TRUE(listed) << i;
    EXPECT_EQ(pqnn_epilogue_fused_kernel(rows[i].affine, rows[i].tile, rows[i].activation),
        rows[i].fused) << i;
    EXPECT_EQ(pqnn_epilogue_fused_kernel(rows[i].affine, rows[i].tile + 1, rows[i].activation),
        nullptr) << i;
  }
}

}  // namespace
