// Kernel tester for the qd8 x qc8w -> f32 depthwise-convolution microkernels against a
// plain C++ reference of the qd8 arithmetic (one image quantized with {zero_point, scale},
// padding taps reading that zero point):
//   acc = sum_t (x - zero_point) * w  (exact int32);
//   y = clamp(acc * (scale * kernel_scale) + bias, min, max)
// with weights packed by pqnn_pack_qd8_dwconv (int16 tap pairs in the kernels' channel
// order). The integer part is exact; the f32 epilogue
// (mul + add, or an FMA) is checked to a few ulps of |acc * s| + |bias|. Sweeps channel
// counts around the tile, output widths, tap counts, padding taps (`zero`), a_offset,
// indirection steps, output_increment, zero points, clamping and extreme values. Input
// pixels, the zero buffer and the output are exact-size buffers (AddressSanitizer catches
// over-reads / over-writes); bytes between output pixels must stay untouched.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include <pqnn.h>

#include "common/test-utils.h"

extern "C" {
#include "microkernels.h"
#include "packing.h"
}

namespace {

using pqnn_test::ExactBuffer;

struct Qd8DwconvKernel {
  const char* name;
  pqnn_dwconv_ukernel_fn fn;
  size_t ct;
  size_t taps;  // 0: any
  size_t tap_group;  // 4: the vpdpbusd kernels (int8 tap quads); else int16 pairs
  enum pqnn_isa isa;
};
void PrintTo(const Qd8DwconvKernel& k, std::ostream* os) { *os << k.name; }

const Qd8DwconvKernel kKernels[] = {
#define PQNN_UKERNEL(tier, taps, ct, kr, input_offset, fn) {#fn, fn, ct, taps, kr, tier},
#include "microkernels/qd8-f32-qc8w-dwconv/qd8-f32-qc8w-dwconv.inc"
#undef PQNN_UKERNEL
};

struct Qd8Case {
  size_t channels = 1, output_width = 2, kernel_size = 9;
  size_t step = 0;               // pointers between output pixels (0: kernel_size)
  size_t a_offset = 0;
  size_t output_increment = 0;   // bytes
  int32_t zero_point = 0;
  float min = -std::numeric_limits<float>::infinity();
  float max = std::numeric_limits<float>::infinity();
  double padding = 0.2;
  int extreme = 0;               // 0 random; +1 / -1: all inputs and weights at the edge
  bool null_bias = false;
};

class Qd8DwconvTest : public testing::TestWithParam<Qd8DwconvKernel> {
 protected:
  void SetUp() override {
    if (!pqnn_test::isa_enabled(GetParam().isa)) GTEST_SKIP() << "ISA not available";
  }

