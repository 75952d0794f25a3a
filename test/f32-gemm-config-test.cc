// The f32 GEMM config of the tier PQNN_ISA / the CPU selects: every kernel slot of it, its
// other-MR config and its narrow config (another NR) computes a small GEMM / IGEMM that matches the
// tester's reference, the other-MR config shares NR / KR (the packed weights), and
// pqnn_rows_gemm_config picks the config that pads the fewest rows.
#include <gtest/gtest.h>

#include "common/f32-gemm-tester.h"
#include "common/test-utils.h"

extern "C" {
#include "configs/config.h"
#include "operators/paths.h"
}

namespace {

size_t padded_rows(size_t m, size_t mr) { return (m + mr - 1) / mr * mr; }

void CheckKernels(const struct pqnn_gemm_config* config) {
  ASSERT_NE(config->name, nullptr);
  SCOPED_TRACE(config->name);
  EXPECT_EQ(config->kr, 1u);
  EXPECT_EQ(config->input_offset, 0);
  ASSERT_NE(config->gemm[1], nullptr);
  ASSERT_NE(config->igemm[1], nullptr);
  // The mr = 1 slots: both or neither (avx2's 4x24 has none: single rows run the MR kernel)
  ASSERT_EQ(config->gemm[0] == nullptr, config->igemm[0] == nullptr);
  if (config->gemm[0] != nullptr) {
    pqnn_test::F32GemmTester().mr(1).nr(config->nr).m(1).n(2 * config->nr + 1).k(37)
        .Test(config->gemm[0]);
  }
  for (size_t m = 1; m <= config->mr; m++) {
    pqnn_test::F32GemmTester().mr(config->mr).nr(config->nr).m(m).n(config->nr + 1).k(37)
        .Test(config->gemm[1]);
  }
  pqnn_test::F32GemmTester().mr(config->mr).nr(config->nr).m(config->mr).n(config->nr - 1)
      .k(9).ks(3).zero_index(0).Test(config->igemm[1]);
}

}  // namespace

TEST(F32GemmConfig, KernelsMatchTheReference) {
  ASSERT_TRUE(pqnn_test::isa_enabled(pqnn_isa_scalar));
  const struct pqnn_gemm_config* config = pqnn_get_f32_gemm_config();
  ASSERT_NE(config, nullptr);
  CheckKernels(config);
  if (config->other_mr != nullptr) {
    EXPECT_EQ(config->other_mr->nr, config->nr);
    EXPECT_EQ(config->other_mr->kr, config->kr);
    EXPECT_NE(config->other_mr->mr, config->mr);
    CheckKernels(config->other_mr);
  }
  if (config->narrow != nullptr) {
    // another NR: narrower (avx512f 7x16 under 7x32) or, avx2, the 4x24 beside 6x16
    EXPECT_NE(config->narrow->nr, config->nr);
    CheckKernels(config->narrow);
  }
  for (const struct pqnn_gemm_config* tail : config->column_tail) {
    if (tail == nullptr) continue;
    EXPECT_LT(tail->nr, config->nr);
    EXPECT_EQ(tail->kr, config->column_tail[0]->kr);
    EXPECT_EQ(tail->nr, config->column_tail[0]->nr);
    CheckKernels(tail);
  }
}

// The column tail (pqnn_gemm_tail_config) is column_tail[0] exactly where N > NR and N % NR
// pads fewer columns on its tile; column_tail[0] / [1] have the MR of the main tile / its
// other_mr (AVX512: 7x32 / 8x32 with 7x16 / 8x16).
TEST(F32GemmConfig, TailConfigPadsFewerColumns) {
  const struct pqnn_gemm_config* config = pqnn_get_f32_gemm_config();
  ASSERT_NE(config, nullptr);
  const struct pqnn_gemm_config* tail_config = config->column_tail[0];
  for (size_t n = 1; n <= 1100; n++) {
    SCOPED_TRACE(n);
    const struct pqnn_gemm_config* tail = pqnn_gemm_tail_config(config, n, false, false);
    ASSERT_EQ(pqnn_gemm_tail_config(config, n, false, true), tail);
    if (tail_config == nullptr) {
      ASSERT_EQ(tail, nullptr);
      continue;
    }
    const size_t nr = config->nr, tail_nr = tail_config->nr, rest = n % nr;
    const bool fewer = n > nr && rest != 0 && (rest + tail_nr - 1) / tail_nr * tail_nr < nr;
    ASSERT_EQ(tail != nullptr, fewer);
    if (tail != nullptr) {
      ASSERT_EQ(tail, tail_config);
    }
  }
  if (tail_config == nullptr) return;
  EXPECT_EQ(tail_config->mr, config->mr);
  if (config->other_mr != nullptr) {
    ASSERT_NE(config->column_tail[1], nullptr);
    EXPECT_EQ(config->column_tail[1]->mr, config->other_mr->mr);
  }
  if (config->nr == 32 && tail_config->nr == 16) {
    // AVX512: PaddleOCR rec's 240 (7 x 32 + 16) and det's 360 (11 x 32 + 8) take the tail;
    // 120 (3 x 32 + 24) pads as many columns on 16-wide panels.
    EXPECT_EQ(pqnn_gemm_tail_config(config, 240, false, false), tail_config);
    EXPECT_EQ(pqnn_gemm_tail_config(config, 360, false, false), tail_config);
    EXPECT_EQ(pqnn_gemm_tail_config(config, 120, false, false), nullptr);
  }
}

TEST(F32GemmConfig, RowsConfigPadsFewestRows) {
  const struct pqnn_gemm_config* config = pqnn_get_f32_gemm_config();
  ASSERT_NE(config, nullptr);
  EXPECT_EQ(pqnn_rows_gemm_config(config, 0), config);
  EXPECT_EQ(pqnn_rows_gemm_config(config, 1), config);
  for (size_t m = 2; m <= 4096; m++) {
    const struct pqnn_gemm_config* chosen = pqnn_rows_gemm_config(config, m);
    SCOPED_TRACE(m);
    if (config->other_mr == nullptr) {
      ASSERT_EQ(chosen, config);
      continue;
    }
    ASSERT_TRUE(chosen == config || chosen == config->other_mr);
    const size_t main_rows = padded_rows(m, config->mr);
    const size_t other_rows = padded_rows(m, config->other_mr->mr);
    ASSERT_EQ(chosen == config->other_mr, other_rows < main_rows);
  }
  if (config->other_mr != nullptr && config->mr == 7 && config->other_mr->mr == 8) {
    // AVX512: the MobileNet feature maps (7 * 2^k pixels) on 7 rows, batches of 8 on 8.
    for (size_t m : {49, 196, 784, 3136, 12544}) EXPECT_EQ(pqnn_rows_gemm_config(config, m), config);
    for (size_t m : {8, 16, 64, 128, 1024}) EXPECT_EQ(pqnn_rows_gemm_config(config, m), config->other_mr);
  }
}
