// A per-channel multiply read by its Winograd convolution (runtime-pass-scaled-input.c):
// random squeeze-excite steps y = x * s [+ r] [+ up(lo)] -- s per image or shared, either
// operand order, the residual x itself, another map or none, a nearest x2 upsampled add or
// none, bounds on each step, odd sizes, padding, batch 1 / 2, with and without a pool,
// Inf / NaN inputs (tiles the convolution computes directly) -- then a 3x3 convolution,
// at the defined shapes and after a reshape, bit-identical to the same graph with the
// multiply as a node of its own (runtime option no_scale_fusion). Then the graphs that
// must not fold.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <pqnn.h>

#include "common/fusion-block.h"
#include "common/runtime-graph.h"
#include "common/test-pool.h"

using namespace pqnn_test;

namespace {

enum Residual { kNone, kSelf, kOther };

struct Case {
  size_t n = 1, h = 8, w = 8, c = 8, cout = 8;
  uint32_t pad[4] = {1, 1, 1, 1};    // top, right, bottom, left
  bool scale_per_image = false;
  bool scale_first = false;          // s * x
  Residual residual = kSelf;
  bool upsampled = false;            // + nearest x2 of an (h / 2) x (w / 2) map
  float mul_min = -INFINITY, mul_max = INFINITY, add_min = -INFINITY, add_max = INFINITY;
  float up_min = -INFINITY, up_max = INFINITY, conv_min = -INFINITY, conv_max = INFINITY;
  bool nonfinite = false;            // Inf / NaN in x: direct tiles
  bool y_external = false;           // the multiply's output is also an output (2 readers)
  uint32_t stride = 1;
  uint32_t conv_flags = 0;
  bool reshape = true;
};

struct Result {
  std::vector<float> out[2];         // defined shapes, reshaped
  size_t stepped = 0, folded = 0;    // fused_scaled_input convs, folded binary nodes
  std::string conv_path;
};

size_t out_size(size_t in, uint32_t pad_a, uint32_t pad_b, uint32_t stride) {
  return (in + pad_a + pad_b - 3) / stride + 1;
}

// Externals: 0 x, 1 s, 2 r, 3 lo, 4 out, 5 y (the multiply's output, when external).
Result run_case(const Case& k, bool fuse, pthreadpool_t pool) {
  Result r;
  Graph g(6);
  const size_t sn = k.scale_per_image ? k.n : 1;
  // x and r written by an op, as in a network (an add of an external operand does not fuse
  // into the multiply: runtime-passes.c): unbounded clamps, Inf and NaN passing through.
  auto written = [&](uint32_t ext) {
    const uint32_t in = g.input(ext, {k.n, k.h, k.w, k.c});
    const uint32_t v = g.f32({k.n, k.h, k.w, k.c});
    EXPECT_EQ(pqnn_define_clamp(g.sg, -INFINITY, INFINITY, in, v, 0), pqnn_status_success);
    return v;
  };
  const uint32_t x = written(0);
  const uint32_t s = g.input(1, {sn, 1, 1, k.c});
  const uint32_t t = g.f32({k.n, k.h, k.w, k.c});
  EXPECT_EQ(pqnn_define_binary(g.sg, pqnn_binary_multiply, k.mul_min, k.mul_max,
      k.scale_first ? s : x, k.scale_first ? x : s, t, 0), pqnn_status_success);
  uint32_t y = t;
  if (k.residual != kNone) {
    const uint32_t other = k.residual == kSelf ? x : written(2);
    y = k.upsampled || !k.y_external ? g.f32({k.n, k.h, k.w, k.c})
                                      : g.output(5, {k.n, k.h, k.w, k.c});
    EXPECT_EQ(pqnn_define_add2(g.sg, k.add_min, k.add_max, t, other, y, 0),
        pqnn_status_success);
  }
  if (k.upsampled) {
    const uint32_t lo = g.input(3, {k.n, k.h / 2, k.w / 2, k.c});
    const uint32_t up = g.f32({k.n, k.h, k.w, k.c});
    pqnn_resize_params rp = {};
    rp.mode = pqnn_resize_nearest;
    rp.coordinates = pqnn_resize_asymmetric;
    rp.rounding = pqnn_resize_floor;
    rp.height_scale = rp.width_scale = 2.0f;
    EXPECT_EQ(pqnn_define_static_resize_2d(g.sg, &rp, lo, up, 0), pqnn_status_success);
    const uint32_t sum = k.y_external ? g.output(5, {k.n, k.h, k.w, k.c})
                                      : g.f32({k.n, k.h, k.w, k.c});
    EXPECT_EQ(pqnn_define_add2(g.sg, k.up_min, k.up_max, up, y, sum, 0), pqnn_status_success);
    y = sum;
  }
  const std::vector<float> wt = random_f32(k.cout * 9 * k.c, -0.3f, 0.3f, uint32_t(k.c * 7 + 1));
  const std::vector<float> b = random_f32(k.cout, -1, 1, uint32_t(k.cout + 3));
  const uint32_t wid = g.f32({k.cout, 3, 3, k.c}, wt.data());
  const uint32_t bid = g.f32({k.cout}, b.data());
  const size_t oh = out_size(k.h, k.pad[0], k.pad[2], k.stride);
  const size_t ow = out_size(k.w, k.pad[3], k.pad[1], k.stride);
  const uint32_t out = g.output(4, {k.n, oh, ow, k.cout});
  EXPECT_EQ(pqnn_define_convolution_2d(g.sg, k.pad[0], k.pad[1], k.pad[2], k.pad[3], 3, 3,
      k.stride, k.stride, 1, 1, 1, k.c, k.cout, k.conv_min, k.conv_max, y, wid, bid, out,
      k.conv_flags), pqnn_status_success);
  pqnn_runtime_options options = {};
  options.no_scale_fusion = fuse ? 0 : 1;
  pqnn_runtime_t rt = nullptr;
  EXPECT_EQ(pqnn_create_runtime_with_options(g.sg, pool, 0, &options, &rt),
      pqnn_status_success);
  if (rt == nullptr) return r;
  for (int pass = 0; pass < (k.reshape ? 2 : 1); pass++) {
    // The reshape: the other batch, two rows and columns more.
    const size_t n = pass == 0 ? k.n : 3 - k.n, grow = pass == 0 ? 0 : 2;
    const size_t h = k.h + grow, w = k.w + grow, sn2 = k.scale_per_image ? n : 1;
    if (pass == 1) {
      const size_t xd[4] = {n, h, w, k.c}, sd[4] = {sn2, 1, 1, k.c};
      const size_t ld[4] = {n, h / 2, w / 2, k.c};
      EXPECT_EQ(pqnn_reshape_external_value(rt, 0, 4, xd), pqnn_status_success);
      EXPECT_EQ(pqnn_reshape_external_value(rt, 1, 4, sd), pqnn_status_success);
      if (k.residual == kOther) {
        EXPECT_EQ(pqnn_reshape_external_value(rt, 2, 4, xd), pqnn_status_success);
      }
      if (k.upsampled) {
        EXPECT_EQ(pqnn_reshape_external_value(rt, 3, 4, ld), pqnn_status_success);
      }
      EXPECT_EQ(pqnn_reshape_runtime(rt), pqnn_status_success);
    }
    std::vector<float> xv = random_f32(n * h * w * k.c, -4, 4, uint32_t(11 + pass));
    if (k.nonfinite) {
      const float inf = std::numeric_limits<float>::infinity();
      xv[xv.size() / 3] = inf;
      xv[xv.size() / 2 + 1] = -inf;
      xv[xv.size() - 1] = std::numeric_limits<float>::quiet_NaN();
    }
    std::vector<float> sv = random_f32(sn2 * k.c, -2, 2, uint32_t(13 + pass));
    std::vector<float> rv = random_f32(n * h * w * k.c, -4, 4, uint32_t(17 + pass));
    std::vector<float> lv = random_f32(n * (h / 2) * (w / 2) * k.c, -4, 4, uint32_t(19 + pass));
    std::vector<float> yv(n * h * w * k.c);
    const size_t yh = out_size(h, k.pad[0], k.pad[2], k.stride);
    const size_t yw = out_size(w, k.pad[3], k.pad[1], k.stride);
    r.out[pass].assign(n * yh * yw * k.cout, -1234.5f);
    std::vector<pqnn_external_value> ext = {{0, xv.data()}, {1, sv.data()},
        {4, r.out[pass].data()}};
    if (k.residual == kOther) ext.push_back({2, rv.data()});
    if (k.upsampled) ext.push_back({3, lv.data()});
    if (k.y_external) ext.push_back({5, yv.data()});
    EXPECT_EQ(pqnn_setup_runtime(rt, ext.size(), ext.data()), pqnn_status_success);
    EXPECT_EQ(pqnn_invoke_runtime(rt), pqnn_status_success);
    bool written = true;
    for (float v : r.out[pass]) written = written && v != -1234.5f;
    EXPECT_TRUE(written);
  }
  for (const auto& i : node_infos(rt)) {
    r.stepped += i.fused_scaled_input;
    if (i.type == pqnn_node_type_binary) r.folded += i.folded_into_consumer;
    if (i.type == pqnn_node_type_convolution_2d) r.conv_path = i.compute_path;
    if (i.fused_scaled_input != 0) {
      EXPECT_EQ(i.type, pqnn_node_type_convolution_2d);
      EXPECT_STREQ(i.compute_path, "winograd");
    }
  }
  pqnn_delete_runtime(rt);
  return r;
}

Case random_case(std::mt19937& rng) {
  Case k;
  k.n = 1 + rng() % 2;
  k.h = 2 + rng() % 19;
  k.w = 2 + rng() % 23;
  k.c = 1 + rng() % 40;
  // The Winograd rule: >= 8 input channels or no more outputs than inputs.
  k.cout = k.c >= 8 ? 1 + rng() % 40 : 1 + rng() % k.c;
  for (uint32_t& p : k.pad) p = rng() % 2;
  if (k.h + k.pad[0] + k.pad[2] < 3) k.pad[0] = k.pad[2] = 1;  // at least one output row
  if (k.w + k.pad[1] + k.pad[3] < 3) k.pad[1] = k.pad[3] = 1;
  k.scale_per_image = rng() % 2 == 0;
  k.scale_first = rng() % 2 == 0;
  k.residual = Residual(rng() % 3);
  // The upsampled add folds only after a fused add (runtime-pass-upsample.c), from an
  // even size (x2 of h / 2 gives h).
  k.upsampled = k.residual != kNone && rng() % 2 == 0;
  if (k.upsampled) {
    k.h += k.h % 2;
    k.w += k.w % 2;
  }
  if (rng() % 3 == 0) {
    k.mul_min = -1.5f;
    k.mul_max = 3.0f;
  }
  if (rng() % 3 == 0) {
    k.add_min = -2.0f;
    k.add_max = 2.5f;
  }
  if (rng() % 3 == 0) {
    k.up_min = -3.0f;
    k.up_max = 1.0f;
  }
  if (rng() % 3 == 0) {
    k.conv_min = -0.5f;
    k.conv_max = 2.0f;
  }
  k.nonfinite = rng() % 4 == 0;
  return k;
}

TEST(RuntimeScaledInput, RandomStepsMatchTheMultiplyNode) {
  std::mt19937 rng(4051);
  pthreadpool_t pool = create_pool(2);
  const int trials = kNativeSuite ? 80 : 24;
  for (int trial = 0; trial < trials; trial++) {
    const Case k = random_case(rng);
    const pthreadpool_t p = (trial & 1) != 0 ? pool : nullptr;
    SCOPED_TRACE(testing::Message() << "trial " << trial << " n" << k.n << " " << k.h << "x"
        << k.w << "x" << k.c << " -> " << k.cout << " residual " << int(k.residual)
        << " upsampled " << k.upsampled << " s first " << k.scale_first << " per image "
        << k.scale_per_image << " nonfinite " << k.nonfinite << " pool " << (p != nullptr));
    const Result fused = run_case(k, true, p);
    const Result plain = run_case(k, false, p);
    ASSERT_FALSE(fused.out[0].empty());
    EXPECT_EQ(fused.stepped, 1u);
    EXPECT_EQ(fused.folded, 1u);
    EXPECT_EQ(plain.stepped, 0u);
    EXPECT_EQ(plain.folded, 0u);
    EXPECT_EQ(plain.conv_path, "winograd");
    EXPECT_TRUE(same_bits(fused.out[0], plain.out[0]));
    EXPECT_TRUE(same_bits(fused.out[1], plain.out[1]));
  }
  destroy_pool(pool);
}

// det's neck step at a reduced size: 96 channels, x * s + x + up(lo), 3x3 -> 24.
TEST(RuntimeScaledInput, DetNeckStepMatchesTheMultiplyNode) {
  Case k;
  k.h = k.w = 40;
  k.c = 96;
  k.cout = 24;
  k.residual = kSelf;
  k.upsampled = true;
  pthreadpool_t pool = create_pool(2);
  for (pthreadpool_t p : {pthreadpool_t(nullptr), pool}) {
    const Result fused = run_case(k, true, p);
    const Result plain = run_case(k, false, p);
    EXPECT_EQ(fused.stepped, 1u);
    EXPECT_TRUE(same_bits(fused.out[0], plain.out[0]));
    EXPECT_TRUE(same_bits(fused.out[1], plain.out[1]));
  }
  destroy_pool(pool);
}

// Not folded: the multiply's output read by another node too (an external output), a
// convolution off the Winograd path (stride 2, PQNN_FLAG_NO_WINOGRAD), and the runtime
// option; the results are still the multiply node's.
TEST(RuntimeScaledInput, OtherReadersAndOtherPathsDoNotFold) {
  Case base;
  base.upsampled = true;
  for (int variant = 0; variant < 3; variant++) {
    Case k = base;
    if (variant == 0) k.y_external = true;
    if (variant == 1) k.stride = 2;
    if (variant == 2) k.conv_flags = PQNN_FLAG_NO_WINOGRAD;
    SCOPED_TRACE(variant);
    const Result a = run_case(k, true, nullptr);
    const Result b = run_case(k, false, nullptr);
    EXPECT_EQ(a.stepped, 0u);
    EXPECT_EQ(a.folded, 0u);
    EXPECT_TRUE(same_bits(a.out[0], b.out[0]));
    EXPECT_TRUE(same_bits(a.out[1], b.out[1]));
  }
}

// The operator side: a stepped part (pixel_step) only alone, plain, dense and on an
// operator that reserved stepped rows before its reshape; then a step (x * 2 + 1, rows
// of the map read where they lie) gives the bits of the convolution of the stepped map,
// directly computed tiles (an infinity) included.
void step_twice_plus_one(const void* context, const float* x, float* y, size_t pixel,
    size_t count) {
  const size_t c = *static_cast<const size_t*>(context);
  (void) pixel;
  for (size_t i = 0; i < count * c; i++) y[i] = x[i] * 2.0f + 1.0f;
}

TEST(RuntimeScaledInput, OperatorStepsOnlyWhereReserved) {
  ASSERT_EQ(pqnn_initialize(), pqnn_status_success);
  const size_t c = 12, h = 9, w = 7;
  const std::vector<float> wt = random_f32(8 * 9 * c, -1, 1, 3);
  auto create = [&](bool reserve) {
    pqnn_operator_t op = nullptr;
    EXPECT_EQ(pqnn_create_convolution2d_nhwc_f32(1, 1, 1, 1, 3, 3, 1, 1, 1, 1, 1, c, 8, c, 8,
        wt.data(), nullptr, -INFINITY, INFINITY, 0, &op), pqnn_status_success);
    if (reserve) pqnn_reserve_winograd_stepped_rows(op);
    size_t oh = 0, ow = 0;
    EXPECT_EQ(pqnn_reshape_convolution2d_nhwc_f32(op, 2, h, w, &oh, &ow, nullptr),
        pqnn_status_success);
    return op;
  };
  std::vector<float> x = random_f32(2 * h * w * c, -2, 2, 5), y(2 * h * w * 8);
  x[h * w * c + 3 * c + 1] = std::numeric_limits<float>::infinity();
  std::vector<float> stepped(x.size()), want(y.size());
  for (size_t i = 0; i < x.size(); i++) stepped[i] = x[i] * 2.0f + 1.0f;
  const size_t rows[9] = {0, 0, 1, 1, 2, 2, 3, 3, 4};
  pqnn_winograd_part part = {x.data(), c, c, h, w, nullptr, nullptr, step_twice_plus_one, &c};
  pqnn_operator_t op = create(false);
  ASSERT_EQ(pqnn_setup_convolution2d_nhwc_f32(op, x.data(), y.data()), pqnn_status_success);
  EXPECT_EQ(pqnn_setup_winograd_input_parts(op, 1, &part), pqnn_status_invalid_state);
  pqnn_delete_operator(op);
  op = create(true);
  ASSERT_EQ(pqnn_setup_convolution2d_nhwc_f32(op, stepped.data(), want.data()),
      pqnn_status_success);
  ASSERT_EQ(pqnn_run_operator(op, nullptr), pqnn_status_success);  // the stepped map
  ASSERT_EQ(pqnn_setup_convolution2d_nhwc_f32(op, x.data(), y.data()), pqnn_status_success);
  pqnn_winograd_part bad = part;
  bad.rows = rows;  // a resized part
  bad.height = 5;
  EXPECT_EQ(pqnn_setup_winograd_input_parts(op, 1, &bad), pqnn_status_invalid_parameter);
  bad = part;
  bad.pixel_stride = c + 1;  // not dense
  EXPECT_EQ(pqnn_setup_winograd_input_parts(op, 1, &bad), pqnn_status_invalid_parameter);
  pqnn_winograd_part two[2] = {part, part};  // not alone
  two[0].channels = two[0].pixel_stride = 4;
  two[1].channels = two[1].pixel_stride = 8;
  EXPECT_EQ(pqnn_setup_winograd_input_parts(op, 2, two), pqnn_status_invalid_parameter);
  ASSERT_EQ(pqnn_setup_winograd_input_parts(op, 1, &part), pqnn_status_success);
  ASSERT_EQ(pqnn_run_operator(op, nullptr), pqnn_status_success);
  EXPECT_TRUE(same_bits(y, want));
  pqnn_delete_operator(op);
}

}  // namespace
