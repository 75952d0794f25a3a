// f16 IGEMM microkernels (every kernel of the build) against the double reference of
// test/common/f16-gemm-tester.h: several taps, a_offset, zero (padding) rows.
#include <gtest/gtest.h>

#include "common/f16-gemm-tester.h"
#include "common/test-utils.h"

using pqnn_test::F16GemmTester;

#define F16_IGEMM_TESTS(NAME, FN, MR, NR, ISA)                                             \
  class NAME : public ::testing::Test {                                                    \
   protected:                                                                              \
    void SetUp() override {                                                                \
      if (!pqnn_test::isa_enabled(ISA)) GTEST_SKIP() << "ISA not available";               \
    }                                                                                      \
    F16GemmTester T() const { return F16GemmTester().mr(MR).nr(NR); }                     \
  };                                                                                       \
  TEST_F(NAME, k_eq_1) { T().m(MR).n(NR).k(1).ks(1).Test(FN); }                            \
  TEST_F(NAME, small_all_m_and_n) {                                                        \
    for (size_t k : {1, 3, 8, 9, 17}) {                                                    \
      for (size_t m = 1; m <= MR; m++) {                                                   \
        for (size_t n : {size_t{1}, size_t{NR} - 1, size_t{NR}, size_t{NR} + 1,            \
                         2 * size_t{NR} + 1}) {                                            \
          if (n == 0) continue;                                                            \
          T().m(m).n(n).k(k).ks(3).iterations(1).Test(FN);                                 \
        }                                                                                  \
      }                                                                                    \
    }                                                                                      \
  }                                                                                        \
  TEST_F(NAME, taps) {                                                                     \
    for (size_t ks : {1, 2, 5, 9}) {                                                       \
      T().m(MR).n(2 * NR - 1).k(11).ks(ks).Test(FN);                                       \
    }                                                                                      \
  }                                                                                        \
  TEST_F(NAME, k_large) { T().m(MR).n(NR + 1).k(700).ks(3).iterations(1).Test(FN); }       \
  TEST_F(NAME, k_chunk_boundaries) {                                                       \
    for (size_t k : {63, 64, 65, 129}) T().m(MR).n(NR).k(k).ks(2).Test(FN);                \
  }                                                                                        \
  TEST_F(NAME, a_offset) {                                                                 \
    T().m(MR).n(NR + 2).k(23).ks(4).a_offset(37).Test(FN);                                 \
  }                                                                                        \
  TEST_F(NAME, zero_rows) {                                                                \
    for (size_t z = 0; z < MR; z++) {                                                      \
      T().m(MR).n(NR + 2).k(23).ks(4).a_offset(37).zero_index(z).iterations(1).Test(FN);   \
    }                                                                                      \
  }                                                                                        \
  TEST_F(NAME, strides) {                                                                  \
    for (size_t m = 1; m <= MR; m++) {                                                     \
      T().m(m).n(2 * NR + 3).k(21).ks(3).a_stride(29).cn_stride(NR + 2)                    \
          .cm_stride(4 * NR + 1).iterations(1).Test(FN);                                   \
    }                                                                                      \
  }                                                                                        \
  TEST_F(NAME, clamp_min) { T().m(MR).n(2 * NR).k(13).ks(3).qmin(128).Test(FN); }          \
  TEST_F(NAME, clamp_max) { T().m(MR).n(2 * NR).k(13).ks(3).qmax(128).Test(FN); }          \
  /* pqnn.h: NaN in, NaN out, whatever the bounds (none, lower only, both). */             \
  TEST_F(NAME, nan_propagates) {                                                           \
    for (size_t row = 0; row < MR; row++) {                                                \
      T().m(MR).n(2 * NR + 1).k(7).ks(3).nan_row(row).iterations(1).Test(FN);              \
      T().m(MR).n(2 * NR + 1).k(7).ks(3).nan_row(row).qmin(128).iterations(1).Test(FN);    \
      T().m(MR).n(2 * NR + 1).k(7).ks(3).nan_row(row).qmin(64).qmax(192).iterations(1)     \
          .Test(FN);                                                                       \
    }                                                                                      \
  }

// Every f16 IGEMM kernel of this build, from its list.
#define PQNN_UKERNEL(tier, mr, nr, kr, input_offset, fn) \
  F16_IGEMM_TESTS(fn##_test, fn, mr, nr, tier)
#include "microkernels/f16-igemm/f16-igemm.inc"
#undef PQNN_UKERNEL
