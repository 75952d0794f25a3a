// Kernel tester for the f32 elementwise families (f32-vunary, f32-vbinary; contract in
// src/microkernels.h), every kernel of this build from the family lists: exact operators
// bit-exact with the scalar kernel of the same operator (NaN for NaN, payload free), the
// transcendental ones (exp, sigmoid, swish, tanh) within 4 ulp of a double-precision
// reference (1e-37 absolute below 2^-125), with the stated NaN / Inf results; gelu, erf and
// log both bit-exact with their scalar kernel and within their bound of a double reference,
// over the whole float range too (gelu on the FMA tiers avx2, avx512skx and neon: the bound
// only, its multiply-adds fused). Every n from
// 1 to 3 * 16 + 1 (three vectors of the widest tier plus a tail), in place (y == x, y == a,
// y == b) and out of place, in exact-size buffers so AddressSanitizer sees any access past n.
#include <gtest/gtest.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
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

// Same bits, or both NaN (NaN payloads are not part of the contract: x86 and Arm pick
// different payloads for two NaN operands and different default NaNs).
uint32_t float_bits(float x) { return std::isnan(x) ? 0x7FC00000u : pqnn_test::float_bits(x); }

struct Kernel {
  const char* name;
  void (*fn)();
  enum pqnn_isa isa;
  // The operator: the name between "ukernel_" and "__".
  std::string op() const {
    const std::string s = name;
    const size_t a = s.find("ukernel_") + 8;
    return s.substr(a, s.rfind("__") - a);
  }
  bool scalar() const { return std::string(name).find("__scalar") != std::string::npos; }
};

#define PQNN_UKERNEL(tier, mr, nr, kr, input_offset, fn) {#fn, reinterpret_cast<void (*)()>(fn), tier},
const Kernel kUnary[] = {
#include "microkernels/f32-vunary/f32-vunary.inc"
};
const Kernel kBinary[] = {
#include "microkernels/f32-vbinary/f32-vbinary.inc"
};
const Kernel kMulAdd[] = {
#include "microkernels/f32-vmuladd/f32-vmuladd.inc"
};
const Kernel kSelect32[] = {
#include "microkernels/x32-vselect/x32-vselect.inc"
};
const Kernel kSelect16[] = {
#include "microkernels/x16-vselect/x16-vselect.inc"
};
#undef PQNN_UKERNEL

void PrintTo(const Kernel& k, std::ostream* os) { *os << k.name; }

// The kernels of [begin, end) whose operator (and tier) a test applies to: each property
// below is its own test suite instantiated with exactly those kernels, so a kernel is
// skipped only when this CPU lacks its ISA.
template <typename Pred>
std::vector<Kernel> kernels_where(const Kernel* begin, const Kernel* end, Pred pred) {
  std::vector<Kernel> out;
  for (const Kernel* k = begin; k != end; k++) {
    if (pred(*k)) out.push_back(*k);
  }
  return out;
}
std::string kernel_name(const testing::TestParamInfo<Kernel>& info) { return info.param.name; }

pqnn_vunary_ukernel_fn unary_fn(const Kernel& k) { return reinterpret_cast<pqnn_vunary_ukernel_fn>(k.fn); }
pqnn_vbinary_ukernel_fn binary_fn(const Kernel& k) { return reinterpret_cast<pqnn_vbinary_ukernel_fn>(k.fn); }

// The scalar kernel of the same operator: the reference of the exact operators.
const Kernel& scalar_of(const Kernel* begin, const Kernel* end, const std::string& op) {
  for (const Kernel* k = begin; k != end; k++) {
    if (k->scalar() && k->op() == op) return *k;
  }
  ADD_FAILURE() << "no scalar kernel for " << op;
  return *begin;
}

constexpr size_t kMaxN = 3 * 16 + 1;

// Edge values every input mixes in: signed zeros, infinities, NaNs (two payloads),
// denormals, the extremes, and values at the operators' breakpoints.
std::vector<float> specials() {
  const float inf = std::numeric_limits<float>::infinity();
  std::vector<float> v = {0.0f, -0.0f, inf, -inf, std::numeric_limits<float>::quiet_NaN(),
      pqnn_test::bits_float(0xFFC00123u), FLT_MIN, -FLT_MIN, 1e-40f, -1e-40f, FLT_MAX, -FLT_MAX,
      1.0f, -1.0f, 3.0f, -3.0f, 6.0f, -6.0f, 0.25f, -0.25f, 0.2499999f, 88.72f, 88.73f, -86.6f,
      -86.7f, -87.4f, -103.0f, -104.0f, 9.0f, -9.5f, 0.5f, 1e-6f, -1e-6f, 20.0f, -20.0f};
  return v;
}

// n values: random in [-span, span] with the specials at random positions.
std::vector<float> input(size_t n, float span, bool with_specials) {
  auto& rng = pqnn_test::rng();
  std::uniform_real_distribution<float> dist(-span, span);
  std::vector<float> v(n);
  for (auto& x : v) x = dist(rng);
  if (with_specials) {
    const std::vector<float> s = specials();
    std::uniform_int_distribution<size_t> pick(0, s.size() - 1);
    for (size_t i = 0; i < n; i += 2) v[(i * 7 + 3) % n] = s[pick(rng)];
  }
  return v;
}

