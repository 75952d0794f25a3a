#include "common/f32-dwconv-tester.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <random>

#include "common/test-utils.h"

extern "C" {
#include "packing.h"
}

namespace pqnn_test {

namespace {

// Poison for output gaps: a quiet NaN with a recognizable payload, compared bitwise.
constexpr uint32_t kPoisonBits = 0x7FC0DEADu;

float poison() {
  float f;
  std::memcpy(&f, &kPoisonBits, sizeof(f));
  return f;
}

bool is_poison(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, sizeof(bits));
  return bits == kPoisonBits;
}

}  // namespace

void F32DwconvTester::Test(pqnn_dwconv_ukernel_fn ukernel) const {
  const size_t channels = channels_;
  const size_t ks = kernel_size_;
  const size_t width = width_;
  const size_t step = this->step();
  const size_t ostride = this->output_stride();
  ASSERT_GE(channels, 1u);
  ASSERT_GE(ks, 1u);
  ASSERT_GE(width, 1u);
  ASSERT_GE(ostride, channels);

  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  auto& gen = rng();
  const size_t entries = (width - 1) * step + ks;

  for (size_t iteration = 0; iteration < iterations_; iteration++) {
    ExactBuffer<float> zero(channels);
    std::fill(zero.begin(), zero.end(), 0.0f);
    // One exact-size buffer per input pixel, so reading past `channels` is an ASan error.
    // Entries are stored as (pixel - a_offset); a pixel whose stored pointer would equal
    // `zero` (possible when the allocator places it a_offset bytes after the zero buffer)
    // is replaced, since the kernel could not tell it from padding.
    std::vector<std::unique_ptr<ExactBuffer<float>>> pixels;
    std::vector<const void*> indirection(entries);
    std::vector<const float*> effective(entries);  // what each entry means after a_offset
    for (size_t e = 0; e < entries; e++) {
      const void* stored;
      do {
        pixels.emplace_back(new ExactBuffer<float>(channels));
        stored = reinterpret_cast<const void*>(
            reinterpret_cast<uintptr_t>(pixels.back()->data()) - a_offset_);
      } while (stored == zero.data());
      for (float& v : *pixels.back()) v = dist(gen);
      if (nan_channel_ < channels) {
        (*pixels.back())[nan_channel_] = std::numeric_limits<float>::quiet_NaN();
      }
      indirection[e] = stored;
      effective[e] = pixels.back()->data();
    }
    if (zero_index_ < ks) {
      for (size_t x = 0; x < width; x++) {
        indirection[x * step + zero_index_] = zero.data();
        effective[x * step + zero_index_] = zero.data();
      }
    }

    std::vector<float> kernel(ks * channels), bias(channels);
    for (float& v : kernel) v = dist(gen);
    for (float& v : bias) v = dist(gen);
    const size_t packed_bytes = pqnn_packed_dwconv_size(channels, ks, channel_tile_,
        sizeof(float), sizeof(float), 0);
    ASSERT_NE(packed_bytes, 0u);
    std::vector<float> packed(packed_bytes / sizeof(float), poison());
    pqnn_pack_f32_dwconv(channels, ks, channel_tile_, kernel.data(), bias.data(), packed.data());

    // Double reference and the error bound of each output.
    std::vector<double> ref(width * channels), bound(width * channels);
    for (size_t x = 0; x < width; x++) {
      for (size_t c = 0; c < channels; c++) {
        double acc = bias[c], mag = std::fabs(static_cast<double>(bias[c]));
        for (size_t t = 0; t < ks; t++) {
          const double term = static_cast<double>(effective[x * step + t][c]) *
                              static_cast<double>(kernel[t * channels + c]);
          acc += term;
          mag += std::fabs(term);
        }
        ref[x * channels + c] = acc;
        bound[x * channels + c] = static_cast<double>(ks + 2) * FLT_EPSILON * mag + FLT_MIN;
      }
    }
    double lo = INFINITY, hi = -INFINITY;  // over the outputs that are not NaN
    for (double r : ref) {
      if (!std::isnan(r)) lo = std::min(lo, r), hi = std::max(hi, r);
    }
    if (lo > hi) lo = hi = 0.0;
    const double range = hi - lo;
    struct pqnn_f32_minmax_params params;
    params.min = qmin_ <= 0.0f ? -INFINITY : static_cast<float>(lo + range * qmin_);
    params.max = qmax_ >= 1.0f ? +INFINITY : static_cast<float>(lo + range * qmax_);
    if (params.min > params.max) params.max = params.min;

    ExactBuffer<float> output(span(width, channels, ostride));
    std::fill(output.begin(), output.end(), poison());

    ukernel(channels, width, ks, indirection.data(), packed.data(), output.data(),
        step * sizeof(void*), (ostride - channels) * sizeof(float), a_offset_, zero.data(),
        &params);

    for (size_t x = 0; x < width; x++) {
      for (size_t c = 0; c < channels; c++) {
        const double expected = std::min<double>(
            std::max<double>(ref[x * channels + c], params.min), params.max);
        const float actual = output[x * ostride + c];
        if (std::isnan(expected)) {
          ASSERT_TRUE(std::isnan(actual) && !is_poison(actual))
              << "NaN input gave " << actual << " at pixel " << x << ", channel " << c
              << ", clamp [" << params.min << ", " << params.max << "]";
          continue;
        }
        ASSERT_NEAR(actual, expected, bound[x * channels + c])
            << "pixel " << x << " of " << width << ", channel " << c << " of " << channels
            << ", kernel_size " << ks << ", step " << step << ", output_stride " << ostride
            << ", zero_index " << zero_index_ << ", a_offset " << a_offset_ << ", clamp ["
            << params.min << ", " << params.max << "]";
      }
      if (x + 1 < width) {
        for (size_t c = channels; c < ostride; c++) {
          ASSERT_TRUE(is_poison(output[x * ostride + c]))
              << "wrote output gap element " << c << " after pixel " << x;
        }
      }
    }
  }
}

}  // namespace pqnn_test
