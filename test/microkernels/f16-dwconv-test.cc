// f16 depthwise-convolution microkernels (every kernel of the build) against the double
// reference of test/common/f16-gemm-tester.h.
#include <gtest/gtest.h>

#include "common/f16-gemm-tester.h"
#include "common/test-utils.h"

using pqnn_test::F16DwconvTester;

// TAPS_FIXED: the kernel's tap count, or 0 for an any-tap kernel (tested with several).
#define F16_DWCONV_TESTS(NAME, FN, TAPS_FIXED, CT, ISA)                                    \
  class NAME : public ::testing::Test {                                                    \
   protected:                                                                              \
    void SetUp() override {                                                                \
      if (!pqnn_test::isa_enabled(ISA)) GTEST_SKIP() << "ISA not available";               \
    }                                                                                      \
    static std::vector<size_t> Taps() {                                                    \
      if (TAPS_FIXED != 0) return {TAPS_FIXED};                                            \
      return {1, 2, 3, 9, 10, 25};                                                         \
    }                                                                                      \
    F16DwconvTester T(size_t taps) const {                                                 \
      return F16DwconvTester().ct(CT).kernel_size(taps);                                   \
    }                                                                                      \
  };                                                                                       \
  TEST_F(NAME, channels) {                                                                 \
    for (size_t taps : Taps()) {                                                           \
      for (size_t c = 1; c <= 3 * CT + 1; c++) T(taps).channels(c).Test(FN);               \
    }                                                                                      \
  }                                                                                        \
  TEST_F(NAME, many_channels) {                                                            \
    for (size_t taps : Taps()) T(taps).channels(16 * CT + 3).width(2).Test(FN);            \
  }                                                                                        \
  TEST_F(NAME, multipixel_strides) {                                                       \
    for (size_t taps : Taps()) {                                                           \
      for (size_t c : {size_t{1}, size_t{CT}, 2 * size_t{CT} + 1}) {                       \
        T(taps).channels(c).width(5).input_pointer_pad(2).input_pixel_stride(c + 3)        \
            .output_increment(5).Test(FN);                                                 \
      }                                                                                    \
    }                                                                                      \
  }                                                                                        \
  TEST_F(NAME, a_offset_and_zero) {                                                        \
    for (size_t taps : Taps()) {                                                           \
      for (size_t z : {size_t{0}, taps - 1}) {                                             \
        T(taps).channels(2 * CT + 3).width(3).a_offset(11).zero_tap(z).Test(FN);           \
      }                                                                                    \
    }                                                                                      \
  }                                                                                        \
  TEST_F(NAME, clamp) {                                                                    \
    for (size_t taps : Taps()) {                                                           \
      T(taps).channels(3 * CT + 1).width(3).qmin(128).Test(FN);                            \
      T(taps).channels(3 * CT + 1).width(3).qmax(128).Test(FN);                            \
    }                                                                                      \
  }                                                                                        \
  /* pqnn.h: NaN in, NaN out, whatever the bounds (none, lower only, both). */             \
  TEST_F(NAME, nan_propagates) {                                                           \
    for (size_t taps : Taps()) {                                                           \
      for (size_t nan : {size_t{0}, size_t{CT}, 2 * size_t{CT}}) {                         \
        T(taps).channels(2 * CT + 1).width(3).nan_channel(nan).Test(FN);                   \
        T(taps).channels(2 * CT + 1).width(3).nan_channel(nan).qmin(128).Test(FN);         \
        T(taps).channels(2 * CT + 1).width(3).nan_channel(nan).qmin(64).qmax(192).Test(FN); \
      }                                                                                    \
    }                                                                                      \
  }

// Every f16 dwconv kernel of this build, from its list.
#define PQNN_UKERNEL(tier, taps, ct, kr, input_offset, fn) \
  F16_DWCONV_TESTS(fn##_test, fn, taps, ct, tier)
#include "microkernels/f16-dwconv/f16-dwconv.inc"
#undef PQNN_UKERNEL
