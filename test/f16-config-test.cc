// The f16 kernel configs: complete for the tier PQNN_ISA / the CPU selects, and their
// kernels compute a small GEMM / DWCONV that matches the tester's reference.
#include <gtest/gtest.h>

#include "common/f16-gemm-tester.h"
#include "common/test-utils.h"

extern "C" {
#include "configs/config.h"
}

TEST(F16Config, GemmConfigIsComplete) {
  ASSERT_TRUE(pqnn_test::isa_enabled(pqnn_isa_scalar));
  const struct pqnn_gemm_config* config = pqnn_get_f16_gemm_config();
  ASSERT_NE(config, nullptr);
  ASSERT_NE(config->name, nullptr);
  EXPECT_GE(config->mr, 1u);
  EXPECT_GE(config->nr, 1u);
  EXPECT_EQ(config->kr, 1u);
  EXPECT_EQ(config->input_offset, 0);
  for (int i = 0; i < 2; i++) {
    ASSERT_NE(config->gemm[i], nullptr);
    ASSERT_NE(config->igemm[i], nullptr);
  }
  pqnn_test::F16GemmTester().mr(1).nr(config->nr).m(1).n(2 * config->nr + 1).k(37)
      .Test(config->gemm[0]);
  pqnn_test::F16GemmTester().mr(config->mr).nr(config->nr).m(config->mr).n(config->nr + 1)
      .k(37).Test(config->gemm[1]);
  pqnn_test::F16GemmTester().mr(config->mr).nr(config->nr).m(config->mr).n(config->nr + 1)
      .k(9).ks(3).zero_index(0).Test(config->igemm[1]);
}

TEST(F16Config, DwconvConfigSelectsByTaps) {
  ASSERT_TRUE(pqnn_test::isa_enabled(pqnn_isa_scalar));
  const struct pqnn_dwconv_config* config = pqnn_get_f16_dwconv_config();
  ASSERT_NE(config, nullptr);
  for (size_t taps : {1, 4, 9, 25, 49}) {
    const struct pqnn_dwconv_kernel* kernel = pqnn_dwconv_config_select(config, taps);
    ASSERT_NE(kernel, nullptr);
    EXPECT_TRUE(kernel->taps == taps || kernel->taps == 0);
    pqnn_test::F16DwconvTester().ct(kernel->channel_tile).kernel_size(taps)
        .channels(2 * kernel->channel_tile + 1).width(3).Test(kernel->ukernel);
  }
  EXPECT_EQ(pqnn_dwconv_config_select(config, 9)->taps, 9u);
  EXPECT_EQ(pqnn_dwconv_config_select(config, 25)->taps, 25u);
}
