// Output range fusion (src/runtime/runtime-output-range.c): under dynamic quantization, the
// f32 -> qd8 convert that quantizes per image the input of a qd8 convolution takes each
// image's range from the epilogue of the fully connected / convolution node that writes
// that input. Random graphs x -> writer -> y -> 3x3 qd8 convolution -> z, the writer an FC
// over the pixels (f32: few input channels), an f32 stem convolution (3 input channels), a
// qd8 1x1 or 3x3 convolution (f32 output), with fused bounds, activations and residual adds,
// 1 or 2 images, y also an output or not, an image holding a NaN or an infinity: z (and y)
// bit-identical to the same graph with the runtime option no_range_fusion, at the defined
// shape and after a reshape, without a pool and with pools of 2 and 3 threads, and the
// convert reports range_fused where the tier has the range kernels and an FC / conv writes
// y (without a pool; with one, where the writer's tiles still span whole rows), never under
// the option. Then the converts that must not take ranges: a writer that is no FC / conv (an
// add), a depthwise writer, a per-row convert (an FC reader).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <deque>
#include <random>
#include <string>
#include <vector>

#include <pqnn.h>

#include "common/fusion-block.h"
#include "common/runtime-graph.h"
#include "common/test-pool.h"

extern "C" {
#include "configs/config.h"
}

using namespace pqnn_test;