  void run(const Qd8Case& cs) {
    const Qd8DwconvKernel& k = GetParam();
    auto& rng = pqnn_test::rng();
    const size_t C = cs.channels, W = cs.output_width, KS = cs.kernel_size;
    const size_t step = cs.step == 0 ? KS : cs.step;
    std::uniform_int_distribution<int> i8(-128, 127), w8(-127, 127);
    std::uniform_real_distribution<float> fdist(-2.0f, 2.0f), sdist(1e-3f, 0.1f);
    std::uniform_real_distribution<double> unit(0.0, 1.0);

    std::vector<int8_t> weights(KS * C);
    for (auto& w : weights) w = cs.extreme == 0 ? int8_t(w8(rng)) : int8_t(127 * cs.extreme);
    std::vector<float> bias(C), kscale(C);
    for (auto& b : bias) b = cs.null_bias ? 0.0f : fdist(rng);
    for (auto& s : kscale) s = sdist(rng);
    const float xscale = sdist(rng);

    const size_t npointers = (W - 1) * step + KS;
    std::vector<std::unique_ptr<ExactBuffer<int8_t>>> pixels;
    ExactBuffer<int8_t> zero(C);
    std::fill(zero.begin(), zero.end(), static_cast<int8_t>(cs.zero_point));
    std::vector<const void*> indirection(npointers);
    std::vector<const int8_t*> real(npointers);
    for (size_t i = 0; i < npointers; i++) {
      if (unit(rng) < cs.padding) {
        indirection[i] = real[i] = zero.data();
        continue;
      }
      do {  // a pixel minus a_offset must not alias `zero`
        pixels.emplace_back(new ExactBuffer<int8_t>(C));
      } while (reinterpret_cast<uintptr_t>(pixels.back()->data()) - cs.a_offset ==
               reinterpret_cast<uintptr_t>(zero.data()));
      for (auto& v : *pixels.back()) v = cs.extreme == 0 ? int8_t(i8(rng)) : int8_t(cs.extreme > 0 ? 127 : -128);
      real[i] = pixels.back()->data();
      indirection[i] = reinterpret_cast<const void*>(
          reinterpret_cast<uintptr_t>(pixels.back()->data()) - cs.a_offset);
    }

    std::vector<uint8_t> packed(k.tap_group == 4
        ? pqnn_packed_dwconv_size(C, (KS + 3) / 4 * 4, k.ct, 1, 4, 8)
        : pqnn_packed_dwconv_size(C, (KS + 1) / 2 * 2, k.ct, 2, 4, 8), 0xA5);
    ASSERT_FALSE(packed.empty());
    pqnn_pack_qd8_dwconv(C, KS, k.ct, k.tap_group, weights.data(), kscale.data(),
        cs.null_bias ? nullptr : bias.data(), packed.data());
    pqnn_qd8_dwconv_params params{cs.min, cs.max, cs.zero_point, xscale};

    const size_t pixel_stride = C * sizeof(float) + cs.output_increment;  // bytes
    ExactBuffer<uint8_t> out((W - 1) * pixel_stride + C * sizeof(float));
    std::fill(out.begin(), out.end(), uint8_t(0x5A));
    k.fn(C, W, KS, indirection.data(), packed.data(), out.data(), step * sizeof(void*),
        cs.output_increment, cs.a_offset, zero.data(), &params);

    for (size_t x = 0; x < W; x++) {
      for (size_t c = 0; c < C; c++) {
        int32_t acc = 0;
        for (size_t t = 0; t < KS; t++) {
          acc += (int32_t(real[x * step + t][c]) - cs.zero_point) * int32_t(weights[t * C + c]);
        }
        const double prod = double(acc) * double(xscale * kscale[c]);
        const double ref = std::min<double>(std::max<double>(prod + bias[c], cs.min), cs.max);
        float y;
        std::memcpy(&y, out.data() + x * pixel_stride + c * sizeof(float), sizeof(y));
        const double tol = 4e-7 * (std::fabs(prod) + std::fabs(bias[c])) + 1e-30;
        ASSERT_NEAR(double(y), ref, tol) << k.name << " C=" << C << " W=" << W << " KS=" << KS
            << " x=" << x << " c=" << c << " acc=" << acc;
      }
      if (x + 1 < W) {
        for (size_t g = C * sizeof(float); g < pixel_stride; g++) {
          ASSERT_EQ(out[x * pixel_stride + g], uint8_t(0x5A)) << "gap byte written";
        }
      }
    }
  }

