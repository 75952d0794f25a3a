// Resize folding into concatenation (runtime-pass-concat.c): nearest resizes read only by a
// channel concatenation (an FPN head: each level resized to one size, then concatenated)
// run inside the concat. Random levels, scales (integer and not), coordinate modes and
// roundings, f32 / f16 / qint8, with and without a threadpool, at the defined shapes and
// after a reshape: bit-identical to the same graph where each resized map is also an
// external output (two readers: nothing folds). Then the graphs that must not fold.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include <pqnn.h>

#include "common/fusion-block.h"
#include "common/runtime-graph.h"
#include "common/test-pool.h"

using namespace pqnn_test;

namespace {

struct Level {
  size_t h, w, c;           // the input map; resized to the concat's height x width
  bool resized;             // else concatenated as is (then h, w are the output's)
  pqnn_resize_coordinates coordinates;
  pqnn_resize_nearest_rounding rounding;
  pqnn_resize_mode mode = pqnn_resize_nearest;
};

struct Case {
  size_t n = 1, oh = 8, ow = 8;
  std::vector<Level> levels;
  bool keep_resized = false;   // each resized map is also an external output: no folding
  int axis = 3;
  bool qint8 = false;
};

struct Result {
  std::vector<float> y, y_reshaped;
  std::vector<int8_t> q;
  size_t folded = 0, nodes = 0;
};

Result run_case(const Case& k, uint32_t flags, pthreadpool_t pool) {
  Result r;
  const size_t levels = k.levels.size();
  Graph g(uint32_t(2 * levels + 1));
  std::vector<uint32_t> parts;
  size_t channels = 0, out_external = uint32_t(levels), extra = out_external + 1;
  auto value = [&](std::vector<size_t> dims, uint32_t external, uint32_t vflags) {
    return k.qint8 ? g.q8(dims, 3, 0.05f, nullptr, external, vflags)
                   : g.f32(dims, nullptr, external, vflags);
  };
  for (size_t l = 0; l < levels; l++) {
    const Level& lv = k.levels[l];
    const uint32_t in = value({k.n, lv.h, lv.w, lv.c}, uint32_t(l), PQNN_VALUE_FLAG_EXTERNAL_INPUT);
    channels += lv.c;
    if (!lv.resized) {
      parts.push_back(in);
      continue;
    }
    const std::vector<size_t> dims = {k.n, k.oh, k.ow, lv.c};
    const uint32_t out = k.keep_resized
        ? value(dims, uint32_t(extra++), PQNN_VALUE_FLAG_EXTERNAL_OUTPUT)
        : value(dims, PQNN_INVALID_VALUE_ID, 0);
    pqnn_resize_params p = {};
    p.mode = lv.mode;
    p.coordinates = lv.coordinates;
    p.rounding = lv.rounding;
    p.output_height = k.oh;
    p.output_width = k.ow;
    EXPECT_EQ(pqnn_define_static_resize_2d(g.sg, &p, in, out, 0), pqnn_status_success);
    parts.push_back(out);
  }
  std::vector<size_t> ydims = {k.n, k.oh, k.ow, channels};
  if (k.axis != 3) ydims = {k.n * levels, k.oh, k.ow, k.levels[0].c};
  const uint32_t y = value(ydims, uint32_t(out_external), PQNN_VALUE_FLAG_EXTERNAL_OUTPUT);
  EXPECT_EQ(pqnn_define_concatenate(g.sg, size_t(k.axis), parts.size(), parts.data(), y, 0),
      pqnn_status_success);
  pqnn_runtime_t rt = nullptr;
  EXPECT_EQ(pqnn_create_runtime(g.sg, pool, flags, &rt), pqnn_status_success);
  if (rt == nullptr) return r;
  // The defined shapes, then every map one row and column larger (only for resizes given
  // by scale would the output follow; sizes are given here, so only the plain parts grow:
  // skip the reshape when a part is plain).
  bool all_resized = true;
  for (const Level& lv : k.levels) all_resized = all_resized && lv.resized;
  for (int pass = 0; pass < (all_resized ? 2 : 1); pass++) {
    std::vector<std::vector<float>> inputs(levels);
    std::vector<std::vector<int8_t>> qinputs(levels);
    std::vector<pqnn_external_value> ext;
    for (size_t l = 0; l < levels; l++) {
      const Level& lv = k.levels[l];
      const size_t h = lv.h + size_t(pass), w = lv.w + size_t(pass);
      if (pass == 1) {
        const size_t dims[4] = {k.n, h, w, lv.c};
        EXPECT_EQ(pqnn_reshape_external_value(rt, uint32_t(l), 4, dims), pqnn_status_success);
      }
      inputs[l] = random_f32(k.n * h * w * lv.c, -4, 4, uint32_t(31 * l + pass + 1));
      qinputs[l].resize(inputs[l].size());
      for (size_t i = 0; i < inputs[l].size(); i++) qinputs[l][i] = int8_t(inputs[l][i] * 30);
      ext.push_back({uint32_t(l), k.qint8 ? (void*) qinputs[l].data() : (void*) inputs[l].data()});
    }
    if (pass == 1) {
      EXPECT_EQ(pqnn_reshape_runtime(rt), pqnn_status_success);
    }
    const size_t count = k.n * k.oh * k.ow * channels;
    std::vector<float>& out = pass == 0 ? r.y : r.y_reshaped;
    out.assign(count, -1234.5f);
    r.q.assign(count, 99);
    ext.push_back({uint32_t(out_external), k.qint8 ? (void*) r.q.data() : (void*) out.data()});
    std::vector<std::vector<float>> kept(levels, std::vector<float>(k.n * k.oh * k.ow * 64));
    uint32_t e = uint32_t(out_external) + 1;
    for (size_t l = 0; l < levels && k.keep_resized; l++) {
      if (k.levels[l].resized) ext.push_back({e++, kept[l].data()});
    }
    EXPECT_EQ(pqnn_setup_runtime(rt, ext.size(), ext.data()), pqnn_status_success);
    EXPECT_EQ(pqnn_invoke_runtime(rt), pqnn_status_success);
    if (k.qint8) {
      out.assign(r.q.begin(), r.q.end());
    }
  }
  const auto infos = node_infos(rt);
  r.nodes = infos.size();
  for (const auto& i : infos) {
    r.folded += i.folded_into_consumer;
    if (i.folded_into_consumer != 0) {
      EXPECT_EQ(i.type, pqnn_node_type_static_resize_2d);
    }
  }
  pqnn_delete_runtime(rt);
  return r;
}

TEST(RuntimeConcatResize, RandomFpnHeadsMatchTheUnfoldedGraph) {
  std::mt19937 rng(2028);
  pthreadpool_t pool = create_pool(2);
  const pqnn_resize_coordinates coords[] = {pqnn_resize_half_pixel,
      pqnn_resize_pytorch_half_pixel, pqnn_resize_asymmetric, pqnn_resize_align_corners};
  for (int trial = 0; trial < 40; trial++) {
    Case k;
    k.n = 1 + rng() % 2;
    k.oh = 1 + rng() % 40;
    k.ow = 1 + rng() % 150;  // past the kernel's block of 64 columns
    k.qint8 = trial % 5 == 4;
    const size_t levels = 1 + rng() % 5;
    size_t resized = 0;
    for (size_t l = 0; l < levels; l++) {
      Level lv;
      lv.resized = l + 1 < levels || rng() % 2 == 0;
      lv.h = lv.resized ? 1 + rng() % (k.oh + 3) : k.oh;
      lv.w = lv.resized ? 1 + rng() % (k.ow + 3) : k.ow;
      lv.c = 1 + rng() % 33;
      lv.coordinates = coords[rng() % 4];
      lv.rounding = pqnn_resize_nearest_rounding(rng() % 4);
      resized += lv.resized;
      k.levels.push_back(lv);
    }
    const uint32_t flags = !k.qint8 && trial % 3 == 1 ? PQNN_FLAG_FORCE_FP16_INFERENCE : 0;
    const pthreadpool_t p = (trial & 1) != 0 ? pool : nullptr;
    SCOPED_TRACE(testing::Message() << "trial " << trial << " n" << k.n << " " << k.oh << "x"
        << k.ow << " levels " << levels << " flags 0x" << std::hex << flags << std::dec
        << " qint8 " << k.qint8 << " pool " << (p != nullptr));
    const Result folded = run_case(k, flags, p);
    k.keep_resized = true;
    const Result plain = run_case(k, flags, p);
    ASSERT_FALSE(folded.y.empty());
    EXPECT_EQ(folded.folded, resized);
    EXPECT_EQ(plain.folded, 0u);
    if (flags == 0) {  // f16: the kept maps leave through converts of their own
      EXPECT_EQ(folded.nodes, plain.nodes);  // the folded resizes stay listed
    }
    EXPECT_TRUE(same_bits(folded.y, plain.y));
    EXPECT_TRUE(same_bits(folded.y_reshaped, plain.y_reshaped));
    bool written = true;
    for (float v : folded.y) written = written && v != -1234.5f;
    EXPECT_TRUE(written);
  }
  destroy_pool(pool);
}

// A bilinear resize, or a concat along another axis: nothing folds.
TEST(RuntimeConcatResize, BilinearOrOtherAxisStaysUnfolded) {
  for (int variant = 0; variant < 2; variant++) {
    SCOPED_TRACE(variant);
    Case k;
    Level lv{4, 4, 8, true, pqnn_resize_asymmetric, pqnn_resize_floor};
    if (variant == 0) lv.mode = pqnn_resize_bilinear;
    k.levels = {lv, lv};
    if (variant == 1) k.axis = 0;
    const Result r = run_case(k, 0, nullptr);
    ASSERT_FALSE(r.y.empty());
    EXPECT_EQ(r.folded, 0u);
  }
}

}  // namespace
