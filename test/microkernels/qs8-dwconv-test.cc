// Kernel tester for the qs8 x qc8w depthwise-convolution microkernels: bit-exact against
// a plain C++ reference of the API.md qs8 arithmetic
//   acc = bias + sum_t (x - input_zero_point) * w;  y = clamp(rne((float) acc * scale) + ozp, min, max)
// with weights packed by pqnn_pack_qs8_dwconv. Sweeps channel counts around the tile,
// output widths, tap counts, padding taps (the `zero` buffer), a_offset, overlapping and
// non-overlapping indirection (input_stride), output_increment, zero points, scales from
// 1e-6 to 1, clamping bounds and extreme values. Input pixels, the zero buffer and the
// output are exact-size buffers (AddressSanitizer catches over-reads / over-writes); the
// bytes between output pixels are checked to stay untouched.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
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

struct DwconvKernel {
  const char* name;
  pqnn_dwconv_ukernel_fn fn;
  size_t ct;
  size_t taps;  // 0: any
  size_t tap_group;  // 4: the vpdpbusd kernels (taps in quads)
  int32_t input_offset;
  enum pqnn_isa isa;
};
void PrintTo(const DwconvKernel& k, std::ostream* os) { *os << k.name; }

// Every qs8 dwconv kernel of this build, from its list.
const DwconvKernel kKernels[] = {
#define PQNN_UKERNEL(tier, taps, ct, kr, input_offset, fn) {#fn, fn, ct, taps, kr, input_offset, tier},
#include "microkernels/qs8-dwconv/qs8-dwconv.inc"
#undef PQNN_UKERNEL
};

float mul_nc(float a, float b) {  // no FMA contraction in the reference
  volatile float r = a * b;
  return r;
}

enum class Values { kRandom, kExtremeHigh, kExtremeLow };

struct Case {
  size_t channels = 1;
  size_t output_width = 1;
  size_t kernel_size = 9;
  size_t step = 0;               // pointers between output pixels (0: kernel_size)
  size_t a_offset = 0;
  size_t output_increment = 0;   // bytes
  int32_t izp = 0, ozp = 0;
  int8_t qmin = -128, qmax = 127;
  float scale_lo = 1e-6f, scale_hi = 1.0f;  // scales drawn log-uniform; 0: adaptive
  bool adaptive_scale = true;
  double padding = 0.2;
  Values values = Values::kRandom;
};

class Qs8DwconvTest : public testing::TestWithParam<DwconvKernel> {
 protected:
  void SetUp() override {
    if (!pqnn_test::isa_enabled(GetParam().isa)) GTEST_SKIP() << "ISA not available";
  }

