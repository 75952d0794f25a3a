// The select node (pqnn_define_select, ONNX Where) through a runtime: random shapes and
// broadcast patterns of the three inputs (each a suffix of the output's dims, some set to
// 1; static or external) against a plain reference, f32 and under f16 inference, bit for
// bit (Inf and NaN payloads pass, a NaN or -0 condition is true / false), run inline and
// (every fourth random shape, every fixed one) again on a pool of 3 threads, forced off the
// runtime's serial run so that tiles start mid-run; the edge broadcasts of the node's tiles
// (rows grouped per kernel call, partial groups, long rows in spans, operands expanded once
// or per tile); a comparison feeding it (the attention-mask pattern), and bad defines.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include <fp16.h>
#include <pqnn.h>

#include "common/convert-reference.h"
#include "common/runtime-graph.h"
#include "common/test-pool.h"

extern "C" {
#include "runtime/runtime-types.h"
}

using namespace pqnn_test;

namespace {

uint32_t bits(float v) { return float_bits(v); }
float f16_round(float v) { return fp16_ieee_to_fp32_value(fp16_ieee_from_fp32_value(v)); }

// Values with specials: conditions 0, -0, NaN, 1, -2.5, a denormal; data with Inf, a NaN
// with a payload (bit for bit in f32; any NaN under f16 inference) and -0.
std::vector<float> values(size_t n, bool condition, std::mt19937& rng) {
  std::vector<float> v(n);
  std::uniform_real_distribution<float> d(-4.0f, 4.0f);
  const float cs[] = {0.0f, -0.0f, NAN, 1.0f, -2.5f, 1e-40f};
  const float xs[] = {INFINITY, -INFINITY, bits_float(0x7FC01000u), -0.0f};
  for (auto& x : v) {
    if (condition) {
      x = cs[rng() % 6];
    } else {
      x = rng() % 5 == 0 ? xs[rng() % 4] : d(rng);
    }
  }
  return v;
}

void check_select(const std::vector<size_t>& out, const std::vector<std::vector<size_t>>& in,
    unsigned statics, int seed, bool pooled = true) {
  std::mt19937 rng(seed);
  std::vector<std::vector<float>> v(3);
  for (int k = 0; k < 3; k++) v[k] = values(elements(in[k]), k == 0, rng);
  static const pthreadpool_t pool = create_pool(3);
  for (int trial = 0; trial < (pooled ? 4 : 2); trial++) {
    const uint32_t flags = (trial & 1) != 0 ? unsigned(PQNN_FLAG_FORCE_FP16_INFERENCE) : 0u;
    Graph g(4);
    uint32_t ids[3];
    std::vector<pqnn_external_value> ext;
    for (int k = 0; k < 3; k++) {
      if ((statics >> k & 1) != 0) {
        ids[k] = g.f32(in[k], v[k].data());
      } else {
        ids[k] = g.input((uint32_t) k, in[k]);
        ext.push_back({(uint32_t) k, (void*) v[k].data()});
      }
    }
    const uint32_t iy = g.output(3, out);
    ASSERT_EQ(pqnn_define_select(g.sg, ids[0], ids[1], ids[2], iy, 0), pqnn_status_success);
    std::vector<float> y(elements(out));
    ext.push_back({3, y.data()});
    pqnn_runtime_t rt = run_graph(g.sg, flags, ext, trial >= 2 ? pool : nullptr);
    ASSERT_NE(rt, nullptr);
    if (trial >= 2 && pool != nullptr) {
      // A select alone has no multiply-adds: the runtime runs it without the pool
      // (pqnn_rt_runs_serial). Invoked again on the pool, its tiles start mid-run.
      reinterpret_cast<pqnn_runtime*>(rt)->serial = false;
      std::fill(y.begin(), y.end(), 0.0f);
      ASSERT_EQ(pqnn_invoke_runtime(rt), pqnn_status_success);
    }
    pqnn_delete_runtime(rt);
    for (size_t i = 0; i < y.size(); i++) {
      float c = v[0][broadcast_offset(out, in[0], i)];
      float a = v[1][broadcast_offset(out, in[1], i)];
      float b = v[2][broadcast_offset(out, in[2], i)];
      if (flags) {
        c = f16_round(c);
        a = f16_round(a);
        b = f16_round(b);
      }
      // NaN != 0 is true; -0 and +0 (and a denormal flushed by the f16 rounding) false.
      const float want = c != 0.0f ? a : b;
      if (flags && std::isnan(want)) {  // f16 conversions may requiet a NaN's payload
        ASSERT_TRUE(std::isnan(y[i])) << "seed " << seed << " trial " << trial << " i " << i;
        continue;
      }
      ASSERT_EQ(bits(y[i]), bits(want)) << "seed " << seed << " trial " << trial << " i " << i
          << " c " << c << " a " << a << " b " << b << " got " << y[i];
    }
  }
}

TEST(RuntimeSelect, RandomBroadcastShapes) {
  std::mt19937 rng(11);
  for (int iter = 0; iter < 120; iter++) {
    const size_t rank = 1 + rng() % 6;
    std::vector<size_t> out(rank);
    for (auto& d : out) d = 1 + rng() % 5;
    if (rng() % 2) out[rank - 1] = 1000 + rng() % 1200;  // more than one span per row
    std::vector<std::vector<size_t>> in(3);
    for (auto& s : in) {
      const size_t r = 1 + rng() % rank;
      for (size_t d = rank - r; d < rank; d++) s.push_back(rng() % 3 == 0 ? 1 : out[d]);
    }
    // The output: the broadcast of the three (the largest input rank).
    size_t r = 0;
    for (const auto& s : in) r = std::max(r, s.size());
    std::vector<size_t> y(r, 1);
    for (const auto& s : in) {
      for (size_t d = 0; d < s.size(); d++) y[r - s.size() + d] = std::max(y[r - s.size() + d], s[d]);
    }
    check_select(y, in, rng() % 8 == 7 ? 6 : rng() % 8 & 6, iter, iter % 4 == 0);
  }
}

// The patterns of the models: a per-channel condition, a scalar constant branch, an [N, 1, T]
// mask over [N, H, T] scores, all dense.
TEST(RuntimeSelect, ModelPatterns) {
  int seed = 500;
  check_select({1, 8, 8, 24}, {{24}, {1, 8, 8, 24}, {1}}, 4, seed++);
  check_select({1, 8, 8, 24}, {{1, 8, 8, 24}, {1}, {1, 8, 8, 24}}, 2, seed++);
  check_select({2, 4, 33}, {{2, 1, 33}, {2, 4, 33}, {1}}, 4, seed++);
  check_select({3, 5, 7}, {{3, 5, 7}, {3, 5, 7}, {3, 5, 7}}, 0, seed++);
  check_select({1}, {{1}, {1}, {1}}, 0, seed++);
  check_select({6, 1, 40}, {{6, 1, 1}, {40}, {6, 1, 40}}, 0, seed++);
}

// The tiles' edges: a [C] condition and a scalar over more rows than one kernel call takes
// (24-element rows: 42 a call, the last group partial); a [1] condition; an [H, 1, C] one
// (its row expanded again per H); an [H, W, 1] one (a value per row, expanded per tile);
// scalars on either input and on both; rows longer than a span (1500, exactly 1024, 513:
// one row a tile) under a scalar and a per-row operand; broadcasts over outer dims; dims of
// 1 between the others.
TEST(RuntimeSelect, EdgeBroadcasts) {
  int seed = 700;
  check_select({1, 40, 40, 24}, {{24}, {1, 40, 40, 24}, {1}}, 4, seed++);
  check_select({5, 7, 24}, {{1}, {5, 7, 24}, {5, 7, 24}}, 0, seed++);
  check_select({40, 30, 24}, {{40, 1, 24}, {40, 30, 24}, {1}}, 0, seed++);
  check_select({1, 50, 50, 24}, {{1, 50, 50, 1}, {1, 50, 50, 24}, {24}}, 0, seed++);
  check_select({1, 50, 50, 24}, {{24}, {1}, {1, 50, 50, 24}}, 2, seed++);
  check_select({30, 40, 24}, {{30, 40, 24}, {1}, {1}}, 6, seed++);
  check_select({3, 1500}, {{1}, {3, 1500}, {3, 1}}, 0, seed++);
  check_select({2, 1024}, {{2, 1024}, {1024}, {1}}, 0, seed++);
  check_select({9, 513}, {{513}, {9, 1}, {9, 513}}, 0, seed++);
  check_select({4, 5, 6, 24}, {{5, 1, 24}, {4, 5, 6, 24}, {4, 1, 1, 1}}, 0, seed++);
  check_select({3, 1, 70, 1, 24}, {{70, 1, 1}, {3, 1, 70, 1, 24}, {1, 1, 24}}, 0, seed++);
  check_select({1, 1, 1}, {{1, 1, 1}, {1}, {1, 1}}, 0, seed++);
  check_select({2000}, {{1}, {2000}, {1}}, 0, seed++);
}

// Where(x < t, x, -1e9) (the attention-mask style): a comparison feeding the select.
TEST(RuntimeSelect, MaskFromComparison) {
  const std::vector<float> x = {-1.0f, 0.5f, 0.25f, 2.0f, NAN, 0.25f, -INFINITY, 3.0f};
  const float t = 0.25f, fill = -1e9f;
  Graph g(2);
  const uint32_t ix = g.input(0, {2, 4});
  const uint32_t it = g.f32({1}, &t), ifill = g.f32({1}, &fill);
  const uint32_t mask = g.f32({2, 4}), iy = g.output(1, {2, 4});
  ASSERT_EQ(pqnn_define_binary(g.sg, pqnn_binary_less, -INFINITY, INFINITY, ix, it, mask, 0),
      pqnn_status_success);
  ASSERT_EQ(pqnn_define_select(g.sg, mask, ix, ifill, iy, 0), pqnn_status_success);
  std::vector<float> y(8);
  pqnn_runtime_t rt = run_graph(g.sg, 0, {{0, (void*) x.data()}, {1, y.data()}});
  const auto infos = node_infos(rt);
  pqnn_delete_runtime(rt);
  ASSERT_EQ(infos.size(), 2u);
  EXPECT_EQ(infos[1].type, pqnn_node_type_select);
  EXPECT_STREQ(pqnn_node_type_string(pqnn_node_type_select), "select");
  for (size_t i = 0; i < 8; i++) {
    const float want = x[i] < t ? x[i] : fill;  // NaN < t is false: the fill
    EXPECT_EQ(bits(y[i]), bits(want)) << i;
  }
}

TEST(RuntimeSelect, BadDefines) {
  Graph g(4);
  const uint32_t c = g.input(0, {2, 3}), a = g.input(1, {3}), b = g.input(2, {2, 1});
  const uint32_t y = g.output(3, {2, 3});
  const uint32_t y4 = g.f32({2, 4}), a4 = g.f32({4}), y23 = g.f32({2, 3});
  uint32_t h = PQNN_INVALID_VALUE_ID;
  const size_t dims[2] = {2, 3};
  ASSERT_EQ(pqnn_define_tensor_value(g.sg, pqnn_datatype_fp16, 2, dims, nullptr,
      PQNN_INVALID_VALUE_ID, 0, &h), pqnn_status_success);
  EXPECT_EQ(pqnn_define_select(nullptr, c, a, b, y, 0), pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_define_select(g.sg, c, a, b, y, 1), pqnn_status_invalid_parameter);  // flags
  EXPECT_EQ(pqnn_define_select(g.sg, c, a, PQNN_INVALID_VALUE_ID, y, 0),
      pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_define_select(g.sg, PQNN_INVALID_VALUE_ID, a, b, y, 0),
      pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_define_select(g.sg, c, 1000, b, y, 0), pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_define_select(g.sg, c, a, b, 1000, 0), pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_define_select(g.sg, c, a4, b, y4, 0), pqnn_status_invalid_parameter);  // 3 vs 4
  EXPECT_EQ(pqnn_define_select(g.sg, c, a, b, y4, 0), pqnn_status_invalid_parameter);  // output
  EXPECT_EQ(pqnn_define_select(g.sg, c, a, b, c, 0), pqnn_status_invalid_parameter);  // in = out
  EXPECT_EQ(pqnn_define_select(g.sg, h, a, b, y23, 0), pqnn_status_invalid_parameter);  // fp16 c
  EXPECT_EQ(pqnn_define_select(g.sg, c, a, b, h, 0), pqnn_status_invalid_parameter);  // fp16 y
  EXPECT_EQ(pqnn_define_select(g.sg, c, a, b, y, 0), pqnn_status_success);
  EXPECT_EQ(pqnn_define_select(g.sg, c, a, b, y, 0), pqnn_status_invalid_parameter);  // produced
}

}  // namespace
