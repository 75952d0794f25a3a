// The int8 GEMM configs for this CPU (and PQNN_ISA): every slot filled, and the chosen
// kernels, driven with the config's mr / nr / kr / input_offset, match the reference; a
// tall config (GEMM kernels of a taller MR, config.h) the same way, with the rows rule of
// pqnn_tall_gemm_config.
#include <gtest/gtest.h>

#include <pqnn.h>

#include "common/int8-gemm-tester.h"
#include "common/test-utils.h"

extern "C" {
#include "configs/config.h"
#include "hardware.h"
#include "operators/paths.h"
}

namespace {

using pqnn_test::Int8GemmCase;
using pqnn_test::Int8GemmKernel;
using pqnn_test::Int8Variant;

// Runs cfg's kernel of `slot` (0: mr = 1, 1: MR) and kind against the reference with
// cfg's own geometry (mr, nr, kr, input_offset), at K = each of ks_list, over `taps` taps.
void RunConfigKernel(const pqnn_gemm_config* cfg, Int8Variant variant, int slot, bool igemm,
                     std::initializer_list<size_t> ks_list, size_t taps) {
  const uint32_t mr = slot == 0 ? 1 : cfg->mr;
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
  for (size_t kk : ks_list) {
    Int8GemmCase c;
    c.m = mr;
    c.n = 2 * cfg->nr + 1;
    c.k = kk;
    c.ks = taps;
    c.zero_every = 4;
    c.a_offset = 8;
    pqnn_test::RunInt8Gemm(k, c);
  }
}

void CheckKernels(const pqnn_gemm_config* cfg, Int8Variant variant, bool with_igemm) {
  ASSERT_NE(cfg, nullptr);
  ASSERT_NE(cfg->name, nullptr);
  SCOPED_TRACE(cfg->name);
  EXPECT_TRUE(cfg->input_offset == 0 || cfg->input_offset == 128);
  for (int slot = 0; slot < 2; slot++) {
    for (bool igemm : {false, true}) {
      if (igemm && !with_igemm) continue;
      RunConfigKernel(cfg, variant, slot, igemm, {size_t(1), size_t(cfg->kr + 1), size_t(300)}, 3);
    }
  }
}

size_t RoundUp(size_t m, size_t mr) { return (m + mr - 1) / mr * mr; }

void CheckConfig(const pqnn_gemm_config* cfg, Int8Variant variant) {
  CheckKernels(cfg, variant, true);
  const bool dq = variant != Int8Variant::qs8;
  const pqnn_gemm_config* tall = cfg->tall;
  if (tall == nullptr) {
    for (size_t m : {1, 8, 64, 4096}) EXPECT_EQ(pqnn_tall_gemm_config(cfg, m, dq), cfg);
    return;
  }
  SCOPED_TRACE(tall->name);
  EXPECT_GT(tall->mr, cfg->mr);
  EXPECT_EQ(tall->nr, cfg->nr);
  EXPECT_EQ(tall->kr, cfg->kr);
  EXPECT_EQ(tall->input_offset, cfg->input_offset);
  CheckKernels(tall, variant, false);
  for (size_t m = 0; m <= 4096; m++) {
    SCOPED_TRACE(m);
    const bool want = m >= 4 * tall->mr && RoundUp(m, tall->mr) * 16 <= RoundUp(m, cfg->mr) * 17;
    ASSERT_EQ(pqnn_tall_gemm_config(cfg, m, dq), want ? tall : cfg);
  }
  if (tall->mr == 6 && cfg->mr == 4) {
    // avx512vnni on Intel: batches of 8 stay on 4x64c4 (6 + 2 rows did 12 rows of work).
    for (size_t m : {1, 8, 16, 26}) EXPECT_EQ(pqnn_tall_gemm_config(cfg, m, dq), cfg);
    for (size_t m : {24, 64, 128, 256, 1024, 3136}) EXPECT_EQ(pqnn_tall_gemm_config(cfg, m, dq), tall);
  }
}

// Where the tall tiles are configured: avx512vnni on Intel CPUs only (measured there).
TEST(Int8GemmConfig, TallTilesOnIntelAvx512Vnni) {
  ASSERT_EQ(pqnn_initialize(), pqnn_status_success);
  const bool expected = pqnn_isa_enabled(pqnn_isa_avx512vnni) && pqnn_hardware.intel;
  EXPECT_EQ(pqnn_get_qs8_qc8w_gemm_config()->tall != nullptr, expected);
  EXPECT_EQ(pqnn_get_qd8_f32_qc8w_gemm_config()->tall != nullptr, expected);
  EXPECT_EQ(pqnn_get_qd8_f16_qc8w_gemm_config()->tall != nullptr, expected);
}

// The qd8 IGEMM narrow tiles on avx512vnni (pqnn_narrow_gemm_config): 7x16c4 where it pads
// fewer columns than 4x64c4, and under it the c8 tile 8x24c8 where that pads fewer columns
// still, or as many from K = 32 on; the GEMM path has no c8 kernels.
TEST(Int8GemmConfig, Qd8NarrowTilesAvx512Vnni) {
  ASSERT_EQ(pqnn_initialize(), pqnn_status_success);
  if (!pqnn_isa_enabled(pqnn_isa_avx512vnni)) GTEST_SKIP() << "CPU or PQNN_ISA lacks avx512vnni";
  const pqnn_gemm_config* cfg = pqnn_get_qd8_f32_qc8w_gemm_config();
  const pqnn_gemm_config* narrow = cfg->narrow;
  ASSERT_NE(narrow, nullptr);
  const pqnn_gemm_config* c8 = narrow->narrow;
  ASSERT_NE(c8, nullptr);
  EXPECT_EQ(narrow->nr, 16u);
  EXPECT_EQ(c8->nr, 24u);
  EXPECT_EQ(c8->kr, 8u);
  EXPECT_EQ(c8->dqigemm[0], nullptr);  // single pixels run the MR kernel
  EXPECT_EQ(c8->dqgemm[1], nullptr);
  struct Want {
    size_t n, k;
    const pqnn_gemm_config* igemm;
  };
  const Want wants[] = {{24, 16, c8}, {24, 864, c8}, {72, 27, c8}, {48, 31, narrow},
                        {48, 32, c8}, {96, 16, narrow}, {96, 864, c8}, {144, 24, narrow},
                        {144, 576, c8}, {8, 864, narrow}, {16, 864, narrow}, {32, 864, narrow},
                        {64, 864, cfg}, {128, 16, cfg}};
  for (const Want& w : wants) {
    SCOPED_TRACE(testing::Message() << "n " << w.n << " k " << w.k);
    EXPECT_EQ(pqnn_narrow_gemm_config(cfg, w.n, w.k, true, true), w.igemm);
    EXPECT_NE(pqnn_narrow_gemm_config(cfg, w.n, w.k, true, false), c8);
  }
  // The c8 tile's kernel on the config's own geometry (mr, nr, kr = 8, input_offset).
  RunConfigKernel(c8, Int8Variant::qd8_f32, 1, true, {size_t(5), size_t(40), size_t(300)}, 9);
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
