// Kernel tester for the qs8 elementwise-add (qs8-vadd, qs8-vaddc) and global-average-pooling
// (qs8-gavgpool) microkernels: every kernel of this build against a C++ reference of the
// integer contract in src/microkernels.h (VADD, GAVGPOOL), bit-exact, over edge sizes (below,
// at and past every tile, in place, extreme inputs and parameters), in exact-size buffers so
// AddressSanitizer catches any over-read or over-write. The reference itself is checked against
// the real-valued sum / mean (within one output unit), so the contract is the right arithmetic.
#include <gtest/gtest.h>

#include <pqnn.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "common/test-utils.h"
#include "qs8-params.h"

extern "C" {
#include "microkernels.h"
#include "params.h"
}

namespace {

using pqnn_test::ExactBuffer;

struct VaddKernel {
  const char* name;
  pqnn_vadd_ukernel_fn fn;
  enum pqnn_isa isa;
  size_t tile;
};
struct PoolKernel {
  const char* name;
  pqnn_gavgpool_ukernel_fn fn;
  enum pqnn_isa isa;
  size_t tile;
};

#define PQNN_UKERNEL(tier, mr, nr, kr, input_offset, fn) {#fn, fn, tier, nr},
const VaddKernel kVaddKernels[] = {
#include "microkernels/qs8-vadd/qs8-vadd.inc"
};
const VaddKernel kVaddcKernels[] = {
#include "microkernels/qs8-vaddc/qs8-vaddc.inc"
};
const PoolKernel kPoolKernels[] = {
#include "microkernels/qs8-gavgpool/qs8-gavgpool.inc"
};
#undef PQNN_UKERNEL

void PrintTo(const VaddKernel& k, std::ostream* os) { *os << k.name; }
void PrintTo(const PoolKernel& k, std::ostream* os) { *os << k.name; }

template <typename K>
std::string kernel_name(const testing::TestParamInfo<K>& info) {
  return info.param.name;
}

// The quantization of one add: input and output scales / zero points and the clamp.
struct AddCase {
  float a_scale, b_scale, y_scale;
  int32_t za, zb, zy;
  int8_t qmin, qmax;
};

const AddCase kAddCases[] = {
  {0.05f, 0.04f, 0.07f, 3, -5, 1, -128, 127},
  {1.0f, 1.0f, 1.0f, 0, 0, 0, -128, 127},
  {0.1f, 0.1f, 0.3f, -128, 127, -128, -128, 127},
  {0.02f, 0.5f, 0.1f, 127, -128, 127, -128, 127},     // ratios 0.2 and 5
  {0.5f, 0.0001f, 0.01f, 10, 0, -20, -100, 90},      // 50 and 0.01, narrow clamp
  {3.0f, 2.0f, 0.01f, 0, 0, 0, -128, 127},           // ratios 300, 200: saturates
  {1e-6f, 2e-6f, 1.0f, 0, 0, 0, -128, 127},          // tiny ratios
  {0.0312f, 0.0312f, 0.0312f, -7, -7, -7, 0, 127},   // ReLU-like clamp
  {60000.0f, 1.0f, 1.0f, 5, 5, 5, -128, 127},        // a ratio past 2^14: multiplier saturates
};

int8_t ref_add(int8_t a, int8_t b, const pqnn_qs8_add_params& p) {
  const int64_t acc = (int64_t) p.bias + (int64_t) a * p.a_multiplier + (int64_t) b * p.b_multiplier;
  EXPECT_LT(std::abs(acc), INT64_C(1) << 31);
  // floor division by 2^shift
  const int64_t q = acc >= 0 ? acc / (INT64_C(1) << p.shift)
                             : -((-acc + (INT64_C(1) << p.shift) - 1) / (INT64_C(1) << p.shift));
  return (int8_t) std::min<int64_t>(std::max<int64_t>(q + p.output_zero_point, p.output_min), p.output_max);
}

// The real-valued result, rounded and clamped: the contract must stay within one unit of it
// wherever the fixed-point multipliers carry at least 10 bits.
void check_real(int8_t a, int8_t b, int8_t y, const AddCase& c, const pqnn_qs8_add_params& p) {
  if (std::max(p.a_multiplier, p.b_multiplier) < 1024) return;
  const double r = ((double) a - c.za) * c.a_scale / c.y_scale + ((double) b - c.zb) * c.b_scale / c.y_scale;
  const double q = std::min<double>(std::max<double>(std::nearbyint(r) + c.zy, c.qmin), c.qmax);
  ASSERT_LE(std::fabs(q - y), 1.0) << "a " << (int) a << " b " << (int) b;
}

class VaddTest : public testing::TestWithParam<VaddKernel> {
 protected:
  void SetUp() override {
    if (!pqnn_test::isa_enabled(GetParam().isa)) GTEST_SKIP() << "ISA not available";
  }

