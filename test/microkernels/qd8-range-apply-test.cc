// Kernel tester for the f32 -> qd8 range and apply kernels (f32-qd8-range, f32-qd8-apply):
// a row split in chunks, each chunk's range, the ranges merged (min / max / or) into the
// row's params (pqnn_qd8_range_params), each chunk quantized with them, must give exactly
// the reference quantization of the whole row (params and every int8), for every chunk
// size, NaN / Inf / huge / tiny / zero rows included. Each chunk is copied into an
// exact-size buffer so AddressSanitizer catches any over-read or over-write.
#include <gtest/gtest.h>

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
#include "microkernels/qd8-quantize-params.h"
}

namespace {

using pqnn_test::ExactBuffer;

struct RangeKernel {
  const char* name;
  pqnn_qd8_range_ukernel_fn fn;
  enum pqnn_isa isa;
};
struct ApplyKernel {
  const char* name;
  pqnn_qd8_apply_ukernel_fn fn;
  enum pqnn_isa isa;
};

#define PQNN_UKERNEL(tier, mr, nr, kr, input_offset, fn) {#fn, fn, tier},
const RangeKernel kRangeKernels[] = {
#include "microkernels/f32-qd8-range/f32-qd8-range.inc"
};
const ApplyKernel kApplyKernels[] = {
#include "microkernels/f32-qd8-apply/f32-qd8-apply.inc"
};
#undef PQNN_UKERNEL

// One ISA's pair (the two lists come from the manifest in the same ISA order).
struct Pair {
  RangeKernel range;
  ApplyKernel apply;
};

std::vector<Pair> pairs() {
  std::vector<Pair> out;
  const size_t n = sizeof(kRangeKernels) / sizeof(kRangeKernels[0]);
  for (size_t i = 0; i < n; i++) out.push_back({kRangeKernels[i], kApplyKernels[i]});
  return out;
}

void PrintTo(const Pair& p, std::ostream* os) { *os << p.range.name; }

std::string isa_suffix(const char* name) {
  const std::string s(name);
  return s.substr(s.rfind("__") + 2);
}

class Qd8RangeApplyTest : public testing::TestWithParam<Pair> {
 protected:
  void SetUp() override {
    ASSERT_EQ(isa_suffix(GetParam().range.name), isa_suffix(GetParam().apply.name));
    if (!pqnn_test::isa_enabled(GetParam().range.isa)) GTEST_SKIP() << "ISA not available";
  }

  // Quantizes `row` in chunks of `chunk` floats and compares with the reference.
  void check(const std::vector<float>& row, size_t chunk, const char* what) {
    const size_t n = row.size();
    std::vector<int8_t> ref(n);
    pqnn_quantization_params ref_p;
    pqnn_test::reference_quantize_qd8(n, row.data(), ref.data(), &ref_p);
    pqnn_qd8_range merged = {0.0f, 0.0f, false};
    for (size_t start = 0; start < n; start += chunk) {
      const size_t len = std::min(chunk, n - start);
      ExactBuffer<float> x(len);
      std::copy(row.begin() + start, row.begin() + start + len, x.begin());
      ExactBuffer<pqnn_qd8_range> r(1);
      r[0] = {12345.0f, -12345.0f, true};
      GetParam().range.fn(len, x.data(), r.data());
      if (!r[0].nonfinite) {  // else min / max are meaningless (NaN possibly)
        EXPECT_LE(r[0].min, 0.0f) << what;
        EXPECT_GE(r[0].max, 0.0f) << what;
      }
      merged.min = std::min(merged.min, r[0].min);
      merged.max = std::max(merged.max, r[0].max);
      merged.nonfinite = merged.nonfinite || r[0].nonfinite;
    }
    pqnn_quantization_params p = {12345, -1.0f};
    const float inv = pqnn_qd8_range_params(&merged, &p);
    EXPECT_EQ(p.zero_point, ref_p.zero_point) << what << " n=" << n << " chunk=" << chunk;
    EXPECT_TRUE((std::isnan(p.scale) && std::isnan(ref_p.scale)) ||
                pqnn_test::float_bits(p.scale) == pqnn_test::float_bits(ref_p.scale))
        << what << " n=" << n << " chunk=" << chunk << " scale " << p.scale << " vs "
        << ref_p.scale;
    if (inv == 0.0f) {
      // All-zero data (the caller writes it): the reference must agree.
      EXPECT_TRUE(std::all_of(ref.begin(), ref.end(), [](int8_t q) { return q == 0; })) << what;
      return;
    }
    for (size_t start = 0; start < n; start += chunk) {
      const size_t len = std::min(chunk, n - start);
      ExactBuffer<float> x(len);
      std::copy(row.begin() + start, row.begin() + start + len, x.begin());
      ExactBuffer<int8_t> y(len);
      std::fill(y.begin(), y.end(), int8_t(0x55));
      GetParam().apply.fn(len, x.data(), y.data(), inv, p.zero_point);
      for (size_t i = 0; i < len; i++) {
        if (y[i] != ref[start + i]) {
          ADD_FAILURE() << what << " n=" << n << " chunk=" << chunk << " i=" << start + i
                        << " x=" << row[start + i] << " got " << int(y[i]) << " want "
                        << int(ref[start + i]);
          return;
        }
      }
    }
  }

