// Row-band execution of depthwise / pointwise chains (src/runtime/runtime-band.c): random
// f32 chains [1x1 expand ->] depthwise kxk [-> 1x1 project [+ residual]] (the 1x1 layers
// as convolutions or as fully connected nodes over the pixels; kernel 3 or 5,
// stride 1 or 2, dilation 1 or 2, any paddings up to the kernel's reach, clamps, 1 or 2
// images, channel counts not multiples of the vector) at sizes whose intermediates do not
// fit L2, against the same graph with the runtime option no_banding: bit-identical
// outputs, at the defined shape and after a reshape, without a pool and with pools of 2
// and 3 threads (the rows split across tasks). Then the planner report: small maps stay
// unbanded, so do wide layers over few rows (bands would reread their weights more than
// they save), and so does everything under no_banding.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include <pqnn.h>

#include "common/runtime-graph.h"
#include "common/same-bits.h"
#include "common/test-pool.h"

using namespace pqnn_test;

namespace {

struct Chain {
  bool expand = true, project = true, residual = false;
  size_t n = 1, h = 40, w = 40, cin = 24, cmid = 144, cout = 24;
  uint32_t k = 3, stride = 1, dilation = 1;
  uint32_t pad_top = 1, pad_bottom = 1, pad_left = 1, pad_right = 1;
  bool clamp = true;
  bool fully_connected = false;  // the 1x1 layers as FC nodes over the pixels (ONNX import)
  float outlier = 1.0f;          // input row 0 of each image scaled by this
  bool float_depthwise = false;  // the runtime option qd8_float_depthwise
};

size_t out_size(size_t in, uint32_t pad0, uint32_t pad1, uint32_t k, uint32_t s, uint32_t d) {
  const size_t span = (size_t) (k - 1) * d + 1;
  return (in + pad0 + pad1 - span) / s + 1;
}

struct Weights {
  std::vector<float> ew, eb, dw, db, pw, pb;
};

Weights make_weights(const Chain& c, uint32_t seed) {
  Weights w;
  w.ew = random_f32(c.cmid * c.cin, -0.3f, 0.3f, seed);
  w.eb = random_f32(c.cmid, -0.2f, 0.2f, seed + 1);
  w.dw = random_f32((size_t) c.k * c.k * c.cmid, -0.4f, 0.4f, seed + 2);
  w.db = random_f32(c.cmid, -0.2f, 0.2f, seed + 3);
  w.pw = random_f32(c.cout * c.cmid, -0.2f, 0.2f, seed + 4);
  w.pb = random_f32(c.cout, -0.2f, 0.2f, seed + 5);
  return w;
}

struct Result {
  std::vector<float> y, y_reshaped;
  size_t banded = 0, banded_reshaped = 0;
};

// The f32 depthwise row kernels (which banding needs) exist on the AVX2 and AVX512 tiers.
bool has_row_kernels() {
  const char* isa = pqnn_isa_name();
  return std::strcmp(isa, "avx2") == 0 || std::strcmp(isa, "avxvnni") == 0 ||
      std::strcmp(isa, "avx512") == 0 || std::strcmp(isa, "avx512vnni") == 0;
}

// x [n][h][w][cin] -> chain -> y; runs at the shape, then with h + 3, w - 2.
Result run_chain(const Chain& c, const Weights& wt, bool banding, pthreadpool_t pool,
    uint32_t flags = 0) {
  Result r;
  const size_t cx = c.expand ? c.cin : c.cmid;
  const size_t cy = c.project ? c.cout : c.cmid;
  const float inf = INFINITY;
  const float lo = c.clamp ? 0.0f : -inf, hi = c.clamp ? 6.0f : inf;
  Graph g(2);
  const uint32_t x = g.input(0, {c.n, c.h, c.w, cx});
  const size_t oh = out_size(c.h, c.pad_top, c.pad_bottom, c.k, c.stride, c.dilation);
  const size_t ow = out_size(c.w, c.pad_left, c.pad_right, c.k, c.stride, c.dilation);
  const uint32_t y = g.output(1, {c.n, oh, ow, cy});
  uint32_t in = x;
  if (c.expand) {
    const uint32_t e = g.f32({c.n, c.h, c.w, c.cmid});
    const uint32_t bias = g.f32({c.cmid}, wt.eb.data());
    if (c.fully_connected) {
      EXPECT_EQ(pqnn_define_fully_connected(g.sg, lo, hi, in,
          g.f32({c.cmid, c.cin}, wt.ew.data()), bias, e, 0), pqnn_status_success);
    } else {
      EXPECT_EQ(pqnn_define_convolution_2d(g.sg, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, c.cin,
          c.cmid, lo, hi, in, g.f32({c.cmid, 1, 1, c.cin}, wt.ew.data()), bias, e, 0),
          pqnn_status_success);
    }
    in = e;
  }
  const uint32_t d = c.project ? g.f32({c.n, oh, ow, c.cmid}) : y;
  EXPECT_EQ(pqnn_define_depthwise_convolution_2d(g.sg, c.pad_top, c.pad_right, c.pad_bottom,
      c.pad_left, c.k, c.k, c.stride, c.stride, c.dilation, c.dilation, 1, c.cmid, lo, hi, in,
      g.f32({1, c.k, c.k, c.cmid}, wt.dw.data()), g.f32({c.cmid}, wt.db.data()), d, 0),
      pqnn_status_success);
  if (c.project) {
    const uint32_t p = c.residual ? g.f32({c.n, oh, ow, c.cout}) : y;
    const uint32_t bias = g.f32({c.cout}, wt.pb.data());
    if (c.fully_connected) {
      EXPECT_EQ(pqnn_define_fully_connected(g.sg, -inf, inf, d,
          g.f32({c.cout, c.cmid}, wt.pw.data()), bias, p, 0), pqnn_status_success);
    } else {
      EXPECT_EQ(pqnn_define_convolution_2d(g.sg, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, c.cmid,
          c.cout, -inf, inf, d, g.f32({c.cout, 1, 1, c.cmid}, wt.pw.data()), bias, p, 0),
          pqnn_status_success);
    }
    if (c.residual) {
      EXPECT_EQ(pqnn_define_add2(g.sg, -inf, inf, p, x, y, 0), pqnn_status_success);
    }
  }
  pqnn_runtime_t rt = create_banding_runtime(g, banding, pool, flags, c.float_depthwise);
  if (rt == nullptr) return r;
  for (int pass = 0; pass < 2; pass++) {
    const size_t h = c.h + (pass == 0 ? 0 : 3), w = c.w - (pass == 0 ? 0 : 2);
    if (pass == 1) {
      const size_t dims[4] = {c.n, h, w, cx};
      EXPECT_EQ(pqnn_reshape_external_value(rt, 0, 4, dims), pqnn_status_success);
      EXPECT_EQ(pqnn_reshape_runtime(rt), pqnn_status_success);
    }
    const size_t yh = out_size(h, c.pad_top, c.pad_bottom, c.k, c.stride, c.dilation);
    const size_t yw = out_size(w, c.pad_left, c.pad_right, c.k, c.stride, c.dilation);
    auto in_data = random_f32(c.n * h * w * cx, -1.0f, 1.0f, 91 + pass);
    for (size_t b = 0; b < c.n; b++) {
      for (size_t i = 0; i < w * cx; i++) in_data[b * h * w * cx + i] *= c.outlier;
    }
    std::vector<float>& out = pass == 0 ? r.y : r.y_reshaped;
    out.assign(c.n * yh * yw * cy, -1234.5f);
    const pqnn_external_value ext[2] = {{0, (void*) in_data.data()}, {1, out.data()}};
    EXPECT_EQ(pqnn_setup_runtime(rt, 2, ext), pqnn_status_success);
    EXPECT_EQ(pqnn_invoke_runtime(rt), pqnn_status_success);
    (pass == 0 ? r.banded : r.banded_reshaped) = count_banded(rt);
  }
  pqnn_delete_runtime(rt);
  return r;
}

Chain random_chain(std::mt19937& rng, int kind) {
  auto pick = [&](size_t lo, size_t hi) {
    return std::uniform_int_distribution<size_t>(lo, hi)(rng);
  };
  Chain c;
  c.expand = kind != 1;
  c.project = kind != 2;
  c.k = pick(0, 2) == 0 ? 5 : 3;
  c.stride = (uint32_t) pick(1, 2);
  c.dilation = pick(0, 3) == 0 ? 2 : 1;
  const uint32_t reach = (c.k - 1) * c.dilation;
  c.pad_top = (uint32_t) pick(0, reach / 2 + (pick(0, 1) ? 0 : reach / 2));
  c.pad_bottom = (uint32_t) pick(0, reach / 2);
  c.pad_left = (uint32_t) pick(0, reach / 2);
  c.pad_right = (uint32_t) pick(0, reach / 2);
  c.n = pick(1, 3) == 1 ? 2 : 1;
  c.h = pick(12, 48);
  c.w = pick(14, 72);
  c.cin = pick(3, 40);
  c.cout = pick(3, 56);
  c.clamp = pick(0, 1) == 1;
  c.fully_connected = pick(0, 2) == 0;
  c.residual = kind == 3 && c.project && c.expand;
  if (c.residual) {
    c.stride = 1;
    c.cout = c.cin;
    c.pad_top = c.pad_bottom = reach / 2;
    c.pad_left = c.pad_right = reach / 2;
  }
  // An intermediate of 2.5 to 6 MiB per image (the expansion's output, else the
  // depthwise's): beyond L2, so the chain bands.
  const size_t pixels = c.expand ? c.h * c.w
      : out_size(c.h, c.pad_top, c.pad_bottom, c.k, c.stride, c.dilation) *
          out_size(c.w, c.pad_left, c.pad_right, c.k, c.stride, c.dilation);
  const size_t lo = (5u << 19) / (pixels * 4) + 1;
  c.cmid = pick(lo, lo * 12 / 5);
  return c;
}

TEST(RuntimeBand, RandomChainsMatchTheUnbandedGraph) {
  std::mt19937 rng(1313);
  pthreadpool_t pools[3] = {nullptr, create_pool(2), create_pool(3)};
  size_t banded_cases = 0;
  // Without row kernels nothing bands: a few cases check that (emulated runs are slow).
  const int cases = has_row_kernels() ? 24 : 4;
  for (int i = 0; i < cases; i++) {
    const int kind = i % 4;  // expand-dw-project, dw-project, expand-dw, with residual
    const Chain c = random_chain(rng, kind);
    const Weights wt = make_weights(c, 100 + i);
    SCOPED_TRACE(testing::Message() << "case " << i << " kind " << kind << " n " << c.n
        << " " << c.h << "x" << c.w << " " << c.cin << "->" << c.cmid << "->" << c.cout
        << " k " << c.k << " s " << c.stride << " d " << c.dilation << " pads " << c.pad_top
        << "," << c.pad_right << "," << c.pad_bottom << "," << c.pad_left
        << (c.fully_connected ? " fc" : ""));
    const Result ref = run_chain(c, wt, false, nullptr);
    ASSERT_FALSE(ref.y.empty());
    EXPECT_EQ(ref.banded, 0u);
    for (pthreadpool_t pool : pools) {
      const Result r = run_chain(c, wt, true, pool);
      EXPECT_TRUE(same_bits(r.y, ref.y));
      EXPECT_TRUE(same_bits(r.y_reshaped, ref.y_reshaped));
      banded_cases += r.banded != 0;
    }
  }
  // Every chain above has intermediates past L2 (on a core with at most 2.5 MiB of it),
  // so each bands where the tier has the row kernels.
  if (has_row_kernels()) {
    EXPECT_EQ(banded_cases, 3u * (size_t) cases);
  } else {
    EXPECT_EQ(banded_cases, 0u);
  }
  for (pthreadpool_t pool : pools) destroy_pool(pool);
}

// The chain under dynamic quantization, banded on each pool, against the unbanded run on
// the calling thread: the same bits at the defined shape and after the reshape. Returns the
// banded runs (their banded node counts), one per pool.
std::vector<Result> banded_qd8_runs(const Chain& c, const Weights& wt,
    const std::vector<pthreadpool_t>& pools) {
  std::vector<Result> runs;
  const Result ref = run_chain(c, wt, false, nullptr, PQNN_FLAG_DYNAMIC_RANGE_QUANTIZATION);
  EXPECT_FALSE(ref.y.empty());
  for (pthreadpool_t pool : pools) {
    runs.push_back(run_chain(c, wt, true, pool, PQNN_FLAG_DYNAMIC_RANGE_QUANTIZATION));
    EXPECT_TRUE(same_bits(runs.back().y, ref.y));
    EXPECT_TRUE(same_bits(runs.back().y_reshaped, ref.y_reshaped));
  }
  return runs;
}

// Under dynamic quantization a 1x1 convolution expansion runs qd8 (its input quantized per
// image before the chain, the IGEMM path) and bands with the f32 depthwise; the projection
// is qd8 too (a convolution: quantized per image row, and banded with its convert, the test
// below; a fully connected node: per pixel, not banded). A fully connected expansion
// (per-pixel params) does not band. 64+ input channels: qd8 on every tier (the reduction
// threshold).
// Bit-identical to the unbanded graph either way.
TEST(RuntimeBand, Qd8ExpansionsMatchTheUnbandedGraph) {
  std::mt19937 rng(1717);
  const std::vector<pthreadpool_t> pools = {nullptr, create_pool(2)};
  size_t banded_cases = 0;
  const int cases = has_row_kernels() ? 8 : 2;
  for (int i = 0; i < cases; i++) {
    Chain c = random_chain(rng, i % 2 == 0 ? 0 : 2);
    c.cin = 64 + (size_t) i * 5;
    c.fully_connected = i % 4 >= 2;
    const Weights wt = make_weights(c, 300 + i);
    SCOPED_TRACE(testing::Message() << "case " << i << " n " << c.n << " " << c.h << "x"
        << c.w << " " << c.cin << "->" << c.cmid << "->" << c.cout << " k " << c.k << " s "
        << c.stride << (c.fully_connected ? " fc" : ""));
    for (const Result& r : banded_qd8_runs(c, wt, pools)) {
      // The expansion and the depthwise (and a convolution projection with its convert).
      EXPECT_EQ(r.banded, !has_row_kernels() || c.fully_connected ? 0u : c.project ? 4u : 2u);
      banded_cases += r.banded != 0;
    }
  }
  EXPECT_EQ(banded_cases, has_row_kernels() ? (size_t) cases : 0u);
  for (pthreadpool_t pool : pools) destroy_pool(pool);
}

// Under dynamic quantization a 1x1 convolution projection of a depthwise's output quantizes
// its input per image row (one range per row of the image, the params repeated per pixel:
// the fully connected GEMM path), so the convert joins the chain: expand, depthwise,
// convert, project band together, bit-identical to the unbanded graph.
TEST(RuntimeBand, Qd8ProjectionsBandWithTheirConvert) {
  std::mt19937 rng(2121);
  const std::vector<pthreadpool_t> pools = {nullptr, create_pool(2)};
  const int cases = has_row_kernels() ? 12 : 2;
  for (int i = 0; i < cases; i++) {
    const int kind = i % 3 == 0 ? 0 : i % 3 == 1 ? 1 : 3;  // with expansion, without, residual
    Chain c = random_chain(rng, kind);
    c.fully_connected = false;
    c.cin = 64 + (size_t) i * 3;
    if (c.residual) c.cout = c.cin;
    const Weights wt = make_weights(c, 500 + i);
    SCOPED_TRACE(testing::Message() << "case " << i << " kind " << kind << " n " << c.n
        << " " << c.h << "x" << c.w << " " << c.cin << "->" << c.cmid << "->" << c.cout
        << " k " << c.k << " s " << c.stride << " d " << c.dilation);
    for (const Result& r : banded_qd8_runs(c, wt, pools)) {
      // [expansion,] depthwise, convert, projection
      EXPECT_EQ(r.banded, has_row_kernels() ? (c.expand ? 4u : 3u) : 0u);
      EXPECT_EQ(r.banded_reshaped, r.banded);
    }
  }
  for (pthreadpool_t pool : pools) destroy_pool(pool);
}

// Per image row, not per image: an input row 1000x larger than the rest spoils only the
// output rows its depthwise reads, banded or not (one range per image would quantize every
// row with its step: errors of the order of the rows' values). The depthwise stays f32
// (where its row kernels are missing, DRQ may take it, quantizing its input per image).
TEST(RuntimeBand, Qd8ProjectionsQuantizeEachImageRow) {
  Chain c;
  c.expand = false;
  c.n = 2;
  c.h = c.w = 48;
  c.cmid = 288;  // 48x48x288 f32: 2.5 MiB, past L2
  c.cout = 40;
  c.clamp = false;
  c.outlier = 1000.0f;
  c.float_depthwise = true;
  const Weights wt = make_weights(c, 11);
  const Result f32 = run_chain(c, wt, false, nullptr);
  for (bool banding : {false, true}) {
    SCOPED_TRACE(banding ? "banded" : "unbanded");
    const Result q = run_chain(c, wt, banding, nullptr, PQNN_FLAG_DYNAMIC_RANGE_QUANTIZATION);
    ASSERT_EQ(q.y.size(), f32.y.size());
    // Output rows 2.. of each image read no input row 0 (3x3, padding 1).
    const size_t row = c.w * c.cout, image = c.h * row;
    float max_ref = 0.0f, max_err = 0.0f;
    for (size_t b = 0; b < c.n; b++) {
      for (size_t i = 2 * row; i < image; i++) {
        max_ref = std::max(max_ref, std::fabs(f32.y[b * image + i]));
        max_err = std::max(max_err, std::fabs(q.y[b * image + i] - f32.y[b * image + i]));
      }
    }
    EXPECT_GT(max_ref, 0.1f);
    EXPECT_LT(max_err, 0.02f * max_ref);
  }
}

TEST(RuntimeBand, SmallMapsStayUnbanded) {
  Chain c;
  c.h = c.w = 14;  // 14x14x144 intermediates: 110 KiB, they stay in L2
  const Weights wt = make_weights(c, 7);
  const Result r = run_chain(c, wt, true, nullptr);
  EXPECT_EQ(r.banded, 0u);
  const Result ref = run_chain(c, wt, false, nullptr);
  EXPECT_TRUE(same_bits(r.y, ref.y));
}

// Many channels over few rows (PaddleOCR rec's 12x80 stages): the intermediates exceed L2
// (2 x 1.8 MiB), but one band a row would stream the 1x1 weights (2 x 450 KiB) in 12 times,
// more than the 7.4 MiB of intermediates' traffic the bands save.
TEST(RuntimeBand, WideLayersOverFewRowsStayUnbanded) {
  Chain c;
  c.h = 12;
  c.w = 80;
  c.cin = 240;
  c.cmid = 480;
  c.cout = 240;
  c.k = 5;
  c.pad_top = c.pad_bottom = c.pad_left = c.pad_right = 2;
  const Weights wt = make_weights(c, 9);
  const Result r = run_chain(c, wt, true, nullptr);
  EXPECT_EQ(r.banded, 0u);
  const Result ref = run_chain(c, wt, false, nullptr);
  EXPECT_TRUE(same_bits(r.y, ref.y));
}

TEST(RuntimeBand, ReportsTheChainAndHonoursNoBanding) {
  Chain c;
  c.h = c.w = 64;  // 64x64x144 f32: 2.25 MiB per intermediate
  const Weights wt = make_weights(c, 8);
  const Result banded = run_chain(c, wt, true, nullptr);
  EXPECT_EQ(banded.banded, has_row_kernels() ? 3u : 0u);  // expand, depthwise, project
  const Result plain = run_chain(c, wt, false, nullptr);
  EXPECT_EQ(plain.banded, 0u);
  EXPECT_TRUE(same_bits(banded.y, plain.y));
}

// dw1 -> pw1 -> dw2 -> pw2 (PaddleOCR det's backbone): pw1 is dw1's projection or dw2's
// expansion, and joins the side of the larger intermediate: dw2's where it widens its input
// (cmid1 -> cmid2 channels over the same pixels), dw1's otherwise. Per node (graph order
// dw1, pw1, dw2, pw2) whether it runs in a band, and the outputs against no_banding.
struct Alternating {
  size_t h = 160, w = 160, cmid1 = 16, cmid2 = 40, cout = 24;
};

std::vector<float> run_alternating(const Alternating& a, bool banding,
    std::vector<uint32_t>* banded) {
  const float inf = INFINITY;
  Graph g(2);
  const size_t oh = out_size(a.h, 1, 1, 3, 2, 1), ow = out_size(a.w, 1, 1, 3, 2, 1);
  const uint32_t x = g.input(0, {1, a.h, a.w, a.cmid1});
  const uint32_t y = g.output(1, {1, oh, ow, a.cout});
  const uint32_t d1 = g.f32({1, a.h, a.w, a.cmid1});
  const uint32_t p1 = g.f32({1, a.h, a.w, a.cmid2});
  const uint32_t d2 = g.f32({1, oh, ow, a.cmid2});
  // static values stay the caller's memory: these live until the runtime is deleted
  const auto w1 = random_f32(9 * a.cmid1, -0.4f, 0.4f, 1), b1 = random_f32(a.cmid1, -0.2f, 0.2f, 2);
  const auto w2 = random_f32(a.cmid2 * a.cmid1, -0.3f, 0.3f, 3);
  const auto b2 = random_f32(a.cmid2, -0.2f, 0.2f, 4);
  const auto w3 = random_f32(9 * a.cmid2, -0.4f, 0.4f, 5), b3 = random_f32(a.cmid2, -0.2f, 0.2f, 6);
  const auto w4 = random_f32(a.cout * a.cmid2, -0.2f, 0.2f, 7);
  const auto b4 = random_f32(a.cout, -0.2f, 0.2f, 8);
  EXPECT_EQ(pqnn_define_depthwise_convolution_2d(g.sg, 1, 1, 1, 1, 3, 3, 1, 1, 1, 1, 1,
      a.cmid1, 0.0f, 6.0f, x, g.f32({1, 3, 3, a.cmid1}, w1.data()), g.f32({a.cmid1}, b1.data()),
      d1, 0), pqnn_status_success);
  EXPECT_EQ(pqnn_define_convolution_2d(g.sg, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, a.cmid1, a.cmid2,
      0.0f, 6.0f, d1, g.f32({a.cmid2, 1, 1, a.cmid1}, w2.data()), g.f32({a.cmid2}, b2.data()),
      p1, 0), pqnn_status_success);
  EXPECT_EQ(pqnn_define_depthwise_convolution_2d(g.sg, 1, 1, 1, 1, 3, 3, 2, 2, 1, 1, 1,
      a.cmid2, 0.0f, 6.0f, p1, g.f32({1, 3, 3, a.cmid2}, w3.data()), g.f32({a.cmid2}, b3.data()),
      d2, 0), pqnn_status_success);
  EXPECT_EQ(pqnn_define_fully_connected(g.sg, -inf, inf, d2, g.f32({a.cout, a.cmid2}, w4.data()),
      g.f32({a.cout}, b4.data()), y, 0), pqnn_status_success);
  pqnn_runtime_t rt = create_banding_runtime(g, banding, nullptr, 0);
  if (rt == nullptr) return {};
  (void) count_banded(rt);
  banded->clear();
  for (const auto& i : node_infos(rt)) banded->push_back(i.banded);
  auto in = random_f32(a.h * a.w * a.cmid1, -1.0f, 1.0f, 9);
  std::vector<float> out(oh * ow * a.cout, -1234.5f);
  const pqnn_external_value ext[2] = {{0, (void*) in.data()}, {1, out.data()}};
  EXPECT_EQ(pqnn_setup_runtime(rt, 2, ext), pqnn_status_success);
  EXPECT_EQ(pqnn_invoke_runtime(rt), pqnn_status_success);
  pqnn_delete_runtime(rt);
  return out;
}

TEST(RuntimeBand, APointwiseBetweenDepthwisesBandsItsLargerSide) {
  // 160x160: 16 channels 1.6 MiB, 40 channels 3.9 MiB (past L2: both chains would band).
  for (const bool widens : {true, false}) {
    Alternating a;
    if (!widens) std::swap(a.cmid1, a.cmid2);
    SCOPED_TRACE(testing::Message() << a.cmid1 << " -> " << a.cmid2);
    std::vector<uint32_t> banded, plain;
    const std::vector<float> y = run_alternating(a, true, &banded);
    const std::vector<float> ref = run_alternating(a, false, &plain);
    ASSERT_FALSE(ref.empty());
    EXPECT_TRUE(same_bits(y, ref));
    ASSERT_EQ(banded.size(), 4u);
    EXPECT_EQ(plain, std::vector<uint32_t>(4, 0u));
    if (!has_row_kernels()) {
      EXPECT_EQ(banded, std::vector<uint32_t>(4, 0u));
    } else if (widens) {
      // dw2's chain: pw1 (expansion), dw2, pw2 (projection); dw1 alone
      EXPECT_EQ(banded, (std::vector<uint32_t>{0, 1, 1, 1}));
    } else {
      // dw1's chain: dw1, pw1 (projection); dw2 -> pw2 maps (80x80x16) stay in L2
      EXPECT_EQ(banded, (std::vector<uint32_t>{1, 1, 0, 0}));
    }
  }
}

}  // namespace