  void run(const Case& cs) {
    const DwconvKernel& k = GetParam();
    auto& rng = pqnn_test::rng();
    const size_t C = cs.channels, W = cs.output_width, KS = cs.kernel_size;
    const size_t step = cs.step == 0 ? KS : cs.step;
    std::uniform_int_distribution<int> i8(-128, 127), w8(-127, 127);
    std::uniform_real_distribution<double> unit(0.0, 1.0);

    // Weights [taps][channels], bias, per-channel scales.
    std::vector<int8_t> weights(KS * C);
    for (auto& w : weights) {
      w = cs.values == Values::kRandom ? static_cast<int8_t>(w8(rng))
          : (cs.values == Values::kExtremeHigh ? int8_t(127) : int8_t(-127));
    }
    std::vector<int32_t> bias(C);
    std::uniform_int_distribution<int32_t> bdist(-100000, 100000);
    for (auto& b : bias) b = bdist(rng);

    // Input pixels: pointers in the indirection buffer, some at `zero` (padding).
    const size_t npointers = (W - 1) * step + KS;
    std::vector<std::unique_ptr<ExactBuffer<int8_t>>> pixels;
    ExactBuffer<int8_t> zero(C);
    std::fill(zero.begin(), zero.end(), static_cast<int8_t>(cs.izp));
    std::vector<const void*> indirection(npointers);
    std::vector<const int8_t*> real(npointers);  // what each pointer means for the reference
    for (size_t i = 0; i < npointers; i++) {
      if (unit(rng) < cs.padding) {
        indirection[i] = zero.data();
        real[i] = zero.data();
      } else {
        // A pixel pointer minus a_offset must not alias `zero` (the kernel would then
        // take it for padding): re-allocate until it does not (old buffers stay alive).
        do {
          pixels.emplace_back(new ExactBuffer<int8_t>(C));
        } while (reinterpret_cast<uintptr_t>(pixels.back()->data()) - cs.a_offset ==
                 reinterpret_cast<uintptr_t>(zero.data()));
        for (auto& v : *pixels.back()) {
          v = cs.values == Values::kRandom ? static_cast<int8_t>(i8(rng))
              : (cs.values == Values::kExtremeHigh ? int8_t(127) : int8_t(-128));
        }
        real[i] = pixels.back()->data();
        indirection[i] = reinterpret_cast<const void*>(
            reinterpret_cast<uintptr_t>(pixels.back()->data()) - cs.a_offset);
      }
    }

    // Reference accumulators, then scales (adaptive: map the channel's accumulator spread
    // onto about +-200 output steps, so results spread over and beyond the output range).
    std::vector<int32_t> acc(W * C);
    for (size_t x = 0; x < W; x++) {
      for (size_t c = 0; c < C; c++) {
        int32_t a = bias[c];
        for (size_t t = 0; t < KS; t++) {
          a += (static_cast<int32_t>(real[x * step + t][c]) - cs.izp) *
               static_cast<int32_t>(weights[t * C + c]);
        }
        acc[x * C + c] = a;
      }
    }
    std::vector<float> scale(C);
    for (size_t c = 0; c < C; c++) {
      if (cs.adaptive_scale) {
        int64_t m = 1;
        for (size_t x = 0; x < W; x++) m = std::max<int64_t>(m, std::abs(int64_t(acc[x * C + c])));
        scale[c] = std::min(1.0f, std::max(1e-6f, static_cast<float>(200.0 / static_cast<double>(m) *
                                                                   (0.5 + unit(rng)))));
      } else {
        const double l = std::log(cs.scale_lo), h = std::log(cs.scale_hi);
        scale[c] = static_cast<float>(std::exp(l + (h - l) * unit(rng)));
      }
    }

    const size_t padded_taps = (KS + k.tap_group - 1) / k.tap_group * k.tap_group;
    const size_t packed_size = pqnn_packed_dwconv_size(C, padded_taps, k.ct, 1, 4, 4);
    ASSERT_NE(packed_size, 0u);
    std::vector<uint8_t> packed(packed_size, 0xA5);
    pqnn_pack_qs8_dwconv(C, KS, k.ct, k.tap_group, weights.data(), bias.data(), scale.data(),
        cs.izp + k.input_offset, packed.data());

    pqnn_qs8_minmax_params params;
    params.output_min_less_zero_point = static_cast<float>(int32_t(cs.qmin) - cs.ozp);
    params.output_max_less_zero_point = static_cast<float>(int32_t(cs.qmax) - cs.ozp);
    params.output_zero_point = cs.ozp;
    params.output_min = cs.qmin;
    params.output_max = cs.qmax;

    const size_t pixel_stride = C + cs.output_increment;
    ExactBuffer<int8_t> out((W - 1) * pixel_stride + C);
    std::fill(out.begin(), out.end(), int8_t(0x5A));
    k.fn(C, W, KS, indirection.data(), packed.data(), out.data(), step * sizeof(void*),
        cs.output_increment, cs.a_offset, zero.data(), &params);

    size_t clamped = 0;
    for (size_t x = 0; x < W; x++) {
      for (size_t c = 0; c < C; c++) {
        const float f = mul_nc(static_cast<float>(acc[x * C + c]), scale[c]);
        int32_t y = static_cast<int32_t>(std::nearbyint(f)) + cs.ozp;
        if (y < cs.qmin || y > cs.qmax) clamped++;
        y = std::min<int32_t>(std::max<int32_t>(y, cs.qmin), cs.qmax);
        ASSERT_EQ(int32_t(out[x * pixel_stride + c]), y)
            << k.name << " C=" << C << " W=" << W << " KS=" << KS << " x=" << x << " c=" << c
            << " acc=" << acc[x * C + c] << " scale=" << scale[c];
      }
      if (x + 1 < W) {
        for (size_t g = C; g < pixel_stride; g++) {
          ASSERT_EQ(out[x * pixel_stride + g], int8_t(0x5A)) << "gap byte written";
        }
      }
    }
    (void) clamped;
  }

  std::vector<size_t> tap_counts() const {
    if (GetParam().taps != 0) return {GetParam().taps};
    return {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 25, 30};
  }
  std::vector<size_t> channel_counts() const {
    const size_t ct = GetParam().ct;
    std::vector<size_t> v;
    for (size_t c = 1; c <= 3 * ct + 1; c++) v.push_back(c);
    for (size_t c : {4 * ct - 1, 5 * ct + 3, size_t(96), size_t(144), size_t(200)}) v.push_back(c);
    return v;
  }
};

TEST_P(Qs8DwconvTest, channels_and_taps) {
  for (size_t ks : tap_counts()) {
    for (size_t c : channel_counts()) {
      Case cs;
      cs.channels = c;
      cs.kernel_size = ks;
      cs.output_width = 2;
      run(cs);
      if (HasFatalFailure()) return;
    }
  }
}