// Operators with one arithmetic on every tier (scripts/kernels/elementwise.py UNARY_PORTABLE):
// held to the scalar kernel's bits and to an error bound.
bool portable(const std::string& op) { return op == "gelu" || op == "erf" || op == "log"; }
// gelu on the tiers that fuse its multiply-adds (scripts/kernels/elementwise.py FUSED_GELU):
// held to the bound over the whole float range, not to the scalar kernel's bits.
bool fused_gelu(const Kernel& k) {
  const std::string name = k.name;
  return k.op() == "gelu" && (name.find("__avx2") != std::string::npos ||
      name.find("__avx512skx") != std::string::npos || name.find("__neon") != std::string::npos);
}
// Operators held to an error bound instead of bits.
bool transcendental(const std::string& op) {
  return op == "exp" || op == "sigmoid" || op == "swish" || op == "tanh";
}
bool bounded(const std::string& op) { return transcendental(op) || portable(op); }

pqnn_f32_elementwise_params unary_params(const std::string& op) {
  if (op == "lrelu") return {0.0f, 0.0f, 0.01f, 0.0f};
  if (op == "hsigmoid") return {0.0f, 0.0f, 1.0f / 6.0f, 0.5f};
  if (op == "clamp") return {-1.5f, 2.5f, 0.0f, 0.0f};
  return {-INFINITY, INFINITY, 0.0f, 0.0f};
}

// ---------------------------------------------------------------------------------------
// f32-vunary
// ---------------------------------------------------------------------------------------
class VUnaryTest : public testing::TestWithParam<Kernel> {
 protected:
  void SetUp() override {
    if (!pqnn_test::isa_enabled(GetParam().isa)) GTEST_SKIP() << "ISA not available";
  }
  // Runs the kernel on x (out of place and in place); returns the out-of-place result and
  // checks that in place gives the same bits.
  std::vector<float> run(const std::vector<float>& x, const pqnn_f32_elementwise_params& p) {
    const size_t n = x.size();
    ExactBuffer<float> in(n), out(n), inplace(n);
    std::copy(x.begin(), x.end(), in.begin());
    std::copy(x.begin(), x.end(), inplace.begin());
    std::fill(out.begin(), out.end(), 12345.0f);
    ExactBuffer<pqnn_f32_elementwise_params> params(1);
    params[0] = p;
    unary_fn(GetParam())(n, in.data(), out.data(), params.data());
    unary_fn(GetParam())(n, inplace.data(), inplace.data(), params.data());
    for (size_t i = 0; i < n; i++) {
      EXPECT_EQ(float_bits(out[i]), float_bits(inplace[i])) << "in place differs at i=" << i << " n=" << n;
      EXPECT_EQ(float_bits(in[i]), float_bits(x[i])) << "input modified at i=" << i;
    }
    return std::vector<float>(out.begin(), out.end());
  }
};

// Exact operators: the scalar kernel's bits on every tier.
class VUnaryExactTest : public VUnaryTest {};
// exp, sigmoid, swish, tanh, gelu, erf, log: within the error bound of the contract.
class VUnaryBoundedTest : public VUnaryTest {};
// gelu, erf, log over the whole float range (a stride through every bit pattern).
class VUnaryFullRangeTest : public VUnaryTest {};
// exp, sigmoid, swish, tanh, gelu, erf, log: the stated NaN / Inf / signed-zero results.
class VUnarySpecialValuesTest : public VUnaryTest {};
// The scalar kernels of the exact operators: the formulas of pqnn.h.
class VUnaryScalarFormulaTest : public VUnaryTest {};

TEST_P(VUnaryExactTest, match_scalar_bits) {
  const std::string op = GetParam().op();
  const Kernel& ref = scalar_of(std::begin(kUnary), std::end(kUnary), op);
  const pqnn_f32_elementwise_params p = unary_params(op);
  for (size_t n = 1; n <= kMaxN; n++) {
    for (float span : {1.0f, 10.0f, 1e30f}) {
      const std::vector<float> x = input(n, span, true);
      const std::vector<float> y = run(x, p);
      std::vector<float> want(n);
      unary_fn(ref)(n, x.data(), want.data(), &p);
      for (size_t i = 0; i < n; i++) {
        ASSERT_EQ(float_bits(y[i]), float_bits(want[i]))
            << op << " n=" << n << " i=" << i << " x=" << x[i] << " got " << y[i] << " want " << want[i];
      }
    }
  }
}

double reference(const std::string& op, double x) {
  const double s = 1.0 / (1.0 + std::exp(-x));
  if (op == "exp") return std::exp(x);
  if (op == "sigmoid") return s;
  if (op == "swish") return x * s;
  if (op == "log") return std::log(x);
  if (op == "erf") return std::erf(x);
  if (op == "gelu") return 0.5 * x * std::erfc(-x * 0.70710678118654752440);
  return std::tanh(x);
}

// ulp of the float nearest v (of FLT_TRUE_MIN's scale below the normal range).
double ulp(double v) {
  const float f = static_cast<float>(std::fabs(v));
  if (!(f < FLT_MAX)) return std::ldexp(1.0, 104);
  return static_cast<double>(std::nextafter(f, INFINITY)) - static_cast<double>(f);
}

