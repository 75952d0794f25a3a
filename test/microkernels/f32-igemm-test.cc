// Every f32 IGEMM microkernel of this build (src/microkernels/f32-igemm/f32-igemm.inc)
// against the double reference of test/common/f32-gemm-tester.h: the GEMM edge sweeps plus
// several taps, a_offset and zero-pointer (padding) rows. Kernels whose ISA the CPU (or
// PQNN_ISA) lacks are skipped.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/f32-gemm-tester.h"
#include "common/test-utils.h"

namespace {

struct IgemmKernel {
  const char* name;
  pqnn_igemm_ukernel_fn fn;
  size_t mr, nr;
  enum pqnn_isa isa;
};

const std::vector<IgemmKernel>& kernels() {
  static const std::vector<IgemmKernel> list = {
#define PQNN_UKERNEL(tier, mr, nr, kr, input_offset, fn) {#fn, fn, mr, nr, tier},
#include "microkernels/f32-igemm/f32-igemm.inc"
#undef PQNN_UKERNEL
  };
  return list;
}

class F32Igemm : public ::testing::TestWithParam<IgemmKernel> {
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

TEST_P(F32Igemm, k_eq_1) {
  const size_t mr = GetParam().mr, nr = GetParam().nr;
  run(tester().m(mr).n(nr).k(1));
  run(tester().m(mr).n(nr).k(1).ks(3));
}

TEST_P(F32Igemm, k_small) {
  const size_t mr = GetParam().mr, nr = GetParam().nr;
  for (size_t k : {1, 2, 3, 5, 8, 13, 16, 17, 31}) run(tester().m(mr).n(nr).k(k));
}

TEST_P(F32Igemm, k_large) {
  const size_t mr = GetParam().mr, nr = GetParam().nr;
  for (size_t k : {64, 255, 1000, 2049}) run(tester().m(mr).n(nr).k(k));
  run(tester().m(mr).n(nr).k(256).ks(9));
}

TEST_P(F32Igemm, subtile_m_and_n) {
  const size_t mr = GetParam().mr, nr = GetParam().nr;
  for (size_t k : {1, 3, 17}) {
    for (size_t m = 1; m <= mr; m++) {
      for (size_t n = 1; n <= nr; n++) run(tester().m(m).n(n).k(k).ks(2));
    }
  }
}

TEST_P(F32Igemm, n_gt_nr) {
  const size_t mr = GetParam().mr, nr = GetParam().nr;
  for (size_t k : {1, 5, 64}) {
    for (size_t n = nr + 1; n < 2 * nr; n++) {
      run(tester().m(mr).n(n).k(k).ks(3));
      run(tester().m(1).n(n).k(k).ks(3));
    }
  }
}

TEST_P(F32Igemm, n_multiple_of_nr) {
  const size_t mr = GetParam().mr, nr = GetParam().nr;
  for (size_t k : {1, 7, 100}) {
    for (size_t mult : {2, 3, 5}) {
      run(tester().m(mr).n(mult * nr).k(k).ks(2));
      run(tester().m(mr).n(mult * nr + 1).k(k).ks(2));
      run(tester().m((mr + 1) / 2).n(mult * nr + nr - 1).k(k).ks(2));
    }
  }
}

TEST_P(F32Igemm, taps) {
  const size_t mr = GetParam().mr, nr = GetParam().nr;
  for (size_t ks : {1, 2, 3, 4, 9, 25}) {
    for (size_t k : {1, 6, 33}) {
      run(tester().m(mr).n(nr).k(k).ks(ks));
      run(tester().m(mr).n(2 * nr + 1).k(k).ks(ks));
    }
  }
}

TEST_P(F32Igemm, a_offset) {
  const size_t mr = GetParam().mr, nr = GetParam().nr;
  for (size_t k : {1, 5, 40}) {
    for (size_t m = 1; m <= mr; m++) {
      run(tester().m(m).n(nr + 3).k(k).ks(3).a_offset(m * 3 * k + 13));
    }
  }
}

TEST_P(F32Igemm, zero_pointer_rows) {
  const size_t mr = GetParam().mr, nr = GetParam().nr;
  for (size_t k : {1, 5, 40}) {
    for (size_t zero = 0; zero < mr; zero++) {
      run(tester().m(mr).n(nr + 1).k(k).ks(3).a_offset(3 * mr * k + 7).zero_index(zero));
    }
  }
}

TEST_P(F32Igemm, strided_a) {
  const size_t mr = GetParam().mr, nr = GetParam().nr;
  for (size_t m = 1; m <= mr; m++) run(tester().m(m).n(nr + 2).k(21).ks(3).a_stride(29));
}

TEST_P(F32Igemm, strided_cm) {
  const size_t mr = GetParam().mr, nr = GetParam().nr;
  for (size_t n : {nr, nr + 1, 3 * nr - 1}) {
    for (size_t m = 1; m <= mr; m++) run(tester().m(m).n(n).k(19).ks(2).cm_stride(n + 7));
  }
}

TEST_P(F32Igemm, strided_cn) {
  const size_t mr = GetParam().mr, nr = GetParam().nr;
  for (size_t n : {nr, 2 * nr + 1, 4 * nr - 1}) {
    run(tester().m(mr).n(n).k(23).ks(2).cn_stride(nr + 5));
  }
}

TEST_P(F32Igemm, clamp) {
  const size_t mr = GetParam().mr, nr = GetParam().nr;
  for (size_t n : {nr, 2 * nr + 1}) {
    run(tester().m(mr).n(n).k(29).ks(3).qmin(128).iterations(3));
    run(tester().m(mr).n(n).k(29).ks(3).qmax(128).iterations(3));
    run(tester().m(mr).n(n).k(29).ks(3).qmin(64).qmax(192).zero_index(0));
  }
}

// pqnn.h: NaN in, NaN out, whatever the bounds (none: -inf / +inf, a lower one as ReLU's,
// both), in full and partial column tiles.
TEST_P(F32Igemm, nan_propagates) {
  const size_t mr = GetParam().mr, nr = GetParam().nr;
  for (size_t row = 0; row < mr; row++) {
    run(tester().m(mr).n(2 * nr + 1).k(7).ks(3).nan_row(row));
    run(tester().m(mr).n(2 * nr + 1).k(7).ks(3).nan_row(row).qmin(128));
    run(tester().m(mr).n(2 * nr + 1).k(7).ks(3).nan_row(row).qmin(64).qmax(192));
  }
}

INSTANTIATE_TEST_SUITE_P(Kernels, F32Igemm, ::testing::ValuesIn(kernels()),
    [](const ::testing::TestParamInfo<IgemmKernel>& info) { return std::string(info.param.name); });

}  // namespace