  void Run(size_t n, const AddCase& c, uint32_t seed, bool in_place) {
    std::mt19937 rng(seed);
    std::uniform_int_distribution<int> dist(-128, 127);
    pqnn_qs8_add_params p;
    pqnn_init_qs8_add_params(&p, c.za, c.a_scale, c.zb, c.b_scale, c.zy, c.y_scale, c.qmin, c.qmax);
    ExactBuffer<int8_t> a(n), b(n), y(n);
    for (size_t i = 0; i < n; i++) {
      a[i] = (int8_t) dist(rng);
      b[i] = (int8_t) dist(rng);
    }
    if (n >= 2) {  // the extremes
      a[0] = -128; b[0] = -128; a[n - 1] = 127; b[n - 1] = 127;
    }
    std::vector<int8_t> expected(n);
    for (size_t i = 0; i < n; i++) expected[i] = ref_add(a[i], b[i], p);
    int8_t* out = in_place ? a.data() : y.data();
    std::vector<int8_t> a_copy(a.begin(), a.end());
    GetParam().fn(n, a.data(), b.data(), out, &p);
    for (size_t i = 0; i < n; i++) {
      ASSERT_EQ(out[i], expected[i]) << "n " << n << " i " << i << " a " << (int) a_copy[i] << " b "
                                     << (int) b[i];
      check_real(a_copy[i], b[i], out[i], c, p);
    }
  }
};

TEST_P(VaddTest, EdgeSizes) {
  const size_t t = GetParam().tile;
  for (size_t n : {size_t(0), size_t(1), t - 1 == 0 ? size_t(2) : t - 1, t, t + 1, 2 * t - 1, 2 * t,
                   2 * t + 3, size_t(63), size_t(64), size_t(65), size_t(1000)}) {
    for (size_t ci = 0; ci < sizeof(kAddCases) / sizeof(kAddCases[0]); ci++) {
      Run(n, kAddCases[ci], (uint32_t) (n * 31 + ci), false);
    }
  }
}

TEST_P(VaddTest, InPlace) {
  for (size_t n : {size_t(7), size_t(37), size_t(129)}) {
    Run(n, kAddCases[0], (uint32_t) n, true);
  }
}

TEST_P(VaddTest, EveryInputPair) {
  // All 65536 (a, b) pairs in one call, for two quantizations.
  for (size_t ci : {size_t(0), size_t(3)}) {
    const AddCase& c = kAddCases[ci];
    pqnn_qs8_add_params p;
    pqnn_init_qs8_add_params(&p, c.za, c.a_scale, c.zb, c.b_scale, c.zy, c.y_scale, c.qmin, c.qmax);
    ExactBuffer<int8_t> a(65536), b(65536), y(65536);
    for (size_t i = 0; i < 65536; i++) {
      a[i] = (int8_t) (i & 255);
      b[i] = (int8_t) (i >> 8);
    }
    GetParam().fn(65536, a.data(), b.data(), y.data(), &p);
    for (size_t i = 0; i < 65536; i++) {
      ASSERT_EQ(y[i], ref_add(a[i], b[i], p)) << i;
      check_real(a[i], b[i], y[i], c, p);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Qs8Vadd, VaddTest, testing::ValuesIn(kVaddKernels), kernel_name<VaddKernel>);

class VaddcTest : public testing::TestWithParam<VaddKernel> {
 protected:
  void SetUp() override {
    if (!pqnn_test::isa_enabled(GetParam().isa)) GTEST_SKIP() << "ISA not available";
  }
};

TEST_P(VaddcTest, EdgeSizesAndEveryScalar) {
  const size_t t = GetParam().tile;
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> dist(-128, 127);
  for (size_t n : {size_t(0), size_t(1), t + 1, 2 * t - 1, 2 * t, size_t(65), size_t(256)}) {
    for (const AddCase& c : kAddCases) {
      pqnn_qs8_add_params p;
      pqnn_init_qs8_add_params(&p, c.za, c.a_scale, c.zb, c.b_scale, c.zy, c.y_scale, c.qmin, c.qmax);
      for (int bv = -128; bv <= 127; bv += (n == 256 ? 1 : 51)) {
        ExactBuffer<int8_t> a(n), b(1), y(n);
        for (size_t i = 0; i < n; i++) a[i] = (int8_t) (n == 256 ? (int) i - 128 : dist(rng));
        b[0] = (int8_t) bv;
        GetParam().fn(n, a.data(), b.data(), y.data(), &p);
        for (size_t i = 0; i < n; i++) {
          ASSERT_EQ(y[i], ref_add(a[i], b[0], p)) << "n " << n << " i " << i << " b " << bv;
        }
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Qs8Vaddc, VaddcTest, testing::ValuesIn(kVaddcKernels), kernel_name<VaddKernel>);

// ---------------------------------------------------------------------------------------
// gavgpool
// ---------------------------------------------------------------------------------------
int8_t ref_pool(const int8_t* x, size_t pixels, size_t stride, const pqnn_qs8_gavgpool_params& p) {
  int32_t acc = p.bias;
  for (size_t i = 0; i < pixels; i++) acc += x[i * stride];
  float f = (float) acc * p.scale;
  f = std::min(std::max(f, p.output_min_less_zero_point), p.output_max_less_zero_point);
  return (int8_t) ((int32_t) std::nearbyint(f) + p.output_zero_point);
}

class GavgpoolTest : public testing::TestWithParam<PoolKernel> {
 protected:
  void SetUp() override {
    if (!pqnn_test::isa_enabled(GetParam().isa)) GTEST_SKIP() << "ISA not available";
  }
};

TEST_P(GavgpoolTest, EdgeSizes) {
  const size_t t = GetParam().tile;
  std::mt19937 rng(11);
  std::uniform_int_distribution<int> dist(-128, 127);
  struct Q { float xs, ys; int32_t zx, zy; int8_t lo, hi; };
  const Q qs[] = {{0.05f, 0.02f, 3, -4, -128, 127}, {0.1f, 0.1f, -128, 127, -128, 127},
                  {1.0f, 0.004f, 127, -128, -120, 100}, {0.02f, 0.5f, 0, 0, -128, 127}};
  for (size_t pixels : {size_t(1), size_t(2), size_t(7), size_t(49), size_t(300)}) {
    for (size_t channels : {size_t(1), t - 1 == 0 ? size_t(3) : t - 1, t, t + 1, 2 * t + 5, size_t(67)}) {
      for (size_t extra : {size_t(0), size_t(9)}) {
        const size_t stride = channels + extra;
        for (const Q& q : qs) {
          pqnn_qs8_gavgpool_params p;
          pqnn_init_qs8_gavgpool_params(&p, pixels, q.zx, q.xs, q.zy, q.ys, q.lo, q.hi);
          ExactBuffer<int8_t> x(pqnn_test::span(pixels, channels, stride)), y(channels);
          for (auto& v : x) v = (int8_t) dist(rng);
          if (pixels == 300) {  // an all-extreme channel
            for (size_t i = 0; i < pixels; i++) x[i * stride] = -128;
          }
          GetParam().fn(pixels, channels, x.data(), stride, y.data(), &p);
          for (size_t c = 0; c < channels; c++) {
            const int8_t e = ref_pool(x.data() + c, pixels, stride, p);
            ASSERT_EQ(y[c], e) << "pixels " << pixels << " channels " << channels << " c " << c;
            // the real mean, rounded: within one unit
            double sum = 0;
            for (size_t i = 0; i < pixels; i++) sum += x[i * stride + c] - q.zx;
            const double r = std::min<double>(std::max<double>(
                std::nearbyint(sum / pixels * q.xs / q.ys) + q.zy, q.lo), q.hi);
            ASSERT_LE(std::fabs(r - y[c]), 1.0);
          }
        }
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Qs8Gavgpool, GavgpoolTest, testing::ValuesIn(kPoolKernels), kernel_name<PoolKernel>);

// The add params keep the ratios to 15 significant bits in range, and saturate outside it.
TEST(Qs8AddParams, Multipliers) {
  for (float ra : {1.0f, 0.75f, 0.999999f, 0.2f, 5.0f, 100.0f, 0.001f, 3e-5f}) {
    pqnn_qs8_add_params p;
    pqnn_init_qs8_add_params(&p, 0, ra, 0, ra / 3.0f, 0, 1.0f, -128, 127);
    ASSERT_GE(p.shift, 1u);
    ASSERT_LE(p.shift, 31u);
    ASSERT_GE(p.a_multiplier, 1 << 13) << ra;
    EXPECT_NEAR(std::ldexp((double) p.a_multiplier, -(int) p.shift), ra, ra * 1.0 / (1 << 13)) << ra;
    EXPECT_NEAR(std::ldexp((double) p.b_multiplier, -(int) p.shift), ra / 3.0, ra / (1 << 13)) << ra;
  }
  pqnn_qs8_add_params p;
  pqnn_init_qs8_add_params(&p, 0, 1e-12f, 0, 1e-12f, 0, 1.0f, -128, 127);
  EXPECT_EQ(p.shift, 31u);
  EXPECT_EQ(p.a_multiplier, 0);
  pqnn_init_qs8_add_params(&p, 0, 1e6f, 0, 1.0f, 0, 1.0f, -128, 127);
  EXPECT_EQ(p.shift, 1u);
  EXPECT_EQ(p.a_multiplier, 32767);
}

}  // namespace