constexpr double kUlpBound = 4.0;
constexpr double kTiny = 0x1p-125;
// The bounds of the portable operators (src/microkernels.h), in ulp of the result for results
// of magnitude >= 2^-126; below, gelu's absolute bound (its denormal results).
double ulp_bound(const std::string& op) {
  if (op == "gelu") return 8.0;
  if (op == "erf") return 4.0;
  if (op == "log") return 4.0;
  return kUlpBound;
}
constexpr double kGeluDenormal = 1e-44;
// A special_values entry left to the bounded tests.
constexpr float kUnchecked = 12345.0f;
// Below this, sigmoid(x) < 2^-125 may be flushed to 0, and swish's error is |x| 2^-125.
constexpr float kSwishFlush = -86.64f;

TEST_P(VUnaryBoundedTest, bounded_error) {
  const std::string op = GetParam().op();
  const pqnn_f32_elementwise_params p = unary_params(op);
  double worst = 0.0;
  for (float span : {0.3f, 1.0f, 4.0f, 20.0f, 100.0f}) {
    for (size_t n = 1; n <= kMaxN; n++) {
      const std::vector<float> x = input(n, span, false);
      const std::vector<float> y = run(x, p);
      for (size_t i = 0; i < n; i++) {
        const double want = reference(op, x[i]);
        const double err = std::fabs(static_cast<double>(y[i]) - want);
        if (std::isnan(want) || std::isinf(want)) {
          ASSERT_EQ(float_bits(y[i]), float_bits(static_cast<float>(want))) << op << " x=" << x[i];
        } else if (op == "swish" && x[i] < kSwishFlush) {
          ASSERT_LE(err, std::fabs(x[i]) * kTiny) << op << " x=" << x[i] << " got " << y[i];
        } else if (std::fabs(want) >= kTiny || std::fabs(y[i]) >= kTiny) {
          if (std::fabs(want) > FLT_MAX) {
            ASSERT_TRUE(std::isinf(y[i]) || std::fabs(y[i]) >= FLT_MAX * 0.999f) << op << " x=" << x[i];
            continue;
          }
          worst = std::max(worst, err / ulp(want));
          ASSERT_LE(err, ulp_bound(op) * ulp(want)) << op << " x=" << x[i] << " got " << y[i] << " want " << want;
        } else {
          ASSERT_LE(err, 1e-37) << op << " x=" << x[i] << " got " << y[i] << " want " << want;
        }
      }
    }
  }
  // A dense sweep of [-30, 30] (every breakpoint of the algorithms is in it).
  std::vector<float> x;
  for (float v = -30.0f; v <= 30.0f; v += 0.00731f) x.push_back(v);
  const std::vector<float> y = run(x, p);
  for (size_t i = 0; i < x.size(); i++) {
    const double want = reference(op, x[i]);
    const double err = std::fabs(static_cast<double>(y[i]) - want);
    if (std::isnan(want) || std::isinf(want)) {
      ASSERT_EQ(float_bits(y[i]), float_bits(static_cast<float>(want))) << op << " x=" << x[i];
    } else if (std::fabs(want) >= kTiny) {
      worst = std::max(worst, err / ulp(want));
      ASSERT_LE(err, ulp_bound(op) * ulp(want)) << op << " x=" << x[i] << " got " << y[i] << " want " << want;
    } else {
      ASSERT_LE(err, 1e-37) << op << " x=" << x[i];
    }
  }
  RecordProperty("max_ulp", std::to_string(worst));
  std::printf("%s: max error %.2f ulp\n", GetParam().name, worst);
}

// The error of a portable operator's result y against the double reference at x, in ulp of
// the reference (0 where it is exact), or -1 when it breaks the operator's bound.
double portable_error(const std::string& op, float x, float y) {
  const double want = reference(op, x);
  if (std::isnan(want) || std::isinf(want)) {
    return float_bits(y) == float_bits(static_cast<float>(want)) ? 0.0 : -1.0;
  }
  const double err = std::fabs(static_cast<double>(y) - want);
  if (op == "gelu" && std::fabs(want) < 0x1p-126) return err <= kGeluDenormal ? 0.0 : -1.0;
  if (std::fabs(want) > FLT_MAX) return std::isinf(y) || std::fabs(y) == FLT_MAX ? 0.0 : -1.0;
  const double e = err / ulp(want);
  // gelu: also 2^-21 relative (the node's contract, src/runtime/node-kernels.h).
  if (op == "gelu" && err > std::ldexp(std::fabs(want), -21)) return -1.0;
  return e <= ulp_bound(op) ? e : -1.0;
}

// Every 4093rd bit pattern, then +-every `step`-th float of the bit range [lo, hi).
std::vector<float> float_range(uint32_t lo, uint32_t hi, uint32_t step) {
  std::vector<float> x;
  for (uint64_t b = 0; b <= 0xFFFFFFFFu; b += 4093) x.push_back(pqnn_test::bits_float(static_cast<uint32_t>(b)));
  for (uint32_t b = lo; b < hi; b += step) {
    x.push_back(pqnn_test::bits_float(b));
    x.push_back(-pqnn_test::bits_float(b));
  }
  return x;
}