TEST_P(Qs8DwconvTest, output_width_and_strides) {
  for (size_t ks : tap_counts()) {
    for (size_t w : {1, 2, 3, 5, 8}) {
      for (size_t step : {size_t(0), size_t(1), ks + 2}) {
        Case cs;
        cs.channels = GetParam().ct + 3;
        cs.kernel_size = ks;
        cs.output_width = w;
        cs.step = step;
        cs.output_increment = (w % 2) * 5;
        run(cs);
        if (HasFatalFailure()) return;
      }
    }
  }
}

TEST_P(Qs8DwconvTest, a_offset_and_padding) {
  for (size_t ks : tap_counts()) {
    for (size_t a_offset : {0, 1, 37, 256}) {
      for (double padding : {0.0, 0.5, 1.0}) {
        Case cs;
        cs.channels = 2 * GetParam().ct + 1;
        cs.kernel_size = ks;
        cs.output_width = 3;
        cs.a_offset = a_offset;
        cs.padding = padding;
        cs.izp = 17;
        run(cs);
        if (HasFatalFailure()) return;
      }
    }
  }
}

TEST_P(Qs8DwconvTest, zero_points) {
  for (size_t ks : tap_counts()) {
    for (int32_t izp : {0, -128, 127, -5}) {
      for (int32_t ozp : {0, -128, 127, 9}) {
        Case cs;
        cs.channels = GetParam().ct * 2 + 5;
        cs.kernel_size = ks;
        cs.output_width = 2;
        cs.izp = izp;
        cs.ozp = ozp;
        run(cs);
        if (HasFatalFailure()) return;
      }
    }
  }
}

TEST_P(Qs8DwconvTest, scales_1e6_to_1) {
  for (size_t ks : tap_counts()) {
    for (auto range : std::vector<std::pair<float, float>>{{1e-6f, 1e-5f}, {1e-5f, 1e-3f},
             {1e-3f, 0.1f}, {0.1f, 1.0f}, {1e-6f, 1.0f}}) {
      Case cs;
      cs.channels = GetParam().ct * 3 + 2;
      cs.kernel_size = ks;
      cs.output_width = 2;
      cs.adaptive_scale = false;
      cs.scale_lo = range.first;
      cs.scale_hi = range.second;
      cs.izp = 3;
      cs.ozp = -7;
      run(cs);
      if (HasFatalFailure()) return;
    }
  }
}

TEST_P(Qs8DwconvTest, clamping) {
  for (size_t ks : tap_counts()) {
    for (auto b : std::vector<std::pair<int8_t, int8_t>>{{-50, 60}, {0, 0}, {-128, -100},
             {100, 127}, {-1, 1}}) {
      Case cs;
      cs.channels = GetParam().ct + 1;
      cs.kernel_size = ks;
      cs.output_width = 3;
      cs.qmin = b.first;
      cs.qmax = b.second;
      cs.ozp = 4;
      run(cs);
      if (HasFatalFailure()) return;
    }
  }
}

