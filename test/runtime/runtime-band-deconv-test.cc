// Row-band execution of direct deconvolution pairs (src/runtime/runtime-band-deconv.c):
// random chains x -> deconvolution (kernel == stride) -> deconvolution (kernel == stride)
// -> y whose intermediate does not fit L2 (channels, sizes, odd widths, strides 1-3 per
// dimension, horizontal crops, groups, clamps and fused unary activations, 1 or 2 images),
// against the same graph with the runtime option no_banding: bit-identical outputs, at the
// defined shape and after a reshape, without a pool and with pools of 2 and 3 threads; the
// same under dynamic quantization and forced f16 inference. Then the cases that must not
// band: an intermediate read by another node, an overlapping (non-direct) deconvolution, a
// vertical crop or output adjustment, small maps, and no_banding.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <deque>
#include <random>
#include <string>
#include <vector>

#include <pqnn.h>

#include "common/runtime-graph.h"
#include "common/same-bits.h"
#include "common/test-pool.h"

using namespace pqnn_test;

namespace {

// Fewer cases off x86-64 (kNativeSuite): each case moves several MiB through six runtimes.
constexpr bool kNative = kNativeSuite;

struct Layer {
  uint32_t kh = 2, kw = 2, sh = 2, sw = 2;  // kernel == stride: the direct path
  uint32_t pad_top = 0, pad_bottom = 0, pad_left = 0, pad_right = 0;
  uint32_t adj_h = 0;                       // output adjustment (rows below)
  uint32_t groups = 1;
  bool clamp = false;                       // bounds [0, 6]
  pqnn_unary_operator unary = pqnn_unary_invalid;  // a unary node after it (fused)
};

struct Chain {
  size_t n = 1, h = 40, w = 41, c0 = 24, c1 = 24, c2 = 1;
  Layer a, b;
  bool mid_output = false;  // the intermediate is also an external output (two readers)
};

size_t out_h(size_t in, const Layer& l) {
  return (in - 1) * l.sh + l.adj_h + l.kh - l.pad_top - l.pad_bottom;
}
size_t out_w(size_t in, const Layer& l) {
  return (in - 1) * l.sw + l.kw - l.pad_left - l.pad_right;
}

struct Result {
  std::vector<float> y, y_reshaped;
  size_t banded = 0, banded_reshaped = 0;
  std::vector<pqnn_datatype> deconv_types;  // the deconvolutions' compute datatypes
};

// One deconvolution layer (and its unary) from `in` [n][h][w][cin] to a new value, or to
// `out` when given; returns the value written last.
// `keep` holds the static data while the runtime lives.
uint32_t define_layer(Graph& g, std::deque<std::vector<float>>& keep, const Layer& l, size_t n,
    size_t h, size_t w, size_t cin, size_t cout, uint32_t in, uint32_t out, uint32_t seed) {
  const size_t gic = cin / l.groups, goc = cout / l.groups;
  const std::vector<float>& filter =
      keep.emplace_back(random_f32(cout * l.kh * l.kw * gic, -0.4f, 0.4f, seed));
  const std::vector<float>& bias = keep.emplace_back(random_f32(cout, -0.3f, 0.3f, seed + 1));
  const std::vector<size_t> dims = {n, out_h(h, l), out_w(w, l), cout};
  const uint32_t d = l.unary != pqnn_unary_invalid || out == PQNN_INVALID_VALUE_ID
      ? g.f32(dims) : out;
  EXPECT_EQ(pqnn_define_deconvolution_2d(g.sg, l.pad_top, l.pad_right, l.pad_bottom,
      l.pad_left, l.adj_h, 0, l.kh, l.kw, l.sh, l.sw, 1, 1, l.groups, gic, goc,
      l.clamp ? 0.0f : -INFINITY, l.clamp ? 6.0f : INFINITY, in,
      g.f32({cout, l.kh, l.kw, gic}, filter.data()), g.f32({cout}, bias.data()), d, 0),
      pqnn_status_success);
  if (l.unary == pqnn_unary_invalid) return d;
  const uint32_t u = out != PQNN_INVALID_VALUE_ID ? out : g.f32(dims);
  pqnn_unary_params params = {};
  params.alpha = 0.1f;
  EXPECT_EQ(pqnn_define_unary(g.sg, l.unary, &params, d, u, 0), pqnn_status_success);
  return u;
}

// x [n][h][w][c0] -> a -> b -> y; runs at the shape, then with h + 3, w - 2.
Result run_chain(const Chain& c, bool banding, pthreadpool_t pool, uint32_t flags = 0) {
  Result r;
  std::deque<std::vector<float>> keep;
  Graph g(3);
  const uint32_t x = g.input(0, {c.n, c.h, c.w, c.c0});
  const size_t mh = out_h(c.h, c.a), mw = out_w(c.w, c.a);
  const uint32_t y = g.output(1, {c.n, out_h(mh, c.b), out_w(mw, c.b), c.c2});
  const uint32_t m = c.mid_output ? g.output(2, {c.n, mh, mw, c.c1}) : PQNN_INVALID_VALUE_ID;
  const uint32_t mid = define_layer(g, keep, c.a, c.n, c.h, c.w, c.c0, c.c1, x, m, 11);
  define_layer(g, keep, c.b, c.n, mh, mw, c.c1, c.c2, mid, y, 21);
  pqnn_runtime_t rt = create_banding_runtime(g, banding, pool, flags);
  if (rt == nullptr) return r;
  for (int pass = 0; pass < 2; pass++) {
    const size_t h = c.h + (pass == 0 ? 0 : 3), w = c.w - (pass == 0 ? 0 : 2);
    if (pass == 1) {
      const size_t dims[4] = {c.n, h, w, c.c0};
      EXPECT_EQ(pqnn_reshape_external_value(rt, 0, 4, dims), pqnn_status_success);
      EXPECT_EQ(pqnn_reshape_runtime(rt), pqnn_status_success);
    }
    const size_t h1 = out_h(h, c.a), w1 = out_w(w, c.a);
    const auto in = random_f32(c.n * h * w * c.c0, -1.0f, 1.0f, 91 + pass);
    std::vector<float>& out = pass == 0 ? r.y : r.y_reshaped;
    out.assign(c.n * out_h(h1, c.b) * out_w(w1, c.b) * c.c2, -1234.5f);
    std::vector<float> mid_out(c.n * h1 * w1 * c.c1);
    std::vector<pqnn_external_value> ext = {{0, (void*) in.data()}, {1, out.data()}};
    if (c.mid_output) ext.push_back({2, mid_out.data()});
    EXPECT_EQ(pqnn_setup_runtime(rt, ext.size(), ext.data()), pqnn_status_success);
    EXPECT_EQ(pqnn_invoke_runtime(rt), pqnn_status_success);
    (pass == 0 ? r.banded : r.banded_reshaped) = count_banded(rt);
  }
  for (const auto& i : node_infos(rt)) {
    if (i.type == pqnn_node_type_deconvolution_2d) r.deconv_types.push_back(i.compute_datatype);
  }
  pqnn_delete_runtime(rt);
  return r;
}

bool same_filled_bits(const std::vector<float>& a, const std::vector<float>& b) {
  return !a.empty() && same_bits(a, b);
}

Chain random_chain(std::mt19937& rng) {
  auto pick = [&](size_t lo, size_t hi) {
    return std::uniform_int_distribution<size_t>(lo, hi)(rng);
  };
  Chain c;
  c.n = pick(0, 2) == 0 ? 2 : 1;
  c.h = pick(10, 40);
  c.w = pick(7, 40) * 2 + 1;  // odd widths
  c.c0 = pick(3, 40);
  c.c2 = pick(0, 1) == 0 ? 1 : pick(1, 20);
  for (Layer* l : {&c.a, &c.b}) {
    l->kh = l->sh = (uint32_t) pick(1, 3);
    l->kw = l->sw = (uint32_t) pick(1, 3);
    if (l->kh * l->kw == 1) l->kh = l->sh = 2;
    l->clamp = pick(0, 2) == 0;
    const size_t u = pick(0, 3);
    l->unary = u == 0 ? pqnn_unary_sigmoid : u == 1 ? pqnn_unary_leaky_relu : pqnn_unary_invalid;
    if (pick(0, 4) == 0) {  // a horizontal crop: the per-tap (not wide) direct rows
      l->pad_left = (uint32_t) pick(0, l->kw - 1);
      l->pad_right = (uint32_t) pick(0, l->kw - 1);
    }
  }
  // An intermediate of 2.5 to 6 MiB per image: beyond L2, so the pair bands.
  const size_t pixels = out_h(c.h, c.a) * out_w(c.w, c.a);
  const size_t lo = (5u << 19) / (pixels * 4) + 1;
  c.c1 = pick(lo, lo * 12 / 5);
  if (pick(0, 4) == 0) {  // grouped second layer (the per-group direct rows)
    c.b.groups = 2;
    c.c1 += c.c1 % 2;
    c.c2 = 2 * pick(1, 6);
  }
  return c;
}

std::string describe(const Chain& c) {
  std::string s = "n " + std::to_string(c.n) + " " + std::to_string(c.h) + "x" +
      std::to_string(c.w) + " " + std::to_string(c.c0) + "->" + std::to_string(c.c1) + "->" +
      std::to_string(c.c2);
  for (const Layer* l : {&c.a, &c.b}) {
    s += " | k " + std::to_string(l->kh) + "x" + std::to_string(l->kw) + " pads " +
        std::to_string(l->pad_left) + "," + std::to_string(l->pad_right) + " g " +
        std::to_string(l->groups) + (l->clamp ? " clamp" : "") + " unary " +
        std::to_string((int) l->unary);
  }
  return s;
}

TEST(RuntimeBandDeconv, RandomPairsMatchTheUnbandedGraph) {
  std::mt19937 rng(2929);
  pthreadpool_t pools[3] = {nullptr, create_pool(2), create_pool(3)};
  const int cases = kNative ? 16 : 3;
  for (int i = 0; i < cases; i++) {
    const Chain c = random_chain(rng);
    SCOPED_TRACE(testing::Message() << "case " << i << " " << describe(c));
    const Result ref = run_chain(c, false, nullptr);
    ASSERT_FALSE(ref.y.empty());
    EXPECT_EQ(ref.banded, 0u);
    for (pthreadpool_t pool : pools) {
      const Result r = run_chain(c, true, pool);
      EXPECT_TRUE(same_filled_bits(r.y, ref.y));
      EXPECT_TRUE(same_filled_bits(r.y_reshaped, ref.y_reshaped));
      // Every pair has an intermediate past L2 (on a core with at most 2.5 MiB of it).
      EXPECT_EQ(r.banded, 2u);
      EXPECT_EQ(r.banded_reshaped, 2u);
    }
  }
  for (pthreadpool_t pool : pools) destroy_pool(pool);
}

// Dynamic quantization (64+ input channels: the first deconvolution runs qd8, its input
// quantized per pixel before the pair; the second's 48 stay under the qd8 threshold, f32)
// and forced f16 inference (f16 rows; the tall path's
// row buffer without the f32 pixel-lane kernel): bit-identical to the unbanded graph.
TEST(RuntimeBandDeconv, Qd8AndF16MatchTheUnbandedGraph) {
  std::mt19937 rng(3131);
  pthreadpool_t pools[2] = {nullptr, create_pool(2)};
  const int cases = kNative ? 6 : 2;
  for (int i = 0; i < cases; i++) {
    Chain c = random_chain(rng);
    const uint32_t flags = i % 2 == 0 ? PQNN_FLAG_DYNAMIC_RANGE_QUANTIZATION
                                      : PQNN_FLAG_FORCE_FP16_INFERENCE;
    if (flags == PQNN_FLAG_DYNAMIC_RANGE_QUANTIZATION) {
      c.c0 = 64 + (size_t) i * 5;
      c.a.kh = c.a.kw = c.a.sh = c.a.sw = 2;
      c.a.pad_left = c.a.pad_right = 0;
      c.h = 64;
      c.w = 65;
      c.c1 = 48;  // 128x130x48 f32: 3.0 MiB
      c.b.groups = 1;
    } else {
      c.c1 *= 2;  // f16: 2.5-6 MiB per image again
    }
    SCOPED_TRACE(testing::Message() << "case " << i << " flags " << flags << " "
        << describe(c));
    const Result ref = run_chain(c, false, nullptr, flags);
    ASSERT_FALSE(ref.y.empty());
    for (pthreadpool_t pool : pools) {
      const Result r = run_chain(c, true, pool, flags);
      EXPECT_TRUE(same_filled_bits(r.y, ref.y));
      EXPECT_TRUE(same_filled_bits(r.y_reshaped, ref.y_reshaped));
      const std::vector<pqnn_datatype> types = flags == PQNN_FLAG_DYNAMIC_RANGE_QUANTIZATION
          ? std::vector<pqnn_datatype>{pqnn_datatype_qdint8, pqnn_datatype_fp32}
          : std::vector<pqnn_datatype>{pqnn_datatype_fp16, pqnn_datatype_fp16};
      EXPECT_EQ(r.deconv_types, types);
      EXPECT_EQ(r.banded, 2u);
    }
  }
  for (pthreadpool_t pool : pools) destroy_pool(pool);
}

// PaddleOCR det's head at 640x640: 160x160x24 -> 2x2 s2 24 -> 24 (clamp) -> 2x2 s2 24 -> 1
// (sigmoid), with 1 and 2 images.
TEST(RuntimeBandDeconv, DetHeadMatchesTheUnbandedGraph) {
  for (size_t n = 1; n <= (kNative ? 2u : 1u); n++) {
    Chain c;
    c.n = n;
    c.h = c.w = 160;
    c.a.clamp = true;
    c.b.unary = pqnn_unary_sigmoid;
    const Result ref = run_chain(c, false, nullptr);
    const Result r = run_chain(c, true, nullptr);
    EXPECT_EQ(r.banded, 2u);
    EXPECT_TRUE(same_filled_bits(r.y, ref.y));
    EXPECT_TRUE(same_filled_bits(r.y_reshaped, ref.y_reshaped));
  }
}

// Planned pairs that the reshape finds off the banded geometry, and graphs with no pair:
// node by node, with the same bits.
TEST(RuntimeBandDeconv, IneligiblePairsStayUnbanded) {
  Chain base;
  base.h = 40;
  base.w = 41;
  base.c1 = 160;  // 80x82x160 f32: 4.0 MiB
  std::vector<std::pair<const char*, Chain>> cases;
  Chain c = base;
  c.mid_output = true;  // a second reader of the intermediate
  cases.push_back({"intermediate also an output", c});
  c = base;
  c.a.kh = c.a.kw = 4;  // overlapping taps: the accumulating path
  c.a.pad_top = c.a.pad_bottom = c.a.pad_left = c.a.pad_right = 1;
  cases.push_back({"first overlapping", c});
  c = base;
  c.b.kh = c.b.kw = 3;  // kernel 3, stride 2: overlapping
  cases.push_back({"second overlapping", c});
  c = base;
  c.b.pad_top = 1;  // a vertical crop of the second
  cases.push_back({"second cropped at the top", c});
  c = base;
  c.a.pad_bottom = 1;  // the first's last input row writes one row only
  cases.push_back({"first cropped at the bottom", c});
  c = base;
  c.a.adj_h = 1;  // an output padding row below the first's rows
  cases.push_back({"first adjusted", c});
  c = base;
  c.h = c.w = 20;  // 40x40x24 f32: 150 KiB, stays in L2
  c.c1 = 24;
  cases.push_back({"small map", c});
  for (const auto& [name, chain] : cases) {
    SCOPED_TRACE(name);
    const Result ref = run_chain(chain, false, nullptr);
    const Result r = run_chain(chain, true, nullptr);
    EXPECT_EQ(r.banded, 0u);
    EXPECT_EQ(r.banded_reshaped, 0u);
    EXPECT_TRUE(same_filled_bits(r.y, ref.y));
    EXPECT_TRUE(same_filled_bits(r.y_reshaped, ref.y_reshaped));
  }
}

}  // namespace
