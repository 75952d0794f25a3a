// Every f32 GEMM microkernel of this build (src/microkernels/f32-gemm/f32-gemm.inc)
// against the double reference of test/common/f32-gemm-tester.h, over the standard edge
// sweeps. Kernels whose ISA the CPU (or PQNN_ISA) lacks are skipped.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/f32-gemm-tester.h"
#include "common/test-utils.h"

namespace {

struct GemmKernel {
  const char* name;
  pqnn_gemm_ukernel_fn fn;
  size_t mr, nr;
  enum pqnn_isa isa;
};

const std::vector<GemmKernel>& kernels() {
  static const std::vector<GemmKernel> list = {
#define PQNN_UKERNEL(tier, mr, nr, kr, input_offset, fn) {#fn, fn, mr, nr, tier},
#include "microkernels/f32-gemm/f32-gemm.inc"
#undef PQNN_UKERNEL
  };
  return list;
}

class F32Gemm : public ::testing::TestWithParam<GemmKernel> {
 protected:
  void SetUp() override {
    if (!pqnn_test::isa_enabled(GetParam().isa)) {
      GTEST_SKIP() << "ISA " << pqnn_isa_string(GetParam().isa) << " not available";
    }
  }
  pqnn_test::F32GemmTester tester() const {
    return pqnn_test::F32GemmTester().mr(GetParam().mr).nr(GetParam().nr).kr(1);
  }
  void run(const pqnn_test::F32GemmTester& t) const { t.Test(GetParam().fn); }
};

const size_t kSmallK[] = {1, 2, 3, 5, 8, 13, 16, 17, 31};
const size_t kLargeK[] = {64, 255, 256, 1000, 2049};

TEST_P(F32Gemm, k_eq_1) {
  const size_t mr = GetParam().mr, nr = GetParam().nr;
  run(tester().m(mr).n(nr).k(1));
}

TEST_P(F32Gemm, k_small) {
  const size_t mr = GetParam().mr, nr = GetParam().nr;
  for (size_t k : kSmallK) run(tester().m(mr).n(nr).k(k));
}

TEST_P(F32Gemm, k_large) {
  const size_t mr = GetParam().mr, nr = GetParam().nr;
  for (size_t k : kLargeK) run(tester().m(mr).n(nr).k(k));
}

TEST_P(F32Gemm, subtile_m_and_n) {
  const size_t mr = GetParam().mr, nr = GetParam().nr;
  for (size_t k : {1, 3, 17}) {
    for (size_t m = 1; m <= mr; m++) {
      for (size_t n = 1; n <= nr; n++) run(tester().m(m).n(n).k(k));
    }
  }
}

TEST_P(F32Gemm, n_gt_nr) {
  const size_t mr = GetParam().mr, nr = GetParam().nr;
  for (size_t k : {1, 5, 64}) {
    for (size_t n = nr + 1; n < 2 * nr; n++) {
      run(tester().m(mr).n(n).k(k));
      run(tester().m(1).n(n).k(k));
    }
  }
}

TEST_P(F32Gemm, n_multiple_of_nr) {
  const size_t mr = GetParam().mr, nr = GetParam().nr;
  for (size_t k : {1, 7, 100}) {
    for (size_t mult : {2, 3, 5}) {
      run(tester().m(mr).n(mult * nr).k(k));
      run(tester().m(mr).n(mult * nr + 1).k(k));
      run(tester().m(mr).n(mult * nr + nr - 1).k(k));
      run(tester().m((mr + 1) / 2).n(mult * nr + nr / 2).k(k));
    }
  }
}

TEST_P(F32Gemm, strided_a) {
  const size_t mr = GetParam().mr, nr = GetParam().nr;
  for (size_t k : {1, 9, 67}) {
    for (size_t m = 1; m <= mr; m++) run(tester().m(m).n(2 * nr + 3).k(k).a_stride(k + 11));
  }
}

TEST_P(F32Gemm, strided_cm) {
  const size_t mr = GetParam().mr, nr = GetParam().nr;
  for (size_t n : {nr, nr + 1, 3 * nr - 1}) {
    for (size_t m = 1; m <= mr; m++) run(tester().m(m).n(n).k(19).cm_stride(n + 7));
  }
}

TEST_P(F32Gemm, strided_cn) {
  const size_t mr = GetParam().mr, nr = GetParam().nr;
  for (size_t n : {nr, 2 * nr, 2 * nr + 1, 4 * nr - 1}) {
    run(tester().m(mr).n(n).k(23).cn_stride(nr + 5));
    run(tester().m(mr).n(n).k(23).cn_stride(nr + 5).cm_stride(5 * nr + 40));
  }
}

TEST_P(F32Gemm, clamp_min) {
  const size_t mr = GetParam().mr, nr = GetParam().nr;
  for (size_t k : {1, 29}) {
    for (size_t n : {nr, 2 * nr + 1}) run(tester().m(mr).n(n).k(k).qmin(128).iterations(3));
  }
}

TEST_P(F32Gemm, clamp_max) {
  const size_t mr = GetParam().mr, nr = GetParam().nr;
  for (size_t k : {1, 29}) {
    for (size_t n : {nr, 2 * nr + 1}) run(tester().m(mr).n(n).k(k).qmax(128).iterations(3));
  }
}

TEST_P(F32Gemm, clamp_both) {
  const size_t mr = GetParam().mr, nr = GetParam().nr;
  for (size_t m = 1; m <= mr; m++) {
    run(tester().m(m).n(nr - 1 > 0 ? nr - 1 : 1).k(37).qmin(64).qmax(192));
    run(tester().m(m).n(3 * nr + 1).k(37).qmin(64).qmax(192));
  }
}

// pqnn.h: NaN in, NaN out, whatever the bounds (none: -inf / +inf, a lower one as ReLU's,
// both), in full and partial column tiles.
TEST_P(F32Gemm, nan_propagates) {
  const size_t mr = GetParam().mr, nr = GetParam().nr;
  for (size_t row = 0; row < mr; row++) {
    run(tester().m(mr).n(2 * nr + 1).k(7).nan_row(row));
    run(tester().m(mr).n(2 * nr + 1).k(7).nan_row(row).qmin(128));
    run(tester().m(mr).n(2 * nr + 1).k(7).nan_row(row).qmin(64).qmax(192));
  }
}

INSTANTIATE_TEST_SUITE_P(Kernels, F32Gemm, ::testing::ValuesIn(kernels()),
    [](const ::testing::TestParamInfo<GemmKernel>& info) { return std::string(info.param.name); });

}  // namespace
