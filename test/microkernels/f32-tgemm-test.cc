// Kernel tester for the f32 pixel-lane GEMM (f32-tgemm; contract in src/microkernels.h),
// every kernel of this build from the family list: for pixels 1..33 (several calls of
// MR pixels, the last one partial), K 1..40 and columns 1..NR, column groups of 1, 2 and
// all columns, dense and strided output runs, against the products summed in double
// (within (K + 2) * 2^-24 of the sum of the magnitudes of the terms), with and without
// bounds. A rows are exact-size heap buffers (AddressSanitizer sees reads past the last
// row's K values); the packed columns past nc hold huge values (a kernel that adds them
// in fails), and every output position the call must not write keeps its poison.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include <pqnn.h>

#include "common/test-utils.h"

extern "C" {
#include "microkernels.h"
#include "params.h"
}

namespace {

using pqnn_test::ExactBuffer;

struct Kernel {
  const char* name;
  pqnn_f32_tgemm_ukernel_fn fn;
  enum pqnn_isa isa;
  size_t mr, nr;
};

#define PQNN_UKERNEL(tier, mr, nr, kr, input_offset, fn) {#fn, fn, tier, mr, nr},
const Kernel kKernels[] = {
#include "microkernels/f32-tgemm/f32-tgemm.inc"
};
#undef PQNN_UKERNEL

void PrintTo(const Kernel& k, std::ostream* os) { *os << k.name; }
std::string kernel_name(const testing::TestParamInfo<Kernel>& info) { return info.param.name; }

constexpr float kPoison = 12345.0f;

class TgemmTest : public testing::TestWithParam<Kernel> {
 protected:
  void SetUp() override {
    ASSERT_EQ(pqnn_initialize(), pqnn_status_success);
    if (!pqnn_test::isa_enabled(GetParam().isa)) GTEST_SKIP() << "ISA not available";
  }

  // One shape: pixels x K by nc columns in groups of cg, output runs cm_stride floats
  // apart, group g at g * cg_stride floats.
  void check(size_t pixels, size_t k, size_t nc, size_t cg, size_t a_stride, size_t cm_stride,
      float lo, float hi) {
    const Kernel& kernel = GetParam();
    auto& rng = pqnn_test::rng();
    std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
    ExactBuffer<float> a((pixels - 1) * a_stride + k);
    for (float& v : a) v = dist(rng);
    std::vector<float> w(kernel.nr + k * kernel.nr, 1.0e30f);
    for (size_t n = 0; n < nc; n++) {
      w[n] = dist(rng);
      for (size_t i = 0; i < k; i++) w[kernel.nr + i * kernel.nr + n] = dist(rng);
    }
    const size_t groups = nc / cg;
    const size_t cg_stride = pixels * cm_stride + 5;
    std::vector<float> c(groups * cg_stride + 3, kPoison);
    const pqnn_f32_minmax_params params = {lo, hi};
    for (size_t m = 0; m < pixels; m += kernel.mr) {
      const size_t rows = std::min(kernel.mr, pixels - m);
      kernel.fn(rows, nc, k * sizeof(float), a.data() + m * a_stride, a_stride * sizeof(float),
          w.data(), c.data() + m * cm_stride, cm_stride * sizeof(float), cg,
          cg_stride * sizeof(float), &params);
    }
    std::vector<bool> written(c.size(), false);
    for (size_t p = 0; p < pixels; p++) {
      for (size_t n = 0; n < nc; n++) {
        double sum = w[n], magnitude = std::fabs(w[n]);
        for (size_t i = 0; i < k; i++) {
          const double term = double(a[p * a_stride + i]) * w[kernel.nr + i * kernel.nr + n];
          sum += term;
          magnitude += std::fabs(term);
        }
        const double ref = std::min(std::max(sum, double(lo)), double(hi));
        const size_t at = (n / cg) * cg_stride + p * cm_stride + n % cg;
        written[at] = true;
        ASSERT_NEAR(c[at], ref, (k + 2) * 0x1.0p-24 * magnitude)
            << "pixel " << p << " column " << n << " of " << nc << ", K " << k << ", cg " << cg;
      }
    }
    for (size_t i = 0; i < c.size(); i++) {
      if (!written[i]) {
        ASSERT_EQ(c[i], kPoison) << "position " << i << " overwritten";
      }
    }
  }
};

TEST_P(TgemmTest, ShapesAndGroups) {
  const size_t nr = GetParam().nr;
  for (size_t pixels : {1, 2, 7, 15, 16, 17, 31, 33}) {
    for (size_t k = 1; k <= 40; k++) {
      for (size_t nc = 1; nc <= nr; nc++) {
        for (size_t cg : {size_t(1), size_t(2), nc}) {
          if (nc % cg != 0) continue;
          check(pixels, k, nc, cg, k, cg, -INFINITY, INFINITY);  // dense runs
          if (HasFatalFailure()) return;
        }
      }
    }
  }
}

TEST_P(TgemmTest, EveryPixelCount) {
  for (size_t pixels = 1; pixels <= 33; pixels++) {
    for (size_t nc : {size_t(1), size_t(4), GetParam().nr}) {
      check(pixels, 24, nc, nc == 1 ? 1 : 2, 24, nc == 1 ? 1 : 2, -INFINITY, INFINITY);
      if (HasFatalFailure()) return;
    }
  }
}

TEST_P(TgemmTest, StridedRowsAndRunsWithBounds) {
  for (size_t k : {1, 8, 9, 24, 37}) {
    for (size_t nc = 1; nc <= GetParam().nr; nc++) {
      check(33, k, nc, 1, k + 3, 2, -0.5f, 0.5f);
      if (HasFatalFailure()) return;
      if (nc % 2 == 0) check(20, k, nc, 2, k + 1, 5, -0.25f, 2.0f);
      if (HasFatalFailure()) return;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Kernels, TgemmTest, testing::ValuesIn(kKernels), kernel_name);

}  // namespace
