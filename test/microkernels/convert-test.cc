// Kernel tester for the conversion microkernels: f32/f16 -> qd8 row quantization
// (bit-exact against the C++ reference of the API.md formula), f16 -> f32 on all 65536
// inputs and f32 -> f16 on edge cases and millions of random bit patterns (bit-exact
// against fp16.h value conversions, so signaling NaNs come back quiet; f32 -> f16 NaN only
// needs to stay a quiet NaN of the same sign). Buffers are
// exact-size so AddressSanitizer catches any over-read or over-write.
#include <gtest/gtest.h>

#include <fp16.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "common/convert-reference.h"
#include "common/test-utils.h"

extern "C" {
#include "microkernels.h"
}

namespace {

using pqnn_test::ExactBuffer;
using pqnn_test::bits_float;
using pqnn_test::float_bits;

struct QuantizeKernel {
  const char* name;
  pqnn_qd8_quantize_ukernel_fn fn;
  enum pqnn_isa isa;
};
struct ConvertKernel {
  const char* name;
  pqnn_convert_ukernel_fn fn;
  enum pqnn_isa isa;
};

// Every converter of this build, from the family lists.
#define PQNN_UKERNEL(tier, mr, nr, kr, input_offset, fn) {#fn, fn, tier},
const QuantizeKernel kF32Qd8Kernels[] = {
#include "microkernels/f32-qd8-convert/f32-qd8-convert.inc"
};
const QuantizeKernel kF16Qd8Kernels[] = {
#include "microkernels/f16-qd8-convert/f16-qd8-convert.inc"
};
const ConvertKernel kF32F16Kernels[] = {
#include "microkernels/f32-f16-convert/f32-f16-convert.inc"
};
const ConvertKernel kF16F32Kernels[] = {
#include "microkernels/f16-f32-convert/f16-f32-convert.inc"
};
#undef PQNN_UKERNEL

void PrintTo(const QuantizeKernel& k, std::ostream* os) { *os << k.name; }
void PrintTo(const ConvertKernel& k, std::ostream* os) { *os << k.name; }

template <typename K>
std::string kernel_name(const testing::TestParamInfo<K>& info) {
  return info.param.name;
}

bool same_scale(float a, float b) {
  return (std::isnan(a) && std::isnan(b)) || float_bits(a) == float_bits(b);
}

// ---------------------------------------------------------------------------------------
// f32 -> qd8
// ---------------------------------------------------------------------------------------
class F32Qd8Test : public testing::TestWithParam<QuantizeKernel> {
 protected:
  void SetUp() override {
    if (!pqnn_test::isa_enabled(GetParam().isa)) GTEST_SKIP() << "ISA not available";
  }