TEST_P(Qs8DwconvTest, extreme_values) {
  for (size_t ks : tap_counts()) {
    for (Values v : {Values::kExtremeHigh, Values::kExtremeLow}) {
      for (int32_t izp : {-128, 127, 0}) {
        Case cs;
        cs.channels = GetParam().ct * 2 + 3;
        cs.kernel_size = ks;
        cs.output_width = 2;
        cs.values = v;
        cs.izp = izp;
        cs.padding = 0.1;
        run(cs);
        if (HasFatalFailure()) return;
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Kernels, Qs8DwconvTest, testing::ValuesIn(kKernels),
    [](const testing::TestParamInfo<DwconvKernel>& info) { return std::string(info.param.name); });

// The packer against a reference unpacking of its layout.
TEST(Qs8DwconvPacking, layout) {
  auto& rng = pqnn_test::rng();
  std::uniform_int_distribution<int> w8(-127, 127);
  for (size_t ct : {1, 8, 16, 32}) {
    for (size_t taps : {1, 9, 25}) {
      for (size_t C : {size_t(1), ct, ct + 1, 3 * ct - 1}) {
        std::vector<int8_t> k(taps * C);
        for (auto& v : k) v = static_cast<int8_t>(w8(rng));
        std::vector<int32_t> bias(C);
        std::vector<float> scale(C);
        for (size_t c = 0; c < C; c++) {
          bias[c] = static_cast<int32_t>(c) * 1000 - 7;
          scale[c] = 0.5f + static_cast<float>(c);
        }
        const int32_t izp = -3;
        std::vector<uint8_t> packed(pqnn_packed_dwconv_size(C, taps, ct, 1, 4, 4), 0xEE);
        pqnn_pack_qs8_dwconv(C, taps, ct, 1, k.data(), bias.data(), scale.data(), izp, packed.data());
        const size_t tile = ct * 4 + taps * ct + ct * 4;
        ASSERT_EQ(packed.size(), tile * ((C + ct - 1) / ct));
        for (size_t c = 0; c < ((C + ct - 1) / ct) * ct; c++) {
          const uint8_t* base = packed.data() + (c / ct) * tile;
          const size_t j = c % ct;
          int32_t b;
          float s;
          std::memcpy(&b, base + 4 * j, 4);
          std::memcpy(&s, base + 4 * ct + taps * ct + 4 * j, 4);
          int32_t sum = 0;
          for (size_t t = 0; t < taps; t++) {
            const int8_t w = static_cast<int8_t>(base[4 * ct + t * ct + j]);
            ASSERT_EQ(w, c < C ? k[t * C + c] : 0);
            sum += w;
          }
          ASSERT_EQ(b, c < C ? bias[c] - izp * sum : 0);
          ASSERT_EQ(s, c < C ? scale[c] : 0.0f);
        }
      }
    }
  }
  // Tap quads (the vpdpbusd kernels): ceil(taps / 4) x ct x 4, channels in
  // pqnn_qs8_dwconv_channel_order, a permutation of the tile; 9 taps by kernel columns.
  for (size_t ct : {16, 32, 64}) {
    std::vector<bool> seen(ct, false);
    for (size_t s = 0; s < ct; s++) {
      const size_t j = pqnn_qs8_dwconv_channel_order(ct, 4, s);
      ASSERT_LT(j, ct);
      ASSERT_FALSE(seen[j]);
      seen[j] = true;
    }
    for (size_t taps : {1, 4, 9, 25}) {
      for (size_t C : {size_t(1), ct, ct + 1, 3 * ct - 1}) {
        std::vector<int8_t> k(taps * C);
        for (auto& v : k) v = static_cast<int8_t>(w8(rng));
        std::vector<int32_t> bias(C, 77);
        std::vector<float> scale(C);
        for (size_t c = 0; c < C; c++) scale[c] = 0.25f + static_cast<float>(c);
        const size_t quads = (taps + 3) / 4;
        std::vector<uint8_t> packed(pqnn_packed_dwconv_size(C, 4 * quads, ct, 1, 4, 4), 0xEE);
        pqnn_pack_qs8_dwconv(C, taps, ct, 4, k.data(), bias.data(), scale.data(), 125,
            packed.data());
        const size_t tile = ct * 4 + quads * 4 * ct + ct * 4;
        ASSERT_EQ(packed.size(), tile * ((C + ct - 1) / ct));
        for (size_t c0 = 0; c0 < C; c0 += ct) {
          const uint8_t* base = packed.data() + (c0 / ct) * tile;
          for (size_t s = 0; s < ct; s++) {
            const size_t c = c0 + pqnn_qs8_dwconv_channel_order(ct, 4, s);
            int32_t b, sum = 0;
            float sc;
            std::memcpy(&b, base + 4 * s, 4);
            std::memcpy(&sc, base + 4 * ct + quads * 4 * ct + 4 * s, 4);
            for (size_t t = 0; t < 4 * quads; t++) {
              const int8_t w = static_cast<int8_t>(base[4 * ct + (t / 4) * 4 * ct + 4 * s + t % 4]);
              // 9 taps (3x3) by kernel columns: quad q = taps q, q + 3, q + 6, 0.
              const size_t tap = taps == 9 ? (t % 4 < 3 ? 3 * (t % 4) + t / 4 : SIZE_MAX)
                                           : (t < taps ? t : SIZE_MAX);
              ASSERT_EQ(tap, pqnn_dwconv_quad_tap(taps, t));
              ASSERT_EQ(w, c < C && tap != SIZE_MAX ? k[tap * C + c] : 0)
                  << "ct=" << ct << " s=" << s << " t=" << t;
              sum += w;
            }
            ASSERT_EQ(b, c < C ? 77 - 125 * sum : 0);
            ASSERT_EQ(sc, c < C ? scale[c] : 0.0f);
          }
        }
      }
    }
  }
  // NULL bias packs as zero.
  std::vector<int8_t> k(9 * 3, 1);
  std::vector<float> scale(3, 1.0f);
  std::vector<uint8_t> packed(pqnn_packed_dwconv_size(3, 9, 8, 1, 4, 4));
  pqnn_pack_qs8_dwconv(3, 9, 8, 1, k.data(), nullptr, scale.data(), 2, packed.data());
  int32_t b;
  std::memcpy(&b, packed.data(), 4);
  EXPECT_EQ(b, -2 * 9);
}

}  // namespace
