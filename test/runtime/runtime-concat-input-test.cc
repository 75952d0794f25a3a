// A channel concatenation read part by part by its Winograd convolution
// (runtime-pass-concat-input.c): random FPN-like heads -- 1 to 4 parts of any channel
// count, plain or nearest-resized from any size (every coordinate mode and rounding), odd
// sizes, padding, bounds, batch 1 / 2, with and without a pool -- at the defined shapes and
// after a reshape, bit-identical to the same graph where the concatenation is also an
// external output (two readers: it is written, the convolution reads it). Then the graphs
// that must not fold.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include <pqnn.h>

#include "common/fusion-block.h"
#include "common/runtime-graph.h"
#include "common/test-pool.h"

using namespace pqnn_test;

namespace {

struct Part {
  size_t h, w, c;           // the source map; resized to the concat's size, else its size
  bool resized;
  pqnn_resize_coordinates coordinates;
  pqnn_resize_nearest_rounding rounding;
};

struct Case {
  size_t n = 1, oh = 8, ow = 8, cout = 8;
  uint32_t pad[4] = {1, 1, 1, 1};   // top, right, bottom, left
  float min = -INFINITY, max = INFINITY;
  std::vector<Part> parts;
  bool concat_external = false;     // the reference: the concat is also an output
  bool second_conv = false;         // a second convolution reads the concat too
  uint32_t conv_flags = 0;
  uint32_t stride = 1;
  bool reshape = true;
  std::function<void(size_t, std::vector<float>&)> fill;  // changes part l's input
};

struct Result {
  std::vector<float> y[2];          // defined shapes, reshaped
  size_t concat_inputs = 0, folded_concats = 0;
  std::string conv_path;
};

size_t channels(const Case& k) {
  size_t c = 0;
  for (const Part& p : k.parts) c += p.c;
  return c;
}

size_t out_size(size_t in, uint32_t pad_a, uint32_t pad_b, uint32_t stride) {
  return (in + pad_a + pad_b - 3) / stride + 1;
}

Result run_case(const Case& k, uint32_t flags, pthreadpool_t pool) {
  Result r;
  const size_t levels = k.parts.size(), cin = channels(k);
  Graph g(uint32_t(levels + 3));
  const uint32_t y_ext = uint32_t(levels), cat_ext = y_ext + 1, y2_ext = y_ext + 2;
  std::vector<uint32_t> parts;
  for (size_t l = 0; l < levels; l++) {
    const Part& p = k.parts[l];
    const uint32_t in = g.input(uint32_t(l), {k.n, p.h, p.w, p.c});
    if (!p.resized) {
      parts.push_back(in);
      continue;
    }
    const uint32_t out = g.f32({k.n, k.oh, k.ow, p.c});
    pqnn_resize_params rp = {};
    rp.mode = pqnn_resize_nearest;
    rp.coordinates = p.coordinates;
    rp.rounding = p.rounding;
    rp.output_height = k.oh;
    rp.output_width = k.ow;
    EXPECT_EQ(pqnn_define_static_resize_2d(g.sg, &rp, in, out, 0), pqnn_status_success);
    parts.push_back(out);
  }
  const uint32_t cat = k.concat_external ? g.output(cat_ext, {k.n, k.oh, k.ow, cin})
                                         : g.f32({k.n, k.oh, k.ow, cin});
  EXPECT_EQ(pqnn_define_concatenate(g.sg, 3, parts.size(), parts.data(), cat, 0),
      pqnn_status_success);
  const std::vector<float> w = random_f32(k.cout * 9 * cin, -0.3f, 0.3f, uint32_t(cin * 7 + 1));
  const std::vector<float> b = random_f32(k.cout, -1, 1, uint32_t(k.cout + 3));
  const uint32_t wid = g.f32({k.cout, 3, 3, cin}, w.data());
  const uint32_t bid = g.f32({k.cout}, b.data());
  const size_t oh = out_size(k.oh, k.pad[0], k.pad[2], k.stride);
  const size_t ow = out_size(k.ow, k.pad[3], k.pad[1], k.stride);
  const uint32_t y = g.output(y_ext, {k.n, oh, ow, k.cout});
  EXPECT_EQ(pqnn_define_convolution_2d(g.sg, k.pad[0], k.pad[1], k.pad[2], k.pad[3], 3, 3,
      k.stride, k.stride, 1, 1, 1, cin, k.cout, k.min, k.max, cat, wid, bid, y, k.conv_flags),
      pqnn_status_success);
  if (k.second_conv) {
    const uint32_t y2 = g.output(y2_ext, {k.n, oh, ow, k.cout});
    EXPECT_EQ(pqnn_define_convolution_2d(g.sg, k.pad[0], k.pad[1], k.pad[2], k.pad[3], 3, 3,
        k.stride, k.stride, 1, 1, 1, cin, k.cout, k.min, k.max, cat, wid, bid, y2, 0),
        pqnn_status_success);
  }
  pqnn_runtime_t rt = nullptr;
  EXPECT_EQ(pqnn_create_runtime(g.sg, pool, flags, &rt), pqnn_status_success);
  if (rt == nullptr) return r;
  bool all_plain = true, all_resized = true;
  for (const Part& p : k.parts) {
    all_plain = all_plain && !p.resized;
    all_resized = all_resized && p.resized;
  }
  for (int pass = 0; pass < (k.reshape ? 2 : 1); pass++) {
    // The reshape: the other batch; plain heads one row and column larger, resized ones
    // from sources one row and column larger (the resizes keep their output size).
    const size_t n = pass == 0 ? k.n : 3 - k.n;
    const size_t grow = pass == 1 && (all_plain || all_resized) ? 1 : 0;
    const size_t h = k.oh + (all_plain ? grow : 0), wd = k.ow + (all_plain ? grow : 0);
    std::vector<std::vector<float>> inputs(levels);
    std::vector<pqnn_external_value> ext;
    for (size_t l = 0; l < levels; l++) {
      const Part& p = k.parts[l];
      const size_t ph = p.resized ? p.h + grow : h, pw = p.resized ? p.w + grow : wd;
      if (pass == 1) {
        const size_t dims[4] = {n, ph, pw, p.c};
        EXPECT_EQ(pqnn_reshape_external_value(rt, uint32_t(l), 4, dims), pqnn_status_success);
      }
      inputs[l] = random_f32(n * ph * pw * p.c, -4, 4, uint32_t(31 * l + pass + 1));
      if (k.fill) k.fill(l, inputs[l]);
      ext.push_back({uint32_t(l), inputs[l].data()});
    }
    if (pass == 1) {
      EXPECT_EQ(pqnn_reshape_runtime(rt), pqnn_status_success);
    }
    const size_t yh = out_size(h, k.pad[0], k.pad[2], k.stride);
    const size_t yw = out_size(wd, k.pad[3], k.pad[1], k.stride);
    r.y[pass].assign(n * yh * yw * k.cout, -1234.5f);
    ext.push_back({y_ext, r.y[pass].data()});
    std::vector<float> cat_out(n * h * wd * cin), y2(r.y[pass].size());
    if (k.concat_external) ext.push_back({cat_ext, cat_out.data()});
    if (k.second_conv) ext.push_back({y2_ext, y2.data()});
    EXPECT_EQ(pqnn_setup_runtime(rt, ext.size(), ext.data()), pqnn_status_success);
    EXPECT_EQ(pqnn_invoke_runtime(rt), pqnn_status_success);
    bool written = true;
    for (float v : r.y[pass]) written = written && v != -1234.5f;
    EXPECT_TRUE(written);
  }
  for (const auto& i : node_infos(rt)) {
    r.concat_inputs += i.fused_concat_input;
    if (i.type == pqnn_node_type_concatenate) r.folded_concats += i.folded_into_consumer;
    if (i.type == pqnn_node_type_convolution_2d) r.conv_path = i.compute_path;
    if (i.fused_concat_input != 0) {
      EXPECT_EQ(i.type, pqnn_node_type_convolution_2d);
      EXPECT_STREQ(i.compute_path, "winograd");
    }
  }
  pqnn_delete_runtime(rt);
  return r;
}

Case random_case(std::mt19937& rng) {
  const pqnn_resize_coordinates coords[] = {pqnn_resize_half_pixel,
      pqnn_resize_pytorch_half_pixel, pqnn_resize_asymmetric, pqnn_resize_align_corners};
  Case k;
  k.n = 1 + rng() % 2;
  k.oh = 1 + rng() % 19;
  k.ow = 1 + rng() % 23;
  const size_t levels = 1 + rng() % 4;
  for (size_t l = 0; l < levels; l++) {
    Part p;
    p.resized = rng() % 3 != 0;
    // Integer upscales (the FPN head: x2, x4, x8 of smaller maps) and any other size.
    const size_t scale = size_t(1) << (rng() % 4);
    const bool integer = rng() % 2 == 0;
    p.h = !p.resized ? k.oh : integer ? std::max<size_t>(1, k.oh / scale) : 1 + rng() % (k.oh + 3);
    p.w = !p.resized ? k.ow : integer ? std::max<size_t>(1, k.ow / scale) : 1 + rng() % (k.ow + 3);
    p.c = 1 + rng() % 40;
    p.coordinates = coords[rng() % 4];
    p.rounding = pqnn_resize_nearest_rounding(rng() % 4);
    k.parts.push_back(p);
  }
  const size_t cin = channels(k);
  // The Winograd rule: >= 8 input channels or no more outputs than inputs.
  k.cout = cin >= 8 ? 1 + rng() % 40 : 1 + rng() % cin;
  for (uint32_t& p : k.pad) p = rng() % 2;
  if (k.oh + k.pad[0] + k.pad[2] < 3) k.pad[0] = k.pad[2] = 1;  // at least one output row
  if (k.ow + k.pad[1] + k.pad[3] < 3) k.pad[1] = k.pad[3] = 1;
  if (rng() % 3 == 0) {
    k.min = -0.5f;
    k.max = 2.0f;
  }
  return k;
}

TEST(RuntimeConcatInput, RandomHeadsMatchTheWrittenConcat) {
  std::mt19937 rng(2031);
  pthreadpool_t pool = create_pool(2);
  for (int trial = 0; trial < 60; trial++) {
    Case k = random_case(rng);
    const pthreadpool_t p = (trial & 1) != 0 ? pool : nullptr;
    SCOPED_TRACE(testing::Message() << "trial " << trial << " n" << k.n << " " << k.oh << "x"
        << k.ow << " parts " << k.parts.size() << " cin " << channels(k) << " cout " << k.cout
        << " pool " << (p != nullptr));
    const Result fused = run_case(k, 0, p);
    k.concat_external = true;
    const Result plain = run_case(k, 0, p);
    ASSERT_FALSE(fused.y[0].empty());
    EXPECT_EQ(fused.concat_inputs, 1u);
    EXPECT_EQ(fused.folded_concats, 1u);
    EXPECT_EQ(plain.concat_inputs, 0u);
    EXPECT_EQ(plain.conv_path, "winograd");
    EXPECT_TRUE(same_bits(fused.y[0], plain.y[0]));
    EXPECT_TRUE(same_bits(fused.y[1], plain.y[1]));
  }
  destroy_pool(pool);
}

// det's head at a small size: 4 parts of 24 channels, three nearest x8, x4, x2 upscales.
TEST(RuntimeConcatInput, FpnHeadMatchesTheWrittenConcat) {
  Case k;
  k.oh = k.ow = 32;
  k.cout = 24;
  k.parts = {{32, 32, 24, false, pqnn_resize_asymmetric, pqnn_resize_floor},
             {4, 4, 24, true, pqnn_resize_asymmetric, pqnn_resize_floor},
             {8, 8, 24, true, pqnn_resize_asymmetric, pqnn_resize_floor},
             {16, 16, 24, true, pqnn_resize_asymmetric, pqnn_resize_floor}};
  k.min = 0.0f;
  const Result fused = run_case(k, 0, nullptr);
  k.concat_external = true;
  const Result plain = run_case(k, 0, nullptr);
  EXPECT_EQ(fused.concat_inputs, 1u);
  EXPECT_TRUE(same_bits(fused.y[0], plain.y[0]));
  EXPECT_TRUE(same_bits(fused.y[1], plain.y[1]));
}

// Inputs that overflow the transforms or are not finite: those tiles are computed directly
// (winograd-path.c's direct_tile), which reads the parts too.
TEST(RuntimeConcatInput, DirectTilesReadTheParts) {
  Case k;
  k.oh = 9;
  k.ow = 7;
  k.cout = 5;
  k.parts = {{9, 7, 3, false, pqnn_resize_asymmetric, pqnn_resize_floor},
             {3, 2, 6, true, pqnn_resize_half_pixel, pqnn_resize_round_prefer_floor},
             {9, 7, 4, false, pqnn_resize_asymmetric, pqnn_resize_floor}};
  k.fill = [](size_t part, std::vector<float>& x) {
    if (part == 0) {
      for (float& v : x) v *= 3e37f;  // the transforms overflow, direct sums stay finite
    } else if (part == 1) {
      x[4] = INFINITY;
      x[x.size() / 2] = NAN;
    }
  };
  const Result fused = run_case(k, 0, nullptr);
  k.concat_external = true;
  const Result plain = run_case(k, 0, nullptr);
  EXPECT_EQ(fused.concat_inputs, 1u);
  EXPECT_TRUE(same_bits(fused.y[0], plain.y[0]));
  EXPECT_TRUE(same_bits(fused.y[1], plain.y[1]));
}

// A concat read twice (two convolutions), a convolution off the Winograd path (stride 2,
// PQNN_FLAG_NO_WINOGRAD, few inputs to many outputs), f16 inference, keep_values: nothing
// folds, and the results are the written concat's.
TEST(RuntimeConcatInput, OtherGraphsStayUnfolded) {
  for (int variant = 0; variant < 5; variant++) {
    SCOPED_TRACE(variant);
    Case k;
    k.oh = 7;
    k.ow = 9;
    k.parts = {{7, 9, 5, false, pqnn_resize_asymmetric, pqnn_resize_floor},
               {3, 4, 6, true, pqnn_resize_asymmetric, pqnn_resize_floor}};
    k.cout = 6;
    uint32_t flags = 0;
    if (variant == 0) k.second_conv = true;
    if (variant == 1) k.stride = 2;
    if (variant == 2) k.conv_flags = PQNN_FLAG_NO_WINOGRAD;
    if (variant == 3) {
      k.parts = {{7, 9, 2, false, pqnn_resize_asymmetric, pqnn_resize_floor},
                 {3, 4, 3, true, pqnn_resize_asymmetric, pqnn_resize_floor}};
      k.cout = 40;  // 5 -> 40: the IGEMM path (winograd-path.c's rule)
    }
    if (variant == 4) flags = PQNN_FLAG_FORCE_FP16_INFERENCE;
    const Result r = run_case(k, flags, nullptr);
    k.concat_external = true;
    const Result plain = run_case(k, flags, nullptr);
    ASSERT_FALSE(r.y[0].empty());
    EXPECT_EQ(r.concat_inputs, 0u);
    EXPECT_EQ(r.folded_concats, 0u);
    if (variant >= 1 && variant <= 3) {
      EXPECT_NE(r.conv_path, "winograd");
    }
    EXPECT_TRUE(same_bits(r.y[0], plain.y[0]));
    EXPECT_TRUE(same_bits(r.y[1], plain.y[1]));
  }
}

// The operator side (pqnn_setup_winograd_input_parts): parts that do not add up to the
// input channels, index arrays that leave their map, a plain part of another size, an
// operator off the Winograd path or not set up.
TEST(RuntimeConcatInput, OperatorRejectsBadParts) {
  ASSERT_EQ(pqnn_initialize(), pqnn_status_success);
  const std::vector<float> w = random_f32(8 * 9 * 12, -1, 1, 3);
  auto create = [&](uint32_t flags) {
    pqnn_operator_t op = nullptr;
    EXPECT_EQ(pqnn_create_convolution2d_nhwc_f32(1, 1, 1, 1, 3, 3, 1, 1, 1, 1, 1, 12, 8, 12, 8,
        w.data(), nullptr, -INFINITY, INFINITY, flags, &op), pqnn_status_success);
    size_t oh = 0, ow = 0;
    EXPECT_EQ(pqnn_reshape_convolution2d_nhwc_f32(op, 1, 5, 6, &oh, &ow, nullptr),
        pqnn_status_success);
    return op;
  };
  std::vector<float> a(5 * 6 * 4), b(2 * 3 * 8), y(5 * 6 * 8);
  const size_t rows[5] = {0, 0, 1, 1, 1}, columns[6] = {0, 0, 1, 1, 2, 2};
  const size_t bad_rows[5] = {0, 0, 1, 1, 2};
  pqnn_operator_t op = create(0);
  pqnn_winograd_part parts[2] = {{a.data(), 4, 4, 5, 6, nullptr, nullptr, nullptr, nullptr},
                                 {b.data(), 8, 8, 2, 3, rows, columns, nullptr, nullptr}};
  // Before setup: invalid_state.
  EXPECT_EQ(pqnn_setup_winograd_input_parts(op, 2, parts), pqnn_status_invalid_state);
  ASSERT_EQ(pqnn_setup_convolution2d_nhwc_f32(op, a.data(), y.data()), pqnn_status_success);
  EXPECT_EQ(pqnn_setup_winograd_input_parts(op, 0, parts), pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_setup_winograd_input_parts(op, 1, parts), pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_setup_winograd_input_parts(op, 2, nullptr), pqnn_status_invalid_parameter);
  parts[1].rows = bad_rows;  // source row 2 of 2
  EXPECT_EQ(pqnn_setup_winograd_input_parts(op, 2, parts), pqnn_status_invalid_parameter);
  parts[1].rows = rows;
  parts[0].width = 7;  // a plain part of another width
  EXPECT_EQ(pqnn_setup_winograd_input_parts(op, 2, parts), pqnn_status_invalid_parameter);
  parts[0].width = 6;
  parts[0].pixel_stride = 3;  // below its channels
  EXPECT_EQ(pqnn_setup_winograd_input_parts(op, 2, parts), pqnn_status_invalid_parameter);
  parts[0].pixel_stride = 4;
  EXPECT_EQ(pqnn_setup_winograd_input_parts(op, 2, parts), pqnn_status_success);
  EXPECT_EQ(pqnn_run_operator(op, nullptr), pqnn_status_success);
  pqnn_delete_operator(op);
  op = create(PQNN_FLAG_NO_WINOGRAD);  // the IGEMM path
  ASSERT_EQ(pqnn_setup_convolution2d_nhwc_f32(op, a.data(), y.data()), pqnn_status_success);
  EXPECT_EQ(pqnn_setup_winograd_input_parts(op, 2, parts), pqnn_status_invalid_state);
  pqnn_delete_operator(op);
}

}  // namespace
