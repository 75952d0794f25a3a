// The int8 GEMM configs for this CPU (and PQNN_ISA): every slot filled, and the chosen
// kernels, driven with the config's mr / nr / kr / input_offset, match the reference.
#include <gtest/gtest.h>

#include <pqnn.h>

#include "common/int8-gemm-tester.h"
#include "common/test-utils.h"

extern "C" {
#include "configs/config.h"
}

namespace {

using pqnn_test::Int8GemmCase;
using pqnn_test::Int8GemmKernel;
using pqnn_test::Int8Variant;

void CheckConfig(const pqnn_gemm_config* cfg, Int8Variant variant) {
  ASSERT_NE(cfg, nullptr);
  ASSERT_NE(cfg->name, nullptr);
  SCOPED_TRACE(cfg->name);
  EXPECT_TRUE(cfg->input_offset == 0 || cfg->input_offset == 128);
  for (int slot = 0; slot < 2; slot++) {
    const uint32_t mr = slot == 0 ? 1 : cfg->mr;
    for (bool igemm : {false, true}) {
      Int8GemmKernel k{};
      k.name = cfg->name;
      k.isa = pqnn_isa_scalar;
      k.variant = variant;
      k.igemm = igemm;
      k.mr = mr;
      k.nr = cfg->nr;
      k.kr = cfg->kr;
      k.input_offset = cfg->input_offset;
      if (variant == Int8Variant::qs8) {
        k.gemm = cfg->gemm[slot];
        k.igemm_fn = cfg->igemm[slot];
        ASSERT_TRUE(igemm ? k.igemm_fn != nullptr : k.gemm != nullptr);
      } else {
        k.dqgemm = cfg->dqgemm[slot];
        k.dqigemm = cfg->dqigemm[slot];
        ASSERT_TRUE(igemm ? k.dqigemm != nullptr : k.dqgemm != nullptr);
      }
      for (size_t kk : {size_t(1), size_t(cfg->kr + 1), size_t(300)}) {
        Int8GemmCase c;
        c.m = mr;
        c.n = 2 * cfg->nr + 1;
        c.k = kk;
        c.ks = 3;
        c.zero_every = 4;
        c.a_offset = 8;
        pqnn_test::RunInt8Gemm(k, c);
      }
    }
  }
}

TEST(Int8GemmConfig, Qs8Qc8w) {
  ASSERT_EQ(pqnn_initialize(), pqnn_status_success);
  CheckConfig(pqnn_get_qs8_qc8w_gemm_config(), Int8Variant::qs8);
}

TEST(Int8GemmConfig, Qd8F32Qc8w) {
  ASSERT_EQ(pqnn_initialize(), pqnn_status_success);
  CheckConfig(pqnn_get_qd8_f32_qc8w_gemm_config(), Int8Variant::qd8_f32);
}

TEST(Int8GemmConfig, Qd8F16Qc8w) {
  ASSERT_EQ(pqnn_initialize(), pqnn_status_success);
  CheckConfig(pqnn_get_qd8_f16_qc8w_gemm_config(), Int8Variant::qd8_f16);
}

}  // namespace