  std::vector<size_t> tap_counts() const {
    if (GetParam().taps != 0) return {GetParam().taps};
    return {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 25, 30};
  }
};

TEST_P(Qd8DwconvTest, channels_and_taps) {
  const size_t ct = GetParam().ct;
  std::vector<size_t> counts;
  for (size_t c = 1; c <= 3 * ct + 1; c++) counts.push_back(c);
  for (size_t c : {4 * ct - 1, 5 * ct + 3, size_t(128), size_t(200)}) counts.push_back(c);
  for (size_t ks : tap_counts()) {
    for (size_t c : counts) {
      Qd8Case cs;
      cs.channels = c;
      cs.kernel_size = ks;
      cs.zero_point = int32_t(c % 7) - 3;
      run(cs);
      if (HasFatalFailure()) return;
    }
  }
}

TEST_P(Qd8DwconvTest, output_width_strides_and_a_offset) {
  for (size_t ks : tap_counts()) {
    for (size_t w : {1, 3, 8}) {
      for (size_t step : {size_t(0), size_t(1), ks + 2}) {
        for (size_t a_offset : {0, 37}) {
          Qd8Case cs;
          cs.channels = GetParam().ct + 3;
          cs.kernel_size = ks;
          cs.output_width = w;
          cs.step = step;
          cs.a_offset = a_offset;
          cs.output_increment = (w % 2) * 12;
          cs.zero_point = 17;
          run(cs);
          if (HasFatalFailure()) return;
        }
      }
    }
  }
}

TEST_P(Qd8DwconvTest, zero_points_padding_and_clamping) {
  for (size_t ks : tap_counts()) {
    for (int32_t zp : {-128, 127, 0, -5}) {
      for (double padding : {0.0, 0.5, 1.0}) {
        Qd8Case cs;
        cs.channels = 2 * GetParam().ct + 5;
        cs.kernel_size = ks;
        cs.zero_point = zp;
        cs.padding = padding;
        cs.min = -0.5f;
        cs.max = padding == 0.5 ? 0.25f : 6.0f;
        cs.null_bias = padding == 1.0;
        run(cs);
        if (HasFatalFailure()) return;
      }
    }
  }
}

TEST_P(Qd8DwconvTest, extreme_values) {
  for (size_t ks : tap_counts()) {
    for (int extreme : {1, -1}) {
      for (int32_t zp : {-128, 127, 0}) {
        Qd8Case cs;
        cs.channels = GetParam().ct * 2 + 3;
        cs.kernel_size = ks;
        cs.extreme = extreme;
        cs.zero_point = zp;
        cs.padding = 0.1;
        run(cs);
        if (HasFatalFailure()) return;
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Kernels, Qd8DwconvTest, testing::ValuesIn(kKernels),
    [](const testing::TestParamInfo<Qd8DwconvKernel>& info) { return std::string(info.param.name); });

// The packer against a reference unpacking of its layout (channel order included).
TEST(Qd8DwconvPacking, layout) {
  auto& rng = pqnn_test::rng();
  std::uniform_int_distribution<int> w8(-127, 127);
  for (size_t ct : {1, 8, 16, 32}) {
    // The slot order is a permutation of the tile's channels.
    std::vector<bool> seen(ct, false);
    for (size_t s = 0; s < ct; s++) {
      const size_t j = pqnn_qd8_dwconv_channel_order(ct, s);
      ASSERT_LT(j, ct);
      ASSERT_FALSE(seen[j]);
      seen[j] = true;
    }
    for (size_t taps : {1, 2, 9, 25}) {
      for (size_t C : {size_t(1), ct, ct + 1, 3 * ct - 1}) {
        std::vector<int8_t> k(taps * C);
        for (auto& v : k) v = static_cast<int8_t>(w8(rng));
        std::vector<float> scale(C), bias(C);
        for (size_t c = 0; c < C; c++) {
          scale[c] = 0.5f + float(c);
          bias[c] = -3.0f * float(c) - 1.0f;
        }
        const size_t pairs = (taps + 1) / 2;
        std::vector<uint8_t> packed(pqnn_packed_dwconv_size(C, 2 * pairs, ct, 2, 4, 8), 0xEE);
        pqnn_pack_qd8_dwconv(C, taps, ct, 2, k.data(), scale.data(), bias.data(), packed.data());
        const size_t tile = ct * 4 + pairs * ct * 4 + ct * 8;
        ASSERT_EQ(packed.size(), tile * ((C + ct - 1) / ct));
        for (size_t tile_start = 0; tile_start < C; tile_start += ct) {
          const uint8_t* base = packed.data() + (tile_start / ct) * tile;
          for (size_t s = 0; s < ct; s++) {
            const size_t c = tile_start + pqnn_qd8_dwconv_channel_order(ct, s);
            int32_t ksum;
            float sc, b;
            std::memcpy(&ksum, base + 4 * s, 4);
            std::memcpy(&sc, base + 4 * ct + pairs * ct * 4 + 4 * s, 4);
            std::memcpy(&b, base + 8 * ct + pairs * ct * 4 + 4 * s, 4);
            int32_t sum = 0;
            for (size_t t = 0; t < 2 * pairs; t++) {
              int16_t w;
              std::memcpy(&w, base + 4 * ct + (t / 2) * ct * 4 + s * 4 + (t % 2) * 2, 2);
              ASSERT_EQ(w, c < C && t < taps ? k[t * C + c] : 0) << "ct=" << ct << " t=" << t;
              sum += w;
            }
            ASSERT_EQ(ksum, sum);
            ASSERT_EQ(sc, c < C ? scale[c] : 0.0f);
            ASSERT_EQ(b, c < C ? bias[c] : 0.0f);
          }
        }
      }
    }
  }
}

// The int8 tap-quad layout of the vpdpbusd kernels (tap_group 4).
TEST(Qd8DwconvPacking, quads) {
  auto& rng = pqnn_test::rng();
  std::uniform_int_distribution<int> w8(-127, 127);
  const size_t ct = 64;
  for (size_t taps : {1, 4, 9, 25}) {
    for (size_t C : {size_t(1), ct, ct + 1, 3 * ct - 1}) {
      std::vector<int8_t> k(taps * C);
      for (auto& v : k) v = static_cast<int8_t>(w8(rng));
      std::vector<float> scale(C), bias(C);
      for (size_t c = 0; c < C; c++) {
        scale[c] = 0.5f + float(c);
        bias[c] = -3.0f * float(c) - 1.0f;
      }
      const size_t quads = (taps + 3) / 4;
      std::vector<uint8_t> packed(pqnn_packed_dwconv_size(C, 4 * quads, ct, 1, 4, 8), 0xEE);
      pqnn_pack_qd8_dwconv(C, taps, ct, 4, k.data(), scale.data(), bias.data(), packed.data());
      const size_t tile = ct * 4 + quads * ct * 4 + ct * 8;
      ASSERT_EQ(packed.size(), tile * ((C + ct - 1) / ct));
      for (size_t tile_start = 0; tile_start < C; tile_start += ct) {
        const uint8_t* base = packed.data() + (tile_start / ct) * tile;
        for (size_t s = 0; s < ct; s++) {
          const size_t c = tile_start + pqnn_qs8_dwconv_channel_order(ct, 4, s);
          int32_t ksum;
          float sc, b;
          std::memcpy(&ksum, base + 4 * s, 4);
          std::memcpy(&sc, base + 4 * ct + quads * ct * 4 + 4 * s, 4);
          std::memcpy(&b, base + 8 * ct + quads * ct * 4 + 4 * s, 4);
          int32_t sum = 0;
          for (size_t t = 0; t < 4 * quads; t++) {
            const int8_t w = static_cast<int8_t>(base[4 * ct + (t / 4) * ct * 4 + s * 4 + t % 4]);
            // 9 taps (3x3) by kernel columns: quad q = taps q, q + 3, q + 6, 0.
            const size_t tap = taps == 9 ? (t % 4 < 3 ? 3 * (t % 4) + t / 4 : SIZE_MAX)
                                         : (t < taps ? t : SIZE_MAX);
            ASSERT_EQ(w, c < C && tap != SIZE_MAX ? k[tap * C + c] : 0) << "s=" << s << " t=" << t;
            sum += w;
          }
          ASSERT_EQ(ksum, sum);
          ASSERT_EQ(sc, c < C ? scale[c] : 0.0f);
          ASSERT_EQ(b, c < C ? bias[c] : 0.0f);
        }
      }
    }
  }
}

}  // namespace