  // Runs the kernel on a copy of `row` in exact-size buffers and compares with the
  // reference. Returns the reference params.
  pqnn_quantization_params check(const std::vector<float>& row, const char* what) {
    const size_t n = row.size();
    ExactBuffer<float> x(n);
    std::copy(row.begin(), row.end(), x.begin());
    ExactBuffer<int8_t> y(n);
    std::fill(y.begin(), y.end(), int8_t(0x55));
    ExactBuffer<pqnn_quantization_params> p(1);
    p[0] = {12345, -1.0f};
    std::vector<int8_t> ref(n);
    pqnn_quantization_params ref_p;
    pqnn_test::reference_quantize_qd8(n, row.data(), ref.data(), &ref_p);
    GetParam().fn(n, x.data(), y.data(), p.data());
    EXPECT_EQ(p[0].zero_point, ref_p.zero_point) << what << " n=" << n;
    EXPECT_TRUE(same_scale(p[0].scale, ref_p.scale))
        << what << " n=" << n << " scale " << p[0].scale << " vs " << ref_p.scale;
    if (!std::isnan(ref_p.scale)) {
      // Every row without NaN/Inf gets a usable scale (finite, > 0), huge and tiny included.
      EXPECT_TRUE(std::isfinite(p[0].scale) && p[0].scale > 0.0f) << what << " scale " << p[0].scale;
    }
    for (size_t i = 0; i < n; i++) {
      if (y[i] != ref[i]) {
        ADD_FAILURE() << what << " n=" << n << " i=" << i << " x=" << row[i] << " got "
                      << int(y[i]) << " want " << int(ref[i]);
        break;
      }
    }
    return ref_p;
  }
};

TEST_P(F32Qd8Test, random_rows_all_lengths) {
  auto& rng = pqnn_test::rng();
  for (size_t n = 1; n <= 200; n++) {
    for (int rep = 0; rep < 6; rep++) {
      float lo, hi;
      switch (rep) {
        case 0: lo = -1.0f, hi = 1.0f; break;
        case 1: lo = -5.0f, hi = 0.3f; break;
        case 2: lo = 0.25f, hi = 7.0f; break;      // all positive
        case 3: lo = -900.0f, hi = -0.5f; break;   // all negative
        case 4: lo = -1e-3f, hi = 3e-2f; break;
        default: lo = -1e6f, hi = 2e5f; break;
      }
      std::uniform_real_distribution<float> dist(lo, hi);
      std::vector<float> row(n);
      for (auto& v : row) v = dist(rng);
      check(row, "random");
    }
  }
}

TEST_P(F32Qd8Test, long_rows) {
  auto& rng = pqnn_test::rng();
  std::normal_distribution<float> dist(0.3f, 2.0f);
  for (size_t n : {255, 256, 257, 1000, 1023, 4096, 4099}) {
    std::vector<float> row(n);
    for (auto& v : row) v = dist(rng);
    check(row, "long");
  }
}

TEST_P(F32Qd8Test, one_value_rows) {
  for (size_t n : {1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 64, 65}) {
    for (float v : {1.0f, -1.0f, 0.5f, -3.75f, 127.0f, -128.0f, 1e-20f, -1e30f, FLT_MAX,
                    -FLT_MAX, FLT_MIN, 1e-45f, -1e-40f}) {
      check(std::vector<float>(n, v), "one value");
    }
  }
}

TEST_P(F32Qd8Test, zero_rows) {
  for (size_t n = 1; n <= 70; n++) {
    std::vector<float> row(n, 0.0f);
    for (size_t i = 0; i < n; i += 3) row[i] = -0.0f;
    const auto p = check(row, "zero");
    EXPECT_EQ(p.scale, 1.0f);
    EXPECT_EQ(p.zero_point, 0);
  }
}

TEST_P(F32Qd8Test, huge_magnitudes) {
  auto& rng = pqnn_test::rng();
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  for (size_t n : {1, 2, 5, 8, 17, 33, 100}) {
    // The range overflows float: -3e38 .. 3e38 and -FLT_MAX .. FLT_MAX.
    for (float m : {3e38f, FLT_MAX, 2e38f}) {
      std::vector<float> row(n);
      for (auto& v : row) v = u(rng) * m;
      row[0] = -m;
      row[n - 1] = n > 1 ? m : row[0];
      const auto p = check(row, "huge");
      EXPECT_TRUE(std::isfinite(p.scale));
      EXPECT_GT(p.scale, 0.0f);
      if (n > 1) {
        // scale is (rmax - rmin) / 255 computed without the overflow.
        const double want = (2.0 * static_cast<double>(m)) / 255.0;
        EXPECT_NEAR(p.scale, want, want * 1e-6);
      }
    }
    // One-sided huge rows (range finite).
    std::vector<float> row(n);
    for (auto& v : row) v = std::fabs(u(rng)) * FLT_MAX;
    check(row, "huge positive");
    for (auto& v : row) v = -v;
    check(row, "huge negative");
  }
}

TEST_P(F32Qd8Test, tiny_magnitudes_and_denormals) {
  auto& rng = pqnn_test::rng();
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  for (size_t n : {1, 3, 4, 9, 16, 33, 77}) {
    for (float m : {1e-45f, 1e-40f, 1e-38f, FLT_MIN, 7.0e-37f, 7.5e-37f, 8e-37f, 1e-36f, 1e-35f,
                    1e-30f}) {
      std::vector<float> row(n);
      for (auto& v : row) v = u(rng) * m;
      check(row, "tiny");
      for (auto& v : row) v = std::fabs(v);
      check(row, "tiny positive");
      row.back() = m;
      check(row, "tiny max");
    }
  }
}

TEST_P(F32Qd8Test, nan_and_inf_rows) {
  const float specials[] = {std::numeric_limits<float>::quiet_NaN(), -std::numeric_limits<float>::quiet_NaN(),
                            std::numeric_limits<float>::signaling_NaN(), INFINITY, -INFINITY,
                            bits_float(0x7F800001), bits_float(0xFFFFFFFF)};
  for (size_t n : {1, 2, 3, 4, 5, 8, 15, 16, 17, 31, 32, 33, 40, 63, 64, 65}) {
    for (float s : specials) {
      for (size_t pos : {size_t(0), n / 2, n - 1}) {
        std::vector<float> row(n);
        for (size_t i = 0; i < n; i++) row[i] = 0.1f * static_cast<float>(i) - 1.0f;
        row[pos] = s;
        const auto p = check(row, "special");
        EXPECT_TRUE(std::isnan(p.scale));
        EXPECT_EQ(p.zero_point, 0);
      }
    }
  }
}

TEST_P(F32Qd8Test, zero_point_edges) {
  // Ranges whose zero point sits at the clamps or at rounding ties.
  for (size_t n : {2, 9, 33}) {
    for (auto lohi : std::vector<std::pair<float, float>>{{-1.0f, 1.0f}, {-1.0f, 254.0f},
             {-254.0f, 1.0f}, {-0.5f, 0.5f}, {-127.5f, 127.5f}, {-128.0f, 127.0f},
             {-1e-7f, 100.0f}, {-100.0f, 1e-7f}, {-3.0f, 5.0f}, {-127.0f, 128.0f}, {-0.1f, 2e-9f}}) {
      std::vector<float> row(n);
      for (size_t i = 0; i < n; i++) {
        row[i] = lohi.first + (lohi.second - lohi.first) * static_cast<float>(i) / static_cast<float>(n - 1);
      }
      check(row, "zp edge");
    }
  }
}

// Sanity of the reference itself: dequantized values are within half a step (plus the
// clamp at the range ends).
TEST(Qd8Reference, round_trip_error) {
  auto& rng = pqnn_test::rng();
  std::uniform_real_distribution<float> dist(-3.0f, 10.0f);
  for (int rep = 0; rep < 200; rep++) {
    const size_t n = 1 + rep;
    std::vector<float> row(n);
    for (auto& v : row) v = dist(rng);
    std::vector<int8_t> q(n);
    pqnn_quantization_params p;
    pqnn_test::reference_quantize_qd8(n, row.data(), q.data(), &p);
    for (size_t i = 0; i < n; i++) {
      const float back = (static_cast<float>(q[i]) - static_cast<float>(p.zero_point)) * p.scale;
      ASSERT_LE(std::fabs(back - row[i]), p.scale * 1.01f) << i;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Kernels, F32Qd8Test, testing::ValuesIn(kF32Qd8Kernels),
    kernel_name<QuantizeKernel>);

// ---------------------------------------------------------------------------------------
// f16 -> qd8
// ---------------------------------------------------------------------------------------
class F16Qd8Test : public testing::TestWithParam<QuantizeKernel> {
 protected:
  void SetUp() override {
    if (!pqnn_test::isa_enabled(GetParam().isa)) GTEST_SKIP() << "ISA not available";
  }
  void check(const std::vector<uint16_t>& row, const char* what) {
    const size_t n = row.size();
    ExactBuffer<uint16_t> x(n);
    std::copy(row.begin(), row.end(), x.begin());
    ExactBuffer<int8_t> y(n);
    std::fill(y.begin(), y.end(), int8_t(0x55));
    ExactBuffer<pqnn_quantization_params> p(1);
    p[0] = {12345, -1.0f};
    std::vector<int8_t> ref(n);
    pqnn_quantization_params ref_p;
    pqnn_test::reference_quantize_qd8_f16(n, row.data(), ref.data(), &ref_p);
    GetParam().fn(n, x.data(), y.data(), p.data());
    EXPECT_EQ(p[0].zero_point, ref_p.zero_point) << what << " n=" << n;
    EXPECT_TRUE(same_scale(p[0].scale, ref_p.scale)) << what << " n=" << n;
    for (size_t i = 0; i < n; i++) {
      if (y[i] != ref[i]) {
        ADD_FAILURE() << what << " n=" << n << " i=" << i << " got " << int(y[i]) << " want "
                      << int(ref[i]);
        break;
      }
    }
  }
};

TEST_P(F16Qd8Test, random_rows_all_lengths) {
  auto& rng = pqnn_test::rng();
  for (size_t n = 1; n <= 200; n++) {
    for (int rep = 0; rep < 5; rep++) {
      float lo, hi;
      switch (rep) {
        case 0: lo = -1.0f, hi = 1.0f; break;
        case 1: lo = 0.5f, hi = 60000.0f; break;
        case 2: lo = -60000.0f, hi = -1e-3f; break;
        case 3: lo = -1e-6f, hi = 1e-5f; break;  // f16 subnormals
        default: lo = -30.0f, hi = 4.0f; break;
      }
      std::uniform_real_distribution<float> dist(lo, hi);
      std::vector<uint16_t> row(n);
      for (auto& v : row) v = fp16_ieee_from_fp32_value(dist(rng));
      check(row, "random");
    }
  }
}

TEST_P(F16Qd8Test, special_rows) {
  for (size_t n : {1, 2, 7, 8, 9, 16, 17, 31, 32, 33, 48, 65}) {
    check(std::vector<uint16_t>(n, 0), "zero");
    check(std::vector<uint16_t>(n, 0x8000), "negative zero");
    check(std::vector<uint16_t>(n, 0x3C00), "ones");
    check(std::vector<uint16_t>(n, 0x0001), "min subnormal");
    check(std::vector<uint16_t>(n, 0xFBFF), "-max");
    for (uint16_t s : {0x7C00, 0xFC00, 0x7E00, 0x7C01, 0xFFFF}) {
      for (size_t pos : {size_t(0), n - 1}) {
        std::vector<uint16_t> row(n, 0x3555);
        row[pos] = s;
        check(row, "nan/inf");
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Kernels, F16Qd8Test, testing::ValuesIn(kF16Qd8Kernels),
    kernel_name<QuantizeKernel>);

// ---------------------------------------------------------------------------------------
// f16 -> f32
// ---------------------------------------------------------------------------------------
class F16F32Test : public testing::TestWithParam<ConvertKernel> {
 protected:
  void SetUp() override {
    if (!pqnn_test::isa_enabled(GetParam().isa)) GTEST_SKIP() << "ISA not available";
  }
};

TEST_P(F16F32Test, all_65536_values) {
  const size_t n = 65536;
  ExactBuffer<uint16_t> x(n);
  for (size_t i = 0; i < n; i++) x[i] = static_cast<uint16_t>(i);
  ExactBuffer<float> y(n);
  GetParam().fn(n, x.data(), y.data());
  for (size_t i = 0; i < n; i++) {
    const uint32_t want = float_bits(fp16_ieee_to_fp32_value(static_cast<uint16_t>(i)));
    ASSERT_EQ(float_bits(y[i]), want) << "h=0x" << std::hex << i;
  }
}

TEST_P(F16F32Test, every_length_and_tail) {
  auto& rng = pqnn_test::rng();
  for (size_t n = 1; n <= 100; n++) {
    ExactBuffer<uint16_t> x(n);
    for (auto& v : x) v = static_cast<uint16_t>(rng());
    ExactBuffer<float> y(n);
    GetParam().fn(n, x.data(), y.data());
    for (size_t i = 0; i < n; i++) {
      ASSERT_EQ(float_bits(y[i]), float_bits(fp16_ieee_to_fp32_value(x[i]))) << "n=" << n << " i=" << i;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Kernels, F16F32Test, testing::ValuesIn(kF16F32Kernels),
    kernel_name<ConvertKernel>);

// ---------------------------------------------------------------------------------------
// f32 -> f16
// ---------------------------------------------------------------------------------------
class F32F16Test : public testing::TestWithParam<ConvertKernel> {
 protected:
  void SetUp() override {
    if (!pqnn_test::isa_enabled(GetParam().isa)) GTEST_SKIP() << "ISA not available";
  }
  // Converts `in` (in one call, exact buffers) and compares with fp16.h: bit-exact except
  // NaN, which must stay a quiet NaN with the same sign.
  void check(const std::vector<float>& in) {
    const size_t n = in.size();
    ExactBuffer<float> x(n);
    std::copy(in.begin(), in.end(), x.begin());
    ExactBuffer<uint16_t> y(n);
    GetParam().fn(n, x.data(), y.data());
    for (size_t i = 0; i < n; i++) {
      const uint16_t want = fp16_ieee_from_fp32_value(in[i]);
      if (std::isnan(in[i])) {
        ASSERT_EQ(y[i] & 0x7E00, 0x7E00) << "quiet NaN for 0x" << std::hex << float_bits(in[i]);
        ASSERT_EQ(y[i] & 0x8000, want & 0x8000) << "NaN sign";
      } else {
        ASSERT_EQ(y[i], want) << "x=" << in[i] << " bits 0x" << std::hex << float_bits(in[i])
                              << " n=" << std::dec << n << " i=" << i;
      }
    }
  }
};

TEST_P(F32F16Test, edge_cases) {
  std::vector<float> v = {0.0f, -0.0f, 1.0f, -1.0f, 65504.0f, -65504.0f, 65519.99f, 65520.0f,
      -65520.0f, 65536.0f, 1e10f, -1e10f, FLT_MAX, -FLT_MAX, INFINITY, -INFINITY,
      std::numeric_limits<float>::quiet_NaN(), -std::numeric_limits<float>::quiet_NaN(),
      std::numeric_limits<float>::signaling_NaN(), bits_float(0x7F800001), bits_float(0xFFFFFFFF),
      6.103515625e-05f /* min normal */, 6.0975552e-05f /* max subnormal */,
      5.9604645e-08f /* min subnormal */, 2.9802322e-08f /* half of it: tie to 0 */,
      2.9802326e-08f /* just above: rounds up */, 8.940697e-08f /* 1.5 ulp: tie to 2 */,
      1e-45f, -1e-45f, FLT_MIN, 1e-10f, 0.1f, 0.333333f, 2048.0f, 2049.0f, 2050.0f, 2051.0f,
      4097.0f, 4099.0f};
  // Exact ties between consecutive f16 values, normal and subnormal, both signs.
  for (uint32_t h = 0; h < 0x7C00; h += 37) {
    const float a = fp16_ieee_to_fp32_value(static_cast<uint16_t>(h));
    const float b = fp16_ieee_to_fp32_value(static_cast<uint16_t>(h + 1));
    const float mid = (a + b) * 0.5f;  // exact: adjacent f16 values are exact in f32
    v.push_back(mid);
    v.push_back(-mid);
    v.push_back(std::nextafter(mid, 0.0f));
    v.push_back(std::nextafter(mid, INFINITY));
  }
  // Every prefix length for tails.
  for (size_t n = 1; n <= v.size(); n += (n < 70 ? 1 : 13)) {
    check(std::vector<float>(v.begin(), v.begin() + n));
  }
  check(v);
}

TEST_P(F32F16Test, random_bit_patterns) {
  auto& rng = pqnn_test::rng();
  const size_t total = size_t(1) << 22;
  std::vector<float> chunk;
  size_t done = 0;
  size_t n = 1;
  while (done < total) {
    n = n % 4099 + 1 + (n * 7) % 311;
    chunk.resize(n);
    for (auto& f : chunk) f = bits_float(static_cast<uint32_t>(rng()));
    check(chunk);
    done += n;
  }
  // Random values concentrated in the f16 range (random patterns are mostly huge/tiny).
  std::uniform_int_distribution<uint32_t> in_range(0x33000000, 0x47800000);
  chunk.resize(1 << 20);
  for (auto& f : chunk) f = bits_float(in_range(rng) | (rng() & 0x80000000u));
  check(chunk);
}

INSTANTIATE_TEST_SUITE_P(Kernels, F32F16Test, testing::ValuesIn(kF32F16Kernels),
    kernel_name<ConvertKernel>);

}  // namespace
