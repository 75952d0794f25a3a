// Kernel tester for the f32 Winograd F(4x4, 3x3) transform lines (f32-winograd-input,
// f32-winograd-output; contract in src/microkernels.h), every kernel of this build from
// the family lists: each SIMD kernel gives the scalar kernel's bits (NaN for NaN) for
// every channel count 1..67, and the scalar kernel is within a few roundings of the
// transform evaluated in double (3e-7 of the sum of the magnitudes of its terms). The
// output kernels' flag is checked against the values before the clamp; inputs are
// exact-size heap buffers (AddressSanitizer sees reads past `channels`), outputs lines in
// one buffer with gaps that must keep their poison.
#include <gtest/gtest.h>

#include <cfloat>
#include <cmath>
#include <cstring>
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
  bool scalar() const { return std::string(name).find("__scalar") != std::string::npos; }
};

#define PQNN_UKERNEL(tier, mr, nr, kr, input_offset, fn) {#fn, reinterpret_cast<void (*)()>(fn), tier},
const Kernel kInput[] = {
#include "microkernels/f32-winograd-input/f32-winograd-input.inc"
};
const Kernel kOutput[] = {
#include "microkernels/f32-winograd-output/f32-winograd-output.inc"
};
#undef PQNN_UKERNEL

void PrintTo(const Kernel& k, std::ostream* os) { *os << k.name; }
std::string kernel_name(const testing::TestParamInfo<Kernel>& info) { return info.param.name; }

template <size_t N>
const Kernel& scalar_of(const Kernel (&list)[N]) {
  for (const Kernel& k : list) {
    if (k.scalar()) return k;
  }
  ADD_FAILURE() << "no scalar kernel";
  return list[0];
}

constexpr size_t kMaxChannels = 67;
constexpr float kPoison = 12345.0f;
const double kBT[6][6] = {
  {4, 0, -5, 0, 1, 0}, {0, -4, -4, 1, 1, 0}, {0, 4, -4, -1, 1, 0},
  {0, -2, -1, 2, 1, 0}, {0, 2, -1, -2, 1, 0}, {0, 4, 0, -5, 0, 1},
};
const double kAT[4][6] = {
  {1, 1, 1, 1, 1, 0}, {0, 1, -1, 2, -2, 0}, {0, 1, 1, 4, 4, 0}, {0, 1, -1, 8, -8, 1},
};

uint32_t bits(float x) { return std::isnan(x) ? 0x7FC00000u : pqnn_test::float_bits(x); }

std::vector<ExactBuffer<float>> streams(size_t count, size_t channels, float span,
    bool specials) {
  auto& rng = pqnn_test::rng();
  std::uniform_real_distribution<float> dist(-span, span);
  std::vector<ExactBuffer<float>> out;
  for (size_t j = 0; j < count; j++) {
    out.emplace_back(channels);
    for (float& x : out.back()) x = dist(rng);
  }
  if (specials) {
    const float inf = std::numeric_limits<float>::infinity();
    const float s[] = {inf, -inf, std::numeric_limits<float>::quiet_NaN(), FLT_MAX, -FLT_MAX,
        -0.0f, 1e-40f};
    std::uniform_int_distribution<size_t> line(0, count - 1), channel(0, channels - 1);
    for (float v : s) out[line(rng)][channel(rng)] = v;
    out[line(rng)][channel(rng)] = inf;  // at least one infinity survives
  }
  return out;
}

// The lines of one output buffer: line k at k * stride, the gaps poisoned.
struct Lines {
  Lines(size_t lines, size_t channels) : stride(channels + 3),
      buffer(pqnn_test::span(lines, channels, channels + 3)), channels(channels) {
    std::fill(buffer.begin(), buffer.end(), kPoison);
  }
  float* line(size_t k) { return buffer.data() + k * stride; }
  void expect_gaps_untouched() {
    for (size_t i = 0; i < buffer.size(); i++) {
      if (i % stride >= channels) {
        ASSERT_EQ(buffer[i], kPoison) << "wrote a gap at " << i;
      }
    }
  }
  size_t stride;
  ExactBuffer<float> buffer;
  size_t channels;
};

// ---------------------------------------------------------------------------------------
// f32-winograd-input
// ---------------------------------------------------------------------------------------
class InputTest : public testing::TestWithParam<Kernel> {
 protected:
  void SetUp() override {
    if (!pqnn_test::isa_enabled(GetParam().isa)) GTEST_SKIP() << "ISA not available";
  }
  static void run(const Kernel& k, std::vector<ExactBuffer<float>>& d, Lines& o) {
    const float* p[6];
    for (size_t j = 0; j < 6; j++) p[j] = d[j].data();
    reinterpret_cast<pqnn_winograd_input_ukernel_fn>(k.fn)(o.channels, p, o.line(0),
        o.stride * sizeof(float));
  }
};

TEST_P(InputTest, ScalarBitsEveryChannelCount) {
  for (bool specials : {false, true}) {
    for (size_t c = 1; c <= kMaxChannels; c++) {
      auto d = streams(6, c, 10.0f, specials);
      Lines got(6, c), want(6, c);
      run(GetParam(), d, got);
      run(scalar_of(kInput), d, want);
      got.expect_gaps_untouched();
      for (size_t k = 0; k < 6; k++) {
        for (size_t i = 0; i < c; i++) {
          ASSERT_EQ(bits(got.line(k)[i]), bits(want.line(k)[i]))
              << "channels " << c << " line " << k << " channel " << i;
        }
      }
    }
  }
}

