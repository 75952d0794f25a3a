// The elementwise binary and unary nodes (pqnn_define_binary / pqnn_define_unary) through a
// runtime: binary ops (the comparisons included, with ties) over random broadcast shapes
// against a plain reference (f32 exact,
// f16 bit-exact against fp16 of the f32 op on the f16-rounded inputs), clamp fusion into a
// binary node, NaN propagation, unary accuracy against a double-precision reference in ulp
// (the bounds documented in pqnn.h), and bad defines.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include <fp16.h>
#include <pqnn.h>

#include "common/runtime-graph.h"

using namespace pqnn_test;

namespace {

float f16_round(float v) { return fp16_ieee_to_fp32_value(fp16_ieee_from_fp32_value(v)); }

float binary_ref(pqnn_binary_operator op, float u, float v) {
  switch (op) {
    case pqnn_binary_add: return u + v;
    case pqnn_binary_subtract: return u - v;
    case pqnn_binary_multiply: return u * v;
    case pqnn_binary_divide: return u / v;
    case pqnn_binary_maximum: return std::isnan(u) || std::isnan(v) ? NAN : std::max(u, v);
    case pqnn_binary_minimum: return std::isnan(u) || std::isnan(v) ? NAN : std::min(u, v);
    case pqnn_binary_prelu: return u < 0.0f ? u * v : u;
    case pqnn_binary_equal: return u == v ? 1.0f : 0.0f;
    case pqnn_binary_not_equal: return u != v ? 1.0f : 0.0f;
    case pqnn_binary_greater: return u > v ? 1.0f : 0.0f;
    case pqnn_binary_greater_equal: return u >= v ? 1.0f : 0.0f;
    case pqnn_binary_less: return u < v ? 1.0f : 0.0f;
    case pqnn_binary_less_equal: return u <= v ? 1.0f : 0.0f;
    default: return NAN;
  }
}

// One binary node a OP b (right-aligned numpy broadcasting) through a runtime, f32 and f16,
// against the reference.
void check_binary(pqnn_binary_operator op, const std::vector<size_t>& a, const std::vector<size_t>& b,
    float lo, float hi, int seed) {
  const size_t rank = std::max(a.size(), b.size());
  std::vector<size_t> y_shape;
  for (size_t d = 0; d < rank; d++) {
    const size_t da = d + a.size() >= rank ? a[d + a.size() - rank] : 1;
    const size_t db = d + b.size() >= rank ? b[d + b.size() - rank] : 1;
    y_shape.push_back(std::max(da, db));
  }
  const auto va = random_f32(elements(a), -2.0f, 2.0f, 100 + seed);
  auto vb = random_f32(elements(b), -2.0f, 2.0f, 200 + seed);
  if (op == pqnn_binary_divide) {
    for (auto& v : vb) v = v < 0 ? v - 0.25f : v + 0.25f;
  }
  // Comparisons: values on a grid of 1/2, so that ties (equal, greater_equal, less_equal)
  // are frequent.
  auto grid = [](std::vector<float> v) {
    for (auto& x : v) x = std::round(x * 2.0f) * 0.5f;
    return v;
  };
  const bool compare = op >= pqnn_binary_equal;
  const auto ga = compare ? grid(va) : va;
  if (compare) vb = grid(vb);
  for (uint32_t flags : {0u, unsigned(PQNN_FLAG_FORCE_FP16_INFERENCE)}) {
    Graph g(3);
    const uint32_t ia = g.input(0, a), ib = g.input(1, b);
    const uint32_t iy = g.output(2, y_shape);
    ASSERT_EQ(pqnn_define_binary(g.sg, op, lo, hi, ia, ib, iy, 0), pqnn_status_success);
    std::vector<float> y(elements(y_shape));
    pqnn_runtime_t rt = run_graph(g.sg, flags,
        {{0, (void*) ga.data()}, {1, (void*) vb.data()}, {2, y.data()}});
    const auto infos = node_infos(rt);
    pqnn_delete_runtime(rt);
    ASSERT_EQ(infos[flags ? 2 : 0].type, pqnn_node_type_binary);
    for (size_t i = 0; i < y.size(); i++) {
      float u = ga[broadcast_offset(y_shape, a, i)], v = vb[broadcast_offset(y_shape, b, i)];
      if (flags) {
        u = f16_round(u);
        v = f16_round(v);
      }
      float r = std::min(hi, std::max(lo, binary_ref(op, u, v)));
      if (flags) r = f16_round(r);
      ASSERT_EQ(y[i], r) << "seed " << seed << " op " << op << " flags " << flags << " i " << i;
    }
  }
}

TEST(RuntimeElementwise, BinaryRandomBroadcastShapes) {
  std::mt19937 rng(7);
  const pqnn_binary_operator ops[] = {pqnn_binary_add, pqnn_binary_subtract,
      pqnn_binary_multiply, pqnn_binary_divide, pqnn_binary_maximum, pqnn_binary_minimum,
      pqnn_binary_prelu, pqnn_binary_equal, pqnn_binary_not_equal, pqnn_binary_greater,
      pqnn_binary_greater_equal, pqnn_binary_less, pqnn_binary_less_equal};
  const int num_ops = sizeof(ops) / sizeof(ops[0]);
  for (int iter = 0; iter < 10 * num_ops; iter++) {
    const pqnn_binary_operator op = ops[iter % num_ops];
    const size_t rank = 1 + rng() % 4;
    std::vector<size_t> out(rank), a, b;
    for (auto& d : out) d = 1 + rng() % 7;
    if (rng() % 2) out[rank - 1] = 70 + rng() % 80;  // more than one block per row
    // Each operand: a suffix of the output's dims, some set to 1 (per channel, scalar, ...).
    for (int which = 0; which < 2; which++) {
      auto& s = which == 0 ? a : b;
      const size_t r = 1 + rng() % rank;
      for (size_t d = rank - r; d < rank; d++) s.push_back(rng() % 3 == 0 ? 1 : out[d]);
    }
    const float lo = iter % 3 == 0 ? -1.0f : -INFINITY, hi = iter % 3 == 0 ? 1.5f : INFINITY;
    check_binary(op, a, b, lo, hi, iter);
  }
}

// The operand patterns of NHWC models, each way round (the runtime's fast paths: whole dense
// or scalar ranges, a repeated short row tiled, long rows cut for threads): same shape,
// scalar, per-channel [C] with few and many channels, a [H, W, 1] map over channels.
TEST(RuntimeElementwise, BinaryNhwcPatterns) {
  const std::vector<std::vector<size_t>> xs = {{1, 40, 48, 3}, {1, 64, 64, 1}, {1, 9, 11, 40}};
  int seed = 1000;
  for (const auto& x : xs) {
    const size_t c = x[3];
    const std::vector<std::vector<size_t>> others = {x, {1}, {c}, {1, 1, 1, c}, {1, x[1], x[2], 1},
        {x[2], c}};
    for (const auto& o : others) {
      for (pqnn_binary_operator op : {pqnn_binary_subtract, pqnn_binary_divide,
               pqnn_binary_greater_equal, pqnn_binary_less}) {
        check_binary(op, x, o, -INFINITY, INFINITY, seed++);
        check_binary(op, o, x, -INFINITY, INFINITY, seed++);
      }
    }
  }
}

TEST(RuntimeElementwise, BinaryFusesClampAndPropagatesNaN) {
  const std::vector<float> a = {1.0f, NAN, -3.0f, 2.0f, NAN, 0.5f};
  const std::vector<float> b = {NAN, 1.0f, 4.0f, -1.0f, NAN, 0.25f};
  for (pqnn_binary_operator op : {pqnn_binary_maximum, pqnn_binary_minimum, pqnn_binary_multiply}) {
    Graph g(3);
    const uint32_t ia = g.input(0, {6}), ib = g.input(1, {6});
    const uint32_t mid = g.f32({6});
    const uint32_t out = g.output(2, {6});
    ASSERT_EQ(pqnn_define_binary(g.sg, op, -INFINITY, INFINITY, ia, ib, mid, 0), pqnn_status_success);
    ASSERT_EQ(pqnn_define_clamp(g.sg, -1.0f, 1.0f, mid, out, 0), pqnn_status_success);
    std::vector<float> y(6);
    pqnn_runtime_t rt = run_graph(g.sg, 0, {{0, (void*) a.data()}, {1, (void*) b.data()}, {2, y.data()}});
    const auto infos = node_infos(rt);
    pqnn_delete_runtime(rt);
    ASSERT_EQ(infos.size(), 1u);
    EXPECT_EQ(infos[0].fused_clamp, 1u);
    for (size_t i = 0; i < 6; i++) {
      const float r = binary_ref(op, a[i], b[i]);
      if (std::isnan(r)) {
        EXPECT_TRUE(std::isnan(y[i])) << i;
      } else {
        EXPECT_EQ(y[i], std::min(1.0f, std::max(-1.0f, r))) << i;
      }
    }
  }
}

struct UnaryCase {
  pqnn_unary_operator op;
  float lo, hi;        // random input range
  double max_ulp;      // bound vs the double reference (pqnn.h)
  double abs_floor;    // absolute error always accepted (near 0 / denormal results)
};

double unary_ref(pqnn_unary_operator op, double x, double alpha, double beta) {
  switch (op) {
    case pqnn_unary_relu: return x < 0 ? 0.0 : x;
    case pqnn_unary_leaky_relu: return x < 0 ? alpha * x : x;
    case pqnn_unary_sigmoid: return 1.0 / (1.0 + std::exp(-x));
    case pqnn_unary_tanh: return std::tanh(x);
    case pqnn_unary_hardsigmoid: return std::min(1.0, std::max(0.0, alpha * x + beta));
    case pqnn_unary_hardswish: return x * std::min(6.0, std::max(0.0, x + 3.0)) / 6.0;
    case pqnn_unary_swish: return x / (1.0 + std::exp(-x));
    case pqnn_unary_exp: return std::exp(x);
    case pqnn_unary_log: return std::log(x);
    case pqnn_unary_sqrt: return std::sqrt(x);
    case pqnn_unary_square: return x * x;
    case pqnn_unary_abs: return std::fabs(x);
    case pqnn_unary_negate: return -x;
    case pqnn_unary_erf: return std::erf(x);
    case pqnn_unary_floor: return std::floor(x);
    case pqnn_unary_ceil: return std::ceil(x);
    case pqnn_unary_round: return std::nearbyint(x);
    default: return NAN;
  }
}

// Distance in units of the float ulp at the reference value.
double ulps(float got, double ref) {
  const float rf = (float) ref;
  const double ulp = std::fabs((double) std::nextafter(rf, INFINITY) - (double) rf);
  return std::fabs((double) got - ref) / (ulp > 0 ? ulp : 1e-45);
}

TEST(RuntimeElementwise, UnaryAccuracyAndNaN) {
  const UnaryCase cases[] = {
    {pqnn_unary_relu, -4, 4, 0, 0}, {pqnn_unary_leaky_relu, -4, 4, 0.5, 0},
    {pqnn_unary_sigmoid, -90, 30, 3, 1e-37}, {pqnn_unary_tanh, -10, 10, 3, 1e-7},
    {pqnn_unary_hardsigmoid, -8, 8, 1, 1.2e-7}, {pqnn_unary_hardswish, -5, 5, 2, 1e-7},
    {pqnn_unary_swish, -90, 30, 3, 90 * 0x1p-125}, {pqnn_unary_exp, -80, 80, 2, 0},
    {pqnn_unary_log, 1e-30f, 1e30f, 4, 0}, {pqnn_unary_sqrt, 0, 1e6, 0.5, 0},
    {pqnn_unary_square, -1e3, 1e3, 0.5, 0}, {pqnn_unary_abs, -5, 5, 0, 0},
    {pqnn_unary_negate, -5, 5, 0, 0}, {pqnn_unary_erf, -5, 5, 4, 0},
    {pqnn_unary_floor, -20, 20, 0, 0}, {pqnn_unary_ceil, -20, 20, 0, 0},
    {pqnn_unary_round, -20, 20, 0, 0},
  };
  const pqnn_unary_params params = {0.15f, 0.4f};
  const size_t n = 1000;
  for (const auto& c : cases) {
    auto x = random_f32(n, c.lo, c.hi, 11 + c.op);
    x[0] = NAN;
    x[1] = 0.0f;
    for (uint32_t flags : {0u, unsigned(PQNN_FLAG_FORCE_FP16_INFERENCE)}) {
      Graph g(2);
      const uint32_t ix = g.input(0, {10, n / 10}), iy = g.output(1, {10, n / 10});
      ASSERT_EQ(pqnn_define_unary(g.sg, c.op, &params, ix, iy, 0), pqnn_status_success);
      std::vector<float> y(n);
      pqnn_runtime_t rt = run_graph(g.sg, flags, {{0, (void*) x.data()}, {1, y.data()}});
      pqnn_delete_runtime(rt);
      EXPECT_TRUE(std::isnan(y[0])) << "op " << c.op;
      for (size_t i = 1; i < n; i++) {
        if (flags) {
          // f16: fp16 of the f32 result on the widened f16 input, so within half an f16 ulp
          // (plus the f32 error) of the double reference, or the f16 result is non-finite.
          const double r = unary_ref(c.op, f16_round(x[i]), params.alpha, params.beta);
          if (!std::isfinite(f16_round((float) r))) continue;
          ASSERT_NEAR(y[i], r, std::fabs(r) * 1.0e-3 + 6.2e-5) << "op " << c.op << " x " << x[i];
          continue;
        }
        const double r = unary_ref(c.op, x[i], params.alpha, params.beta);
        if ((double) y[i] == r || std::fabs(y[i] - r) <= c.abs_floor) continue;
        ASSERT_LE(ulps(y[i], r), c.max_ulp) << "op " << c.op << " x " << x[i] << " got " << y[i]
            << " ref " << r;
      }
    }
  }
}

// floor, ceil, round nodes on halves (the ties), signed zeros, 2^23 and the non-finite
// values, f32 and f16 (the halves and integers here are fp16 values): the exact results,
// signs included.
TEST(RuntimeElementwise, RoundingNodesExact) {
  std::vector<float> x;
  for (int k = -41; k <= 41; k++) x.push_back(0.5f * (float) k);
  const float inf = std::numeric_limits<float>::infinity();
  for (float v : {-0.0f, 0.0f, -0.75f, 0.75f, -0.25f, 0.25f, 1.25f, -1.25f, 2048.0f, -2050.0f, inf, -inf}) {
    x.push_back(v);
  }
  const size_t n = x.size();
  for (pqnn_unary_operator op : {pqnn_unary_floor, pqnn_unary_ceil, pqnn_unary_round}) {
    for (uint32_t flags : {0u, unsigned(PQNN_FLAG_FORCE_FP16_INFERENCE)}) {
      Graph g(2);
      const uint32_t ix = g.input(0, {n}), iy = g.output(1, {n});
      ASSERT_EQ(pqnn_define_unary(g.sg, op, nullptr, ix, iy, 0), pqnn_status_success);
      std::vector<float> y(n);
      pqnn_runtime_t rt = run_graph(g.sg, flags, {{0, (void*) x.data()}, {1, y.data()}});
      pqnn_delete_runtime(rt);
      for (size_t i = 0; i < n; i++) {
        const float want = (float) unary_ref(op, x[i], 0.0, 0.0);
        EXPECT_EQ(y[i], want) << "op " << op << " x " << x[i] << " flags " << flags;
        EXPECT_EQ(std::signbit(y[i]), std::signbit(want)) << "op " << op << " x " << x[i] << " flags " << flags;
      }
    }
  }
  // NaN stays NaN.
  Graph g(2);
  const uint32_t ix = g.input(0, {3}), iy = g.output(1, {3});
  ASSERT_EQ(pqnn_define_unary(g.sg, pqnn_unary_round, nullptr, ix, iy, 0), pqnn_status_success);
  const float xn[3] = {NAN, -NAN, 1.5f};
  float yn[3];
  pqnn_runtime_t rt = run_graph(g.sg, 0, {{0, (void*) xn}, {1, yn}});
  pqnn_delete_runtime(rt);
  EXPECT_TRUE(std::isnan(yn[0]) && std::isnan(yn[1]));
  EXPECT_EQ(yn[2], 2.0f);
}

// The comparisons on NaN, infinities and signed zeros: NaN is false but for not_equal,
// -0 equals +0; each result clamped like any binary node (here to [0, 0.5]).
TEST(RuntimeElementwise, ComparisonsSpecialValues) {
  const float inf = INFINITY;
  const std::vector<float> a = {NAN, 1.0f, NAN, -0.0f, inf, -inf, 2.0f, 3.0f};
  const std::vector<float> b = {1.0f, NAN, NAN, 0.0f, inf, inf, 2.0f, 2.0f};
  const pqnn_binary_operator ops[] = {pqnn_binary_equal, pqnn_binary_not_equal,
      pqnn_binary_greater, pqnn_binary_greater_equal, pqnn_binary_less, pqnn_binary_less_equal};
  for (pqnn_binary_operator op : ops) {
    for (float hi : {INFINITY, 0.5f}) {
      Graph g(3);
      const uint32_t ia = g.input(0, {a.size()}), ib = g.input(1, {b.size()});
      const uint32_t iy = g.output(2, {a.size()});
      ASSERT_EQ(pqnn_define_binary(g.sg, op, -INFINITY, hi, ia, ib, iy, 0), pqnn_status_success);
      std::vector<float> y(a.size());
      pqnn_delete_runtime(run_graph(g.sg, 0,
          {{0, (void*) a.data()}, {1, (void*) b.data()}, {2, y.data()}}));
      for (size_t i = 0; i < a.size(); i++) {
        const float want = std::min(hi, binary_ref(op, a[i], b[i]));
        EXPECT_EQ(y[i], want) << "op " << op << " i " << i;
        EXPECT_FALSE(std::signbit(y[i])) << "op " << op << " i " << i;
      }
    }
  }
}

TEST(RuntimeElementwise, BadDefines) {
  Graph g(2);
  const uint32_t x = g.input(0, {4}), y = g.output(1, {4});
  const uint32_t y5 = g.f32({5});
  const pqnn_unary_params p = {0.1f, 0.5f};
  EXPECT_EQ(pqnn_define_binary(g.sg, pqnn_binary_invalid, -INFINITY, INFINITY, x, x, y, 0),
      pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_define_binary(g.sg, (pqnn_binary_operator) 99, -INFINITY, INFINITY, x, x, y, 0),
      pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_define_binary(g.sg, (pqnn_binary_operator) (pqnn_binary_less_equal + 1),
      -INFINITY, INFINITY, x, x, y, 0), pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_define_binary(g.sg, pqnn_binary_add, 1.0f, 0.0f, x, x, y, 0),
      pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_define_binary(nullptr, pqnn_binary_add, -INFINITY, INFINITY, x, x, y, 0),
      pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_define_binary(g.sg, pqnn_binary_add, -INFINITY, INFINITY, x, y5, y, 0),
      pqnn_status_invalid_parameter);  // shapes do not broadcast to y
  EXPECT_EQ(pqnn_define_unary(g.sg, pqnn_unary_invalid, &p, x, y, 0), pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_define_unary(g.sg, (pqnn_unary_operator) 99, &p, x, y, 0),
      pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_define_unary(g.sg, (pqnn_unary_operator) (pqnn_unary_round + 1), &p, x, y, 0),
      pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_define_unary(g.sg, pqnn_unary_leaky_relu, nullptr, x, y, 0),
      pqnn_status_invalid_parameter);
  const pqnn_unary_params bad = {NAN, 0.5f};
  EXPECT_EQ(pqnn_define_unary(g.sg, pqnn_unary_hardsigmoid, &bad, x, y, 0),
      pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_define_unary(g.sg, pqnn_unary_tanh, nullptr, x, y5, 0),
      pqnn_status_invalid_parameter);  // shape
  EXPECT_EQ(pqnn_define_unary(g.sg, pqnn_unary_tanh, nullptr, x, y, 0), pqnn_status_success);
}

}  // namespace
