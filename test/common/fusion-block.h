// Shared by the fusion tests (runtime-residual-test, runtime-activation-test,
// runtime-affine-test): the weights of a random block x [n][h][w][3] -> 1x1 stem (3 -> c) ->
// producer (up to 3x3, c -> c), the stem and producer's nodes, running a block's graph at its
// shape and reshaped, and running a graph once (deconvolution blocks, graphs that must not
// fuse), for a bit-exact comparison of the fused plan with the unfused one.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <pqnn.h>

#include "common/runtime-graph.h"
#include "common/same-bits.h"

extern "C" {
#include "operator.h"  // pqnn_setup_residual_add (internal)
}

namespace pqnn_test {

struct BlockWeights {
  std::vector<float> stem_w, stem_b, w, b;
};

inline BlockWeights random_block_weights(size_t c, uint32_t seed) {
  BlockWeights wt;
  wt.stem_w = random_f32(c * 3, -1, 1, seed);
  wt.stem_b = random_f32(c, -1, 1, seed + 1);
  wt.w = random_f32(c * 9 * c, -0.3f, 0.3f, seed + 2);
  wt.b = random_f32(c, -1, 1, seed + 3);
  return wt;
}

// The flag sets of the random blocks (f32, f16, DRQ, f16 with DRQ) and of the
// deconvolution blocks (the first three).
constexpr uint32_t kBlockFlags[] = {0, PQNN_FLAG_FORCE_FP16_INFERENCE,
    PQNN_FLAG_DYNAMIC_RANGE_QUANTIZATION,
    PQNN_FLAG_FORCE_FP16_INFERENCE | PQNN_FLAG_DYNAMIC_RANGE_QUANTIZATION};
constexpr uint32_t kDeconvFlags[] = {0, PQNN_FLAG_FORCE_FP16_INFERENCE,
    PQNN_FLAG_DYNAMIC_RANGE_QUANTIZATION};

// A block's shape, n x h x w pixels of c channels; randomize: n 1..2, h 1..9, w 1..11,
// c 1..max_c, drawn in that order.
struct BlockDims {
  size_t n = 1, h = 5, w = 7, c = 8;
  void randomize(std::mt19937& rng, size_t max_c) {
    n = 1 + rng() % 2;
    h = 1 + rng() % 9;
    w = 1 + rng() % 11;
    c = 1 + rng() % max_c;
  }
};

// The node that writes A, the fused node of a block: its compute path.
enum class Producer { conv1x1, conv3x3_igemm, conv3x3_winograd, depthwise, fully_connected,
    stem3x3 /* 3 input channels: the int8 PATCH path under DRQ */ };
constexpr int kProducers = 6;

inline const char* producer_name(Producer p) {
  static const char* const kNames[] = {"conv1x1", "conv3x3_igemm", "conv3x3_winograd",
      "depthwise", "fully_connected", "stem3x3"};
  return kNames[static_cast<int>(p)];
}

// x [n][h][w][3] -> 1x1 stem (3 -> c) = *b -> producer (bounds lo, hi) = *a, dims
// {n, h, w, c}.
inline void define_producer(Graph& g, Producer producer, const std::vector<size_t>& dims,
    const BlockWeights& wt, float lo, float hi, uint32_t x, uint32_t* b_out, uint32_t* a_out) {
  const float inf = INFINITY;
  const size_t c = dims[3];
  const uint32_t b = *b_out = g.f32(dims);
  ASSERT_EQ(pqnn_define_convolution_2d(g.sg, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 3, c, -inf, inf,
      x, g.f32({c, 1, 1, 3}, wt.stem_w.data()), g.f32({c}, wt.stem_b.data()), b, 0),
      pqnn_status_success);
  const uint32_t a = *a_out = g.f32(dims);
  const uint32_t bias = g.f32({c}, wt.b.data());
  switch (producer) {
    case Producer::conv1x1:
      ASSERT_EQ(pqnn_define_convolution_2d(g.sg, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, c, c, lo, hi,
          b, g.f32({c, 1, 1, c}, wt.w.data()), bias, a, 0), pqnn_status_success);
      break;
    case Producer::conv3x3_igemm:
    case Producer::conv3x3_winograd:
      ASSERT_EQ(pqnn_define_convolution_2d(g.sg, 1, 1, 1, 1, 3, 3, 1, 1, 1, 1, 1, c, c, lo, hi,
          b, g.f32({c, 3, 3, c}, wt.w.data()), bias, a,
          producer == Producer::conv3x3_igemm ? PQNN_FLAG_NO_WINOGRAD : 0),
          pqnn_status_success);
      break;
    case Producer::depthwise:
      ASSERT_EQ(pqnn_define_depthwise_convolution_2d(g.sg, 1, 1, 1, 1, 3, 3, 1, 1, 1, 1, 1, c,
          lo, hi, b, g.f32({1, 3, 3, c}, wt.w.data()), bias, a, 0), pqnn_status_success);
      break;
    case Producer::fully_connected:
      ASSERT_EQ(pqnn_define_fully_connected(g.sg, lo, hi, b, g.f32({c, c}, wt.w.data()), bias,
          a, 0), pqnn_status_success);
      break;
    case Producer::stem3x3:
      ASSERT_EQ(pqnn_define_convolution_2d(g.sg, 1, 1, 1, 1, 3, 3, 1, 1, 1, 1, 1, 3, c, lo, hi,
          x, g.f32({c, 3, 3, 3}, wt.w.data()), bias, a, 0), pqnn_status_success);
      break;
  }
}

// How many nodes carry a fusion: field is one of pqnn_runtime_node_info's fused_* counts.
inline size_t count_fused(const std::vector<pqnn_runtime_node_info>& infos,
    uint32_t pqnn_runtime_node_info::*field) {
  size_t n = 0;
  for (const auto& i : infos) n += i.*field;
  return n;
}

// A node of a random block that took a fusion: a fully connected / convolution /
// depthwise node; its compute path goes to *paths.
inline void record_fused_node(const pqnn_runtime_node_info& i, std::set<std::string>* paths) {
  EXPECT_TRUE(i.type == pqnn_node_type_convolution_2d ||
      i.type == pqnn_node_type_depthwise_convolution_2d ||
      i.type == pqnn_node_type_fully_connected);
  paths->insert(i.compute_path);
}

// Every compute path's epilogue ran (PATCH where the tier has it).
inline void expect_every_path(const std::set<std::string>& paths) {
  for (const char* path : {"gemm", "igemm", "dwconv", "winograd"}) {
    EXPECT_EQ(paths.count(path), 1u) << path;
  }
  if (std::strcmp(pqnn_isa_name(), "avx512vnni") == 0) {
    EXPECT_EQ(paths.count("patch"), 1u);
  }
}

struct BlockResult {
  std::vector<float> y, y_reshaped;
  std::vector<pqnn_runtime_node_info> infos;  // at the reshaped shape
};

// Creates a runtime of `sg` (external 0: input [n][h][w][3], external 1: output
// [n][h][w][c]) with `options`, runs it at its shape, then reshaped to (h + 2) x (w + 1),
// on inputs uniform in [-range, range]; empty on a failed create.
inline BlockResult run_block_graph(pqnn_subgraph_t sg, size_t n, size_t h, size_t w, size_t c,
    float range, uint32_t flags, const pqnn_runtime_options& options, pthreadpool_t pool) {
  BlockResult r;
  pqnn_runtime_t rt = nullptr;
  EXPECT_EQ(pqnn_create_runtime_with_options(sg, pool, flags, &options, &rt),
      pqnn_status_success);
  if (rt == nullptr) return r;
  for (int pass = 0; pass < 2; pass++) {
    const size_t ph = h + (pass == 0 ? 0 : 2), pw = w + (pass == 0 ? 0 : 1);
    if (pass == 1) {
      const size_t dims[4] = {n, ph, pw, 3};
      EXPECT_EQ(pqnn_reshape_external_value(rt, 0, 4, dims), pqnn_status_success);
      EXPECT_EQ(pqnn_reshape_runtime(rt), pqnn_status_success);
    }
    const auto in = random_f32(n * ph * pw * 3, -range, range, 77 + pass);
    std::vector<float>& out = pass == 0 ? r.y : r.y_reshaped;
    out.assign(n * ph * pw * c, -1234.5f);
    const pqnn_external_value ext[2] = {{0, (void*) in.data()}, {1, out.data()}};
    EXPECT_EQ(pqnn_setup_runtime(rt, 2, ext), pqnn_status_success);
    EXPECT_EQ(pqnn_invoke_runtime(rt), pqnn_status_success);
  }
  r.infos = node_infos(rt);
  pqnn_delete_runtime(rt);
  return r;
}

// A block graph (external 0: input x [n][h][w][3], external 1: output y [n][h][w][c])
// whose nodes define(g, x, y) defines, with `options` and DRQ taking every FC / conv (the
// stem: PATCH), run by run_block_graph on inputs in [-2, 2].
template <typename Define>
BlockResult run_defined_block(size_t n, size_t h, size_t w, size_t c, Define define,
    pqnn_runtime_options options, uint32_t flags, pthreadpool_t pool) {
  Graph g(2);
  const uint32_t x = g.input(0, {n, h, w, 3});
  const uint32_t y = g.output(1, {n, h, w, c});
  define(g, x, y);
  options.qd8_min_reduction = 1;
  return run_block_graph(g.sg, n, h, w, c, 2.0f, flags, options, pool);
}

// A graph run fused ([0]) and unfused ([1]): external 1 (out) and 2 (extra), the nodes.
struct FusionRuns {
  std::vector<float> out[2], extra[2];
  std::vector<pqnn_runtime_node_info> infos[2];
};

// Creates a runtime of `sg` with `options`, binds `ext`, invokes it once; *infos: its nodes.
inline void run_graph_once(pqnn_subgraph_t sg, pthreadpool_t pool, uint32_t flags,
    const pqnn_runtime_options& options, const std::vector<pqnn_external_value>& ext,
    std::vector<pqnn_runtime_node_info>* infos) {
  pqnn_runtime_t rt = nullptr;
  ASSERT_EQ(pqnn_create_runtime_with_options(sg, pool, flags, &options, &rt),
      pqnn_status_success);
  ASSERT_EQ(pqnn_setup_runtime(rt, ext.size(), ext.data()), pqnn_status_success);
  ASSERT_EQ(pqnn_invoke_runtime(rt), pqnn_status_success);
  *infos = node_infos(rt);
  pqnn_delete_runtime(rt);
}

// A deconvolution layer of the fusion tests (kernel k x k, stride s, padding pad a side,
// output padding adj rows, goc output channels) on a random input: n x h x w x c in,
// n x oh x ow x goc out.
struct DeconvLayer {
  uint32_t k, s, pad, adj;
  size_t goc;
};

struct DeconvBlock {
  DeconvLayer l;
  size_t n, h, w, c, oh, ow;
  std::vector<float> wt, bias, in;
};

// trial's block (n from trial, the sizes from rng, the data seeded by trial + 1).
inline DeconvBlock deconv_block(const DeconvLayer& l, int trial, std::mt19937& rng) {
  DeconvBlock d;
  d.l = l;
  d.n = 1 + trial % 2;
  d.h = 3 + rng() % 5;
  d.w = 2 + rng() % 7;
  d.c = 5 + rng() % 20;
  d.oh = (d.h - 1) * l.s + l.k - 2 * l.pad + l.adj;
  d.ow = (d.w - 1) * l.s + l.k - 2 * l.pad;
  d.wt = random_f32(l.goc * l.k * l.k * d.c, -0.5f, 0.5f, 5 + trial + 1);
  d.bias = random_f32(l.goc, -1, 1, 6 + trial + 1);
  d.in = random_f32(d.n * d.h * d.w * d.c, -2, 2, 7 + trial + 1);
  return d;
}

inline std::string deconv_trace(const DeconvBlock& d, const std::string& what, uint32_t flags) {
  return (testing::Message() << "k" << d.l.k << " s" << d.l.s << " pad " << d.l.pad
      << " adj " << d.l.adj << " goc " << d.l.goc << " " << what << " flags 0x" << std::hex
      << flags << std::dec << " n" << d.n << " " << d.h << "x" << d.w << " c" << d.c)
      .GetString();
}

// x (external 0) -> the deconvolution = *a; *y: external 1 (its shape).
inline void define_deconv(Graph& g, const DeconvBlock& d, uint32_t* a, uint32_t* y) {
  const uint32_t x = g.input(0, {d.n, d.h, d.w, d.c});
  *a = g.f32({d.n, d.oh, d.ow, d.l.goc});
  *y = g.output(1, {d.n, d.oh, d.ow, d.l.goc});
  const DeconvLayer& l = d.l;
  ASSERT_EQ(pqnn_define_deconvolution_2d(g.sg, l.pad, l.pad, l.pad, l.pad, l.adj, 0, l.k,
      l.k, l.s, l.s, 1, 1, 1, d.c, l.goc, -INFINITY, INFINITY, x,
      g.f32({l.goc, l.k, l.k, d.c}, d.wt.data()), g.f32({l.goc}, d.bias.data()), *a, 0),
      pqnn_status_success);
}

// Runs a deconvolution block's graph once, DRQ taking every layer: r->out[run] (filled
// with -1234.5 first) its output, r->infos[run] its nodes.
inline void run_deconv_graph(pqnn_subgraph_t sg, const DeconvBlock& d, pthreadpool_t pool,
    uint32_t flags, pqnn_runtime_options options, FusionRuns* r, uint32_t run) {
  options.qd8_min_reduction = 1;
  std::vector<float>& out = r->out[run];
  out.assign(d.n * d.oh * d.ow * d.l.goc, -1234.5f);
  run_graph_once(sg, pool, flags, options, {{0, (void*) d.in.data()}, {1, out.data()}},
      &r->infos[run]);
}

// The deconvolution block fused and unfused: the same output, one fusion (field) in the
// fused graph, on the deconvolution node (deconv path), one node fewer; check(i) checks the
// fused node further.
template <typename Check>
void expect_fused_deconv(const FusionRuns& r, uint32_t pqnn_runtime_node_info::*field,
    Check check) {
  EXPECT_TRUE(same_bits(r.out[0], r.out[1]));
  EXPECT_EQ(count_fused(r.infos[0], field), 1u);
  EXPECT_EQ(count_fused(r.infos[1], field), 0u);
  EXPECT_EQ(r.infos[0].size() + 1, r.infos[1].size());
  for (const auto& i : r.infos[0]) {
    if (i.*field == 0) continue;
    EXPECT_EQ(i.type, pqnn_node_type_deconvolution_2d);
    check(i);
    EXPECT_STREQ(i.compute_path, "deconv");
  }
}

// A graph of the cases that must not fuse: x [1][4][4][c] (external 0) -> ... -> a
// [1][a_size][a_size][c] (external 2 where a_external: an output the fusion must leave)
// -> ... -> y [1][oh][oh][c] (external 1).
struct IneligibleGraph {
  Graph g{3};
  size_t c;
  uint32_t x, a, y;
  IneligibleGraph(size_t channels, size_t a_size, size_t oh, bool a_external) : c(channels) {
    x = g.input(0, {1, 4, 4, c});
    a = a_external ? g.output(2, {1, 4, 4, c}) : g.f32({1, a_size, a_size, c});
    y = g.output(1, {1, oh, oh, c});
  }
  // a second reader of a: a clamp to external 2.
  void read_a_twice() {
    ASSERT_EQ(pqnn_define_clamp(g.sg, 0.0f, 1.0f, a, g.output(2, {1, 4, 4, c}), 0),
        pqnn_status_success);
  }
  // Runs it once: r->out[run] (NaN first; oh x oh x c), r->extra[run] (NaN, 16 x c; bound
  // as external 2 where `extra`), r->infos[run].
  void run_once(const std::vector<float>& in, size_t oh, bool extra, uint32_t flags,
      const pqnn_runtime_options& options, FusionRuns* r, uint32_t run) {
    r->out[run].assign(oh * oh * c, NAN);
    r->extra[run].assign(16 * c, NAN);
    std::vector<pqnn_external_value> ext = {{0, (void*) in.data()}, {1, r->out[run].data()}};
    if (extra) ext.push_back({2, r->extra[run].data()});
    run_graph_once(g.sg, nullptr, flags, options, ext, &r->infos[run]);
  }
};

// The ineligible graph fused and unfused: the same outputs, no fusion (field) unfused.
inline void expect_same_outputs(const FusionRuns& r, uint32_t pqnn_runtime_node_info::*field) {
  EXPECT_TRUE(same_bits(r.out[0], r.out[1]));
  EXPECT_TRUE(same_bits(r.extra[0], r.extra[1]));
  EXPECT_EQ(count_fused(r.infos[1], field), 0u);
}

// The operator side: a qs8 fully connected operator ic -> oc (weights 1), whose output
// takes no epilogue.
inline void create_qs8_fc(size_t ic, size_t oc, pqnn_operator_t* q) {
  const std::vector<int8_t> qw(ic * oc, 1);
  ASSERT_EQ(pqnn_create_fully_connected_nc_qs8(ic, oc, ic, oc, 0, 1.0f, 1.0f, qw.data(),
      nullptr, 0, 1.0f, -128, 127, 0, q), pqnn_status_success);
}

// The operator side's f32 fully connected operator ic -> oc (random weights, no bias, no
// bounds) with a random input x (rows x ic) and residual r (rows x oc).
struct FcOperator {
  size_t ic = 0, oc = 0, rows = 0;
  std::vector<float> x, r;
  pqnn_operator_t op = nullptr;