TEST_P(InputTest, AgainstDouble) {
  for (size_t c = 1; c <= kMaxChannels; c += 3) {
    auto d = streams(6, c, 100.0f, false);
    Lines got(6, c);
    run(GetParam(), d, got);
    for (size_t k = 0; k < 6; k++) {
      for (size_t i = 0; i < c; i++) {
        double ref = 0, mag = 0;
        for (size_t j = 0; j < 6; j++) {
          ref += kBT[k][j] * d[j][i];
          mag += std::fabs(kBT[k][j] * d[j][i]);
        }
        ASSERT_NEAR(got.line(k)[i], ref, 3e-7 * mag) << "channels " << c << " line " << k;
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Kernels, InputTest, testing::ValuesIn(kInput), kernel_name);

// ---------------------------------------------------------------------------------------
// f32-winograd-output
// ---------------------------------------------------------------------------------------
class OutputTest : public testing::TestWithParam<Kernel> {
 protected:
  void SetUp() override {
    if (!pqnn_test::isa_enabled(GetParam().isa)) GTEST_SKIP() << "ISA not available";
  }
  static int run(const Kernel& k, Lines& m, const ExactBuffer<float>& bias, Lines& y,
      float min, float max) {
    float* p[4];
    for (size_t j = 0; j < 4; j++) p[j] = y.line(j);
    const pqnn_f32_minmax_params params = {min, max};
    return reinterpret_cast<pqnn_winograd_output_ukernel_fn>(k.fn)(m.channels, m.line(0),
        m.stride * sizeof(float), p, bias.data(), &params);
  }
  static Lines fill(size_t c, float span, bool specials) {
    auto d = streams(6, c, span, specials);
    Lines m(6, c);
    for (size_t j = 0; j < 6; j++) std::copy(d[j].begin(), d[j].end(), m.line(j));
    return m;
  }
};

TEST_P(OutputTest, ScalarBitsAndFlagEveryChannelCount) {
  for (bool specials : {false, true}) {
    for (size_t c = 1; c <= kMaxChannels; c++) {
      for (auto bounds : {std::make_pair(-INFINITY, INFINITY), std::make_pair(-20.0f, 30.0f)}) {
        Lines m = fill(c, 10.0f, specials);
        auto b = streams(1, c, 5.0f, false);
        Lines got(4, c), want(4, c);
        const int got_flag = run(GetParam(), m, b[0], got, bounds.first, bounds.second);
        const int want_flag = run(scalar_of(kOutput), m, b[0], want, bounds.first, bounds.second);
        EXPECT_EQ(got_flag != 0, want_flag != 0) << "channels " << c;
        EXPECT_EQ(want_flag != 0, specials) << "channels " << c;
        got.expect_gaps_untouched();
        for (size_t k = 0; k < 4; k++) {
          for (size_t i = 0; i < c; i++) {
            ASSERT_EQ(bits(got.line(k)[i]), bits(want.line(k)[i]))
                << "channels " << c << " line " << k << " channel " << i;
          }
        }
      }
    }
  }
}

// Values before the clamp against double; the clamp; the flag for one overflowing sum in
// any channel (finite inputs, 8 * FLT_MAX / 4 overflows) and its absence otherwise.
TEST_P(OutputTest, AgainstDoubleClampAndOverflow) {
  for (size_t c = 1; c <= kMaxChannels; c += 2) {
    Lines m = fill(c, 100.0f, false);
    auto b = streams(1, c, 5.0f, false);
    Lines got(4, c), clamped(4, c);
    EXPECT_EQ(run(GetParam(), m, b[0], got, -INFINITY, INFINITY), 0);
    EXPECT_EQ(run(GetParam(), m, b[0], clamped, -50.0f, 70.0f), 0);
    for (size_t k = 0; k < 4; k++) {
      for (size_t i = 0; i < c; i++) {
        double ref = b[0][i], mag = std::fabs(b[0][i]);
        for (size_t j = 0; j < 6; j++) {
          ref += kAT[k][j] * m.line(j)[i];
          mag += std::fabs(kAT[k][j] * m.line(j)[i]);
        }
        ASSERT_NEAR(got.line(k)[i], ref, 3e-7 * mag) << "channels " << c << " line " << k;
        const float v = got.line(k)[i];
        ASSERT_EQ(clamped.line(k)[i], v < -50.0f ? -50.0f : v > 70.0f ? 70.0f : v);
      }
    }
    const size_t at = c / 2;
    m.line(3)[at] = FLT_MAX / 4;
    m.line(4)[at] = -FLT_MAX / 4;  // s3 = 8 (m3 - m4) overflows; s0 and s2 do not
    EXPECT_NE(run(GetParam(), m, b[0], got, -1.0f, 1.0f), 0) << "channels " << c;
    EXPECT_EQ(got.line(3)[at], 1.0f);  // +inf clamped
  }
}

// Two outputs may be one pointer (the operator's discard row): the last store wins.
TEST_P(OutputTest, SharedOutputPointer) {
  const size_t c = 37;
  Lines m = fill(c, 10.0f, false);
  auto b = streams(1, c, 5.0f, false);
  Lines want(4, c);
  run(scalar_of(kOutput), m, b[0], want, -INFINITY, INFINITY);
  ExactBuffer<float> shared(c), first(c);
  float* p[4] = {first.data(), shared.data(), shared.data(), shared.data()};
  const pqnn_f32_minmax_params params = {-INFINITY, INFINITY};
  reinterpret_cast<pqnn_winograd_output_ukernel_fn>(GetParam().fn)(c, m.line(0),
      m.stride * sizeof(float), p, b[0].data(), &params);
  for (size_t i = 0; i < c; i++) {
    ASSERT_EQ(bits(first[i]), bits(want.line(0)[i]));
    ASSERT_EQ(bits(shared[i]), bits(want.line(3)[i]));
  }
}

INSTANTIATE_TEST_SUITE_P(Kernels, OutputTest, testing::ValuesIn(kOutput), kernel_name);

}  // namespace
