// Kernel tests for every f32 dwconv microkernel (scalar included), each skipped only when
// the CPU or PQNN_ISA lacks its ISA. Sweeps: channels 1 .. 3*CT+1 (below, at and above the
// tile), output_width 1..5, pointer steps that overlap windows / match / leave gaps,
// output_increment > 0, zero-pointer padding at every tap, a_offset, clamping; generic
// kernels also over several kernel sizes. Tolerance: see test/common/f32-dwconv-tester.h.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/f32-dwconv-tester.h"
#include "common/test-utils.h"

#include <pqnn.h>  // before extern "C": it includes pthreadpool.h, which has C++ templates

extern "C" {
#include "configs/config.h"
}

namespace {

struct Kernel {
  const char* name;
  pqnn_dwconv_ukernel_fn fn;
  size_t taps;  // 0: any kernel_size
  size_t ct;
  enum pqnn_isa isa;
};

const std::vector<Kernel>& kernels() {
  static const std::vector<Kernel> list = {
#define PQNN_UKERNEL(tier, taps, ct, kr, input_offset, fn) {#fn, fn, taps, ct, tier},
#include "microkernels/f32-dwconv/f32-dwconv.inc"
#undef PQNN_UKERNEL
  };
  return list;
}

class F32Dwconv : public ::testing::TestWithParam<Kernel> {
 protected:
  void SetUp() override {
    if (!pqnn_test::isa_enabled(GetParam().isa)) {
      GTEST_SKIP() << "ISA " << pqnn_isa_string(GetParam().isa) << " not enabled here";
    }
  }
  // Kernel sizes to test: the fixed one, or a spread for generic kernels.
  std::vector<size_t> sizes() const {
    if (GetParam().taps != 0) return {GetParam().taps};
    return {1, 2, 3, 4, 7, 9, 10, 25, 27};
  }
  pqnn_test::F32DwconvTester tester(size_t ks) const {
    pqnn_test::F32DwconvTester t;
    t.channel_tile(GetParam().ct).kernel_size(ks);
    return t;
  }
  size_t ct() const { return GetParam().ct; }
};

TEST_P(F32Dwconv, channels_and_width) {
  for (size_t ks : sizes()) {
    for (size_t width = 1; width <= 5; width++) {
      for (size_t channels = 1; channels <= 3 * ct() + 1; channels++) {
        tester(ks).channels(channels).width(width).Test(GetParam().fn);
      }
    }
  }
}

TEST_P(F32Dwconv, large_channels) {
  for (size_t ks : sizes()) {
    for (size_t channels : {size_t{96}, size_t{144}, size_t{197}, size_t{385}}) {
      tester(ks).channels(channels).width(3).Test(GetParam().fn);
    }
  }
}

TEST_P(F32Dwconv, pointer_step) {
  for (size_t ks : sizes()) {
    // step < ks: windows overlap like a real convolution's; step > ks: gaps.
    for (size_t step : {size_t{1}, size_t{2}, size_t{3}, ks, ks + 3}) {
      for (size_t channels : {size_t{1}, ct() - (ct() > 1 ? 1 : 0), ct(), ct() + 1, 2 * ct() + 3}) {
        tester(ks).channels(channels).width(5).step(step).Test(GetParam().fn);
      }
    }
  }
}

TEST_P(F32Dwconv, output_increment) {
  for (size_t ks : sizes()) {
    for (size_t channels = 1; channels <= 2 * ct() + 1; channels++) {
      tester(ks).channels(channels).width(4).output_stride(channels + 5).Test(GetParam().fn);
    }
  }
}

TEST_P(F32Dwconv, zero_pointer_every_tap) {
  for (size_t ks : sizes()) {
    for (size_t zi = 0; zi < ks; zi++) {
      for (size_t channels : {size_t{1}, ct(), 2 * ct() + 1}) {
        tester(ks).channels(channels).width(3).step(ks > 1 ? ks - 1 : 1).zero_index(zi)
            .a_offset(7 * sizeof(float) * 64).Test(GetParam().fn);
      }
    }
  }
}

TEST_P(F32Dwconv, a_offset) {
  for (size_t ks : sizes()) {
    for (size_t channels = 1; channels <= 2 * ct() + 1; channels += 3) {
      tester(ks).channels(channels).width(5).step(2).a_offset(13 * sizeof(float) * channels)
          .Test(GetParam().fn);
    }
  }
}

TEST_P(F32Dwconv, clamp) {
  for (size_t ks : sizes()) {
    for (size_t channels = 1; channels <= 2 * ct() + 1; channels++) {
      tester(ks).channels(channels).width(3).qmin(0.3f).Test(GetParam().fn);
      tester(ks).channels(channels).width(3).qmax(0.7f).Test(GetParam().fn);
      tester(ks).channels(channels).width(3).qmin(0.4f).qmax(0.6f).Test(GetParam().fn);
    }
  }
}

// pqnn.h: NaN in, NaN out, whatever the bounds (none: -inf / +inf, a lower one as ReLU's,
// both), in the first, a middle and the last (partial tile) channel.
TEST_P(F32Dwconv, nan_propagates) {
  const size_t channels = 2 * ct() + 1;
  for (size_t ks : sizes()) {
    for (size_t nan : {size_t{0}, ct(), channels - 1}) {
      tester(ks).channels(channels).width(3).nan_channel(nan).Test(GetParam().fn);
      tester(ks).channels(channels).width(3).nan_channel(nan).qmin(0.5f).Test(GetParam().fn);
      tester(ks).channels(channels).width(3).nan_channel(nan).qmin(0.4f).qmax(0.6f)
          .Test(GetParam().fn);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Kernels, F32Dwconv, ::testing::ValuesIn(kernels()),
    [](const ::testing::TestParamInfo<Kernel>& info) {
      std::string name = info.param.name;
      const std::string prefix = "pqnn_f32_dwconv_minmax_ukernel_";
      if (name.rfind(prefix, 0) == 0) name = name.substr(prefix.size());
      return name;
    });

// The config of this CPU's tier (or PQNN_ISA's): specialized kernels first, the generic one
// last, select() finds them, and every selected kernel computes correctly with the
// channel_tile the config gives (the tile the operator packs with).
TEST(F32DwconvConfig, selected_kernels) {
  ASSERT_TRUE(pqnn_test::isa_enabled(pqnn_isa_scalar));
  const struct pqnn_dwconv_config* config = pqnn_get_f32_dwconv_config();
  ASSERT_NE(config, nullptr);
  ASSERT_GE(config->count, 1u);
  ASSERT_LE(config->count, static_cast<uint32_t>(PQNN_MAX_DWCONV_KERNELS));
  EXPECT_EQ(config->kernels[config->count - 1].taps, 0u) << "generic kernel last";
  for (uint32_t i = 0; i < config->count; i++) {
    const struct pqnn_dwconv_kernel& k = config->kernels[i];
    ASSERT_NE(k.ukernel, nullptr);
    ASSERT_NE(k.name, nullptr);
    ASSERT_GE(k.channel_tile, 1u);
    std::vector<size_t> sizes = {k.taps};
    if (k.taps == 0) sizes = {1, 4, 9, 25, 49};
    for (size_t ks : sizes) {
      const struct pqnn_dwconv_kernel* selected = pqnn_dwconv_config_select(config, ks);
      ASSERT_NE(selected, nullptr);
      if (k.taps != 0) {
        EXPECT_EQ(selected, &k) << "the specialized kernel for its own tap count";
      } else {
        EXPECT_TRUE(selected->taps == 0 || selected->taps == ks);
      }
      for (size_t channels : {size_t{1}, size_t{k.channel_tile} + 1, size_t{144}, size_t{961}}) {
        pqnn_test::F32DwconvTester()
            .channel_tile(k.channel_tile)
            .kernel_size(ks)
            .channels(channels)
            .width(5)
            .step(ks > 3 ? ks - 3 : 1)
            .zero_index(ks / 2)
            .a_offset(64)
            .qmin(0.1f)
            .qmax(0.9f)
            .Test(k.ukernel);
      }
    }
  }
  EXPECT_EQ(pqnn_dwconv_config_select(config, 7)->taps, 0u);
}

}  // namespace