  void create(size_t input_channels, size_t output_channels, size_t batch) {
    ASSERT_EQ(pqnn_initialize(), pqnn_status_success);
    ic = input_channels;
    oc = output_channels;
    rows = batch;
    const auto w = random_f32(ic * oc, -1, 1, 3);
    x = random_f32(rows * ic, -2, 2, 5);
    r = random_f32(rows * oc, -1, 1, 6);
    ASSERT_EQ(pqnn_create_fully_connected_nc_f32(ic, oc, ic, oc, w.data(), nullptr, -INFINITY,
        INFINITY, 0, &op), pqnn_status_success);
  }

  // Runs it on x into y (NaN first), with r bound as a residual add bounded to [-0.5, 2]
  // where `residual`.
  void run(std::vector<float>& y, bool residual) {
    y.assign(rows * oc, NAN);
    ASSERT_EQ(pqnn_reshape_fully_connected_nc_f32(op, rows, nullptr), pqnn_status_success);
    ASSERT_EQ(pqnn_setup_fully_connected_nc_f32(op, x.data(), y.data()), pqnn_status_success);
    if (residual) {
      ASSERT_EQ(pqnn_setup_residual_add(op, r.data(), oc, -0.5f, 2.0f), pqnn_status_success);
    }
    ASSERT_EQ(pqnn_run_operator(op, nullptr), pqnn_status_success);
  }
};

}  // namespace pqnn_test
