#include "common/f16-gemm-tester.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include <fp16.h>

#include "common/test-utils.h"

extern "C" {
#include "packing.h"
}

namespace pqnn_test {

namespace {

constexpr uint16_t kPoison = 0x7C01;  // a signaling-NaN pattern no kernel produces

uint16_t random_f16(std::mt19937& g) {
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  return fp16_ieee_from_fp32_value(dist(g));
}

double f16_value(uint16_t h) { return static_cast<double>(fp16_ieee_to_fp32_value(h)); }

double ulp16(double x) {
  x = std::fabs(x);
  if (x < std::ldexp(1.0, -14)) return std::ldexp(1.0, -24);
  int e = 0;
  std::frexp(x, &e);  // x = f * 2^e, f in [0.5, 1)
  return std::ldexp(1.0, e - 1 - 10);
}

// Bounds [lo, hi] of the reference range shrunk by qmin / qmax, rounded to f16;
// +-inf when not clamping.
void clamp_bounds(double rmin, double rmax, uint8_t qmin, uint8_t qmax, float* lo, float* hi) {
  const double range = rmax - rmin;
  *lo = qmin == 0 ? -std::numeric_limits<float>::infinity()
                  : fp16_ieee_to_fp32_value(fp16_ieee_from_fp32_value(
                        static_cast<float>(rmin + range * qmin / 255.0)));
  *hi = qmax == 255 ? std::numeric_limits<float>::infinity()
                    : fp16_ieee_to_fp32_value(fp16_ieee_from_fp32_value(
                          static_cast<float>(rmax - range * (255 - qmax) / 255.0)));
  if (!(*lo < *hi)) {
    *lo = -std::numeric_limits<float>::infinity();
    *hi = std::numeric_limits<float>::infinity();
  }
}

}  // namespace

double f16_tolerance(double ref, double y, size_t terms, double abs_sum) {
  // acc (the kernel's f32 sum) is within e of ref; y = rne16(acc) is within half an f16
  // ulp of acc, the ulp taken at max(|acc|, |y|) <= max(|ref| + e, |y|).
  const double e = static_cast<double>(terms + 1) * std::ldexp(1.0, -24) * abs_sum;
  return 0.5 * ulp16(std::max(std::fabs(ref) + e, std::fabs(y))) + e;
}

void F16GemmTester::Test(pqnn_gemm_ukernel_fn gemm) const { Run(gemm, nullptr); }
void F16GemmTester::Test(pqnn_igemm_ukernel_fn igemm) const { Run(nullptr, igemm); }

void F16GemmTester::Run(pqnn_gemm_ukernel_fn gemm, pqnn_igemm_ukernel_fn igemm) const {
  ASSERT_LE(m_, mr_);
  ASSERT_GE(k_, 1u);
  const bool indirect = igemm != nullptr;
  const size_t ks = indirect ? ks_ : 1;
  const size_t a_stride = a_stride_ != 0 ? a_stride_ : k_;
  const size_t cn_stride = cn_stride_ != 0 ? cn_stride_ : nr_;
  const size_t blocks = (n_ + nr_ - 1) / nr_;
  const size_t row_extent = (blocks - 1) * cn_stride + (n_ - (blocks - 1) * nr_);
  const size_t cm_stride = cm_stride_ != 0 ? cm_stride_ : row_extent;
  ASSERT_GE(a_stride, k_);
  ASSERT_GE(cn_stride, nr_);
  ASSERT_GE(cm_stride, row_extent);
  auto& g = rng();

  // GEMM: m rows of A. IGEMM: ks * mr rows (every pointer the kernel reads is valid).
  const size_t a_rows = indirect ? ks * mr_ : m_;
  const size_t a_offset = indirect ? a_offset_ : 0;
  ExactBuffer<uint16_t> a(a_offset + span(a_rows, k_, a_stride));
  ExactBuffer<uint16_t> zero(k_);
  std::vector<uint16_t> kernel(n_ * ks * k_), bias(n_);
  const size_t packed_bytes = pqnn_packed_gemm_size(1, n_, ks, k_, nr_, 1, 2, 2, 0);
  ASSERT_NE(packed_bytes, 0u);
  std::vector<uint16_t> packed(packed_bytes / 2 + 32);
  ExactBuffer<uint16_t> c(span(m_, row_extent, cm_stride));
  std::vector<const void*> indirection(ks * mr_);
  std::vector<double> ref(m_ * n_), abs_sum(m_ * n_);

  for (size_t iteration = 0; iteration < iterations_; iteration++) {
    // NaN in the gaps: a kernel that reads them produces NaN and fails.
    std::fill(a.begin(), a.end(), static_cast<uint16_t>(0x7E00));
    for (size_t r = 0; r < a_rows; r++) {
      for (size_t kk = 0; kk < k_; kk++) a[a_offset + r * a_stride + kk] = random_f16(g);
    }
    if (nan_row_ < m_ && !(indirect && nan_row_ == zero_index_)) {  // tap 0's row nan_row_
      a[a_offset + nan_row_ * a_stride + k_ / 2] = 0x7E00;
    }
    std::fill(zero.begin(), zero.end(), static_cast<uint16_t>(0));
    for (auto& v : kernel) v = random_f16(g);
    for (auto& v : bias) v = random_f16(g);
    std::fill(c.begin(), c.end(), kPoison);
    std::fill(packed.begin(), packed.end(), static_cast<uint16_t>(0x7E00));
    pqnn_pack_f16_gemm(1, n_, ks, k_, nr_, 1, false, false, kernel.data(), bias.data(),
                       packed.data());

    // Row pointer of (tap t, row i).
    auto row_ptr = [&](size_t t, size_t i) -> const uint16_t* {
      if (!indirect) return a.data() + i * a_stride;
      if (i == zero_index_) return zero.data();
      return a.data() + a_offset + (t * mr_ + i) * a_stride;
    };
    if (indirect) {
      for (size_t t = 0; t < ks; t++) {
        for (size_t i = 0; i < mr_; i++) {
          const uint16_t* p = row_ptr(t, i);
          indirection[t * mr_ + i] = p == zero.data() ? static_cast<const void*>(p)
                                                      : static_cast<const void*>(p - a_offset);
        }
      }
    }

    double rmin = std::numeric_limits<double>::infinity(), rmax = -rmin;
    for (size_t i = 0; i < m_; i++) {
      for (size_t j = 0; j < n_; j++) {
        double acc = f16_value(bias[j]), sum = std::fabs(acc);
        for (size_t t = 0; t < ks; t++) {
          const uint16_t* row = row_ptr(t, i);
          for (size_t kk = 0; kk < k_; kk++) {
            const double prod = f16_value(row[kk]) * f16_value(kernel[(j * ks + t) * k_ + kk]);
            acc += prod;
            sum += std::fabs(prod);
          }
        }
        ref[i * n_ + j] = acc;
        abs_sum[i * n_ + j] = sum;
        rmin = std::min(rmin, acc);
        rmax = std::max(rmax, acc);
      }
    }
    struct pqnn_f32_minmax_params params;
    clamp_bounds(rmin, rmax, qmin_, qmax_, &params.min, &params.max);

    if (indirect) {
      igemm(m_, n_, k_ * sizeof(uint16_t), ks * mr_ * sizeof(void*), indirection.data(),
            packed.data(), c.data(), cm_stride * sizeof(uint16_t), cn_stride * sizeof(uint16_t),
            a_offset * sizeof(uint16_t), zero.data(), &params);
    } else {
      gemm(m_, n_, k_ * sizeof(uint16_t), a.data(), a_stride * sizeof(uint16_t), packed.data(),
           c.data(), cm_stride * sizeof(uint16_t), cn_stride * sizeof(uint16_t), &params);
    }

    std::vector<bool> written(c.size(), false);
    for (size_t i = 0; i < m_; i++) {
      for (size_t j = 0; j < n_; j++) {
        const size_t index = i * cm_stride + (j / nr_) * cn_stride + j % nr_;
        written[index] = true;
        const double expected =
            std::min(std::max(ref[i * n_ + j], static_cast<double>(params.min)),
                     static_cast<double>(params.max));
        const double y = f16_value(c[index]);
        if (std::isnan(expected)) {
          ASSERT_TRUE(std::isnan(y) && c[index] != kPoison)
              << "NaN input gave " << y << " at row " << i << ", column " << j
              << " (min=" << params.min << " max=" << params.max << ")";
          continue;
        }
        const double tol = f16_tolerance(expected, y, ks * k_, abs_sum[i * n_ + j]);
        ASSERT_NEAR(y, expected, tol)
            << "at row " << i << ", column " << j << " (m=" << m_ << " n=" << n_ << " k=" << k_
            << " ks=" << ks << " min=" << params.min << " max=" << params.max << ")";
        ASSERT_GE(y, params.min);
        ASSERT_LE(y, params.max);
      }
    }
    for (size_t index = 0; index < c.size(); index++) {
      if (!written[index]) {
        ASSERT_EQ(c[index], kPoison) << "wrote outside the output at element " << index;
      }
    }
  }
}

void F16DwconvTester::Test(pqnn_dwconv_ukernel_fn dwconv) const {
  const size_t taps = kernel_size_;
  const size_t pixel_stride = input_pixel_stride_ != 0 ? input_pixel_stride_ : channels_;
  ASSERT_GE(pixel_stride, channels_);
  const size_t ptr_stride = taps + input_pointer_pad_;
  const size_t out_stride = channels_ + output_increment_;
  auto& g = rng();

  // Each (pixel, tap) gets its own input pixel.
  const size_t in_pixels = width_ * taps;
  ExactBuffer<uint16_t> input(a_offset_ + span(in_pixels, channels_, pixel_stride));
  ExactBuffer<uint16_t> zero(channels_);
  std::vector<uint16_t> kernel(taps * channels_), bias(channels_);
  const size_t packed_bytes = pqnn_packed_dwconv_size(channels_, taps, ct_, 2, 2, 0);
  ASSERT_NE(packed_bytes, 0u);
  std::vector<uint16_t> packed(packed_bytes / 2);
  ExactBuffer<uint16_t> output(span(width_, channels_, out_stride));
  ExactBuffer<const void*> indirection(span(width_, taps, ptr_stride));
  std::vector<double> ref(width_ * channels_), abs_sum(width_ * channels_);

  for (size_t iteration = 0; iteration < iterations_; iteration++) {
    std::fill(input.begin(), input.end(), static_cast<uint16_t>(0x7E00));
    for (size_t p = 0; p < in_pixels; p++) {
      for (size_t ch = 0; ch < channels_; ch++) {
        input[a_offset_ + p * pixel_stride + ch] = ch == nan_channel_ ? 0x7E00 : random_f16(g);
      }
    }
    std::fill(zero.begin(), zero.end(), static_cast<uint16_t>(0));
    for (auto& v : kernel) v = random_f16(g);
    for (auto& v : bias) v = random_f16(g);
    std::fill(output.begin(), output.end(), kPoison);
    pqnn_pack_f16_dwconv(channels_, taps, ct_, false, kernel.data(), bias.data(), packed.data());

    auto pixel = [&](size_t x, size_t t) -> const uint16_t* {
      if (t == zero_tap_) return zero.data();
      return input.data() + a_offset_ + (x * taps + t) * pixel_stride;
    };
    for (size_t i = 0; i < indirection.size(); i++) indirection[i] = nullptr;
    for (size_t x = 0; x < width_; x++) {
      for (size_t t = 0; t < taps; t++) {
        const uint16_t* p = pixel(x, t);
        indirection[x * ptr_stride + t] =
            p == zero.data() ? static_cast<const void*>(p) : static_cast<const void*>(p - a_offset_);
      }
    }

    double rmin = std::numeric_limits<double>::infinity(), rmax = -rmin;
    for (size_t x = 0; x < width_; x++) {
      for (size_t ch = 0; ch < channels_; ch++) {
        double acc = f16_value(bias[ch]), sum = std::fabs(acc);
        for (size_t t = 0; t < taps; t++) {
          const double prod = f16_value(pixel(x, t)[ch]) * f16_value(kernel[t * channels_ + ch]);
          acc += prod;
          sum += std::fabs(prod);
        }
        ref[x * channels_ + ch] = acc;
        abs_sum[x * channels_ + ch] = sum;
        rmin = std::min(rmin, acc);
        rmax = std::max(rmax, acc);
      }
    }
    struct pqnn_f32_minmax_params params;
    clamp_bounds(rmin, rmax, qmin_, qmax_, &params.min, &params.max);

    dwconv(channels_, width_, taps, indirection.data(), packed.data(), output.data(),
           ptr_stride * sizeof(void*), output_increment_ * sizeof(uint16_t),
           a_offset_ * sizeof(uint16_t), zero.data(), &params);

    std::vector<bool> written(output.size(), false);
    for (size_t x = 0; x < width_; x++) {
      for (size_t ch = 0; ch < channels_; ch++) {
        const size_t index = x * out_stride + ch;
        written[index] = true;
        const double expected =
            std::min(std::max(ref[x * channels_ + ch], static_cast<double>(params.min)),
                     static_cast<double>(params.max));
        const double y = f16_value(output[index]);
        if (std::isnan(expected)) {
          ASSERT_TRUE(std::isnan(y) && output[index] != kPoison)
              << "NaN input gave " << y << " at pixel " << x << ", channel " << ch
              << " (min=" << params.min << " max=" << params.max << ")";
          continue;
        }
        const double tol = f16_tolerance(expected, y, taps, abs_sum[x * channels_ + ch]);
        ASSERT_NEAR(y, expected, tol) << "at pixel " << x << ", channel " << ch
                                      << " (channels=" << channels_ << " taps=" << taps << ")";
      }
    }
    for (size_t index = 0; index < output.size(); index++) {
      if (!written[index]) {
        ASSERT_EQ(output[index], kPoison) << "wrote outside the output at element " << index;
      }
    }
  }
}

}  // namespace pqnn_test