TEST_P(VUnaryFullRangeTest, whole_float_range) {
  const std::string op = GetParam().op();
  const Kernel& ref = scalar_of(std::begin(kUnary), std::end(kUnary), op);
  const pqnn_f32_elementwise_params p = unary_params(op);
  // Every 4093rd bit pattern (both signs, every exponent, denormals, Inf, NaNs) in blocks
  // whose sizes vary the tail, plus every float of [2^-3, 2^3) at a finer stride.
  const std::vector<float> x = float_range(0x3E000000u, 0x41000000u, 97);
  double worst = 0.0;
  float worst_x = 0.0f;
  for (size_t i = 0; i < x.size();) {
    const size_t n = std::min<size_t>(x.size() - i, 1000 + i % 37);
    const std::vector<float> y = run(std::vector<float>(x.begin() + i, x.begin() + i + n), p);
    // The scalar kernel's bits here too: blocks this long take the SIMD kernels' main loop
    // (up to 6 vectors a step), which match_scalar_bits' short rows (kMaxN) do not reach.
    std::vector<float> want(n);
    unary_fn(ref)(n, x.data() + i, want.data(), &p);
    const bool bits = !fused_gelu(GetParam());
    for (size_t j = 0; j < n; j++) {
      if (bits) {
        ASSERT_EQ(float_bits(y[j]), float_bits(want[j])) << op << " x=" << x[i + j] << " got " << y[j]
            << " want (scalar kernel) " << want[j];
      }
      const double e = portable_error(op, x[i + j], y[j]);
      ASSERT_GE(e, 0.0) << op << " x=" << x[i + j] << " (bits 0x" << std::hex
          << pqnn_test::float_bits(x[i + j]) << std::dec << ") got " << y[j] << " want "
          << reference(op, x[i + j]);
      if (e > worst) {
        worst = e;
        worst_x = x[i + j];
      }
    }
    i += n;
  }
  RecordProperty("max_ulp", std::to_string(worst));
  std::printf("%s: max error %.2f ulp at x = %a over %zu floats\n", GetParam().name, worst, worst_x, x.size());
}

TEST_P(VUnarySpecialValuesTest, special_values) {
  const std::string op = GetParam().op();
  const float inf = std::numeric_limits<float>::infinity();
  const std::vector<float> x = {std::numeric_limits<float>::quiet_NaN(), -std::numeric_limits<float>::quiet_NaN(),
      inf, -inf, 0.0f, -0.0f, 1000.0f, -1000.0f};
  const std::vector<float> y = run(x, unary_params(op));
  EXPECT_TRUE(std::isnan(y[0]) && std::isnan(y[1])) << op << " of NaN";
  const std::map<std::string, std::vector<float>> want = {
      {"exp", {inf, 0.0f, 1.0f, 1.0f, inf, 0.0f}},
      {"sigmoid", {1.0f, 0.0f, 0.5f, 0.5f, 1.0f, 0.0f}},
      {"swish", {inf, std::numeric_limits<float>::quiet_NaN(), 0.0f, -0.0f, 1000.0f, -0.0f}},
      {"tanh", {1.0f, -1.0f, 0.0f, -0.0f, 1.0f, -1.0f}},
      {"gelu", {inf, -0.0f, 0.0f, -0.0f, 1000.0f, -0.0f}},
      {"erf", {1.0f, -1.0f, 0.0f, -0.0f, 1.0f, -1.0f}},
      // log(1000) is held to its bound by the other tests (kUnchecked).
      {"log", {inf, std::numeric_limits<float>::quiet_NaN(), -inf, -inf, kUnchecked,
               std::numeric_limits<float>::quiet_NaN()}},
  };
  const std::vector<float>& w = want.at(op);
  for (size_t i = 0; i < w.size(); i++) {
    if (w[i] == kUnchecked) continue;
    if (std::isnan(w[i])) {
      EXPECT_TRUE(std::isnan(y[i + 2])) << op << "(" << x[i + 2] << ") = " << y[i + 2];
    } else {
      EXPECT_EQ(y[i + 2], w[i]) << op << "(" << x[i + 2] << ")";
      if (w[i] == 0.0f && op != "exp" && op != "sigmoid" && op != "swish") {
        EXPECT_EQ(std::signbit(y[i + 2]), std::signbit(w[i])) << op << "(" << x[i + 2] << ") sign";
      }
    }
  }
}

// The scalar kernels of the exact operators against the formulas of pqnn.h (the other
// tiers are held to their bits).
TEST_P(VUnaryScalarFormulaTest, formula) {
  const std::string op = GetParam().op();
  const pqnn_f32_elementwise_params p = unary_params(op);
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const std::vector<float> x = {-7.0f, -3.5f, -1.0f, -0.0f, 0.0f, 0.3f, 2.0f, 3.25f, 9.0f, nan};
  const std::vector<float> y = run(x, p);
  for (size_t i = 0; i < x.size(); i++) {
    const float v = x[i];
    const auto clamp = [](float t, float lo, float hi) { return t < lo ? lo : (t > hi ? hi : t); };
    float want = 0.0f;
    if (op == "relu") want = v < 0.0f ? 0.0f : v;
    if (op == "lrelu") want = v < 0.0f ? p.alpha * v : v;
    if (op == "hsigmoid") want = clamp(p.alpha * v + p.beta, 0.0f, 1.0f);
    if (op == "hswish") want = v * clamp(v + 3.0f, 0.0f, 6.0f) * (1.0f / 6.0f);
    if (op == "clamp") want = clamp(v, p.min, p.max);
    if (op == "sqrt") want = std::sqrt(v);
    if (op == "abs") want = std::fabs(v);
    if (op == "neg") want = -v;
    if (op == "sqr") want = v * v;
    if (op == "floor") want = std::floor(v);
    if (op == "ceil") want = std::ceil(v);
    if (op == "round") want = std::nearbyint(v);
    if (std::isnan(v)) {
      EXPECT_TRUE(std::isnan(y[i])) << op << " of NaN";
    } else {
      EXPECT_EQ(float_bits(y[i]), float_bits(want)) << op << "(" << v << ") = " << y[i];
    }
  }
}