namespace {

constexpr bool kNative = kNativeSuite;

enum class Writer { fc, stem, conv1x1, conv3x3, add };

struct Case {
  Writer writer = Writer::fc;
  size_t n = 1, h = 20, w = 21, c0 = 12, c1 = 24, c2 = 16;
  bool clamp = false, hardswish = false, residual = false, mid_output = false;
  bool nonfinite = false;  // image 0's first element is +Inf, the last image's a NaN
  bool second_reader = false;  // y also read by a second 3x3 qd8 convolution -> z2
};

struct Result {
  std::vector<float> z, y, z_reshaped, z2;
  size_t ranged = 0, ranged_reshaped = 0;
  // The node that writes y (right before the convert of the reader's input) is a fully
  // connected or convolution node: the activation and the add fused into the writer where
  // the tier's epilogue takes them (else a unary or add node writes y).
  bool epilogue_writer = false;
  bool reader_qd8 = false;  // the reader runs qd8 (a convert quantizes y per image)
};


size_t count_ranged(pqnn_runtime_t rt) {
  size_t n = 0;
  for (const auto& i : node_infos(rt)) {
    n += i.range_fused;
    if (i.range_fused) {
      EXPECT_EQ(i.type, pqnn_node_type_convert);
      EXPECT_EQ(i.inserted, 1u);
    }
  }
  return n;
}

// x [n][h][w][c0] -> writer -> y [n][h][w][c1] (-> also external 2) -> 3x3 conv pad 1 -> z.
Result run_case(const Case& c, bool fusion, pthreadpool_t pool) {
  Result r;
  std::deque<std::vector<float>> keep;
  Graph g(5);
  const uint32_t x = g.input(0, {c.n, c.h, c.w, c.c0});
  const uint32_t z = g.output(1, {c.n, c.h, c.w, c.c2});
  const uint32_t y = c.mid_output ? g.output(2, {c.n, c.h, c.w, c.c1})
                                  : g.f32({c.n, c.h, c.w, c.c1});
  const float lo = c.clamp ? -0.5f : -INFINITY, hi = c.clamp ? 2.0f : INFINITY;
  const uint32_t wout = c.hardswish || c.residual ? g.f32({c.n, c.h, c.w, c.c1}) : y;
  switch (c.writer) {
    case Writer::fc: {
      const auto& f = keep.emplace_back(random_f32(c.c1 * c.c0, -0.5f, 0.5f, 3));
      const auto& b = keep.emplace_back(random_f32(c.c1, -0.2f, 0.2f, 4));
      EXPECT_EQ(pqnn_define_fully_connected(g.sg, lo, hi, x, g.f32({c.c1, c.c0}, f.data()),
          g.f32({c.c1}, b.data()), wout, 0), pqnn_status_success);
      break;
    }
    case Writer::stem:
    case Writer::conv1x1:
    case Writer::conv3x3: {
      const uint32_t k = c.writer == Writer::conv1x1 ? 1 : 3, pad = k / 2;
      const auto& f = keep.emplace_back(random_f32(c.c1 * k * k * c.c0, -0.3f, 0.3f, 5));
      const auto& b = keep.emplace_back(random_f32(c.c1, -0.2f, 0.2f, 6));
      EXPECT_EQ(pqnn_define_convolution_2d(g.sg, pad, pad, pad, pad, k, k, 1, 1, 1, 1, 1, c.c0,
          c.c1, lo, hi, x, g.f32({c.c1, k, k, c.c0}, f.data()), g.f32({c.c1}, b.data()), wout,
          0), pqnn_status_success);
      break;
    }
    case Writer::add: {  // y = x + x: no epilogue writer
      EXPECT_EQ(pqnn_define_binary(g.sg, pqnn_binary_add, lo, hi, x, x, wout, 0),
          pqnn_status_success);
      break;
    }
  }
  uint32_t last = wout;
  if (c.hardswish) {
    const uint32_t u = c.residual ? g.f32({c.n, c.h, c.w, c.c1}) : y;
    pqnn_unary_params params = {};
    EXPECT_EQ(pqnn_define_unary(g.sg, pqnn_unary_hardswish, &params, last, u, 0),
        pqnn_status_success);
    last = u;
  }
  if (c.residual) {  // a second input: the add fuses into the writer
    EXPECT_EQ(pqnn_define_binary(g.sg, pqnn_binary_add, -INFINITY, INFINITY, last,
        g.input(3, {c.n, c.h, c.w, c.c1}), y, 0), pqnn_status_success);
  }
  const auto& f2 = keep.emplace_back(random_f32(c.c2 * 9 * c.c1, -0.2f, 0.2f, 8));
  const auto& b2 = keep.emplace_back(random_f32(c.c2, -0.1f, 0.1f, 9));
  EXPECT_EQ(pqnn_define_convolution_2d(g.sg, 1, 1, 1, 1, 3, 3, 1, 1, 1, 1, 1, c.c1, c.c2,
      -INFINITY, INFINITY, y, g.f32({c.c2, 3, 3, c.c1}, f2.data()), g.f32({c.c2}, b2.data()), z,
      0), pqnn_status_success);
  const uint32_t z2 = c.second_reader ? g.output(4, {c.n, c.h, c.w, 8}) : 0;
  if (c.second_reader) {  // its own convert of y (one writer, two per-image converts)
    const auto& f3 = keep.emplace_back(random_f32(8 * 9 * c.c1, -0.2f, 0.2f, 10));
    EXPECT_EQ(pqnn_define_convolution_2d(g.sg, 1, 1, 1, 1, 3, 3, 1, 1, 1, 1, 1, c.c1, 8,
        -INFINITY, INFINITY, y, g.f32({8, 3, 3, c.c1}, f3.data()), PQNN_INVALID_VALUE_ID, z2,
        0), pqnn_status_success);
  }
  pqnn_runtime_options options = {};
  options.no_range_fusion = fusion ? 0 : 1;
  pqnn_runtime_t rt = nullptr;
  EXPECT_EQ(pqnn_create_runtime_with_options(g.sg, pool, PQNN_FLAG_DYNAMIC_RANGE_QUANTIZATION,
      &options, &rt), pqnn_status_success);
  if (rt == nullptr) return r;
  for (int pass = 0; pass < 2; pass++) {
    const size_t h = c.h + (pass == 0 ? 0 : 3), w = c.w - (pass == 0 ? 0 : 2);
    if (pass == 1) {
      const size_t dims[4] = {c.n, h, w, c.c0};
      EXPECT_EQ(pqnn_reshape_external_value(rt, 0, 4, dims), pqnn_status_success);
      if (c.residual) {
        const size_t rdims[4] = {c.n, h, w, c.c1};
        EXPECT_EQ(pqnn_reshape_external_value(rt, 3, 4, rdims), pqnn_status_success);
      }
      EXPECT_EQ(pqnn_reshape_runtime(rt), pqnn_status_success);
    }
    auto in = random_f32(c.n * h * w * c.c0, -2.0f, 2.0f, 91 + pass);
    if (c.nonfinite) {
      in[0] = INFINITY;
      in[in.size() - 1] = NAN;
    }
    std::vector<float>& out = pass == 0 ? r.z : r.z_reshaped;
    out.assign(c.n * h * w * c.c2, -1234.5f);
    r.y.assign(c.n * h * w * c.c1, -1234.5f);
    const auto residual = random_f32(c.n * h * w * c.c1, -1.0f, 1.0f, 71 + pass);
    std::vector<pqnn_external_value> ext = {{0, in.data()}, {1, out.data()}};
    if (c.mid_output) ext.push_back({2, r.y.data()});
    if (c.residual) ext.push_back({3, (void*) residual.data()});
    r.z2.assign(c.second_reader ? c.n * h * w * 8 : 0, -1234.5f);
    if (c.second_reader) ext.push_back({4, r.z2.data()});
    EXPECT_EQ(pqnn_setup_runtime(rt, ext.size(), ext.data()), pqnn_status_success);
    // First on a 4x wider input, then on the input: each invoke starts from empty ranges.
    for (float& v : in) v *= 4.0f;
    EXPECT_EQ(pqnn_invoke_runtime(rt), pqnn_status_success);
    for (float& v : in) v *= 0.25f;
    EXPECT_EQ(pqnn_invoke_runtime(rt), pqnn_status_success);
    (pass == 0 ? r.ranged : r.ranged_reshaped) = count_ranged(rt);
  }
  // The first inserted convert after the first node quantizes y (a qd8 writer's own input
  // convert comes first, at index 0); the node before it writes y.
  const auto infos = node_infos(rt);
  for (size_t i = 1; i < infos.size(); i++) {
    if (infos[i].type == pqnn_node_type_convert && infos[i].inserted) {
      r.epilogue_writer = infos[i - 1].type == pqnn_node_type_fully_connected ||
          infos[i - 1].type == pqnn_node_type_convolution_2d;
      r.reader_qd8 = true;
      break;
    }
  }
  pqnn_delete_runtime(rt);
  return r;
}

bool tier_has_range_kernels() {
  const pqnn_convert_config* config = pqnn_get_convert_config();
  return config != nullptr && config->f32_qd8_range != nullptr &&
      config->f32_qd8_apply != nullptr;
}

std::string describe(const Case& c) {
  static const char* const kWriters[] = {"fc", "stem", "conv1x1", "conv3x3", "add"};
  return std::string(kWriters[static_cast<int>(c.writer)]) + " n " + std::to_string(c.n) +
      " " + std::to_string(c.h) + "x" + std::to_string(c.w) + " " + std::to_string(c.c0) +
      "->" + std::to_string(c.c1) + "->" + std::to_string(c.c2) + (c.clamp ? " clamp" : "") +
      (c.hardswish ? " hardswish" : "") + (c.residual ? " residual" : "") +
      (c.mid_output ? " y-output" : "") + (c.nonfinite ? " inf/nan" : "") +
      (c.second_reader ? " second-reader" : "");
}

void expect_same_as_unfused(const Case& c, bool expect_ranged, pthreadpool_t* pools,
    size_t num_pools) {
  SCOPED_TRACE(describe(c));
  const Result ref = run_case(c, false, nullptr);
  ASSERT_FALSE(ref.z.empty());
  EXPECT_EQ(ref.ranged, 0u);
  for (size_t p = 0; p < num_pools; p++) {
    SCOPED_TRACE(testing::Message() << "pool " << p);
    const Result r = run_case(c, true, pools[p]);
    EXPECT_TRUE(same_bits(r.z, ref.z));
    if (c.mid_output) {
      EXPECT_TRUE(same_bits(r.y, ref.y));
    }
    if (c.second_reader) {
      EXPECT_TRUE(same_bits(r.z2, ref.z2));
    }
    EXPECT_TRUE(same_bits(r.z_reshaped, ref.z_reshaped));
    const bool ranged = expect_ranged && r.epilogue_writer;
    if (r.reader_qd8 && c.writer != Writer::add && !c.hardswish && !c.residual) {
      EXPECT_TRUE(r.epilogue_writer);  // nothing to fuse: the FC / conv writes y
    }
    if (pools[p] == nullptr) {
      EXPECT_EQ(r.ranged, ranged ? 1u : 0u);
      EXPECT_EQ(r.ranged_reshaped, ranged ? 1u : 0u);
    } else {
      // Threads may split the writer's columns into tiles of part of a row: the convert
      // then runs its own range pass (runtime-output-range.c, writes_dense_tiles).
      EXPECT_LE(r.ranged, ranged ? 1u : 0u);
      EXPECT_LE(r.ranged_reshaped, ranged ? 1u : 0u);
    }
  }
}

TEST(RuntimeOutputRange, RandomWritersMatchTheUnfusedGraph) {
  std::mt19937 rng(4242);
  auto pick = [&](size_t lo, size_t hi) {
    return std::uniform_int_distribution<size_t>(lo, hi)(rng);
  };
  pthreadpool_t pools[3] = {nullptr, create_pool(2), create_pool(3)};
  const bool ranged = tier_has_range_kernels();
  const int cases = kNative ? 24 : 4;
  for (int i = 0; i < cases; i++) {
    Case c;
    c.writer = static_cast<Writer>(i % 4);
    c.n = pick(0, 2) == 0 ? 2 : 1;
    c.h = pick(6, 40);
    c.w = pick(6, 40);
    c.c0 = c.writer == Writer::stem ? 3 : c.writer == Writer::fc ? pick(4, 40) : pick(8, 40);
    c.c1 = pick(c.c0 > 8 ? c.c0 : 8, 64);  // 3x3 reader: K = 9 * c1 >= 72 (qd8)
    c.c2 = pick(c.c1 / 3 + 1, 64);  // Cout > Cin / 3: the reader runs qd8 on every tier
    c.clamp = pick(0, 2) == 0;
    c.hardswish = pick(0, 2) == 0;
    c.residual = pick(0, 3) == 0;
    c.mid_output = pick(0, 3) == 0;
    c.nonfinite = i % 7 == 3;
    c.second_reader = i % 3 == 1;
    expect_same_as_unfused(c, ranged, pools, kNative ? 3 : 1);
  }
  for (pthreadpool_t pool : pools) destroy_pool(pool);
}

// A large map: images of 200x160x96 (12 MiB of f32 each), the convert's apply in chunks.
TEST(RuntimeOutputRange, LargeMapMatchesTheUnfusedGraph) {
  Case c;
  c.h = kNative ? 200 : 40;
  c.w = 160;
  c.c0 = 12;
  c.c1 = 96;
  c.c2 = 24;
  c.hardswish = true;
  pthreadpool_t pools[2] = {nullptr, create_pool(2)};
  expect_same_as_unfused(c, tier_has_range_kernels(), pools, 2);
  for (pthreadpool_t pool : pools) destroy_pool(pool);
}

// An add writes the convert's input: no epilogue to merge ranges, the convert runs as ever.
TEST(RuntimeOutputRange, AddWriterRunsItsOwnRangePass) {
  Case c;
  c.writer = Writer::add;
  c.c0 = c.c1 = 24;
  pthreadpool_t pools[1] = {nullptr};
  expect_same_as_unfused(c, false, pools, 1);
}

}  // namespace
