// Fully connected and convolution operators with byte-identical packed weights share one
// buffer (src/runtime/runtime-weights.c): a chain of FC nodes reading one static filter and bias
// keeps one packed copy (live allocations after creating the runtime: one per shared node
// fewer than the same chain with a copy of the filter per node), gives the same bits as
// that chain, and a filter or bias that differs in one element keeps its own copy. Under
// f16 inference and dynamic quantization too (their packed forms are compared as well).
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include <pqnn.h>

#include "common/runtime-graph.h"

extern "C" {
#include "allocator.h"
}

using namespace pqnn_test;

namespace {

constexpr size_t kRows = 4, kC = 64, kNodes = 4;

enum class Weights { kOneValue, kCopies, kOneDiffers, kBiasDiffers };

struct ChainRun {
  long allocations;        // live allocations the runtime holds after creation
  std::vector<float> y;
};

// x [kRows][kC] -> kNodes FC nodes (kC -> kC) in a chain -> y.
ChainRun run_chain(Weights weights, uint32_t flags) {
  const auto w = random_f32(kC * kC, -0.2f, 0.2f, 7);
  const auto b = random_f32(kC, -0.1f, 0.1f, 8);
  const auto x = random_f32(kRows * kC, -1, 1, 9);
  std::vector<std::vector<float>> copies(kNodes, w), biases(kNodes, b);
  if (weights == Weights::kOneDiffers) copies[2][5] += 0.25f;
  if (weights == Weights::kBiasDiffers) biases[2][3] += 0.25f;
  Graph g(2);
  uint32_t in = g.input(0, {kRows, kC});
  const uint32_t shared_w = g.f32({kC, kC}, w.data()), shared_b = g.f32({kC}, b.data());
  for (size_t n = 0; n < kNodes; n++) {
    const bool one = weights == Weights::kOneValue;
    const uint32_t wid = one ? shared_w : g.f32({kC, kC}, copies[n].data());
    const uint32_t bid = one ? shared_b : g.f32({kC}, biases[n].data());
    const uint32_t out = n + 1 == kNodes ? g.output(1, {kRows, kC}) : g.f32({kRows, kC});
    EXPECT_EQ(pqnn_define_fully_connected(g.sg, -INFINITY, INFINITY, in, wid, bid, out, 0),
        pqnn_status_success);
    in = out;
  }
  ChainRun r;
  r.y.assign(kRows * kC, NAN);
  const long before = pqnn_testing_live_allocations();
  pqnn_runtime_t rt = nullptr;
  EXPECT_EQ(pqnn_create_runtime(g.sg, nullptr, flags, &rt), pqnn_status_success);
  r.allocations = pqnn_testing_live_allocations() - before;
  if (rt == nullptr) return r;
  std::vector<pqnn_external_value> ext = {{0, (void*) x.data()}, {1, r.y.data()}};
  EXPECT_EQ(pqnn_setup_runtime(rt, ext.size(), ext.data()), pqnn_status_success);
  EXPECT_EQ(pqnn_invoke_runtime(rt), pqnn_status_success);
  EXPECT_EQ(pqnn_delete_runtime(rt), pqnn_status_success);
  return r;
}

TEST(SharedPackedWeights, OneCopyForIdenticalFullyConnectedWeights) {
  for (uint32_t flags : {0u, uint32_t(PQNN_FLAG_FORCE_FP16_INFERENCE),
                         uint32_t(PQNN_FLAG_DYNAMIC_RANGE_QUANTIZATION)}) {
    const ChainRun one = run_chain(Weights::kOneValue, flags);
    const ChainRun copies = run_chain(Weights::kCopies, flags);
    // The copies' nodes pack the same bytes: shared too.
    EXPECT_EQ(one.allocations, copies.allocations) << "flags " << flags;
    EXPECT_EQ(0, std::memcmp(one.y.data(), copies.y.data(), one.y.size() * sizeof(float)))
        << "flags " << flags;
    const ChainRun differs = run_chain(Weights::kOneDiffers, flags);
    const ChainRun bias = run_chain(Weights::kBiasDiffers, flags);
    // One node with its own filter / bias: exactly one packed buffer more.
    EXPECT_EQ(one.allocations + 1, differs.allocations) << "flags " << flags;
    EXPECT_EQ(one.allocations + 1, bias.allocations) << "flags " << flags;
    EXPECT_NE(0, std::memcmp(one.y.data(), differs.y.data(), one.y.size() * sizeof(float)));
  }
}

// Without sharing the chain would hold kNodes packed buffers: the shared chain holds
// kNodes - 1 fewer allocations than a chain of distinct filters.
TEST(SharedPackedWeights, DistinctWeightsKeepTheirOwn) {
  const ChainRun one = run_chain(Weights::kOneValue, 0);
  const auto x = random_f32(kRows * kC, -1, 1, 9);
  Graph g(2);
  uint32_t in = g.input(0, {kRows, kC});
  std::vector<std::vector<float>> filters;
  for (size_t n = 0; n < kNodes; n++) filters.push_back(random_f32(kC * kC, -0.2f, 0.2f, 20 + n));
  const auto b = random_f32(kC, -0.1f, 0.1f, 8);
  for (size_t n = 0; n < kNodes; n++) {
    const uint32_t out = n + 1 == kNodes ? g.output(1, {kRows, kC}) : g.f32({kRows, kC});
    EXPECT_EQ(pqnn_define_fully_connected(g.sg, -INFINITY, INFINITY, in,
        g.f32({kC, kC}, filters[n].data()), g.f32({kC}, b.data()), out, 0), pqnn_status_success);
    in = out;
  }
  const long before = pqnn_testing_live_allocations();
  pqnn_runtime_t rt = nullptr;
  ASSERT_EQ(pqnn_create_runtime(g.sg, nullptr, 0, &rt), pqnn_status_success);
  const long distinct = pqnn_testing_live_allocations() - before;
  EXPECT_EQ(one.allocations + long(kNodes) - 1, distinct);
  EXPECT_EQ(pqnn_delete_runtime(rt), pqnn_status_success);
}

// A feature-pyramid head: one 3x3 convolution's filter and bias on two levels (two conv
// nodes, different input sizes) keep one packed copy; the same bits as two filter copies
// with distinct values ids.
TEST(SharedPackedWeights, ConvolutionHeadOnTwoLevels) {
  constexpr size_t kCin = 8, kCout = 16;
  const auto w = random_f32(kCout * 9 * kCin, -0.3f, 0.3f, 11);
  const auto b = random_f32(kCout, -0.1f, 0.1f, 12);
  const auto x0 = random_f32(1 * 12 * 10 * kCin, -1, 1, 13);
  const auto x1 = random_f32(1 * 6 * 5 * kCin, -1, 1, 14);
  auto w_other = w;
  w_other[17] += 0.25f;
  // mode 0: one filter value for both levels, 1: a copy each, 2: level 1's filter differs
  auto run = [&](int mode, long* allocations, std::vector<float>* y0, std::vector<float>* y1) {
    const bool one_value = mode == 0;
    Graph g(4);
    const uint32_t in0 = g.input(0, {1, 12, 10, kCin}), in1 = g.input(1, {1, 6, 5, kCin});
    const uint32_t out0 = g.output(2, {1, 12, 10, kCout}), out1 = g.output(3, {1, 6, 5, kCout});
    const uint32_t w0 = g.f32({kCout, 3, 3, kCin}, w.data()), b0 = g.f32({kCout}, b.data());
    const uint32_t w1 = one_value ? w0
        : g.f32({kCout, 3, 3, kCin}, mode == 2 ? w_other.data() : w.data());
    const uint32_t b1 = one_value ? b0 : g.f32({kCout}, b.data());
    for (int level = 0; level < 2; level++) {
      EXPECT_EQ(pqnn_define_convolution_2d(g.sg, 1, 1, 1, 1, 3, 3, 1, 1, 1, 1, 1, kCin, kCout,
          -INFINITY, INFINITY, level == 0 ? in0 : in1, level == 0 ? w0 : w1,
          level == 0 ? b0 : b1, level == 0 ? out0 : out1, PQNN_FLAG_NO_WINOGRAD),
          pqnn_status_success);
    }
    y0->assign(12 * 10 * kCout, NAN);
    y1->assign(6 * 5 * kCout, NAN);
    const long before = pqnn_testing_live_allocations();
    pqnn_runtime_t rt = nullptr;
    ASSERT_EQ(pqnn_create_runtime(g.sg, nullptr, 0, &rt), pqnn_status_success);
    *allocations = pqnn_testing_live_allocations() - before;
    std::vector<pqnn_external_value> ext = {{0, (void*) x0.data()}, {1, (void*) x1.data()},
        {2, y0->data()}, {3, y1->data()}};
    EXPECT_EQ(pqnn_setup_runtime(rt, ext.size(), ext.data()), pqnn_status_success);
    EXPECT_EQ(pqnn_invoke_runtime(rt), pqnn_status_success);
    EXPECT_EQ(pqnn_delete_runtime(rt), pqnn_status_success);
  };
  long shared = 0, copies = 0, distinct = 0;
  std::vector<float> a0, a1, c0, c1, d0, d1;
  run(0, &shared, &a0, &a1);
  run(1, &copies, &c0, &c1);
  run(2, &distinct, &d0, &d1);
  EXPECT_EQ(shared, copies);  // equal bytes: shared in both graphs
  EXPECT_EQ(shared + 1, distinct);  // a filter of its own: one packed buffer more
  EXPECT_EQ(0, std::memcmp(a0.data(), c0.data(), a0.size() * sizeof(float)));
  EXPECT_EQ(0, std::memcmp(a1.data(), c1.data(), a1.size() * sizeof(float)));
}

}  // namespace