bool has_special_values(const std::string& op) { return bounded(op); }

// floor, ceil, round (half to even) on every tier: the C library's bits (std::floor,
// std::ceil, std::nearbyint in the default rounding mode) over every 4093rd bit pattern and
// every float of [2^-2, 2^3) and around 2^23 at a finer stride (ties, signs, the SSE2
// tier's 2^23 boundary), plus the stated values.
bool rounding(const std::string& op) { return op == "floor" || op == "ceil" || op == "round"; }
float rounding_reference(const std::string& op, float v) {
  if (op == "floor") return std::floor(v);
  if (op == "ceil") return std::ceil(v);
  return std::nearbyint(v);
}
class VUnaryRoundingTest : public VUnaryTest {};

TEST_P(VUnaryRoundingTest, library_bits) {
  const std::string op = GetParam().op();
  const pqnn_f32_elementwise_params p = unary_params(op);
  std::vector<float> x = float_range(0x3E800000u, 0x41000000u, 61);
  for (uint32_t b = 0x4AFFF000u; b < 0x4B001000u; b++) {
    x.push_back(pqnn_test::bits_float(b));
    x.push_back(-pqnn_test::bits_float(b));
  }
  for (float h = -40.5f; h <= 40.5f; h += 0.5f) x.push_back(h);
  for (size_t i = 0; i < x.size();) {
    const size_t n = std::min<size_t>(x.size() - i, 1000 + i % 37);
    const std::vector<float> y = run(std::vector<float>(x.begin() + i, x.begin() + i + n), p);
    for (size_t j = 0; j < n; j++) {
      const float want = rounding_reference(op, x[i + j]);
      ASSERT_EQ(float_bits(y[j]), float_bits(want)) << op << " x=" << x[i + j] << " (bits 0x"
          << std::hex << pqnn_test::float_bits(x[i + j]) << std::dec << ") got " << y[j] << " want " << want;
    }
    i += n;
  }
}

TEST_P(VUnaryRoundingTest, stated_values) {
  const std::string op = GetParam().op();
  const float inf = std::numeric_limits<float>::infinity();
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const std::vector<float> x = {-0.5f, 0.5f, 1.5f, 2.5f, -2.5f, -0.7f, 0.7f, -0.0f, 0.0f, 0x1.0p+23f,
      -0x1.0p+23f, 0x1.FFFFFEp+22f, -0x1.FFFFFEp+22f, 0x1.000002p+23f, inf, -inf, 1e-40f, -1e-40f, nan};
  const std::map<std::string, std::vector<float>> want = {
      {"floor", {-1.0f, 0.0f, 1.0f, 2.0f, -3.0f, -1.0f, 0.0f, -0.0f, 0.0f, 0x1.0p+23f, -0x1.0p+23f,
                 0x1.FFFFFCp+22f, -0x1.0p+23f, 0x1.000002p+23f, inf, -inf, 0.0f, -1.0f}},
      {"ceil", {-0.0f, 1.0f, 2.0f, 3.0f, -2.0f, -0.0f, 1.0f, -0.0f, 0.0f, 0x1.0p+23f, -0x1.0p+23f,
                0x1.0p+23f, -0x1.FFFFFCp+22f, 0x1.000002p+23f, inf, -inf, 1.0f, -0.0f}},
      {"round", {-0.0f, 0.0f, 2.0f, 2.0f, -2.0f, -1.0f, 1.0f, -0.0f, 0.0f, 0x1.0p+23f, -0x1.0p+23f,
                 0x1.0p+23f, -0x1.0p+23f, 0x1.000002p+23f, inf, -inf, 0.0f, -0.0f}},
  };
  const std::vector<float> y = run(x, unary_params(op));
  const std::vector<float>& w = want.at(op);
  for (size_t i = 0; i < w.size(); i++) {
    EXPECT_EQ(pqnn_test::float_bits(y[i]), pqnn_test::float_bits(w[i])) << op << "(" << x[i] << ") = " << y[i]
        << ", want " << w[i];
  }
  EXPECT_TRUE(std::isnan(y.back())) << op << " of NaN";
}

INSTANTIATE_TEST_SUITE_P(f32_vunary, VUnaryExactTest,
    testing::ValuesIn(kernels_where(std::begin(kUnary), std::end(kUnary),
        [](const Kernel& k) { return !transcendental(k.op()) && !fused_gelu(k); })), kernel_name);
INSTANTIATE_TEST_SUITE_P(f32_vunary, VUnaryBoundedTest,
    testing::ValuesIn(kernels_where(std::begin(kUnary), std::end(kUnary),
        [](const Kernel& k) { return bounded(k.op()); })), kernel_name);
INSTANTIATE_TEST_SUITE_P(f32_vunary, VUnaryFullRangeTest,
    testing::ValuesIn(kernels_where(std::begin(kUnary), std::end(kUnary),
        [](const Kernel& k) { return portable(k.op()); })), kernel_name);
INSTANTIATE_TEST_SUITE_P(f32_vunary, VUnarySpecialValuesTest,
    testing::ValuesIn(kernels_where(std::begin(kUnary), std::end(kUnary),
        [](const Kernel& k) { return has_special_values(k.op()); })), kernel_name);
