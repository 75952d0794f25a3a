// f16 GEMM microkernels (every kernel of the build) against the double reference of
// test/common/f16-gemm-tester.h. Kernels whose ISA the CPU / PQNN_ISA lacks are skipped.
#include <gtest/gtest.h>

#include "common/f16-gemm-tester.h"
#include "common/test-utils.h"

using pqnn_test::F16GemmTester;

#define F16_GEMM_TESTS(NAME, FN, MR, NR, ISA)                                              \
  class NAME : public ::testing::Test {                                                    \
   protected:                                                                              \
    void SetUp() override {                                                                \
      if (!pqnn_test::isa_enabled(ISA)) GTEST_SKIP() << "ISA not available";               \
    }                                                                                      \
    F16GemmTester T() const { return F16GemmTester().mr(MR).nr(NR); }                      \
  };                                                                                       \
  TEST_F(NAME, k_eq_1) { T().m(MR).n(NR).k(1).Test(FN); }                                  \
  TEST_F(NAME, k_small_all_m_and_n) {                                                      \
    for (size_t k : {2, 3, 5, 7, 8, 9, 15, 16, 17, 31}) {                                  \
      for (size_t m = 1; m <= MR; m++) {                                                   \
        for (size_t n : {size_t{1}, size_t{NR} - 1, size_t{NR}, size_t{NR} + 1,            \
                         size_t{NR} / 2 + 1, 2 * size_t{NR}, 3 * size_t{NR} - 1}) {        \
          if (n == 0) continue;                                                            \
          T().m(m).n(n).k(k).iterations(1).Test(FN);                                       \
        }                                                                                  \
      }                                                                                    \
    }                                                                                      \
  }                                                                                        \
  TEST_F(NAME, n_every_value) {                                                            \
    for (size_t n = 1; n <= 2 * NR + 1; n++) {                                             \
      T().m(MR).n(n).k(13).iterations(1).Test(FN);                                         \
    }                                                                                      \
  }                                                                                        \
  TEST_F(NAME, k_chunk_boundaries) {                                                       \
    for (size_t k : {63, 64, 65, 127, 128, 129, 200}) {                                    \
      T().m(MR).n(NR + 3).k(k).Test(FN);                                                   \
    }                                                                                      \
  }                                                                                        \
  TEST_F(NAME, k_large) {                                                                  \
    for (size_t k : {1000, 4096}) {                                                        \
      T().m(MR).n(2 * NR).k(k).iterations(1).Test(FN);                                     \
    }                                                                                      \
  }                                                                                        \
  TEST_F(NAME, a_stride) { T().m(MR).n(2 * NR + 1).k(37).a_stride(43).Test(FN); }          \
  TEST_F(NAME, cm_stride) {                                                                \
    T().m(MR).n(NR + 1).k(19).cm_stride(3 * NR + 5).Test(FN);                              \
  }                                                                                        \
  TEST_F(NAME, cn_stride) {                                                                \
    T().m(MR).n(3 * NR - 1).k(19).cn_stride(NR + 3).Test(FN);                              \
  }                                                                                        \
  TEST_F(NAME, all_strides_m_lt_mr) {                                                      \
    for (size_t m = 1; m <= MR; m++) {                                                     \
      T().m(m).n(2 * NR + 3).k(70).a_stride(75).cn_stride(NR + 1).cm_stride(4 * NR)        \
          .iterations(1).Test(FN);                                                         \
    }                                                                                      \
  }                                                                                        \
  TEST_F(NAME, clamp_min) { T().m(MR).n(2 * NR).k(29).qmin(128).Test(FN); }                \
  TEST_F(NAME, clamp_max) { T().m(MR).n(2 * NR).k(29).qmax(128).Test(FN); }                \
  TEST_F(NAME, clamp_both) { T().m(MR).n(NR + 5).k(29).qmin(80).qmax(170).Test(FN); }    \
  /* pqnn.h: NaN in, NaN out, whatever the bounds (none, lower only, both). */             \
  TEST_F(NAME, nan_propagates) {                                                           \
    for (size_t row = 0; row < MR; row++) {                                                \
      T().m(MR).n(2 * NR + 1).k(7).nan_row(row).iterations(1).Test(FN);                    \
      T().m(MR).n(2 * NR + 1).k(7).nan_row(row).qmin(128).iterations(1).Test(FN);          \
      T().m(MR).n(2 * NR + 1).k(7).nan_row(row).qmin(64).qmax(192).iterations(1).Test(FN); \
    }                                                                                      \
  }

// Every f16 GEMM kernel of this build, from its list.
#define PQNN_UKERNEL(tier, mr, nr, kr, input_offset, fn) \
  F16_GEMM_TESTS(fn##_test, fn, mr, nr, tier)
#include "microkernels/f16-gemm/f16-gemm.inc"
#undef PQNN_UKERNEL
