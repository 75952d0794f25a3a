// Kernel tester for the softmax row families (f32-rmax, f32-expsum; contract in
// src/microkernels.h), every kernel of this build from the family lists: rmax exact (the
// largest non-NaN element, -inf for none); expsum's exponentials within 4 ulp of a
// double-precision exp of the f32 difference x - max (1e-37 absolute below 2^-125) and its sum within the
// rounding of an f32 sum of n positive terms (n ulp of the exact sum of the returned
// values); the stated NaN / Inf results. Every n from 1 to 70 and 6625 (PaddleOCR rec's
// softmax row), out of place and in place (y == x), in exact-size buffers so
// AddressSanitizer sees any access past n.
#include <gtest/gtest.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <pqnn.h>

#include "common/convert-reference.h"
#include "common/test-utils.h"

extern "C" {
#include "microkernels.h"
}

namespace {

using pqnn_test::ExactBuffer;

struct Kernel {
  const char* name;
  void (*fn)();
  enum pqnn_isa isa;
};

#define PQNN_UKERNEL(tier, mr, nr, kr, input_offset, fn) {#fn, reinterpret_cast<void (*)()>(fn), tier},
const Kernel kRmax[] = {
#include "microkernels/f32-rmax/f32-rmax.inc"
};
const Kernel kExpsum[] = {
#include "microkernels/f32-expsum/f32-expsum.inc"
};
#undef PQNN_UKERNEL

void PrintTo(const Kernel& k, std::ostream* os) { *os << k.name; }
std::string kernel_name(const testing::TestParamInfo<Kernel>& info) { return info.param.name; }

pqnn_rmax_ukernel_fn rmax_fn(const Kernel& k) { return reinterpret_cast<pqnn_rmax_ukernel_fn>(k.fn); }
pqnn_expsum_ukernel_fn expsum_fn(const Kernel& k) {
  return reinterpret_cast<pqnn_expsum_ukernel_fn>(k.fn);
}

const float kInf = std::numeric_limits<float>::infinity();
const float kNaN = std::numeric_limits<float>::quiet_NaN();

// Row lengths: every n from 1 to 70 (all tails of every tier's main step), and rec's 6625.
std::vector<size_t> sizes() {
  std::vector<size_t> n;
  for (size_t i = 1; i <= 70; i++) n.push_back(i);
  n.push_back(6625);
  return n;
}

std::vector<float> random_row(size_t n, float lo, float hi) {
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(n);
  for (auto& x : v) x = dist(pqnn_test::rng());
  return v;
}

float reference_max(const std::vector<float>& x) {
  float m = -kInf;
  for (float v : x) {
    if (!std::isnan(v) && v > m) m = v;
  }
  return m;
}

// ulp of the float nearest v (of FLT_TRUE_MIN's scale below the normal range).
double ulp(double v) {
  const float f = static_cast<float>(std::fabs(v));
  if (!(f < FLT_MAX)) return std::ldexp(1.0, 104);
  return static_cast<double>(std::nextafter(f, kInf)) - static_cast<double>(f);
}

// ---------------------------------------------------------------------------------------
// f32-rmax
// ---------------------------------------------------------------------------------------
class RmaxTest : public testing::TestWithParam<Kernel> {
 protected:
  void SetUp() override {
    if (!pqnn_test::isa_enabled(GetParam().isa)) GTEST_SKIP() << "ISA not available";
  }
  float run(const std::vector<float>& x) {
    ExactBuffer<float> in(x.size());
    std::copy(x.begin(), x.end(), in.begin());
    ExactBuffer<float> m(1);
    m[0] = 12345.0f;
    rmax_fn(GetParam())(x.size(), in.data(), m.data());
    for (size_t i = 0; i < x.size(); i++) {
      EXPECT_EQ(pqnn_test::float_bits(in[i]), pqnn_test::float_bits(x[i])) << "input modified at " << i;
    }
    return m[0];
  }
};

TEST_P(RmaxTest, largest_element_at_every_position) {
  for (size_t n : sizes()) {
    for (size_t at : {size_t{0}, n / 2, n - 1}) {
      std::vector<float> x = random_row(n, -100.0f, 100.0f);
      x[at] = 1000.0f;
      ASSERT_EQ(run(x), 1000.0f) << "n=" << n << " at=" << at;
    }
    const std::vector<float> x = random_row(n, -1e30f, 1e30f);
    ASSERT_EQ(run(x), reference_max(x)) << "n=" << n;
  }
}

TEST_P(RmaxTest, all_negative_and_signed_zeros) {
  for (size_t n : sizes()) {
    const std::vector<float> x = random_row(n, -50.0f, -1.0f);
    ASSERT_EQ(run(x), reference_max(x)) << "n=" << n;
    ASSERT_EQ(run(std::vector<float>(n, -kInf)), -kInf) << "n=" << n;
    ASSERT_EQ(run(std::vector<float>(n, -0.0f)), 0.0f) << "n=" << n;
  }
}

TEST_P(RmaxTest, nan_is_ignored_and_inf_wins) {
  for (size_t n : sizes()) {
    std::vector<float> x = random_row(n, -10.0f, 10.0f);
    for (size_t i = 0; i < n; i += 3) x[i] = kNaN;
    ASSERT_EQ(run(x), reference_max(x)) << "n=" << n;
    ASSERT_EQ(run(std::vector<float>(n, kNaN)), -kInf) << "all NaN, n=" << n;
    x[n - 1] = kInf;
    ASSERT_EQ(run(x), kInf) << "n=" << n;
  }
}

INSTANTIATE_TEST_SUITE_P(Rmax, RmaxTest, testing::ValuesIn(kRmax), kernel_name);

// ---------------------------------------------------------------------------------------
// f32-expsum
// ---------------------------------------------------------------------------------------
class ExpsumTest : public testing::TestWithParam<Kernel> {
 protected:
  void SetUp() override {
    if (!pqnn_test::isa_enabled(GetParam().isa)) GTEST_SKIP() << "ISA not available";
  }
  // Out of place into y (returns the sum); in place must give the same bits.
  float run(const std::vector<float>& x, float max, std::vector<float>* y) {
    const size_t n = x.size();
    ExactBuffer<float> in(n), out(n), inplace(n), sums(2);
    std::copy(x.begin(), x.end(), in.begin());
    std::copy(x.begin(), x.end(), inplace.begin());
    std::fill(out.begin(), out.end(), 12345.0f);
    expsum_fn(GetParam())(n, in.data(), max, out.data(), &sums[0]);
    expsum_fn(GetParam())(n, inplace.data(), max, inplace.data(), &sums[1]);
    EXPECT_EQ(pqnn_test::float_bits(sums[0]), pqnn_test::float_bits(sums[1])) << "in place sum, n=" << n;
    for (size_t i = 0; i < n; i++) {
      EXPECT_EQ(pqnn_test::float_bits(out[i]), pqnn_test::float_bits(inplace[i])) << "in place at " << i;
      EXPECT_EQ(pqnn_test::float_bits(in[i]), pqnn_test::float_bits(x[i])) << "input modified at " << i;
    }
    y->assign(out.begin(), out.end());
    return sums[0];
  }
  // Every y[i] within 4 ulp of exp(x[i] - max) (1e-37 absolute below 2^-125); the sum within
  // n ulp of the exact sum of the y[i].
  void check(const std::vector<float>& x, float max) {
    std::vector<float> y;
    const float sum = run(x, max, &y);
    double exact = 0.0;
    for (size_t i = 0; i < x.size(); i++) {
      const float d = x[i] - max;  // the contract's f32 difference
      const double want = std::exp(static_cast<double>(d));
      const double err = std::fabs(static_cast<double>(y[i]) - want);
      const double bound = want >= 0x1p-125 ? 4.0 * ulp(want) : 1e-37;
      ASSERT_LE(err, bound) << "n=" << x.size() << " i=" << i << " x=" << x[i] << " max=" << max
                            << " got " << y[i] << " want " << want;
      exact += y[i];
    }
    ASSERT_LE(std::fabs(static_cast<double>(sum) - exact), static_cast<double>(x.size()) * ulp(exact))
        << "n=" << x.size() << " sum " << sum << " exact " << exact;
  }
};

TEST_P(ExpsumTest, within_bound_below_the_row_max) {
  for (size_t n : sizes()) {
    for (float span : {1.0f, 20.0f, 120.0f}) {
      const std::vector<float> x = random_row(n, -span, span);
      check(x, reference_max(x));
    }
  }
}

// The caller's max need not be an element: any max >= every x (a block of a longer row).
TEST_P(ExpsumTest, max_above_the_elements) {
  for (size_t n : sizes()) {
    const std::vector<float> x = random_row(n, -5.0f, 5.0f);
    check(x, 7.5f);
    check(x, 90.0f);
  }
}

// Huge magnitudes: 1e30 - 1e30 and differences far below the flush to 0.
TEST_P(ExpsumTest, extreme_inputs) {
  for (size_t n : sizes()) {
    std::vector<float> x = random_row(n, -1e30f, 1e30f);
    x[n / 2] = 1e30f;
    check(x, reference_max(x));
    std::vector<float> y;
    const std::vector<float> flushed = random_row(n, -1e4f, -105.0f);
    ASSERT_EQ(run(flushed, 0.0f, &y), 0.0f) << "n=" << n;
    for (float v : y) ASSERT_EQ(v, 0.0f) << "n=" << n;
  }
}

TEST_P(ExpsumTest, special_values) {
  for (size_t n : sizes()) {
    std::vector<float> y;
    // -inf below a finite max: 0, and the rest of the row as usual.
    std::vector<float> x = random_row(n, -3.0f, 3.0f);
    for (size_t i = 0; i < n; i += 2) x[i] = -kInf;
    check(x, 3.0f);
    run(x, 3.0f, &y);
    for (size_t i = 0; i < n; i += 2) {
      ASSERT_EQ(pqnn_test::float_bits(y[i]), pqnn_test::float_bits(0.0f)) << "n=" << n << " i=" << i;
    }
    // A NaN element: NaN there and a NaN sum.
    x = random_row(n, -3.0f, 3.0f);
    x[n - 1] = kNaN;
    ASSERT_TRUE(std::isnan(run(x, 3.0f, &y))) << "n=" << n;
    ASSERT_TRUE(std::isnan(y[n - 1])) << "n=" << n;
    // max = +inf (a +inf element): +inf - +inf is NaN, the finite elements give 0.
    x = random_row(n, -3.0f, 3.0f);
    x[0] = kInf;
    ASSERT_TRUE(std::isnan(run(x, kInf, &y))) << "n=" << n;
    ASSERT_TRUE(std::isnan(y[0])) << "n=" << n;
    for (size_t i = 1; i < n; i++) ASSERT_EQ(y[i], 0.0f) << "n=" << n << " i=" << i;
    // All -inf (max -inf): -inf - -inf is NaN everywhere.
    ASSERT_TRUE(std::isnan(run(std::vector<float>(n, -kInf), -kInf, &y))) << "n=" << n;
    for (float v : y) ASSERT_TRUE(std::isnan(v)) << "n=" << n;
  }
}

INSTANTIATE_TEST_SUITE_P(Expsum, ExpsumTest, testing::ValuesIn(kExpsum), kernel_name);

}  // namespace