INSTANTIATE_TEST_SUITE_P(f32_vunary, VUnaryRoundingTest,
    testing::ValuesIn(kernels_where(std::begin(kUnary), std::end(kUnary),
        [](const Kernel& k) { return rounding(k.op()); })), kernel_name);
INSTANTIATE_TEST_SUITE_P(f32_vunary, VUnaryScalarFormulaTest,
    testing::ValuesIn(kernels_where(std::begin(kUnary), std::end(kUnary),
        [](const Kernel& k) { return k.scalar() && !bounded(k.op()); })), kernel_name);

// ---------------------------------------------------------------------------------------
// f32-vbinary
// ---------------------------------------------------------------------------------------
class VBinaryTest : public testing::TestWithParam<Kernel> {
 protected:
  void SetUp() override {
    if (!pqnn_test::isa_enabled(GetParam().isa)) GTEST_SKIP() << "ISA not available";
  }
};

bool scalar_form(const std::string& op) { return op.back() == 'c'; }

TEST_P(VBinaryTest, match_scalar_bits) {
  const std::string op = GetParam().op();
  const Kernel& ref = scalar_of(std::begin(kBinary), std::end(kBinary), op);
  const pqnn_vbinary_ukernel_fn fn = binary_fn(GetParam());
  for (const auto& bounds : {std::pair<float, float>{-INFINITY, INFINITY}, {-3.0f, 5.0f}, {0.0f, INFINITY}}) {
    ExactBuffer<pqnn_f32_elementwise_params> params(1);
    params[0] = {bounds.first, bounds.second, 0.0f, 0.0f};
    for (size_t n = 1; n <= kMaxN; n++) {
      for (float span : {1.0f, 10.0f, 1e30f}) {
        const std::vector<float> av = input(n, span, true);
        const size_t nb = scalar_form(op) ? 1 : n;
        // Scalar operands: cycle through the specials too.
        std::vector<float> bv = input(nb, span, nb > 1);
        if (nb == 1 && n % 3 == 0) bv[0] = specials()[n % specials().size()];
        std::vector<float> want(n);
        binary_fn(ref)(n, av.data(), bv.data(), want.data(), params.data());
        ExactBuffer<float> a(n), b(nb), y(n);
        std::copy(av.begin(), av.end(), a.begin());
        std::copy(bv.begin(), bv.end(), b.begin());
        fn(n, a.data(), b.data(), y.data(), params.data());
        for (size_t i = 0; i < n; i++) {
          ASSERT_EQ(float_bits(y[i]), float_bits(want[i])) << op << " n=" << n << " i=" << i << " a="
              << av[i] << " b=" << bv[nb == 1 ? 0 : i] << " got " << y[i] << " want " << want[i];
        }
        // In place: y == a, and (vector-vector) y == b.
        fn(n, a.data(), b.data(), a.data(), params.data());
        for (size_t i = 0; i < n; i++) ASSERT_EQ(float_bits(a[i]), float_bits(want[i])) << op << " y == a, i=" << i;
        if (nb == n) {
          std::copy(av.begin(), av.end(), a.begin());
          fn(n, a.data(), b.data(), b.data(), params.data());
          for (size_t i = 0; i < n; i++) ASSERT_EQ(float_bits(b[i]), float_bits(want[i])) << op << " y == b, i=" << i;
        }
      }
    }
  }
}

// The scalar kernels against the formulas of pqnn.h (the other tiers are held to their bits).
class VBinaryScalarFormulaTest : public VBinaryTest {};

TEST_P(VBinaryScalarFormulaTest, formula) {
  const std::string op = GetParam().op();
  const bool swapped = op[0] == 'r' && scalar_form(op);
  const std::string base = scalar_form(op) ? op.substr(swapped ? 1 : 0, op.size() - (swapped ? 2 : 1)) : op;
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const pqnn_f32_elementwise_params p = {-INFINITY, INFINITY, 0.0f, 0.0f};
  // Ties (2 = 2, -0 = +0) and NaN against NaN too: the comparisons' equal cases.
  const float a[8] = {2.0f, -3.0f, nan, 1.0f, 2.0f, -0.0f, nan, -INFINITY};
  const float b[8] = {0.5f, 4.0f, 1.0f, nan, 2.0f, 0.0f, nan, -INFINITY};
  for (size_t i = 0; i < 8; i++) {
    float y;
    binary_fn(GetParam())(1, &a[i], &b[i], &y, &p);
    const float u = swapped ? b[i] : a[i], v = swapped ? a[i] : b[i];
    float want = 0.0f;
    if (base == "add") want = u + v;
    if (base == "sub") want = u - v;
    if (base == "mul") want = u * v;
    if (base == "div") want = u / v;
    if (base == "max") want = std::isnan(u) || std::isnan(v) ? nan : std::max(u, v);
    if (base == "min") want = std::isnan(u) || std::isnan(v) ? nan : std::min(u, v);
    if (base == "prelu") want = std::isnan(u) ? nan : (u < 0.0f ? u * v : u);
    if (base == "eq") want = u == v ? 1.0f : 0.0f;
    if (base == "ne") want = u != v ? 1.0f : 0.0f;
    if (base == "gt") want = u > v ? 1.0f : 0.0f;
    if (base == "ge") want = u >= v ? 1.0f : 0.0f;
    if (base == "lt") want = u < v ? 1.0f : 0.0f;
    if (base == "le") want = u <= v ? 1.0f : 0.0f;
    if (std::isnan(want)) {
      EXPECT_TRUE(std::isnan(y)) << op << " " << i;
    } else {
      EXPECT_EQ(y, want) << op << " " << i;
    }
  }
}

