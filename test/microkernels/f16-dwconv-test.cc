// f16 depthwise-convolution microkernels (every kernel of the build) against the double
// reference of test/common/f16-gemm-tester.h.
#include <gtest/gtest.h>

#include "common/f16-gemm-tester.h"
#include "common/test-utils.h"
#include "microkernels/wasmsimd/f16-kernels.h"

extern "C" {
#include "microkernels/f16-neon-ukernels.h"
}

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
  }

F16_DWCONV_TESTS(F16_DWCONV_9P1C__SCALAR, pqnn_f16_dwconv_minmax_ukernel_9p1c__scalar, 9, 1, pqnn_isa_scalar)
F16_DWCONV_TESTS(F16_DWCONV_25P1C__SCALAR, pqnn_f16_dwconv_minmax_ukernel_25p1c__scalar, 25, 1, pqnn_isa_scalar)
F16_DWCONV_TESTS(F16_DWCONV_ANYP1C__SCALAR, pqnn_f16_dwconv_minmax_ukernel_anyp1c__scalar, 0, 1, pqnn_isa_scalar)
#if defined(__x86_64__)
F16_DWCONV_TESTS(F16_DWCONV_9P8C__AVX2, pqnn_f16_dwconv_minmax_ukernel_9p8c__avx2, 9, 8, pqnn_isa_avx2)
F16_DWCONV_TESTS(F16_DWCONV_25P8C__AVX2, pqnn_f16_dwconv_minmax_ukernel_25p8c__avx2, 25, 8, pqnn_isa_avx2)
F16_DWCONV_TESTS(F16_DWCONV_ANYP8C__AVX2, pqnn_f16_dwconv_minmax_ukernel_anyp8c__avx2, 0, 8, pqnn_isa_avx2)
F16_DWCONV_TESTS(F16_DWCONV_9P16C__AVX512SKX, pqnn_f16_dwconv_minmax_ukernel_9p16c__avx512skx, 9, 16, pqnn_isa_avx512)
F16_DWCONV_TESTS(F16_DWCONV_25P16C__AVX512SKX, pqnn_f16_dwconv_minmax_ukernel_25p16c__avx512skx, 25, 16, pqnn_isa_avx512)
F16_DWCONV_TESTS(F16_DWCONV_ANYP16C__AVX512SKX, pqnn_f16_dwconv_minmax_ukernel_anyp16c__avx512skx, 0, 16, pqnn_isa_avx512)
#elif defined(__aarch64__)
F16_DWCONV_TESTS(F16_DWCONV_9P8C__NEONFP16ARITH, pqnn_f16_dwconv_minmax_ukernel_9p8c__neonfp16arith, 9, 8, pqnn_isa_neonfp16arith)
F16_DWCONV_TESTS(F16_DWCONV_25P8C__NEONFP16ARITH, pqnn_f16_dwconv_minmax_ukernel_25p8c__neonfp16arith, 25, 8, pqnn_isa_neonfp16arith)
F16_DWCONV_TESTS(F16_DWCONV_ANYP8C__NEONFP16ARITH, pqnn_f16_dwconv_minmax_ukernel_anyp8c__neonfp16arith, 0, 8, pqnn_isa_neonfp16arith)
#endif
PQNN_WASMSIMD_F16_DWCONV_TESTS(F16_DWCONV_TESTS)
