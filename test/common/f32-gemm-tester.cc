#include "common/f32-gemm-tester.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "common/test-utils.h"

extern "C" {
#include "packing.h"
}

namespace pqnn_test {

namespace {

std::vector<float> random_floats(size_t count) {
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> v(count);
  for (float& x : v) x = dist(rng());
  return v;
}

struct Clamp {
  float min, max;
};

// Places min / max at qmin / qmax 255ths of the reference output range (NaN outputs of a
// nan_row test left out).
Clamp clamp_bounds(const std::vector<double>& ref, uint8_t qmin, uint8_t qmax) {
  Clamp c{-std::numeric_limits<float>::infinity(), std::numeric_limits<float>::infinity()};
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (double r : ref) {
    if (std::isnan(r)) continue;
    lo = std::min(lo, r);
    hi = std::max(hi, r);
  }
  if (lo > hi) return c;
  const double range = hi - lo;
  if (qmin != 0) c.min = static_cast<float>(lo + range * qmin / 255.0);
  if (qmax != 255) c.max = static_cast<float>(hi - range * (255 - qmax) / 255.0);
  return c;
}

}  // namespace

size_t F32GemmTester::cm_stride_or_default() const {
  // Rows must not overlap: the last NR block of a row ends at (blocks-1)*cn_stride + nr.
  const size_t blocks = (n_ + nr_ - 1) / nr_;
  const size_t row_extent = (blocks - 1) * cn_stride_or_nr() + std::min(n_ - (blocks - 1) * nr_, nr_);
  const size_t tight = std::max(n_, row_extent);
  return cm_stride_ == 0 ? tight : std::max(cm_stride_, tight);
}

size_t F32GemmTester::c_index(size_t i, size_t j) const {
  return i * cm_stride_or_default() + (j / nr_) * cn_stride_or_nr() + j % nr_;
}

void F32GemmTester::Test(pqnn_gemm_ukernel_fn gemm) const {
  ASSERT_GE(m_, 1u);
  ASSERT_LE(m_, mr_);
  ASSERT_GE(n_, 1u);
  ASSERT_GE(k_, 1u);
  const size_t a_stride = a_stride_or_k();
  const size_t cm_stride = cm_stride_or_default();
  const size_t cn_stride = cn_stride_or_nr();
  const size_t c_size = c_index(m_ - 1, n_ - 1) + 1;

  for (size_t iteration = 0; iteration < iterations_; iteration++) {
    ExactBuffer<float> a(span(m_, k_, a_stride));
    {
      const std::vector<float> v = random_floats(a.size());
      std::copy(v.begin(), v.end(), a.begin());
    }
    if (nan_row_ < m_) a[nan_row_ * a_stride + k_ / 2] = std::numeric_limits<float>::quiet_NaN();
    const std::vector<float> b = random_floats(n_ * k_);  // [n][k]
    const std::vector<float> bias = random_floats(n_);
    const size_t packed_size =
        pqnn_packed_gemm_size(1, n_, 1, k_, nr_, kr_, sizeof(float), sizeof(float), 0);
    ASSERT_NE(packed_size, 0u);
    ExactBuffer<float> packed(packed_size / sizeof(float));
    pqnn_pack_f32_gemm(1, n_, 1, k_, nr_, kr_, false, b.data(), bias.data(), packed.data());

    std::vector<double> ref(m_ * n_), mag(m_ * n_);
    for (size_t i = 0; i < m_; i++) {
      for (size_t j = 0; j < n_; j++) {
        double acc = bias[j], sum_abs = std::fabs(static_cast<double>(bias[j]));
        for (size_t kk = 0; kk < k_; kk++) {
          const double prod = static_cast<double>(a[i * a_stride + kk]) * b[j * k_ + kk];
          acc += prod;
          sum_abs += std::fabs(prod);
        }
        ref[i * n_ + j] = acc;
        mag[i * n_ + j] = sum_abs;
      }
    }
    const Clamp clamp = clamp_bounds(ref, qmin_, qmax_);
    const struct pqnn_f32_minmax_params params = {clamp.min, clamp.max};

    ExactBuffer<float> c(c_size);
    std::fill(c.begin(), c.end(), std::numeric_limits<float>::quiet_NaN());
    gemm(m_, n_, k_ * sizeof(float), a.data(), a_stride * sizeof(float), packed.data(), c.data(),
        cm_stride * sizeof(float), cn_stride * sizeof(float), &params);

    std::vector<bool> written(c_size, false);
    for (size_t i = 0; i < m_; i++) {
      for (size_t j = 0; j < n_; j++) {
        const size_t idx = c_index(i, j);
        written[idx] = true;
        const double expected =
            std::min<double>(std::max<double>(ref[i * n_ + j], clamp.min), clamp.max);
        if (std::isnan(expected)) {
          ASSERT_TRUE(std::isnan(c[idx])) << "NaN input gave " << c[idx] << " at row " << i
              << ", column " << j << " / " << n_ << ", min " << clamp.min << ", max " << clamp.max;
          continue;
        }
        const double tolerance = 1e-5 * mag[i * n_ + j] + 1e-6;
        ASSERT_NEAR(c[idx], expected, tolerance)
            << "at row " << i << " / " << m_ << ", column " << j << " / " << n_ << ", k = " << k_
            << ", min " << clamp.min << ", max " << clamp.max;
      }
    }
    for (size_t idx = 0; idx < c_size; idx++) {
      if (!written[idx]) {
        ASSERT_TRUE(std::isnan(c[idx])) << "wrote outside the output at element " << idx;
      }
    }
  }
}

void F32GemmTester::Test(pqnn_igemm_ukernel_fn igemm) const {
  ASSERT_GE(m_, 1u);
  ASSERT_LE(m_, mr_);
  ASSERT_GE(n_, 1u);
  ASSERT_GE(k_, 1u);
  ASSERT_GE(ks_, 1u);
  const size_t a_stride = a_stride_or_k();
  const size_t cm_stride = cm_stride_or_default();
  const size_t cn_stride = cn_stride_or_nr();
  const size_t c_size = c_index(m_ - 1, n_ - 1) + 1;

  for (size_t iteration = 0; iteration < iterations_; iteration++) {
    // ks * m distinct rows of k elements, a_stride apart, a_offset elements into the
    // buffer; the indirection pointers point a_offset elements before their row.
    const size_t rows = ks_ * m_;
    ExactBuffer<float> input(a_offset_ + span(rows, k_, a_stride));
    {
      const std::vector<float> v = random_floats(input.size());
      std::copy(v.begin(), v.end(), input.begin());
    }
    if (nan_row_ < m_ && nan_row_ != zero_index_) {  // tap 0's row nan_row_
      input[a_offset_ + nan_row_ * a_stride + k_ / 2] = std::numeric_limits<float>::quiet_NaN();
    }
    ExactBuffer<float> zero(k_);
    std::fill(zero.begin(), zero.end(), 0.0f);
    ExactBuffer<const void*> indirection(ks_ * mr_);
    for (size_t t = 0; t < ks_; t++) {
      for (size_t i = 0; i < mr_; i++) {
        const size_t row_i = std::min(i, m_ - 1);  // rows >= mr repeat row mr - 1
        const void* ptr = input.data() + (t * m_ + row_i) * a_stride;
        if (row_i == zero_index_) ptr = zero.data();
        indirection[t * mr_ + i] = ptr;
      }
    }
    auto row_data = [&](size_t t, size_t i) -> const float* {
      const void* ptr = indirection[t * mr_ + i];
      if (ptr == zero.data()) return zero.data();
      return static_cast<const float*>(ptr) + a_offset_;
    };

    const std::vector<float> b = random_floats(n_ * ks_ * k_);  // [n][ks][k]
    const std::vector<float> bias = random_floats(n_);
    const size_t packed_size =
        pqnn_packed_gemm_size(1, n_, ks_, k_, nr_, kr_, sizeof(float), sizeof(float), 0);
    ASSERT_NE(packed_size, 0u);
    ExactBuffer<float> packed(packed_size / sizeof(float));
    pqnn_pack_f32_gemm(1, n_, ks_, k_, nr_, kr_, false, b.data(), bias.data(), packed.data());

    std::vector<double> ref(m_ * n_), mag(m_ * n_);
    for (size_t i = 0; i < m_; i++) {
      for (size_t j = 0; j < n_; j++) {
        double acc = bias[j], sum_abs = std::fabs(static_cast<double>(bias[j]));
        for (size_t t = 0; t < ks_; t++) {
          const float* row = row_data(t, i);
          for (size_t kk = 0; kk < k_; kk++) {
            const double prod = static_cast<double>(row[kk]) * b[(j * ks_ + t) * k_ + kk];
            acc += prod;
            sum_abs += std::fabs(prod);
          }
        }
        ref[i * n_ + j] = acc;
        mag[i * n_ + j] = sum_abs;
      }
    }
    const Clamp clamp = clamp_bounds(ref, qmin_, qmax_);
    const struct pqnn_f32_minmax_params params = {clamp.min, clamp.max};

    ExactBuffer<float> c(c_size);
    std::fill(c.begin(), c.end(), std::numeric_limits<float>::quiet_NaN());
    igemm(m_, n_, k_ * sizeof(float), ks_ * mr_ * sizeof(void*), indirection.data(),
        packed.data(), c.data(), cm_stride * sizeof(float), cn_stride * sizeof(float),
        a_offset_ * sizeof(float), zero.data(), &params);

    std::vector<bool> written(c_size, false);
    for (size_t i = 0; i < m_; i++) {
      for (size_t j = 0; j < n_; j++) {
        const size_t idx = c_index(i, j);
        written[idx] = true;
        const double expected =
            std::min<double>(std::max<double>(ref[i * n_ + j], clamp.min), clamp.max);
        if (std::isnan(expected)) {
          ASSERT_TRUE(std::isnan(c[idx])) << "NaN input gave " << c[idx] << " at row " << i
              << ", column " << j << " / " << n_ << ", min " << clamp.min << ", max " << clamp.max;
          continue;
        }
        const double tolerance = 1e-5 * mag[i * n_ + j] + 1e-6;
        ASSERT_NEAR(c[idx], expected, tolerance)
            << "at row " << i << " / " << m_ << ", column " << j << " / " << n_ << ", k = " << k_
            << ", ks = " << ks_ << ", min " << clamp.min << ", max " << clamp.max;
      }
    }
    for (size_t idx = 0; idx < c_size; idx++) {
      if (!written[idx]) {
        ASSERT_TRUE(std::isnan(c[idx])) << "wrote outside the output at element " << idx;
      }
    }
  }
}

}  // namespace pqnn_test