// ---------------------------------------------------------------------------------------
// x32-vselect, x16-vselect: y = (c & 0x7F..F) != 0 ? a : b as bits, against a plain
// reference (and so the scalar kernel's bits), on random patterns mixed with conditions
// +-0, NaN, denormals, Inf and 1 and with NaN / Inf data.
// ---------------------------------------------------------------------------------------
class VSelectTest : public testing::TestWithParam<Kernel> {
 protected:
  void SetUp() override {
    if (!pqnn_test::isa_enabled(GetParam().isa)) GTEST_SKIP() << "ISA not available";
  }
};

template <typename T>
void check_select(const Kernel& k) {
  const auto fn = reinterpret_cast<pqnn_vselect_ukernel_fn>(k.fn);
  const T sign = static_cast<T>(T(1) << (8 * sizeof(T) - 1));
  // Conditions: +0, -0, 1.0, NaN, -NaN, +-Inf, the smallest denormal; data: anything.
  const std::vector<uint32_t> c32 = sizeof(T) == 4
      ? std::vector<uint32_t>{0u, sign, 0x3F800000u, 0x7FC00000u, 0xFFC00001u, 0x7F800000u, 0xFF800000u, 1u}
      : std::vector<uint32_t>{0u, sign, 0x3C00u, 0x7E00u, 0xFE01u, 0x7C00u, 0xFC00u, 1u};
  std::vector<T> conds;
  for (uint32_t c : c32) conds.push_back(static_cast<T>(c));
  auto& rng = pqnn_test::rng();
  std::uniform_int_distribution<uint32_t> bits;
  for (size_t n = 1; n <= 2 * kMaxN; n++) {
    std::vector<T> cv(n), av(n), bv(n), want(n);
    for (size_t i = 0; i < n; i++) {
      cv[i] = bits(rng) % 3 == 0 ? static_cast<T>(bits(rng)) : conds[bits(rng) % conds.size()];
      av[i] = static_cast<T>(bits(rng));
      bv[i] = static_cast<T>(bits(rng));
      want[i] = (cv[i] & static_cast<T>(~sign)) != 0 ? av[i] : bv[i];
    }
    ExactBuffer<T> c(n), a(n), b(n), y(n);
    std::copy(cv.begin(), cv.end(), c.begin());
    std::copy(av.begin(), av.end(), a.begin());
    std::copy(bv.begin(), bv.end(), b.begin());
    fn(n, c.data(), a.data(), b.data(), y.data());
    for (size_t i = 0; i < n; i++) ASSERT_EQ(y[i], want[i]) << k.name << " n=" << n << " i=" << i << " c=" << cv[i];
    // In place: y == c, y == a, y == b.
    fn(n, c.data(), a.data(), b.data(), a.data());
    for (size_t i = 0; i < n; i++) ASSERT_EQ(a[i], want[i]) << k.name << " y == a, i=" << i;
    std::copy(av.begin(), av.end(), a.begin());
    fn(n, c.data(), a.data(), b.data(), b.data());
    for (size_t i = 0; i < n; i++) ASSERT_EQ(b[i], want[i]) << k.name << " y == b, i=" << i;
    fn(n, c.data(), a.data(), a.data(), c.data());
    for (size_t i = 0; i < n; i++) ASSERT_EQ(c[i], av[i]) << k.name << " y == c, i=" << i;
  }
}

class VSelect32Test : public VSelectTest {};
class VSelect16Test : public VSelectTest {};
TEST_P(VSelect32Test, reference_bits) { check_select<uint32_t>(GetParam()); }
TEST_P(VSelect16Test, reference_bits) { check_select<uint16_t>(GetParam()); }
INSTANTIATE_TEST_SUITE_P(x32_vselect, VSelect32Test, testing::ValuesIn(kSelect32), kernel_name);
INSTANTIATE_TEST_SUITE_P(x16_vselect, VSelect16Test, testing::ValuesIn(kSelect16), kernel_name);

// ---------------------------------------------------------------------------------------
// f32-vmuladd: v = clamp(a * b), then clamp(v + r), then clamp(v + u) (r, u optional), each
// step f32-vbinary's. Held to (1) the same tier's f32-vbinary multiply and adds called in
// turn (the unfused tail it replaces), bit for bit, and (2) a plain reference of the
// formula; NaN as NaN in both (with two NaN operands the payload is the compiler's operand
// order, not part of the contract), over every r / u case, three bound sets, inputs with
// the specials, and in place (y == a == r, as the channel-scale tail runs, and y == b).
// ---------------------------------------------------------------------------------------
class VMulAddTest : public testing::TestWithParam<Kernel> {
 protected:
  void SetUp() override {
    if (!pqnn_test::isa_enabled(GetParam().isa)) GTEST_SKIP() << "ISA not available";
  }
};

// The f32-vbinary kernel of operator `op` with the tier suffix of k.
pqnn_vbinary_ukernel_fn vbinary_of(const Kernel& k, const std::string& op) {
  const std::string name = k.name;
  const std::string want = "pqnn_f32_vbinary_minmax_ukernel_" + op + name.substr(name.rfind("__"));
  for (const Kernel& b : kBinary) {
    if (want == b.name) return reinterpret_cast<pqnn_vbinary_ukernel_fn>(b.fn);
  }
  return nullptr;
}

