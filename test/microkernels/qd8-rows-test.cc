// Kernel tester for the many-rows f32 -> qd8 quantize kernels (f32-qd8-rows): `rows` rows
// of n floats at a row stride, each row's params and int8 exactly the reference
// quantization of that row (as the one-row kernels give), for row counts around the
// kernel's group of 16 and row lengths around its vectors, with ordinary rows beside
// special ones (NaN, +-Inf, all zero, a range overflowing float, tiny ranges and
// denormals, one value repeated) in every position of a group. The buffers end exactly at
// the last row's last element (AddressSanitizer catches an over-read or over-write), the
// bytes between rows must stay untouched.
#include <gtest/gtest.h>

#include <cfloat>
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "common/convert-reference.h"
#include "common/test-utils.h"

extern "C" {
#include "microkernels.h"
}

namespace {

using pqnn_test::ExactBuffer;

struct RowsKernel {
  const char* name;
  pqnn_qd8_rows_ukernel_fn fn;
  enum pqnn_isa isa;
};

// The list may be empty on an architecture (no tier has the kernel there): an end mark.
#define PQNN_UKERNEL(tier, mr, nr, kr, input_offset, fn) {#fn, fn, tier},
const RowsKernel kRowsKernels[] = {
#include "microkernels/f32-qd8-rows/f32-qd8-rows.inc"
    {nullptr, nullptr, pqnn_isa_scalar},
};
#undef PQNN_UKERNEL

std::vector<RowsKernel> kernels() {
  std::vector<RowsKernel> out;
  for (const RowsKernel& k : kRowsKernels) {
    if (k.fn != nullptr) out.push_back(k);
  }
  return out;
}

void PrintTo(const RowsKernel& k, std::ostream* os) { *os << k.name; }

std::string isa_suffix(const char* name) {
  const std::string s(name);
  return s.substr(s.rfind("__") + 2);
}

class Qd8RowsTest : public testing::TestWithParam<RowsKernel> {
 protected:
  void SetUp() override {
    if (!pqnn_test::isa_enabled(GetParam().isa)) GTEST_SKIP() << "ISA not available";
  }

  // rows x n floats, row r at r * stride floats (stride >= n); int8 rows at y_stride bytes.
  void check(const std::vector<float>& data, size_t rows, size_t n, size_t stride,
      size_t y_stride, const char* what) {
    ExactBuffer<float> x((rows - 1) * stride + n);
    for (size_t r = 0; r < rows; r++) {
      for (size_t i = 0; i < stride && r * stride + i < x.size(); i++) {
        x[r * stride + i] = i < n ? data[r * n + i] : 777.0f;
      }
    }
    ExactBuffer<int8_t> y((rows - 1) * y_stride + n);
    std::fill(y.begin(), y.end(), int8_t(0x55));
    ExactBuffer<pqnn_quantization_params> p(rows);
    for (size_t r = 0; r < rows; r++) p[r] = {12345, -1.0f};
    GetParam().fn(rows, n, x.data(), stride * sizeof(float), y.data(), y_stride, p.data());
    std::vector<int8_t> ref(n);
    for (size_t r = 0; r < rows; r++) {
      pqnn_quantization_params ref_p;
      pqnn_test::reference_quantize_qd8(n, &data[r * n], ref.data(), &ref_p);
      EXPECT_EQ(p[r].zero_point, ref_p.zero_point) << what << " rows=" << rows << " n=" << n
          << " row " << r;
      EXPECT_TRUE((std::isnan(p[r].scale) && std::isnan(ref_p.scale)) ||
                  pqnn_test::float_bits(p[r].scale) == pqnn_test::float_bits(ref_p.scale))
          << what << " rows=" << rows << " n=" << n << " row " << r << " scale " << p[r].scale
          << " vs " << ref_p.scale;
      for (size_t i = 0; i < n; i++) {
        if (y[r * y_stride + i] != ref[i]) {
          ADD_FAILURE() << what << " rows=" << rows << " n=" << n << " row " << r << " i=" << i
                        << " x=" << data[r * n + i] << " got " << int(y[r * y_stride + i])
                        << " want " << int(ref[i]);
          return;
        }
      }
      for (size_t i = n; i < y_stride && r + 1 < rows; i++) {
        ASSERT_EQ(y[r * y_stride + i], int8_t(0x55)) << what << ": wrote between rows";
      }
    }
  }
};

TEST_P(Qd8RowsTest, random_rows) {
  auto& rng = pqnn_test::rng();
  std::uniform_real_distribution<float> scale(-6.0f, 6.0f);
  for (size_t n : {1, 3, 15, 16, 17, 32, 33, 64, 96, 100, 144, 257}) {
    for (size_t rows : {1, 2, 15, 16, 17, 33, 70}) {
      std::vector<float> data(rows * n);
      for (size_t r = 0; r < rows; r++) {
        // Each row its own range, some one-sided.
        const float m = std::exp2(scale(rng));
        const float lo = r % 3 == 1 ? 0.1f * m : -m, hi = r % 3 == 2 ? -0.2f * m : m;
        std::uniform_real_distribution<float> u(std::min(lo, hi), std::max(lo, hi));
        for (size_t i = 0; i < n; i++) data[r * n + i] = u(rng);
      }
      check(data, rows, n, n, n, "random");
      check(data, rows, n, n + 5, n + 3, "strided");
    }
  }
}

TEST_P(Qd8RowsTest, special_rows_in_every_lane) {
  auto& rng = pqnn_test::rng();
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  const float nan = std::numeric_limits<float>::quiet_NaN();
  for (size_t n : {1, 5, 17, 40, 96}) {
    const size_t rows = 37;  // two full groups of 16 and a partial one
    for (int kind = 0; kind < 11; kind++) {
      std::vector<float> data(rows * n);
      for (auto& v : data) v = u(rng);
      // The special row moves through every lane of the groups.
      for (size_t r = (size_t) kind % 5; r < rows; r += 5) {
        float* row = &data[r * n];
        const size_t pos = (r * 7) % n;
        switch (kind) {
          case 0: row[pos] = nan; break;
          case 1: row[pos] = INFINITY; break;
          case 2: row[pos] = -INFINITY; break;
          case 3: row[pos] = pqnn_test::bits_float(0xFFFFFFFF); break;
          case 4: for (size_t i = 0; i < n; i++) row[i] = i % 2 ? 0.0f : -0.0f; break;
          case 5:  // the range overflows float
            for (size_t i = 0; i < n; i++) row[i] = u(rng) * 3e38f;
            row[0] = -FLT_MAX;
            row[n - 1] = n > 1 ? FLT_MAX : row[0];
            break;
          case 6: for (size_t i = 0; i < n; i++) row[i] = u(rng) * 1e-45f; break;
          case 7: for (size_t i = 0; i < n; i++) row[i] = u(rng) * 7.5e-37f; break;
          case 8: for (size_t i = 0; i < n; i++) row[i] = u(rng) * 1e-30f; break;
          case 9: for (size_t i = 0; i < n; i++) row[i] = -3.75f; break;
          default: for (size_t i = 0; i < n; i++) row[i] = -FLT_MAX; break;
        }
      }
      check(data, rows, n, n, n, ("special kind " + std::to_string(kind)).c_str());
    }
  }
}

GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(Qd8RowsTest);
INSTANTIATE_TEST_SUITE_P(Kernels, Qd8RowsTest, testing::ValuesIn(kernels()),
    [](const testing::TestParamInfo<RowsKernel>& info) { return isa_suffix(info.param.name); });

}  // namespace