  void check_chunks(const std::vector<float>& row, const char* what) {
    for (size_t chunk : {size_t(1), size_t(3), size_t(16), size_t(33), size_t(64), size_t(200),
                         row.size()}) {
      if (chunk != 0) check(row, chunk, what);
    }
  }
};

TEST_P(Qd8RangeApplyTest, random_rows) {
  auto& rng = pqnn_test::rng();
  for (size_t n : {1, 2, 7, 8, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 257, 1000, 4099}) {
    for (auto lohi : std::vector<std::pair<float, float>>{{-1.0f, 1.0f}, {-5.0f, 0.3f},
             {0.25f, 7.0f}, {-900.0f, -0.5f}, {-1e-3f, 3e-2f}, {-1e6f, 2e5f}}) {
      std::uniform_real_distribution<float> dist(lohi.first, lohi.second);
      std::vector<float> row(n);
      for (auto& v : row) v = dist(rng);
      check_chunks(row, "random");
    }
  }
}

TEST_P(Qd8RangeApplyTest, special_rows) {
  auto& rng = pqnn_test::rng();
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  const float specials[] = {std::numeric_limits<float>::quiet_NaN(), INFINITY, -INFINITY,
                            pqnn_test::bits_float(0x7F800001), pqnn_test::bits_float(0xFFFFFFFF)};
  for (size_t n : {1, 5, 17, 40, 65, 300}) {
    for (float s : specials) {
      for (size_t pos : {size_t(0), n / 2, n - 1}) {
        std::vector<float> row(n);
        for (auto& v : row) v = u(rng);
        row[pos] = s;
        check_chunks(row, "nan/inf");
      }
    }
    std::vector<float> row(n, 0.0f);
    for (size_t i = 0; i < n; i += 3) row[i] = -0.0f;
    check_chunks(row, "zero");
    for (float m : {3e38f, FLT_MAX}) {  // the range overflows float
      for (auto& v : row) v = u(rng) * m;
      row[0] = -m;
      row[n - 1] = n > 1 ? m : row[0];
      check_chunks(row, "huge");
    }
    for (float m : {1e-45f, 1e-38f, 7.5e-37f, 1e-30f}) {  // tiny ranges and denormals
      for (auto& v : row) v = u(rng) * m;
      check_chunks(row, "tiny");
    }
    for (float v : {1.0f, -3.75f, -FLT_MAX}) check_chunks(std::vector<float>(n, v), "one value");
  }
}

INSTANTIATE_TEST_SUITE_P(Kernels, Qd8RangeApplyTest, testing::ValuesIn(pairs()),
    [](const testing::TestParamInfo<Pair>& info) { return isa_suffix(info.param.range.name); });

}  // namespace