float clamp_ref(float v, float lo, float hi) {
  v = v < lo ? lo : v;
  return v > hi ? hi : v;
}

TEST_P(VMulAddTest, matches_vbinary_steps_and_reference) {
  const Kernel& k = GetParam();
  const auto fn = reinterpret_cast<pqnn_vmuladd_ukernel_fn>(k.fn);
  const pqnn_vbinary_ukernel_fn mul = vbinary_of(k, "mul"), add = vbinary_of(k, "add");
  ASSERT_NE(mul, nullptr);
  ASSERT_NE(add, nullptr);
  const float inf = INFINITY;
  const float bounds[3][6] = {{-inf, -inf, -inf, inf, inf, inf},
                              {-3.0f, 0.0f, -1.0f, 5.0f, inf, 6.0f},
                              {0.0f, -2.0f, -inf, 1.0f, 2.0f, 0.5f}};
  for (const auto& bnd : bounds) {
    ExactBuffer<pqnn_f32_muladd_params> params(1);
    ExactBuffer<pqnn_f32_elementwise_params> pm(1), pr(1), pu(1);
    for (int i = 0; i < 3; i++) {
      params[0].min[i] = bnd[i];
      params[0].max[i] = bnd[3 + i];
    }
    pm[0] = {bnd[0], bnd[3], 0.0f, 0.0f};
    pr[0] = {bnd[1], bnd[4], 0.0f, 0.0f};
    pu[0] = {bnd[2], bnd[5], 0.0f, 0.0f};
    for (size_t n = 1; n <= 2 * kMaxN; n++) {
      for (float span : {1.0f, 10.0f, 1e30f}) {
        const std::vector<float> av = input(n, span, true), bv = input(n, span, true);
        const std::vector<float> rv = input(n, span, true), uv = input(n, span, true);
        for (int c = 0; c < 4; c++) {
          const bool has_r = (c & 1) != 0, has_u = (c & 2) != 0;
          // (1) the tier's f32-vbinary steps (a staged product, as the unfused tail did).
          std::vector<float> steps(n), t(n);
          mul(n, av.data(), bv.data(), t.data(), pm.data());
          if (has_r) add(n, t.data(), rv.data(), t.data(), pr.data());
          if (has_u) add(n, t.data(), uv.data(), t.data(), pu.data());
          steps = t;
          ExactBuffer<float> a(n), b(n), r(n), u(n), y(n);
          std::copy(av.begin(), av.end(), a.begin());
          std::copy(bv.begin(), bv.end(), b.begin());
          std::copy(rv.begin(), rv.end(), r.begin());
          std::copy(uv.begin(), uv.end(), u.begin());
          fn(n, a.data(), b.data(), has_r ? r.data() : nullptr, has_u ? u.data() : nullptr,
              y.data(), params.data());
          for (size_t i = 0; i < n; i++) {
            ASSERT_EQ(float_bits(y[i]), float_bits(steps[i]))
                << k.name << " r=" << has_r << " u=" << has_u << " n=" << n << " i=" << i
                << " a=" << av[i] << " b=" << bv[i] << " r=" << rv[i] << " u=" << uv[i];
            // (2) the formula.
            float v = clamp_ref(av[i] * bv[i], bnd[0], bnd[3]);
            if (has_r) v = clamp_ref(v + rv[i], bnd[1], bnd[4]);
            if (has_u) v = clamp_ref(v + uv[i], bnd[2], bnd[5]);
            ASSERT_EQ(float_bits(y[i]), float_bits(v)) << k.name << " formula, i=" << i;
          }
          // In place as the tail runs it: y == a == r (x * s + x), then y == b.
          std::copy(av.begin(), av.end(), a.begin());
          std::vector<float> self(n);
          mul(n, av.data(), bv.data(), t.data(), pm.data());
          if (has_r) add(n, t.data(), av.data(), t.data(), pr.data());
          if (has_u) add(n, t.data(), uv.data(), t.data(), pu.data());
          self = t;
          fn(n, a.data(), b.data(), has_r ? a.data() : nullptr, has_u ? u.data() : nullptr,
              a.data(), params.data());
          for (size_t i = 0; i < n; i++) {
            ASSERT_EQ(float_bits(a[i]), float_bits(self[i]))
                << k.name << " y == a == r, i=" << i;
          }
          std::copy(av.begin(), av.end(), a.begin());
          fn(n, a.data(), b.data(), has_r ? r.data() : nullptr, has_u ? u.data() : nullptr,
              b.data(), params.data());
          for (size_t i = 0; i < n; i++) {
            ASSERT_EQ(float_bits(b[i]), float_bits(steps[i]))
                << k.name << " y == b, i=" << i;
          }
        }
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(f32_vmuladd, VMulAddTest, testing::ValuesIn(kMulAdd), kernel_name);

INSTANTIATE_TEST_SUITE_P(f32_vbinary, VBinaryTest, testing::ValuesIn(kBinary), kernel_name);
INSTANTIATE_TEST_SUITE_P(f32_vbinary, VBinaryScalarFormulaTest,
    testing::ValuesIn(kernels_where(std::begin(kBinary), std::end(kBinary),
        [](const Kernel& k) { return k.scalar(); })), kernel_name);

}  // namespace
